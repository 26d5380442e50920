//! Hover: what the name under the cursor is (parameter, local, global, core function, special
//! form), its signatures and arity, its docstring, and the last inline result of the top-level
//! form under the cursor. Markdown.

use syntax::{TextRange, TextSize};

use crate::SourceFile;
use crate::half_typed::usable;
use crate::inline_results::{InlineResults, fenced};
use crate::names::{Signature, Target, binder_info, form_at, name_at};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    /// What the hover is about: the symbol, or the whole form for a result alone.
    pub range: TextRange,
    pub markdown: String,
}

pub fn hover(file: &SourceFile, offset: TextSize, results: &InlineResults) -> Option<Hover> {
    let result = form_at(file.lowering(), offset).and_then(|form| {
        let range = form.range();
        let text = file.text();
        let value = results.get(text.get(usize::from(range.start())..usize::from(range.end()))?)?;
        Some((range, value.to_owned()))
    });
    let readable = usable(file, offset);
    let about = name_at(&readable, offset).and_then(|name| {
        let markdown = describe(&readable, name.target, &name.name)?;
        Some((name.range, markdown))
    });
    let (range, mut markdown) = match (about, &result) {
        (Some(about), _) => about,
        (None, Some((range, _))) => (*range, String::new()),
        (None, None) => return None,
    };
    if let Some((_, value)) = result {
        if !markdown.is_empty() {
            markdown.push_str("\n\n---\n\n");
        }
        markdown.push_str("Last result:\n\n");
        markdown.push_str(&fenced(&value));
    }
    Some(Hover { range, markdown })
}

fn describe(file: &SourceFile, target: Target, name: &str) -> Option<String> {
    let (kind, signatures, doc) = match target {
        Target::Binder(e) => {
            let info = binder_info(file.lowering(), e)?;
            let kind = info.kind.describe();
            (kind, info.signatures, info.doc)
        }
        Target::Core(f) => (
            "core function",
            Signature::of_core(f),
            Some(f.doc.to_owned()),
        ),
        Target::SpecialForm(special) => (
            "special form",
            Vec::new(),
            syntax::core::special_form_doc(special).map(str::to_owned),
        ),
        Target::Unresolved => ("unresolved global", Vec::new(), None),
    };
    let mut out = String::from("```yin\n");
    if signatures.is_empty() {
        out.push_str(name);
        out.push('\n');
    }
    for signature in &signatures {
        out.push_str(&signature.call(name));
        out.push('\n');
    }
    out.push_str("```\n\n");
    out.push_str(kind);
    if let Some(arity) = arity(&signatures) {
        out.push_str(&format!(" · {arity}"));
    }
    if let Some(doc) = doc {
        out.push_str("\n\n");
        out.push_str(&doc);
    }
    Some(out)
}

/// "1 argument", "1 to 2 arguments", "2 or more arguments".
fn arity(signatures: &[Signature]) -> Option<String> {
    let min = signatures.iter().map(|s| s.params.len()).min()?;
    let variadic = signatures.iter().any(|s| s.rest.is_some());
    let max = signatures
        .iter()
        .map(|s| s.params.len())
        .max()
        .unwrap_or(min);
    let noun = |n: usize| if n == 1 { "argument" } else { "arguments" };
    Some(if variadic {
        format!("{min} or more arguments")
    } else if min == max {
        format!("{min} {}", noun(min))
    } else {
        format!("{min} to {max} arguments")
    })
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;
    use crate::fixture::cursor;

    fn check(fixture: &str, expect: Expect) {
        let (text, offset) = cursor(fixture);
        let file = SourceFile::from_text(&text);
        let mut results = InlineResults::default();
        results.record("(answer)".to_owned(), "42".to_owned());
        results.record("(+ 1 2)".to_owned(), "3".to_owned());
        let actual = hover(&file, offset, &results).map_or_else(
            || "no hover".to_owned(),
            |h| format!("{:?}\n{}", h.range, h.markdown),
        );
        expect.assert_eq(&actual);
    }

    #[test]
    fn global_function_with_doc_and_arities() {
        check(
            "(defn area \"Area of a rectangle.\" ([w] (area w w)) ([w h] (* w h)))\n(are$0a 2 3)",
            expect![[r#"
                69..73
                ```yin
                (area w)
                (area w h)
                ```

                global · 1 to 2 arguments

                Area of a rectangle."#]],
        );
    }

    #[test]
    fn parameters_locals_and_variadics() {
        check(
            "(defn f [a & more] (let [g (fn [x] x)] (g$0 a)))",
            expect![[r#"
                40..41
                ```yin
                (g x)
                ```

                local · 1 argument"#]],
        );
        check(
            "(defn f [a & more] (apply + a more$0))",
            expect![[r#"
                30..34
                ```yin
                more
                ```

                rest parameter"#]],
        );
    }

    #[test]
    fn derived_forms_and_destructured_names() {
        check(
            "(when-l$0et [x 1] x)",
            expect![[r#"
            1..9
            ```yin
            when-let
            ```

            special form

            (when-let [name value] body...): the body with name bound when value is truthy, else nil."#]],
        );
        check(
            "(comm$0ent (undefined 1))",
            expect![[r#"
            1..8
            ```yin
            comment
            ```

            special form

            (comment body...): ignores its body; evaluates to nil."#]],
        );
        check(
            "(let [{:keys [a$0]} {:a 1}] a)",
            expect![[r#"
            14..15
            ```yin
            a
            ```

            local"#]],
        );
        check(
            "(let [[a b$0] [1 2]] b)",
            expect![[r#"
            9..10
            ```yin
            b
            ```

            local"#]],
        );
    }

    #[test]
    fn core_special_and_unresolved() {
        check(
            "(n$0th [1] 0)",
            expect![[r#"
                1..4
                ```yin
                (nth x1 x2)
                (nth x1 x2 x3)
                ```

                core function · 2 to 3 arguments

                The element at an index; the optional third argument is the default."#]],
        );
        check(
            "(+$0 1 2)",
            expect![[r#"
                1..2
                ```yin
                (+ & more)
                ```

                core function · 0 or more arguments

                Sum of the numbers; (+) is 0.

                ---

                Last result:

                ```yin
                3
                ```"#]],
        );
        check(
            "(l$0et [a 1] a)",
            expect![[r#"
                1..4
                ```yin
                let
                ```

                special form

                (let [name value ...] body...): sequential local bindings; names may be destructuring patterns."#]],
        );
        check(
            "(nope$0)",
            expect![[r#"
            1..5
            ```yin
            nope
            ```

            unresolved global"#]],
        );
    }

    #[test]
    fn last_inline_result() {
        check(
            "(defn answer [] 42)\n($0answer)",
            expect![[r#"
                21..27
                ```yin
                (answer)
                ```

                global · 0 arguments

                ---

                Last result:

                ```yin
                42
                ```"#]],
        );
        check("(answer) $0", expect!["no hover"]);
        check("(answer $0)", expect!["no hover"]);
        check(
            "(+ 1 $02)",
            expect![[r#"
                0..7
                Last result:

                ```yin
                3
                ```"#]],
        );
    }
}
