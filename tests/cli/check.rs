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

#[test]
fn built_in_rules_report_with_rule_ids() {
    let ws = workspace(&[(
        "lint.yin",
        b"(defn f [x unused] (let [y 1] (f x)))\n(f 1 2 3)\n(if true 1 2)\n(do (f 1 2))\n{:a 1 :a 2}\n(defn f [] nope)\n",
    )]);
    let run = yin(&["check", "lint.yin"], ws.path());
    expect![[r#"
        exit: 1
        --- stdout
        lint.yin:1:12: warning[unused-param] parameter unused is never used
        lint.yin:1:26: warning[unused-binding] y is bound but never used
        lint.yin:1:31: error[arity] f called with too few arguments
        lint.yin:2:1: error[arity] f called with too many arguments
        lint.yin:3:5: warning[constant-test] the test is always true
        lint.yin:4:1: warning[redundant-do] do with a single expression is redundant
        lint.yin:5:7: error[duplicate-key] duplicate key :a
        lint.yin:6:1: warning[duplicate-def] f is already defined
        lint.yin:6:12: error[unresolved-symbol] unresolved symbol nope
        --- stderr
    "#]]
    .assert_eq(&run.render(ws.path()));
}

/// Workspace rules: a good one, one that fails to read, one that fails to plan, the
/// configuration turning a built-in rule off and another down to a hint, and a suppression.
#[test]
fn workspace_rules_configuration_and_suppression() {
    let ws = workspace(&[
        (
            "proj/.yin/rules/style.edn",
            br#"[{:id :no-println
  :severity :info
  :message "{?name} left in"
  :query [:find ?call ?name :where [?call :yin/operator ?op] [?op :yin/name ?name]
                                  [(= ?name println)]]}
 {:id :broken
  :severity :warning
  :message "never"
  :query [:find ?x :where [?y :yin/type :if]]}]
"#,
        ),
        ("proj/.yin/rules/unreadable.edn", b"{:id :oops :query [:find"),
        (
            "proj/.yin/config.edn",
            b"{:lints {:unused-binding :off :shadowed-binding :hint :no-such-rule :off}}",
        ),
        (
            "proj/src/a.yin",
            b"(println (let [x 1] 2))\n(defn g [a] (let [a 2] a))\n; yin: ignore unused-param\n(defn h [b] 1)\n(defn k [c] 1)\n",
        ),
    ]);
    let run = yin(&["check", "proj/src"], ws.path());
    expect![[r#"
        exit: 1
        --- stdout
        proj/src/a.yin:1:1: info[no-println] println left in
        proj/src/a.yin:2:10: warning[unused-param] parameter a is never used
        proj/src/a.yin:2:19: hint[shadowed-binding] a shadows an outer binding of the same name
        proj/src/a.yin:5:10: warning[unused-param] parameter c is never used
        proj/.yin/rules/style.edn:9:10: error[rule] unbound variable ?x in :find/:with (no clause binds it)
        proj/.yin/rules/unreadable.edn:1:25: error[rule] unclosed `[` opened at 1:19
        proj/.yin/config.edn:1:55: error[config] no rule has the id no-such-rule
        --- stderr
    "#]].assert_eq(&run.render(ws.path()));
}

#[test]
fn rules_folder_from_the_command_line_and_budget() {
    let ws = workspace(&[
        (
            "rules/runaway.edn",
            br#"{:id :runaway
 :severity :warning
 :message "never"
 :rules [[(up ?n ?m) [?n :yin/type _] [(identity ?n) ?m]]
         [(up ?n ?m) (up ?n ?k) [(inc ?k) ?m]]]
 :query [:find ?n :in $ % :where (up ?n ?m) [(< ?m 0)]]}
"#,
        ),
        ("ok.yin", b"(+ 1 2)\n"),
    ]);
    let run = yin(&["check", "--rules", "rules", "ok.yin"], ws.path());
    expect![[r#"
        exit: 1
        --- stdout
        ok.yin:1:1: error[rule] rule runaway (rules/runaway.edn:1:1) stopped on this file: budget exceeded: deadline passed; its findings are missing
        --- stderr
    "#]]
    .assert_eq(&run.render(ws.path()));
    let missing = yin(&["check", "--rules", "nope", "ok.yin"], ws.path());
    expect![[r#"
        exit: 2
        --- stdout
        --- stderr
        error: nope: not a folder of rules
    "#]]
    .assert_eq(&missing.render(ws.path()));
}
