//! Code actions at a cursor or selection: the quick fixes of the findings there, and the
//! refactorings of [`crate::refactor`] that apply (each offered only when it succeeds, so the
//! editor never shows an action that would then be refused). Also whether a rename may start at
//! a cursor, asked the same way: by trying it.
//!
//! This module knows findings, refactorings and text edits; nothing of LSP (the server turns an
//! action into a `CodeAction` with a `WorkspaceEdit`).

use syntax::{TextRange, TextSize};

use crate::edit::Edit;
use crate::findings::Finding;
use crate::names::form_at;
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
    // Every refactoring offered here rewrites inside one top-level form and reads nothing
    // outside it, so each reads that form's text alone: a request costs the size of the form,
    // not of the file (clients ask on every cursor move).
    let Some((form, text)) = top_form_at(file, range.start()) else {
        return actions;
    };
    let at = range.start() - form.start();
    let within = form.contains_range(range).then(|| range - form.start());
    let mut found: Vec<CodeAction> = Vec::new();
    if let Some(within) = within.filter(|r| !r.is_empty())
        && let Some(edits) = EXTRACTED_NAMES
            .iter()
            .find_map(|name| refactor::extract_to_let(&text, within, name).ok())
    {
        found.push(action("Extract to let", ActionKind::Extract, edits));
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
            found.push(action(title, kind, edits));
        }
    }
    for mut refactoring in found {
        for edit in &mut refactoring.edits {
            edit.range += form.start();
        }
        actions.push(refactoring);
    }
    actions
}

/// The top-level form at `offset` (one ending there counts; the first wins), with its text.
/// The lowering's forms, not the tree's top-level nodes: while the file is broken, the tree's
/// recovery keeps an unclosed form open to the end of the file, and every refactoring would
/// read all of that, where the lowering cuts it at the next line that begins a form.
fn top_form_at(file: &SourceFile, offset: TextSize) -> Option<(TextRange, String)> {
    let range = form_at(file.lowering(), offset)?.range();
    let text = file
        .document()
        .rope()
        .get_byte_slice(usize::from(range.start())..usize::from(range.end()))?
        .to_string();
    Some((range, text))
}

/// Names a rename is tried with to learn whether the symbol at a cursor is renamable at all;
/// a second one in case the file already uses the first (a capture refusal says nothing about
/// the symbol's range).
const PROBE_NAMES: &[&str] = &["yin-rename-probe", "yin-rename-probe-2"];

/// The range of the renamable symbol at `offset`, or `None` where a rename does not apply (core
/// names, special forms, literals, whitespace).
pub fn prepare_rename(file: &SourceFile, offset: TextSize) -> Option<TextRange> {
    PROBE_NAMES.iter().find_map(|name| {
        refactor::rename_in(file, offset, name)
            .ok()?
            .into_iter()
            .map(|edit| edit.range)
            .find(|range| range.start() <= offset && offset <= range.end())
    })
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

    fn titles(text: &str, start: u32, end: u32) -> Vec<String> {
        let file = SourceFile::from_text(text);
        let range = TextRange::new(TextSize::from(start), TextSize::from(end));
        code_actions(&file, &[], range)
            .into_iter()
            .map(|a| a.title)
            .collect()
    }

    #[test]
    fn a_form_after_an_unclosed_one_is_refactored_on_its_own() {
        // The unclosed `(` does not make the rest of the file one form: the line starting at
        // column 0 begins the next, which threading reads alone.
        let text = "(def a (inc\n(f (g x) a)\n(def b 2)\n";
        assert_eq!(titles(text, 13, 13), ["Thread first (->)"]);
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

    #[test]
    fn a_rename_starts_only_on_a_local_or_a_definition() {
        let file = SourceFile::from_text("(let [ab 1] (+ ab 2))");
        let at = |offset: u32| prepare_rename(&file, TextSize::from(offset));
        let ab = TextRange::new(TextSize::from(6), TextSize::from(8));
        assert_eq!(at(7), Some(ab));
        assert_eq!(
            at(16),
            Some(TextRange::new(TextSize::from(15), TextSize::from(17)))
        );
        assert_eq!(at(13), None, "a core name");
        assert_eq!(at(1), None, "a special form");
        assert_eq!(at(9), None, "a literal");
    }
}
