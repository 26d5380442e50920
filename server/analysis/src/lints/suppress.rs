//! Suppressing one finding with a comment on the line before it:
//!
//! ```clojure
//! ; yin: ignore unused-binding
//! (let [x 1] 2)
//! ```
//!
//! The comment names one or more rule ids (separated by spaces or commas) and silences those
//! rules' findings that start on the next line; nothing else.

use ropey::Rope;
use syntax::TextSize;

/// The rule ids a `; yin: ignore ...` comment names, if `line` is one.
fn ignored(line: &str) -> Option<impl Iterator<Item = &str>> {
    let comment = line.trim_start().strip_prefix(';')?;
    let rest = comment.trim_start_matches(';').trim_start();
    let ids = rest
        .strip_prefix("yin:")?
        .trim_start()
        .strip_prefix("ignore")?;
    if !ids.is_empty() && !ids.starts_with([' ', '\t', ',']) {
        return None;
    }
    Some(
        ids.split([' ', '\t', ','])
            .map(str::trim)
            .filter(|s| !s.is_empty()),
    )
}

/// Whether a finding of `rule` starting at `offset` in `text` is suppressed. Lines are LSP's
/// (`\n`, `\r\n`, a lone `\r`), as the editor shows them. Reads two lines of the rope, never the
/// whole text.
pub fn is_suppressed(text: &Rope, offset: TextSize, rule: &str) -> bool {
    let offset = usize::from(offset).min(text.len_bytes());
    let line = text.byte_to_line(offset);
    let Some(previous) = line.checked_sub(1).and_then(|l| text.get_line(l)) else {
        return false;
    };
    let previous = previous.to_string();
    ignored(previous.trim_end_matches(['\r', '\n'])).is_some_and(|mut ids| ids.any(|id| id == rule))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_suppressed(text: &str, offset: TextSize, rule: &str) -> bool {
        super::is_suppressed(&Rope::from_str(text), offset, rule)
    }

    #[test]
    fn comment_on_the_previous_line_names_the_rule() {
        let text = "; yin: ignore unused-binding, arity\n(let [x 1] 2)\n(let [y 1] 2)";
        let second = TextSize::from(36);
        let third = TextSize::from(50);
        assert!(is_suppressed(text, second, "unused-binding"));
        assert!(is_suppressed(text, second, "arity"));
        assert!(!is_suppressed(text, second, "shadowed-binding"));
        assert!(
            !is_suppressed(text, third, "unused-binding"),
            "one line only"
        );
        assert!(!is_suppressed(text, TextSize::from(0), "unused-binding"));
    }

    #[test]
    fn other_comments_do_not_suppress() {
        let text = ";; yin: ignoreunused-binding\n(let [x 1] 2)";
        assert!(!is_suppressed(text, TextSize::from(29), "unused-binding"));
        let text = "  ;; yin: ignore  unused-binding\r\n(let [x 1] 2)";
        assert!(is_suppressed(text, TextSize::from(34), "unused-binding"));
    }
}
