//! Half-typed code: an unclosed form around the cursor does not lower (tree-sitter's recovery
//! flattens it into one error node), so the cursor features would see no binder in it. They read
//! the file through [`usable`], which closes what the cursor is inside of.

use std::borrow::Cow;

use syntax::{NodeKind, PositionEncoding, Range, TextEdit, TextSize};

use crate::SourceFile;
use crate::names::{form_at, symbol_node_at};

/// The file as the features at `offset` should read it. Half-typed code (an unclosed form
/// around the cursor) does not lower: tree-sitter's recovery flattens it. Then the text up to
/// the end of the symbol at `offset` (or `offset`) is taken with the missing closing delimiters
/// appended, so every binder before the cursor lowers and offsets before it stay the same.
pub(crate) fn usable(file: &SourceFile, offset: TextSize) -> Cow<'_, SourceFile> {
    let lowering = file.lowering();
    let broken = form_at(lowering, offset).is_none_or(|form| {
        form.ast
            .root()
            .is_none_or(|root| matches!(form.ast.node(root).kind, NodeKind::Error(_)))
    });
    if !broken || !file.document().has_syntax_error() {
        return Cow::Borrowed(file);
    }
    let end = symbol_node_at(file, offset).map_or(usize::from(offset), |symbol| {
        usize::from(symbol.range.end()).max(usize::from(offset))
    });
    // Top-level forms before the broken one are closed: scanning starts at the broken form.
    let scan_from = form_at(lowering, offset).map_or(0, |form| usize::from(form.range().start()));
    let document = file.document();
    let rope = document.rope();
    let (Some(scanned), Ok(cut)) = (
        rope.get_byte_slice(scan_from.min(end)..end.min(rope.len_bytes())),
        TextSize::try_from(end),
    ) else {
        return Cow::Borrowed(file);
    };
    let closing = closers(&scanned.to_string());
    // One edit replacing everything after the cursor: the parse and the lowering are updated
    // incrementally, so the forms before the cursor are not lowered again.
    let encoding = PositionEncoding::Utf8;
    let range = Range::new(
        document.offset_to_position(cut, encoding),
        document.offset_to_position(document.len(), encoding),
    );
    let mut repaired = file.clone();
    match repaired.apply_edits(&[TextEdit::new(range, closing)], encoding) {
        Ok(_) => Cow::Owned(repaired),
        Err(_) => Cow::Borrowed(file),
    }
}

/// The closing delimiters that `text`'s unclosed `(`, `[` and `{` need, innermost first. An
/// unclosed string is closed first. Comments and character literals are skipped.
fn closers(text: &str) -> String {
    let mut open = Vec::new();
    let mut chars = text.chars();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '\\' => {
                chars.next();
            }
            ';' => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '(' => open.push(')'),
            '[' => open.push(']'),
            '{' => open.push('}'),
            ')' | ']' | '}' => {
                open.pop();
            }
            _ => {}
        }
    }
    let mut out = String::new();
    if in_string {
        out.push('"');
    }
    out.extend(open.iter().rev());
    out
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use super::*;

    #[test]
    fn closers_skip_strings_comments_and_characters() {
        let cases = [
            "(defn f [x] (let [y (inc x",
            "(str \"(\" [1 \\( {:a",
            "(f ; (\n [",
            "(f \"abc",
            "(f))) [",
        ];
        let actual: Vec<String> = cases
            .iter()
            .map(|c| format!("{c:?} -> {:?}", closers(c)))
            .collect();
        expect![[r#"
            "(defn f [x] (let [y (inc x" -> ")]))"
            "(str \"(\" [1 \\( {:a" -> "}])"
            "(f ; (\n [" -> "])"
            "(f \"abc" -> "\")"
            "(f))) [" -> "]""#]]
        .assert_eq(&actual.join("\n"));
    }

    #[test]
    fn only_broken_forms_are_repaired() {
        let whole = SourceFile::from_text("(defn f [x] x)");
        assert!(matches!(usable(&whole, TextSize::new(5)), Cow::Borrowed(_)));
        let broken = SourceFile::from_text("(def a 1)\n(defn f [x] (inc x\n(def b 2)");
        let repaired = usable(&broken, TextSize::new(27));
        expect![[r#"
            (def a 1)
            (defn f [x] (inc x))"#]]
        .assert_eq(&repaired.text());
    }
}
