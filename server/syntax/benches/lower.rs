//! Lowering and datoms for a 10,000-line file, and the delta after a one-form edit in it.
//!
//! The file is generated from a template of typical yin (defn with docstrings, let, cond, loop,
//! threading, literals) so the figures do not depend on which examples exist. Parsing is done
//! outside the timed region: it belongs to the document, not to lowering.
//!
//! `cargo bench -p yin-syntax --bench lower`

use criterion::{Criterion, criterion_group, criterion_main};
use syntax::file::FileLowering;
use syntax::{Document, PositionEncoding, Range, TextEdit, TextSize};
use test_support::generated;

use generated::source;

fn bench(c: &mut Criterion) {
    let text = source(10_000);
    let doc = Document::new(&text);
    let datoms = FileLowering::new(&doc).datoms().len();
    println!(
        "{} lines, {} bytes, {datoms} datoms",
        text.lines().count(),
        text.len()
    );

    c.bench_function("lower+datoms 10k lines", |b| {
        b.iter_with_large_drop(|| FileLowering::new(&doc))
    });

    // One edit in the middle form that changes its length, so every later form moves; then
    // the edit undone. Each step applies the edit to the document and updates the lowering.
    let at = text.len() / 2 + text[text.len() / 2..].find(":limit 42").expect("a table") + 7;
    let mut doc = Document::new(&text);
    let mut file = FileLowering::new(&doc);
    let at_position = |doc: &Document, offset: usize| {
        doc.offset_to_position(TextSize::new(offset as u32), PositionEncoding::Utf8)
    };
    let mut flip = false;
    c.bench_function("document+delta one-form edit 10k lines", |b| {
        b.iter(|| {
            flip = !flip;
            let (end, insert) = if flip {
                (at + 2, "4200")
            } else {
                (at + 4, "42")
            };
            let range = Range::new(at_position(&doc, at), at_position(&doc, end));
            let edit = TextEdit::new(range, insert);
            doc.apply_edit(&edit, PositionEncoding::Utf8)
                .expect("start <= end");
            file.update(&doc)
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = bench
}
criterion_main!(benches);
