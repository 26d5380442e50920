//! The custom requests over the wire: `yin/eval` (values, output, errors, runaway programs,
//! cancellation), inline results in hover and inlay hints, `yin/query`, and `yin/debug/*`.

use std::time::{Duration, Instant};

use expect_test::expect;
use serde_json::{Value, json};

use crate::client::Client;
use crate::{URI, check, open};

fn at(line: u32, character: u32) -> Value {
    json!({ "textDocument": { "uri": URI }, "position": { "line": line, "character": character } })
}

/// The reply without its `elapsedMs`, which no two runs share.
pub(crate) fn steady(mut reply: Value) -> Value {
    if let Some(result) = reply["result"].as_object_mut() {
        result.remove("elapsedMs");
    }
    reply
}

const PROGRAM: &str = "(defn sq [x]\n  (println \"sq\" x)\n  (* x x))\n(sq 3)\n(+ 1 :a)\n";

#[test]
fn eval_returns_value_output_and_errors_and_records_the_result() {
    let (mut client, _) = Client::start_with(json!({
        "processId": null,
        "capabilities": { "workspace": { "inlayHint": { "refreshSupport": true } } },
    }));
    open(&mut client, PROGRAM);
    let value = steady(client.request("yin/eval", at(3, 2)));
    // A new result: the client is asked to fetch inlay hints again.
    assert_eq!(client.answer("workspace/inlayHint/refresh"), Value::Null);
    check(
        &value,
        expect![[r#"
            {
              "id": 2,
              "jsonrpc": "2.0",
              "result": {
                "loaded": [
                  {
                    "name": "sq",
                    "range": {
                      "end": {
                        "character": 10,
                        "line": 2
                      },
                      "start": {
                        "character": 0,
                        "line": 0
                      }
                    },
                    "uri": "file:///work/demo.yin"
                  }
                ],
                "output": "sq 3\n",
                "range": {
                  "end": {
                    "character": 6,
                    "line": 3
                  },
                  "start": {
                    "character": 0,
                    "line": 3
                  }
                },
                "steps": 5,
                "truncated": false,
                "value": "9"
              }
            }
        "#]],
    );
    let error = steady(client.request("yin/eval", at(4, 0)));
    check(
        &error,
        expect![[r#"
            {
              "id": 3,
              "jsonrpc": "2.0",
              "result": {
                "error": {
                  "message": "+: expected a number, got keyword :a",
                  "range": {
                    "end": {
                      "character": 8,
                      "line": 4
                    },
                    "start": {
                      "character": 0,
                      "line": 4
                    }
                  },
                  "trace": [
                    {
                      "description": "calling +, at top level",
                      "range": {
                        "end": {
                          "character": 8,
                          "line": 4
                        },
                        "start": {
                          "character": 0,
                          "line": 4
                        }
                      },
                      "uri": "file:///work/demo.yin"
                    }
                  ],
                  "uri": "file:///work/demo.yin"
                },
                "loaded": [],
                "output": "",
                "range": {
                  "end": {
                    "character": 8,
                    "line": 4
                  },
                  "start": {
                    "character": 0,
                    "line": 4
                  }
                },
                "steps": 1,
                "truncated": false,
                "value": null
              }
            }
        "#]],
    );
    let hover = client.request("textDocument/hover", at(3, 1));
    check(
        &hover["result"]["contents"]["value"],
        expect![[r#"
            "```yin\n(sq x)\n```\n\nglobal · 1 argument\n\n---\n\nLast result:\n\n```yin\n9\n```"
        "#]],
    );
    let hints = client.request(
        "textDocument/inlayHint",
        json!({ "textDocument": { "uri": URI }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 5, "character": 0 } } }),
    );
    check(
        &hints,
        expect![[r#"
            {
              "id": 5,
              "jsonrpc": "2.0",
              "result": [
                {
                  "label": "=> 9",
                  "paddingLeft": true,
                  "position": {
                    "character": 6,
                    "line": 3
                  }
                },
                {
                  "label": "=> error: +: expected a number, got keyword :a",
                  "paddingLeft": true,
                  "position": {
                    "character": 8,
                    "line": 4
                  }
                }
              ]
            }
        "#]],
    );
    let nothing = client.request("yin/eval", at(5, 0));
    check(
        &nothing["error"],
        expect![[r#"
            {
              "code": -32602,
              "message": "no form at the position"
            }
        "#]],
    );
    client.exit(true);
}

#[test]
fn a_runaway_loop_is_stopped_and_never_blocks_other_requests() {
    let (mut client, _) = Client::start(&[]);
    open(
        &mut client,
        "(defn f [x] x)\n(loop [i 0] (recur (inc i)))\n",
    );
    // Two seconds, well inside the client's ten: the default (10 s) is the editor's to raise.
    let mut params = at(1, 1);
    params["limits"] = json!({ "timeMs": 2000 });
    let runaway = client.send_request("yin/eval", params);
    let hover = client.request("textDocument/hover", at(0, 7));
    assert_eq!(
        hover["result"]["range"]["start"],
        json!({ "line": 0, "character": 6 })
    );
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": URI, "version": 2 },
            "contentChanges": [{ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "text": ";; typing\n" }],
        }),
    );
    let text = client.request(
        "yin/viewFileText",
        json!({ "textDocument": { "uri": URI } }),
    );
    assert_eq!(
        text["result"],
        json!(";; typing\n(defn f [x] x)\n(loop [i 0] (recur (inc i)))\n")
    );
    assert!(
        !client.has_response(runaway),
        "the hover and the edit must not wait for the evaluation"
    );
    let stopped = client.response(runaway);
    let message = stopped["result"]["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        message.starts_with("fuel exhausted") || message.starts_with("timeout"),
        "{stopped}"
    );
    assert_eq!(stopped["result"]["value"], Value::Null);
    client.exit(true);
}

#[test]
fn cancelling_an_evaluation_stops_it() {
    let (mut client, _) = Client::start(&[]);
    open(&mut client, "(+ 1 2)\n(loop [i 0] (recur (inc i)))\n");
    let runaway = client.send_request("yin/eval", at(1, 1));
    std::thread::sleep(Duration::from_millis(200));
    let cancelled_at = Instant::now();
    client.notify("$/cancelRequest", json!({ "id": runaway }));
    let cancelled = client.response(runaway);
    assert_eq!(cancelled["error"]["code"], json!(-32800), "{cancelled}");
    // The worker runs one evaluation at a time: this answers quickly only if the loop stopped
    // (left alone it would run to its 2 s time limit).
    let next = client.request("yin/eval", at(0, 1));
    assert_eq!(next["result"]["value"], json!("3"), "{next}");
    assert!(
        cancelled_at.elapsed() < Duration::from_millis(1200),
        "the cancelled loop kept running for {:?}",
        cancelled_at.elapsed()
    );
    client.exit(true);
}

#[test]
fn query_over_open_documents() {
    let (mut client, _) = Client::start(&[]);
    open(&mut client, PROGRAM);
    let answer = client.request(
        "yin/query",
        json!({ "query": "[:find ?name (count ?use) :where [?use :yin/binding ?b] [?b :yin/name ?name]]" }),
    );
    check(
        &answer,
        expect![[r#"
            {
              "id": 2,
              "jsonrpc": "2.0",
              "result": {
                "columns": [
                  "?name",
                  "(count ?use)"
                ],
                "rows": [
                  [
                    {
                      "symbol": "*"
                    },
                    1
                  ],
                  [
                    {
                      "symbol": "+"
                    },
                    1
                  ],
                  [
                    {
                      "symbol": "println"
                    },
                    1
                  ],
                  [
                    {
                      "symbol": "sq"
                    },
                    1
                  ],
                  [
                    {
                      "symbol": "x"
                    },
                    3
                  ]
                ]
              }
            }
        "#]],
    );
    let error = client.request(
        "yin/query",
        json!({ "query": "[:find ?x :where [?y :yin/type]]", "textDocument": { "uri": URI } }),
    );
    check(
        &error,
        expect![[r#"
            {
              "error": {
                "code": -32602,
                "message": "1:1: unbound variable ?x in :find/:with (no clause binds it) (in [:find ?x :where [?y :yin/type]])"
              },
              "id": 3,
              "jsonrpc": "2.0"
            }
        "#]],
    );
    client.exit(true);
}

#[test]
fn debug_start_step_back_and_stop() {
    let (mut client, _) = Client::start(&[]);
    open(&mut client, "(defn sq [x] (* x x))\n(+ (sq 2) 1)\n");
    let started = client.request("yin/debug/start", at(1, 0));
    check(
        &started,
        expect![[r##"
            {
              "id": 2,
              "jsonrpc": "2.0",
              "result": {
                "session": 1,
                "state": {
                  "continuation": [],
                  "control": {
                    "kind": "call",
                    "range": {
                      "end": {
                        "character": 12,
                        "line": 1
                      },
                      "start": {
                        "character": 0,
                        "line": 1
                      }
                    },
                    "uri": "file:///work/demo.yin"
                  },
                  "environment": [],
                  "output": "",
                  "status": "paused",
                  "step": 0,
                  "store": [
                    {
                      "name": "sq",
                      "value": "#<fn sq>"
                    }
                  ]
                }
              }
            }
        "##]],
    );
    let session = started["result"]["session"].clone();
    let stepped = client.request("yin/debug/step", json!({ "session": session, "count": 2 }));
    check(
        &stepped,
        expect![[r##"
            {
              "id": 3,
              "jsonrpc": "2.0",
              "result": {
                "state": {
                  "continuation": [
                    {
                      "description": "waiting for value 2 of 3 of a call",
                      "kind": "args",
                      "range": {
                        "end": {
                          "character": 12,
                          "line": 1
                        },
                        "start": {
                          "character": 0,
                          "line": 1
                        }
                      },
                      "uri": "file:///work/demo.yin"
                    }
                  ],
                  "control": {
                    "kind": "call",
                    "range": {
                      "end": {
                        "character": 20,
                        "line": 0
                      },
                      "start": {
                        "character": 13,
                        "line": 0
                      }
                    },
                    "uri": "file:///work/demo.yin"
                  },
                  "environment": [
                    {
                      "name": "x",
                      "value": "2"
                    }
                  ],
                  "output": "",
                  "status": "paused",
                  "step": 2,
                  "store": [
                    {
                      "name": "sq",
                      "value": "#<fn sq>"
                    }
                  ]
                }
              }
            }
        "##]],
    );
    let frames = client.request(
        "yin/query",
        json!({ "session": session, "query": "[:find ?depth ?tag ?desc :where [?f :k/tag ?tag] [?f :k/depth ?depth] [?f :k/description ?desc]]" }),
    );
    check(
        &frames["result"],
        expect![[r#"
            {
              "columns": [
                "?depth",
                "?tag",
                "?desc"
              ],
              "rows": [
                [
                  1,
                  {
                    "keyword": "args"
                  },
                  "waiting for value 2 of 3 of a call"
                ]
              ]
            }
        "#]],
    );
    let back = client.request(
        "yin/debug/step",
        json!({ "session": session, "back": true }),
    );
    check(
        &back["result"]["state"]["step"],
        expect![[r#"
            1
        "#]],
    );
    let done = client.request(
        "yin/debug/step",
        json!({ "session": session, "count": 100 }),
    );
    check(
        &done["result"]["state"]["status"],
        expect![[r#"
            "done"
        "#]],
    );
    let stop = client.request("yin/debug/stop", json!({ "session": session }));
    check(
        &stop,
        expect![[r#"
            {
              "id": 7,
              "jsonrpc": "2.0",
              "result": null
            }
        "#]],
    );
    let gone = client.request("yin/debug/step", json!({ "session": session }));
    check(
        &gone["error"],
        expect![[r#"
            {
              "code": -32602,
              "message": "no debug session 1"
            }
        "#]],
    );
    client.exit(true);
}
