//! Expanding a selection: from the token at the cursor outwards through the forms enclosing it.
//!
//! Between a collection's contents and the whole collection there is one more step, the text
//! inside its brackets, as structural editors for Lisps offer.

use syntax::{TextRange, TextSize};
use tree_sitter::Node;

use crate::SourceFile;
use crate::tree::node_range;

/// The ranges a selection at `offset` grows through, innermost first, ending with the whole file.
pub fn selection_ranges(file: &SourceFile, offset: TextSize) -> Vec<TextRange> {
    let document = file.document();
    let offset = usize::from(offset);
    let tree = document.tree_at(offset);
    let root = tree.root_node();
    // The chunk's root is no step of its own: the whole file ends the list.
    let mut path = Vec::new();
    // A descent rather than `Node::parent` chains: that costs the nesting depth per step.
    let mut node = root;
    while let Some(child) = child_at(node, offset) {
        path.push(child);
        node = child;
    }
    let mut ranges: Vec<TextRange> = Vec::new();
    for node in path.into_iter().rev() {
        if let Some(inner) = inside_brackets(node) {
            push_distinct(&mut ranges, inner);
        }
        push_distinct(&mut ranges, node_range(node));
    }
    push_distinct(&mut ranges, TextRange::up_to(document.len()));
    ranges
}

/// The child of `node` holding `offset`, or else the one ending there (a cursor just after a
/// symbol selects the symbol).
fn child_at(node: Node<'_>, offset: usize) -> Option<Node<'_>> {
    let mut cursor = node.walk();
    let mut ending_here = None;
    for child in node.children(&mut cursor) {
        if child.start_byte() <= offset && offset < child.end_byte() {
            return Some(child);
        }
        if child.end_byte() == offset && child.start_byte() < offset {
            ending_here = Some(child);
        }
    }
    ending_here
}

/// The range between a collection's `open` and `close` delimiters, when it is not empty.
fn inside_brackets(node: Node<'_>) -> Option<TextRange> {
    let open = node.child_by_field_name("open")?;
    let close = node.child_by_field_name("close")?;
    let mut cursor = node.walk();
    let children: Vec<Node<'_>> = node
        .children(&mut cursor)
        .filter(|child| {
            child.start_byte() >= open.end_byte() && child.end_byte() <= close.start_byte()
        })
        .collect();
    let first = children.first()?;
    let last = children.last()?;
    Some(node_range(*first).cover(node_range(*last)))
}

/// Adds `range` if it grows the last one: LSP requires each parent to contain its child, and in
/// broken code the text inside an unclosed bracket need not contain the token at the cursor
/// (`( /` with the cursor after `(`, found by fuzzing).
fn push_distinct(ranges: &mut Vec<TextRange>, range: TextRange) {
    if ranges
        .last()
        .is_none_or(|last| *last != range && range.contains_range(*last))
    {
        ranges.push(range);
    }
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;
    use crate::fixture::cursor;

    fn check(fixture: &str, expect: Expect) {
        let (text, offset) = cursor(fixture);
        let file = SourceFile::from_text(&text);
        let actual: String = selection_ranges(&file, offset)
            .iter()
            .map(|range| format!("{:?}\n", &text[range.start().into()..range.end().into()]))
            .collect();
        expect.assert_eq(&actual);
    }

    #[test]
    fn grows_through_enclosing_forms() {
        check(
            "(defn f [x]\n  (+ x$0 1))\n(f 2)\n",
            expect![[r#"
                "x"
                "+ x 1"
                "(+ x 1)"
                "defn f [x]\n  (+ x 1)"
                "(defn f [x]\n  (+ x 1))"
                "(defn f [x]\n  (+ x 1))\n(f 2)\n"
            "#]],
        );
    }

    #[test]
    fn cursor_in_whitespace_selects_the_enclosing_form() {
        check(
            "[1 $0 2]",
            expect![[r#"
                "1  2"
                "[1  2]"
            "#]],
        );
    }
}
