//! Ad-hoc Datalog over the AST datoms of a set of files: `yin query`, and the query console.

use datalog::{Budget, Db, Inputs, Query, Rules};
use edn::{Datom, Entity};
use syntax::datoms::{NODE_BITS, core_datoms, is_ref, slot_of};

use crate::source::SourceFile;

pub use datalog::{Error as QueryError, QueryResult};

/// Entities of the `n`th file are moved up by `n << FILE_SHIFT`. A file's own ids are
/// `slot << NODE_BITS | node`; 20 bits of slots (a million top-level forms) fit below the shift.
const FILE_SHIFT: u32 = NODE_BITS + 20;

/// One database holding the core library's datoms and every file's. The first file keeps its
/// entity ids, so a single-file query names the same entities `yin datoms` prints; each later
/// file's entities, and the references to them, move to a range of their own. References to the
/// core library (slot 0) are shared by all files.
pub fn database(files: &[&SourceFile]) -> Db {
    let mut later = Vec::new();
    // Whether an attribute holds references, asked once per attribute rather than per datom.
    let mut refs: Vec<(edn::Keyword, bool)> = Vec::new();
    for (n, file) in files.iter().enumerate().skip(1) {
        let offset = (n as Entity) << FILE_SHIFT;
        let relocate = |e: Entity| if slot_of(e) == 0 { e } else { e | offset };
        later.extend(file.datoms().into_iter().map(|d| {
            let holds_refs = match refs.iter().find(|(a, _)| *a == d.a) {
                Some(&(_, r)) => r,
                None => {
                    let r = is_ref(&d.a);
                    refs.push((d.a.clone(), r));
                    r
                }
            };
            let v = match d.v {
                edn::Value::Int(target) if holds_refs => edn::Value::Int(
                    u64::try_from(target)
                        .map_or(target, |t| i64::try_from(relocate(t)).unwrap_or(target)),
                ),
                v => v,
            };
            Datom {
                e: relocate(d.e),
                a: d.a,
                v,
            }
        }));
    }
    // The first file keeps its ids: nothing to relocate, so its datoms are copied once, form by
    // form, from the lowering into the list the database takes.
    let mut datoms = core_datoms();
    if let Some(first) = files.first() {
        for form in first.lowering().forms() {
            datoms.extend(form.datoms());
        }
    }
    datoms.extend(later);
    Db::from_datoms(datoms)
}

/// A database of a paused machine state's datoms (docs/vm.md, "State datoms"), for questions
/// such as "which frames are waiting".
pub fn state_database(datoms: Vec<Datom>) -> Db {
    Db::from_datoms(datoms)
}

/// Why a query gave no answer: its own text, or the rules text given with it, is at fault.
#[derive(Debug)]
pub enum Failure {
    /// The query failed to parse, to plan or to finish within its budget.
    Query(QueryError),
    /// The rules text failed to parse; positions are in that text.
    Rules(QueryError),
}

/// Runs `query` (EDN text) against `db`, with `rules` (EDN text) as its `%` input, within the
/// default budget, so a query that never ends is stopped and reported.
pub fn run(db: &Db, query: &str, rules: Option<&str>) -> Result<QueryResult, Failure> {
    let query = Query::parse(query).map_err(Failure::Query)?;
    let mut inputs = Inputs::new();
    if let Some(rules) = rules {
        inputs = inputs.rules(Rules::parse(rules).map_err(Failure::Rules)?);
    }
    db.query(&query, &inputs, &Budget::default())
        .map_err(Failure::Query)
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use super::*;

    fn answer(sources: &[&str], query: &str, rules: Option<&str>) -> String {
        let files: Vec<SourceFile> = sources
            .iter()
            .map(|s| SourceFile::from_bytes(s.as_bytes()))
            .collect();
        let refs: Vec<&SourceFile> = files.iter().collect();
        match run(&database(&refs), query, rules) {
            Ok(result) => result.to_edn(),
            Err(Failure::Query(err)) => format!("query error: {err}"),
            Err(Failure::Rules(err)) => format!("rules error: {err}"),
        }
    }

    #[test]
    fn references_resolve_within_each_file() {
        // Both files' first forms share a slot; only relocation keeps `other` from linking to
        // the first file's binder.
        let q = "[:find ?name ?binder-name :where
                 [?v :yin/type :variable] [?v :yin/name ?name] [?v :yin/binding ?b]
                 [?b :yin/name ?binder-name]]";
        let files = ["(def helper 1)\n(inc helper)", "(def other 2)\n(dec other)"];
        expect![[r#"
            {:columns ["?name" "?binder-name"]
             :rows [[dec dec]
                    [helper helper]
                    [inc inc]
                    [other other]]}"#]]
        .assert_eq(&answer(&files, q, None));
    }

    #[test]
    fn core_library_is_queryable_and_shared() {
        let q = "[:find (count ?v) :where [?v :yin/binding ?c] [?c :yin/type :core] [?c :yin/name inc]]";
        expect![[r#"
            {:columns ["(count ?v)"]
             :rows [[3]]}"#]]
        .assert_eq(&answer(&["(inc 1)", "(inc (inc 2))"], q, None));
    }

    #[test]
    fn rules_and_errors() {
        let rules = "[[(call-of ?call ?name) [?call :yin/operator ?op] [?op :yin/name ?name]]]";
        let q = "[:find ?name :in $ % :where (call-of _ ?name)]";
        expect![[r#"
            {:columns ["?name"]
             :rows [[inc]
                    [str]]}"#]]
        .assert_eq(&answer(&["(str (inc 1))"], q, Some(rules)));
        expect!["query error: 1:1: unbound variable ?x in :find/:with (no clause binds it) (in [:find ?x :where [?y :yin/type]])"].assert_eq(&answer(&["1"], "[:find ?x :where [?y :yin/type]]", None));
    }
}
