//! The repository's yin files as test inputs: `examples/*.yin` (realistic programs) and every
//! `.yin` below a folder (the golden evaluation cases, lint fixtures).

use std::path::{Path, PathBuf};

/// The repository's root folder.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `.yin` file below `dir`, sorted; an unreadable folder holds none. Walked with a work
/// list, so a deep tree cannot overflow the stack.
pub fn yin_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|ext| ext == "yin") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Each `examples/*.yin` with its text, sorted by path.
pub fn examples() -> Vec<(PathBuf, String)> {
    let dir = root().join("examples");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yin"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (path, text)
        })
        .collect()
}

/// Every `examples/*.yin` joined by line breaks, in path order: one realistic file of about
/// 70 KiB.
pub fn examples_joined() -> String {
    examples()
        .into_iter()
        .map(|(_, text)| text)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The file name of `path` (`calculator.yin`), for reports that must not depend on where the
/// repository lies.
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}
