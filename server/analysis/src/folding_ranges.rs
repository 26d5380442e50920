//! Folding: multi-line collections (the grammar's `folds.scm`, shared with Neovim) and runs of
//! line comments on consecutive lines.

use std::sync::OnceLock;

use syntax::TextRange;
use tree_sitter::{Language, Node};

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
    let multi_line = |range: TextRange| {
        let start = rope.byte_to_line(usize::from(range.start()));
        let end = rope.byte_to_line(usize::from(range.end()));
        end > start
    };

    // Only nodes spanning several lines can fold, and a node on one line has no descendant that
    // spans several, so the walk prunes single-line subtrees. Running `folds.scm` as a query over
    // the tree instead costs more than linear time in the nesting depth (minutes at 200,000).
    let kinds = fold_kinds();
    let mut folds = Vec::new();
    let mut comment_ranges = Vec::new();
    // Each chunk's tree on its own: a form never spans two, nor does a run of comment lines
    // (a chunk starts with a form at column 0).
    for tree in document.trees() {
        let root = tree.root_node();
        let mut cursor = root.walk();
        'walk: loop {
            let node = cursor.node();
            let range = node_range(node);
            if multi_line(range) {
                if kinds.contains(&node.kind_id()) {
                    folds.push(Fold {
                        range,
                        kind: FoldKind::Form,
                    });
                }
                if cursor.goto_first_child() {
                    continue;
                }
            }
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    break 'walk;
                }
            }
        }
        comment_ranges.extend(comments(root).into_iter().map(node_range));
    }

    let mut run: Option<TextRange> = None;
    for range in comment_ranges {
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

/// The node kinds `folds.scm` captures. The query is a flat alternation of node kinds (`[(list_lit)
/// (vec_lit) ...] @fold`), so its kinds are its parenthesised names, each checked against the
/// grammar; the tests below pin the result.
fn fold_kinds() -> &'static Vec<u16> {
    static KINDS: OnceLock<Vec<u16>> = OnceLock::new();
    KINDS.get_or_init(|| {
        let language: Language = tree_sitter_yin::LANGUAGE.into();
        tree_sitter_yin::FOLDS_QUERY
            .lines()
            .filter(|line| !line.trim_start().starts_with(';'))
            .flat_map(|line| line.split('(').skip(1))
            .filter_map(|rest| rest.split(')').next())
            .map(|name| language.id_for_node_kind(name.trim(), true))
            .filter(|&id| id != 0)
            .collect()
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

    #[test]
    fn the_fold_kinds_are_those_of_folds_scm() {
        let language: Language = tree_sitter_yin::LANGUAGE.into();
        let mut names: Vec<&str> = fold_kinds()
            .iter()
            .filter_map(|&id| language.node_kind_for_id(id))
            .collect();
        names.sort_unstable();
        expect![[r#"
            ["anon_fn_lit", "list_lit", "map_lit", "ns_map_lit", "read_cond_lit", "set_lit", "splicing_read_cond_lit", "vec_lit"]
        "#]]
        .assert_eq(&format!("{names:?}\n"));
    }
}
