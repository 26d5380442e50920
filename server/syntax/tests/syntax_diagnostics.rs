//! Syntax diagnostics over malformed yin: one diagnostic per problem, each with a precise range and
//! a message that names the delimiter involved.

use expect_test::{Expect, expect};
use syntax::Document;

/// Renders each diagnostic as `line:col-line:col code: message` (lines and columns 1-based,
/// columns in characters) followed by the source text it covers.
fn check(text: &str, expect: Expect) {
    let doc = Document::new(text);
    let mut out = String::new();
    for diagnostic in doc.syntax_diagnostics() {
        let range = doc.text_range_to_range(diagnostic.range, syntax::PositionEncoding::Utf32);
        out.push_str(&format!(
            "{}:{}-{}:{} {}: {} {:?}\n",
            range.start.line + 1,
            range.start.character + 1,
            range.end.line + 1,
            range.end.character + 1,
            diagnostic.code,
            diagnostic.message,
            &text[diagnostic.range],
        ));
    }
    out.push_str(&doc.tree().root_node().to_sexp());
    expect.assert_eq(&out);
}

#[test]
fn well_formed_source_has_no_diagnostics() {
    check(
        "(defn f [x] {:a x})\n; done\n",
        expect![
            "(source (list_lit value: (sym_lit) value: (sym_lit) value: (vec_lit value: (sym_lit)) value: (map_lit value: (kwd_lit) value: (sym_lit))) (comment))"
        ],
    );
}

#[test]
fn unclosed_list_at_end_of_file() {
    check(
        "(defn f [x]\n  (+ x 1)\n",
        expect![[r#"
            1:1-1:2 syntax: unclosed `(` "("
            (source (ERROR value: (sym_lit) value: (sym_lit) value: (vec_lit value: (sym_lit)) value: (list_lit value: (sym_lit) value: (sym_lit) value: (num_lit))))"#]],
    );
}

#[test]
fn nested_unclosed() {
    check(
        "(a (b [c",
        expect![[r#"
            1:1-1:2 syntax: unclosed `(` "("
            1:4-1:5 syntax: unclosed `(` "("
            1:7-1:8 syntax: unclosed `[` "["
            (source (ERROR value: (sym_lit) value: (sym_lit) value: (sym_lit)))"#]],
    );
}

#[test]
fn unexpected_closer() {
    check(
        "(a))\n(b)",
        expect![[r#"
            1:4-1:5 syntax: unexpected `)` ")"
            (source (list_lit value: (sym_lit)) (ERROR) (list_lit value: (sym_lit)))"#]],
    );
}

#[test]
fn forgotten_closer_inside() {
    check(
        "(let [x 1 x)\n(f)",
        expect![[r#"
            1:6-1:7 syntax: unclosed `[`: missing `]` before the `)` on line 1 "["
            (source (list_lit value: (sym_lit) value: (vec_lit value: (sym_lit) value: (num_lit) value: (sym_lit) close: (MISSING "]"))) (list_lit value: (sym_lit)))"#]],
    );
}

#[test]
fn wrong_closer() {
    check(
        "(let [x 1) x)\n(f)",
        expect![[r#"
            1:10-1:11 syntax: mismatched `)`: expected `]` to close the `[` on line 1 ")"
            (source (list_lit value: (sym_lit) value: (vec_lit value: (sym_lit) value: (num_lit) (ERROR) value: (sym_lit) close: (MISSING "]"))) (list_lit value: (sym_lit)))"#]],
    );
}

#[test]
fn wrong_closer_at_top() {
    check(
        "[1 2)\n",
        expect![[r#"
            1:5-1:6 syntax: mismatched `)`: expected `]` to close the `[` on line 1 ")"
            (source (ERROR value: (num_lit) value: (num_lit)))"#]],
    );
}

#[test]
fn unterminated_string() {
    check(
        "(def s \"abc)\n(f)",
        expect![[r#"
            1:8-1:9 syntax: unterminated string "\""
            (source (ERROR value: (sym_lit) value: (sym_lit) (UNEXPECTED '\0')))"#]],
    );
}

#[test]
fn stray_character() {
    check(
        "(a @ b)",
        expect![[r#"
            1:4-1:5 syntax: unexpected `@` "@"
            (source (list_lit value: (sym_lit) (ERROR (UNEXPECTED '@')) value: (sym_lit)))"#]],
    );
}

#[test]
fn quote_with_nothing_after() {
    check(
        "(a ')",
        expect![[r#"
            1:4-1:5 syntax: expected a form after `'` "'"
            (source (list_lit value: (sym_lit) value: (quoting_lit value: (MISSING num_lit))))"#]],
    );
}

#[test]
fn deep_nesting_does_not_overflow() {
    let text = "(".repeat(100_000);
    let doc = Document::new(&text);
    assert_eq!(doc.syntax_diagnostics().len(), 100_000);
}
