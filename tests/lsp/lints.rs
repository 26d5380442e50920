//! Lint findings as diagnostics (built-in and workspace rules, configuration, reloading), code
//! actions from fixes and refactorings, and rename.

use std::path::Path;

use expect_test::expect;
use serde_json::{Value, json};

use crate::client::Client;
use crate::{URI, check, open};

/// A workspace folder with a `.yin/rules` rule flagging every `if`, and a document in it.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let rules = dir.path().join(".yin").join("rules");
    std::fs::create_dir_all(&rules).expect("the rules folder");
    std::fs::write(
        rules.join("no-if.edn"),
        r#"{:id :no-if
 :severity :info
 :message "an if"
 :query [:find ?e :where [?e :yin/type :if]]}
"#,
    )
    .expect("the rule file");
    dir
}

fn file_uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// Starts a server on `root` whose client accepts watcher registrations, and answers it.
fn start_in(root: &Path) -> Client {
    let (mut client, _) = Client::start_with(json!({
        "processId": null,
        "rootUri": file_uri(root),
        "capabilities": {
            "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } }
        }
    }));
    client.answer("client/registerCapability");
    client
}

/// Each diagnostic as `line:character code severity message`.
fn summary(diagnostics: &Value) -> String {
    diagnostics
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|d| {
                    format!(
                        "{}:{} {} {} {}\n",
                        d["range"]["start"]["line"],
                        d["range"]["start"]["character"],
                        d["code"].as_str().unwrap_or("?"),
                        d["severity"],
                        d["message"].as_str().unwrap_or("?"),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn an_unused_binding_is_a_diagnostic_with_its_rule_id() {
    let (mut client, _) = Client::start(&[]);
    open(&mut client, "(let [x 1] 2)\n");
    let pushed = client.diagnostics_for(URI, 1);
    check(
        &pushed["params"]["diagnostics"],
        expect![[r#"
        [
          {
            "code": "unused-binding",
            "message": "x is bound but never used",
            "range": {
              "end": {
                "character": 7,
                "line": 0
              },
              "start": {
                "character": 6,
                "line": 0
              }
            },
            "severity": 2,
            "source": "yin"
          }
        ]
    "#]],
    );
}

#[test]
fn workspace_rules_and_configuration_apply_and_reload() {
    let dir = workspace();
    let mut client = start_in(dir.path());
    let uri = file_uri(&dir.path().join("a.yin"));
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "yin", "version": 1,
                                  "text": "(let [x 1] (if true 2 3))\n" } }),
    );
    let before = client.diagnostics_for(&uri, 1);
    expect![[r#"
        0:6 unused-binding 2 x is bound but never used
        0:11 no-if 3 an if
        0:15 constant-test 2 the test is always true
    "#]]
    .assert_eq(&summary(&before["params"]["diagnostics"]));
    let config = dir.path().join(".yin").join("config.edn");
    std::fs::write(&config, "{:lints {:no-if :off :unused-binding :hint}}\n").expect("config");
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": file_uri(&config), "type": 1 }] }),
    );
    let after = client.diagnostics_for(&uri, 1);
    expect![[r#"
        0:6 unused-binding 4 x is bound but never used
        0:15 constant-test 2 the test is always true
    "#]]
    .assert_eq(&summary(&after["params"]["diagnostics"]));
    let pulled = client.request(
        "textDocument/diagnostic",
        json!({ "textDocument": { "uri": uri } }),
    );
    assert_eq!(pulled["result"]["items"], after["params"]["diagnostics"]);
}

#[test]
fn a_broken_rule_file_is_diagnosed_when_open() {
    let dir = workspace();
    let broken = dir.path().join(".yin").join("rules").join("broken.edn");
    std::fs::write(&broken, "{:id :broken :message \"x\"}\n").expect("the broken rule");
    let mut client = start_in(dir.path());
    let uri = file_uri(&broken);
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "edn", "version": 1,
                                  "text": "{:id :broken :message \"x\"}\n" } }),
    );
    let pushed = client.diagnostics_for(&uri, 1);
    expect![[r#"
        0:0 rule 1 the rule has no :severity
    "#]]
    .assert_eq(&summary(&pushed["params"]["diagnostics"]));
    // The client saved a fixed version (its didChange left out: rules are read from disk).
    let fixed = "{:id :broken :severity :info :message \"x\" :query [:find ?e :where [?e :yin/type :if]]}\n";
    std::fs::write(&broken, fixed).expect("the fixed rule");
    client.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": uri } }),
    );
    let saved = client.diagnostics_for(&uri, 1);
    check(
        &saved["params"]["diagnostics"],
        expect![[r#"
        []
    "#]],
    );
}

/// Issue 14, item 12: a workspace rule stopped by its budget used to vanish from the server's
/// diagnostics (only `yin check` showed it). It is one diagnostic at the top of the file naming
/// the rule, its file and why, and the other rules' findings still arrive.
#[test]
fn a_rule_stopped_by_its_budget_is_a_diagnostic() {
    let dir = workspace();
    std::fs::write(
        dir.path().join(".yin").join("rules").join("runaway.edn"),
        r#"{:id :runaway
 :severity :warning
 :message "never"
 :rules [[(up ?n ?m) [?n :yin/type _] [(identity ?n) ?m]]
         [(up ?n ?m) (up ?n ?k) [(inc ?k) ?m]]]
 :query [:find ?n :in $ % :where (up ?n ?m) [(< ?m 0)]]}
"#,
    )
    .expect("the runaway rule");
    let mut client = start_in(dir.path());
    let uri = file_uri(&dir.path().join("a.yin"));
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "yin", "version": 1,
                                  "text": "(let [x 1] (if true 2 3))\n" } }),
    );
    let pushed = client.diagnostics_for(&uri, 1);
    let shown = summary(&pushed["params"]["diagnostics"])
        .replace(&dir.path().display().to_string(), "<ws>");
    expect![[r#"
        0:0 rule 1 rule runaway (<ws>/.yin/rules/runaway.edn:1:1) stopped on this file: budget exceeded: time limit of 2s passed; its findings are missing
        0:6 unused-binding 2 x is bound but never used
        0:11 no-if 3 an if
        0:15 constant-test 2 the test is always true
    "#]]
    .assert_eq(&shown);
}

fn code_actions(client: &mut Client, start: (u32, u32), end: (u32, u32)) -> Value {
    client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": URI },
            "range": { "start": { "line": start.0, "character": start.1 },
                       "end": { "line": end.0, "character": end.1 } },
            "context": { "diagnostics": [] }
        }),
    )
}

#[test]
fn a_finding_with_a_fix_is_a_quick_fix() {
    let (mut client, _) = Client::start(&[]);
    open(&mut client, "(def n (do 1))\n");
    check(
        &code_actions(&mut client, (0, 8), (0, 8)),
        expect![[r#"
        {
          "id": 2,
          "jsonrpc": "2.0",
          "result": [
            {
              "diagnostics": [
                {
                  "code": "redundant-do",
                  "message": "do with a single expression is redundant",
                  "range": {
                    "end": {
                      "character": 13,
                      "line": 0
                    },
                    "start": {
                      "character": 7,
                      "line": 0
                    }
                  },
                  "severity": 2,
                  "source": "yin"
                }
              ],
              "edit": {
                "documentChanges": [
                  {
                    "edits": [
                      {
                        "newText": "1",
                        "range": {
                          "end": {
                            "character": 13,
                            "line": 0
                          },
                          "start": {
                            "character": 7,
                            "line": 0
                          }
                        }
                      }
                    ],
                    "textDocument": {
                      "uri": "file:///work/demo.yin",
                      "version": 1
                    }
                  }
                ]
              },
              "kind": "quickfix",
              "title": "Remove the redundant do"
            }
          ]
        }
    "#]],
    );
}

#[test]
fn a_selected_expression_can_be_extracted_to_a_let() {
    let (mut client, _) = Client::start(&[]);
    open(&mut client, "(def n (+ 1 (* 2 3)))\n");
    check(
        &code_actions(&mut client, (0, 12), (0, 19)),
        expect![[r#"
        {
          "id": 2,
          "jsonrpc": "2.0",
          "result": [
            {
              "edit": {
                "documentChanges": [
                  {
                    "edits": [
                      {
                        "newText": "(let [extracted (* 2 3)] (+ 1 extracted))",
                        "range": {
                          "end": {
                            "character": 20,
                            "line": 0
                          },
                          "start": {
                            "character": 7,
                            "line": 0
                          }
                        }
                      }
                    ],
                    "textDocument": {
                      "uri": "file:///work/demo.yin",
                      "version": 1
                    }
                  }
                ]
              },
              "kind": "refactor.extract",
              "title": "Extract to let"
            },
            {
              "edit": {
                "documentChanges": [
                  {
                    "edits": [
                      {
                        "newText": "(->> 3 (* 2) (+ 1))",
                        "range": {
                          "end": {
                            "character": 20,
                            "line": 0
                          },
                          "start": {
                            "character": 7,
                            "line": 0
                          }
                        }
                      }
                    ],
                    "textDocument": {
                      "uri": "file:///work/demo.yin",
                      "version": 1
                    }
                  }
                ]
              },
              "kind": "refactor.rewrite",
              "title": "Thread last (->>)"
            }
          ]
        }
    "#]],
    );
}

fn at(method: &str, line: u32, character: u32, extra: Value) -> (String, Value) {
    let mut params = json!({
        "textDocument": { "uri": URI },
        "position": { "line": line, "character": character }
    });
    if let (Some(params), Some(extra)) = (params.as_object_mut(), extra.as_object()) {
        params.extend(extra.clone());
    }
    (method.to_owned(), params)
}

#[test]
fn prepare_rename_gives_the_symbol_or_null() {
    let (mut client, _) = Client::start(&[]);
    open(&mut client, "(let [ab 1] (+ ab 2))\n");
    let (method, params) = at("textDocument/prepareRename", 0, 16, json!({}));
    let on_local = client.request(&method, params);
    let (method, params) = at("textDocument/prepareRename", 0, 13, json!({}));
    let on_core = client.request(&method, params);
    check(
        &json!([on_local, on_core]),
        expect![[r#"
        [
          {
            "id": 2,
            "jsonrpc": "2.0",
            "result": {
              "end": {
                "character": 17,
                "line": 0
              },
              "start": {
                "character": 15,
                "line": 0
              }
            }
          },
          {
            "id": 3,
            "jsonrpc": "2.0",
            "result": null
          }
        ]
    "#]],
    );
}

#[test]
fn rename_edits_every_use_or_is_refused_with_the_reason() {
    let (mut client, _) = Client::start(&[]);
    open(&mut client, "(let [ab 1 cd 2] (+ ab cd))\n");
    let (method, params) = at("textDocument/rename", 0, 20, json!({ "newName": "xy" }));
    let renamed = client.request(&method, params);
    let (method, params) = at("textDocument/rename", 0, 20, json!({ "newName": "cd" }));
    let refused = client.request(&method, params);
    check(
        &json!([renamed, refused]),
        expect![[r#"
        [
          {
            "id": 2,
            "jsonrpc": "2.0",
            "result": {
              "documentChanges": [
                {
                  "edits": [
                    {
                      "newText": "xy",
                      "range": {
                        "end": {
                          "character": 8,
                          "line": 0
                        },
                        "start": {
                          "character": 6,
                          "line": 0
                        }
                      }
                    },
                    {
                      "newText": "xy",
                      "range": {
                        "end": {
                          "character": 22,
                          "line": 0
                        },
                        "start": {
                          "character": 20,
                          "line": 0
                        }
                      }
                    }
                  ],
                  "textDocument": {
                    "uri": "file:///work/demo.yin",
                    "version": 1
                  }
                }
              ]
            }
          },
          {
            "error": {
              "code": -32803,
              "message": "renaming to `cd` would change what the symbol at 20..22 refers to"
            },
            "id": 3,
            "jsonrpc": "2.0"
          }
        ]
    "#]],
    );
}

/// Diagnostics come from each document's lint session, brought forward edit by edit: after
/// every edit they must equal those of a document opened afresh with the same text (whose
/// session starts from scratch), findings appearing and going away included.
#[test]
fn diagnostics_after_edits_equal_those_of_a_fresh_open() {
    let (mut client, _) = Client::start(&[]);
    let mut text = "(defn f [x]\n  (let [y 1]\n    (do (+ x 2))))\n".to_owned();
    open(&mut client, &text);
    client.diagnostics_for(URI, 1);
    // (line, character, inserted): each edit adds or removes a finding, or breaks the syntax.
    let edits: [(u32, u32, &str); 6] = [
        (2, 12, " y"),
        (0, 10, " z"),
        (2, 4, "(if true 1 2) "),
        (1, 2, "("),
        (1, 2, ")"),
        (3, 0, "(defn f [] 1)\n"),
    ];
    for (n, (line, character, new)) in edits.into_iter().enumerate() {
        let version = n as i64 + 2;
        let at = json!({ "line": line, "character": character });
        client.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": URI, "version": version },
                "contentChanges": [{ "range": { "start": at, "end": at }, "text": new }],
            }),
        );
        let offset = text
            .split_inclusive('\n')
            .take(line as usize)
            .map(str::len)
            .sum::<usize>()
            + character as usize;
        text.insert_str(offset, new);
        let edited = client.diagnostics_for(URI, version);
        let fresh = format!("file:///work/fresh-{version}.yin");
        client.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": fresh, "languageId": "yin", "version": 1, "text": text } }),
        );
        let opened = client.diagnostics_for(&fresh, 1);
        assert_eq!(
            summary(&edited["params"]["diagnostics"]),
            summary(&opened["params"]["diagnostics"]),
            "after edit {n}, text {text:?}"
        );
    }
    let last = client.request(
        "textDocument/diagnostic",
        json!({ "textDocument": { "uri": URI } }),
    );
    expect![[r#"
        0:9 unused-param 2 parameter x is never used
        0:11 unused-param 2 parameter z is never used
        2:8 constant-test 2 the test is always true
        2:18 redundant-do 2 do with a single expression is redundant
        2:25 unresolved-symbol 1 unresolved symbol x
        3:0 duplicate-def 2 f is already defined
    "#]]
    .assert_eq(&summary(&last["result"]["items"]));
    client.exit(true);
}
