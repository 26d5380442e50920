//! Linting one file across edits. The session owns no text, tree or lowering: it is fed the
//! lowering's deltas (one per edit, in order, from the one edit path of [`SourceFile`]) and
//! reads spans, fix texts and suppression comments from the file it reports on. Rules do not
//! run when a delta arrives: [`LintSession::apply`] only transacts it into the database and
//! records what it touched, and [`LintSession::report`] runs the stale rules once for every
//! delta since the last report, so a burst of edits costs one rule run. Then
//! - a rule runs again only if a delta touched an attribute it reads (a rule with a variable
//!   attribute, `[?e ?a ?v]`, always runs again);
//! - a rule declared `:scope :form` or `:scope :linked` runs only on the forms whose datoms the
//!   edits changed (new forms, and forms relinked because a definition they use changed), in a
//!   database of those forms, the forms defining the globals they use, and the core library;
//!   its rows for changed forms are replaced and those for unchanged forms kept (entity ids are
//!   stable for unchanged forms, and a form whose definitions change is relinked);
//! - any other rule runs on the whole database.
//!
//! Findings are rendered from the kept rows at every report, since spans move with their forms
//! even when the rows are unchanged.

use std::collections::BTreeSet;

use datalog::{Allowance, AttrNumbers, Db, Numbered};
use edn::{Datom, Keyword, Value};
use syntax::datoms::{core_datoms, slot_of};
use syntax::file::{Delta, FileLowering};

use super::run::{Nodes, Rows};
use super::{LintReport, RuleSet, Scope, collect, finish, rule_rows};
use crate::source::SourceFile;

/// One file's database and each rule's last answer.
pub struct LintSession {
    rules: RuleSet,
    /// The core library's database, the base of the small databases of the changed forms
    /// (copied, which is cheaper than interning its values and sorting its indexes again on
    /// every edit).
    core: Db,
    db: Db,
    answers: Vec<Result<Rows, datalog::Error>>,
    /// Attributes the deltas since the last report touched.
    touched: BTreeSet<Keyword>,
    /// Forms whose datoms the deltas since the last report changed (see [`LintSession::apply`]).
    changed: BTreeSet<u32>,
    /// What [`LintSession::prepare`] took from the lowering for the next [`LintSession::run`].
    prepared: Option<Prepared>,
    reran: usize,
}

/// The stale rules' inputs, taken from the lowering so that running them needs no lowering.
struct Prepared {
    touched: BTreeSet<Keyword>,
    changed: BTreeSet<u32>,
    /// The database of the changed forms, when a rule scoped to less than the file is stale.
    changed_forms: Option<Db>,
}

impl LintSession {
    /// Starts a session on `file` as it is now, running every rule.
    pub fn new(rules: RuleSet, file: &SourceFile) -> LintSession {
        let core = core_datoms();
        let db = file_db(&core, file);
        let core = Db::from_datoms(core);
        // One budget for the file, shared by all its rules.
        let mut allowance = Allowance::new(&rules.budget);
        let answers = (0..rules.rules.len())
            .map(|n| rule_rows(&db, &rules, n, &mut allowance))
            .collect();
        LintSession {
            reran: rules.rules.len(),
            rules,
            core,
            db,
            answers,
            touched: BTreeSet::new(),
            changed: BTreeSet::new(),
            prepared: None,
        }
    }

    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// Takes one edit's delta (deltas must arrive in the order of the edits): the database is
    /// updated, the rules run at the next [`LintSession::report`].
    pub fn apply(&mut self, delta: &Delta) {
        self.db.transact(&delta.retracted, &delta.asserted);
        for d in delta.retracted.iter().chain(&delta.asserted) {
            if !self.touched.contains(&d.a) {
                self.touched.insert(d.a.clone());
            }
            // A form that only moved keeps all its datoms, so every datom here is a changed form's.
            self.changed.insert(slot_of(d.e));
        }
    }

    /// How many rules the last report (or the first run) ran.
    pub fn rules_rerun(&self) -> usize {
        self.reran
    }

    /// The findings for `file`, which must be the file every delta so far was taken from, as
    /// it is after the last one: [`LintSession::prepare`], [`LintSession::run`] and
    /// [`LintSession::render`] in one go.
    pub fn report(&mut self, file: &SourceFile) -> LintReport {
        self.prepare(file.lowering());
        self.run();
        self.render(file)
    }

    /// Takes from `lowering` (the lowering after the last delta) what the stale rules need, so
    /// that [`LintSession::run`] needs no lowering: the host holds its lock only for this.
    pub fn prepare(&mut self, lowering: &FileLowering) {
        let (mut touched, mut changed) = match self.prepared.take() {
            // Prepared but never run: those deltas are still to be answered.
            Some(p) => (p.touched, p.changed),
            None => (BTreeSet::new(), BTreeSet::new()),
        };
        touched.append(&mut self.touched);
        changed.append(&mut self.changed);
        let needs_forms = self.rules.rules.iter().enumerate().any(|(n, loaded)| {
            let rule = &loaded.rule;
            rule.scope != Scope::File
                && is_stale(rule, &touched)
                && !reads_anything(rule)
                && self.answers.get(n).is_some_and(Result::is_ok)
        });
        let changed_forms = needs_forms.then(|| changed_forms_db(&self.core, lowering, &changed));
        self.prepared = Some(Prepared {
            touched,
            changed,
            changed_forms,
        });
    }

    /// Reruns the rules the prepared deltas made stale. Needs no lowering.
    pub fn run(&mut self) {
        self.reran = 0;
        let Some(Prepared {
            touched,
            changed,
            changed_forms,
        }) = self.prepared.take()
        else {
            return;
        };
        // One budget for the edits since the last run, shared by the rules they make stale.
        let mut allowance = Allowance::new(&self.rules.budget);
        for (n, loaded) in self.rules.rules.iter().enumerate() {
            let rule = &loaded.rule;
            let Some(answer) = self.answers.get_mut(n).filter(|_| is_stale(rule, &touched)) else {
                continue;
            };
            self.reran += 1;
            match (answer, &changed_forms) {
                (Ok(rows), Some(db)) if rule.scope != Scope::File && !reads_anything(rule) => {
                    match rule_rows(db, &self.rules, n, &mut allowance) {
                        Ok(fresh) => {
                            rows.retain(|row| !row_in(row, &changed));
                            rows.extend(fresh.into_iter().filter(|row| row_in(row, &changed)));
                            rows.sort();
                            rows.dedup();
                        }
                        Err(e) => self.answers[n] = Err(e),
                    }
                }
                (answer, _) => *answer = rule_rows(&self.db, &self.rules, n, &mut allowance),
            }
        }
    }

    /// The findings of the rules' current answers on `file`, which must be the file the
    /// session's deltas were taken from, as it is after the last one.
    pub fn render(&self, file: &SourceFile) -> LintReport {
        let mut report = LintReport::default();
        let nodes = Nodes::new(file.lowering());
        for (n, answer) in self.answers.iter().enumerate() {
            collect(&mut report, &self.rules, n, answer, file, &nodes);
        }
        finish(&mut report, file);
        report
    }
}

/// Forms whose datoms are made and handed over at once by [`file_db`]'s second thread.
const BATCH_FORMS: usize = 256;

/// The database of the core library's datoms and `file`'s. Streamed, so a file of half a
/// million tiny forms never holds its datoms twice: on a large file
/// ([`syntax::threads::worth_a_second_thread`]), a second thread makes the datoms (and numbers
/// their attributes) in batches of forms while this one interns and indexes them, a bounded
/// channel keeping a few batches in flight. The datoms arrive in the same order either way, so
/// the database is the same, ids included.
fn file_db(core: &[Datom], file: &SourceFile) -> Db {
    let lowering = file.lowering();
    let serially = || Db::from_datoms(core.iter().cloned().chain(lowering.each_datom()));
    if !syntax::threads::worth_a_second_thread(usize::from(file.document().len())) {
        return serially();
    }
    std::thread::scope(|scope| {
        let (send, receive) = std::sync::mpsc::sync_channel::<Numbered>(4);
        let maker = std::thread::Builder::new()
            .name("yin-datoms".to_owned())
            .spawn_scoped(scope, move || {
                let mut numbers = AttrNumbers::default();
                for d in core.iter().cloned() {
                    numbers.push(d);
                }
                let mut in_batch = 0;
                for form in lowering.forms().iter() {
                    for d in form.datoms() {
                        numbers.push(d);
                    }
                    in_batch += 1;
                    if in_batch == BATCH_FORMS {
                        in_batch = 0;
                        if send.send(numbers.take()).is_err() {
                            return;
                        }
                    }
                }
                let _ = send.send(numbers.take());
            });
        match maker {
            Ok(maker) => {
                let db = Db::from_numbered(receive);
                if let Err(panic) = maker.join() {
                    std::panic::resume_unwind(panic);
                }
                db
            }
            Err(_) => serially(),
        }
    })
}

/// Whether the deltas' `touched` attributes make `rule`'s answer stale (a rule with a variable
/// attribute, `[?e ?a ?v]`, always is).
fn is_stale(rule: &super::Rule, touched: &BTreeSet<Keyword>) -> bool {
    !touched.is_empty()
        && rule
            .attributes
            .as_ref()
            .is_none_or(|attrs| attrs.iter().any(|a| touched.contains(a)))
}

/// Whether `rule` has a variable attribute (`[?e ?a ?v]`): it may read anything, so it runs on
/// the whole database.
fn reads_anything(rule: &super::Rule) -> bool {
    rule.attributes.is_none()
}

/// A database of the `changed` forms that still exist, the forms defining the globals they
/// use, and the core library: enough to answer a `:scope :form` or `:scope :linked` rule about
/// the changed forms (its rows about the other forms in it are not kept).
fn changed_forms_db(core: &Db, lowering: &FileLowering, changed: &BTreeSet<u32>) -> Db {
    // Found by slot, O(log n) each: the cost is the changed forms', not the file's.
    let mut wanted = changed.clone();
    for slot in changed {
        if let Some(form) = lowering.form_of_slot(*slot) {
            wanted.extend(form.linked_slots());
        }
    }
    let mut datoms: Vec<Datom> = Vec::new();
    for slot in wanted {
        if let Some(form) = lowering.form_of_slot(slot) {
            datoms.extend(form.datoms());
        }
    }
    let mut db = core.clone();
    db.transact(&[], &datoms);
    db
}

/// Whether a row's first value is a node of one of `forms`.
fn row_in(row: &[Value], forms: &BTreeSet<u32>) -> bool {
    match row.first() {
        Some(Value::Int(e)) => u64::try_from(*e).is_ok_and(|e| forms.contains(&slot_of(e))),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The database `file_db` builds for `text`, as the datoms it holds, against the one built
    /// on one thread.
    fn assert_same_as_serial(text: &str) {
        assert!(text.len() >= syntax::threads::PARALLEL_BYTES);
        let file = SourceFile::from_text(text);
        let core = core_datoms();
        let streamed = file_db(&core, &file);
        let serial = Db::from_datoms(core.iter().cloned().chain(file.lowering().each_datom()));
        assert_eq!(streamed.len(), serial.len());
        assert!(
            streamed.datoms().eq(serial.datoms()),
            "the database built on two threads differs from the one built on one"
        );
    }

    #[test]
    fn a_file_of_one_line_definitions_has_the_database_of_one_thread() {
        let text: String = (0..3_000)
            .map(|n| format!("(defn f{n} [x] (+ x (f{} {n})))\n", (n * 7) % 3_000))
            .collect();
        assert_same_as_serial(&text);
    }

    #[test]
    fn the_corpus_has_the_database_of_one_thread() {
        let mut text = test_support::corpus::examples_joined();
        // Enough forms for the second thread, broken ones included.
        while text.len() < syntax::threads::PARALLEL_BYTES {
            text.push_str(&"(defn g [x] (let [y x] y))\n(defn broken [x\n".repeat(100));
        }
        assert_same_as_serial(&text);
    }
}
