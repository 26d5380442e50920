//! A client that misbehaves: malformed JSON, unknown methods, wrong params, positions past the
//! end, and a client that vanishes mid-request. After each the server still answers correctly. Unknown documents and the 1,000-edit burst are in `sync.rs`.

use std::time::Duration;

use expect_test::expect;
use serde_json::json;

use crate::client::Client;
use crate::{URI, check, open, view_file_text};

#[test]
fn wrong_messages_are_answered_and_serving_goes_on() {
    let (mut client, _) = Client::start(&[]);
    open(&mut client, "(def x 1)\n");
    client.send_raw("{\"jsonrpc\": \"2.0\", \"id\": 91}");
    client.send_raw(
        "{\"jsonrpc\": \"2.0\", \"id\": 92, \"method\": \"textDocument/hover\", \"params\": 7}",
    );
    let wrong = client.response(92);
    check(
        &wrong["error"]["code"],
        expect![[r#"
            -32602
        "#]],
    );
    let unknown = client.request("textDocument/noSuchThing", json!({}));
    check(
        &unknown["error"],
        expect![[r#"
            {
              "code": -32601,
              "data": "textDocument/noSuchThing",
              "message": "Method not found"
            }
        "#]],
    );
    client.notify("yin/noSuchNotification", json!({ "x": 1 }));
    let wrong_types = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": URI }, "position": { "line": "one", "character": -1 } }),
    );
    assert_eq!(wrong_types["error"]["code"], json!(-32602), "{wrong_types}");
    assert_eq!(view_file_text(&mut client), json!("(def x 1)\n"));
    let (_, code) = client.exit(true);
    assert_eq!(code, 0);
}

/// A body that is not JSON is answered with a parse error, JSON that is no JSON-RPC message with
/// "invalid request" (under its `id` when it has one), and the server goes on serving
/// (`server/yin/src/lsp/framing.rs`).
#[test]
fn malformed_messages_are_answered_and_serving_goes_on() {
    let (mut client, _) = Client::start(&[]);
    open(&mut client, "(def x 1)\n");
    for (body, code) in [
        ("{\"jsonrpc\": \"2.0\", \"id\": 90, \"method\": ", -32700),
        ("[1, 2, 3]", -32600),
        ("\u{1}not json at all 𝕏", -32700),
        (
            "{\"jsonrpc\": \"2.0\", \"method\": \"initialized\", \"params\": {},}",
            -32700,
        ),
    ] {
        client.send_raw(body);
        let reply = client.notification_or_response_without_id();
        assert_eq!(reply["error"]["code"], json!(code), "{body}: {reply}");
        assert_eq!(reply["id"], json!(null), "{body}: {reply}");
        assert_eq!(
            view_file_text(&mut client),
            json!("(def x 1)\n"),
            "after {body}"
        );
    }
    client.send_raw("{\"id\": 94, \"method\": \"textDocument/hover\"}");
    let no_version = client.response(94);
    assert_eq!(no_version["error"]["code"], json!(-32600), "{no_version}");
    assert_eq!(view_file_text(&mut client), json!("(def x 1)\n"));
    let (_, code) = client.exit(true);
    assert_eq!(code, 0);
}

#[test]
fn positions_past_the_end_clamp() {
    let (mut client, _) = Client::start(&[]);
    open(&mut client, "(def 𝕏 1)\r\n(inc 𝕏)");
    let far = json!({ "line": 4_000_000_000u32, "character": 4_000_000_000u32 });
    let eol = json!({ "line": 0, "character": 99 });
    for position in [far.clone(), eol.clone()] {
        for method in [
            "textDocument/hover",
            "textDocument/definition",
            "textDocument/completion",
            "textDocument/signatureHelp",
            "textDocument/documentHighlight",
            "textDocument/prepareRename",
        ] {
            let reply = client.request(
                method,
                json!({ "textDocument": { "uri": URI }, "position": position }),
            );
            assert!(
                reply.get("error").is_none(),
                "{method} at {position}: {reply}"
            );
        }
    }
    // An edit whose range lies past the end is clamped to the end, never dropped silently.
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": URI, "version": 2 },
            "contentChanges": [{ "range": { "start": far, "end": far }, "text": "\n;; end" }],
        }),
    );
    assert_eq!(
        view_file_text(&mut client),
        json!("(def 𝕏 1)\r\n(inc 𝕏)\n;; end")
    );
    client.exit(true);
}

#[test]
fn a_client_that_vanishes_mid_request_ends_the_server() {
    let (mut client, _) = Client::start(&[]);
    open(&mut client, "(loop [i 0] (recur (inc i)))\n");
    client.send_request(
        "yin/eval",
        json!({ "textDocument": { "uri": URI }, "position": { "line": 0, "character": 1 } }),
    );
    client.send_request(
        "textDocument/semanticTokens/full",
        json!({ "textDocument": { "uri": URI } }),
    );
    let (code, took) = client.vanish();
    assert!(code.is_some(), "the server was killed by a signal");
    assert!(
        took < Duration::from_secs(10),
        "the server took {took:?} to end"
    );
}
