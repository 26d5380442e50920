//! Compiles every query in `queries/` against the language, and checks the crate exposes each
//! file as a constant, so an editor never receives a query the grammar cannot run.

use tree_sitter::Query;
use tree_sitter_highlight::HighlightConfiguration;

use crate::{files_with_extension, grammar_dir, read};

const EXPOSED: [(&str, &str); 5] = [
    ("highlights.scm", tree_sitter_yin::HIGHLIGHTS_QUERY),
    ("locals.scm", tree_sitter_yin::LOCALS_QUERY),
    ("folds.scm", tree_sitter_yin::FOLDS_QUERY),
    ("indents.scm", tree_sitter_yin::INDENTS_QUERY),
    ("textobjects.scm", tree_sitter_yin::TEXTOBJECTS_QUERY),
];

#[test]
fn every_query_file_compiles_and_is_exposed() {
    let files = files_with_extension(&grammar_dir().join("queries"), "scm");
    let mut names = Vec::new();
    for file in &files {
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .expect("UTF-8 file names");
        let source = read(file);
        let query = Query::new(&crate::language(), &source)
            .unwrap_or_else(|err| panic!("{name} does not compile: {err}"));
        assert!(query.pattern_count() > 0, "{name} has no patterns");
        let exposed = EXPOSED
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, text)| *text);
        assert_eq!(
            exposed,
            Some(source.as_str()),
            "{name} is not exposed by the crate as written"
        );
        names.push(name.to_owned());
    }
    let expected: Vec<&str> = {
        let mut all: Vec<&str> = EXPOSED.iter().map(|(n, _)| *n).collect();
        all.sort_unstable();
        all
    };
    assert_eq!(names, expected);
}

#[test]
fn highlighter_accepts_highlights_with_locals() {
    let config = HighlightConfiguration::new(
        crate::language(),
        "yin",
        tree_sitter_yin::HIGHLIGHTS_QUERY,
        "",
        tree_sitter_yin::LOCALS_QUERY,
    )
    .expect("highlights and locals compile together");
    for name in [
        "keyword",
        "function.builtin",
        "function",
        "variable",
        "comment",
        "number",
    ] {
        assert!(
            config.names().contains(&name),
            "highlights.scm never captures @{name}"
        );
    }
}

/// The text of every node `query` captures as `capture` in `source`, in document order.
fn captured(query: &str, capture: &str, source: &str) -> Vec<String> {
    use tree_sitter::StreamingIterator as _;
    let query = Query::new(&crate::language(), query).expect("query compiles");
    let index = query
        .capture_index_for_name(capture)
        .unwrap_or_else(|| panic!("the query has no @{capture}"));
    let tree = crate::parse(source);
    let mut cursor = tree_sitter::QueryCursor::new();
    let mut matches = cursor.matches(&query, tree.root_node(), source.as_bytes());
    let mut nodes = Vec::new();
    while let Some(m) = matches.next() {
        nodes.extend(
            m.captures
                .iter()
                .filter(|c| c.index == index)
                .map(|c| c.node),
        );
    }
    nodes.sort_by_key(|n| (n.start_byte(), n.end_byte()));
    nodes.dedup();
    nodes
        .iter()
        .map(|n| {
            n.utf8_text(source.as_bytes())
                .expect("UTF-8 source")
                .to_owned()
        })
        .collect()
}

#[test]
fn locals_define_names_parameters_and_even_let_positions() {
    let source =
        "(defn f [x & more] (let [a 1 b a c (g b)] (loop [i 0] (fn h ([p] p) ([p q] q)))))";
    assert_eq!(
        captured(tree_sitter_yin::LOCALS_QUERY, "local.definition", source),
        ["f", "x", "more", "a", "b", "c", "i", "h", "p", "p", "q"]
    );
    assert_eq!(
        captured(
            tree_sitter_yin::LOCALS_QUERY,
            "local.scope",
            "(defn f [] (let [a 1] a)) (g)"
        ),
        ["(defn f [] (let [a 1] a))", "(let [a 1] a)"]
    );
}

#[test]
fn folds_indents_and_textobjects_capture_forms() {
    let source = "(defn f [x] [x {:a #{1}}]) (g 1 2)";
    assert_eq!(
        captured(tree_sitter_yin::FOLDS_QUERY, "fold", source),
        [
            "(defn f [x] [x {:a #{1}}])",
            "[x]",
            "[x {:a #{1}}]",
            "{:a #{1}}",
            "#{1}",
            "(g 1 2)"
        ]
    );
    assert_eq!(
        captured(tree_sitter_yin::INDENTS_QUERY, "indent.branch", "(a [b])"),
        ["]", ")"]
    );
    assert_eq!(
        captured(tree_sitter_yin::TEXTOBJECTS_QUERY, "function.outer", source),
        ["(defn f [x] [x {:a #{1}}])"]
    );
    // `call.inner` is the range from `@_start` to `@_end`, made by `#make-range!`.
    let call = "(g 1 2 3)";
    assert_eq!(
        captured(tree_sitter_yin::TEXTOBJECTS_QUERY, "_start", call),
        ["1"]
    );
    assert_eq!(
        captured(tree_sitter_yin::TEXTOBJECTS_QUERY, "_end", call),
        ["2", "3"]
    );
}
