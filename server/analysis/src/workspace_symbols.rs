//! Workspace symbols: the top-level definitions of many files matching a query, and the
//! indexing of a folder's `.yin` files that feeds it.
//!
//! A query matches a name when its characters appear in the name in order, ignoring case
//! (`mkacc` finds `make-account`), as editors' symbol pickers expect; an empty query matches
//! everything.

use std::path::{Path, PathBuf};

use crate::SourceFile;
use crate::document_symbols::{DocumentSymbol, document_symbols};

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

fn matches(query: &[char], name: &str) -> bool {
    let mut wanted = query.iter().peekable();
    for c in name.chars().flat_map(char::to_lowercase) {
        if wanted.peek() == Some(&&c) {
            wanted.next();
        }
    }
    wanted.peek().is_none()
}

/// Every `.yin` file under `folder`, read and parsed, sorted by path. Hidden folders, `target`
/// and `node_modules` are skipped; unreadable entries are left out. The walk uses an explicit
/// stack and does not follow symbolic links, so a link cycle cannot trap it.
pub fn index_folder(folder: &Path) -> Vec<(PathBuf, SourceFile)> {
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
            let name = name.to_string_lossy();
            if kind.is_dir() {
                if !name.starts_with('.') && name != "target" && name != "node_modules" {
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
        .into_iter()
        .filter_map(|path| {
            let bytes = std::fs::read(&path).ok()?;
            Some((path, SourceFile::from_bytes(&bytes)))
        })
        .collect()
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
        let found: Vec<String> = index_folder(&root)
            .iter()
            .map(|(path, _)| {
                path.strip_prefix(&root)
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            })
            .collect();
        std::fs::remove_dir_all(&root).expect("cleanup");
        expect!["a.yin src/deep/b.yin"].assert_eq(&found.join(" "));
    }
}
