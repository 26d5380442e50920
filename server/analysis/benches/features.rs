//! Cost of the tree-based features on a realistic file: every `examples/*.yin` concatenated.
//!
//! `cargo bench -p yin-analysis --bench features`

use analysis::{
    Position, PositionEncoding, Range, SourceFile, TextEdit, check_text, document_symbols,
    folding_ranges, format, highlight,
};
use criterion::{Criterion, criterion_group, criterion_main};

fn features(c: &mut Criterion) {
    let text = test_support::corpus::examples_joined();
    let file = SourceFile::from_text(&text);
    let mut group = c.benchmark_group(format!("examples ({} KiB)", text.len() / 1024));
    group.bench_function("parse", |b| b.iter(|| SourceFile::from_text(&text)));
    // Typing one character in the middle of the file: what `didChange` does before diagnostics.
    let middle = u32::try_from(text.lines().count() / 2).unwrap_or(0);
    let line = text.lines().nth(middle as usize).unwrap_or_default();
    let column = u32::try_from(line.find('(').map_or(0, |i| i + 1)).unwrap_or(0);
    let at = Position::new(middle, column);
    let after = Position::new(middle, column + 1);
    let type_x = [TextEdit::new(Range::new(at, at), "x")];
    let delete_x = [TextEdit::new(Range::new(at, after), "")];
    // Two keystrokes per iteration, so the file ends each one as it began and no clone (which
    // would make the next edit copy the shared lowering) is measured.
    let mut edited = file.clone();
    group.bench_function(
        "type and delete one character (reparse and re-lower, twice)",
        |b| {
            b.iter(|| {
                let typed = edited.apply_edits(&type_x, PositionEncoding::Utf16);
                let deleted = edited.apply_edits(&delete_x, PositionEncoding::Utf16);
                (typed, deleted)
            })
        },
    );
    group.bench_function("diagnostics", |b| b.iter(|| check_text(&file)));
    group.bench_function("semantic highlighting", |b| {
        b.iter(|| highlight(&file, None))
    });
    group.bench_function("document symbols", |b| b.iter(|| document_symbols(&file)));
    group.bench_function("folding ranges", |b| b.iter(|| folding_ranges(&file)));
    group.bench_function("format", |b| b.iter(|| format(&file)));
    group.finish();
}

criterion_group!(benches, features);
criterion_main!(benches);
