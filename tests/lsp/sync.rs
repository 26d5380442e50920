//! Initialization, document sync, diagnostics and the server's life cycle.

use expect_test::expect;
use serde_json::json;

use crate::client::Client;
use crate::{URI, check, open, text, view_file_text};

#[test]
fn initialize_without_utf8_answers_utf16() {
    let (client, reply) = Client::start(&[]);
    check(
        &reply,
        expect![[r#"
            {
              "id": 1,
              "jsonrpc": "2.0",
              "result": {
                "capabilities": {
                  "codeActionProvider": {
                    "codeActionKinds": [
                      "quickfix",
                      "refactor.extract",
                      "refactor.inline",
                      "refactor.rewrite"
                    ]
                  },
                  "completionProvider": {
                    "triggerCharacters": [
                      ":"
                    ]
                  },
                  "definitionProvider": true,
                  "diagnosticProvider": {
                    "identifier": "yin",
                    "interFileDependencies": false,
                    "workspaceDiagnostics": false
                  },
                  "documentFormattingProvider": true,
                  "documentHighlightProvider": true,
                  "documentSymbolProvider": true,
                  "foldingRangeProvider": true,
                  "hoverProvider": true,
                  "inlayHintProvider": true,
                  "positionEncoding": "utf-16",
                  "referencesProvider": true,
                  "renameProvider": {
                    "prepareProvider": true
                  },
                  "selectionRangeProvider": true,
                  "semanticTokensProvider": {
                    "full": {
                      "delta": true
                    },
                    "legend": {
                      "tokenModifiers": [
                        "declaration",
                        "definition",
                        "defaultLibrary"
                      ],
                      "tokenTypes": [
                        "keyword",
                        "function",
                        "variable",
                        "parameter",
                        "enumMember",
                        "string",
                        "regexp",
                        "number",
                        "comment",
                        "type",
                        "macro"
                      ]
                    },
                    "range": true
                  },
                  "signatureHelpProvider": {
                    "triggerCharacters": [
                      " ",
                      "("
                    ]
                  },
                  "textDocumentSync": {
                    "change": 2,
                    "openClose": true,
                    "save": true
                  },
                  "workspaceSymbolProvider": true
                },
                "serverInfo": {
                  "name": "yin",
                  "version": "0.1.0"
                }
              }
            }
        "#]],
    );
    let (shutdown, code) = client.exit(true);
    check(
        &shutdown.expect("asked"),
        expect![[r#"
        {
          "id": 2,
          "jsonrpc": "2.0",
          "result": null
        }
    "#]],
    );
    assert_eq!(code, 0);
}

#[test]
fn initialize_with_utf8_answers_utf8() {
    let (client, reply) = Client::start(&["utf-16", "utf-8"]);
    check(
        &reply["result"]["capabilities"]["positionEncoding"],
        expect![[r#"
        "utf-8"
    "#]],
    );
    let (_, code) = client.exit(true);
    assert_eq!(code, 0);
}

#[test]
fn exit_without_shutdown_is_status_1() {
    let (client, _) = Client::start(&[]);
    let (_, code) = client.exit(false);
    assert_eq!(code, 1);
}

#[test]
fn did_open_publishes_diagnostics_and_pull_agrees() {
    let (mut client, _) = Client::start(&[]);
    open(&mut client, "(def s \"𝕏\") )\n(let [x 1\n  x)\n");
    let pushed = client.diagnostics_for(URI, 1);
    check(
        &pushed,
        expect![[r#"
            {
              "jsonrpc": "2.0",
              "method": "textDocument/publishDiagnostics",
              "params": {
                "diagnostics": [
                  {
                    "code": "syntax",
                    "message": "unexpected `)`",
                    "range": {
                      "end": {
                        "character": 14,
                        "line": 0
                      },
                      "start": {
                        "character": 13,
                        "line": 0
                      }
                    },
                    "severity": 1,
                    "source": "yin"
                  },
                  {
                    "code": "syntax",
                    "message": "unclosed `[`: missing `]` before the `)` on line 3",
                    "range": {
                      "end": {
                        "character": 6,
                        "line": 1
                      },
                      "start": {
                        "character": 5,
                        "line": 1
                      }
                    },
                    "severity": 1,
                    "source": "yin"
                  },
                  {
                    "code": "unused-binding",
                    "message": "x is bound but never used",
                    "range": {
                      "end": {
                        "character": 7,
                        "line": 1
                      },
                      "start": {
                        "character": 6,
                        "line": 1
                      }
                    },
                    "severity": 2,
                    "source": "yin"
                  },
                  {
                    "code": "malformed",
                    "message": "let bindings need an even number of forms; this one has no value",
                    "range": {
                      "end": {
                        "character": 3,
                        "line": 2
                      },
                      "start": {
                        "character": 2,
                        "line": 2
                      }
                    },
                    "severity": 1,
                    "source": "yin"
                  },
                  {
                    "code": "shadowed-binding",
                    "message": "x shadows an outer binding of the same name",
                    "range": {
                      "end": {
                        "character": 3,
                        "line": 2
                      },
                      "start": {
                        "character": 2,
                        "line": 2
                      }
                    },
                    "severity": 2,
                    "source": "yin"
                  },
                  {
                    "code": "unused-binding",
                    "message": "x is bound but never used",
                    "range": {
                      "end": {
                        "character": 3,
                        "line": 2
                      },
                      "start": {
                        "character": 2,
                        "line": 2
                      }
                    },
                    "severity": 2,
                    "source": "yin"
                  }
                ],
                "uri": "file:///work/demo.yin",
                "version": 1
              }
            }
        "#]],
    );
    let pulled = client.request(
        "textDocument/diagnostic",
        json!({ "textDocument": { "uri": URI } }),
    );
    assert_eq!(pulled["result"]["items"], pushed["params"]["diagnostics"]);
    assert_eq!(pulled["result"]["kind"], "full");
    client.exit(true);
}

/// Sends `edits` (range in the given encoding, new text) as one `didChange` per edit, applying
/// them to the client's copy too.
fn change(client: &mut Client, version: i64, range: [(u32, u32); 2], new: &str) {
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": URI, "version": version },
            "contentChanges": [{
                "range": {
                    "start": { "line": range[0].0, "character": range[0].1 },
                    "end": { "line": range[1].0, "character": range[1].1 },
                },
                "text": new,
            }],
        }),
    );
}

#[test]
fn incremental_changes_in_utf16_across_astral_characters_and_crlf() {
    let (mut client, _) = Client::start(&[]);
    let mut mirror = "(def s \"𝕏𝕏\")\r\n(def t 1)\r\n".to_owned();
    open(&mut client, &mirror);
    // After the first 𝕏: two UTF-16 code units past the quote at character 8.
    let edits: [([(u32, u32); 2], &str); 4] = [
        ([(0, 10), (0, 10)], "é"),
        ([(0, 13), (0, 15)], ""),
        ([(1, 8), (1, 8)], "\r\n(def u 😀)"),
        ([(2, 7), (2, 9)], "\"😀\""),
    ];
    for (i, (range, new)) in edits.iter().enumerate() {
        change(&mut client, i as i64 + 2, *range, new);
        text::apply(&mut mirror, *range, new, true);
    }
    assert_eq!(view_file_text(&mut client), json!(mirror));
    check(
        &json!(mirror),
        expect![[r#"
        "(def s \"𝕏é𝕏\r\n(def t 1\r\n(def u \"😀\"))\r\n"
    "#]],
    );
    let published = client.diagnostics_for(URI, 5);
    check(
        &published["params"],
        expect![[r#"
        {
          "diagnostics": [
            {
              "code": "syntax",
              "message": "unterminated string",
              "range": {
                "end": {
                  "character": 11,
                  "line": 2
                },
                "start": {
                  "character": 10,
                  "line": 2
                }
              },
              "severity": 1,
              "source": "yin"
            }
          ],
          "uri": "file:///work/demo.yin",
          "version": 5
        }
    "#]],
    );
    client.exit(true);
}

#[test]
fn incremental_changes_in_utf8() {
    let (mut client, _) = Client::start(&["utf-8"]);
    let mut mirror = "(def s \"𝕏\")\n".to_owned();
    open(&mut client, &mirror);
    // The 𝕏 is four bytes: character 12 is just after it.
    let range = [(0, 12), (0, 12)];
    change(&mut client, 2, range, "!");
    text::apply(&mut mirror, range, "!", false);
    assert_eq!(view_file_text(&mut client), json!("(def s \"𝕏!\")\n"));
    assert_eq!(view_file_text(&mut client), json!(mirror));
    client.exit(true);
}

/// A tiny deterministic generator, so the burst is the same on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % below.max(1)
    }
}

#[test]
fn a_burst_of_1000_edits_leaves_the_same_text() {
    let (mut client, _) = Client::start(&[]);
    let mut mirror = "(defn f [x]\r\n  (+ x 1))\n".to_owned();
    open(&mut client, &mirror);
    let inserts = [
        "(", ")", "x", " ", "\r\n", "\n", "\r", "𝕏", "😀𝕏", "é", "\"s\"", "; c\n", "",
    ];
    let mut random = Lcg(7);
    for version in 2..1002 {
        let boundaries: Vec<usize> = mirror
            .char_indices()
            .map(|(i, _)| i)
            .chain([mirror.len()])
            .filter(|&i| !(mirror[..i].ends_with('\r') && mirror[i..].starts_with('\n')))
            .collect();
        let a = boundaries[random.next(boundaries.len())];
        let b = boundaries[random.next(boundaries.len())];
        let (start, end) = (a.min(b), a.max(b).min(a.min(b) + 6));
        let end = boundaries
            .iter()
            .copied()
            .filter(|&i| i <= end)
            .max()
            .unwrap_or(start)
            .max(start);
        let range = [
            text::position(&mirror, start, true),
            text::position(&mirror, end, true),
        ];
        let new = inserts[random.next(inserts.len())];
        change(&mut client, version, range, new);
        text::apply(&mut mirror, range, new, true);
    }
    assert_eq!(view_file_text(&mut client), json!(mirror));
    client.diagnostics_for(URI, 1001);
    client.exit(true);
}

#[test]
fn a_change_that_skips_versions_is_applied_after_a_grace_period_or_on_read() {
    let (mut client, _) = Client::start(&[]);
    open(&mut client, "(a)\n");
    // Version 3 arrives with no version 2: Neovim numbers changes by `changedtick`, which skips.
    change(&mut client, 3, [(0, 2), (0, 2)], " b");
    client.diagnostics_for(URI, 3);
    change(&mut client, 7, [(0, 4), (0, 4)], " c");
    // The read applies the held change at once; its diagnostics still follow.
    assert_eq!(view_file_text(&mut client), json!("(a b c)\n"));
    client.diagnostics_for(URI, 7);
    // Older than the document: dropped, and said so.
    change(&mut client, 5, [(0, 0), (0, 0)], "x");
    check(
        &client.notification("window/logMessage")["params"],
        expect![[r#"
        {
          "message": "dropped change to file:///work/demo.yin at version 5: the document is at version 7",
          "type": 2
        }
    "#]],
    );
    assert_eq!(view_file_text(&mut client), json!("(a b c)\n"));
    client.exit(true);
}

#[test]
fn unknown_documents_and_bad_params_get_errors_or_nothing() {
    let (mut client, _) = Client::start(&[]);
    let unknown = json!({ "textDocument": { "uri": "file:///nowhere.yin" } });
    check(
        &client.request("yin/viewFileText", unknown.clone()),
        expect![[r#"
        {
          "error": {
            "code": -32602,
            "message": "file:///nowhere.yin is not open"
          },
          "id": 2,
          "jsonrpc": "2.0"
        }
    "#]],
    );
    check(
        &client.request("textDocument/foldingRange", unknown.clone()),
        expect![[r#"
        {
          "id": 3,
          "jsonrpc": "2.0",
          "result": null
        }
    "#]],
    );
    check(
        &client.request("textDocument/diagnostic", unknown),
        expect![[r#"
        {
          "id": 4,
          "jsonrpc": "2.0",
          "result": {
            "items": [],
            "kind": "full"
          }
        }
    "#]],
    );
    check(
        &client.request("textDocument/formatting", json!({ "bogus": 1 })),
        expect![[r#"
        {
          "error": {
            "code": -32602,
            "message": "missing field `textDocument`"
          },
          "id": 5,
          "jsonrpc": "2.0"
        }
    "#]],
    );
    // Still serving.
    open(&mut client, "(a)");
    assert_eq!(view_file_text(&mut client), json!("(a)"));
    client.exit(true);
}

#[test]
fn closing_clears_diagnostics_and_forgets_the_text() {
    let (mut client, _) = Client::start(&[]);
    open(&mut client, "(");
    client.diagnostics_for(URI, 1);
    client.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": URI } }),
    );
    check(
        &client.notification("textDocument/publishDiagnostics"),
        expect![[r#"
            {
              "jsonrpc": "2.0",
              "method": "textDocument/publishDiagnostics",
              "params": {
                "diagnostics": [],
                "uri": "file:///work/demo.yin"
              }
            }
        "#]],
    );
    let reply = client.request(
        "yin/viewFileText",
        json!({ "textDocument": { "uri": URI } }),
    );
    assert_eq!(reply["error"]["code"], -32602);
    client.exit(true);
}

fn start_panicking_in(method: &str) -> Client {
    let (client, _) = Client::start_in_env(
        json!({ "processId": null, "rootUri": null, "capabilities": {} }),
        &[("YIN_LSP_PANIC_IN", method)],
    );
    client
}

#[test]
fn a_panic_while_handling_a_request_is_an_internal_error_and_serving_goes_on() {
    let mut client = start_panicking_in("textDocument/hover");
    open(&mut client, "(defn f [x] x)\n");
    let hover =
        json!({ "textDocument": { "uri": URI }, "position": { "line": 0, "character": 13 } });
    check(
        &client.request("textDocument/hover", hover.clone()),
        expect![[r#"
            {
              "error": {
                "code": -32603,
                "message": "internal error: the server panicked handling textDocument/hover: YIN_LSP_PANIC_IN=textDocument/hover (a test of panic handling)"
              },
              "id": 2,
              "jsonrpc": "2.0"
            }
        "#]],
    );
    // Still serving: the other requests, changes, and the same request again.
    let at = json!({ "line": 0, "character": 13 });
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": URI, "version": 2 },
            "contentChanges": [{ "range": { "start": at, "end": at }, "text": " 1" }],
        }),
    );
    assert_eq!(view_file_text(&mut client), json!("(defn f [x] x 1)\n"));
    let definition = client.request("textDocument/definition", hover.clone());
    assert_eq!(
        definition["result"]["range"]["start"],
        json!({ "line": 0, "character": 9 })
    );
    assert_eq!(
        client.request("textDocument/hover", hover)["error"]["code"],
        json!(-32603)
    );
    let (shutdown, status) = client.exit(true);
    assert_eq!(
        shutdown.map(|reply| reply["result"].clone()),
        Some(serde_json::Value::Null)
    );
    assert_eq!(status, 0);
}

#[test]
fn a_panic_while_handling_a_notification_leaves_the_server_serving() {
    let mut client = start_panicking_in("textDocument/didChange");
    open(&mut client, "(a)");
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": URI, "version": 2 }, "contentChanges": [{ "text": "(b)" }] }),
    );
    assert_eq!(view_file_text(&mut client), json!("(a)"));
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": URI } }),
    );
    assert_eq!(symbols["result"], json!([]));
    client.exit(true);
}
