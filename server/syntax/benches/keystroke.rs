//! What one keystroke costs the syntax layer: the edit applied to the [`Document`] (rope, tree,
//! reparse) plus the lowering's update ([`FileLowering::update`]), at 1,000, 10,000 and 50,000
//! top-level forms, so the figures show whether the cost grows with the file.
//!
//! Shapes: one-line `defn`s (`(defn fN [x] (gN x))`, one form a line) and the generated file of
//! `test_support::generated` (26 lines per four forms). States: clean, and broken by an unclosed `(`
//! before the middle `defn`. Edits: a character typed into a symbol in the middle of
//! the file (3/4 of the way down when broken, away from the open form), and a character typed
//! inside the open form. Each iteration types the character and the next one deletes it, so
//! every iteration starts from the same text.
//!
//! `cargo bench -p yin-syntax --bench keystroke`

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use syntax::file::FileLowering;
use syntax::{Document, PositionEncoding, Range, TextEdit, TextSize};
use test_support::generated;

/// `forms` one-line definitions.
fn defns(forms: usize) -> String {
    (0..forms)
        .map(|i| format!("(defn f{i} [x] (g{i} x))\n"))
        .collect()
}

/// The generated file with about `forms` top-level forms (four forms per 26 lines).
fn generated(forms: usize) -> String {
    generated::source(forms * 26 / 4)
}

/// The start of the line holding byte `at`.
fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// A byte just after the first `(defn ` at or after byte `from`: inside a symbol.
fn in_symbol(text: &str, from: usize) -> usize {
    from + text[from..].find("(defn ").expect("a defn after it") + 7
}

/// Types a character at `at` on odd calls and deletes it on even ones, then updates `file`.
struct Typist {
    doc: Document,
    file: FileLowering,
    at: usize,
    typed: bool,
}

impl Typist {
    fn new(text: &str, at: usize) -> Typist {
        let doc = Document::new(text);
        let file = FileLowering::new(&doc);
        Typist {
            doc,
            file,
            at,
            typed: false,
        }
    }

    fn key(&mut self) -> usize {
        let position = |doc: &Document, offset: usize| {
            doc.offset_to_position(TextSize::new(offset as u32), PositionEncoding::Utf8)
        };
        let (end, text) = if self.typed {
            (self.at + 1, "")
        } else {
            (self.at, "q")
        };
        self.typed = !self.typed;
        let range = Range::new(position(&self.doc, self.at), position(&self.doc, end));
        self.doc
            .apply_edit(&TextEdit::new(range, text), PositionEncoding::Utf8)
            .expect("start <= end");
        let delta = self.file.update(&self.doc);
        delta.retracted.len() + delta.asserted.len()
    }
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("keystroke");
    group.sample_size(10);
    for forms in [1_000, 10_000, 50_000] {
        for (shape, text) in [("defns", defns(forms)), ("generated", generated(forms))] {
            let middle =
                text.len() / 2 + text[text.len() / 2..].find("\n(defn ").expect("a defn") + 1;
            let clean_at = in_symbol(&text, middle);
            let mut broken = text.clone();
            broken.insert(middle, '(');
            let far = in_symbol(&broken, line_start(&broken, broken.len() * 3 / 4));
            let inside = middle + 3;
            let cases = [
                ("clean symbol", &text, clean_at),
                ("broken symbol", &broken, far),
                ("broken inside open form", &broken, inside),
            ];
            for (case, text, at) in cases {
                let mut typist = Typist::new(text, at);
                let id = BenchmarkId::new(format!("{shape} {case}"), forms);
                group.bench_function(id, |b| b.iter(|| typist.key()));
            }
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
