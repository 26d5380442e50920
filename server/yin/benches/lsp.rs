//! Round trips through the real `yin lsp` process over stdio: a keystroke until its diagnostics
//! arrive, and whole-file semantic tokens, on every `examples/*.yin` joined (70 KiB).
//!
//! `cargo bench -p yin --bench lsp`

#[path = "../../../tests/lsp/client.rs"]
#[allow(dead_code, reason = "the test client offers more than the bench uses")]
mod client;

use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;

const URI: &str = "file:///bench/examples.yin";

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

fn round_trips(c: &mut Criterion) {
    let text = corpus();
    let (mut client, _) = client::Client::start(&[]);
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": URI, "languageId": "yin", "version": 1, "text": text } }),
    );
    client.diagnostics_for(URI, 1);
    let middle = text.lines().count() / 2;
    let mut version = 1;
    let mut group = c.benchmark_group("lsp (examples, 70 KiB)");
    group.bench_function("keystroke to diagnostics", |b| {
        b.iter(|| {
            version += 1;
            // Type a space at the start of the middle line, then the next iteration's version
            // types another: the file grows by a few hundred bytes over the run.
            client.notify(
                "textDocument/didChange",
                json!({
                    "textDocument": { "uri": URI, "version": version },
                    "contentChanges": [{
                        "range": { "start": { "line": middle, "character": 0 }, "end": { "line": middle, "character": 0 } },
                        "text": " ",
                    }],
                }),
            );
            client.diagnostics_for(URI, version);
        })
    });
    group.bench_function("semantic tokens, whole file", |b| {
        b.iter(|| {
            client.request(
                "textDocument/semanticTokens/full",
                json!({ "textDocument": { "uri": URI } }),
            )
        })
    });
    group.finish();
    client.exit(true);
}

criterion_group!(benches, round_trips);
criterion_main!(benches);
