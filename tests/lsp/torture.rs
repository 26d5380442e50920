//! The torture files of `tests/cli/torture.rs` opened in the server: each is diagnosed, every
//! request on it is answered (within the client's timeout), an edit in its middle is applied, and
//! the server's text stays the client's. Bytes that are not UTF-8 cannot travel in JSON, so those
//! files are sent as the text an editor would show (invalid sequences replaced).

use serde_json::{Value, json};

use crate::client::Client;

use test_support::torture as files;

fn at(line: u32, character: u32) -> Value {
    json!({ "line": line, "character": character })
}

/// Opens `text` as document `i`, asks for everything, edits it and checks the text survives.
fn survive(client: &mut Client, i: usize, text: &str) {
    let uri = format!("file:///torture/{i}.yin");
    let document = json!({ "uri": uri });
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "yin", "version": 1, "text": text } }),
    );
    client.diagnostics_for(&uri, 1);
    for (method, extra) in [
        ("textDocument/hover", json!({ "position": at(0, 3) })),
        ("textDocument/completion", json!({ "position": at(0, 3) })),
        ("textDocument/definition", json!({ "position": at(0, 1) })),
        ("textDocument/documentSymbol", json!({})),
        ("textDocument/foldingRange", json!({})),
        ("textDocument/semanticTokens/full", json!({})),
        (
            "textDocument/formatting",
            json!({ "options": { "tabSize": 2, "insertSpaces": true } }),
        ),
        ("textDocument/diagnostic", json!({})),
    ] {
        let mut params = extra;
        params["textDocument"] = document.clone();
        let reply = client.request(method, params);
        assert!(reply.get("error").is_none(), "{method} on {i}: {reply}");
    }
    let mut mirror = text.to_owned();
    let middle = text.len() / 2;
    let middle = (0..=middle)
        .rev()
        .find(|&b| text.is_char_boundary(b))
        .unwrap_or(0);
    let (line, character) = crate::text::position(&mirror, middle, true);
    crate::text::apply(
        &mut mirror,
        [(line, character), (line, character)],
        ")😀\r\n(",
        true,
    );
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri, "version": 2 },
            "contentChanges": [{
                "range": { "start": at(line, character), "end": at(line, character) },
                "text": ")😀\r\n(",
            }],
        }),
    );
    let reply = client.request("yin/viewFileText", json!({ "textDocument": document }));
    assert!(
        reply["result"] == json!(mirror),
        "document {i} lost its text"
    );
    client.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": uri } }),
    );
}

#[test]
fn every_torture_file_is_served() {
    let (mut client, _) = Client::start(&[]);
    let mut texts: Vec<String> = (1..=2)
        .map(|seed| String::from_utf8_lossy(&files::random_bytes(seed, 20_000)).into_owned())
        .chain((1..=2).map(|seed| files::random_tokens(seed, 20_000)))
        .collect();
    // 20,000 levels, not the command line's 200,000: at 200,000 some request of `survive`
    // takes the debug server longer than the client's 10 s wait (docs/reliability.md, open
    // problems).
    for (open, close) in [("(", ")"), ("[", "]"), ("'", "")] {
        texts.push(files::nested(open, close, 20_000));
    }
    texts.push(files::UNCLOSED.to_owned());
    texts.push("(".repeat(20_000));
    texts.push(files::long_line());
    texts.push(files::long_string_line());
    texts.push(String::from_utf8_lossy(files::INVALID_UTF8).into_owned());
    texts.push(String::from_utf8_lossy(files::NUL_BYTES).into_owned());
    for (i, text) in texts.iter().enumerate() {
        survive(&mut client, i, text);
    }
    let (_, code) = client.exit(true);
    assert_eq!(code, 0);
}
