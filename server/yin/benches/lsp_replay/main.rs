//! A replay of editor traffic against real `yin lsp` processes over stdio (the goals of issue
//! 13), timed from writing a message to reading the awaited answer: what a user waits for.
//!
//! Three file shapes (`shapes.rs`), each at 10,000 and 50,000 lines: the generated file the
//! lowering and lint benches use, one-line `defn`s, and the generated file with an unclosed `(`
//! mid-file. On each, with each binary in turn (`scenarios.rs`): open → first diagnostics and
//! the peak memory after it; a letter typed into a symbol, a comment, a string and a space
//! between forms (each until that version's `publishDiagnostics`, with the server's CPU per
//! keystroke for the symbol); a 50-line paste and its removal; deleting a form; `codeAction` at
//! a cursor move; `prepareRename` and `rename` of a global; `semanticTokens/full/delta` after a
//! one-letter edit; completion (after a local's name, and after a global's first letter) and
//! hover; 30 keys 50 ms apart (the last key until its
//! diagnostics) and the memory after, and 2 s later; `(` typed between forms, 20 characters while
//! it is open and the closer, each keystroke until its diagnostics, and the memory after. One-line
//! defns at 1,000 lines too, for the keystroke CPU by number of forms (1k, 10k, 50k). Then a
//! 100,000-line workspace indexed for `workspace/symbol`.
//!
//! Every scenario has a time cap and the server a memory cap; a server past either is killed,
//! the cell says so ("> 30 s (timeout)") and the next scenario starts a fresh one.
//!
//! ```sh
//! nice -n 10 cargo bench -p yin --bench lsp_replay                  # the workspace's release yin
//! YIN_BENCH_BINARIES=before=/path/to/old/yin,after=target/release/yin \
//!     nice -n 10 cargo bench -p yin --bench lsp_replay -- --quick    # 10k lines, fewer samples
//! ```
//!
//! `LSP_REPLAY_QUICK=1` is `--quick`; `YIN_BENCH_MEMORY_CAP_MIB` (default 4096) is the memory
//! cap; `LSP_REPLAY_ONLY=rename,tokens` runs only the scenarios whose first row names one of
//! the comma-separated words (opening and the peak memory always run; the workspace index
//! only if a word names it); `scripts/bench-lsp --base COMMIT` builds COMMIT's binary and runs
//! it before this one.
//! The markdown tables at the end go into docs/benchmarks.md, "Language server".

mod report;
mod scenarios;
mod server;
mod shapes;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::json;
use test_support::generated;

use report::{Cell, Goal, Measured, Table};
use scenarios::{Limits, Rows, Session};
use server::Server;
use shapes::{Kind, Shape};

const WORKSPACE_FILES: usize = 100;
const WORKSPACE_FILE_LINES: usize = 1_000;
const CPU_ROW: &str = "server CPU per keystroke (symbol)";

type Scenario = fn(&mut Session<'_>) -> Rows;

/// Every scenario after opening, in order; the memory-hungry ones last. (The peak memory of
/// the file's servers follows them all, never skipped: it costs nothing.)
const SCENARIOS: &[(&[&str], Scenario)] = &[
    (
        &["char typed in a symbol → diagnostics", CPU_ROW],
        scenarios::symbol,
    ),
    (
        &["char typed in a comment → diagnostics"],
        scenarios::comment,
    ),
    (&["char typed in a string → diagnostics"], scenarios::string),
    (
        &["space typed between forms → diagnostics"],
        scenarios::between,
    ),
    (
        &["50-line paste → diagnostics", "its removal → diagnostics"],
        scenarios::paste,
    ),
    (&["delete a form → diagnostics"], scenarios::delete_form),
    (&["codeAction at a cursor move"], scenarios::code_action),
    (
        &["prepareRename of a global", "rename of a global"],
        scenarios::rename,
    ),
    (
        &["semanticTokens/full/delta after a 1-char edit"],
        scenarios::token_delta,
    ),
    (
        &[
            "completion (after a local's name)",
            "completion (after a global's first letter)",
            "hover (a global)",
        ],
        scenarios::completion_and_hover,
    ),
    (
        &[
            "30 keys 50 ms apart: last key → its diagnostics",
            "versions of the 30 published (median)",
            "RSS after the bursts",
            "RSS 2 s after the bursts",
        ],
        scenarios::burst,
    ),
    (
        &[
            "`(` typed between forms (left open) → diagnostics",
            "each of 20 chars typed while it is open → diagnostics",
            "the closing `)` → diagnostics",
            "RSS after typing an open form",
            "RSS 2 s after typing an open form",
        ],
        scenarios::open_form,
    ),
];

fn main() {
    let quick = std::env::args().any(|arg| arg == "--quick")
        || std::env::var("LSP_REPLAY_QUICK").is_ok_and(|v| v == "1");
    let binaries = binaries();
    let memory_cap_mib: u64 = std::env::var("YIN_BENCH_MEMORY_CAP_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4096);
    let limits = if quick {
        Limits {
            cap: Duration::from_secs(10),
            sampling: Duration::from_secs(2),
            samples: 10,
            per_shape: Duration::from_secs(60),
            memory_cap_kib: memory_cap_mib * 1024,
        }
    } else {
        Limits {
            cap: Duration::from_secs(30),
            sampling: Duration::from_secs(5),
            samples: 40,
            per_shape: Duration::from_secs(240),
            memory_cap_kib: memory_cap_mib * 1024,
        }
    };
    let only = Only::from_env();
    let sizes: &[usize] = if quick { &[10_000] } else { &[10_000, 50_000] };
    let mut shapes: Vec<(Shape, bool)> = vec![(shapes::shape(Kind::OneLine, 1_000), true)];
    for kind in [Kind::Generated, Kind::OneLine, Kind::Broken] {
        for &lines in sizes {
            shapes.push((shapes::shape(kind, lines), false));
        }
    }

    let started = Instant::now();
    let load_before = server::load_average();
    println!(
        "lsp_replay{}: {} binaries: {}; load average {load_before}",
        if quick { " --quick" } else { "" },
        binaries.len(),
        binaries
            .iter()
            .map(|(name, path)| format!("{name}={}", path.display()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut table = Table::new(binaries.iter().map(|(name, _)| name.clone()).collect());
    for (shape, cpu_only) in &shapes {
        let label = format!(
            "{}, {}k lines ({} forms)",
            shape.kind.label(),
            shape.lines / 1000,
            shape.forms
        );
        let nominal = (shape.lines / 1000) * 1000;
        for (b, (name, path)) in binaries.iter().enumerate() {
            let mut session = Session::new(path, shape, &limits);
            let mut rows = scenarios::opening(&mut session);
            let chosen = if *cpu_only {
                &SCENARIOS[..1]
            } else {
                SCENARIOS
            };
            for (names, scenario) in chosen.iter().filter(|(names, _)| only.runs(names[0])) {
                if session.over_budget() {
                    rows.extend(names.iter().map(|&what| {
                        (
                            what,
                            Cell::Text(format!(
                                "skipped (over {} s on this file)",
                                limits.per_shape.as_secs()
                            )),
                        )
                    }));
                } else {
                    rows.extend(scenario(&mut session));
                    if session.text_drifted() {
                        println!(
                            "  warning: [{name}] {label}: the text drifted in `{}`",
                            names[0]
                        );
                    }
                }
            }
            if !*cpu_only {
                rows.extend(scenarios::peak(&mut session));
            }
            session.close();
            for (what, cell) in rows {
                table.put(&label, what, Goal::of(what, nominal), b, cell);
                println!(
                    "  [{name}] {label}: {what}: {}",
                    table.rendered(&label, what, b)
                );
            }
        }
    }
    let label = format!("workspace, {WORKSPACE_FILES} files of {WORKSPACE_FILE_LINES} lines");
    let indexing = if only.runs("workspace index") {
        binaries.as_slice()
    } else {
        &[]
    };
    for (b, (name, path)) in indexing.iter().enumerate() {
        let (index, peak) = workspace(path, &limits, if quick { 1 } else { 3 });
        for (what, goal, cell) in [
            (
                "index → $/progress end",
                Goal::Median(2000.0),
                Cell::Times(index),
            ),
            (
                "peak RSS (VmHWM) after indexing and opening a 10k-line file",
                Goal::Memory(300),
                peak,
            ),
        ] {
            table.put(&label, what, goal, b, cell);
            println!(
                "  [{name}] {label}: {what}: {}",
                table.rendered(&label, what, b)
            );
        }
    }

    println!(
        "\n{} minutes; load average at the start {load_before}, at the end {}\n",
        started.elapsed().as_secs() / 60,
        server::load_average()
    );
    println!("{}", table.markdown());
    println!(
        "{}",
        table.markdown_of(CPU_ROW, "Server CPU per keystroke (a letter in a symbol)")
    );
}

/// The scenarios `LSP_REPLAY_ONLY` names (all when it is unset or empty).
struct Only(Vec<String>);

impl Only {
    fn from_env() -> Only {
        let words = std::env::var("LSP_REPLAY_ONLY").unwrap_or_default();
        Only(
            words
                .split(',')
                .map(str::trim)
                .filter(|w| !w.is_empty())
                .map(str::to_lowercase)
                .collect(),
        )
    }

    fn runs(&self, scenario: &str) -> bool {
        let scenario = scenario.to_lowercase();
        self.0.is_empty() || self.0.iter().any(|word| scenario.contains(word.as_str()))
    }
}

/// `YIN_BENCH_BINARIES=name=PATH,name=PATH` (a bare PATH is named by itself), or the
/// workspace's release binary alone.
fn binaries() -> Vec<(String, PathBuf)> {
    match std::env::var("YIN_BENCH_BINARIES") {
        Ok(list) if !list.trim().is_empty() => list
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| match entry.split_once('=') {
                Some((name, path)) => (name.to_owned(), PathBuf::from(path)),
                None => (entry.to_owned(), PathBuf::from(entry)),
            })
            .collect(),
        _ => vec![("yin".to_owned(), PathBuf::from(env!("CARGO_BIN_EXE_yin")))],
    }
}

/// Index times of a 100,000-line workspace, a fresh server each run, and the last server's peak
/// memory once it has also opened the generated 10,000-line file.
fn workspace(binary: &std::path::Path, limits: &Limits, runs: usize) -> (Measured, Cell) {
    let mut measured = Measured::new(limits.cap);
    let Ok(dir) = tempfile::tempdir() else {
        return (measured, Cell::Text("no temporary folder".to_owned()));
    };
    let per_file = generated::source(WORKSPACE_FILE_LINES);
    for n in 0..WORKSPACE_FILES {
        let sub = dir.path().join(format!("module-{}", n / 10));
        // Distinct names per file, as a real workspace has.
        let file = ["step-", "sum-", "table-", "run-"]
            .iter()
            .fold(per_file.clone(), |file, name| {
                file.replace(name, &format!("{name}m{n}-"))
            });
        let written = std::fs::create_dir_all(&sub)
            .and_then(|()| std::fs::write(sub.join(format!("file-{n}.yin")), file));
        if written.is_err() {
            return (
                measured,
                Cell::Text("could not write the workspace".to_owned()),
            );
        }
    }
    let root = format!("file://{}", dir.path().display());
    let text = generated::source(10_000);
    let mut peak = Cell::Text("-".to_owned());
    for run in 0..runs {
        let deadline = Instant::now() + limits.cap;
        let started = Server::start(
            binary,
            json!({
                "processId": std::process::id(),
                "rootUri": root,
                "capabilities": { "window": { "workDoneProgress": true } },
            }),
            limits.memory_cap_kib,
            deadline,
        );
        let start = Instant::now();
        let indexed = started.and_then(|mut server| {
            server.notification(
                |m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end",
                deadline,
            )?;
            Ok(server)
        });
        let mut server = match indexed {
            Ok(server) => server,
            Err(stop) => {
                measured.stop = Some(stop);
                break;
            }
        };
        measured.samples.push(start.elapsed());
        if run + 1 == runs {
            let uri = "file:///bench/opened.yin";
            server.notify(
                "textDocument/didOpen",
                json!({ "textDocument": { "uri": uri, "languageId": "yin", "version": 1, "text": text } }),
            );
            peak = match server.diagnostics(uri, 1, Instant::now() + limits.cap) {
                Ok(_) => Cell::Kib(server::peak_kib(server.pid())),
                Err(_) => Cell::Text("-".to_owned()),
            };
        }
        server.exit(Duration::from_secs(5));
    }
    (measured, peak)
}
