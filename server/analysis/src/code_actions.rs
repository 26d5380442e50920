//! Code actions at a cursor or selection: the quick fixes of the findings there, and the
//! refactorings of [`crate::refactor`] that apply (each offered only when it succeeds, so the
//! editor never shows an action that would then be refused).
//!
//! This module knows findings, refactorings and text edits; nothing of LSP (the server turns an
//! action into a `CodeAction` with a `WorkspaceEdit`).

use syntax::TextRange;

use crate::edit::Edit;
use crate::findings::Finding;
use crate::refactor;
use crate::source::SourceFile;

/// What kind of change an action makes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActionKind {
    /// Removes the problem the finding reports.
    QuickFix(Finding),
    Extract,
    Inline,
    /// Rewrites a form into an equivalent one (threading and back).
    Rewrite,
}

/// One action: a title for the menu and the edits to the file's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeAction {
    pub title: String,
    pub kind: ActionKind,
    pub edits: Vec<Edit>,
}

/// The names tried, in order, for the binding an extraction introduces (the refactoring refuses
/// a name already used in the form it wraps).
const EXTRACTED_NAMES: &[&str] = &["extracted", "extracted-1", "extracted-2", "extracted-3"];

/// The actions for `range` (empty: a cursor): quick fixes of the `findings` touching it, then
/// extract (a non-empty selection), inline, thread-first, thread-last and unthread.
pub fn code_actions(file: &SourceFile, findings: &[Finding], range: TextRange) -> Vec<CodeAction> {
    let mut actions: Vec<CodeAction> = findings
        .iter()
        .filter(|f| touches(f.range, range))
        .filter_map(|f| {
            let fix = f.fix.as_ref()?;
            Some(CodeAction {
                title: fix.title.clone(),
                kind: ActionKind::QuickFix(f.clone()),
                edits: fix.edits.clone(),
            })
        })
        .collect();
    let text = file.text();
    let at = range.start();
    if !range.is_empty()
        && let Some(edits) = EXTRACTED_NAMES
            .iter()
            .find_map(|name| refactor::extract_to_let(&text, range, name).ok())
    {
        actions.push(action("Extract to let", ActionKind::Extract, edits));
    }
    let candidates = [
        (
            "Inline let binding",
            ActionKind::Inline,
            refactor::inline_let(&text, at),
        ),
        (
            "Thread first (->)",
            ActionKind::Rewrite,
            refactor::thread(&text, at, false),
        ),
        (
            "Thread last (->>)",
            ActionKind::Rewrite,
            refactor::thread(&text, at, true),
        ),
        (
            "Unthread",
            ActionKind::Rewrite,
            refactor::unthread(&text, at),
        ),
    ];
    for (title, kind, result) in candidates {
        if let Ok(edits) = result {
            actions.push(action(title, kind, edits));
        }
    }
    actions
}

fn action(title: &str, kind: ActionKind, edits: Vec<Edit>) -> CodeAction {
    CodeAction {
        title: title.to_owned(),
        kind,
        edits,
    }
}

/// Whether two ranges overlap or touch (a cursor at either end of a finding is on it).
fn touches(a: TextRange, b: TextRange) -> bool {
    a.start() <= b.end() && b.start() <= a.end()
}

#[cfg(test)]
mod tests {
    use super::*;
    use syntax::TextSize;

    fn titles(text: &str, start: u32, end: u32) -> Vec<String> {
        let file = SourceFile::from_text(text);
        let range = TextRange::new(TextSize::from(start), TextSize::from(end));
        code_actions(&file, &[], range)
            .into_iter()
            .map(|a| a.title)
            .collect()
    }

    #[test]
    fn only_the_refactorings_that_apply_are_offered() {
        assert_eq!(titles("(f (g x) a)", 1, 1), ["Thread first (->)"]);
        assert_eq!(
            titles("(f (g x))", 1, 1),
            ["Thread first (->)", "Thread last (->>)"]
        );
        assert_eq!(titles("(let [a 1] (+ a 2))", 6, 6), ["Inline let binding"]);
        assert_eq!(titles("(-> x g)", 1, 1), ["Unthread"]);
        assert_eq!(
            titles("(+ 1 (* 2 3))", 5, 12),
            ["Extract to let", "Thread last (->>)"]
        );
        assert_eq!(titles("42", 0, 0), Vec::<String>::new());
    }
}
