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
