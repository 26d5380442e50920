//! Integration tests of the yin grammar through the crate's own parser, so CI needs no
//! tree-sitter CLI: the corpus under `test/corpus`, the highlight assertions under
//! `test/highlight`, the repository's `examples/*.yin`, and every query under `queries/`.

mod corpus;
mod examples;
mod highlight;
mod queries;
mod recovery;

use std::path::{Path, PathBuf};

/// The crate directory (`grammar/`), where the test data lives.
fn grammar_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn language() -> tree_sitter::Language {
    tree_sitter_yin::LANGUAGE.into()
}

fn parse(source: &str) -> tree_sitter::Tree {
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&language())
        .expect("the generated parser's ABI is supported");
    parser
        .parse(source, None)
        .expect("no timeout or cancellation was set")
}

/// The files in `dir` whose name ends in `.extension`, sorted so failures are reported in a
/// stable order. A missing directory has no files.
fn files_with_extension(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.expect("directory entries are readable").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == extension))
        .collect();
    files.sort();
    files
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|err| panic!("reading {}: {err}", path.display()))
}
