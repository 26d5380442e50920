//! Linting one file across edits: the lowering and the database are updated by the lowering's
//! delta instead of being rebuilt, and after an edit
//! - a rule runs again only if the delta touches an attribute it reads (a rule with a variable
//!   attribute, `[?e ?a ?v]`, always runs again);
//! - a rule declared `:scope :form` runs only on the forms the edit created, in a database of
//!   their datoms and the core library's; its rows for removed forms are dropped and those for
//!   unchanged forms kept (entity ids are stable for unchanged forms);
//! - any other rule runs on the whole database.
//!
//! Findings are rendered from the kept rows after every edit, since spans move with their forms
//! even when the rows are unchanged.

use std::collections::BTreeSet;

use datalog::Db;
use edn::{Datom, Keyword, Value};
use syntax::Document;
use syntax::datoms::{core_datoms, slot_of};
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
        let forms_of = |datoms: &[Datom]| -> BTreeSet<u32> {
            datoms
                .iter()
                .filter(|d| d.a.as_str() == "yin/type")
                .map(|d| slot_of(d.e))
                .collect()
        };
        let (removed, added) = (forms_of(&delta.retracted), forms_of(&delta.asserted));
        // Built only if a form-local rule needs it.
        let mut new_forms: Option<Db> = None;
        self.reran = 0;
        for (n, loaded) in self.rules.rules.iter().enumerate() {
            let rule = &loaded.rule;
            let stale = rule
                .attributes
                .as_ref()
                .is_none_or(|attrs| attrs.iter().any(|a| touched.contains(a)));
            let Some(answer) = self.answers.get_mut(n).filter(|_| stale) else {
                continue;
            };
            self.reran += 1;
            let reads_positions = rule
                .attributes
                .as_ref()
                .is_none_or(|attrs| attrs.iter().any(|a| a.as_str() == "yin/form-start"));
            match answer {
                Ok(rows) if rule.form_local && !reads_positions => {
                    let db = new_forms.get_or_insert_with(|| {
                        let mut datoms = core_datoms();
                        datoms.extend(
                            delta
                                .asserted
                                .iter()
                                .filter(|d| added.contains(&slot_of(d.e)))
                                .cloned(),
                        );
                        Db::from_datoms(datoms)
                    });
                    match rule_rows(db, &self.rules, n) {
                        Ok(fresh) => {
                            rows.retain(|row| !row_in(row, &removed));
                            rows.extend(fresh);
                            rows.sort();
                            rows.dedup();
                        }
                        Err(e) => *answer = Err(e),
                    }
                }
                _ => *answer = rule_rows(&self.db, &self.rules, n),
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

/// Whether a row's first value is a node of one of `forms`.
fn row_in(row: &[Value], forms: &BTreeSet<u32>) -> bool {
    match row.first() {
        Some(Value::Int(e)) => u64::try_from(*e).is_ok_and(|e| forms.contains(&slot_of(e))),
        _ => false,
    }
}
