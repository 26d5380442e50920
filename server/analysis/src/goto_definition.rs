//! Go to definition: from a name to the binder it refers to (parameter, `let`/`loop` name, `fn`
//! name, or the file's first `def` of a global). Core library functions and special forms have
//! no definition in the file, so they have none here.

use syntax::{TextRange, TextSize};

use crate::SourceFile;
use crate::half_typed::usable;
use crate::names::{Target, name_at, occurrences};

/// The range of the binder the name at `offset` refers to.
pub fn goto_definition(file: &SourceFile, offset: TextSize) -> Option<TextRange> {
    let file = usable(file, offset);
    let name = name_at(&file, offset)?;
    if !matches!(name.target, Target::Binder(_)) {
        return None;
    }
    occurrences(&file, name.target)
        .into_iter()
        .find(|o| o.declaration)
        .map(|o| o.range)
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;
    use crate::fixture::{cursor, mark};

    fn check(fixture: &str, expect: Expect) {
        let (text, offset) = cursor(fixture);
        let file = SourceFile::from_text(&text);
        let marked = goto_definition(&file, offset)
            .map_or_else(|| "no definition".to_owned(), |range| mark(&text, &[range]));
        expect.assert_eq(&marked);
    }

    #[test]
    fn parameter() {
        check(
            "(defn f [x y] (+ x$0 y))",
            expect!["(defn f [<x> y] (+ x y))"],
        );
    }

    #[test]
    fn let_is_sequential_and_shadows() {
        check(
            "(let [a 1 a (inc a$0)] a)",
            expect!["(let [<a> 1 a (inc a)] a)"],
        );
        check(
            "(let [a 1 a (inc a)] $0a)",
            expect!["(let [a 1 <a> (inc a)] a)"],
        );
    }

    #[test]
    fn loop_and_fn_name() {
        check(
            "(loop [i 0] (if (< i 3) (recur (inc i$0)) i))",
            expect!["(loop [<i> 0] (if (< i 3) (recur (inc i)) i))"],
        );
        check(
            "(fn fact [n] (if (= n 0) 1 (* n (fact$0 (dec n)))))",
            expect!["(fn <fact> [n] (if (= n 0) 1 (* n (fact (dec n)))))"],
        );
    }

    #[test]
    fn globals_first_def_wins_across_forms() {
        check(
            "(defn g [] (f 1))\n(def f inc)\n(def f dec)\n(f$0 2)",
            expect![[r#"
                (defn g [] (f 1))
                (def <f> inc)
                (def f dec)
                (f 2)"#]],
        );
        check(
            "(defn g [] (f$0 1))\n(def f inc)",
            expect![[r#"
                (defn g [] (f 1))
                (def <f> inc)"#]],
        );
    }

    #[test]
    fn on_the_binder_itself() {
        check("(defn $0f [] 1)", expect!["(defn <f> [] 1)"]);
    }

    #[test]
    fn core_special_unresolved_and_quoted_have_none() {
        check("(inc$0 1)", expect!["no definition"]);
        check("($0let [a 1] a)", expect!["no definition"]);
        check("(nope$0 1)", expect!["no definition"]);
        check("(def x 1) '(x$0)", expect!["no definition"]);
    }

    #[test]
    fn half_typed_code() {
        check(
            "(defn f [abc]\n  (let [d (inc abc$0",
            expect![[r#"
                (defn f [<abc>]
                  (let [d (inc abc"#]],
        );
    }
}
