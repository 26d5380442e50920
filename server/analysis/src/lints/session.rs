//! Linting one file across edits: the lowering and the database are updated by the lowering's
//! delta instead of being rebuilt, and after an edit
//! - a rule runs again only if the delta touches an attribute it reads (a rule with a variable
//!   attribute, `[?e ?a ?v]`, always runs again);
//! - a rule declared `:scope :form` or `:scope :linked` runs only on the forms whose datoms the
//!   edit changed (new forms, and forms relinked because a definition they use changed), in a
//!   database of those forms, the forms defining the globals they use, and the core library;
//!   its rows for changed forms are replaced and those for unchanged forms kept (entity ids are
//!   stable for unchanged forms, and a form whose definitions change is relinked);
//! - any other rule runs on the whole database.
//!
//! Findings are rendered from the kept rows after every edit, since spans move with their forms
//! even when the rows are unchanged.

use std::collections::BTreeSet;

use datalog::Db;
use edn::{Datom, Keyword, Value};
use syntax::datoms::{core_datoms, slot_of};
use syntax::file::FileLowering;
use syntax::{Document, PositionEncoding, Range, TextEdit, TextSize};

use super::{LintReport, RuleSet, Scope, collect, finish, rule_rows, run::Rows};

/// One file's text, lowering, database and each rule's last answer.
pub struct LintSession {
    rules: RuleSet,
    /// The core library's datoms, the base of the small databases of the changed forms.
    core: Vec<Datom>,
    text: String,
    document: Document,
    lowering: FileLowering,
    db: Db,
    answers: Vec<Result<Rows, datalog::Error>>,
    reran: usize,
}

impl LintSession {
    pub fn new(rules: RuleSet, text: &str) -> LintSession {
        let document = Document::new(text);
        let lowering = FileLowering::new(&document);
        let core = core_datoms();
        let mut datoms = core.clone();
        datoms.extend(lowering.datoms());
        let db = Db::from_datoms(datoms);
        let answers = (0..rules.rules.len())
            .map(|n| rule_rows(&db, &rules, n))
            .collect();
        LintSession {
            reran: rules.rules.len(),
            rules,
            core,
            text: text.to_owned(),
            document,
            lowering,
            db,
            answers,
        }
    }

    /// Replaces the text and brings the answers up to date. The document is reparsed
    /// incrementally over the span where the old and new texts differ.
    pub fn edit(&mut self, text: &str) {
        let (start, old_end, new_end) = difference(&self.text, text);
        let at = |offset: usize| {
            self.document.offset_to_position(
                TextSize::from(u32::try_from(offset).unwrap_or(u32::MAX)),
                PositionEncoding::Utf8,
            )
        };
        let change = TextEdit::new(
            Range {
                start: at(start),
                end: at(old_end),
            },
            text.get(start..new_end).unwrap_or_default(),
        );
        if self
            .document
            .apply_edit(&change, PositionEncoding::Utf8)
            .is_err()
        {
            self.document.replace_all(text);
        }
        text.clone_into(&mut self.text);
        let delta = self.lowering.update(&self.document);
        self.db.transact(&delta.retracted, &delta.asserted);
        let touched: BTreeSet<&Keyword> = delta
            .retracted
            .iter()
            .chain(&delta.asserted)
            .map(|d| &d.a)
            .collect();
        // The forms whose datoms changed: removed, added, or relinked (a definition they use
        // changed). A form that only moved keeps all its datoms and is not one.
        let changed: BTreeSet<u32> = delta
            .retracted
            .iter()
            .chain(&delta.asserted)
            .map(|d| slot_of(d.e))
            .collect();
        // Built only if a rule scoped to less than the file needs it.
        let mut changed_forms: Option<Db> = None;
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
            // A rule with a variable attribute may read anything: it runs on the whole database.
            let any_attribute = rule.attributes.is_none();
            match answer {
                Ok(rows) if rule.scope != Scope::File && !any_attribute => {
                    let db = changed_forms.get_or_insert_with(|| {
                        changed_forms_db(&self.core, &self.lowering, &changed)
                    });
                    match rule_rows(db, &self.rules, n) {
                        Ok(fresh) => {
                            rows.retain(|row| !row_in(row, &changed));
                            rows.extend(fresh.into_iter().filter(|row| row_in(row, &changed)));
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
        let mut report = LintReport::default();
        for (n, answer) in self.answers.iter().enumerate() {
            collect(
                &mut report,
                &self.rules,
                n,
                answer,
                &self.lowering,
                &self.text,
            );
        }
        finish(&mut report, &self.text);
        report
    }
}

/// A database of the `changed` forms that still exist, the forms defining the globals they
/// use, and the core library: enough to answer a `:scope :form` or `:scope :linked` rule about
/// the changed forms (its rows about the other forms in it are not kept).
fn changed_forms_db(core: &[Datom], lowering: &FileLowering, changed: &BTreeSet<u32>) -> Db {
    let mut wanted = changed.clone();
    for form in lowering.forms() {
        if changed.contains(&form.slot) {
            wanted.extend(form.linked_slots());
        }
    }
    let mut datoms = core.to_vec();
    for form in lowering.forms() {
        if wanted.contains(&form.slot) {
            datoms.extend(form.datoms());
        }
    }
    Db::from_datoms(datoms)
}

/// Whether a row's first value is a node of one of `forms`.
fn row_in(row: &[Value], forms: &BTreeSet<u32>) -> bool {
    match row.first() {
        Some(Value::Int(e)) => u64::try_from(*e).is_ok_and(|e| forms.contains(&slot_of(e))),
        _ => false,
    }
}

/// Where `new` differs from `old`: `old[start..old_end]` became `new[start..new_end]`, the
/// longest common prefix and suffix left out, cut at character boundaries.
fn difference(old: &str, new: &str) -> (usize, usize, usize) {
    let mut start = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !(old.is_char_boundary(start) && new.is_char_boundary(start)) {
        start -= 1;
    }
    let room = old.len().min(new.len()) - start;
    let mut suffix = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(room)
        .take_while(|(a, b)| a == b)
        .count();
    while !(old.is_char_boundary(old.len() - suffix) && new.is_char_boundary(new.len() - suffix)) {
        suffix -= 1;
    }
    (start, old.len() - suffix, new.len() - suffix)
}

#[cfg(test)]
mod tests {
    use super::difference;

    #[test]
    fn difference_is_cut_at_character_boundaries() {
        assert_eq!(difference("abc", "abc"), (3, 3, 3));
        assert_eq!(difference("a42b", "a4200b"), (3, 3, 5));
        assert_eq!(
            difference("xé", "xè"),
            (1, 3, 3),
            "é and è share their first byte"
        );
        assert_eq!(difference("aa", "a"), (1, 2, 1));
        assert_eq!(difference("", "(x)"), (0, 0, 3));
    }
}
