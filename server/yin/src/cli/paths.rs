//! Which files a command-line invocation means.

use std::path::{Path, PathBuf};

/// The files named by `paths`: a file is taken whatever its extension; a folder is searched
/// recursively for `.yin` files, honouring `.gitignore` and skipping hidden entries, as users of
/// linters expect. The result is sorted so output is deterministic. Paths that cannot be read are
/// returned as errors, one message each, and do not stop the others.
pub(crate) fn collect(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<String>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk(path, &mut files, &mut errors),
            Ok(_) => files.push(path.clone()),
            Err(err) => errors.push(format!("{}: {err}", path.display())),
        }
    }
    files.sort();
    files.dedup();
    (files, errors)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<String>) {
    for entry in ignore::WalkBuilder::new(dir)
        .sort_by_file_name(|a, b| a.cmp(b))
        .build()
    {
        match entry {
            Ok(entry) => {
                let is_file = entry.file_type().is_some_and(|t| t.is_file());
                if is_file && entry.path().extension().is_some_and(|ext| ext == "yin") {
                    files.push(entry.into_path());
                }
            }
            Err(err) => errors.push(err.to_string()),
        }
    }
}
