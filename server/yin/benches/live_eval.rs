//! Live evaluation over stdio against real `yin lsp` binaries (issue 15's figures,
//! docs/benchmarks.md "Live evaluation"): a small form on the last line of a 2,000-line file
//! with its definitions loaded, the first evaluation after one definition changed (and what it
//! reloads), all 310 top-level forms of the joined examples, and a 1,000,000-element result.
//! Medians of round trips, measured at the client.
//!
//! ```text
//! cargo build --release -p yin
//! YIN_BENCH_BINARIES=before=/path/to/old/yin,after=target/release/yin \
//!     cargo bench -p yin --bench live_eval
//! ```
//! Without `YIN_BENCH_BINARIES` it measures the binary this bench was built with. A binary
//! that answers `yin/eval` the old way (every earlier top-level form run first) is measured on
//! the same requests where the old protocol has them (no `scope`).

use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use test_support::lsp::{spawn_reader, write_message};

const URI: &str = "file:///bench/live.yin";

struct Server {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    next_id: u64,
}

impl Server {
    fn start(binary: &PathBuf) -> Server {
        let mut child = Command::new(binary)
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the server starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let stdin = child.stdin.take().expect("piped stdin");
        let incoming = spawn_reader(stdout);
        let mut server = Server {
            child,
            stdin,
            incoming,
            next_id: 1,
        };
        server.request(
            "initialize",
            json!({ "processId": null, "rootUri": null, "capabilities": {} }),
        );
        server.notify("initialized", json!({}));
        server
    }

    fn send(&mut self, message: &Value) {
        // A server that died shows as a missing reply, which `request` reports.
        let _ = write_message(&mut self.stdin, &message.to_string());
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// The reply to a request, and its round trip.
    fn request(&mut self, method: &str, params: Value) -> (Value, Duration) {
        let id = self.next_id;
        self.next_id += 1;
        let started = Instant::now();
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let message = self
                .incoming
                .recv_timeout(Duration::from_secs(600))
                .expect("a reply within 10 minutes");
            if message.get("id") == Some(&json!(id)) && message.get("method").is_none() {
                return (message, started.elapsed());
            }
            if message.get("id").is_some() && message.get("method").is_some() {
                // A request from the server (inlay hint refresh, ...): answer it.
                self.send(&json!({ "jsonrpc": "2.0", "id": message["id"], "result": null }));
            }
        }
    }

    fn open(&mut self, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": URI, "languageId": "yin", "version": 1, "text": text } }),
        );
    }

    fn eval(&mut self, line: usize, extra: Value) -> (Value, Duration) {
        let mut params = json!({
            "textDocument": { "uri": URI },
            "position": { "line": line, "character": 1 },
        });
        if let (Some(params), Some(extra)) = (params.as_object_mut(), extra.as_object()) {
            params.extend(extra.clone());
        }
        self.request("yin/eval", params)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// 400 five-line definitions (2,000 lines), then a form using two of them on the last line.
fn two_thousand_lines() -> String {
    let mut text = String::new();
    for i in 0..400 {
        text.push_str(&format!(
            "(defn f{i}\n  \"Adds {i}.\"\n  [x]\n  (let [y (+ x {i})]\n    (* y 1)))\n"
        ));
    }
    text.push_str("(+ (f10 1) (f399 2))");
    text
}

fn loaded(reply: &Value) -> usize {
    reply["result"]["loaded"].as_array().map_or(0, Vec::len)
}

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        // `cargo test --benches` runs benches once in test mode: nothing to check here.
        return;
    }
    let binaries: Vec<(String, PathBuf)> = match std::env::var("YIN_BENCH_BINARIES") {
        Ok(list) => list
            .split(',')
            .filter_map(|entry| {
                let (name, path) = entry.split_once('=')?;
                Some((name.to_owned(), PathBuf::from(path)))
            })
            .collect(),
        Err(_) => vec![("this".to_owned(), PathBuf::from(env!("CARGO_BIN_EXE_yin")))],
    };
    let examples = {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples");
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("examples/")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "yin"))
            .collect();
        paths.sort();
        paths
            .iter()
            .map(|p| std::fs::read_to_string(p).expect("an example"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    println!(
        "| figure | {} |",
        binaries
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>()
            .join(" | ")
    );
    println!("|---|{}", "---|".repeat(binaries.len()));
    let mut rows: Vec<(String, Vec<String>)> = Vec::new();
    let mut row = |name: &str, b: usize, cell: String| {
        if !rows.iter().any(|(n, _)| n == name) {
            rows.push((name.to_owned(), vec![String::new(); binaries.len()]));
        }
        if let Some((_, cells)) = rows.iter_mut().find(|(n, _)| n == name) {
            cells[b] = cell;
        }
    };
    for (b, (_, binary)) in binaries.iter().enumerate() {
        // 1. A small form on the last line of a 2,000-line file, its definitions loaded.
        let text = two_thousand_lines();
        let last = text.lines().count() - 1;
        let mut server = Server::start(binary);
        server.open(&text);
        let (first, first_time) = server.eval(last, json!({}));
        let samples: Vec<Duration> = (0..30).map(|_| server.eval(last, json!({})).1).collect();
        row(
            "small form, last line of a 2,000-line file (median of 30; first eval)",
            b,
            format!(
                "{} ({}, loaded {})",
                ms(median(samples)),
                ms(first_time),
                loaded(&first)
            ),
        );
        // 2. One definition changed: the next evaluation.
        let mut changes = Vec::new();
        let mut reloaded = 0;
        for version in 2..12 {
            server.notify(
                "textDocument/didChange",
                json!({
                    "textDocument": { "uri": URI, "version": version },
                    "contentChanges": [{ "range": { "start": { "line": 1998, "character": 16 }, "end": { "line": 1998, "character": 17 } }, "text": format!("{}", version % 10) }],
                }),
            );
            let (reply, time) = server.eval(last, json!({}));
            reloaded = loaded(&reply);
            changes.push(time);
        }
        row(
            "first eval after changing one definition (median of 10; definitions reloaded)",
            b,
            format!("{} ({reloaded})", ms(median(changes))),
        );
        drop(server);
        // 3. Every top-level form of the joined examples.
        let mut server = Server::start(binary);
        server.open(&examples);
        let (file, file_time) = server.request(
            "yin/eval",
            json!({ "textDocument": { "uri": URI }, "scope": "file" }),
        );
        let forms = file["result"]["results"].as_array().map_or(0, Vec::len);
        row(
            "all top-level forms of the joined examples, one `scope: file` request",
            b,
            if forms > 0 {
                format!("{} ({forms} forms)", ms(file_time))
            } else {
                "n/a (no scope)".to_owned()
            },
        );
        let starts: Vec<usize> = examples
            .lines()
            .enumerate()
            .filter(|(_, l)| l.starts_with('('))
            .map(|(i, _)| i)
            .collect();
        let started = Instant::now();
        for &line in &starts {
            let _ = server.eval(line, json!({}));
        }
        row(
            "every top-level form of the joined examples, one request each",
            b,
            format!("{} ({} requests)", ms(started.elapsed()), starts.len()),
        );
        drop(server);
        // 4. A 1,000,000-element result.
        let mut server = Server::start(binary);
        server.open("(vec (range 1000000))\n");
        let mut big = Vec::new();
        let mut shape = String::new();
        for _ in 0..10 {
            let (reply, time) = server.eval(0, json!({}));
            big.push(time);
            shape = format!(
                "{} chars, truncated {}, handle {}",
                reply["result"]["value"]
                    .as_str()
                    .map_or(0, |v| v.chars().count()),
                reply["result"]["truncated"],
                reply["result"]["handle"].is_number()
            );
        }
        row(
            "(vec (range 1000000)) round trip (median of 10)",
            b,
            format!("{} ({shape})", ms(median(big))),
        );
    }
    for (name, cells) in rows {
        println!("| {name} | {} |", cells.join(" | "));
    }
}
