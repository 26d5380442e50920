//! A replay of editor traffic against the real `yin lsp` process over stdio, timed from the
//! moment the message is written until the awaited answer is read: what a user waits for.
//!
//! - open a 10,000-line file until its first `publishDiagnostics`;
//! - a one-character edit (a letter typed into a symbol in the middle of the file, then deleted)
//!   until the `publishDiagnostics` of that version;
//! - the same opens and edits on a second server started with `YIN_LSP_LINTS=scratch`, which
//!   lints every version afresh instead of through the document's lint session: the incremental
//!   gain (and what the session costs at open), measured in the same run;
//! - the same edit sent as a whole-text change (the client's full sync): the document is then
//!   parsed and lowered afresh, the lint session still updates by the difference;
//! - `completion` and `hover` in the middle of the file;
//! - a workspace of 100,000 lines (100 files of 1,000 lines in a temporary folder) indexed for
//!   `workspace/symbol`, from `initialized` until the `$/progress` end, and the server's peak
//!   resident memory (`VmHWM` of `/proc/PID/status`) once the 10,000-line file is open too.
//!
//! Medians and 90th percentiles over many iterations, with the goals of issue 7, as a markdown
//! table (docs/benchmarks.md, "Language server"). The file is the generated one the lowering and
//! lint benches use (`server/syntax/benches/support/generated.rs`).
//!
//! `nice -n 10 cargo bench -p yin --bench lsp_replay` (`LSP_REPLAY_ITERATIONS=N` scales the
//! iteration counts: N edits, N/10 opens).

#[path = "../../../tests/lsp/client.rs"]
#[allow(dead_code, reason = "the test client offers more than the bench uses")]
mod client;

#[path = "../../syntax/benches/support/generated.rs"]
mod generated;

use std::time::{Duration, Instant};

use serde_json::json;

use client::Client;

const LINES: usize = 10_000;
const WORKSPACE_FILES: usize = 100;
const WORKSPACE_FILE_LINES: usize = 1_000;

fn main() {
    let iterations: usize = std::env::var("LSP_REPLAY_ITERATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200)
        .max(10);
    let text = generated::source(LINES);
    let places = Places::in_text(&text);
    println!(
        "{} lines, {} KiB; load average before: {}",
        text.lines().count(),
        text.len() / 1024,
        load_average()
    );
    let mut rows = Vec::new();

    let (mut client, _) = Client::start(&[]);
    rows.push(Row::new(
        "open 10k-line file → first publishDiagnostics",
        with_cpu(client.pid(), || {
            open_times(&mut client, &text, iterations / 10)
        }),
        Goal::Median(300.0),
    ));
    let uri = "file:///bench/edited.yin";
    open(&mut client, uri, &text);
    client.diagnostics_for(uri, 1);
    let mut version = 1;
    rows.push(Row::new(
        "1-char edit → publishDiagnostics (lint session)",
        with_cpu(client.pid(), || {
            edit_times(&mut client, uri, &mut version, &places, iterations, false)
        }),
        Goal::MedianP90(10.0, 20.0),
    ));
    rows.push(Row::new(
        "1-char edit sent as whole text → publishDiagnostics (lint session)",
        with_cpu(client.pid(), || {
            edit_times(
                &mut client,
                uri,
                &mut version,
                &places,
                iterations / 4,
                true,
            )
        }),
        Goal::None,
    ));
    rows.push(Row::new(
        "completion (prefix `rec`, middle of the file)",
        with_cpu(client.pid(), || {
            request_times(
                &mut client,
                "textDocument/completion",
                uri,
                places.completion,
                iterations,
            )
        }),
        Goal::Median(16.0),
    ));
    rows.push(Row::new(
        "hover (a global's use, middle of the file)",
        with_cpu(client.pid(), || {
            request_times(
                &mut client,
                "textDocument/hover",
                uri,
                places.hover,
                iterations,
            )
        }),
        Goal::Median(16.0),
    ));
    client.exit(true);

    let (mut scratch, _) = Client::start_in_env(
        json!({ "processId": null, "rootUri": null, "capabilities": {} }),
        &[("YIN_LSP_LINTS", "scratch")],
    );
    rows.push(Row::new(
        "open 10k-line file → first publishDiagnostics (YIN_LSP_LINTS=scratch)",
        with_cpu(scratch.pid(), || {
            open_times(&mut scratch, &text, iterations / 10)
        }),
        Goal::None,
    ));
    open(&mut scratch, uri, &text);
    scratch.diagnostics_for(uri, 1);
    let mut version = 1;
    rows.push(Row::new(
        "1-char edit → publishDiagnostics (YIN_LSP_LINTS=scratch: every rule, whole file)",
        with_cpu(scratch.pid(), || {
            edit_times(
                &mut scratch,
                uri,
                &mut version,
                &places,
                iterations / 10,
                false,
            )
        }),
        Goal::None,
    ));
    scratch.exit(true);

    let (index, rss) = workspace(&text, (iterations / 40).max(3));
    rows.push(Row::new(
        "index a 100,000-line workspace (100 files) → $/progress end",
        index,
        Goal::Median(2000.0),
    ));

    println!("load average after: {}\n", load_average());
    println!("| What | Runs | Median | p90 | Server CPU per run | Goal |");
    println!("|---|---|---|---|---|---|");
    for row in &rows {
        row.print();
    }
    let met = if rss <= 300 * 1024 { "met" } else { "MISSED" };
    println!(
        "| peak RSS (VmHWM) after indexing the workspace and opening the 10k-line file | 1 | {} MiB | | | ≤ 300 MB: {met} |",
        rss / 1024
    );
}

/// Where the edits, completion and hover happen: in the middle of the file.
struct Places {
    /// Just after `acc` in `(recur (inc i) (+ acc ...`: typing there makes `accx` unresolved.
    edit: (u32, u32),
    /// After `(rec`, inside `recur`.
    completion: (u32, u32),
    /// On `step-N` in `(reduce step-N {})`: a global defined in the file.
    hover: (u32, u32),
}

impl Places {
    fn in_text(text: &str) -> Places {
        let lines: Vec<&str> = text.lines().collect();
        let find = |needle: &str| {
            let (line, column) = lines
                .iter()
                .enumerate()
                .skip(lines.len() / 2)
                .find_map(|(n, line)| line.find(needle).map(|at| (n, at)))
                .expect("the generated file has the pattern in its second half");
            (as_u32(line), as_u32(column))
        };
        let (line, column) = find("(+ acc ");
        let edit = (line, column + 6);
        let (line, column) = find("(recur ");
        let completion = (line, column + 4);
        let (line, column) = find("(reduce step-");
        let hover = (line, column + 9);
        Places {
            edit,
            completion,
            hover,
        }
    }
}

fn as_u32(n: usize) -> u32 {
    u32::try_from(n).expect("positions in the generated file fit")
}

fn open(client: &mut Client, uri: &str, text: &str) {
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "yin", "version": 1, "text": text } }),
    );
}

fn open_times(client: &mut Client, text: &str, iterations: usize) -> Vec<Duration> {
    (0..iterations.max(3))
        .map(|n| {
            let uri = format!("file:///bench/opened-{n}.yin");
            let start = Instant::now();
            open(client, &uri, text);
            client.diagnostics_for(&uri, 1);
            let took = start.elapsed();
            client.notify(
                "textDocument/didClose",
                json!({ "textDocument": { "uri": uri } }),
            );
            took
        })
        .collect()
}

/// Types `x` at the edit place, then deletes it, alternately: every version is one character
/// away from the previous and the file does not grow. With `whole_text`, each change carries the
/// whole new text instead of a range.
fn edit_times(
    client: &mut Client,
    uri: &str,
    version: &mut i64,
    places: &Places,
    iterations: usize,
    whole_text: bool,
) -> Vec<Duration> {
    let (line, character) = places.edit;
    let at = json!({ "line": line, "character": character });
    let after = json!({ "line": line, "character": character + 1 });
    let text = whole_text.then(|| view_file_text(client, uri));
    let with_x = text.as_deref().map(|text| {
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        let offset: usize = lines
            .iter()
            .take(line as usize)
            .map(|l| l.len())
            .sum::<usize>()
            + character as usize;
        format!("{}x{}", &text[..offset], &text[offset..])
    });
    (0..iterations.max(3))
        .map(|n| {
            *version += 1;
            let typing = n % 2 == 0;
            let change = match (&text, &with_x) {
                (Some(text), Some(with_x)) => {
                    json!({ "text": if typing { with_x } else { text } })
                }
                _ if typing => json!({ "range": { "start": at, "end": at }, "text": "x" }),
                _ => json!({ "range": { "start": at, "end": after }, "text": "" }),
            };
            let start = Instant::now();
            client.notify(
                "textDocument/didChange",
                json!({
                    "textDocument": { "uri": uri, "version": *version },
                    "contentChanges": [change],
                }),
            );
            client.diagnostics_for(uri, *version);
            start.elapsed()
        })
        .collect()
}

fn view_file_text(client: &mut Client, uri: &str) -> String {
    let reply = client.request(
        "yin/viewFileText",
        json!({ "textDocument": { "uri": uri } }),
    );
    reply["result"]
        .as_str()
        .expect("the document is open")
        .to_owned()
}

fn request_times(
    client: &mut Client,
    method: &str,
    uri: &str,
    (line, character): (u32, u32),
    iterations: usize,
) -> Vec<Duration> {
    (0..iterations)
        .map(|_| {
            let start = Instant::now();
            let reply = client.request(
                method,
                json!({
                    "textDocument": { "uri": uri },
                    "position": { "line": line, "character": character },
                }),
            );
            let took = start.elapsed();
            assert!(
                reply["result"].is_object() || reply["result"].is_array(),
                "{method} answers: {reply}"
            );
            took
        })
        .collect()
}

/// Index times of a 100,000-line workspace, one fresh server per run, with each server's CPU
/// time until then (start-up included) on average, and the last server's peak resident memory in
/// KiB after it also opened the 10,000-line file.
fn workspace(text: &str, runs: usize) -> ((Vec<Duration>, f64), u64) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let per_file = generated::source(WORKSPACE_FILE_LINES);
    for n in 0..WORKSPACE_FILES {
        let sub = dir.path().join(format!("module-{}", n / 10));
        std::fs::create_dir_all(&sub).expect("a module folder");
        // Distinct names per file, as a real workspace has.
        let file = ["step-", "sum-", "table-", "run-"]
            .iter()
            .fold(per_file.clone(), |file, name| {
                file.replace(name, &format!("{name}m{n}-"))
            });
        std::fs::write(sub.join(format!("file-{n}.yin")), file).expect("a workspace file");
    }
    let root = format!("file://{}", dir.path().display());
    let mut times = Vec::new();
    let mut ticks = 0;
    let mut rss = 0;
    for run in 0..runs {
        let (mut client, _) = Client::start_with(json!({
            "processId": null,
            "rootUri": root,
            "capabilities": { "window": { "workDoneProgress": true } },
        }));
        let start = Instant::now();
        client.answer("window/workDoneProgress/create");
        loop {
            let progress = client.notification("$/progress");
            if progress["params"]["value"]["kind"] == json!("end") {
                break;
            }
        }
        times.push(start.elapsed());
        ticks += cpu_ticks(client.pid());
        let found = client.request("workspace/symbol", json!({ "query": "step-m99-" }));
        let symbols = found["result"].as_array().map_or(0, Vec::len);
        assert!(symbols > 0, "the index holds the last file: {found}");
        if run + 1 == runs {
            let uri = "file:///bench/opened.yin";
            open(&mut client, uri, text);
            client.diagnostics_for(uri, 1);
            rss = peak_rss_kib(client.pid());
        }
        client.exit(true);
    }
    let cpu = ticks as f64 * 10.0 / runs.max(1) as f64;
    ((times, cpu), rss)
}

/// Runs `f` and returns its result with the server's CPU time per run (`runs`), in
/// milliseconds, from `/proc/PID/stat` (clock ticks taken as 10 ms, Linux's usual `CLK_TCK`).
fn with_cpu(pid: u32, f: impl FnOnce() -> Vec<Duration>) -> (Vec<Duration>, f64) {
    let before = cpu_ticks(pid);
    let times = f();
    let spent = cpu_ticks(pid).saturating_sub(before);
    let runs = times.len().max(1);
    (times, spent as f64 * 10.0 / runs as f64)
}

fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // After the command name (which may hold spaces), utime and stime are fields 14 and 15.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let field = |n: usize| {
        fields
            .get(n)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    field(11) + field(12)
}

fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}

enum Goal {
    Median(f64),
    MedianP90(f64, f64),
    None,
}

struct Row {
    what: &'static str,
    times: Vec<Duration>,
    /// The server's CPU time (user and system, all threads) per run, in milliseconds.
    cpu: f64,
    goal: Goal,
}

impl Row {
    fn new(what: &'static str, (mut times, cpu): (Vec<Duration>, f64), goal: Goal) -> Row {
        times.sort();
        Row {
            what,
            times,
            cpu,
            goal,
        }
    }

    /// Nearest-rank percentile, in milliseconds.
    fn percentile(&self, p: usize) -> f64 {
        let rank = (self.times.len() * p).div_ceil(100).max(1) - 1;
        self.times
            .get(rank)
            .map_or(f64::NAN, |t| t.as_secs_f64() * 1000.0)
    }

    fn print(&self) {
        let (median, p90) = (self.percentile(50), self.percentile(90));
        let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
        let goal = match self.goal {
            Goal::Median(ms) => format!("median ≤ {ms} ms: {}", verdict(median <= ms)),
            Goal::MedianP90(m, p) => format!(
                "median ≤ {m} ms, p90 ≤ {p} ms: {}",
                verdict(median <= m && p90 <= p)
            ),
            Goal::None => String::new(),
        };
        println!(
            "| {} | {} | {median:.2} ms | {p90:.2} ms | {:.1} ms | {goal} |",
            self.what,
            self.times.len(),
            self.cpu
        );
    }
}
