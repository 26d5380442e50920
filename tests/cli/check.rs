//! `yin check`: syntax findings, formats, folder walking and exit codes (design.md section 8).

use expect_test::expect;

use super::{workspace, yin};

#[test]
fn clean_file_exits_zero_silently() {
    let ws = workspace(&[("ok.yin", b"(defn add [x y] (+ x y))\n(add 1 2)\n")]);
    let run = yin(&["check", "ok.yin"], ws.path());
    expect![[r#"
        exit: 0
        --- stdout
        --- stderr
    "#]]
    .assert_eq(&run.render(ws.path()));
}

#[test]
fn syntax_errors_are_reported_with_one_based_positions() {
    let ws = workspace(&[(
        "bad.yin",
        "(def x 1)\n(defn f [a]\n  (+ a 1)\n\n(def 😀 \"ok\")) )\n".as_bytes(),
    )]);
    let run = yin(&["check", "bad.yin"], ws.path());
    expect![[r#"
        exit: 1
        --- stdout
        bad.yin:5:15: error[syntax] unexpected `)`
        --- stderr
    "#]]
    .assert_eq(&run.render(ws.path()));
}

#[test]
fn json_format_has_ranges() {
    let ws = workspace(&[("bad.yin", b"[1 2\n")]);
    let run = yin(&["check", "--format", "json", "bad.yin"], ws.path());
    expect![[r#"
        exit: 1
        --- stdout
        [
          {
            "column": 1,
            "endColumn": 2,
            "endLine": 1,
            "file": "bad.yin",
            "line": 1,
            "message": "unclosed `[`",
            "rule": "syntax",
            "severity": "error"
          }
        ]
        --- stderr
    "#]]
    .assert_eq(&run.render(ws.path()));
}

#[test]
fn folders_are_searched_for_yin_files_and_named_files_taken_as_is() {
    let ws = workspace(&[
        ("src/a.yin", b"(+ 1"),
        ("src/nested/b.yin", b")"),
        ("src/notes.txt", b"(((("),
        ("other.clj", b"(]"),
        ("src/.hidden/c.yin", b"(("),
    ]);
    let run = yin(&["check", "src", "other.clj"], ws.path());
    expect![[r#"
        exit: 1
        --- stdout
        other.clj:1:2: error[syntax] mismatched `]`: expected `)` to close the `(` on line 1
        src/a.yin:1:1: error[syntax] unclosed `(`
        src/nested/b.yin:1:1: error[syntax] unexpected `)`
        --- stderr
    "#]]
    .assert_eq(&run.render(ws.path()));
}

#[test]
fn invalid_utf8_is_a_finding_not_a_crash() {
    let ws = workspace(&[("latin1.yin", b"(str \"caf\xe9\")\n")]);
    let run = yin(&["check", "latin1.yin"], ws.path());
    expect![[r#"
        exit: 1
        --- stdout
        latin1.yin:1:10: error[syntax] invalid UTF-8: yin source files must be UTF-8 encoded
        --- stderr
    "#]]
    .assert_eq(&run.render(ws.path()));
}

#[test]
fn missing_path_is_an_io_error_with_exit_two() {
    let ws = workspace(&[("ok.yin", b"1")]);
    let run = yin(&["check", "ok.yin", "nope.yin"], ws.path());
    expect![[r#"
        exit: 2
        --- stdout
        --- stderr
        error: nope.yin: No such file or directory (os error 2)
    "#]]
    .assert_eq(&run.render(ws.path()));
}

#[test]
fn usage_errors_exit_two() {
    let ws = workspace(&[]);
    assert_eq!(yin(&["check"], ws.path()).code, 2);
    assert_eq!(yin(&["check", "--format", "xml", "."], ws.path()).code, 2);
    assert_eq!(yin(&["frobnicate"], ws.path()).code, 2);
}
