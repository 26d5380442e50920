//! Checks the caret assertions in `test/highlight/*.yin` against `queries/highlights.scm` and
//! `queries/locals.scm`, run through `tree-sitter-highlight`.
//!
//! The format and its meaning are `tree-sitter test`'s: a comment line `; ^ keyword` asserts
//! that the innermost highlight at the caret's column, on the nearest line above that is not an
//! assertion, is `keyword`; a run of carets `^^^` passes if any of its columns has it;
//! `; <- keyword` asserts it for the column where the comment starts; `!keyword` asserts no
//! column of the run has it. Columns count bytes.

use tree_sitter_highlight::{HighlightConfiguration, HighlightEvent, Highlighter};

use crate::{files_with_extension, grammar_dir, read};

#[derive(Debug, PartialEq)]
struct Assertion {
    /// 0-based row and byte columns of the asserted positions.
    row: usize,
    columns: std::ops::Range<usize>,
    negative: bool,
    highlight: String,
    /// 1-based line of the assertion itself, for failure messages.
    line: usize,
}

/// The assertions of a highlight test file, or the 1-based line of a malformed one.
fn parse_assertions(source: &str) -> Result<Vec<Assertion>, usize> {
    let mut assertions = Vec::new();
    let mut target_row = None;
    for (row, line) in source.lines().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let body = trimmed.trim_start_matches(';');
        let rest = body.trim_start();
        let is_assertion =
            trimmed.starts_with(';') && (rest.starts_with('^') || rest.starts_with("<-"));
        if !is_assertion {
            target_row = Some(row);
            continue;
        }
        let target = target_row.ok_or(row + 1)?;
        let rest_offset = line.len() - rest.len();
        let (columns, name) = if let Some(after) = rest.strip_prefix("<-") {
            (indent..indent + 1, after)
        } else {
            let carets = rest.len() - rest.trim_start_matches('^').len();
            (rest_offset..rest_offset + carets, &rest[carets..])
        };
        let name = name.trim();
        let (negative, name) = match name.strip_prefix('!') {
            Some(name) => (true, name),
            None => (false, name),
        };
        if name.is_empty() || name.contains(char::is_whitespace) {
            return Err(row + 1);
        }
        assertions.push(Assertion {
            row: target,
            columns,
            negative,
            highlight: name.to_owned(),
            line: row + 1,
        });
    }
    Ok(assertions)
}

/// The highlight configuration and the highlight names its `Highlight` indices refer to.
fn configuration() -> (HighlightConfiguration, Vec<String>) {
    let mut config = HighlightConfiguration::new(
        crate::language(),
        "yin",
        tree_sitter_yin::HIGHLIGHTS_QUERY,
        "",
        tree_sitter_yin::LOCALS_QUERY,
    )
    .expect("the highlight and locals queries compile");
    // Recognise every capture name as itself, so assertions name captures exactly; names
    // starting with `_` only bind predicate arguments, as in Neovim.
    let names: Vec<String> = config
        .names()
        .iter()
        .map(|n| (*n).to_owned())
        .filter(|n| !n.starts_with('_'))
        .collect();
    config.configure(&names);
    (config, names)
}

/// For every byte of `source`, the name of the innermost highlight covering it.
fn highlights_per_byte(
    config: &HighlightConfiguration,
    names: &[String],
    source: &str,
) -> Vec<Option<String>> {
    let mut per_byte = vec![None; source.len()];
    let mut stack: Vec<String> = Vec::new();
    let mut highlighter = Highlighter::new();
    let events = highlighter
        .highlight(config, source.as_bytes(), None, |_| None)
        .expect("highlighting starts");
    for event in events {
        match event.expect("highlighting is not cancelled") {
            HighlightEvent::HighlightStart(h) => stack.push(names[h.0].clone()),
            HighlightEvent::HighlightEnd => {
                stack.pop();
            }
            HighlightEvent::Source { start, end } => {
                for slot in &mut per_byte[start..end] {
                    slot.clone_from(&stack.last().cloned());
                }
            }
        }
    }
    per_byte
}

#[test]
fn highlight_assertions_hold() {
    let files = files_with_extension(&grammar_dir().join("test/highlight"), "yin");
    assert!(!files.is_empty(), "no highlight tests under test/highlight");
    let (config, names) = configuration();
    let mut failures = Vec::new();
    let mut checked = 0;
    for file in &files {
        let source = read(file);
        let assertions = match parse_assertions(&source) {
            Ok(assertions) => assertions,
            Err(line) => {
                failures.push(format!("{}:{line}: malformed assertion", file.display()));
                continue;
            }
        };
        assert!(
            !assertions.is_empty(),
            "{} has no assertions",
            file.display()
        );
        let per_byte = highlights_per_byte(&config, &names, &source);
        let line_starts: Vec<usize> = std::iter::once(0)
            .chain(source.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        for assertion in &assertions {
            let start = line_starts[assertion.row];
            let found: Vec<&str> = assertion
                .columns
                .clone()
                .filter_map(|column| per_byte.get(start + column).and_then(Option::as_deref))
                .collect();
            let present = found.contains(&assertion.highlight.as_str());
            if present == assertion.negative {
                failures.push(format!(
                    "{}:{}: expected {}{} at {}:{}, found {found:?}",
                    file.display(),
                    assertion.line,
                    if assertion.negative { "no " } else { "" },
                    assertion.highlight,
                    assertion.row + 1,
                    assertion.columns.start + 1,
                ));
            }
            checked += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} highlight assertions failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn assertion_reader_handles_carets_arrows_and_negation() {
    let source = "(def x 1)\n; ^ keyword\n;    ^^ !function\n  ; <- comment\n";
    let got = parse_assertions(source).expect("well-formed assertions");
    let expected = vec![
        Assertion {
            row: 0,
            columns: 2..3,
            negative: false,
            highlight: "keyword".into(),
            line: 2,
        },
        Assertion {
            row: 0,
            columns: 5..7,
            negative: true,
            highlight: "function".into(),
            line: 3,
        },
        Assertion {
            row: 0,
            columns: 2..3,
            negative: false,
            highlight: "comment".into(),
            line: 4,
        },
    ];
    assert_eq!(got, expected);
    assert_eq!(parse_assertions("; ^ keyword\n"), Err(1));
    assert_eq!(parse_assertions("x\n; ^\n"), Err(2));
}
