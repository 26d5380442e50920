//! Linting one file across edits: the lowering and the database are updated by the lowering's
//! delta instead of being rebuilt, and a rule runs again only if the delta touches an attribute
//! it reads. A rule with a variable attribute (`[?e ?a ?v]`) always runs again.
//!
//! Findings are rendered from the kept rows after every edit, since spans move with their forms
//! even when the rows are unchanged.

use std::collections::BTreeSet;

use datalog::Db;
use edn::Keyword;
use syntax::Document;
use syntax::datoms::core_datoms;
use syntax::file::FileLowering;

use super::{LintReport, RuleSet, collect, finish, rule_rows, run::Rows};

/// One file's text, lowering, database and each rule's last answer.
pub struct LintSession {
    rules: RuleSet,
    document: Document,
    lowering: FileLowering,
    db: Db,
    answers: Vec<Result<Rows, datalog::Error>>,
    reran: usize,
}

impl LintSession {
    pub fn new(rules: RuleSet, text: &str) -> LintSession {
        let document = Document::new(text);
        let lowering = FileLowering::new(text, document.tree().root_node());
        let mut datoms = core_datoms();
        datoms.extend(lowering.datoms());
        let db = Db::from_datoms(datoms);
        let answers = (0..rules.rules.len())
            .map(|n| rule_rows(&db, &rules, n))
            .collect();
        LintSession {
            reran: rules.rules.len(),
            rules,
            document,
            lowering,
            db,
            answers,
        }
    }

    /// Replaces the text and brings the answers up to date.
    pub fn edit(&mut self, text: &str) {
        self.document.replace_all(text);
        let delta = self.lowering.update(text, self.document.tree().root_node());
        self.db.transact(&delta.retracted, &delta.asserted);
        let touched: BTreeSet<&Keyword> = delta
            .retracted
            .iter()
            .chain(&delta.asserted)
            .map(|d| &d.a)
            .collect();
        self.reran = 0;
        for (n, loaded) in self.rules.rules.iter().enumerate() {
            let stale = loaded
                .rule
                .attributes
                .as_ref()
                .is_none_or(|attrs| attrs.iter().any(|a| touched.contains(a)));
            if stale {
                if let Some(answer) = self.answers.get_mut(n) {
                    *answer = rule_rows(&self.db, &self.rules, n);
                }
                self.reran += 1;
            }
        }
    }

    /// How many rules the last edit (or the first run) ran.
    pub fn rules_rerun(&self) -> usize {
        self.reran
    }

    /// The findings for the current text.
    pub fn report(&self) -> LintReport {
        let text = self.document.text();
        let mut report = LintReport::default();
        for (n, answer) in self.answers.iter().enumerate() {
            collect(&mut report, &self.rules, n, answer, &self.lowering, &text);
        }
        finish(&mut report, &text);
        report
    }
}
