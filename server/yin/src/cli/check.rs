//! `yin check PATH... [--rules DIR] [--format text|json]`.
//!
//! Each file is linted with the rules of its workspace: the nearest folder at or above it
//! holding `.yin/`, or the current folder. Problems with rule and configuration files are
//! printed as findings on those files, once each.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use analysis::lints::{RuleProblem, RuleSet, lint, workspace_root};
use analysis::{Finding, LineCol, Severity, SourceFile, disk};
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
    let mut workspaces: BTreeMap<PathBuf, RuleSet> = BTreeMap::new();
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
        let root = workspace_root(&cwd.join(file)).unwrap_or_else(|| cwd.clone());
        let set = workspaces.entry(root).or_insert_with_key(|root| {
            let set = RuleSet::for_workspace(root, rules);
            problems.extend(set.problems().iter().cloned());
            set
        });
        let report = lint(&source, set);
        problems.extend(report.problems);
        let mut findings = analysis::check_text(&source);
        findings.extend(report.findings);
        findings.sort_by_key(|f| (f.range.start(), f.range.end()));
        for finding in findings {
            located.push(Located {
                file: file.clone(),
                start: source.line_col(finding.range.start()),
                end: source.line_col(finding.range.end()),
                finding,
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
