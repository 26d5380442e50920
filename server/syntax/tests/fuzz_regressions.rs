//! Inputs the fuzzers found (docs/fuzzing.md), kept as ordinary tests.

use std::time::{Duration, Instant};

use edn::Value;
use syntax::file::FileLowering;
use syntax::form::{Form, FormKind};
use syntax::reader::read_str;

/// Found by `syntax`: metadata with nothing after it (`range^ 10000)`: `^` ends the symbol) made
/// tree-sitter finish a symbol with an empty MISSING name, which lowered to a variable named "".
#[test]
fn metadata_without_a_target_is_no_symbol_named_empty() {
    let text = "(count (reduce conj [] (range^ 10000)))\n";
    let file = FileLowering::from_text(text);
    let names: Vec<String> = file
        .datoms()
        .iter()
        .filter(|d| d.a.as_str() == "yin/name")
        .map(|d| d.v.to_string())
        .collect();
    assert_eq!(names, ["count", "reduce", "conj", "range"]);
    assert!(
        file.datoms()
            .iter()
            .all(|d| d.v != Value::Symbol(edn::Symbol::new(""))),
    );
}

/// The deepest nesting of a form, walked with a work list.
fn depth(form: &Form) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(form, 1)];
    while let Some((form, d)) = stack.pop() {
        deepest = deepest.max(d);
        if let FormKind::List(items) | FormKind::Vector(items) | FormKind::Set(items) = &form.kind {
            stack.extend(items.iter().map(|item| (item, d + 1)));
        }
    }
    deepest
}

/// Found by `vm` (a timeout): each syntax-quote level triples the depth of what it quotes and
/// multiplies its size by about six, so 24 nested backticks in a 61-byte program never finished
/// reading, and 8 (`` ````````x ``, 6,561 levels deep) overflowed the stack. Six levels (729 deep,
/// 16,731 forms) already pass the reader's depth bound: the expansion is refused with a
/// diagnostic.
#[test]
fn nested_syntax_quotes_are_refused_past_the_depth_bound() {
    let (forms, diagnostics) = read_str("``````x");
    assert_eq!(forms.len(), 1);
    assert!(
        depth(&forms[0]) <= 2 * syntax::reader::MAX_DEPTH,
        "{}",
        depth(&forms[0])
    );
    assert!(
        diagnostics
            .iter()
            .any(|d| d.code == "too-deep" && d.message.contains("syntax-quote")),
        "{diagnostics:?}"
    );
    // Two levels, as a macro-writing macro uses them, still expand, and so do five on a symbol.
    for text in ["`(a `(b ~c ~@d))", "`````x"] {
        let (_, diagnostics) = read_str(text);
        assert!(diagnostics.is_empty(), "{text}: {diagnostics:?}");
    }
}

#[test]
fn the_fuzzers_nested_syntax_quote_program_is_read_at_once() {
    let text = format!("(cond false 1 nil 2 9\u{fffd} {}/else 3)\n", "`".repeat(24));
    let started = Instant::now();
    let file = FileLowering::from_text(&text);
    assert!(
        file.diagnostics().iter().any(|d| d.code == "too-deep"),
        "{:?}",
        file.diagnostics()
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}
