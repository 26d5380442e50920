//! The last inline evaluation result of each top-level form, for hover and inlay hints.
//!
//! Results are keyed by the form's text, not its position: editing elsewhere in the file keeps
//! them, editing the form itself drops them (its old result no longer describes it).

use std::collections::HashMap;

use syntax::TextSize;

use crate::SourceFile;

/// How many characters of a value an inlay hint shows before `…`.
const HINT_CHARS: usize = 60;
/// How many characters of a value are kept for hover and tooltips, before `...`.
pub(crate) const SHOWN_CHARS: usize = 1_000;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InlineResults {
    by_form: HashMap<String, String>,
}

impl InlineResults {
    /// Records what evaluating the form whose text is `form` showed (a value or an error), cut
    /// to [`SHOWN_CHARS`].
    pub fn record(&mut self, form: String, mut shown: String) {
        if let Some((end, _)) = shown.char_indices().nth(SHOWN_CHARS) {
            shown.truncate(end);
            shown.push_str("...");
        }
        self.by_form.insert(form, shown);
    }

    pub fn get(&self, form: &str) -> Option<&str> {
        self.by_form.get(form).map(String::as_str)
    }
}

/// `shown` as a markdown code block whose fence is longer than any run of backticks in it, so
/// that no value (an unbalanced backtick in a string, say) can end the block early.
pub(crate) fn fenced(shown: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in shown.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat((longest + 1).max(3));
    format!("{fence}yin\n{shown}\n{fence}")
}

/// An inlay hint after a form: `=> value`, truncated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlayHint {
    pub offset: TextSize,
    pub label: String,
    /// The value as kept ([`SHOWN_CHARS`]), fenced markdown, when the label is truncated.
    pub tooltip: Option<String>,
}

/// One hint after each top-level form that has a recorded result.
pub fn inlay_hints(file: &SourceFile, results: &InlineResults) -> Vec<InlayHint> {
    let text = file.text();
    file.lowering()
        .forms()
        .iter()
        .filter_map(|form| {
            let range = form.range();
            let shown =
                results.get(text.get(usize::from(range.start())..usize::from(range.end()))?)?;
            let truncated = shown.chars().count() > HINT_CHARS;
            let label = if truncated {
                let head: String = shown.chars().take(HINT_CHARS).collect();
                format!("=> {head}…")
            } else {
                format!("=> {shown}")
            };
            Some(InlayHint {
                offset: range.end(),
                label,
                tooltip: truncated.then(|| fenced(shown)),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use super::*;

    #[test]
    fn fences_outgrow_the_backticks_in_the_value() {
        expect![[r#"
            ```yin
            "a`b"
            ```
            ````yin
            "```"
            ````"#]]
        .assert_eq(&format!("{}\n{}", fenced("\"a`b\""), fenced("\"```\"")));
        let mut results = InlineResults::default();
        results.record("(f)".to_owned(), "x".repeat(5_000));
        assert_eq!(
            results.get("(f)").map(|s| s.chars().count()),
            Some(SHOWN_CHARS + 3)
        );
    }

    #[test]
    fn hints_follow_forms_by_text() {
        let mut results = InlineResults::default();
        results.record("(+ 1 2)".to_owned(), "3".to_owned());
        results.record(
            "(range 100)".to_owned(),
            format!(
                "[{}]",
                (0..100)
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        );
        let file = SourceFile::from_text("(def x 1)\n(+ 1 2)\n(range 100) (+ 1 2)");
        let actual: Vec<String> = inlay_hints(&file, &results)
            .iter()
            .map(|h| format!("{:?} {} {}", h.offset, h.label, h.tooltip.is_some()))
            .collect();
        expect![[r#"
            17 => 3 false
            29 => [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 … true
            37 => 3 false"#]]
        .assert_eq(&actual.join("\n"));
    }
}
