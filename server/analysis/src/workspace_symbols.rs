//! Workspace symbols: the top-level definitions of many files matching a query, and the
//! indexing of a folder's `.yin` files that feeds it. An indexed file keeps only its definitions,
//! with their names' positions: it is parsed but not lowered, and its text and tree are dropped,
//! so a large workspace costs little time and memory.
//!
//! A query matches a name when its characters appear in the name in order, ignoring case
//! (`mkacc` finds `make-account`), as editors' symbol pickers expect; an empty query matches
//! everything.

use std::path::{Path, PathBuf};

use syntax::{Document, PositionEncoding, Range};

use crate::SourceFile;
use crate::document_symbols::{DocumentSymbol, SymbolKind, definitions, document_symbols};

/// Files larger than this are not indexed: generated data, not code someone navigates.
const MAX_FILE_BYTES: u64 = 4 << 20;
/// At most this many files are indexed per folder.
const MAX_FILES: usize = 20_000;

/// One match: which of the given files it is in, and the symbol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkspaceSymbol {
    pub file: usize,
    pub symbol: DocumentSymbol,
}

/// The definitions of `files` whose names match `query`, file by file in source order.
pub fn workspace_symbols(files: &[&SourceFile], query: &str) -> Vec<WorkspaceSymbol> {
    let query: Vec<char> = query.chars().flat_map(char::to_lowercase).collect();
    files
        .iter()
        .enumerate()
        .flat_map(|(file, source)| {
            document_symbols(source)
                .into_iter()
                .filter(|symbol| matches(&query, &symbol.name))
                .map(move |symbol| WorkspaceSymbol { file, symbol })
        })
        .collect()
}

/// A definition of an indexed file: its name, kind and the name's range in editor positions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexedSymbol {
    pub name: String,
    pub kind: SymbolKind,
    pub focus_range: Range,
}

/// Whether `name` matches the workspace-symbol `query` (its characters in order, ignoring case).
pub fn symbol_matches(query: &str, name: &str) -> bool {
    let query: Vec<char> = query.chars().flat_map(char::to_lowercase).collect();
    matches(&query, name)
}

/// The definitions of the `.yin` file at `path`, positions in `encoding`; `None` when it cannot
/// be read, is no regular file or is too large to index ([`crate::disk`]: a watched path may
/// be a link to a device). Invalid UTF-8 is decoded lossily, as `yin check` does.
pub fn index_file(path: &Path, encoding: PositionEncoding) -> Option<Vec<IndexedSymbol>> {
    let bytes = crate::disk::read_regular(path, MAX_FILE_BYTES).ok()?;
    let document = Document::new(&String::from_utf8_lossy(&bytes));
    Some(
        definitions(&document)
            .into_iter()
            .map(|symbol| IndexedSymbol {
                focus_range: document.text_range_to_range(symbol.focus_range, encoding),
                name: symbol.name,
                kind: symbol.kind,
            })
            .collect(),
    )
}

/// Whether `path` is a file the index covers when it lies under `folder`: a `.yin` file outside
/// hidden folders, `target` and `node_modules`.
pub fn is_indexed_path(folder: &Path, path: &Path) -> bool {
    path.extension().is_some_and(|ext| ext == "yin")
        && path.strip_prefix(folder).is_ok_and(|relative| {
            relative
                .parent()
                .into_iter()
                .flat_map(Path::components)
                .all(|part| {
                    let name = part.as_os_str().to_string_lossy();
                    !skipped_folder(&name)
                })
        })
}

fn skipped_folder(name: &str) -> bool {
    name.starts_with('.') || name == "target" || name == "node_modules"
}

fn matches(query: &[char], name: &str) -> bool {
    let mut wanted = query.iter().peekable();
    for c in name.chars().flat_map(char::to_lowercase) {
        if wanted.peek() == Some(&&c) {
            wanted.next();
        }
    }
    wanted.peek().is_none()
}

/// Every `.yin` file under `folder` (see [`is_indexed_path`]) of at most the size the index
/// takes, sorted by path; at most 20,000. The walk uses an explicit stack and does not follow
/// symbolic links, so a link cycle cannot trap it; unreadable entries are left out.
pub fn yin_files(folder: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![folder.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            let name = entry.file_name();
            if kind.is_dir() {
                if !skipped_folder(&name.to_string_lossy()) {
                    pending.push(path);
                }
            } else if kind.is_file()
                && path.extension().is_some_and(|ext| ext == "yin")
                && entry.metadata().is_ok_and(|m| m.len() <= MAX_FILE_BYTES)
                && found.len() < MAX_FILES
            {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use super::*;

    #[test]
    fn subsequence_match_across_files() {
        let a = SourceFile::from_text("(defn make-account [b] b)\n(def limit 1)");
        let b = SourceFile::from_text("(defmacro unless [t & body] nil)\n(defn mark [] 1)");
        let list = |q: &str| {
            workspace_symbols(&[&a, &b], q)
                .iter()
                .map(|s| format!("{} {} {:?}", s.file, s.symbol.name, s.symbol.focus_range))
                .collect::<Vec<_>>()
                .join("\n")
        };
        expect!["0 make-account 6..18"].assert_eq(&list("MkAcc"));
        expect![[r#"
            0 make-account 6..18
            1 mark 39..43"#]]
        .assert_eq(&list("ma"));
        expect![[r#"
            0 make-account 6..18
            0 limit 31..36
            1 unless 10..16
            1 mark 39..43"#]]
        .assert_eq(&list(""));
    }

    #[test]
    fn indexes_yin_files_and_skips_hidden_and_build_folders() {
        let root = std::env::temp_dir().join(format!("yin-index-{}", std::process::id()));
        for dir in ["src/deep", ".git", "target"] {
            std::fs::create_dir_all(root.join(dir)).expect("temp dir");
        }
        for file in [
            "a.yin",
            "src/deep/b.yin",
            ".git/c.yin",
            "target/d.yin",
            "src/e.txt",
        ] {
            std::fs::write(root.join(file), "(def x 1)").expect("temp file");
        }
        let indexed = |path: &str| is_indexed_path(&root, &root.join(path));
        let covered: Vec<bool> = ["a.yin", ".git/c.yin", "target/d.yin", "src/e.txt"]
            .iter()
            .map(|path| indexed(path))
            .collect();
        assert_eq!(covered, [true, false, false, false]);
        let symbols = index_file(&root.join("a.yin"), PositionEncoding::Utf16);
        let found: Vec<String> = yin_files(&root)
            .iter()
            .map(|path| {
                path.strip_prefix(&root)
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            })
            .collect();
        std::fs::remove_dir_all(&root).expect("cleanup");
        expect!["a.yin src/deep/b.yin"].assert_eq(&found.join(" "));
        expect![[r#"
            Some(
                [
                    IndexedSymbol {
                        name: "x",
                        kind: Value,
                        focus_range: Range {
                            start: Position {
                                line: 0,
                                character: 5,
                            },
                            end: Position {
                                line: 0,
                                character: 6,
                            },
                        },
                    },
                ],
            )
        "#]]
        .assert_debug_eq(&symbols);
    }
}
