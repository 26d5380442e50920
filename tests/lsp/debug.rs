//! `yin/debug/*` across files: stepping from a form into a function another file defines shows
//! the control and every frame in their own file (`uri` beside `range`), with ranges converted
//! with that file's text, whether the file is open or only on disk.

use expect_test::expect;
use serde_json::{Value, json};

use crate::check;
use crate::client::Client;
use crate::live::{file_uri, start_in};

/// On disk: the callee's file. Its forms start on lines 1 and 4.
const HELPERS: &str = "; Helpers the debugger steps into.\n(defn add-two [x]\n  (+ x 2))\n\n(defn twice [n]\n  (* 2 (add-two n)))\n";
const MAIN: &str = "(inc (twice 3))\n";

/// A workspace with `helpers.yin` on disk and `main.yin` open.
fn workspace() -> (tempfile::TempDir, Client, String, String) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(dir.path().join("helpers.yin"), HELPERS).expect("helpers.yin");
    let main = file_uri(&dir.path().join("main.yin"));
    let helpers = file_uri(&dir.path().join("helpers.yin"));
    let mut client = start_in(dir.path());
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": main, "languageId": "yin", "version": 1, "text": MAIN } }),
    );
    (dir, client, main, helpers)
}

/// Starts debugging `main.yin`'s form once `twice` can be loaded: the index of the workspace's
/// files is built in the background after `initialized`.
fn start(client: &mut Client, main: &str) -> Value {
    let params =
        json!({ "textDocument": { "uri": main }, "position": { "line": 0, "character": 0 } });
    for _ in 0..200 {
        let started = client.request("yin/debug/start", params.clone());
        let loaded = started["result"]["state"]["store"]
            .as_array()
            .is_some_and(|store| store.iter().any(|b| b["name"] == json!("twice")));
        if loaded {
            return started;
        }
        let session = started["result"]["session"].clone();
        client.request("yin/debug/stop", json!({ "session": session }));
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("`twice` was never loaded from helpers.yin");
}

/// The control and the frames of a `yin/debug/*` reply, each as `uri line:character-line:character`
/// with the folder's URI shortened to `ROOT`.
fn places(reply: &Value, root: &str) -> String {
    let state = &reply["result"]["state"];
    let place = |v: &Value| -> String {
        let range = &v["range"];
        let uri = v["uri"].as_str().map(|u| u.replace(root, "ROOT"));
        match (uri, range.is_object()) {
            (Some(uri), true) => format!(
                "{uri} {}:{}-{}:{}",
                range["start"]["line"],
                range["start"]["character"],
                range["end"]["line"],
                range["end"]["character"]
            ),
            (None, false) => "nowhere".to_owned(),
            (uri, _) => format!("a uri without a range or the reverse: {uri:?} {range}"),
        }
    };
    let mut lines = vec![format!(
        "step {} control {} {}",
        state["step"],
        state["control"]["kind"],
        place(&state["control"])
    )];
    for frame in state["continuation"].as_array().into_iter().flatten() {
        lines.push(format!("  frame {} {}", frame["kind"], place(frame)));
    }
    lines.join("\n")
}

fn step(client: &mut Client, session: &Value, count: u64) -> Value {
    client.request(
        "yin/debug/step",
        json!({ "session": session, "count": count }),
    )
}

#[test]
fn stepping_into_a_function_of_a_file_on_disk_shows_it_there() {
    let (dir, mut client, main, helpers) = workspace();
    let root = file_uri(dir.path());
    let started = start(&mut client, &main);
    let session = started["result"]["session"].clone();
    let mut trace = vec![places(&started, &root)];
    for _ in 0..3 {
        trace.push(places(&step(&mut client, &session, 1), &root));
    }
    expect![[r#"
        step 0 control "call" ROOT/main.yin 0:0-0:15
        step 1 control "call" ROOT/main.yin 0:5-0:14
          frame "args" ROOT/main.yin 0:0-0:15
        step 2 control "call" ROOT/helpers.yin 5:2-5:19
          frame "args" ROOT/main.yin 0:0-0:15
        step 3 control "call" ROOT/helpers.yin 5:7-5:18
          frame "args" ROOT/helpers.yin 5:2-5:19
          frame "args" ROOT/main.yin 0:0-0:15"#]]
    .assert_eq(&trace.join("\n"));
    // The whole control as sent: `uri` beside `range`.
    let inside = client.request(
        "yin/debug/step",
        json!({ "session": session, "back": true }),
    );
    let control = inside["result"]["state"]["control"]
        .to_string()
        .replace(&root, "ROOT");
    check(
        &serde_json::from_str(&control).unwrap_or(Value::Null),
        expect![[r#"
            {
              "kind": "call",
              "range": {
                "end": {
                  "character": 19,
                  "line": 5
                },
                "start": {
                  "character": 2,
                  "line": 5
                }
              },
              "uri": "ROOT/helpers.yin"
            }
        "#]],
    );
    assert_eq!(inside["result"]["state"]["control"]["uri"], json!(helpers));
    client.exit(true);
}

#[test]
fn an_open_callee_is_placed_with_its_open_text_even_after_it_closes() {
    let (dir, mut client, main, helpers) = workspace();
    let root = file_uri(dir.path());
    // The open text differs from the disk's: two lines more above the definitions.
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": helpers, "languageId": "yin", "version": 1,
                "text": format!(";; edited\n;; in the editor\n{HELPERS}") } }),
    );
    let started = start(&mut client, &main);
    let session = started["result"]["session"].clone();
    let mut trace = vec![places(&step(&mut client, &session, 3), &root)];
    client.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": helpers } }),
    );
    // Closed: the text the session read still places the frames (not the file on disk).
    trace.push(places(
        &client.request(
            "yin/debug/step",
            json!({ "session": session, "back": true }),
        ),
        &root,
    ));
    expect![[r#"
        step 3 control "call" ROOT/helpers.yin 7:7-7:18
          frame "args" ROOT/helpers.yin 7:2-7:19
          frame "args" ROOT/main.yin 0:0-0:15
        step 2 control "call" ROOT/helpers.yin 7:2-7:19
          frame "args" ROOT/main.yin 0:0-0:15"#]]
    .assert_eq(&trace.join("\n"));
    client.exit(true);
}
