//! Refactorings on before/after fixtures: each case is a source with the cursor written `$`,
//! an operation, and the rewritten text (or why it was refused), in one snapshot.

use analysis::refactor::{extract_to_let, inline_let, rename, thread, unthread};
use analysis::{Edit, apply_edits};
use syntax::{TextRange, TextSize};

enum Op {
    Rename(&'static str),
    ThreadFirst,
    ThreadLast,
    Unthread,
    Inline,
    /// The selection ends at the second `$`.
    Extract(&'static str),
}

fn run(cases: &[(&str, Op)]) -> String {
    let mut out = String::new();
    for (source, op) in cases {
        let cursor = source.find('$').expect("every case marks the cursor");
        let text = source.replacen('$', "", 1);
        let at = TextSize::from(u32::try_from(cursor).expect("small fixture"));
        let selection_end = text.find('$').unwrap_or(cursor);
        let text = text.replacen('$', "", 1);
        let selection = TextRange::new(
            at,
            TextSize::from(u32::try_from(selection_end).expect("small fixture")),
        );
        let (name, result): (String, Result<Vec<Edit>, _>) = match op {
            Op::Rename(to) => (format!("rename to {to}"), rename(&text, at, to)),
            Op::ThreadFirst => ("thread ->".to_owned(), thread(&text, at, false)),
            Op::ThreadLast => ("thread ->>".to_owned(), thread(&text, at, true)),
            Op::Unthread => ("unthread".to_owned(), unthread(&text, at)),
            Op::Inline => ("inline".to_owned(), inline_let(&text, at)),
            Op::Extract(to) => (
                format!("extract as {to}"),
                extract_to_let(&text, selection, to),
            ),
        };
        let after = match result {
            Ok(edits) => apply_edits(&text, &edits),
            Err(e) => format!("refused: {e}"),
        };
        out.push_str(&format!("{source}\n  {name}:\n{after}\n\n"));
    }
    out
}

#[test]
fn rename_follows_scope_and_refuses_captures() {
    let cases = [
        ("(defn f [x] (let [y x] (+ $x y)))\n(f 1)", Op::Rename("n")),
        (
            "(defn $area [r] (* r r))\n(area 2)\n(map area [1 2])",
            Op::Rename("surface"),
        ),
        ("(let [x 1] (fn [x] x) $x)", Op::Rename("z")),
        ("(defn f [x y] (+ $x y))", Op::Rename("y")),
        ("(defn f [$x] (let [y 1] (+ x y)))", Op::Rename("y")),
        ("(def a 1)\n(def b 2)\n(+ $a b)", Op::Rename("b")),
        ("(defn f [$x] (inc x))", Op::Rename("inc")),
        ("(defn f [x] (inc $x))", Op::Rename("not a name")),
        ("(defn f [x] ($inc x))", Op::Rename("plus-one")),
        // Only the forms naming `total` or `g` are checked: the capture is found in the first
        // and reported where it is in the file.
        (
            "(defn f [x] (+ x total))\n(def other 1)\n(def $g 2)\n(g other)",
            Op::Rename("total"),
        ),
        (
            "(def total 1)\n(defn f [x] (+ x total))\n(def other 1)\n(def $g 2)\n(g other)",
            Op::Rename("total"),
        ),
    ];
    expect_test::expect_file!["refactor/rename.txt"].assert_eq(&run(&cases));
}

#[test]
fn threading_and_back() {
    let cases = [
        ("(assoc (update $(get m :a) :b inc) :c 1)", Op::ThreadFirst),
        ("(reduce + (map inc (filter $odd? xs)))", Op::ThreadLast),
        ("(count (vals $m))", Op::ThreadFirst),
        ("(inc $x)", Op::ThreadFirst),
        (
            "(-> m (get :a) (update :b inc) $(assoc :c 1))",
            Op::Unthread,
        ),
        ("(->> xs (filter odd?) (map inc) $(reduce +))", Op::Unthread),
        ("(-> m vals $count)", Op::Unthread),
        ("(let [m {}] (-> m $keys))", Op::Unthread),
    ];
    expect_test::expect_file!["refactor/thread.txt"].assert_eq(&run(&cases));
}

#[test]
fn inline_let_binding() {
    let cases = [
        ("(let [$x (* 2 3)] (+ x x))", Op::Inline),
        ("(let [a 1 $b (inc a) c 3] (+ b c))", Op::Inline),
        ("(let [x 1] (println x) (inc $x))", Op::Inline),
        ("(defn f [n] (let [$m (inc n) n 0] (+ m n)))", Op::Inline),
        ("(defn f [$n] n)", Op::Inline),
    ];
    expect_test::expect_file!["refactor/inline.txt"].assert_eq(&run(&cases));
}

#[test]
fn extract_expression_to_let() {
    let cases = [
        ("(defn area [r] (* 3 $(* r r)$))", Op::Extract("sq")),
        ("(defn area [r] (* 3 (* $r r$)))", Op::Extract("sq")),
        (
            "(defn f [xs] (if (empty? $(rest xs)$) 0 1))",
            Op::Extract("tail"),
        ),
        (
            "(defn f [x] (if x (println $(inc x)$) 0))",
            Op::Extract("y"),
        ),
        ("(let [a 1] [a $(inc a)$ 3])", Op::Extract("b")),
        ("(defn f [x y] (+ $(* x 2)$ y))", Op::Extract("y")),
        ("(defn f [x] (+ $x$ 1))", Op::Extract("z")),
        ("(+ 1 $2 3$)", Op::Extract("z")),
    ];
    expect_test::expect_file!["refactor/extract.txt"].assert_eq(&run(&cases));
}

/// Every refactoring at offsets spread over every example, with odd names and ranges: each
/// returns edits or a refusal, never panics, and a successful rename's result still lowers to
/// the same resolutions (checked inside `rename`), so here only that edits stay in bounds.
#[test]
fn refactorings_never_panic_on_examples() {
    let mut applied = 0;
    for (_, text) in test_support::corpus::examples() {
        for at in (0..text.len())
            .step_by(151)
            .filter(|&i| text.is_char_boundary(i))
        {
            let offset = TextSize::from(u32::try_from(at).expect("small example"));
            let end = (at + 13..text.len())
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(at);
            let range = TextRange::new(offset, TextSize::from(u32::try_from(end).expect("small")));
            let results = [
                rename(&text, offset, "renamed-x"),
                rename(&text, offset, "x"),
                thread(&text, offset, false),
                thread(&text, offset, true),
                unthread(&text, offset),
                inline_let(&text, offset),
                extract_to_let(&text, range, "extracted"),
            ];
            for edits in results.into_iter().flatten() {
                for edit in &edits {
                    assert!(usize::from(edit.range.end()) <= text.len());
                }
                apply_edits(&text, &edits);
                applied += 1;
            }
        }
    }
    assert!(applied > 100, "only {applied} refactorings applied");
}
