//! The live session over the wire (docs/lsp.md, "Live evaluation"): what a form loads first and
//! what it never runs, each scope, limits, interrupts, the inspector, errors and sessions.

use expect_test::expect;
use serde_json::{Value, json};

use crate::client::Client;
use crate::{URI, open};

fn eval(client: &mut Client, line: u32, character: u32, extra: Value) -> Value {
    let mut params = json!({
        "textDocument": { "uri": URI },
        "position": { "line": line, "character": character },
    });
    if let (Some(params), Some(extra)) = (params.as_object_mut(), extra.as_object()) {
        params.extend(extra.clone());
    }
    client.request("yin/eval", params)
}

/// The parts of a reply a test is about: value or error message, and what was loaded.
fn brief(reply: &Value) -> String {
    let result = &reply["result"];
    if result.is_null() {
        return format!(
            "error {}: {}",
            reply["error"]["code"], reply["error"]["message"]
        );
    }
    let loaded: Vec<String> = result["loaded"]
        .as_array()
        .map(|l| {
            l.iter()
                .map(|d| d["name"].as_str().unwrap_or("?").to_owned())
                .collect()
        })
        .unwrap_or_default();
    match result["error"]["message"].as_str() {
        Some(message) => format!("error: {message}; loaded {loaded:?}"),
        None => format!("{}; loaded {loaded:?}", result["value"]),
    }
}

#[test]
fn a_failing_form_above_does_not_matter_unless_the_form_depends_on_it() {
    let (mut client, _) = Client::start(&[]);
    open(
        &mut client,
        "(/ 1 0)\n(defn spin [n] (recur (inc n)))\n(spin 0)\n(def bad (/ 1 0))\n(defn uses-bad [] (inc bad))\n(+ 1 2)\n(uses-bad)\n(comment\n  (+ 40 2)\n  (uses-bad))\n",
    );
    let results: Vec<String> = [(5, 3), (6, 3), (8, 4), (9, 4)]
        .iter()
        .map(|&(line, character)| brief(&eval(&mut client, line, character, json!({}))))
        .collect();
    expect![[r#"
        "3"; loaded []
        error: while loading `bad` (demo.yin:4:1): division by zero; loaded []
        "42"; loaded []
        error: while loading `bad` (demo.yin:4:1): division by zero; loaded []"#]]
    .assert_eq(&results.join("\n"));
}

/// A reply's `loaded` names.
fn loaded(reply: &Value) -> Vec<String> {
    reply["result"]["loaded"]
        .as_array()
        .map(|l| {
            l.iter()
                .map(|d| d["name"].as_str().unwrap_or("?").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) fn file_uri(path: &std::path::Path) -> String {
    format!("file://{}", path.display())
}

/// A server on `root`.
pub(crate) fn start_in(root: &std::path::Path) -> Client {
    Client::start_with(json!({ "processId": null, "rootUri": file_uri(root), "capabilities": {} }))
        .0
}

#[test]
fn definitions_come_from_files_that_are_not_open_and_failures_name_them() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(
        dir.path().join("shapes.yin"),
        "(def unit 1)\n(defn area [w h] (* unit w h))\n(defn broken [] (/ 1 0))\n(def bad (broken))\n",
    )
    .expect("shapes.yin");
    let main = dir.path().join("main.yin");
    let uri = file_uri(&main);
    let mut client = start_in(dir.path());
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "yin", "version": 1,
                "text": "(area 2 3)\n(inc bad)\n" } }),
    );
    let at = |line: u32| json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": 1 } });
    // The index of the workspace's files is built in the background after `initialized`.
    let mut area = client.request("yin/eval", at(0));
    for _ in 0..200 {
        if area["result"]["value"] == json!("6") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
        area = client.request("yin/eval", at(0));
    }
    assert_eq!(area["result"]["value"], json!("6"), "{area}");
    assert_eq!(loaded(&area), ["unit", "area"]);
    let shapes = file_uri(&dir.path().join("shapes.yin"));
    assert_eq!(area["result"]["loaded"][1]["uri"], json!(shapes));
    let bad = client.request("yin/eval", at(1));
    let error = &bad["result"]["error"];
    assert_eq!(
        error["message"],
        json!("while loading `bad` (shapes.yin:4:1): division by zero"),
        "{bad}"
    );
    assert_eq!(error["loading"]["name"], json!("bad"));
    // Where it failed: inside `broken`, in the file that is not open.
    assert_eq!(error["uri"], json!(shapes));
    assert_eq!(
        error["range"]["start"],
        json!({ "line": 2, "character": 16 })
    );
    let info = client.request(
        "yin/session/info",
        json!({ "textDocument": { "uri": uri } }),
    );
    let names: Vec<String> = info["result"]["loaded"]
        .as_array()
        .map(|l| {
            l.iter()
                .map(|d| format!("{} {}", d["name"], d["version"]))
                .collect()
        })
        .unwrap_or_default();
    // `broken` loaded before `bad` failed; `bad` is not recorded.
    assert_eq!(names, ["\"area\" null", "\"broken\" null", "\"unit\" null"]);
    assert_eq!(
        info["result"]["root"],
        json!(dir.path().display().to_string())
    );
    client.exit(true);
}

#[test]
fn a_changed_definition_is_reloaded_alone() {
    let (mut client, _) = Client::start(&[]);
    open(
        &mut client,
        "(def a 1)\n(defn b [] (+ a 10))\n(defn c [] (* (b) 2))\n(c)\n",
    );
    let first = eval(&mut client, 3, 1, json!({}));
    assert_eq!(loaded(&first), ["a", "b", "c"]);
    assert_eq!(first["result"]["value"], json!("22"));
    let again = eval(&mut client, 3, 1, json!({}));
    assert_eq!(loaded(&again), Vec::<String>::new());
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": URI, "version": 2 },
            "contentChanges": [{ "range": { "start": { "line": 1, "character": 16 }, "end": { "line": 1, "character": 18 } }, "text": "20" }],
        }),
    );
    let changed = eval(&mut client, 3, 1, json!({}));
    assert_eq!(loaded(&changed), ["b"]);
    assert_eq!(changed["result"]["value"], json!("42"));
    client.exit(true);
}

#[test]
fn each_scope() {
    let (mut client, _) = Client::start_with(json!({
        "processId": null,
        "capabilities": { "window": { "workDoneProgress": true } },
    }));
    open(
        &mut client,
        "(defn f [n]\n  (* 2 (dec n)))\n(println \"hi\")\n(f 5)\n(comment\n  (f 1))\n",
    );
    let form = eval(&mut client, 1, 14, json!({ "scope": "form" }));
    // The cursor is inside `(dec n)`: `n` is a local there, so evaluating it alone fails.
    assert_eq!(
        form["result"]["error"]["message"],
        json!("unresolved symbol: n"),
        "{form}"
    );
    assert_eq!(
        form["result"]["range"]["start"],
        json!({ "line": 1, "character": 7 })
    );
    let after = eval(&mut client, 3, 5, json!({ "scope": "form" }));
    assert_eq!(after["result"]["value"], json!("8"), "{after}");
    let top = eval(&mut client, 1, 14, json!({ "scope": "topLevel" }));
    assert_eq!(
        top["result"]["range"]["start"],
        json!({ "line": 0, "character": 0 })
    );
    assert_eq!(loaded(&top), Vec::<String>::new());
    let rich = eval(&mut client, 5, 4, json!({}));
    assert_eq!(rich["result"]["value"], json!("0"), "{rich}");
    let selection = client.request(
        "yin/eval",
        json!({ "textDocument": { "uri": URI }, "scope": "selection",
                "range": { "start": { "line": 2, "character": 0 }, "end": { "line": 3, "character": 5 } } }),
    );
    assert_eq!(selection["result"]["value"], json!("8"), "{selection}");
    assert_eq!(selection["result"]["output"], json!("hi\n"));
    assert_eq!(
        selection["result"]["results"].as_array().map(Vec::len),
        Some(2)
    );
    let unbalanced = client.request(
        "yin/eval",
        json!({ "textDocument": { "uri": URI }, "scope": "selection",
                "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 1, "character": 5 } } }),
    );
    assert_eq!(unbalanced["error"]["code"], json!(-32602), "{unbalanced}");
    let to_cursor = eval(&mut client, 3, 0, json!({ "scope": "toCursor" }));
    assert_eq!(
        to_cursor["result"]["results"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(to_cursor["result"]["output"], json!("hi\n"));
    let file = client.send_request(
        "yin/eval",
        json!({ "textDocument": { "uri": URI }, "scope": "file", "workDoneToken": "load-1" }),
    );
    let mut reports = Vec::new();
    loop {
        let progress = client.notification("$/progress");
        let value = &progress["params"]["value"];
        match value["kind"].as_str() {
            Some("begin") => reports.push(format!("begin {}", value["title"])),
            Some("report") => reports.push(format!("report {}", value["message"])),
            _ => break,
        }
    }
    expect![[r#"
        begin "yin: evaluating demo.yin"
        report "0/4 f"
        report "1/4 (println \"hi\")"
        report "2/4 (f 5)"
        report "3/4 (comment""#]]
    .assert_eq(&reports.join("\n"));
    let file = client.response(file);
    assert_eq!(file["result"]["value"], json!("nil"), "{file}");
    assert_eq!(file["result"]["results"].as_array().map(Vec::len), Some(4));
    client.exit(true);
}

#[test]
fn limits_and_print_options_are_checked() {
    let (mut client, _) = Client::start(&[]);
    open(&mut client, "(+ 1 2)\n");
    let messages: Vec<String> = [
        json!({ "limits": { "timeMs": -5 } }),
        json!({ "limits": { "steps": 0 } }),
        json!({ "limits": { "memoryMb": 8 } }),
        json!({ "limits": { "steps": 1.5 } }),
        json!({ "print": { "maxDepth": 101 } }),
        json!({ "print": { "maxLength": "long" } }),
        json!({ "print": { "maxItems": 0 } }),
    ]
    .into_iter()
    .map(|extra| {
        let reply = eval(&mut client, 0, 1, extra);
        format!("{} {}", reply["error"]["code"], reply["error"]["message"])
    })
    .collect();
    expect![[r#"
        -32602 "limits.timeMs must be an integer from 1 to 600000, got -5"
        -32602 "limits.steps must be an integer from 1 to 10000000000, got 0"
        -32602 "limits.memoryMb must be an integer from 16 to 4096, got 8"
        -32602 "limits.steps must be an integer from 1 to 10000000000, got 1.5"
        -32602 "print.maxDepth must be an integer from 1 to 100, got 101"
        -32602 "print.maxLength must be an integer from 16 to 1000000, got \"long\""
        -32602 "print.maxItems must be an integer from 1 to 100000, got 0""#]]
    .assert_eq(&messages.join("\n"));
    let fuel = eval(&mut client, 0, 1, json!({ "limits": { "steps": 2 } }));
    assert_eq!(fuel["result"]["value"], json!("3"), "{fuel}");
    client.exit(true);
}

#[test]
fn an_interrupt_stops_a_runaway_loop_and_the_session_survives() {
    let (mut client, _) = Client::start(&[]);
    open(
        &mut client,
        "(def kept 41)\n(loop [] (recur))\n(inc kept)\n",
    );
    let _ = eval(&mut client, 0, 1, json!({}));
    let runaway = client.send_request(
        "yin/eval",
        json!({ "textDocument": { "uri": URI }, "position": { "line": 1, "character": 1 },
                "limits": { "steps": 10_000_000_000_u64, "timeMs": 600_000 } }),
    );
    // Until the evaluation is queued, an interrupt finds nothing to stop: ask until it does.
    loop {
        let interrupt = client.request(
            "yin/session/interrupt",
            json!({ "textDocument": { "uri": URI } }),
        );
        if interrupt["result"]["interrupted"] != json!(0) {
            assert_eq!(interrupt["result"]["interrupted"], json!(1));
            break;
        }
    }
    let stopped = client.response(runaway);
    assert_eq!(stopped["result"]["interrupted"], json!(true), "{stopped}");
    assert_eq!(
        stopped["result"]["error"]["message"],
        json!("evaluation interrupted")
    );
    let next = eval(&mut client, 2, 1, json!({}));
    assert_eq!(next["result"]["value"], json!("42"), "{next}");
    assert_eq!(loaded(&next), Vec::<String>::new());
    client.exit(true);
}

#[test]
fn the_inspector_pages_through_a_million_elements() {
    let (mut client, _) = Client::start(&[]);
    open(
        &mut client,
        "(range 1000000)\n[[1 2] {:a [3]} \"text\"]\n(vec (range 1000000))\n",
    );
    let big = eval(&mut client, 0, 1, json!({}));
    assert_eq!(big["result"]["truncated"], json!(true), "{big}");
    let value = big["result"]["value"].as_str().unwrap_or_default();
    assert!(value.chars().count() <= 10_000, "{}", value.len());
    assert!(
        value.starts_with("[0 1 2 ") && value.ends_with("...]"),
        "{value:.100}"
    );
    let handle = big["result"]["handle"].clone();
    let page = |client: &mut Client, handle: &Value, offset: u64, count: u64| {
        client.request(
            "yin/inspect",
            json!({ "handle": handle, "offset": offset, "count": count }),
        )["result"]
            .clone()
    };
    let last = page(&mut client, &handle, 999_990, 100);
    let values: Vec<&str> = last["items"]
        .as_array()
        .map(|items| items.iter().filter_map(|i| i["value"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(last["kind"], json!("vector"));
    assert_eq!(last["count"], json!(1_000_000));
    assert_eq!(values.len(), 10);
    assert_eq!(values.last(), Some(&"999999"));
    let short = eval(&mut client, 2, 1, json!({ "print": { "maxLength": 16 } }));
    assert_eq!(
        short["result"]["value"],
        json!("[0 1 2 3 4 ...]"),
        "{short}"
    );
    let nested = eval(&mut client, 1, 1, json!({}));
    let outer = page(&mut client, &nested["result"]["handle"], 0, 100);
    check_page(
        &outer,
        expect![[r#"
            vector 3: [1 2] {:a [3]} "text""#]],
    );
    let map = page(&mut client, &outer["items"][1]["handle"], 0, 100);
    check_page(&map, expect![[r#"map 1: :a=[3]"#]]);
    let text = client.request(
        "yin/inspect/text",
        json!({ "handle": outer["items"][2]["handle"] }),
    );
    assert_eq!(
        text["result"],
        json!({ "text": "\"text\"", "truncated": false })
    );
    let too_many = client.request("yin/inspect", json!({ "handle": handle, "count": 1001 }));
    assert_eq!(
        too_many["error"]["message"],
        json!("count must be an integer from 1 to 1000, got 1001")
    );
    assert_eq!(
        client.request(
            "yin/session/reset",
            json!({ "textDocument": { "uri": URI } })
        )["result"],
        Value::Null
    );
    let forgotten = client.request("yin/inspect", json!({ "handle": handle }));
    assert_eq!(
        forgotten["error"]["message"],
        json!(format!(
            "unknown handle {handle}: the session was reset or the value is no longer kept; evaluate it again"
        ))
    );
    client.exit(true);
}

fn check_page(page: &Value, expect: expect_test::Expect) {
    let items: Vec<String> = page["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| match i["key"].as_str() {
                    Some(key) => format!("{key}={}", i["value"].as_str().unwrap_or("?")),
                    None => i["value"].as_str().unwrap_or("?").to_owned(),
                })
                .collect()
        })
        .unwrap_or_default();
    expect.assert_eq(&format!(
        "{} {}: {}",
        page["kind"].as_str().unwrap_or("?"),
        page["count"],
        items.join(" ")
    ));
}

#[test]
fn an_error_has_its_range_and_a_trace() {
    let (mut client, _) = Client::start(&[]);
    open(
        &mut client,
        "(defn f [x] (/ x 0))\n(defn g [x] (+ 1 (f x)))\n(g 5)\n",
    );
    let failed = eval(&mut client, 2, 1, json!({}));
    let error = &failed["result"]["error"];
    assert_eq!(error["message"], json!("division by zero"), "{failed}");
    assert_eq!(error["uri"], json!(URI));
    assert_eq!(
        error["range"]["start"],
        json!({ "line": 0, "character": 12 })
    );
    let trace: Vec<String> = error["trace"]
        .as_array()
        .map(|frames| {
            frames
                .iter()
                .map(|f| {
                    format!(
                        "{} {}:{}",
                        f["description"].as_str().unwrap_or("?"),
                        f["range"]["start"]["line"],
                        f["range"]["start"]["character"]
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    expect![[r#"
        calling /, in f 0:12
        argument 2 of +, in g 1:17"#]]
    .assert_eq(&trace.join("\n"));
    let info = client.request(
        "yin/session/info",
        json!({ "textDocument": { "uri": URI } }),
    );
    assert_eq!(info["result"]["evaluations"], json!(1));
    assert_eq!(info["result"]["loaded"][0]["version"], json!(1));
    client.exit(true);
}

#[test]
fn a_hover_fences_the_last_result() {
    let (mut client, _) = Client::start(&[]);
    open(&mut client, "(str \"a``\" \"`b\")\n");
    let _ = eval(&mut client, 0, 1, json!({}));
    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": URI }, "position": { "line": 0, "character": 15 } }),
    );
    expect![[r#"
        Last result:

        ````yin
        "a```b"
        ````"#]]
    .assert_eq(hover["result"]["contents"]["value"].as_str().unwrap_or("?"));
    client.exit(true);
}
