//! Keystroke latency on a 10,000-line yin file: one edit applied to a [`Document`] (rope edit,
//! recutting and reparsing the top-level chunk it touched, changed ranges) against parsing the
//! same file from scratch, in the same run, and keystrokes in the same file broken by an
//! unmatched `(` (which damages only its own chunk; see `syntax::document`).
//!
//! The file is generated deterministically: function definitions with docstrings, `let`s, nested
//! calls, threading macros, maps, sets, strings and comments, as real yin code has.
//!
//! Run with `cargo bench -p yin-syntax --bench edit`.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use syntax::{Document, Position, PositionEncoding, Range, TextEdit};

const LINES: usize = 10_000;

/// One definition per step, 14 lines each, until the file has `LINES` lines.
fn source() -> String {
    let mut text = String::new();
    let mut n = 0;
    while text.lines().count() < LINES {
        text.push_str(&format!(
            ";; Helpers for item {n}: totals and labels.\n\
             (defn item-{n}\n\
             \x20 \"Computes the total of item {n} and labels it.\"\n\
             \x20 [x y & more]\n\
             \x20 (let [a (+ x {n})\n\
             \x20       b (* y (inc a))\n\
             \x20       s (str \"item \" {n} \": \" a)]\n\
             \x20   (if (> a b)\n\
             \x20     (reduce + a more)\n\
             \x20     (-> {{:id {n} :name s :tags #{{:a :b}}}}\n\
             \x20         (assoc :total (+ a b 2/3))\n\
             \x20         (get :total))))) ; the total\n\
             (def limit-{n} (item-{n} 1 2 3 4.5))\n\
             \n"
        ));
        n += 1;
    }
    text
}

fn insert(line: u32, character: u32, text: &str) -> TextEdit {
    let at = Position::new(line, character);
    TextEdit::new(Range::new(at, at), text)
}

fn benches(c: &mut Criterion) {
    let text = source();
    let doc = Document::new(&text);
    assert!(!doc.has_syntax_error(), "the generated file parses cleanly");
    // The `(defn item-N` line nearest the middle of the file: a character typed into the name
    // keeps the file valid; an opening parenthesis before it is left open, damaging its chunk.
    let middle = (LINES / 2 / 14 * 14 + 1) as u32;
    assert!(
        doc.rope()
            .line(middle as usize)
            .to_string()
            .starts_with("(defn item-")
    );

    let mut group = c.benchmark_group("syntax_10k_lines");
    group.bench_function("full_parse_tree_sitter", |b| {
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&tree_sitter_yin::LANGUAGE.into())
            .expect("grammar ABI matches");
        b.iter(|| parser.parse(black_box(&text), None));
    });
    group.bench_function("incremental_parse_tree_sitter", |b| {
        // The lower bound: tree-sitter alone reparsing after the same one-character insertion,
        // reading a contiguous string.
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&tree_sitter_yin::LANGUAGE.into())
            .expect("grammar ABI matches");
        let old = parser.parse(&text, None).expect("no timeout is set");
        let line_start = doc.rope().line_to_byte(middle as usize);
        let at = line_start + 11;
        let new_text = format!("{}x{}", &text[..at], &text[at..]);
        let edit = tree_sitter::InputEdit {
            start_byte: at,
            old_end_byte: at,
            new_end_byte: at + 1,
            start_position: tree_sitter::Point::new(middle as usize, 11),
            old_end_position: tree_sitter::Point::new(middle as usize, 11),
            new_end_position: tree_sitter::Point::new(middle as usize, 12),
        };
        b.iter_batched(
            || {
                let mut edited = old.clone();
                edited.edit(&edit);
                edited
            },
            |edited| parser.parse(black_box(&new_text), Some(&edited)),
            BatchSize::SmallInput,
        );
    });
    group.bench_function("document_new", |b| {
        b.iter(|| Document::new(black_box(&text)))
    });
    for (name, edit) in [
        ("edit_type_char_in_symbol", insert(middle, 11, "x")),
        ("edit_type_space_in_let", insert(middle + 3, 10, " ")),
        ("edit_type_open_paren", insert(middle, 0, "(")),
    ] {
        group.bench_function(name, |b| {
            b.iter_batched(
                || doc.clone(),
                |mut doc| {
                    doc.apply_edit(black_box(&edit), PositionEncoding::Utf16)
                        .expect("the range is ordered");
                    doc
                },
                BatchSize::SmallInput,
            );
        });
    }
    // A file with a syntax error: the unmatched `(` above, then a character typed into the name of
    // the next definition, inside the region the error swallows.
    let mut broken = doc.clone();
    broken
        .apply_edit(&insert(middle, 0, "("), PositionEncoding::Utf16)
        .expect("the range is ordered");
    let edit = insert(middle + 14, 11, "x");
    group.bench_function("broken_file_edit_type_char_in_symbol", |b| {
        b.iter_batched(
            || broken.clone(),
            |mut doc| {
                doc.apply_edit(black_box(&edit), PositionEncoding::Utf16)
                    .expect("the range is ordered");
                doc
            },
            BatchSize::SmallInput,
        );
    });
    group.bench_function("broken_file_edit_and_syntax_diagnostics", |b| {
        b.iter_batched(
            || broken.clone(),
            |mut doc| {
                doc.apply_edit(black_box(&edit), PositionEncoding::Utf16)
                    .expect("the range is ordered");
                black_box(doc.syntax_diagnostics().len());
                doc
            },
            BatchSize::SmallInput,
        );
    });
    let edit = insert(middle, 11, "x");
    group.bench_function("edit_type_char_in_symbol_and_changed_ranges", |b| {
        b.iter_batched(
            || doc.clone(),
            |mut doc| {
                doc.apply_edit(black_box(&edit), PositionEncoding::Utf16)
                    .expect("the range is ordered");
                black_box(doc.changed_ranges().len());
                doc
            },
            BatchSize::SmallInput,
        );
    });
    group.finish();
}

criterion_group!(edit, benches);
criterion_main!(edit);
