//! The highlighting queries know the language: every special form and core macro is captured as
//! `@keyword` and every core function as `@function.builtin` by `grammar/queries/highlights.scm`
//! (the editors' copies are checked against it by `scripts/sync-nvim-queries --check`). A form
//! or function added to `syntax::core` without its highlight fails here.

use syntax::core::{CORE, SPECIAL_FORMS};

const HIGHLIGHTS: &str = include_str!("../../../grammar/queries/highlights.scm");

/// The quoted names of the `#any-of?` predicate on `capture` in the query text.
fn names_captured_as(capture: &str) -> Vec<String> {
    let marker = format!("(#any-of? {capture}");
    let Some(start) = HIGHLIGHTS.find(&marker) else {
        return Vec::new();
    };
    let rest = &HIGHLIGHTS[start + marker.len()..];
    let end = rest.find("))").unwrap_or(rest.len());
    rest[..end]
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_special_form_and_try_clause_is_a_keyword() {
    let keywords = names_captured_as("@keyword");
    let missing: Vec<&str> = SPECIAL_FORMS
        .iter()
        .copied()
        .chain(["catch", "finally", "throw"])
        .filter(|name| !keywords.iter().any(|k| k == name))
        .collect();
    assert!(
        missing.is_empty(),
        "not highlighted as @keyword: {missing:?}"
    );
}

#[test]
fn every_core_function_is_a_builtin() {
    let builtins = names_captured_as("@function.builtin");
    let missing: Vec<&str> = CORE
        .iter()
        .map(|f| f.name)
        .filter(|name| !builtins.iter().any(|b| b == name))
        .collect();
    assert!(
        missing.is_empty(),
        "not highlighted as @function.builtin: {missing:?}"
    );
}
