//! `yin query QUERY PATH... [--rules FILE] [--format edn|json]`: Datalog over the files' datoms.
//! Results go to stdout; errors (unreadable files, a query or rules that do not parse or plan, a
//! query stopped by its budget) go to stderr with exit status 2.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use analysis::query::{Failure, QueryResult, database, run as run_query};
use analysis::{SourceFile, disk};
use serde_json::json;

use super::{EXIT_USAGE, paths, report_error};
use crate::DataFormat;

pub(crate) fn run(
    query: &str,
    paths: &[PathBuf],
    rules: Option<&Path>,
    format: DataFormat,
) -> ExitCode {
    let rules_text = match rules {
        None => None,
        Some(path) => match disk::read_regular(path, disk::MAX_RULE_BYTES) {
            Ok(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
            Err(err) => return fail(&format!("{}: {err}", path.display())),
        },
    };
    let (files, errors) = paths::collect(paths);
    if let Some(first) = errors.first() {
        return fail(first);
    }
    let mut sources = Vec::with_capacity(files.len());
    for file in &files {
        match disk::read_regular(file, disk::MAX_SOURCE_BYTES) {
            Ok(bytes) => sources.push(SourceFile::from_bytes(&bytes)),
            Err(err) => return fail(&format!("{}: {err}", file.display())),
        }
    }
    let refs: Vec<&SourceFile> = sources.iter().collect();
    let result = match run_query(&database(&refs), query, rules_text.as_deref()) {
        Ok(result) => result,
        Err(Failure::Query(err)) => return fail(&format!("query: {err}")),
        Err(Failure::Rules(err)) => {
            let name = rules.map_or_else(String::new, |p| p.display().to_string());
            return fail(&format!("{name}:{err}"));
        }
    };
    let text = match format {
        DataFormat::Edn => format!("{}\n", result.to_edn()),
        DataFormat::Json => format!("{}\n", to_json(&result)),
    };
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => fail(&format!("cannot write the result: {err}")),
    }
}

fn fail(message: &str) -> ExitCode {
    report_error(message);
    ExitCode::from(EXIT_USAGE)
}

/// `{"columns": [...], "rows": [[...]]}`, values as `crate::json` writes them.
fn to_json(result: &QueryResult) -> serde_json::Value {
    let rows: Vec<serde_json::Value> = result
        .rows
        .iter()
        .map(|row| row.iter().map(crate::json::from_edn).collect())
        .collect();
    json!({ "columns": result.columns, "rows": rows })
}
