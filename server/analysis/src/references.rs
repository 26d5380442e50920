//! Find references: every use of the binder (or core function) a name refers to, in the file,
//! optionally with the binder itself.

use syntax::{TextRange, TextSize};

use crate::SourceFile;
use crate::half_typed::usable;
use crate::names::{name_at, occurrences};

/// The ranges where the name at `offset` occurs with the same meaning, in source order.
pub fn references(
    file: &SourceFile,
    offset: TextSize,
    include_declaration: bool,
) -> Vec<TextRange> {
    let file = usable(file, offset);
    let Some(name) = name_at(&file, offset) else {
        return Vec::new();
    };
    occurrences(&file, name.target)
        .into_iter()
        .filter(|o| include_declaration || !o.declaration)
        .map(|o| o.range)
        .collect()
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;
    use crate::fixture::{cursor, mark};

    fn check(fixture: &str, include_declaration: bool, expect: Expect) {
        let (text, offset) = cursor(fixture);
        let file = SourceFile::from_text(&text);
        expect.assert_eq(&mark(
            &text,
            &references(&file, offset, include_declaration),
        ));
    }

    #[test]
    fn locals_stay_in_their_scope() {
        check(
            "(defn f [x] (let [y x$0 x 2] (+ x y)))\n(defn g [x] x)",
            true,
            expect![[r#"
                (defn f [<x>] (let [y <x> x 2] (+ x y)))
                (defn g [x] x)"#]],
        );
    }

    #[test]
    fn globals_across_forms_without_declaration() {
        check(
            "(defn sq [n] (* n n))\n(sq 2)\n(map sq$0 [1])\n(let [sq 1] sq)",
            false,
            expect![[r#"
                (defn sq [n] (* n n))
                (<sq> 2)
                (map <sq> [1])
                (let [sq 1] sq)"#]],
        );
    }

    #[test]
    fn core_functions_unless_redefined() {
        check(
            "(inc$0 1)\n(defn f [inc] (inc 1))\n(map inc [])",
            true,
            expect![[r#"
                (<inc> 1)
                (defn f [inc] (inc 1))
                (map <inc> [])"#]],
        );
        check(
            "(def inc dec)\n(inc$0 1)",
            true,
            expect![[r#"
                (def <inc> dec)
                (<inc> 1)"#]],
        );
    }

    #[test]
    fn nothing_for_special_forms_and_nothing() {
        check("($0if true 1 2)", true, expect!["(if true 1 2)"]);
        check("[1 $0 2]", true, expect!["[1  2]"]);
    }
}
