//! Text edits: what fixes, refactors and the formatter return, in byte ranges of the file's text.

use syntax::{TextRange, TextSize};

/// Replace `range` (bytes of the file's text) with `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub range: TextRange,
    pub text: String,
}

/// Applies edits to `text`; edits are non-overlapping and in any order.
pub fn apply_edits(text: &str, edits: &[Edit]) -> String {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| e.range.start());
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for edit in sorted {
        let (start, end) = (
            usize::from(edit.range.start()),
            usize::from(edit.range.end()),
        );
        out.push_str(text.get(at..start).unwrap_or_default());
        out.push_str(&edit.text);
        at = end.max(at);
    }
    out.push_str(text.get(at..).unwrap_or_default());
    out
}

/// The one edit that turns `old` into `new`: the longest common prefix and suffix left out, cut
/// at character boundaries. For tests, benchmarks and tools that hold two texts; the editor path
/// never diffs texts, it receives edits.
pub fn edit_between(old: &str, new: &str) -> Edit {
    let mut start = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !(old.is_char_boundary(start) && new.is_char_boundary(start)) {
        start -= 1;
    }
    let room = old.len().min(new.len()) - start;
    let mut suffix = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(room)
        .take_while(|(a, b)| a == b)
        .count();
    while !(old.is_char_boundary(old.len() - suffix) && new.is_char_boundary(new.len() - suffix)) {
        suffix -= 1;
    }
    let at = |n: usize| TextSize::from(u32::try_from(n).unwrap_or(u32::MAX));
    Edit {
        range: TextRange::new(at(start), at(old.len() - suffix)),
        text: new
            .get(start..new.len() - suffix)
            .unwrap_or_default()
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn between(old: &str, new: &str) -> (u32, u32, String) {
        let edit = edit_between(old, new);
        (
            edit.range.start().into(),
            edit.range.end().into(),
            edit.text,
        )
    }

    #[test]
    fn edit_between_is_cut_at_character_boundaries() {
        assert_eq!(between("abc", "abc"), (3, 3, String::new()));
        assert_eq!(between("a42b", "a4200b"), (3, 3, "00".to_owned()));
        assert_eq!(
            between("xé", "xè"),
            (1, 3, "è".to_owned()),
            "é and è share their first byte"
        );
        assert_eq!(between("aa", "a"), (1, 2, String::new()));
        assert_eq!(between("", "(x)"), (0, 0, "(x)".to_owned()));
        for (old, new) in [("xé", "xè"), ("(a b)", "(a [b c])"), ("abc", "")] {
            assert_eq!(apply_edits(old, &[edit_between(old, new)]), new);
        }
    }
}
