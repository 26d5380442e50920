//! A client trying to take the server down (issue 14 items 8, 9, 10 and 14, issue 13's orphaned
//! server): request ids the protocol library cannot hold, a header of megabytes, dozens of
//! runaway evaluations cancelled at once, hover under deep unclosed nesting, and a client that
//! closes stdin or dies while the server runs. docs/reliability.md states each guarantee.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::client::Client;
use crate::{URI, open, view_file_text};

/// A loop no fuel-free slice ends: only cancellation, fuel or the clock stop it.
const RUNAWAY: &str = "(loop [i 0] (recur (inc i)))\n";

/// Sends `yin/eval` of the form on `line`; evaluating a form runs the file's earlier ones first.
fn eval_line(client: &mut Client, line: u32) -> u64 {
    client.send_request(
        "yin/eval",
        json!({ "textDocument": { "uri": URI }, "position": { "line": line, "character": 1 } }),
    )
}

#[test]
fn request_ids_past_i64_are_invalid_requests_not_the_end_of_the_server() {
    let (mut client, _) = Client::start(&[]);
    open(&mut client, "(def x 1)\n");
    // serde_json reads no number past f64, so `1e400` is a parse error; the rest are valid
    // JSON that no request can hold.
    for (id, code) in [
        ("1.5", -32600),
        ("9223372036854775808", -32600),
        ("18446744073709551616", -32600),
        ("-1e400", -32700),
    ] {
        client.send_raw(&format!(
            "{{\"jsonrpc\": \"2.0\", \"id\": {id}, \"method\": \"shutdown\"}}"
        ));
        let reply = client.notification_or_response_without_id();
        assert_eq!(reply["error"]["code"], json!(code), "id {id}: {reply}");
        assert_eq!(
            view_file_text(&mut client),
            json!("(def x 1)\n"),
            "after id {id}"
        );
    }
    let (_, code) = client.exit(true);
    assert_eq!(code, 0);
}

/// Runs `yin lsp` on `input`, then closes its stdin; returns stdout and stderr.
fn serve_raw(input: &[u8]) -> (String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_yin"))
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("yin starts");
    let mut stdin = child.stdin.take().expect("piped stdin");
    let input = input.to_vec();
    let writer = thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let mut stderr = child.stderr.take().expect("piped stderr");
    let errors = thread::spawn(move || {
        let mut text = Vec::new();
        let _ = stderr.read_to_end(&mut text);
        text
    });
    let mut stdout = Vec::new();
    child
        .stdout
        .take()
        .expect("piped stdout")
        .read_to_end(&mut stdout)
        .expect("stdout read");
    writer.join().expect("writer");
    let errors = errors.join().expect("stderr reader");
    let _ = child.wait();
    (
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&errors).into_owned(),
    )
}

fn framed(body: &Value) -> Vec<u8> {
    let body = body.to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

#[test]
fn a_header_of_megabytes_is_skipped_and_not_echoed() {
    let mut input = b"Content-Length: ".to_vec();
    input.extend(std::iter::repeat_n(b'9', 4 << 20));
    input.extend(b"x\r\n\r\n");
    input.extend(framed(&json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": { "processId": null, "rootUri": null, "capabilities": {} }
    })));
    input.extend(framed(&json!({ "jsonrpc": "2.0", "method": "exit" })));
    let (stdout, stderr) = serve_raw(&input);
    assert!(
        stdout.contains("\"id\":1"),
        "initialize unanswered: {stdout}"
    );
    assert!(
        stderr.len() < 4096,
        "{} bytes on stderr, starting {:?}",
        stderr.len(),
        &stderr[..stderr.len().min(200)]
    );
    assert!(stderr.contains("unreadable length"), "{stderr}");
}

#[test]
fn forty_runaway_evaluations_are_all_cancelled_at_once() {
    let (mut client, _) = Client::start(&[]);
    open(&mut client, &format!("(+ 1 2)\n{RUNAWAY}"));
    let ids: Vec<u64> = (0..40).map(|_| eval_line(&mut client, 1)).collect();
    thread::sleep(Duration::from_millis(300));
    let cancelled_at = Instant::now();
    for id in &ids {
        client.notify("$/cancelRequest", json!({ "id": id }));
    }
    for id in &ids {
        let reply = client.response(*id);
        assert_eq!(reply["error"]["code"], json!(-32800), "{reply}");
    }
    let took = cancelled_at.elapsed();
    assert!(
        took < Duration::from_secs(2),
        "the 40 answers took {took:?}"
    );
    // The evaluation thread is free again: a quick evaluation answers at once.
    let started = Instant::now();
    let quick = eval_line(&mut client, 0);
    let reply = client.response(quick);
    assert!(reply["result"].is_object(), "{reply}");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_full_evaluation_queue_answers_at_once_and_hover_stays_fast() {
    let (mut client, _) = Client::start(&[]);
    open(&mut client, &format!("{RUNAWAY}(def x 1)\n(inc x)\n"));
    // 64 queued or running is the bound: 16 are refused at once (which 16 depends on the
    // order the requests reach the queue).
    let ids: Vec<u64> = (0..80).map(|_| eval_line(&mut client, 0)).collect();
    let started = Instant::now();
    while ids.iter().filter(|id| client.has_response(**id)).count() < 16 {
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "refusals not answered at once"
        );
        thread::sleep(Duration::from_millis(10));
    }
    let started = Instant::now();
    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": URI }, "position": { "line": 2, "character": 5 } }),
    );
    let took = started.elapsed();
    assert!(hover["result"].is_object(), "{hover}");
    assert!(took < Duration::from_millis(1000), "hover took {took:?}");
    for id in &ids {
        client.notify("$/cancelRequest", json!({ "id": id }));
    }
    let codes: Vec<Value> = ids
        .iter()
        .map(|id| client.response(*id)["error"]["code"].clone())
        .collect();
    let refused = codes.iter().filter(|c| **c == json!(-32803)).count();
    let cancelled = codes.iter().filter(|c| **c == json!(-32800)).count();
    assert_eq!(refused, 16, "{codes:?}");
    // One evaluation may have reached its time limit (an answer, not an error) before the
    // cancellations.
    assert!(cancelled >= 63, "{codes:?}");
}

#[test]
fn hover_answers_under_twenty_thousand_unclosed_lists() {
    let (mut client, _) = Client::start(&[]);
    let depth = 20_000;
    open(&mut client, &format!("{}inc", "(".repeat(depth)));
    // On the innermost `(`, where no symbol is: the old walk up to the root took a minute at
    // 5,000 deep (debug build); and on the symbol.
    for character in [depth - 1, depth + 1] {
        let started = Instant::now();
        let hover = client.request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": URI }, "position": { "line": 0, "character": character } }),
        );
        let took = started.elapsed();
        assert!(hover.get("result").is_some(), "{hover}");
        assert!(
            took < Duration::from_secs(5),
            "hover at {character} took {took:?}"
        );
    }
}

#[test]
fn closing_stdin_ends_the_server_even_with_evaluations_queued() {
    let (mut client, _) = Client::start(&[]);
    open(&mut client, RUNAWAY);
    // Run one after the other, these would keep the server for over ten seconds.
    for _ in 0..10 {
        eval_line(&mut client, 0);
    }
    thread::sleep(Duration::from_millis(200));
    let (code, took) = client.vanish();
    assert_eq!(code, Some(1));
    assert!(
        took < Duration::from_secs(5),
        "the server took {took:?} to end"
    );
}

#[test]
fn the_server_ends_when_the_client_process_dies() {
    let mut editor = Command::new("sleep")
        .arg("600")
        .spawn()
        .expect("a stand-in client process");
    let (client, _) = Client::start_with(
        json!({ "processId": editor.id(), "rootUri": null, "capabilities": {} }),
    );
    editor.kill().expect("killed");
    editor.wait().expect("reaped");
    // stdin stays open: only the process check can notice.
    let (code, took) = client.wait_for_exit();
    assert_eq!(code, Some(1));
    assert!(
        took < Duration::from_secs(8),
        "the server took {took:?} to end"
    );
}
