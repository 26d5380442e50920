//! `yin check PATH... [--rules DIR] [--format text|json]`.
//!
//! Each file goes through the analysis host, as in the language server: linted with the rules of
//! the nearest folder at or above it holding `.yin/`, else of the current folder, findings in the
//! same order. Problems with rule and configuration files are printed as findings on those files,
//! once each; a rule that fails on a file is a finding at the top of that file.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

use analysis::host::{self, AnalysisHost, Change, HostConfig};
use analysis::lints::RuleProblem;
use analysis::{Finding, LineCol, PositionEncoding, Severity, SourceFile, disk};
use serde_json::json;

use super::{EXIT_USAGE, paths, report_error};
use crate::CheckFormat;

/// A finding located for printing: 1-based line and column (Unicode scalar values).
struct Located {
    file: PathBuf,
    start: LineCol,
    end: LineCol,
    finding: Finding,
}

pub(crate) fn run(paths: &[PathBuf], rules: Option<&Path>, format: CheckFormat) -> ExitCode {
    let (files, mut errors) = paths::collect(paths);
    if let Some(dir) = rules.filter(|d| !d.is_dir()) {
        report_error(&format!("{}: not a folder of rules", dir.display()));
        return ExitCode::from(EXIT_USAGE);
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    // The same host, rule roots and findings as the language server; the current folder is the
    // workspace root.
    let host = Mutex::new(AnalysisHost::new(HostConfig {
        encoding: PositionEncoding::Utf8,
        extra_rules: rules.map(Path::to_path_buf),
    }));
    host::lock(&host).apply(Change::Roots(vec![cwd.clone()]));
    let mut located = Vec::new();
    let mut problems: Vec<RuleProblem> = Vec::new();
    for file in &files {
        let source = match disk::read_regular(file, disk::MAX_SOURCE_BYTES) {
            Ok(bytes) => SourceFile::from_bytes(&bytes),
            Err(err) => {
                errors.push(format!("{}: {err}", file.display()));
                continue;
            }
        };
        let key = file.display().to_string();
        host::lock(&host).apply(Change::Open {
            key: key.clone(),
            path: Some(cwd.join(file)),
            version: 0,
            file: source.clone(),
        });
        let Some(found) = host::findings(&host, &key) else {
            continue;
        };
        host::lock(&host).apply(Change::Close { key });
        problems.extend(found.unopened_problems);
        for finding in found.findings.iter() {
            located.push(Located {
                file: file.clone(),
                start: source.line_col(finding.range.start()),
                end: source.line_col(finding.range.end()),
                finding: finding.clone(),
            });
        }
    }
    for problem in problems {
        let file = problem
            .file
            .strip_prefix(&cwd)
            .map_or_else(|_| problem.file.clone(), Path::to_path_buf);
        let seen = located
            .iter()
            .any(|l| l.file == file && l.start == problem.start && l.finding == problem.finding);
        if !seen {
            located.push(Located {
                file,
                start: problem.start,
                end: problem.end,
                finding: problem.finding,
            });
        }
    }

    let printed = match format {
        CheckFormat::Text => print_text(&located),
        CheckFormat::Json => print_json(&located),
    };
    if let Err(err) = printed {
        errors.push(format!("cannot write the report: {err}"));
    }
    for error in &errors {
        report_error(error);
    }
    if !errors.is_empty() {
        ExitCode::from(EXIT_USAGE)
    } else if located
        .iter()
        .any(|l| l.finding.severity <= Severity::Warning)
    {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
        Severity::Hint => "hint",
    }
}

fn print_text(located: &[Located]) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    for l in located {
        writeln!(
            out,
            "{}:{}:{}: {}[{}] {}",
            l.file.display(),
            l.start.line + 1,
            l.start.column + 1,
            severity_name(l.finding.severity),
            l.finding.rule,
            l.finding.message
        )?;
    }
    out.flush()
}

fn print_json(located: &[Located]) -> std::io::Result<()> {
    let items: Vec<_> = located
        .iter()
        .map(|l| {
            json!({
                "file": l.file.display().to_string(),
                "line": l.start.line + 1,
                "column": l.start.column + 1,
                "endLine": l.end.line + 1,
                "endColumn": l.end.column + 1,
                "severity": severity_name(l.finding.severity),
                "rule": l.finding.rule,
                "message": l.finding.message,
            })
        })
        .collect();
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &items)?;
    writeln!(out)?;
    out.flush()
}
