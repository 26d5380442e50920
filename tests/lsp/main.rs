//! End-to-end tests of `yin lsp`: the real binary over stdio, whole JSON replies compared with
//! snapshots (`UPDATE_EXPECT=1` updates them). The analysis crate's own tests carry the detail;
//! these check the protocol: negotiation, ordered document sync, and each feature's wire form.

mod abuse;
mod client;
mod debug;
mod eval;
mod features;
mod hostile;
mod lints;
mod live;
mod navigation;
mod sync;
mod text;
mod torture;

use expect_test::Expect;
use serde_json::{Value, json};

use client::Client;

const URI: &str = "file:///work/demo.yin";

/// Compares `value`, pretty-printed, with the snapshot. Arrays of numbers (semantic tokens)
/// print five to a line, one token per line.
fn check(value: &Value, expect: Expect) {
    let mut out = String::new();
    pretty(value, 0, &mut out);
    out.push('\n');
    expect.assert_eq(&out);
}

fn pretty(value: &Value, depth: usize, out: &mut String) {
    let indent = |depth: usize| "  ".repeat(depth);
    match value {
        Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_number) => {
            out.push('[');
            for (i, chunk) in items.chunks(5).enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let numbers: Vec<String> = chunk.iter().map(Value::to_string).collect();
                out.push_str(&format!("\n{}{}", indent(depth + 1), numbers.join(", ")));
            }
            out.push_str(&format!("\n{}]", indent(depth)));
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                out.push_str(if i > 0 { ",\n" } else { "\n" });
                out.push_str(&indent(depth + 1));
                pretty(item, depth + 1, out);
            }
            out.push_str(&format!("\n{}]", indent(depth)));
        }
        Value::Object(fields) if !fields.is_empty() => {
            out.push('{');
            for (i, (key, item)) in fields.iter().enumerate() {
                out.push_str(if i > 0 { ",\n" } else { "\n" });
                out.push_str(&format!(
                    "{}{}: ",
                    indent(depth + 1),
                    Value::from(key.as_str())
                ));
                pretty(item, depth + 1, out);
            }
            out.push_str(&format!("\n{}}}", indent(depth)));
        }
        other => out.push_str(&other.to_string()),
    }
}

fn open(client: &mut Client, text: &str) {
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": URI, "languageId": "yin", "version": 1, "text": text } }),
    );
}

fn view_file_text(client: &mut Client) -> Value {
    client.request(
        "yin/viewFileText",
        json!({ "textDocument": { "uri": URI } }),
    )["result"]
        .clone()
}
