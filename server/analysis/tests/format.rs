//! Properties of the formatter over the example programs and random inputs: formatting twice
//! changes nothing, and the formatted text has the same tokens and the same tree shape.

use analysis::{SourceFile, format_text};
use expect_test::expect;
use proptest::prelude::*;
use test_support::corpus;
use tree_sitter::Node;

/// `text` parsed whole, as the formatter reads it.
fn whole_tree(text: &str) -> tree_sitter::Tree {
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_yin::LANGUAGE.into())
        .expect("the grammar's ABI matches");
    parser.parse(text, None).expect("no timeout is set")
}

/// Token texts in order, comments without trailing whitespace (the formatter trims it).
fn tokens(text: &str) -> Vec<String> {
    let tree = whole_tree(text);
    let mut out = Vec::new();
    let mut cursor = tree.walk();
    loop {
        let node: Node<'_> = cursor.node();
        if node.child_count() == 0 || node.kind() == "str_lit" {
            let token = &text[node.byte_range()];
            out.push(
                if node.kind() == "comment" {
                    token.trim_end()
                } else {
                    token
                }
                .to_owned(),
            );
        } else if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return out;
            }
        }
    }
}

fn shape(text: &str) -> String {
    whole_tree(text).root_node().to_sexp()
}

/// Checks the properties for `text`; returns whether it was formatted (not refused).
fn check_properties(text: &str) -> Result<bool, TestCaseError> {
    let Some(once) = format_text(text) else {
        prop_assert!(SourceFile::from_text(text).document().has_syntax_error());
        return Ok(false);
    };
    prop_assert_eq!(tokens(&once), tokens(text), "tokens changed:\n{}", once);
    prop_assert_eq!(shape(&once), shape(text));
    let twice = format_text(&once);
    prop_assert_eq!(twice.as_deref(), Some(once.as_str()), "not idempotent");
    Ok(true)
}

/// Each example's file name and text.
fn examples_by_name() -> Vec<(String, String)> {
    corpus::examples()
        .into_iter()
        .map(|(path, text)| (corpus::file_name(&path), text))
        .collect()
}

#[test]
fn examples_keep_their_tokens_and_are_stable() {
    let mut report = String::new();
    for (name, text) in examples_by_name() {
        assert!(
            check_properties(&text).expect("properties hold"),
            "{name} refused"
        );
        let formatted = format_text(&text).unwrap_or_default();
        let changed = text
            .lines()
            .zip(formatted.lines())
            .filter(|(a, b)| a != b)
            .count();
        report.push_str(&format!("{name}: {changed} lines changed\n"));
    }
    expect![[r#"
        arith-tokenizer.yin: 0 lines changed
        bank-account.yin: 0 lines changed
        binary-search-tree.yin: 0 lines changed
        calculator.yin: 4 lines changed
        callcc-early-exit.yin: 0 lines changed
        callcc-generators.yin: 0 lines changed
        cooperative-tasks.yin: 0 lines changed
        data-processing.yin: 0 lines changed
        event-sourcing.yin: 0 lines changed
        game-of-life.yin: 0 lines changed
        graph-search.yin: 0 lines changed
        json-parser.yin: 0 lines changed
        macros.yin: 0 lines changed
        matrix.yin: 0 lines changed
        memo-dynamic-programming.yin: 0 lines changed
        n-queens.yin: 0 lines changed
        prime-sieve.yin: 0 lines changed
        rational-arithmetic.yin: 0 lines changed
        sorting.yin: 0 lines changed
        stack-vm.yin: 0 lines changed
        state-machine.yin: 0 lines changed
        stream-pipelines.yin: 0 lines changed
        string-utils.yin: 0 lines changed
        two-vector-queue.yin: 0 lines changed
        unit-test-framework.yin: 0 lines changed
    "#]]
    .assert_eq(&report);
}

const GAPS: &[&str] = &[
    " ", "  ", "\n", "\n\n\n", "\t ", ",", " ,\n  ", "\r\n", "\n      ",
];

proptest! {
    #[test]
    fn respaced_examples(index in 0usize..64, choices in prop::collection::vec(0usize..GAPS.len(), 1..400)) {
        let examples = examples_by_name();
        let (_, text) = &examples[index % examples.len()];
        let respaced = respace(text, &choices);
        prop_assert!(check_properties(&respaced)?, "respacing broke the syntax:\n{}", respaced);
    }

    #[test]
    fn random_forms(text in source()) {
        check_properties(&text)?;
    }
}

/// `text` with the whitespace between tokens replaced by gaps chosen from `GAPS`, keeping empty
/// gaps empty and a line break after every comment.
fn respace(text: &str, choices: &[usize]) -> String {
    let tree = whole_tree(text);
    let mut atoms: Vec<(usize, usize, bool)> = Vec::new();
    let mut cursor = tree.walk();
    'walk: loop {
        let node = cursor.node();
        if node.child_count() == 0 || node.kind() == "str_lit" {
            atoms.push((node.start_byte(), node.end_byte(), node.kind() == "comment"));
        } else if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    let mut out = String::new();
    let mut at = 0;
    for (i, &(start, end, _)) in atoms.iter().enumerate() {
        let gap = &text[at..start];
        let after_comment = i > 0 && atoms[i - 1].2;
        let gap = if gap.is_empty() || i == 0 {
            gap.to_owned()
        } else {
            let choice = GAPS[choices[i % choices.len()]];
            if after_comment && !choice.contains('\n') {
                format!("{choice}\n")
            } else {
                choice.to_owned()
            }
        };
        out.push_str(&gap);
        out.push_str(&text[start..end]);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

fn atom() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "defn",
            "let",
            "if",
            "when",
            "cond",
            "do",
            "fn",
            "loop",
            "x",
            "foo",
            "+",
            "->>",
            "nil",
            "true",
            ":k",
            ":ns/k",
            "42",
            "1.5",
            "5/2",
            "\\a",
            "\"s\"",
            "\"two\nlines\"",
            "é",
            "𝕏",
        ])
        .prop_map(str::to_owned),
        "[a-z]{1,3}",
    ]
}

fn form() -> impl Strategy<Value = String> {
    atom().prop_recursive(4, 48, 6, |inner| {
        let element = (inner, prop::sample::select(GAPS.to_vec()), any::<bool>());
        (
            prop::sample::select(vec![
                ("(", ")"),
                ("[", "]"),
                ("{", "}"),
                ("#{", "}"),
                ("#(", ")"),
            ]),
            prop::collection::vec(element, 0..6),
            prop::sample::select(vec!["", "'", "#_ ", "^:m ", "@"]),
        )
            .prop_map(|((open, close), elements, prefix)| {
                let mut out = format!("{prefix}{open}");
                for (i, (element, gap, comment)) in elements.iter().enumerate() {
                    if i > 0 {
                        out.push_str(gap);
                    }
                    out.push_str(element);
                    if *comment {
                        out.push_str(" ; note\n");
                    }
                }
                out.push_str(close);
                out
            })
    })
}

fn source() -> impl Strategy<Value = String> {
    prop::collection::vec((form(), prop::sample::select(GAPS.to_vec())), 0..5).prop_map(|forms| {
        forms
            .into_iter()
            .map(|(form, gap)| format!("{form}{gap}"))
            .collect()
    })
}

#[test]
fn deep_nesting_formats_without_recursion() {
    // Each line is indented by its depth, so the output grows with the square of it.
    let depth = 3_000;
    let text = format!("{}x{}\n", "(f\n".repeat(depth), ")".repeat(depth));
    let formatted = format_text(&text).expect("parses");
    let last_line = formatted.lines().nth(depth).unwrap_or_default();
    assert_eq!(last_line.trim_start(), format!("x{}", ")".repeat(depth)));
    assert_eq!(last_line.len() - last_line.trim_start().len(), depth);
}

/// Found by the `lsp` fuzz target: commas before the first form and after the last were dropped,
/// though the formatter changes whitespace only.
#[test]
fn commas_at_the_ends_of_the_file_are_kept() {
    let cases = [
        (",e", ",e\n"),
        ("e,", "e,\n"),
        (" , e ,\n", ",e,\n"),
        (",,", ",,\n"),
        (" \n", ""),
        ("; c\n,x", "; c\n, x\n"),
    ];
    for (text, formatted) in cases {
        assert_eq!(format_text(text).as_deref(), Some(formatted), "{text:?}");
        assert_eq!(
            format_text(formatted).as_deref(),
            Some(formatted),
            "{formatted:?}"
        );
    }
}
