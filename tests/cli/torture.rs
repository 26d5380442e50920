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

/// The torture files, shared with the server's tests.
use test_support::torture as files;

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
    // Tens of thousands of openers and nothing else: every one is counted (the first 99 listed,
    // then how many more: a chunk reports at most 100 syntax errors), and the program, being
    // unreadable, is not run.
    let [check, _, eval] = torture("(".repeat(50_000).as_bytes(), [1, 0, 1]);
    assert_eq!(check.stdout.matches("unclosed `(`").count(), 99);
    assert!(
        check
            .stdout
            .contains("49901 more syntax errors in this form"),
        "{}",
        check.stdout
    );
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

// ---- Hostile programs and saved states (issue 14 items 1, 6, 7, 14) ----

/// A loop that captures a continuation per iteration, each holding the previous one in its
/// frame; `wrap` puts each in a vector first. Dropping the chain used to overflow the stack.
fn continuation_chain(n: u32, wrap: bool) -> String {
    let capture = if wrap {
        "[(call/cc (fn [c] c))]"
    } else {
        "(call/cc (fn [c] c))"
    };
    format!("(loop [i 0 k nil] (if (< i {n}) (recur (inc i) {capture}) k))")
}

#[test]
fn long_continuation_chains_are_dropped_without_the_stack() {
    for wrap in [false, true] {
        let ws = workspace(&[]);
        let program = format!("(count [{}])", continuation_chain(300_000, wrap));
        // Unguarded: a debug build on a loaded machine needs more than the watchdog allows; a
        // stack overflow is still caught (`yin` fails on a signal).
        let run = super::yin(&["eval", "-e", &program], ws.path());
        assert_eq!(
            (run.code, run.stdout.as_str()),
            (0, "1\n"),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn a_state_holding_long_continuation_chains_saves_and_resumes() {
    // Writing used to overflow at 8,000; 30,000 keeps the debug-build test quick (300,000 is
    // checked with the release binary, docs/reliability.md).
    let program = format!(
        "(def k {})\n(def v {})\n(def got (park))\n[got (count [k v])]\n",
        continuation_chain(30_000, false),
        continuation_chain(30_000, true)
    );
    let ws = workspace(&[("p.yin", program.as_bytes())]);
    let first = super::yin(&["eval", "p.yin", "--save-state", "s.json"], ws.path());
    assert_eq!(first.code, 0, "{}", first.stderr);
    let second = super::yin(&["resume", "s.json", "--value", "7"], ws.path());
    assert_eq!(
        (second.code, second.stdout.as_str()),
        (0, "[7 2]\n"),
        "{}",
        second.stderr
    );
}

#[test]
fn maps_nested_as_keys_hash_in_linear_time() {
    let ws = workspace(&[]);
    let nest = |n: u32| format!("(loop [i 0 m {{}}] (if (< i {n}) (recur (inc i) {{m 1}}) m))");
    let forty = format!(
        "(let [m {}] [(count m) (= m {}) (get {{m 2}} m)])",
        nest(40),
        nest(40)
    );
    let run = guarded(&["eval", "--timeout-ms", "5000", "-e", &forty], ws.path());
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "[1 true 2]\n"),
        "{}",
        run.stderr
    );
    // Deeper than values may nest: a prompt limit error, not an endless hash.
    let deep = format!("(count {})", nest(10_000));
    let run = guarded(&["eval", "--timeout-ms", "5000", "-e", &deep], ws.path());
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("nested too deeply"), "{}", run.stderr);
}

#[test]
fn error_messages_quote_values_cut_short() {
    let ws = workspace(&[]);
    let run = super::yin(&["eval", "-e", "(+ 1 (vec (range 9000000)))"], ws.path());
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.len() < 400,
        "{} bytes on stderr",
        run.stderr.len()
    );
    assert!(
        run.stderr
            .starts_with("error: <-e>:1:1: +: expected a number, got vector [0 1 2 3 "),
        "{}",
        run.stderr
    );
    assert!(run.stderr.trim_end().ends_with("..."), "{}", run.stderr);
}

/// The hash a saved state carries, as the writer computes it (FNV-1a over the text with the
/// hash's 16 digits read as zeros), so a test can forge a well-hashed hostile document and reach
/// the reader's validation.
fn rehash(doc: &serde_json::Value) -> String {
    let mut doc = doc.clone();
    let fields = doc.as_object_mut().expect("an object");
    fields.remove("format");
    fields.remove("hash");
    // `serde_json::Value` sorts keys; the document must start with its format and hash.
    let rest = serde_json::to_string(&doc).expect("serialisable");
    let prefix = r#"{"format":"yin-vm/2","hash":""#;
    let with = |digits: &str| format!("{prefix}{digits}\",{}", &rest[1..]);
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in with("0000000000000000").bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    with(&format!("{h:016x}"))
}

/// A state saved by the real binary, parsed for editing.
fn saved(program: &str) -> (tempfile::TempDir, serde_json::Value) {
    let ws = workspace(&[("p.yin", program.as_bytes())]);
    let run = guarded(&["eval", "p.yin", "--save-state", "s.json"], ws.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(ws.path().join("s.json")).expect("saved");
    let doc = serde_json::from_str(&text).expect("JSON");
    (ws, doc)
}

/// Resumes `text` and returns the run, which must end without a signal (unguarded: a debug
/// build on a loaded machine can need more than the watchdog to read 300,000 entries).
fn resume_text(ws: &tempfile::TempDir, text: &str) -> super::Run {
    std::fs::write(ws.path().join("t.json"), text).expect("write");
    super::yin(&["resume", "t.json", "--value", "20"], ws.path())
}

const PROGRAM: &str = "(defn f [x] (let [y (inc x)] (* y 2)))\n\
    (defn g [n] (loop [i 0] (if (< i n) (recur (inc i)) i)))\n\
    (def got (park))\n[(f got) (g 3)]\n";

/// The first code entry whose operation is `op`.
fn code_entry<'a>(doc: &'a mut serde_json::Value, op: &str) -> &'a mut serde_json::Value {
    doc["code"]
        .as_array_mut()
        .expect("a code table")
        .iter_mut()
        .find(|c| c["op"].get(op).is_some())
        .map(|c| &mut c["op"][op])
        .expect("such an entry")
}

fn refused(run: &super::Run, why: &str) {
    assert_eq!(run.code, 1, "stdout {} stderr {}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("not a saved yin state"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(why), "{}", run.stderr);
}

#[test]
fn a_faithful_state_resumes() {
    let (ws, doc) = saved(PROGRAM);
    let run = resume_text(&ws, &rehash(&doc));
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "[42 3]\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_state_with_one_integer_changed_is_refused() {
    let (ws, mut doc) = saved(PROGRAM);
    let original = rehash(&doc);
    let hash = original[29..45].to_owned();
    let slot = code_entry(&mut doc, "let").get_mut("slot").expect("a slot");
    *slot = (slot.as_u64().expect("a number") + 1).into();
    // The edited document with the hash of the original: the edit alone must be caught.
    let mut edited = rehash(&doc);
    edited.replace_range(29..45, &hash);
    assert_eq!(original.len(), edited.len());
    assert_ne!(original, edited);
    refused(&resume_text(&ws, &edited), "the hash does not match");
}

#[test]
fn states_with_huge_slots_are_refused() {
    for (op, field) in [("let", "slot"), ("recur", "first_slot"), ("local", "")] {
        let (ws, mut doc) = saved(PROGRAM);
        let entry = code_entry(&mut doc, op);
        match entry.get_mut(field) {
            Some(slot) => *slot = u32::MAX.into(),
            None => *entry = u32::MAX.into(),
        }
        refused(&resume_text(&ws, &rehash(&doc)), "slot 4294967");
    }
}

#[test]
fn states_with_cycles_are_refused() {
    // A vector that holds itself.
    let (ws, mut doc) = saved(PROGRAM);
    let values = doc["values"].as_array_mut().expect("values");
    let me = values.len();
    values.push(serde_json::json!({"vector": [{"ref": me}]}));
    doc["store"]["globals"]
        .as_array_mut()
        .expect("globals")
        .push(serde_json::json!(["cyclic", false, {"ref": me}]));
    refused(&resume_text(&ws, &rehash(&doc)), "cycle");
    // An exception that is its own cause.
    let (ws, mut doc) = saved(PROGRAM);
    let values = doc["values"].as_array_mut().expect("values");
    let me = values.len();
    values.push(serde_json::json!(
        {"ex": {"message": "m", "data": "nil", "cause": {"ref": me}, "kind": null}}
    ));
    doc["store"]["atoms"] = serde_json::json!([{"ref": me}]);
    refused(&resume_text(&ws, &rehash(&doc)), "cycle");
    // Code that contains itself.
    let (ws, mut doc) = saved(PROGRAM);
    doc["code"]
        .as_array_mut()
        .expect("code")
        .push(serde_json::json!({"id": 999_999, "span": [0, 0], "op": {"do": [999_999, 999_999]}}));
    doc["control"] = serde_json::json!({"eval": 999_999});
    refused(&resume_text(&ws, &rehash(&doc)), "cycle");
}

#[test]
fn states_with_broken_library_frames_are_refused() {
    for (op, idx, why) in [
        ("no-such-op", 0_u64, "unknown library frame no-such-op"),
        ("iterate", u64::MAX, "library frame iterate at"),
    ] {
        let (ws, mut doc) = saved(PROGRAM);
        let konts = doc["konts"].as_array_mut().expect("konts");
        konts.push(serde_json::json!({"next": null, "frame": {"lib": {
            "op": op, "f": "nil", "items": [], "idx": idx, "acc": "nil", "extra": "nil",
            "span": [0, 0]}}}));
        doc["kont"] = (konts.len() - 1).into();
        refused(&resume_text(&ws, &rehash(&doc)), why);
    }
}

#[test]
fn states_with_300000_long_chains_end_without_a_crash() {
    const N: usize = 300_000;
    // Values: nested past the depth values may have.
    for shape in ["list", "partial", "ex"] {
        let (ws, mut doc) = saved(PROGRAM);
        let values = doc["values"].as_array_mut().expect("values");
        let base = values.len();
        for i in 0..N {
            let inner = if i == 0 {
                serde_json::json!({"int": 1})
            } else {
                serde_json::json!({"ref": base + i - 1})
            };
            values.push(match shape {
                "list" => serde_json::json!({"list": [inner]}),
                "ex" => serde_json::json!(
                    {"ex": {"message": "m", "data": inner, "cause": "nil", "kind": null}}
                ),
                _ => serde_json::json!({"partial": {"f": inner, "args": []}}),
            });
        }
        doc["store"]["globals"]
            .as_array_mut()
            .expect("globals")
            .push(serde_json::json!(["deep", false, {"ref": base + N - 1}]));
        refused(&resume_text(&ws, &rehash(&doc)), "nested too deeply");
    }
    // Code and functions: every other code node makes a function whose body is the previous.
    let (ws, mut doc) = saved(PROGRAM);
    let first = 2_000_000;
    let mut code = Vec::new();
    let mut protos = Vec::new();
    code.push(serde_json::json!({"id": first, "span": [0, 0], "op": {"const": {"int": 5}}}));
    for i in 1..N {
        let op = if i % 2 == 0 {
            serde_json::json!({"do": [first + i - 1, first + i - 1]})
        } else {
            protos.push(serde_json::json!({
                "id": first + i, "name": null, "span": [0, 0],
                "arities": [{"params": 0, "rest": false, "slots": 0, "names": [],
                             "body": first + i - 1}],
                "captures": [], "capture_names": [], "loops": []}));
            serde_json::json!({"fn": first + i})
        };
        code.push(serde_json::json!({"id": first + i, "span": [0, 0], "op": op}));
    }
    protos.push(serde_json::json!({
        "id": first + N, "name": null, "span": [0, 0],
        "arities": [{"params": 0, "rest": false, "slots": 0, "names": [],
                     "body": first + N - 1}],
        "captures": [], "capture_names": [], "loops": []}));
    doc["code"].as_array_mut().expect("code").extend(code);
    doc["protos"].as_array_mut().expect("protos").extend(protos);
    doc["store"]["programs"]
        .as_array_mut()
        .expect("programs")
        .push(serde_json::json!(first + N));
    // Continuation frames: a chain of `def` frames.
    let konts = doc["konts"].as_array_mut().expect("konts");
    let base = konts.len();
    for i in 0..N {
        let next = if i == 0 {
            serde_json::Value::Null
        } else {
            serde_json::json!(base + i - 1)
        };
        konts.push(serde_json::json!({"frame": {"def": {"code": first}}, "next": next}));
    }
    doc["kont"] = serde_json::json!(base + N - 1);
    let run = resume_text(&ws, &rehash(&doc));
    assert!([0, 1].contains(&run.code), "{}", run.stderr);
}
