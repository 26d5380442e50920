//! Hostile files through the real binary: random bytes, 200,000-deep nesting, unclosed brackets, a
//! 5 MB line, invalid UTF-8 and NUL bytes. `yin check`, `yin datoms` and `yin eval` must each end
//! on their own with exit 0, 1 or 2 (never a signal: no panic, no stack overflow), explain any
//! failure, and give the exit status the file calls for. A watchdog kills a run that
//! takes longer than [`WATCHDOG`]: it turns a hang into a failure, it is not a timing assertion.
//! The language server's side of the same files is in `tests/lsp/torture.rs`.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::workspace;

const WATCHDOG: Duration = Duration::from_secs(20);

/// The torture files, shared with the server's tests (`tests/lsp/torture.rs` includes this).
#[allow(dead_code)]
pub(crate) mod files {
    include!("../torture_files.rs");
}

/// What a guarded run did: the exit code and both streams, lossily decoded.
struct Ended {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `yin args` in `cwd`, killing it (and failing) if it outlives the watchdog. The streams are
/// drained on threads so a large output cannot block the child.
fn guarded(args: &[&str], cwd: &Path) -> Ended {
    let mut child = Command::new(env!("CARGO_BIN_EXE_yin"))
        .args(args)
        .current_dir(cwd)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the yin binary runs");
    let drain = |stream: Option<Box<dyn Read + Send>>| {
        thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut stream) = stream {
                stream.read_to_end(&mut bytes).expect("the pipe reads");
            }
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let status = wait_or_kill(&mut child, args);
    Ended {
        code: status
            .code()
            .unwrap_or_else(|| panic!("yin {args:?} was killed by a signal: {status:?}")),
        stdout: stdout.join().expect("stdout drained"),
        stderr: stderr.join().expect("stderr drained"),
    }
}

fn wait_or_kill(child: &mut Child, args: &[&str]) -> std::process::ExitStatus {
    let deadline = Instant::now() + WATCHDOG;
    loop {
        if let Some(status) = child.try_wait().expect("waitable") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("yin {args:?} still ran after {WATCHDOG:?}");
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// Runs check, datoms and eval on `bytes` and compares each exit code with `expected`
/// (check, datoms, eval); a failing run must say why on stderr.
fn torture(bytes: &[u8], expected: [i32; 3]) -> [Ended; 3] {
    let ws = workspace(&[("t.yin", bytes)]);
    let runs = ["check", "datoms", "eval"].map(|command| guarded(&[command, "t.yin"], ws.path()));
    for (run, (command, want)) in runs
        .iter()
        .zip(["check", "datoms", "eval"].iter().zip(expected))
    {
        assert_eq!(
            run.code,
            want,
            "yin {command}: stderr {}",
            run.stderr.chars().take(500).collect::<String>()
        );
        if run.code != 0 {
            // `check` reports findings on stdout; the others explain on stderr.
            let said = if *command == "check" {
                &run.stdout
            } else {
                &run.stderr
            };
            assert!(!said.trim().is_empty(), "yin {command} failed silently");
        }
    }
    runs
}

#[test]
fn random_bytes() {
    for seed in 1..=3 {
        let [check, _, eval] = torture(&files::random_bytes(seed, 20_000), [1, 0, 1]);
        assert!(check.stdout.contains("invalid UTF-8"), "{}", check.stdout);
        assert!(eval.stderr.contains("invalid UTF-8"), "{}", eval.stderr);
    }
}

#[test]
fn random_text_from_the_language_alphabet() {
    // Bytes drawn from yin's own punctuation and tokens reach much further than uniform noise.
    for seed in 1..=3 {
        let text = files::random_tokens(seed, 20_000);
        let ws = workspace(&[("t.yin", text.as_bytes())]);
        for command in ["check", "datoms", "eval"] {
            let run = guarded(&[command, "t.yin"], ws.path());
            assert!(
                [0, 1].contains(&run.code),
                "yin {command} on seed {seed}: exit {}",
                run.code
            );
        }
    }
}

#[test]
fn nesting_200_000_deep() {
    for (open, close) in [("(", ")"), ("[", "]"), ("{", "}"), ("#{", "}"), ("'", "")] {
        let text = files::nested(open, close, 200_000);
        let [check, _, eval] = torture(text.as_bytes(), [1, 0, 1]);
        assert!(check.stdout.contains("too deeply nested"), "{open}");
        assert!(eval.stderr.contains("too deeply nested"), "{open}");
    }
}

#[test]
fn unclosed_brackets() {
    let [check, _, eval] = torture(files::UNCLOSED.as_bytes(), [1, 0, 1]);
    assert!(check.stdout.contains("unclosed `(`"), "{}", check.stdout);
    assert!(eval.stderr.starts_with("error: t.yin:"), "{}", eval.stderr);
    // Tens of thousands of openers and nothing else: every one is reported, and the program,
    // being unreadable, is not run.
    let [check, _, eval] = torture("(".repeat(50_000).as_bytes(), [1, 0, 1]);
    assert_eq!(check.stdout.matches("unclosed `(`").count(), 50_000);
    assert!(eval.stderr.contains("error: t.yin:1:"), "{}", eval.stderr);
}

#[test]
fn a_5_mb_single_line() {
    let [_, _, eval] = torture(files::long_line().as_bytes(), [1, 0, 1]);
    assert!(
        eval.stderr.contains("unresolved symbol: zzzz"),
        "{}",
        eval.stderr
    );
    let text = files::long_string_line();
    assert!(!text.trim_end().contains('\n') && text.len() > 5_000_000);
    let [_, _, eval] = torture(text.as_bytes(), [0, 0, 0]);
    assert_eq!(eval.stdout, "5000000\n");
}

#[test]
fn invalid_utf8() {
    let [check, datoms, eval] = torture(files::INVALID_UTF8, [1, 0, 1]);
    assert!(check.stdout.contains("invalid UTF-8"), "{}", check.stdout);
    assert!(datoms.stderr.contains("error(s) in the source"));
    assert!(
        eval.stderr.contains("invalid UTF-8 at byte 8"),
        "{}",
        eval.stderr
    );
}

#[test]
fn nul_bytes() {
    let [check, _, eval] = torture(files::NUL_BYTES, [1, 0, 1]);
    assert!(
        check.stdout.contains("t.yin:2:1: error[syntax]"),
        "{}",
        check.stdout
    );
    assert!(eval.stderr.contains("t.yin:2:1:"), "{}", eval.stderr);
}
