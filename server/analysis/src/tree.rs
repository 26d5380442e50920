//! Small readings of the tree-sitter tree shared by the feature modules: ranges and texts of
//! nodes, and a form's `value` children. It knows the grammar's field names and nothing of what
//! forms mean.

use ropey::Rope;
use syntax::{TextRange, TextSize};
use tree_sitter::Node;

pub(crate) fn node_range(node: Node<'_>) -> TextRange {
    TextRange::new(size(node.start_byte()), size(node.end_byte()))
}

pub(crate) fn node_text(node: Node<'_>, rope: &Rope) -> String {
    let end = node.end_byte().min(rope.len_bytes());
    rope.byte_slice(node.start_byte().min(end)..end).to_string()
}

/// The children in a collection's or prefix form's `value` field: its elements, without
/// delimiters, comments, discarded forms or metadata.
pub(crate) fn value_children(node: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = node.walk();
    node.children_by_field_name("value", &mut cursor)
        .filter(|child| !child.is_missing())
        .collect()
}

pub(crate) fn size(n: usize) -> TextSize {
    TextSize::new(u32::try_from(n).unwrap_or(u32::MAX))
}
