//! `yin check`: syntax findings, formats, folder walking and exit codes (README.md, "Command line").

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
        bad.yin:2:1: error[syntax] unclosed `(`
        bad.yin:5:13: error[syntax] unexpected `)`
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
        ok.yin:1:1: error[rule] rule runaway (rules/runaway.edn:1:1) stopped on this file: budget exceeded: time limit of 2s passed; its findings are missing
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

/// A runaway rule: counts up from every node of the file, one round per number (issue 14).
fn runaway(id: &str) -> String {
    format!(
        "{{:id :{id}\n :severity :warning\n :message \"never\"\n :rules [[(up ?n ?m) [?n :yin/type _] [(identity ?n) ?m]]\n         [(up ?n ?m) (up ?n ?k) [(inc ?k) ?m]]]\n :query [:find ?n :in $ % :where (up ?n ?m) [(< ?m 0)]]}}\n"
    )
}

/// Issue 14, item 3: a rule that multiplies a string 1,024-fold per round aborted `yin check`
/// asking for 4 GiB; the byte budget stops it before the allocation.
#[test]
fn a_rule_growing_a_string_stops_at_the_byte_budget() {
    let fold = vec!["?s"; 1024].join(" ");
    let rule = format!(
        "{{:id :grow :severity :warning :message \"never\"\n :rules [[(grow ?s) [(ground \"a\") ?s]] [(grow ?t) (grow ?s) [(str {fold}) ?t]]]\n :query [:find ?s :in $ % :where (grow ?s) [(= ?s \"\")]]}}\n"
    );
    let ws = workspace(&[
        (".yin/rules/grow.edn", rule.as_bytes()),
        ("ok.yin", b"(+ 1 2)\n"),
    ]);
    let run = yin(&["check", "ok.yin"], ws.path());
    expect![[r#"
        exit: 1
        --- stdout
        ok.yin:1:1: error[rule] rule grow ($DIR/.yin/rules/grow.edn:1:1) stopped on this file: budget exceeded: more than 268435456 bytes of values created; its findings are missing
        --- stderr
    "#]]
    .assert_eq(&run.render(ws.path()));
}

/// Issue 14, item 4: a chain of 1,000 rules, each calling the next, took 128 s per file to
/// stratify, and 10,000 still ran at 120 s (loading a rule looked up the rules it calls by
/// scanning them all); planning and loading are now linear and the chain, deeper than
/// evaluation may recurse, is a clear error on the rule.
#[test]
fn a_long_chain_of_rules_is_refused_quickly() {
    let mut rules = String::new();
    for i in 0..10_000 {
        rules.push_str(&format!("[(r{i} ?x) (r{} ?x)]\n", i + 1));
    }
    rules.push_str("[(r10000 ?x) [?x :yin/type _]]");
    let rule = format!(
        "{{:id :chain :severity :warning :message \"m\"\n :rules [{rules}]\n :query [:find ?x :in $ % :where (r0 ?x)]}}\n"
    );
    let ws = workspace(&[
        (".yin/rules/chain.edn", rule.as_bytes()),
        ("ok.yin", b"(+ 1 2)\n"),
    ]);
    let started = std::time::Instant::now();
    let run = yin(&["check", "ok.yin"], ws.path());
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    expect![[r#"
        exit: 1
        --- stdout
        ok.yin:1:1: error[rule] rule chain ($DIR/.yin/rules/chain.edn:1:1) failed on this file: rules call each other 10001 levels deep through r0, more than the 64 the evaluator allows; its findings are missing
        --- stderr
    "#]]
    .assert_eq(&run.render(ws.path()));
}

/// Issue 14, item 13: twenty slow rules took two seconds each per file. They now share the
/// file's budget: the first runs it out, the others are reported once each as not run, and the
/// findings of the rules that ran still arrive, in text and in JSON.
#[test]
fn slow_rules_share_one_budget_per_file() {
    let rules: Vec<(String, String)> = (1..=20)
        .map(|i| {
            let id = format!("slow-{i:02}");
            (format!(".yin/rules/{id}.edn"), runaway(&id))
        })
        .collect();
    let mut files: Vec<(&str, &[u8])> = rules
        .iter()
        .map(|(path, text)| (path.as_str(), text.as_bytes()))
        .collect();
    files.push(("a.yin", b"(let [x 1] 2)\n"));
    files.push(("b.yin", b"(+ 1 2)\n"));
    let ws = workspace(&files);
    let started = std::time::Instant::now();
    let run = yin(&["check", "a.yin", "b.yin"], ws.path());
    assert!(
        started.elapsed() < std::time::Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    expect![[r#"
        exit: 1
        --- stdout
        a.yin:1:1: error[rule] rule slow-01 ($DIR/.yin/rules/slow-01.edn:1:1) stopped on this file: budget exceeded: time limit of 2s passed; its findings are missing
        a.yin:1:1: error[rule] rule slow-02 ($DIR/.yin/rules/slow-02.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 2s passed); its findings are missing
        a.yin:1:1: error[rule] rule slow-03 ($DIR/.yin/rules/slow-03.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 2s passed); its findings are missing
        a.yin:1:1: error[rule] rule slow-04 ($DIR/.yin/rules/slow-04.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 2s passed); its findings are missing
        a.yin:1:1: error[rule] rule slow-05 ($DIR/.yin/rules/slow-05.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 2s passed); its findings are missing
        a.yin:1:1: error[rule] rule slow-06 ($DIR/.yin/rules/slow-06.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 2s passed); its findings are missing
        a.yin:1:1: error[rule] rule slow-07 ($DIR/.yin/rules/slow-07.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 2s passed); its findings are missing
        a.yin:1:1: error[rule] rule slow-08 ($DIR/.yin/rules/slow-08.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 2s passed); its findings are missing
        a.yin:1:1: error[rule] rule slow-09 ($DIR/.yin/rules/slow-09.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 2s passed); its findings are missing
        a.yin:1:1: error[rule] rule slow-10 ($DIR/.yin/rules/slow-10.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 2s passed); its findings are missing
        a.yin:1:1: error[rule] rule slow-11 ($DIR/.yin/rules/slow-11.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 2s passed); its findings are missing
        a.yin:1:1: error[rule] rule slow-12 ($DIR/.yin/rules/slow-12.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 2s passed); its findings are missing
        a.yin:1:1: error[rule] rule slow-13 ($DIR/.yin/rules/slow-13.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 2s passed); its findings are missing
        a.yin:1:1: error[rule] rule slow-14 ($DIR/.yin/rules/slow-14.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 2s passed); its findings are missing
        a.yin:1:1: error[rule] rule slow-15 ($DIR/.yin/rules/slow-15.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 2s passed); its findings are missing
        a.yin:1:1: error[rule] rule slow-16 ($DIR/.yin/rules/slow-16.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 2s passed); its findings are missing
        a.yin:1:1: error[rule] rule slow-17 ($DIR/.yin/rules/slow-17.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 2s passed); its findings are missing
        a.yin:1:1: error[rule] rule slow-18 ($DIR/.yin/rules/slow-18.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 2s passed); its findings are missing
        a.yin:1:1: error[rule] rule slow-19 ($DIR/.yin/rules/slow-19.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 2s passed); its findings are missing
        a.yin:1:1: error[rule] rule slow-20 ($DIR/.yin/rules/slow-20.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 2s passed); its findings are missing
        a.yin:1:7: warning[unused-binding] x is bound but never used
        b.yin:1:1: error[rule] rule slow-01 ($DIR/.yin/rules/slow-01.edn:1:1) stopped on this file: budget exceeded: time limit of 2s passed; its findings are missing
        b.yin:1:1: error[rule] rule slow-02 ($DIR/.yin/rules/slow-02.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 2s passed); its findings are missing
        b.yin:1:1: error[rule] rule slow-03 ($DIR/.yin/rules/slow-03.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 2s passed); its findings are missing
        b.yin:1:1: error[rule] rule slow-04 ($DIR/.yin/rules/slow-04.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 2s passed); its findings are missing
        b.yin:1:1: error[rule] rule slow-05 ($DIR/.yin/rules/slow-05.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 2s passed); its findings are missing
        b.yin:1:1: error[rule] rule slow-06 ($DIR/.yin/rules/slow-06.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 2s passed); its findings are missing
        b.yin:1:1: error[rule] rule slow-07 ($DIR/.yin/rules/slow-07.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 2s passed); its findings are missing
        b.yin:1:1: error[rule] rule slow-08 ($DIR/.yin/rules/slow-08.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 2s passed); its findings are missing
        b.yin:1:1: error[rule] rule slow-09 ($DIR/.yin/rules/slow-09.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 2s passed); its findings are missing
        b.yin:1:1: error[rule] rule slow-10 ($DIR/.yin/rules/slow-10.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 2s passed); its findings are missing
        b.yin:1:1: error[rule] rule slow-11 ($DIR/.yin/rules/slow-11.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 2s passed); its findings are missing
        b.yin:1:1: error[rule] rule slow-12 ($DIR/.yin/rules/slow-12.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 2s passed); its findings are missing
        b.yin:1:1: error[rule] rule slow-13 ($DIR/.yin/rules/slow-13.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 2s passed); its findings are missing
        b.yin:1:1: error[rule] rule slow-14 ($DIR/.yin/rules/slow-14.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 2s passed); its findings are missing
        b.yin:1:1: error[rule] rule slow-15 ($DIR/.yin/rules/slow-15.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 2s passed); its findings are missing
        b.yin:1:1: error[rule] rule slow-16 ($DIR/.yin/rules/slow-16.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 2s passed); its findings are missing
        b.yin:1:1: error[rule] rule slow-17 ($DIR/.yin/rules/slow-17.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 2s passed); its findings are missing
        b.yin:1:1: error[rule] rule slow-18 ($DIR/.yin/rules/slow-18.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 2s passed); its findings are missing
        b.yin:1:1: error[rule] rule slow-19 ($DIR/.yin/rules/slow-19.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 2s passed); its findings are missing
        b.yin:1:1: error[rule] rule slow-20 ($DIR/.yin/rules/slow-20.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 2s passed); its findings are missing
        --- stderr
    "#]]
    .assert_eq(&run.render(ws.path()));
    let json = yin(&["check", "--format", "json", "b.yin"], ws.path());
    let items: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON output");
    let messages: Vec<&str> = items
        .as_array()
        .expect("an array of findings")
        .iter()
        .filter(|item| item["rule"] == "rule")
        .filter_map(|item| item["message"].as_str())
        .collect();
    assert_eq!(messages.len(), 20, "{messages:?}");
    assert!(messages[0].starts_with("rule slow-01 ("), "{}", messages[0]);
    assert!(messages[0].contains(" stopped on this file: budget exceeded"));
    assert!(
        messages[1..]
            .iter()
            .all(|m| m.contains(" did not run on this file: "))
    );
}
