//! Cost of the tree-based features on a realistic file: every `examples/*.yin` concatenated.
//!
//! `cargo bench -p yin-analysis --bench features`

use std::path::PathBuf;

use analysis::{SourceFile, check_text, document_symbols, folding_ranges, format, highlight};
use criterion::{Criterion, criterion_group, criterion_main};

fn corpus() -> String {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("examples/ exists")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yin"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| std::fs::read_to_string(path).expect("readable example"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn features(c: &mut Criterion) {
    let text = corpus();
    let file = SourceFile::from_text(&text);
    let mut group = c.benchmark_group(format!("examples ({} KiB)", text.len() / 1024));
    group.bench_function("parse", |b| b.iter(|| SourceFile::from_text(&text)));
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
