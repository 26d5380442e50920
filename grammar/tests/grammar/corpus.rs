//! Runs `test/corpus/*.txt` in tree-sitter's corpus format and checks the corpus covers every
//! named node kind.
//!
//! A case is a header (a line of `=`, the name, optional `:attribute` lines, a line of `=`),
//! the input, a line of `-`, and the expected S-expression. Expected and actual trees are
//! compared token by token, so layout does not matter; fields are compared only when the
//! expected tree names some (as `tree-sitter test` does). The only attribute is `:error`: the
//! input must parse with an error, and the expected tree is not compared.
//!
//! `UPDATE_EXPECT=1 cargo test -p tree-sitter-yin` rewrites the expected trees from the parser;
//! review the diff before committing it.

use std::fmt::Write as _;
use std::path::Path;

use crate::{files_with_extension, grammar_dir, parse, read};

struct Case {
    name: String,
    /// 1-based line of the case's name, for failure messages.
    line: usize,
    error_expected: bool,
    input: String,
    expected: String,
    /// Byte range of the expected tree in the file, replaced when updating.
    expected_range: std::ops::Range<usize>,
}

fn is_rule(line: &str, ch: char) -> bool {
    line.trim_end().len() >= 3 && line.trim_end().chars().all(|c| c == ch)
}

/// Splits a corpus file into cases; an `Err` names the malformed line.
fn parse_corpus(text: &str) -> Result<Vec<Case>, String> {
    // Lines with their byte offsets, so expected ranges can be rewritten in place.
    let mut lines = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        lines.push((offset, line.strip_suffix('\n').unwrap_or(line)));
        offset += line.len();
    }
    let mut cases = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].1.trim().is_empty() {
            i += 1;
            continue;
        }
        if !is_rule(lines[i].1, '=') {
            return Err(format!("line {}: expected a `===` header", i + 1));
        }
        let name_line = i + 1;
        let name = lines
            .get(name_line)
            .map(|(_, l)| l.trim().to_owned())
            .ok_or_else(|| format!("line {}: header without a name", i + 1))?;
        let mut j = name_line + 1;
        let mut error_expected = false;
        while j < lines.len() && !is_rule(lines[j].1, '=') {
            match lines[j].1.trim() {
                "" => {}
                ":error" => error_expected = true,
                other => return Err(format!("line {}: unknown attribute `{other}`", j + 1)),
            }
            j += 1;
        }
        if j == lines.len() {
            return Err(format!("line {}: unterminated header", i + 1));
        }
        let input_start = j + 1;
        let mut k = input_start;
        while k < lines.len() && !is_rule(lines[k].1, '-') {
            k += 1;
        }
        if k == lines.len() {
            return Err(format!(
                "line {}: case `{name}` has no `---` divider",
                i + 1
            ));
        }
        let input_begin = lines.get(input_start).map_or(text.len(), |(o, _)| *o);
        let input = text[input_begin..lines[k].0].trim_matches('\n').to_owned();
        let mut end = k + 1;
        while end < lines.len() && !is_rule(lines[end].1, '=') {
            end += 1;
        }
        let expected_begin = lines.get(k + 1).map_or(text.len(), |(o, _)| *o);
        let expected_end = lines.get(end).map_or(text.len(), |(o, _)| *o);
        cases.push(Case {
            name,
            line: name_line + 1,
            error_expected,
            input,
            expected: text[expected_begin..expected_end].to_owned(),
            expected_range: expected_begin..expected_end,
        });
        i = end;
    }
    Ok(cases)
}

/// S-expression tokens: parentheses, quoted strings (`(MISSING ")")`) and words.
fn tokens(sexp: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = sexp.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '(' | ')' => out.push(c.to_string()),
            '"' => {
                let mut token = String::from('"');
                while let Some(c) = chars.next() {
                    token.push(c);
                    if c == '\\' {
                        token.extend(chars.next());
                    } else if c == '"' {
                        break;
                    }
                }
                out.push(token);
            }
            c if c.is_whitespace() => {}
            c => {
                let mut token = String::from(c);
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || c == '(' || c == ')' {
                        break;
                    }
                    token.push(c);
                    chars.next();
                }
                out.push(token);
            }
        }
    }
    out
}

fn is_field(token: &str) -> bool {
    token.len() > 1 && token.ends_with(':') && !token.starts_with('"')
}

/// The tree printed as the CLI writes corpus files: one node per line, two-space indent.
fn pretty(sexp: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    let mut pending_field: Option<String> = None;
    for token in tokens(sexp) {
        match token.as_str() {
            "(" => {
                if !out.is_empty() {
                    out.push('\n');
                    out.push_str(&"  ".repeat(depth));
                }
                if let Some(field) = pending_field.take() {
                    let _ = write!(out, "{field} ");
                }
                out.push('(');
                depth += 1;
            }
            ")" => {
                out.push(')');
                depth = depth.saturating_sub(1);
            }
            t if is_field(t) => pending_field = Some(t.to_owned()),
            t => {
                if !out.ends_with('(') {
                    out.push(' ');
                }
                out.push_str(t);
            }
        }
    }
    out
}

fn check_file(path: &Path, update: bool, failures: &mut Vec<String>) -> usize {
    let text = read(path);
    let cases = match parse_corpus(&text) {
        Ok(cases) => cases,
        Err(err) => {
            failures.push(format!("{}: {err}", path.display()));
            return 0;
        }
    };
    let mut updated = text.clone();
    // Replace from the end so earlier ranges stay valid.
    for case in cases.iter().rev() {
        let tree = parse(&case.input);
        let root = tree.root_node();
        let place = format!("{}:{} `{}`", path.display(), case.line, case.name);
        if case.error_expected {
            if !root.has_error() {
                failures.push(format!(
                    "{place}: expected a parse error, got {}",
                    root.to_sexp()
                ));
            }
            continue;
        }
        let actual = root.to_sexp();
        let expected = tokens(&case.expected);
        let with_fields = expected.iter().any(|t| is_field(t));
        let actual_tokens: Vec<String> = tokens(&actual)
            .into_iter()
            .filter(|t| with_fields || !is_field(t))
            .collect();
        if update {
            updated.replace_range(
                case.expected_range.clone(),
                &format!("\n{}\n\n", pretty(&actual)),
            );
        } else if actual_tokens != expected {
            failures.push(format!(
                "{place}\n  expected: {}\n  actual:   {}",
                expected.join(" "),
                actual_tokens.join(" ")
            ));
        }
    }
    if update && updated != text {
        let trimmed = format!("{}\n", updated.trim_end());
        std::fs::write(path, trimmed).expect("corpus files are writable when updating");
    }
    cases.len()
}

#[test]
fn corpus_trees_match() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let files = files_with_extension(&grammar_dir().join("test/corpus"), "txt");
    assert!(!files.is_empty(), "no corpus files under test/corpus");
    let mut failures = Vec::new();
    let mut total = 0;
    for file in &files {
        total += check_file(file, update, &mut failures);
    }
    assert!(
        failures.is_empty(),
        "{} of {total} corpus cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every named node kind of the grammar appears in some expected corpus tree, so no kind goes
/// untested.
#[test]
fn corpus_covers_every_named_node_kind() {
    let files = files_with_extension(&grammar_dir().join("test/corpus"), "txt");
    let mut seen = std::collections::BTreeSet::new();
    for file in &files {
        let cases =
            parse_corpus(&read(file)).unwrap_or_else(|err| panic!("{}: {err}", file.display()));
        for case in cases {
            let mut previous_open = false;
            for token in tokens(&case.expected) {
                if previous_open {
                    seen.insert(token.clone());
                }
                previous_open = token == "(";
            }
        }
    }
    let language = crate::language();
    let missing: Vec<&str> = (0..language.node_kind_count())
        .filter_map(|id| u16::try_from(id).ok())
        .filter(|&id| language.node_kind_is_named(id) && language.node_kind_is_visible(id))
        .filter_map(|id| language.node_kind_for_id(id))
        .filter(|kind| !seen.contains(*kind))
        .collect();
    assert!(
        missing.is_empty(),
        "node kinds with no corpus case: {missing:?}"
    );
}

#[test]
fn corpus_reader_splits_cases_and_attributes() {
    let text = "==========\nfirst\n==========\n\n(a)\n\n---\n\n(source (list_lit))\n\n\
                ====\nsecond\n:error\n====\n\n(\n\n---\n";
    let cases = parse_corpus(text).expect("well-formed corpus");
    let summary: Vec<(&str, usize, bool, &str, String)> = cases
        .iter()
        .map(|c| {
            (
                c.name.as_str(),
                c.line,
                c.error_expected,
                c.input.as_str(),
                tokens(&c.expected).join(" "),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                "first",
                2,
                false,
                "(a)",
                "( source ( list_lit ) )".to_owned()
            ),
            ("second", 12, true, "(", String::new()),
        ]
    );
    assert!(parse_corpus("====\nx\n:skip\n====\n\na\n---\n").is_err());
    assert!(parse_corpus("====\nx\n====\n\na\n").is_err());
}

#[test]
fn pretty_printing_keeps_fields_and_missing_nodes() {
    let sexp = r#"(source (list_lit value: (sym_lit name: (sym_name)) (MISSING ")")))"#;
    assert_eq!(
        pretty(sexp),
        "(source\n  (list_lit\n    value: (sym_lit\n      name: (sym_name))\n    (MISSING \")\")))"
    );
    assert_eq!(tokens(&pretty(sexp)), tokens(sexp));
}
