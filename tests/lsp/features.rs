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
              0, 3, 1, 2, 0,
              0, 3, 4, 8, 0,
              1, 3, 3, 1, 4,
              0, 4, 1, 2, 0
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
                  0, 3, 1, 2, 0
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
              0, 3, 1, 2, 0
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
