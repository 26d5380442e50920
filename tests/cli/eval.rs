//! `yin eval`: values, output, errors with locations, limits and exit codes (README.md, "Command line").

use expect_test::expect;

use super::{workspace, yin};

#[test]
fn prints_output_then_the_last_value() {
    let ws = workspace(&[(
        "p.yin",
        b"(defn half [n] (/ n 2))\n(println \"halving\" 5)\n(half 5)\n",
    )]);
    let run = yin(&["eval", "p.yin"], ws.path());
    expect![[r#"
        exit: 0
        --- stdout
        halving 5
        5/2
        --- stderr
    "#]]
    .assert_eq(&run.render(ws.path()));
}

#[test]
fn expression_argument() {
    let ws = workspace(&[]);
    let run = yin(&["eval", "-e", "(conj (rest [1 2 3]) 4)"], ws.path());
    expect![[r#"
        exit: 0
        --- stdout
        [2 3 4]
        --- stderr
    "#]]
    .assert_eq(&run.render(ws.path()));
}

#[test]
fn errors_name_file_line_and_column_and_exit_one() {
    let ws = workspace(&[(
        "bad.yin",
        "(def s \"😀\")\n(defn f [x]\n  (+ x :a))\n(f 1)\n".as_bytes(),
    )]);
    let run = yin(&["eval", "bad.yin"], ws.path());
    expect![[r#"
        exit: 1
        --- stdout
        --- stderr
        error: bad.yin:3:3: +: expected a number, got keyword :a
    "#]]
    .assert_eq(&run.render(ws.path()));
}

#[test]
fn runaway_programs_stop_at_their_limits() {
    let ws = workspace(&[]);
    let fuel = yin(
        &["eval", "--fuel", "10000", "-e", "(loop [] (recur))"],
        ws.path(),
    );
    expect![[r#"
        exit: 1
        --- stdout
        --- stderr
        error: fuel exhausted: the program ran 10000 steps (the fuel limit)
    "#]]
    .assert_eq(&fuel.render(ws.path()));
    let time = yin(
        &["eval", "--timeout-ms", "100", "-e", "(loop [] (recur))"],
        ws.path(),
    );
    expect![[r#"
        exit: 1
        --- stdout
        --- stderr
        error: timeout: the program ran longer than 100 ms
    "#]]
    .assert_eq(&time.render(ws.path()));
}

#[test]
fn a_program_parked_with_nothing_to_run_prints_parked() {
    let ws = workspace(&[]);
    let run = yin(
        &[
            "eval",
            "-e",
            "(let [s (stream/make 5) c (stream/cursor s)] (stream/next! c))",
        ],
        ws.path(),
    );
    expect![[r#"
        exit: 0
        --- stdout
        #<parked stream/next! on an empty stream>
        --- stderr
    "#]]
    .assert_eq(&run.render(ws.path()));
}

#[test]
fn no_ambient_authority() {
    let ws = workspace(&[]);
    let run = yin(&["eval", "-e", "(slurp \"/etc/passwd\")"], ws.path());
    expect![[r#"
        exit: 1
        --- stdout
        --- stderr
        error: <-e>:1:2: unresolved symbol: slurp
    "#]]
    .assert_eq(&run.render(ws.path()));
}

#[test]
fn unreadable_input() {
    let ws = workspace(&[("latin1.yin", b"\"caf\xe9\"")]);
    let bad_utf8 = yin(&["eval", "latin1.yin"], ws.path());
    expect![[r#"
        exit: 1
        --- stdout
        --- stderr
        error: latin1.yin: invalid UTF-8 at byte 4: yin source files must be UTF-8 encoded
    "#]]
    .assert_eq(&bad_utf8.render(ws.path()));
    let missing = yin(&["eval", "nope.yin"], ws.path());
    expect![[r#"
        exit: 2
        --- stdout
        --- stderr
        error: nope.yin: No such file or directory (os error 2)
    "#]]
    .assert_eq(&missing.render(ws.path()));
    let both = yin(&["eval", "x.yin", "-e", "1"], ws.path());
    assert_eq!(both.code, 2);
}

/// Mobility: a program parked in one process is resumed in another to the same result.
#[test]
fn a_parked_program_resumes_in_another_process() {
    let program = "(def base 40)\n(println \"parking\")\n(def got (park))\n(println \"resumed with\" got)\n(+ base got)\n";
    let ws = workspace(&[("p.yin", program.as_bytes())]);
    let first = yin(&["eval", "p.yin", "--save-state", "state.json"], ws.path());
    expect![[r#"
        exit: 0
        --- stdout
        parking
        #<parked park>
        --- stderr
    "#]]
    .assert_eq(&first.render(ws.path()));
    let second = yin(&["resume", "state.json", "--value", "(* 1 2)"], ws.path());
    expect![[r#"
        exit: 0
        --- stdout
        resumed with 2
        42
        --- stderr
    "#]]
    .assert_eq(&second.render(ws.path()));
    let garbage = workspace(&[("state.json", b"{\"not\": \"a state\"}")]);
    let refused = yin(&["resume", "state.json"], garbage.path());
    expect![[r#"
        exit: 1
        --- stdout
        --- stderr
        error: state.json: not a saved yin state: invalid state document: missing field `format` at line 1 column 18
    "#]].assert_eq(&refused.render(garbage.path()));
}

/// Regression (issue 16): `yin eval` said "1:1: syntax error" where `yin check` says what and
/// where.
#[test]
fn syntax_errors_are_as_precise_as_check() {
    let ws = workspace(&[("s.yin", b"(def x 1)\n(str \"abc")]);
    let eval = yin(&["eval", "s.yin"], ws.path());
    let check = yin(&["check", "s.yin"], ws.path());
    expect![[r#"
        exit: 1
        --- stdout
        --- stderr
        error: s.yin:2:6: unterminated string
    "#]]
    .assert_eq(&eval.render(ws.path()));
    expect![[r#"
        exit: 1
        --- stdout
        s.yin:2:6: error[syntax] unterminated string
        --- stderr
    "#]]
    .assert_eq(&check.render(ws.path()));
}

/// Regression (issue 16): `-e -5` was taken for an unknown flag.
#[test]
fn expression_argument_may_start_with_a_hyphen() {
    let ws = workspace(&[]);
    let run = yin(&["eval", "-e", "-5"], ws.path());
    expect![[r#"
        exit: 0
        --- stdout
        -5
        --- stderr
    "#]]
    .assert_eq(&run.render(ws.path()));
}
