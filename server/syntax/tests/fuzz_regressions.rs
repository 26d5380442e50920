//! Inputs the fuzzers found (docs/fuzzing.md), kept as ordinary tests.

use edn::Value;
use syntax::file::FileLowering;

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
