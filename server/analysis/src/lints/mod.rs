//! Lint rules as Datalog over the AST datoms (docs/rules.md).
//!
//! A [`RuleSet`] holds the built-in rules (the `.edn` files of `server/analysis/rules`, embedded
//! in the binary and read by the same code as user rules: no rule is special-cased in Rust), the
//! workspace's `.yin/rules/*.edn`, and the workspace configuration. [`lint`] runs every rule
//! over one file's database; [`LintSession`] keeps a file's database across edits.
//!
//! This module knows rules, files and text edits; it knows nothing of LSP or of command-line
//! flags. A rule or configuration that cannot be used is a [`RuleProblem`] on its own file,
//! never a reason to stop the other rules.

mod config;
mod rule;
mod run;
mod session;
mod suppress;

use std::path::{Path, PathBuf};

use datalog::{Allowance, Budget, Db, ErrorKind, Rules};
use syntax::{Severity, TextRange};

pub use config::{Config, Setting};
pub use rule::{FixTemplate, Rule, RuleError, Scope};
pub use run::rule_budget;
pub use session::LintSession;
pub use suppress::is_suppressed;

use crate::disk;
use crate::findings::Finding;
use crate::source::{LineCol, SourceFile};

/// The rules every other rule may call: `child`, `encloses`, `form-of`, `defines`, `calls`,
/// `public-name`.
pub const PRELUDE: &str = include_str!("../../rules/prelude.edn");

/// The built-in rules: file name and text.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "unresolved-symbol.edn",
        include_str!("../../rules/unresolved-symbol.edn"),
    ),
    (
        "unused-binding.edn",
        include_str!("../../rules/unused-binding.edn"),
    ),
    (
        "unused-param.edn",
        include_str!("../../rules/unused-param.edn"),
    ),
    ("arity.edn", include_str!("../../rules/arity.edn")),
    (
        "shadowed-binding.edn",
        include_str!("../../rules/shadowed-binding.edn"),
    ),
    (
        "duplicate-key.edn",
        include_str!("../../rules/duplicate-key.edn"),
    ),
    (
        "duplicate-def.edn",
        include_str!("../../rules/duplicate-def.edn"),
    ),
    (
        "constant-test.edn",
        include_str!("../../rules/constant-test.edn"),
    ),
    (
        "redundant-do.edn",
        include_str!("../../rules/redundant-do.edn"),
    ),
    (
        "recur-not-tail.edn",
        include_str!("../../rules/recur-not-tail.edn"),
    ),
];

/// Where built-in rules say they come from.
pub const BUILTIN_DIR: &str = "<built-in>";

/// A problem with a rule or configuration file, reported on that file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleProblem {
    pub file: PathBuf,
    pub start: LineCol,
    pub end: LineCol,
    /// Rule id `rule` for rules, `config` for the configuration.
    pub finding: Finding,
}

impl RuleProblem {
    fn new(file: &Path, text: &str, code: &str, error: RuleError) -> RuleProblem {
        RuleProblem {
            file: file.to_owned(),
            start: LineCol::of(text, error.range.start()),
            end: LineCol::of(text, error.range.end()),
            finding: Finding {
                range: error.range,
                severity: Severity::Error,
                rule: code.to_owned(),
                message: error.message,
                fix: None,
            },
        }
    }
}

/// A loaded rule and the file it came from, for reporting its failures there.
#[derive(Clone, Debug)]
struct Loaded {
    rule: Rule,
    file: PathBuf,
    start: LineCol,
}

/// The rules to run on a workspace's files.
#[derive(Clone, Debug)]
pub struct RuleSet {
    rules: Vec<Loaded>,
    problems: Vec<RuleProblem>,
    prelude: Rules,
    budget: Budget,
}

impl RuleSet {
    /// The built-in rules alone.
    pub fn builtin() -> RuleSet {
        // The prelude is part of the binary and tested; an error here is a bug, reported as a
        // problem rather than a panic like any rule's.
        let (prelude, problem) = match Rules::parse(PRELUDE) {
            Ok(p) => (p, None),
            Err(e) => (Rules::default(), Some(e)),
        };
        let mut set = RuleSet {
            rules: Vec::new(),
            problems: Vec::new(),
            prelude,
            budget: rule_budget(),
        };
        if let Some(e) = problem {
            let error = RuleError {
                range: TextRange::default(),
                message: e.to_string(),
            };
            let path = Path::new(BUILTIN_DIR).join("prelude.edn");
            set.problems
                .push(RuleProblem::new(&path, PRELUDE, "rule", error));
        }
        for (name, text) in BUILTIN {
            set.add_file(&Path::new(BUILTIN_DIR).join(name), text);
        }
        set
    }

    /// The built-in rules, then the workspace's rules under `root/.yin/rules`, then those of
    /// `extra` (a folder named on the command line), then the configuration `root/.yin/config.edn`,
    /// which applies to them all. Files are read through [`crate::disk`]: regular files inside
    /// their folder's workspace (`root`, or `extra` for its own rules), of bounded size.
    pub fn for_workspace(root: &Path, extra: Option<&Path>) -> RuleSet {
        let mut set = RuleSet::builtin();
        let dot = root.join(".yin");
        set.add_dir(root, &dot.join("rules"), false);
        if let Some(extra) = extra {
            set.add_dir(extra, extra, true);
        }
        let config = dot.join("config.edn");
        match disk::read_in_workspace(root, &config, disk::MAX_RULE_BYTES) {
            Ok(bytes) => set.configure(&config, &String::from_utf8_lossy(&bytes)),
            Err(disk::ReadError::NotFound(_)) => {}
            Err(e) => set.io_problem(&config, "config", &e),
        }
        set
    }

    /// Adds the rules of every `*.edn` file in `dir`, in name order, each read only if it lies
    /// inside `root` (see [`crate::disk`]). A missing folder is a problem only when `required`
    /// (a folder named on the command line).
    pub fn add_dir(&mut self, root: &Path, dir: &Path, required: bool) {
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => return,
            Err(e) => return self.io_problem(dir, "rule", &disk::ReadError::from(e)),
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "edn"))
            .collect();
        files.sort();
        for file in files {
            match disk::read_in_workspace(root, &file, disk::MAX_RULE_BYTES) {
                Ok(bytes) => self.add_file(&file, &String::from_utf8_lossy(&bytes)),
                // A folder named `x.edn`, as before: not a rule file.
                Err(_) if file.is_dir() => {}
                Err(e) => self.io_problem(&file, "rule", &e),
            }
        }
    }

    /// Adds the rules of one file's text (one rule map or a vector of them). A rule whose id
    /// is already taken replaces the earlier one, so a workspace can override a built-in rule.
    pub fn add_file(&mut self, path: &Path, text: &str) {
        let forms = match edn::read_spanned(text) {
            // A vector of rules; a vector starting with a keyword is a query written where a
            // rule map belongs, reported once as such.
            Ok(form) => match form.node {
                edn::Node::Vector(items)
                    if !matches!(
                        items.first().map(|f| &f.node),
                        Some(edn::Node::Atom(edn::Value::Keyword(_)))
                    ) =>
                {
                    items
                }
                node => vec![edn::Spanned { node, ..form }],
            },
            Err(e) => {
                let error = RuleError {
                    range: TextRange::empty(rule_start_at(e.pos.offset)),
                    message: e.kind.to_string(),
                };
                self.problems
                    .push(RuleProblem::new(path, text, "rule", error));
                return;
            }
        };
        for form in &forms {
            match rule::read_rule(form, &self.prelude) {
                Ok(rule) => {
                    self.rules.retain(|l| l.rule.id != rule.id);
                    self.rules.push(Loaded {
                        rule,
                        file: path.to_owned(),
                        start: LineCol::of(text, rule_start(form)),
                    });
                }
                Err(e) => self.problems.push(RuleProblem::new(path, text, "rule", e)),
            }
        }
    }

    /// Applies a configuration file's settings; unknown rule ids are reported on it.
    pub fn configure(&mut self, path: &Path, text: &str) {
        let (config, errors) = Config::read(text);
        for e in errors {
            self.problems
                .push(RuleProblem::new(path, text, "config", e));
        }
        for (id, _, range) in &config.settings {
            if !self.rules.iter().any(|l| &l.rule.id == id) {
                let error = RuleError {
                    range: *range,
                    message: format!("no rule has the id {id}"),
                };
                self.problems
                    .push(RuleProblem::new(path, text, "config", error));
            }
        }
        self.rules
            .retain(|l| config.setting(&l.rule.id) != Some(Setting::Off));
        for loaded in &mut self.rules {
            if let Some(Setting::Severity(s)) = config.setting(&loaded.rule.id) {
                loaded.rule.severity = s;
            }
        }
    }

    /// Replaces the budget shared by the rules on one file (tests use a tiny one).
    pub fn set_budget(&mut self, budget: Budget) {
        self.budget = budget;
    }

    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.rules.iter().map(|l| &l.rule)
    }

    /// Problems found while loading rules and configuration.
    pub fn problems(&self) -> &[RuleProblem] {
        &self.problems
    }

    fn io_problem(&mut self, path: &Path, code: &str, e: &disk::ReadError) {
        let error = RuleError {
            range: TextRange::default(),
            message: format!("not read: {e}"),
        };
        self.problems.push(RuleProblem::new(path, "", code, error));
    }

    /// A rule that failed at run time on a file (stopped by its budget, or calling a rule that
    /// does not exist), as a finding at the top of that file: the user sees which rule and why,
    /// and that its findings are missing, while the other rules' findings still arrive.
    fn run_failure(&self, n: usize, error: &datalog::Error) -> Option<Finding> {
        let loaded = self.rules.get(n)?;
        let id = &loaded.rule.id;
        let origin = if loaded.file.starts_with(BUILTIN_DIR) {
            "built-in".to_owned()
        } else {
            format!(
                "{}:{}:{}",
                loaded.file.display(),
                loaded.start.line + 1,
                loaded.start.column + 1
            )
        };
        Some(Finding {
            range: TextRange::default(),
            severity: Severity::Error,
            rule: "rule".to_owned(),
            message: match &error.kind {
                ErrorKind::NotRun(limit) => format!(
                    "rule {id} ({origin}) did not run on this file: earlier rules used up its \
                     budget ({limit}); its findings are missing"
                ),
                kind => {
                    let what = if error.is_budget() {
                        "stopped"
                    } else {
                        "failed"
                    };
                    format!(
                        "rule {id} ({origin}) {what} on this file: {kind}; its findings are missing"
                    )
                }
            },
            fix: None,
        })
    }
}

fn rule_start(form: &edn::Spanned) -> syntax::TextSize {
    rule_start_at(form.span.start.offset)
}

fn rule_start_at(offset: usize) -> syntax::TextSize {
    syntax::TextSize::from(u32::try_from(offset).unwrap_or(u32::MAX))
}

/// Findings of a rule set on one file.
#[derive(Clone, Debug, Default)]
pub struct LintReport {
    /// In source order, suppressed findings removed. A rule that failed on the file is one
    /// finding at its start (rule `rule`).
    pub findings: Vec<Finding>,
}

/// The nearest folder at or above `path` (a file or folder) holding a `.yin` folder.
pub fn workspace_root(path: &Path) -> Option<PathBuf> {
    let start = if path.is_dir() { path } else { path.parent()? };
    start
        .ancestors()
        .find(|dir| dir.join(".yin").is_dir())
        .map(Path::to_path_buf)
}

/// Runs every rule of `rules` over `file`, from scratch and all within one budget (what a
/// [`LintSession`] must agree with).
pub fn lint(file: &SourceFile, rules: &RuleSet) -> LintReport {
    let db = crate::query::database(&[file]);
    let mut report = LintReport::default();
    let mut allowance = Allowance::new(&rules.budget);
    let nodes = run::Nodes::new(file.lowering());
    for n in 0..rules.rules.len() {
        let outcome = rule_rows(&db, rules, n, &mut allowance);
        collect(&mut report, rules, n, &outcome, file, &nodes);
    }
    finish(&mut report, file);
    report
}

fn rule_rows(
    db: &Db,
    rules: &RuleSet,
    n: usize,
    allowance: &mut Allowance,
) -> Result<run::Rows, datalog::Error> {
    match rules.rules.get(n) {
        Some(loaded) => run::rows(db, &loaded.rule, allowance),
        None => Ok(Vec::new()),
    }
}

fn collect(
    report: &mut LintReport,
    rules: &RuleSet,
    n: usize,
    outcome: &Result<run::Rows, datalog::Error>,
    file: &SourceFile,
    nodes: &run::Nodes<'_>,
) {
    match (outcome, rules.rules.get(n)) {
        (Ok(rows), Some(loaded)) => report.findings.extend(run::findings(
            &loaded.rule,
            rows,
            nodes,
            file.document().rope(),
        )),
        (Err(e), _) => report.findings.extend(rules.run_failure(n, e)),
        (Ok(_), None) => {}
    }
}

fn finish(report: &mut LintReport, file: &SourceFile) {
    let text = file.document().rope();
    report
        .findings
        .retain(|f| !is_suppressed(text, f.range.start(), &f.rule));
    report.findings.sort_by(|a, b| {
        (a.range.start(), a.range.end(), &a.rule).cmp(&(b.range.start(), b.range.end(), &b.rule))
    });
}
