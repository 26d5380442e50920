//! A repository set against its linter (issue 14 items 2 and 5): rule and configuration files
//! that are links to secrets or devices, a FIFO, oversized files, and a rule whose parse error
//! would quote megabytes. `yin check` reads none of them, says why on the file, ends promptly,
//! and quotes no more than a short excerpt. docs/reliability.md states the guarantees.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::workspace;

const SECRET: &str = "hunter2-very-secret-token";

/// Runs `yin check` in `dir` with a secret in its environment; kills it after 20 s.
/// Returns exit code, stdout and stderr.
fn check(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_yin"))
        .arg("check")
        .args(args)
        .env("YIN_TEST_SECRET", SECRET)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("yin starts");
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().expect("waitable").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`yin check` was still running after 20 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn link(target: &str, at: &Path) {
    std::fs::create_dir_all(at.parent().expect("a parent")).expect("mkdir");
    std::os::unix::fs::symlink(target, at).expect("symlink");
}

#[test]
fn rule_files_linked_out_of_the_workspace_are_not_read() {
    let ws = workspace(&[("a.yin", b"(def x 1)\n"), (".yin/rules/ok.edn", b"[]")]);
    link("/proc/self/environ", &ws.path().join(".yin/rules/env.edn"));
    link("/etc/passwd", &ws.path().join(".yin/rules/passwd.edn"));
    for format in ["text", "json"] {
        let (code, stdout, stderr) = check(ws.path(), &["--format", format, "a.yin"]);
        let all = format!("{stdout}{stderr}");
        assert!(
            !all.contains(SECRET),
            "{format}: the environment leaked: {all}"
        );
        assert!(
            !all.contains("root:"),
            "{format}: /etc/passwd leaked: {all}"
        );
        assert_eq!(code, Some(1), "{all}");
        assert_eq!(
            all.matches("not read: resolves outside the workspace")
                .count(),
            2,
            "{format}: {all}"
        );
    }
}

#[test]
fn a_fifo_or_device_as_configuration_neither_hangs_nor_exhausts_memory() {
    let ws = workspace(&[("a.yin", b"(def x 1)\n")]);
    let config = ws.path().join(".yin/config.edn");
    std::fs::create_dir_all(config.parent().expect("a parent")).expect("mkdir");
    let made = Command::new("mkfifo")
        .arg(&config)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let (code, stdout, _) = check(ws.path(), &["a.yin"]);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.contains("config.edn:1:1: error[config] not read: not a regular file"),
        "{stdout}"
    );

    // Inside the workspace but no regular file: a link to a device in the workspace's tree.
    std::fs::remove_file(&config).expect("rm");
    link("/dev/zero", &config);
    let (_, stdout, _) = check(ws.path(), &["a.yin"]);
    assert!(stdout.contains("error[config] not read:"), "{stdout}");

    // A regular file too large to be a configuration.
    std::fs::remove_file(&config).expect("rm");
    let big = std::fs::File::create(&config).expect("create");
    big.set_len(2 << 20).expect("sparse file");
    let (_, stdout, _) = check(ws.path(), &["a.yin"]);
    assert!(
        stdout.contains("not read: larger than 1048576 bytes"),
        "{stdout}"
    );
}

#[test]
fn named_files_that_are_devices_or_oversized_are_refused() {
    let ws = workspace(&[]);
    let big = std::fs::File::create(ws.path().join("big.yin")).expect("create");
    big.set_len(65 << 20).expect("sparse file");
    let (code, _, stderr) = check(ws.path(), &["big.yin", "/dev/zero"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("big.yin: larger than 67108864 bytes"),
        "{stderr}"
    );
    assert!(stderr.contains("/dev/zero: not a regular file"), "{stderr}");
}

#[test]
fn parse_errors_quote_a_short_escaped_excerpt() {
    let token = format!("##{}\u{1}{}", "A".repeat(30), "B".repeat(100_000));
    let ws = workspace(&[
        ("a.yin", b"(def x 1)\n"),
        (".yin/rules/long.edn", token.as_bytes()),
    ]);
    let (_, stdout, _) = check(ws.path(), &["a.yin"]);
    let line = stdout
        .lines()
        .find(|l| l.contains("long.edn"))
        .expect("the rule file's problem");
    assert!(line.len() < 200, "{} bytes: {line}", line.len());
    assert!(line.contains("invalid token `##AAAA"), "{line}");
    assert!(line.contains('…'), "{line}");
}
