//! Times what a live evaluation of a large result costs on the machine's side, for
//! docs/benchmarks.md: the evaluation itself (`begin` and `advance_live` in slices, as the server
//! runs it), printing the result cut at 10,000 characters, and the inspector's first and last
//! pages. `cargo run --release -p yin-vm --example live [FORM ...] [--runs N]` (default: the
//! three ways of making a million-element vector). Each figure is the median of the runs.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line tool reports on stdout and stderr"
)]

use std::process::ExitCode;
use std::time::{Duration, Instant};

use text_size::TextSize;
use vm::{CountingAlloc, Discard, Ending, Limits, PrintLimits, Session, SourceId, pr_limited};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

/// Steps per slice, as the server's evaluation thread runs them.
const SLICE: u64 = 20_000;

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs.get(xs.len() / 2).copied().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut runs = 11;
    let mut forms = Vec::new();
    let mut i = 0;
    while i < args.len() {
        if args[i] == "--runs" {
            match args.get(i + 1).and_then(|n| n.parse().ok()) {
                Some(n) if n > 0 => runs = n,
                _ => {
                    eprintln!("usage: live [FORM ...] [--runs N]");
                    return ExitCode::from(2);
                }
            }
            i += 2;
        } else {
            forms.push(args[i].clone());
            i += 1;
        }
    }
    if forms.is_empty() {
        forms = [
            "(range 1000000)",
            "(vec (range 1000000))",
            "(into [] (range 1000000))",
        ]
        .map(str::to_owned)
        .to_vec();
    }
    println!("| form | evaluate | print (10,000 chars) | first page | last page |");
    println!("|---|---|---|---|---|");
    for form in &forms {
        let mut session = Session::new();
        let (mut eval, mut print, mut first, mut last) = (vec![], vec![], vec![], vec![]);
        for _ in 0..runs {
            let started = Instant::now();
            session.begin(SourceId(0), TextSize::from(0), form, &Limits::live());
            let done = loop {
                if let Some(done) = session.advance_live(SLICE, &mut Discard) {
                    break done;
                }
            };
            eval.push(started.elapsed());
            let v = match done.ending {
                Ending::Value(v) => v,
                other => {
                    eprintln!("{form}: {other:?}");
                    return ExitCode::FAILURE;
                }
            };
            let started = Instant::now();
            let printed = pr_limited(&v, &PrintLimits::RESULT);
            print.push(started.elapsed());
            std::hint::black_box(printed);
            let started = Instant::now();
            let page = session.page(&v, 0, 100);
            first.push(started.elapsed());
            let count = page.count;
            let started = Instant::now();
            std::hint::black_box(session.page(&v, count.saturating_sub(100), 100));
            last.push(started.elapsed());
        }
        println!(
            "| `{form}` | {} | {} | {} | {} |",
            ms(median(eval)),
            ms(median(print)),
            ms(median(first)),
            ms(median(last))
        );
    }
    ExitCode::SUCCESS
}
