//! End-to-end tests of the `yin` command line: the real binary, real files, exit codes and output.

mod authority;
mod check;
mod datoms;
mod eval;
mod hostile;
mod query;
mod runaway;
mod torture;

use std::path::Path;
use std::process::Command;

/// What a `yin` run did: exit code, stdout and stderr.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// All of it as one text for snapshot comparison, with `dir` shown as `$DIR`.
    fn render(&self, dir: &Path) -> String {
        let dir = dir.display().to_string();
        format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            self.code,
            self.stdout.replace(&dir, "$DIR"),
            self.stderr.replace(&dir, "$DIR")
        )
    }
}

fn yin(args: &[&str], cwd: &Path) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_yin"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("the yin binary runs");
    Run {
        code: out
            .status
            .code()
            .expect("yin exited rather than being killed by a signal"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// A temporary folder holding `files` (path, contents).
fn workspace(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (path, contents) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("a file has a parent")).expect("mkdir");
        std::fs::write(path, contents).expect("write");
    }
    dir
}
