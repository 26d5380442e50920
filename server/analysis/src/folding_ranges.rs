//! Folding: multi-line collections (the grammar's `folds.scm`, shared with Neovim) and runs of
//! line comments on consecutive lines.

use std::sync::OnceLock;

use syntax::TextRange;
use tree_sitter::{Node, Query, QueryCursor, StreamingIterator};

use crate::SourceFile;
use crate::tree::node_range;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FoldKind {
    /// A collection spanning several lines.
    Form,
    /// Two or more line comments on consecutive lines.
    Comment,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fold {
    pub range: TextRange,
    pub kind: FoldKind,
}

/// Folds of `file`, sorted by start.
pub fn folding_ranges(file: &SourceFile) -> Vec<Fold> {
    let document = file.document();
    let rope = document.rope();
    let root = document.tree().root_node();
    let multi_line = |range: TextRange| {
        let start = rope.byte_to_line(usize::from(range.start()));
        let end = rope.byte_to_line(usize::from(range.end()));
        end > start
    };

    let mut folds = Vec::new();
    let mut cursor = QueryCursor::new();
    let text = document.text();
    let mut captures = cursor.captures(folds_query(), root, text.as_bytes());
    while let Some((m, index)) = captures.next() {
        let range = node_range(m.captures[*index].node);
        if multi_line(range) {
            folds.push(Fold {
                range,
                kind: FoldKind::Form,
            });
        }
    }

    let mut run: Option<TextRange> = None;
    for comment in comments(root) {
        let range = node_range(comment);
        run = match run {
            Some(open) if only_one_line_break(rope, open.end(), range.start()) => {
                Some(open.cover(range))
            }
            Some(open) => {
                if multi_line(open) {
                    folds.push(Fold {
                        range: open,
                        kind: FoldKind::Comment,
                    });
                }
                Some(range)
            }
            None => Some(range),
        };
    }
    if let Some(open) = run.filter(|open| multi_line(*open)) {
        folds.push(Fold {
            range: open,
            kind: FoldKind::Comment,
        });
    }
    folds.sort_by_key(|fold| (fold.range.start(), std::cmp::Reverse(fold.range.end())));
    folds.dedup();
    folds
}

fn folds_query() -> &'static Query {
    static QUERY: OnceLock<Query> = OnceLock::new();
    QUERY.get_or_init(|| {
        Query::new(
            &tree_sitter_yin::LANGUAGE.into(),
            tree_sitter_yin::FOLDS_QUERY,
        )
        .expect("the grammar crate's tests compile folds.scm against the grammar")
    })
}

/// All `comment` nodes in source order, found with a cursor walk (no recursion on nesting depth).
fn comments(root: Node<'_>) -> Vec<Node<'_>> {
    let mut out = Vec::new();
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        if node.kind() == "comment" {
            out.push(node);
        }
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return out;
            }
        }
    }
}

/// Whether the text between `from` and `to` is whitespace holding exactly one line break.
fn only_one_line_break(rope: &ropey::Rope, from: syntax::TextSize, to: syntax::TextSize) -> bool {
    let gap = rope
        .byte_slice(usize::from(from)..usize::from(to))
        .to_string();
    let breaks = gap.replace("\r\n", "\n").matches(['\n', '\r']).count();
    breaks == 1 && gap.chars().all(|c| c.is_whitespace() || c == ',')
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;

    fn check(text: &str, expect: Expect) {
        let file = SourceFile::from_text(text);
        let actual: String = folding_ranges(&file)
            .iter()
            .map(|fold| {
                let range = fold.range;
                format!(
                    "{:?} {:?}\n",
                    fold.kind,
                    &text[range.start().into()..range.end().into()]
                )
            })
            .collect();
        expect.assert_eq(&actual);
    }

    #[test]
    fn multi_line_forms_and_comment_runs() {
        check(
            r#";; Header line one
;; line two

; alone
(defn f [x]
  {:a [1 2]
   :b #{3
        4}})
(g 1 2)
"#,
            expect![[r##"
                Comment ";; Header line one\n;; line two"
                Form "(defn f [x]\n  {:a [1 2]\n   :b #{3\n        4}})"
                Form "{:a [1 2]\n   :b #{3\n        4}}"
                Form "#{3\n        4}"
            "##]],
        );
    }
}
