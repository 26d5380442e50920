//! Parses every `examples/*.yin` program at the repository root and fails on any ERROR or
//! MISSING node, naming the file, line and column. The set of examples grows independently of
//! the grammar, so the test takes whatever files exist.

use std::path::Path;

use crate::{files_with_extension, grammar_dir, parse, read};

/// `file:line:column: what` for every ERROR and MISSING node, in document order.
fn syntax_problems(path: &Path, source: &str) -> Vec<String> {
    let tree = parse(source);
    let mut problems = Vec::new();
    let mut cursor = tree.walk();
    // Iterative pre-order walk: deep nesting in a user file must not overflow the stack.
    'walk: loop {
        let node = cursor.node();
        if node.is_error() || node.is_missing() {
            let at = node.start_position();
            let what = if node.is_missing() {
                format!("MISSING {}", node.kind())
            } else {
                format!(
                    "ERROR {:?}",
                    node.utf8_text(source.as_bytes()).unwrap_or("")
                )
            };
            problems.push(format!(
                "{}:{}:{}: {what}",
                path.display(),
                at.row + 1,
                at.column + 1
            ));
        }
        if node.has_error() && cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    problems
}

#[test]
fn every_example_parses_without_errors() {
    let dir = grammar_dir().join("../examples");
    let mut problems = Vec::new();
    for file in files_with_extension(&dir, "yin") {
        problems.extend(syntax_problems(&file, &read(&file)));
    }
    assert!(
        problems.is_empty(),
        "syntax errors in examples:\n{}",
        problems.join("\n")
    );
}

#[test]
fn problems_name_line_and_column() {
    let problems = syntax_problems(Path::new("f.yin"), "(ok)\n(a ) )\n[b");
    assert_eq!(
        problems,
        vec!["f.yin:2:6: ERROR \")\"", "f.yin:3:3: MISSING ]"]
    );
}
