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
    for chunk in doc.chunks() {
        out.push_str(&chunk.tree().root_node().to_sexp());
    }
    expect.assert_eq(&out);
}

#[test]
fn well_formed_source_has_no_diagnostics() {
    check(
        "(defn f [x] {:a x})\n; done\n",
        expect![
            "(source (list_lit value: (sym_lit name: (sym_name)) value: (sym_lit name: (sym_name)) value: (vec_lit value: (sym_lit name: (sym_name))) value: (map_lit value: (kwd_lit) value: (sym_lit name: (sym_name)))) (comment))"
        ],
    );
}

#[test]
fn unclosed_list_at_end_of_file() {
    check(
        "(defn f [x]\n  (+ x 1)\n",
        expect![[r#"
            1:1-1:2 syntax: unclosed `(` "("
            (source (list_lit value: (sym_lit name: (sym_name)) value: (sym_lit name: (sym_name)) value: (vec_lit value: (sym_lit name: (sym_name))) value: (list_lit value: (sym_lit name: (sym_name)) value: (sym_lit name: (sym_name)) value: (num_lit)) close: (MISSING ")")))"#]],
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
            (source (ERROR value: (sym_lit name: (sym_name)) value: (sym_lit name: (sym_name)) (sym_name)))"#]],
    );
}

#[test]
fn unexpected_closer() {
    check(
        "(a))\n(b)",
        expect![[r#"
            1:4-1:5 syntax: unexpected `)` ")"
            (source (list_lit value: (sym_lit name: (sym_name))) (ERROR))(source (list_lit value: (sym_lit name: (sym_name))))"#]],
    );
}

#[test]
fn forgotten_closer_inside() {
    check(
        "(let [x 1 x)\n(f)",
        expect![[r#"
            1:6-1:7 syntax: unclosed `[`: missing `]` before the `)` on line 1 "["
            (source (list_lit value: (sym_lit name: (sym_name)) value: (vec_lit value: (sym_lit name: (sym_name)) value: (num_lit) value: (sym_lit name: (sym_name)) close: (MISSING "]"))))(source (list_lit value: (sym_lit name: (sym_name))))"#]],
    );
}

#[test]
fn wrong_closer() {
    check(
        "(let [x 1) x)\n(f)",
        expect![[r#"
            1:10-1:11 syntax: mismatched `)`: expected `]` to close the `[` on line 1 ")"
            (source (list_lit value: (sym_lit name: (sym_name)) value: (vec_lit value: (sym_lit name: (sym_name)) value: (num_lit) (ERROR) value: (sym_lit name: (sym_name)) close: (MISSING "]"))))(source (list_lit value: (sym_lit name: (sym_name))))"#]],
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
            (source (ERROR value: (sym_lit name: (sym_name)) value: (sym_lit name: (sym_name)) (UNEXPECTED '\0')))"#]],
    );
}

#[test]
fn dangling_prefixes() {
    // FIXME: `(d #tag)`, a tag with no form, goes unreported: tree-sitter folds lines 2-4 into one
    // ERROR node and only the prefixes directly before a closer are recognised inside it.
    check(
        "(a ^)\n(b #_)\n(c @)\n(d #tag)",
        expect![[r##"
            1:4-1:5 syntax: expected a form after `^` "^"
            2:4-2:6 syntax: expected a form after `#_` "#_"
            3:4-3:5 syntax: expected a form after `@` "@"
            4:5-4:8 syntax: expected a form after `tag` "tag"
            (source (list_lit value: (sym_lit name: (sym_name)) (ERROR)))(source (list_lit value: (sym_lit name: (sym_name)) (ERROR)))(source (list_lit value: (sym_lit name: (sym_name)) value: (derefing_lit value: (sym_lit name: (MISSING sym_name)))))(source (list_lit value: (sym_lit name: (sym_name)) value: (tagged_or_ctor_lit tag: (sym_lit name: (sym_name)) value: (sym_lit name: (MISSING sym_name)))))"##]],
    );
}

#[test]
fn quote_with_nothing_after() {
    check(
        "(a ')",
        expect![[r#"
            1:4-1:5 syntax: expected a form after `'` "'"
            (source (list_lit value: (sym_lit name: (sym_name)) value: (quoting_lit value: (sym_lit name: (MISSING sym_name)))))"#]],
    );
}

#[test]
fn realistic_function_with_one_wrong_closer() {
    check(
        "(defn area\n  \"Area of a shape.\"\n  [{:keys [w h}]\n  (* w h))\n\n(defn main []\n  (println (area {:w 2 :h 3})))\n",
        expect![[r#"
            3:11-3:12 syntax: unclosed `[`: missing `]` before the `}` on line 3 "["
            (source (list_lit value: (sym_lit name: (sym_name)) value: (sym_lit name: (sym_name)) value: (str_lit) value: (vec_lit value: (map_lit value: (kwd_lit) value: (vec_lit value: (sym_lit name: (sym_name)) value: (sym_lit name: (sym_name)) close: (MISSING "]")))) value: (list_lit value: (sym_lit name: (sym_name)) value: (sym_lit name: (sym_name)) value: (sym_lit name: (sym_name)))))(source (list_lit value: (sym_lit name: (sym_name)) value: (sym_lit name: (sym_name)) value: (vec_lit) value: (list_lit value: (sym_lit name: (sym_name)) value: (list_lit value: (sym_lit name: (sym_name)) value: (map_lit value: (kwd_lit) value: (num_lit) value: (kwd_lit) value: (num_lit))))))"#]],
    );
}

#[test]
fn several_independent_mistakes() {
    check(
        "(a))\n(let [x 1 x)\n(f #(g %)\n",
        expect![[r#"
            1:4-1:5 syntax: unexpected `)` ")"
            2:6-2:7 syntax: unclosed `[`: missing `]` before the `)` on line 2 "["
            3:1-3:2 syntax: unclosed `(` "("
            (source (list_lit value: (sym_lit name: (sym_name))) (ERROR))(source (list_lit value: (sym_lit name: (sym_name)) value: (vec_lit value: (sym_lit name: (sym_name)) value: (num_lit) value: (sym_lit name: (sym_name)) close: (MISSING "]"))))(source (list_lit value: (sym_lit name: (sym_name)) value: (anon_fn_lit value: (sym_lit name: (sym_name)) value: (sym_lit name: (sym_name))) close: (MISSING ")")))"#]],
    );
}

#[test]
fn deep_nesting_does_not_overflow() {
    let text = "(".repeat(100_000);
    let doc = Document::new(&text);
    // All 100,000 are found; the chunk reports the first 99 and how many more.
    let diagnostics = doc.syntax_diagnostics();
    assert_eq!(diagnostics.len(), 100);
    assert_eq!(
        diagnostics.last().map(|d| d.message.as_str()),
        Some("99901 more syntax errors in this form")
    );
}

#[test]
fn only_the_first_broken_forms_are_listed_and_the_rest_counted() {
    let text: String = (0..250).map(|n| format!("(f{n} [x\n")).collect();
    let doc = Document::new(&text);
    let diagnostics = doc.syntax_diagnostics();
    // Two errors per broken form (the `[` and the `(` left open) for the first 200 forms, then
    // one diagnostic on the 201st form's line counting the 50 left out.
    assert_eq!(diagnostics.len(), 2 * 200 + 1);
    let last = diagnostics.last().expect("diagnostics");
    assert_eq!(
        last.message,
        "50 more forms from here on have syntax errors (only the first 200 forms with errors are listed)"
    );
    assert_eq!(&text[last.range], "(f200 [x");
    assert!(
        diagnostics
            .windows(2)
            .all(|pair| pair[0].range.start() <= pair[1].range.start())
    );
}

proptest::proptest! {
    /// On any text: a diagnostic exactly when the tree has an error, every range inside the text
    /// and on character boundaries, and no two diagnostics on the same range.
    #[test]
    fn diagnostics_are_well_formed(parts in proptest::collection::vec(proptest::sample::select(vec![
        "(", ")", "[", "]", "{", "}", "#{", "#(", " ", "\n", "\"", "'", "@", "^", "#_", "#", "~@",
        "x", "12", ":k", ";c\n", "😀", "\\",
    ]), 0..40)) {
        let text = parts.concat();
        let doc = Document::new(&text);
        let diagnostics = doc.syntax_diagnostics();
        proptest::prop_assert_eq!(doc.has_syntax_error(), !diagnostics.is_empty(), "{:?}", text);
        for diagnostic in &diagnostics {
            let (start, end) = (usize::from(diagnostic.range.start()), usize::from(diagnostic.range.end()));
            proptest::prop_assert!(end <= text.len() && text.is_char_boundary(start) && text.is_char_boundary(end));
            proptest::prop_assert_eq!(diagnostic.code, "syntax");
        }
        proptest::prop_assert!(diagnostics.windows(2).all(|pair| pair[0].range != pair[1].range), "{:?}", diagnostics);
    }
}
