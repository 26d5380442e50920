//! The tree-based features over the wire: semantic tokens (full, delta, range), formatting,
//! symbols, folding and selection ranges.

use expect_test::expect;
use serde_json::json;

use crate::client::Client;
use crate::{URI, check, open};

fn document() -> serde_json::Value {
    json!({ "uri": URI })
}

#[test]
fn semantic_tokens_full_then_delta_then_range() {
    let (mut client, _) = Client::start(&[]);
    open(&mut client, "(defn f [x] ; 𝕏\n  (inc x))\n");
    let full = client.request(
        "textDocument/semanticTokens/full",
        json!({ "textDocument": document() }),
    );
    check(
        &full,
        expect![[r#"
            {
              "id": 2,
              "jsonrpc": "2.0",
              "result": {
                "data": [
                  0, 1, 4, 0, 0,
                  0, 5, 1, 1, 3,
                  0, 3, 1, 3, 3,
                  0, 3, 4, 8, 0,
                  1, 3, 3, 1, 4,
                  0, 4, 1, 3, 0
                ],
                "resultId": "1"
              }
            }
        "#]],
    );
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": URI, "version": 2 },
            "contentChanges": [{ "range": { "start": { "line": 1, "character": 3 }, "end": { "line": 1, "character": 6 } }, "text": "dec :k" }],
        }),
    );
    let previous = full["result"]["resultId"].clone();
    let delta = client.request(
        "textDocument/semanticTokens/full/delta",
        json!({ "textDocument": document(), "previousResultId": previous }),
    );
    check(
        &delta,
        expect![[r#"
            {
              "id": 3,
              "jsonrpc": "2.0",
              "result": {
                "edits": [
                  {
                    "data": [
                      0, 4, 2, 4, 0,
                      0, 3, 1, 3, 0
                    ],
                    "deleteCount": 5,
                    "start": 25
                  }
                ],
                "resultId": "2"
              }
            }
        "#]],
    );
    let range = client.request(
        "textDocument/semanticTokens/range",
        json!({ "textDocument": document(), "range": { "start": { "line": 1, "character": 0 }, "end": { "line": 2, "character": 0 } } }),
    );
    check(
        &range,
        expect![[r#"
            {
              "id": 4,
              "jsonrpc": "2.0",
              "result": {
                "data": [
                  1, 3, 3, 1, 4,
                  0, 4, 2, 4, 0,
                  0, 3, 1, 3, 0
                ]
              }
            }
        "#]],
    );
    client.exit(true);
}

#[test]
fn formatting_returns_minimal_edits_and_refuses_broken_files() {
    let (mut client, _) = Client::start(&[]);
    open(&mut client, "(defn f [x]\n(let [y 1]\n     (+ x y)))\n");
    let options = json!({ "tabSize": 4, "insertSpaces": true });
    let reply = client.request(
        "textDocument/formatting",
        json!({ "textDocument": document(), "options": options }),
    );
    check(
        &reply,
        expect![[r#"
        {
          "id": 2,
          "jsonrpc": "2.0",
          "result": [
            {
              "newText": "  ",
              "range": {
                "end": {
                  "character": 0,
                  "line": 1
                },
                "start": {
                  "character": 0,
                  "line": 1
                }
              }
            },
            {
              "newText": "",
              "range": {
                "end": {
                  "character": 5,
                  "line": 2
                },
                "start": {
                  "character": 4,
                  "line": 2
                }
              }
            }
          ]
        }
    "#]],
    );
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": URI, "version": 2 }, "contentChanges": [{ "text": "(defn f [x]\n(let [y 1]" }] }),
    );
    let refused = client.request(
        "textDocument/formatting",
        json!({ "textDocument": document(), "options": options }),
    );
    check(
        &refused,
        expect![[r#"
        {
          "id": 3,
          "jsonrpc": "2.0",
          "result": null
        }
    "#]],
    );
    client.exit(true);
}

#[test]
fn symbols_folds_and_selection() {
    let (mut client, _) = Client::start(&[]);
    open(
        &mut client,
        ";; one\n;; two\n(defn add [a b]\n  (+ a b))\n(def 𝕏 1)\n",
    );
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": document() }),
    );
    check(
        &symbols["result"],
        expect![[r#"
        [
          {
            "detail": "[a b]",
            "kind": 12,
            "name": "add",
            "range": {
              "end": {
                "character": 10,
                "line": 3
              },
              "start": {
                "character": 0,
                "line": 2
              }
            },
            "selectionRange": {
              "end": {
                "character": 9,
                "line": 2
              },
              "start": {
                "character": 6,
                "line": 2
              }
            }
          },
          {
            "kind": 13,
            "name": "𝕏",
            "range": {
              "end": {
                "character": 10,
                "line": 4
              },
              "start": {
                "character": 0,
                "line": 4
              }
            },
            "selectionRange": {
              "end": {
                "character": 7,
                "line": 4
              },
              "start": {
                "character": 5,
                "line": 4
              }
            }
          }
        ]
    "#]],
    );
    let folds = client.request(
        "textDocument/foldingRange",
        json!({ "textDocument": document() }),
    );
    check(
        &folds["result"],
        expect![[r#"
        [
          {
            "endLine": 1,
            "kind": "comment",
            "startLine": 0
          },
          {
            "endLine": 3,
            "startLine": 2
          }
        ]
    "#]],
    );
    let selection = client.request(
        "textDocument/selectionRange",
        json!({ "textDocument": document(), "positions": [{ "line": 3, "character": 6 }] }),
    );
    check(
        &selection["result"],
        expect![[r#"
        [
          {
            "parent": {
              "parent": {
                "parent": {
                  "parent": {
                    "parent": {
                      "range": {
                        "end": {
                          "character": 0,
                          "line": 5
                        },
                        "start": {
                          "character": 0,
                          "line": 0
                        }
                      }
                    },
                    "range": {
                      "end": {
                        "character": 10,
                        "line": 3
                      },
                      "start": {
                        "character": 0,
                        "line": 2
                      }
                    }
                  },
                  "range": {
                    "end": {
                      "character": 9,
                      "line": 3
                    },
                    "start": {
                      "character": 1,
                      "line": 2
                    }
                  }
                },
                "range": {
                  "end": {
                    "character": 9,
                    "line": 3
                  },
                  "start": {
                    "character": 2,
                    "line": 3
                  }
                }
              },
              "range": {
                "end": {
                  "character": 8,
                  "line": 3
                },
                "start": {
                  "character": 3,
                  "line": 3
                }
              }
            },
            "range": {
              "end": {
                "character": 6,
                "line": 3
              },
              "start": {
                "character": 5,
                "line": 3
              }
            }
          }
        ]
    "#]],
    );
    client.exit(true);
}

#[test]
fn every_request_on_every_example_answers() {
    let (mut client, _) = Client::start(&[]);
    let mut summary = String::new();
    for (i, (path, text)) in test_support::corpus::examples().iter().enumerate() {
        let uri = format!("file:///examples/{i}.yin");
        let document = json!({ "uri": uri });
        client.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "yin", "version": 1, "text": text } }),
        );
        let diagnostics = client.diagnostics_for(&uri, 1);
        let mut answers = Vec::new();
        for (method, extra) in [
            ("textDocument/semanticTokens/full", json!({})),
            ("textDocument/documentSymbol", json!({})),
            ("textDocument/foldingRange", json!({})),
            (
                "textDocument/formatting",
                json!({ "options": { "tabSize": 2, "insertSpaces": true } }),
            ),
            (
                "textDocument/selectionRange",
                json!({ "positions": [{ "line": 3, "character": 4 }] }),
            ),
            (
                "textDocument/definition",
                json!({ "position": { "line": 3, "character": 4 } }),
            ),
            (
                "textDocument/references",
                json!({ "position": { "line": 3, "character": 4 }, "context": { "includeDeclaration": true } }),
            ),
            (
                "textDocument/documentHighlight",
                json!({ "position": { "line": 3, "character": 4 } }),
            ),
            (
                "textDocument/hover",
                json!({ "position": { "line": 3, "character": 4 } }),
            ),
            (
                "textDocument/completion",
                json!({ "position": { "line": 3, "character": 4 } }),
            ),
            (
                "textDocument/signatureHelp",
                json!({ "position": { "line": 3, "character": 4 } }),
            ),
            (
                "textDocument/inlayHint",
                json!({ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 9, "character": 0 } } }),
            ),
        ] {
            let mut params = extra;
            params["textDocument"] = document.clone();
            let reply = client.request(method, params);
            assert!(
                reply.get("error").is_none(),
                "{method} on {}: {reply}",
                path.display()
            );
            answers.push(match &reply["result"] {
                serde_json::Value::Array(items) => items.len(),
                // Semantic tokens (five numbers each), or a completion list.
                serde_json::Value::Object(fields) => {
                    match (fields.get("data"), fields.get("items")) {
                        (Some(data), _) => data.as_array().map_or(0, Vec::len) / 5,
                        (None, Some(items)) => items.as_array().map_or(0, Vec::len),
                        _ => 0,
                    }
                }
                _ => 0,
            });
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let problems = diagnostics["params"]["diagnostics"]
            .as_array()
            .map_or(0, Vec::len);
        summary.push_str(&format!(
            "{name}: {problems} diagnostics, {} tokens, {} symbols, {} folds, {} format edits\n",
            answers[0], answers[1], answers[2], answers[3]
        ));
    }
    expect![[r#"
        arith-tokenizer.yin: 0 diagnostics, 301 tokens, 12 symbols, 26 folds, 0 format edits
        bank-account.yin: 0 diagnostics, 352 tokens, 9 symbols, 24 folds, 0 format edits
        binary-search-tree.yin: 0 diagnostics, 323 tokens, 12 symbols, 23 folds, 0 format edits
        calculator.yin: 0 diagnostics, 276 tokens, 8 symbols, 21 folds, 4 format edits
        callcc-early-exit.yin: 0 diagnostics, 229 tokens, 5 symbols, 29 folds, 0 format edits
        callcc-generators.yin: 0 diagnostics, 266 tokens, 10 symbols, 30 folds, 0 format edits
        cooperative-tasks.yin: 0 diagnostics, 216 tokens, 11 symbols, 34 folds, 0 format edits
        data-processing.yin: 0 diagnostics, 354 tokens, 10 symbols, 25 folds, 0 format edits
        event-sourcing.yin: 0 diagnostics, 327 tokens, 8 symbols, 22 folds, 0 format edits
        game-of-life.yin: 0 diagnostics, 244 tokens, 9 symbols, 23 folds, 0 format edits
        graph-search.yin: 0 diagnostics, 298 tokens, 8 symbols, 37 folds, 0 format edits
        json-parser.yin: 0 diagnostics, 525 tokens, 16 symbols, 44 folds, 0 format edits
        macros.yin: 0 diagnostics, 234 tokens, 11 symbols, 23 folds, 0 format edits
        matrix.yin: 0 diagnostics, 443 tokens, 17 symbols, 42 folds, 0 format edits
        memo-dynamic-programming.yin: 0 diagnostics, 454 tokens, 8 symbols, 30 folds, 0 format edits
        n-queens.yin: 0 diagnostics, 150 tokens, 4 symbols, 22 folds, 0 format edits
        prime-sieve.yin: 0 diagnostics, 181 tokens, 6 symbols, 16 folds, 0 format edits
        rational-arithmetic.yin: 0 diagnostics, 196 tokens, 6 symbols, 17 folds, 0 format edits
        sorting.yin: 0 diagnostics, 328 tokens, 11 symbols, 26 folds, 0 format edits
        stack-vm.yin: 0 diagnostics, 426 tokens, 12 symbols, 27 folds, 0 format edits
        state-machine.yin: 0 diagnostics, 288 tokens, 9 symbols, 25 folds, 0 format edits
        stream-pipelines.yin: 0 diagnostics, 250 tokens, 13 symbols, 34 folds, 0 format edits
        string-utils.yin: 0 diagnostics, 378 tokens, 14 symbols, 31 folds, 0 format edits
        two-vector-queue.yin: 0 diagnostics, 276 tokens, 13 symbols, 27 folds, 0 format edits
        unit-test-framework.yin: 0 diagnostics, 272 tokens, 9 symbols, 21 folds, 0 format edits
    "#]]
    .assert_eq(&summary);
    client.exit(true);
}
