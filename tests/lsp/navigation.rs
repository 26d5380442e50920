//! Names over the wire: definition, references and document highlights, positions in UTF-16.

use expect_test::expect;
use serde_json::json;

use crate::client::Client;
use crate::{URI, check, open};

fn at(line: u32, character: u32) -> serde_json::Value {
    json!({ "textDocument": { "uri": URI }, "position": { "line": line, "character": character } })
}

#[test]
fn definition_references_and_highlights() {
    let (mut client, _) = Client::start(&[]);
    open(
        &mut client,
        "(defn sq \"Squares.\" [𝕏]\n  (* 𝕏 𝕏))\n(sq (sq 2))\n",
    );
    let definition = client.request("textDocument/definition", at(2, 5));
    check(
        &definition,
        expect![[r#"
            {
              "id": 2,
              "jsonrpc": "2.0",
              "result": {
                "range": {
                  "end": {
                    "character": 8,
                    "line": 0
                  },
                  "start": {
                    "character": 6,
                    "line": 0
                  }
                },
                "uri": "file:///work/demo.yin"
              }
            }
        "#]],
    );
    let mut params = at(1, 5);
    params["context"] = json!({ "includeDeclaration": false });
    let references = client.request("textDocument/references", params);
    check(
        &references,
        expect![[r#"
            {
              "id": 3,
              "jsonrpc": "2.0",
              "result": [
                {
                  "range": {
                    "end": {
                      "character": 7,
                      "line": 1
                    },
                    "start": {
                      "character": 5,
                      "line": 1
                    }
                  },
                  "uri": "file:///work/demo.yin"
                },
                {
                  "range": {
                    "end": {
                      "character": 10,
                      "line": 1
                    },
                    "start": {
                      "character": 8,
                      "line": 1
                    }
                  },
                  "uri": "file:///work/demo.yin"
                }
              ]
            }
        "#]],
    );
    let highlights = client.request("textDocument/documentHighlight", at(0, 22));
    check(
        &highlights,
        expect![[r#"
            {
              "id": 4,
              "jsonrpc": "2.0",
              "result": [
                {
                  "kind": 3,
                  "range": {
                    "end": {
                      "character": 23,
                      "line": 0
                    },
                    "start": {
                      "character": 21,
                      "line": 0
                    }
                  }
                },
                {
                  "kind": 2,
                  "range": {
                    "end": {
                      "character": 7,
                      "line": 1
                    },
                    "start": {
                      "character": 5,
                      "line": 1
                    }
                  }
                },
                {
                  "kind": 2,
                  "range": {
                    "end": {
                      "character": 10,
                      "line": 1
                    },
                    "start": {
                      "character": 8,
                      "line": 1
                    }
                  }
                }
              ]
            }
        "#]],
    );
    let core = client.request("textDocument/definition", at(1, 3));
    check(
        &core,
        expect![[r#"
            {
              "id": 5,
              "jsonrpc": "2.0",
              "result": null
            }
        "#]],
    );
    client.exit(true);
}

#[test]
fn hover_shows_kind_arity_and_doc() {
    let (mut client, _) = Client::start(&[]);
    open(
        &mut client,
        "(defn sq \"Squares.\" [x]\n  (* x x))\n(sq (sq 2))\n",
    );
    let global = client.request("textDocument/hover", at(2, 1));
    check(
        &global,
        expect![[r#"
            {
              "id": 2,
              "jsonrpc": "2.0",
              "result": {
                "contents": {
                  "kind": "markdown",
                  "value": "```yin\n(sq x)\n```\n\nglobal · 1 argument\n\nSquares."
                },
                "range": {
                  "end": {
                    "character": 3,
                    "line": 2
                  },
                  "start": {
                    "character": 1,
                    "line": 2
                  }
                }
              }
            }
        "#]],
    );
    let core = client.request("textDocument/hover", at(1, 3));
    check(
        &core,
        expect![[r#"
            {
              "id": 3,
              "jsonrpc": "2.0",
              "result": {
                "contents": {
                  "kind": "markdown",
                  "value": "```yin\n(* & more)\n```\n\ncore function · 0 or more arguments\n\nProduct of the numbers; (*) is 1."
                },
                "range": {
                  "end": {
                    "character": 4,
                    "line": 1
                  },
                  "start": {
                    "character": 3,
                    "line": 1
                  }
                }
              }
            }
        "#]],
    );
    let nothing = client.request("textDocument/hover", at(2, 11));
    check(
        &nothing,
        expect![[r#"
            {
              "id": 4,
              "jsonrpc": "2.0",
              "result": null
            }
        "#]],
    );
    client.exit(true);
}

#[test]
fn completion_and_signature_help_in_half_typed_code() {
    let (mut client, _) = Client::start(&[]);
    open(
        &mut client,
        "(defn sq \"Squares.\" [x]\n  (* x x))\n(sq (let [sum 1] (su",
    );
    let completion = client.request("textDocument/completion", at(2, 20));
    check(
        &completion,
        expect![[r#"
            {
              "id": 2,
              "jsonrpc": "2.0",
              "result": {
                "isIncomplete": false,
                "items": [
                  {
                    "detail": "local",
                    "kind": 6,
                    "label": "sum",
                    "textEdit": {
                      "newText": "sum",
                      "range": {
                        "end": {
                          "character": 20,
                          "line": 2
                        },
                        "start": {
                          "character": 18,
                          "line": 2
                        }
                      }
                    }
                  },
                  {
                    "detail": "(subs x1 x2)\n(subs x1 x2 x3)",
                    "documentation": {
                      "kind": "markdown",
                      "value": "Substring from start (inclusive) to end (exclusive)."
                    },
                    "kind": 3,
                    "label": "subs",
                    "textEdit": {
                      "newText": "subs",
                      "range": {
                        "end": {
                          "character": 20,
                          "line": 2
                        },
                        "start": {
                          "character": 18,
                          "line": 2
                        }
                      }
                    }
                  },
                  {
                    "detail": "(subvec x1 x2)\n(subvec x1 x2 x3)",
                    "documentation": {
                      "kind": "markdown",
                      "value": "(subvec v start end?): the elements of v from start up to end."
                    },
                    "kind": 3,
                    "label": "subvec",
                    "textEdit": {
                      "newText": "subvec",
                      "range": {
                        "end": {
                          "character": 20,
                          "line": 2
                        },
                        "start": {
                          "character": 18,
                          "line": 2
                        }
                      }
                    }
                  }
                ]
              }
            }
        "#]],
    );
    let help = client.request("textDocument/signatureHelp", at(2, 4));
    check(
        &help,
        expect![[r#"
            {
              "id": 3,
              "jsonrpc": "2.0",
              "result": {
                "activeParameter": 0,
                "activeSignature": 0,
                "signatures": [
                  {
                    "documentation": "Squares.",
                    "label": "(sq x)",
                    "parameters": [
                      {
                        "label": [
                          4, 5
                        ]
                      }
                    ]
                  }
                ]
              }
            }
        "#]],
    );
    client.exit(true);
}

#[test]
fn workspace_symbols_from_open_documents_and_indexed_folders() {
    let root = std::env::temp_dir().join(format!("yin-lsp-index-{}", std::process::id()));
    std::fs::create_dir_all(root.join("lib")).expect("temp dir");
    std::fs::write(root.join("lib/accounts.yin"), "(defn make-account [b] b)\n").expect("file");
    std::fs::write(root.join("main.yin"), "(def max-accounts 3)\n").expect("file");
    let root_uri = format!("file://{}", root.display());
    let (mut client, _) = Client::start_with(json!({
        "processId": null,
        "capabilities": { "window": { "workDoneProgress": true } },
        "workspaceFolders": [{ "uri": root_uri, "name": "demo" }],
    }));
    let created = client.answer("window/workDoneProgress/create");
    let begin = client.notification("$/progress");
    let end = client.notification("$/progress");
    check(
        &json!([created, begin["params"], end["params"]]),
        expect![[r#"
            [
              {
                "token": "yin/index"
              },
              {
                "token": "yin/index",
                "value": {
                  "cancellable": false,
                  "kind": "begin",
                  "percentage": 0,
                  "title": "Indexing yin files"
                }
              },
              {
                "token": "yin/index",
                "value": {
                  "kind": "end",
                  "message": "2 files"
                }
              }
            ]
        "#]],
    );
    open(&mut client, "(defn mark-all [] 1)\n");
    let found = client.request("workspace/symbol", json!({ "query": "mka" }));
    let summary: Vec<String> = found["result"]
        .as_array()
        .map(|symbols| {
            symbols
                .iter()
                .map(|s| {
                    let uri = s["location"]["uri"].as_str().unwrap_or_default();
                    let file = uri.rsplit('/').next().unwrap_or_default();
                    format!("{} {} {}", s["name"], s["kind"], file)
                })
                .collect()
        })
        .unwrap_or_default();
    std::fs::remove_dir_all(&root).expect("cleanup");
    check(
        &json!(summary),
        expect![[r#"
            [
              "\"mark-all\" 12 demo.yin",
              "\"make-account\" 12 accounts.yin"
            ]
        "#]],
    );
    client.exit(true);
}

/// The names `workspace/symbol` finds for `query`, each as `name file`, in answer order.
fn symbol_names(client: &mut Client, query: &str) -> Vec<String> {
    let found = client.request("workspace/symbol", json!({ "query": query }));
    found["result"]
        .as_array()
        .map(|symbols| {
            symbols
                .iter()
                .map(|s| {
                    let uri = s["location"]["uri"].as_str().unwrap_or_default();
                    let file = uri.rsplit('/').next().unwrap_or_default();
                    format!("{} {file}", s["name"].as_str().unwrap_or_default())
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_index_follows_files_created_changed_and_deleted_on_disk() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let root = dir.path();
    std::fs::write(root.join("a.yin"), "(defn alpha [] 1)\n").expect("file");
    std::fs::write(root.join("b.yin"), "(def beta 2)\n").expect("file");
    let (mut client, _) = Client::start_with(json!({
        "processId": null,
        "rootUri": format!("file://{}", root.display()),
        "capabilities": {
            "window": { "workDoneProgress": true },
            "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } },
        },
    }));
    let registration = client.answer("client/registerCapability");
    check(
        &registration["registrations"][0],
        expect![[r#"
            {
              "id": "yin/watched-files",
              "method": "workspace/didChangeWatchedFiles",
              "registerOptions": {
                "watchers": [
                  {
                    "globPattern": "**/.yin/**/*.edn"
                  },
                  {
                    "globPattern": "**/*.yin"
                  }
                ]
              }
            }
        "#]],
    );
    client.answer("window/workDoneProgress/create");
    while client.notification("$/progress")["params"]["value"]["kind"] != json!("end") {}
    assert_eq!(symbol_names(&mut client, ""), ["alpha a.yin", "beta b.yin"]);

    // Created, changed, deleted (a hidden folder's file is not indexed even when reported).
    std::fs::write(root.join("c.yin"), "(defn gamma [] 3)\n").expect("file");
    std::fs::write(root.join("a.yin"), "(defn alpha-2 [] 1)\n").expect("file");
    std::fs::remove_file(root.join("b.yin")).expect("removed");
    std::fs::create_dir(root.join(".hidden")).expect("folder");
    std::fs::write(root.join(".hidden/d.yin"), "(def delta 4)\n").expect("file");
    let change = |name: &str, kind: u32| json!({ "uri": format!("file://{}", root.join(name).display()), "type": kind });
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [change("c.yin", 1), change("a.yin", 2), change("b.yin", 3), change(".hidden/d.yin", 1)] }),
    );
    // The files are read off the request path: ask until the answer changes (the client's own
    // timeout bounds the wait).
    let expected = ["alpha-2 a.yin", "gamma c.yin"];
    let mut found = symbol_names(&mut client, "");
    for _ in 0..500 {
        if found == expected {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
        found = symbol_names(&mut client, "");
    }
    assert_eq!(found, expected);

    // An open document's text wins over the disk's, and closing it goes back to the disk's.
    let c = format!("file://{}", root.join("c.yin").display());
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": c, "languageId": "yin", "version": 1, "text": "(def gamma-open 1)\n" } }),
    );
    assert_eq!(
        symbol_names(&mut client, ""),
        ["gamma-open c.yin", "alpha-2 a.yin"]
    );
    client.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": c } }),
    );
    assert_eq!(symbol_names(&mut client, ""), expected);
    client.exit(true);
}
