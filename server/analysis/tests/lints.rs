//! The built-in rules over real yin sources: snapshot tests per rule (one fixture each in
//! `tests/lints/`), and the examples, which must be clean.

use std::path::{Path, PathBuf};

use analysis::lints::{LintSession, RuleSet, lint};
use analysis::{Edit, Finding, SourceFile, apply_edits, edit_between};
use test_support::corpus::{root, yin_files};

/// A file and its lint session, edited together as the analysis host edits them: one edit,
/// one reparse, one lowering, its delta given to the session.
struct Edited {
    file: SourceFile,
    session: LintSession,
}

impl Edited {
    fn new(rules: RuleSet, text: &str) -> Edited {
        let file = SourceFile::from_text(text);
        let session = LintSession::new(rules, &file);
        Edited { file, session }
    }

    /// Edits the file to `text` by the one edit between the texts, without a report.
    fn edit(&mut self, text: &str) {
        let edit = edit_between(&self.file.text(), text);
        let delta = self.file.apply_byte_edits(&[edit]).expect("a valid edit");
        self.session.apply(&delta);
    }

    fn report(&mut self) -> analysis::lints::LintReport {
        self.session.report(&self.file)
    }
}

/// `FILE:LINE:COL: RULE MESSAGE` for every rule finding in the files.
fn report(files: &[PathBuf], rules: &RuleSet) -> String {
    let mut out = String::new();
    for path in files {
        let bytes = std::fs::read(path).expect("readable fixture");
        let file = SourceFile::from_bytes(&bytes);
        let name = path
            .strip_prefix(root())
            .unwrap_or(path)
            .display()
            .to_string();
        for f in lint(&file, rules).findings {
            let at = file.line_col(f.range.start());
            out.push_str(&format!(
                "{name}:{}:{}: {} {}\n",
                at.line + 1,
                at.column + 1,
                f.rule,
                f.message
            ));
        }
    }
    out
}

/// One fixture per built-in rule, `tests/lints/RULE.yin`: the findings of that rule, then the
/// text with every fix applied, snapshotted in `tests/lints/RULE.out`.
#[test]
fn rule_fixtures() {
    let rules = RuleSet::builtin();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lints");
    let fixtures = yin_files(&dir);
    let ids: Vec<&str> = rules.rules().map(|r| r.id.as_str()).collect();
    let named: Vec<String> = fixtures
        .iter()
        .filter_map(|f| Some(f.file_stem()?.to_str()?.to_owned()))
        .collect();
    for id in &ids {
        assert!(named.iter().any(|n| n == id), "no fixture for {id}");
    }
    for (path, id) in fixtures.iter().zip(&named) {
        let text = std::fs::read_to_string(path).expect("readable fixture");
        let file = SourceFile::from_bytes(text.as_bytes());
        let findings: Vec<Finding> = lint(&file, &rules)
            .findings
            .into_iter()
            .filter(|f| &f.rule == id)
            .collect();
        let mut out = String::new();
        for f in &findings {
            let at = file.line_col(f.range.start());
            let fix = f
                .fix
                .as_ref()
                .map_or(String::new(), |x| format!(" (fix: {})", x.title));
            out.push_str(&format!(
                "{}:{}: {:?} {}{fix}\n",
                at.line + 1,
                at.column + 1,
                f.severity,
                f.message
            ));
        }
        let edits: Vec<Edit> = findings
            .iter()
            .filter_map(|f| f.fix.clone())
            .flat_map(|x| x.edits)
            .collect();
        if !edits.is_empty() {
            out.push_str("--- fixed\n");
            out.push_str(&apply_edits(&text, &edits));
        }
        expect_test::expect_file![path.with_extension("out")].assert_eq(&out);
    }
}

#[test]
fn examples_are_clean() {
    let rules = RuleSet::builtin();
    assert_eq!(rules.problems(), &[]);
    let files = yin_files(&root().join("examples"));
    assert!(files.len() > 10);
    expect_test::expect![[""]].assert_eq(&report(&files, &rules));
}

/// The eval cases expected to succeed (`.out`, `.parked`): the findings left are true positives
/// of programs that test the language's corner cases (an `if` on a literal).
#[test]
fn succeeding_eval_programs() {
    let rules = RuleSet::builtin();
    let files: Vec<PathBuf> = yin_files(&root().join("tests/eval"))
        .into_iter()
        .filter(|f| !f.with_extension("err").exists())
        .collect();
    expect_test::expect![[r#"
        tests/eval/callcc/callcc-reentry-sees-loop-vector-as-captured.yin:8:1: duplicate-def n is already defined
        tests/eval/collections/recur-in-place-keeps-older-versions.yin:10:23: shadowed-binding m shadows an outer binding of the same name
        tests/eval/collections/recur-in-place-keeps-older-versions.yin:11:38: shadowed-binding s shadows an outer binding of the same name
        tests/eval/control/cond-thread.yin:1:12: constant-test the test is always true
        tests/eval/control/cond-thread.yin:1:21: constant-test the test is always false
        tests/eval/control/cond-thread.yin:1:65: constant-test the test is always true
        tests/eval/control/cond-thread.yin:1:80: constant-test the test is always false
        tests/eval/control/if-not.yin:1:10: constant-test the test is always false
        tests/eval/control/if-not.yin:1:31: constant-test the test is always 1
        tests/eval/control/if-not.yin:1:48: constant-test the test is always nil
        tests/eval/control/when-let.yin:1:55: unused-binding x is bound but never used
        tests/eval/control/when-some.yin:1:40: unused-binding x is bound but never used
        tests/eval/exceptions/catch-binding-shadows-outer.yin:1:60: shadowed-binding e shadows an outer binding of the same name
        tests/eval/exceptions/catch-clauses-none-matches-rethrows.yin:5:18: unused-binding e is bound but never used
        tests/eval/exceptions/catch-clauses-none-matches-rethrows.yin:6:20: unused-binding e is bound but never used
        tests/eval/exceptions/catch-clauses-none-matches-rethrows.yin:8:26: unused-binding e is bound but never used
        tests/eval/exceptions/catch-java-class.yin:1:41: unused-binding e is bound but never used
        tests/eval/exceptions/catch-java-classes.yin:11:68: unused-binding e is bound but never used
        tests/eval/exceptions/catch-java-classes.yin:12:53: unused-binding e is bound but never used
        tests/eval/exceptions/catch-user-kind.yin:3:23: unused-binding e is bound but never used
        tests/eval/exceptions/several-catch-clauses.yin:6:18: unused-binding e is bound but never used
        tests/eval/exceptions/several-catch-clauses.yin:9:19: unused-binding e is bound but never used
        tests/eval/globals/closure-sees-redefinition.yin:3:1: duplicate-def helper is already defined
        tests/eval/globals/global-function-passed-before-redefinition.yin:3:1: duplicate-def op is already defined
        tests/eval/globals/redefined-function-seen-by-callers.yin:4:1: duplicate-def g is already defined
        tests/eval/globals/redefined-value-seen-by-functions.yin:3:1: duplicate-def x is already defined
        tests/eval/globals/unresolved-symbol-in-untaken-branch.yin:1:24: unresolved-symbol unresolved symbol not-yet-defined
        tests/eval/idioms/defn-variants.yin:14:46: unused-binding e is bound but never used
        tests/eval/idioms/destructuring-tour.yin:10:20: shadowed-binding x shadows an outer binding of the same name
        tests/eval/idioms/exceptions-ex-info.yin:13:41: unused-binding e is bound but never used
        tests/eval/idioms/exceptions-finally.yin:11:28: unused-binding e is bound but never used
        tests/eval/idioms/loop-accumulators.yin:2:10: shadowed-binding xs shadows an outer binding of the same name
        tests/eval/idioms/primes-lazy.yin:5:10: shadowed-binding n shadows an outer binding of the same name
        tests/eval/idioms/reduce-reduced.yin:3:19: shadowed-binding acc shadows an outer binding of the same name
        tests/eval/idioms/roman.yin:4:10: shadowed-binding n shadows an outer binding of the same name
        tests/eval/idioms/some-threading.yin:9:27: constant-test the test is always true
        tests/eval/idioms/some-threading.yin:9:42: constant-test the test is always false
        tests/eval/idioms/threading.yin:6:20: constant-test the test is always true
        tests/eval/idioms/threading.yin:6:29: constant-test the test is always false
        tests/eval/idioms/threading.yin:7:27: constant-test the test is always true
        tests/eval/idioms/threading.yin:7:42: constant-test the test is always false
        tests/eval/idioms/validation.yin:1:45: unused-binding user is bound but never used
        tests/eval/lists/a-long-list-walked-and-counted.yin:3:22: shadowed-binding s shadows an outer binding of the same name
        tests/eval/special-forms/and-short-circuit.yin:1:15: unresolved-symbol unresolved symbol undefined-fn
        tests/eval/special-forms/cond-else-keyword-is-just-truthy.yin:1:7: constant-test the test is always nil
        tests/eval/special-forms/cond-first-match.yin:1:7: constant-test the test is always false
        tests/eval/special-forms/cond-first-match.yin:1:15: constant-test the test is always nil
        tests/eval/special-forms/cond-no-match.yin:1:7: constant-test the test is always false
        tests/eval/special-forms/cond-no-match.yin:1:15: constant-test the test is always nil
        tests/eval/special-forms/cond-truthy-test-values.yin:1:7: constant-test the test is always 0
        tests/eval/special-forms/def-redefine.yin:2:1: duplicate-def x is already defined
        tests/eval/special-forms/if-empty-string-is-true.yin:1:5: constant-test the test is always ""
        tests/eval/special-forms/if-false.yin:1:5: constant-test the test is always false
        tests/eval/special-forms/if-missing-else.yin:1:5: constant-test the test is always false
        tests/eval/special-forms/if-nil-is-false.yin:1:5: constant-test the test is always nil
        tests/eval/special-forms/if-only-evaluates-taken-branch.yin:1:5: constant-test the test is always true
        tests/eval/special-forms/if-true.yin:1:5: constant-test the test is always true
        tests/eval/special-forms/if-zero-is-true.yin:1:5: constant-test the test is always 0
        tests/eval/special-forms/let-inner-shadows-outer.yin:1:18: shadowed-binding x shadows an outer binding of the same name
        tests/eval/special-forms/let-no-body.yin:1:7: unused-binding x is bound but never used
        tests/eval/special-forms/or-short-circuit.yin:1:8: unresolved-symbol unresolved symbol undefined-fn
        tests/eval/special-forms/when-false.yin:1:7: constant-test the test is always false
        tests/eval/special-forms/when-not-false.yin:1:11: constant-test the test is always false
        tests/eval/special-forms/when-not-true.yin:1:11: constant-test the test is always 1
        tests/eval/special-forms/when-true.yin:1:7: constant-test the test is always true
        tests/eval/strings-lib/replace-with-function.yin:3:40: unused-param parameter m is never used
        tests/eval/tail-calls/tail-call-through-cond-let-do-when.yin:4:32: redundant-do do with a single expression is redundant
        tests/eval/tail-calls/tail-call-through-cond-let-do-when.yin:5:17: constant-test the test is always true
    "#]].assert_eq(&report(&files, &rules));
}

/// The eval cases expected to fail: many fail for a reason a rule sees statically.
#[test]
fn failing_eval_programs() {
    let rules = RuleSet::builtin();
    let files: Vec<PathBuf> = yin_files(&root().join("tests/eval"))
        .into_iter()
        .filter(|f| f.with_extension("err").exists())
        .collect();
    expect_test::expect![[r#"
        tests/eval/atoms/swap-arity.yin:1:1: arity swap! called with too few arguments
        tests/eval/collections/count-arity.yin:1:1: arity count called with too few arguments
        tests/eval/collections/get-arity.yin:1:1: arity get called with too few arguments
        tests/eval/comparison/eq-no-args.yin:1:1: arity = called with too few arguments
        tests/eval/comparison/less-than-no-args.yin:1:1: arity < called with too few arguments
        tests/eval/comparison/not-arity.yin:1:1: arity not called with too many arguments
        tests/eval/comparison/not-eq-no-args.yin:1:1: arity not= called with too few arguments
        tests/eval/control/assert.yin:3:23: constant-test the test is always false
        tests/eval/control/defmethod-malformed.yin:1:12: unresolved-symbol unresolved symbol speak
        tests/eval/control/defrecord-with-protocols.yin:1:12: unresolved-symbol unresolved symbol Circle
        tests/eval/control/defrecord-with-protocols.yin:1:20: unresolved-symbol unresolved symbol r
        tests/eval/control/defrecord-with-protocols.yin:2:3: unresolved-symbol unresolved symbol Shape
        tests/eval/control/defrecord-with-protocols.yin:3:4: unresolved-symbol unresolved symbol area
        tests/eval/control/defrecord-with-protocols.yin:3:10: unresolved-symbol unresolved symbol this
        tests/eval/control/defrecord-with-protocols.yin:3:27: unresolved-symbol unresolved symbol r
        tests/eval/control/defrecord-with-protocols.yin:3:29: unresolved-symbol unresolved symbol r
        tests/eval/control/dotimes-malformed.yin:1:12: unresolved-symbol unresolved symbol a
        tests/eval/control/dotimes-malformed.yin:1:18: unresolved-symbol unresolved symbol a
        tests/eval/control/for-starts-with-modifier.yin:1:18: unresolved-symbol unresolved symbol x
        tests/eval/control/for-starts-with-modifier.yin:1:25: unresolved-symbol unresolved symbol x
        tests/eval/control/for-unknown-modifier.yin:1:7: unresolved-symbol unresolved symbol x
        tests/eval/control/for-unknown-modifier.yin:1:26: unresolved-symbol unresolved symbol x
        tests/eval/control/if-let-two-bindings.yin:1:10: unresolved-symbol unresolved symbol a
        tests/eval/control/if-let-two-bindings.yin:1:14: unresolved-symbol unresolved symbol b
        tests/eval/control/if-let-two-bindings.yin:1:19: unresolved-symbol unresolved symbol a
        tests/eval/control/letfn-malformed.yin:1:9: unresolved-symbol unresolved symbol f
        tests/eval/control/unknown-alias-stays-unresolved.yin:2:2: unresolved-symbol unresolved symbol s/no-such-function
        tests/eval/destructuring/malformed-after-rest.yin:1:26: unresolved-symbol unresolved symbol a
        tests/eval/destructuring/malformed-as.yin:1:20: unresolved-symbol unresolved symbol a
        tests/eval/destructuring/malformed-keys.yin:1:21: unresolved-symbol unresolved symbol a
        tests/eval/destructuring/malformed-or.yin:1:33: unresolved-symbol unresolved symbol a
        tests/eval/errors/arity-multi-no-match.yin:1:20: unused-param parameter b is never used
        tests/eval/errors/arity-multi-no-match.yin:2:1: arity f called with 1 argument, a count none of its arities takes
        tests/eval/errors/arity-primitive.yin:1:1: arity nth called with too few arguments
        tests/eval/errors/arity-too-few.yin:2:1: arity f called with too few arguments
        tests/eval/errors/arity-too-many.yin:2:1: arity f called with too many arguments
        tests/eval/errors/arity-variadic-minimum.yin:1:12: unused-param parameter b is never used
        tests/eval/errors/arity-variadic-minimum.yin:1:16: unused-param parameter more is never used
        tests/eval/errors/arity-variadic-minimum.yin:2:1: arity f called with too few arguments
        tests/eval/errors/error-in-let-binding.yin:1:14: unresolved-symbol unresolved symbol undefined-thing
        tests/eval/exceptions/catch-clauses-none-matches-uncaught.yin:1:27: unused-binding e is bound but never used
        tests/eval/exceptions/catch-clauses-none-matches-uncaught.yin:1:46: unused-binding e is bound but never used
        tests/eval/exceptions/catch-unmapped-java-class.yin:1:7: unresolved-symbol unresolved symbol slurp
        tests/eval/globals/unresolved-symbol-in-argument.yin:1:6: unresolved-symbol unresolved symbol missing-value
        tests/eval/globals/unresolved-symbol-in-call.yin:1:13: unresolved-symbol unresolved symbol undefined-g
        tests/eval/globals/unresolved-symbol.yin:1:1: unresolved-symbol unresolved symbol foo
        tests/eval/library/map-with-no-arguments.yin:1:1: arity map called with too few arguments
        tests/eval/library/memoize-arity.yin:1:1: arity memoize called with too many arguments
        tests/eval/library/producers-rest-pattern.yin:1:12: unused-binding more is bound but never used
        tests/eval/macros/defmacro-arity.yin:2:1: arity one-arg called with too many arguments
        tests/eval/numbers/divide-no-args.yin:1:1: arity / called with too few arguments
        tests/eval/numbers/inc-arity.yin:1:1: arity inc called with too many arguments
        tests/eval/numbers/max-no-args.yin:1:1: arity max called with too few arguments
        tests/eval/numbers/subtract-no-args.yin:1:1: arity - called with too few arguments
        tests/eval/predicates/nil-arity.yin:1:1: arity nil? called with too many arguments
        tests/eval/sequences/identity-arity.yin:1:1: arity identity called with too many arguments
        tests/eval/sequences/map-callback-arity.yin:1:13: unused-param parameter b is never used
        tests/eval/special-forms/let-bindings-not-vector.yin:1:6: unresolved-symbol unresolved symbol x
        tests/eval/special-forms/recur-not-in-tail-position.yin:1:18: recur-not-tail recur is not in tail position
        tests/eval/special-forms/recur-outside-loop.yin:1:1: recur-not-tail recur is outside any loop or fn
        tests/eval/strings/subs-arity.yin:1:1: arity subs called with too few arguments
    "#]].assert_eq(&report(&files, &rules));
}

/// After each edit the session's findings are those of a fresh lint of the new text: edits that
/// add a finding, remove one, move forms and change which definition a name resolves to.
#[test]
fn session_after_edits_matches_a_fresh_lint() {
    let rules = RuleSet::builtin();
    let texts = [
        "(defn f [x] (inc x))\n(f 1)\n(def limit 10)\n",
        "(defn f [x y] (inc x))\n(f 1)\n(def limit 10)\n",
        "; moved\n(defn f [x y] (inc x))\n(f 1)\n(def limit 10)\n(def limit 11)\n",
        "; moved\n(defn f [x y] (inc x))\n(f 1 2)\n(g limit)\n(do (def limit 11))\n",
        "(defn g [] 1)\n; moved\n(defn f [x y] (+ x y))\n(f 1 2)\n(g limit)\n(def limit 11)\n",
        "(defn g [] 1)\n; moved\n(defn f [x y] (+ x y)\n",
        "(defn g [] 1)\n(let [u 1] (do (if true (recur) 2)))\n(defn f [x y] (+ x y))\n",
        "(defn g [] 1)\n(let [u 1] (do (if true (recur) 2)))\n(defn f [x y] (+ x y {:a 1 :a 2}))\n",
        "(let [u 1] (do (if true (recur) 2)))\n(defn f [x y] (+ x y {:a 1 :a 2}))\n",
        "",
    ];
    let mut session = Edited::new(rules.clone(), texts[0]);
    let shown = |findings: &[Finding]| {
        findings
            .iter()
            .map(|f| format!("{:?} {} {}", f.range, f.rule, f.message))
            .collect::<Vec<_>>()
    };
    for text in texts {
        session.edit(text);
        let fresh = lint(&SourceFile::from_bytes(text.as_bytes()), &rules);
        assert_eq!(
            shown(&session.report().findings),
            shown(&fresh.findings),
            "after editing to {text:?}"
        );
    }
}

/// A rule reads only some attributes; an edit whose delta touches none of them reuses its rows.
#[test]
fn session_skips_rules_whose_attributes_are_untouched() {
    let mut rules = RuleSet::builtin();
    rules.add_file(
        Path::new("docs.edn"),
        r#"{:id :no-doc :severity :info :message "{?name} has no docstring"
            :query [:find ?b ?name :where [?d :yin/binder ?b] [?b :yin/name ?name]
                                          (not [?b :yin/doc _])]}"#,
    );
    assert_eq!(rules.problems(), &[]);
    let mut session = Edited::new(
        rules,
        "(defn f [x] x)
(f 1)
",
    );
    assert_eq!(session.session.rules_rerun(), 11);
    // The same forms, moved: no datom changes, so no rule runs again.
    session.edit(
        "

(defn f [x] x)
(f 1)
",
    );
    let report = session.report();
    assert_eq!(
        session.session.rules_rerun(),
        0,
        "moving forms changes no datom"
    );
    assert_eq!(report.findings.len(), 1);
    assert_eq!(report.findings[0].message, "f has no docstring");
    assert_eq!(u32::from(report.findings[0].range.start()), 8);
}

/// Top-level forms for random edits: definitions of one name with different arities (so an
/// edit changes what other forms' calls must take), calls of them, macros, and a form of every
/// rule's fixture.
fn form_pool() -> Vec<String> {
    let mut pool: Vec<String> = [
        "(defn f [x] x)",
        "(defn f ([x] (f x 1 2 3)) ([x y] (f x)))",
        "(defn f ([x] x) ([x y z] (f x y)))",
        "(def f (fn [a & more] a))",
        "(defn g [] (f 1 2))",
        "(f)",
        "(f 1)",
        "(f 1 2)",
        "(f 1 2 3 4)",
        "(g 1)",
        "(defmacro f [x] x)",
        "(f undefined-name)",
        "(recur 1)",
        "(let [f (fn ([a] a) ([a b c] a))] (f 1 2))",
        "(def g 1)",
        "(loop [i 0] (do (recur (inc i)) i))",
    ]
    .map(str::to_owned)
    .to_vec();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lints");
    for path in yin_files(&dir) {
        let text = std::fs::read_to_string(&path).expect("readable fixture");
        pool.extend(
            text.lines()
                .filter(|l| l.starts_with('('))
                .map(str::to_owned),
        );
    }
    pool
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    /// After random one-form edits (a form replaced, inserted or deleted), the session reports
    /// exactly what a fresh lint of the same text reports.
    #[test]
    fn session_after_random_edits_matches_a_fresh_lint(
        start in proptest::collection::vec(0..1000usize, 1..12),
        edits in proptest::collection::vec((0..3u8, 0..1000usize, 0..1000usize), 1..8),
    ) {
        let pool = form_pool();
        let pick = |n: usize| pool[n % pool.len()].clone();
        let mut forms: Vec<String> = start.into_iter().map(pick).collect();
        let rules = RuleSet::builtin();
        let mut session = Edited::new(rules.clone(), &(forms.join("\n") + "\n"));
        for (kind, at, form) in edits {
            let at = at % (forms.len() + 1);
            match kind {
                0 if at < forms.len() => forms[at] = pick(form),
                1 if at < forms.len() => {
                    forms.remove(at);
                }
                _ => forms.insert(at, pick(form)),
            }
            let text = forms.join("\n") + "\n";
            session.edit(&text);
            let fresh = lint(&SourceFile::from_bytes(text.as_bytes()), &rules);
            proptest::prop_assert_eq!(&session.report().findings, &fresh.findings, "{}", text);
        }
    }
}

/// The same on every example: a form with findings inserted in the middle, then the first form
/// deleted.
#[test]
fn session_on_examples_matches_a_fresh_lint() {
    let rules = RuleSet::builtin();
    for path in yin_files(&root().join("examples")) {
        let text = std::fs::read_to_string(&path).expect("readable example");
        let middle = text.len() / 2;
        let cut = middle + text[middle..].find("\n(").map_or(0, |i| i + 1);
        let inserted = format!(
            "{}(let [u 1 u 2] (do {{:k u :k 1}}))\n{}",
            &text[..cut],
            &text[cut..]
        );
        let first_end = inserted.find("\n(").map_or(0, |i| i + 1);
        let deleted = inserted[first_end..].to_owned();
        let mut session = Edited::new(rules.clone(), &text);
        for step in [&inserted, &deleted, &text] {
            session.edit(step);
            let fresh = lint(&SourceFile::from_bytes(step.as_bytes()), &rules);
            assert_eq!(
                session.report().findings,
                fresh.findings,
                "{}",
                path.display()
            );
        }
    }
}

/// Bad rule files are problems on their own file, each at the offending form; the good rule
/// next to them still loads.
#[test]
fn bad_rules_are_reported_on_their_files() {
    let cases = [
        ("read.edn", "{:id :x :query [:find"),
        ("not-a-map.edn", "[:find ?x]"),
        (
            "missing.edn",
            "{:id :x :severity :warning :query [:find ?x :where [?x :yin/type]]}",
        ),
        (
            "severity.edn",
            "{:id :x :severity :fatal :message \"m\" :query [:find ?x :where [?x :yin/type]]}",
        ),
        (
            "unknown-key.edn",
            "{:id :x :severity :info :message \"m\" :when 1 :query [:find ?x :where [?x :yin/type]]}",
        ),
        (
            "placeholder.edn",
            "{:id :x :severity :info :message \"{?y}\" :query [:find ?x :where [?x :yin/type]]}",
        ),
        (
            "aggregate.edn",
            "{:id :x :severity :info :message \"m\" :query [:find (count ?x) :where [?x :yin/type]]}",
        ),
        (
            "unsafe.edn",
            "{:id :x :severity :info :message \"m\"\n :query [:find ?x :where [?x :yin/type] (not [?y :yin/name ?z])]}",
        ),
        (
            "fix.edn",
            "{:id :x :severity :info :message \"m\" :query [:find ?x :where [?x :yin/type]] :fix {:replace \"{?z}\"}}",
        ),
        (
            "scope.edn",
            "{:id :x :severity :info :message \"m\" :scope :line :query [:find ?x :where [?x :yin/type]]}",
        ),
        (
            "good-and-bad.edn",
            "[{:id :good :severity :info :message \"m\" :query [:find ?x :where [?x :yin/type :do]]}\n {:id :bad}]",
        ),
    ];
    let mut rules = RuleSet::builtin();
    for (name, text) in cases {
        rules.add_file(Path::new(name), text);
    }
    assert!(rules.rules().any(|r| r.id == "good"));
    let shown: String = rules
        .problems()
        .iter()
        .map(|p| {
            format!(
                "{}:{}:{}: {}\n",
                p.file.display(),
                p.start.line + 1,
                p.start.column + 1,
                p.finding.message
            )
        })
        .collect();
    expect_test::expect![[r#"
        read.edn:1:22: unclosed `[` opened at 1:16
        not-a-map.edn:1:1: a rule is a map {:id :severity :message :query}
        missing.edn:1:1: the rule has no :message
        severity.edn:1:19: :severity is one of :error :warning :info :hint
        unknown-key.edn:1:38: unknown rule key (expected :id :severity :message :query :rules :fix :scope :doc)
        placeholder.edn:1:34: {?y} is not a :find variable
        aggregate.edn:1:45: a rule's :find lists variables only (no aggregates)
        unsafe.edn:2:41: unsafe negation: ?y is not bound by the clauses outside the `not` (use not-join to make it local)
        fix.edn:1:93: {?z} is not a :find variable
        scope.edn:1:45: :scope is :form, :linked or :file
        good-and-bad.edn:2:2: the rule has no :severity
    "#]].assert_eq(&shown);
}

/// A rule stopped by its budget is a finding at the top of the file naming it; the other rules'
/// findings remain.
#[test]
fn runaway_rule_is_stopped_and_reported() {
    let mut rules = RuleSet::builtin();
    rules.add_file(
        Path::new("runaway.edn"),
        "{:id :runaway :severity :info :message \"m\"
          :rules [[(n ?x) [?e :yin/type] [(identity ?e) ?x]] [(n ?y) (n ?x) [(inc ?x) ?y]]]
          :query [:find ?x :where (n ?x) [(< ?x 0)]]}",
    );
    rules.set_budget(datalog::Budget {
        max_tuples: Some(10_000),
        max_bytes: None,
        timeout: None,
    });
    let report = lint(&SourceFile::from_bytes(b"(let [x 1] 2)"), &rules);
    let shown: Vec<String> = report
        .findings
        .iter()
        .map(|f| format!("{:?} {} {}", f.range, f.rule, f.message))
        .collect();
    expect_test::expect![[r#"
        [
            "0..0 rule rule runaway (runaway.edn:1:1) stopped on this file: budget exceeded: more than 10000 tuples produced; its findings are missing",
            "6..7 unused-binding x is bound but never used",
        ]
    "#]]
    .assert_debug_eq(&shown);
}

/// Issue 14, item 13: the rules on a file share one budget, in `lint` and in a session (the
/// server's path), at its first run and at every edit: the first runaway rule runs it out, the
/// rules after it are not run, each reported once, and the built-in rules' findings remain.
#[test]
fn runaway_rules_share_one_budget_per_file_and_per_edit() {
    let mut rules = RuleSet::builtin();
    for i in 1..=5 {
        rules.add_file(
            Path::new(&format!("runaway-{i}.edn")),
            &format!(
                "{{:id :runaway-{i} :severity :info :message \"m\"
                  :rules [[(n ?x) [?e :yin/type] [(identity ?e) ?x]] [(n ?y) (n ?x) [(inc ?x) ?y]]]
                  :query [:find ?x :where (n ?x) [(< ?x 0)]]}}"
            ),
        );
    }
    rules.set_budget(datalog::Budget {
        max_tuples: None,
        max_bytes: None,
        timeout: Some(std::time::Duration::from_millis(200)),
    });
    // Rule failures are findings of rule `rule` at the top of the file; the others are the
    // built-in rules' findings.
    let messages = |report: &analysis::lints::LintReport| -> Vec<String> {
        report
            .findings
            .iter()
            .filter(|f| f.rule == "rule")
            .map(|f| f.message.clone())
            .collect()
    };
    let others = |report: &analysis::lints::LintReport| -> usize {
        report.findings.iter().filter(|f| f.rule != "rule").count()
    };
    let expected = expect_test::expect![[r#"
        [
            "rule runaway-1 (runaway-1.edn:1:1) stopped on this file: budget exceeded: time limit of 200ms passed; its findings are missing",
            "rule runaway-2 (runaway-2.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 200ms passed); its findings are missing",
            "rule runaway-3 (runaway-3.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 200ms passed); its findings are missing",
            "rule runaway-4 (runaway-4.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 200ms passed); its findings are missing",
            "rule runaway-5 (runaway-5.edn:1:1) did not run on this file: earlier rules used up its budget (time limit of 200ms passed); its findings are missing",
        ]
    "#]];
    let started = std::time::Instant::now();
    let report = lint(&SourceFile::from_bytes(b"(let [x 1] 2)"), &rules);
    assert!(started.elapsed() < std::time::Duration::from_millis(900));
    assert_eq!(others(&report), 1, "{:?}", report.findings);
    expected.assert_debug_eq(&messages(&report));
    let mut edited = Edited::new(rules, "(let [x 1] 2)");
    expected.assert_debug_eq(&messages(&edited.report()));
    let started = std::time::Instant::now();
    edited.edit("(let [y 1] 2)");
    let report = edited.report();
    assert!(started.elapsed() < std::time::Duration::from_millis(900));
    assert_eq!(others(&report), 1, "{:?}", report.findings);
    expected.assert_debug_eq(&messages(&report));
}
