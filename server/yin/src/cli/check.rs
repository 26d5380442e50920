//! `yin check PATH... [--rules DIR] [--format text|json]`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use analysis::{Finding, Severity, SourceFile};
use serde_json::json;

use super::{EXIT_USAGE, paths, report_error};
use crate::CheckFormat;

/// A finding located for printing: 1-based line and column (Unicode scalar values).
struct Located<'a> {
    file: &'a Path,
    start: analysis::LineCol,
    end: analysis::LineCol,
    finding: Finding,
}

pub(crate) fn run(paths: &[PathBuf], rules: Option<&Path>, format: CheckFormat) -> ExitCode {
    if rules.is_some() {
        report_error("`--rules` is not available yet: it arrives with the lint rules issue");
        return ExitCode::from(EXIT_USAGE);
    }
    let (files, mut errors) = paths::collect(paths);
    let mut located = Vec::new();
    let mut sources = Vec::new();
    for file in &files {
        match std::fs::read(file) {
            Ok(bytes) => sources.push((file.as_path(), SourceFile::from_bytes(&bytes))),
            Err(err) => errors.push(format!("{}: {err}", file.display())),
        }
    }
    for (file, source) in &sources {
        for finding in analysis::check_text(source) {
            let start = source.line_col(finding.range.start());
            let end = source.line_col(finding.range.end());
            located.push(Located {
                file,
                start,
                end,
                finding,
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

fn print_text(located: &[Located<'_>]) -> std::io::Result<()> {
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

fn print_json(located: &[Located<'_>]) -> std::io::Result<()> {
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
