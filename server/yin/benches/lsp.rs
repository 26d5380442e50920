//! Round trips through the real `yin lsp` process over stdio: a keystroke until its diagnostics
//! arrive, and whole-file semantic tokens, on every `examples/*.yin` joined (70 KiB).
//!
//! `cargo bench -p yin --bench lsp`

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;
use test_support::lsp::{Client, initialize_params};

const URI: &str = "file:///bench/examples.yin";

fn round_trips(c: &mut Criterion) {
    let text = test_support::corpus::examples_joined();
    let (mut client, _) = Client::start(env!("CARGO_BIN_EXE_yin"), initialize_params(&[]), &[]);
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
