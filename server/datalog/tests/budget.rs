//! Budgets in bytes, in planning and shared between queries (issue 14, items 3, 4 and 13):
//! rules that grow strings, rule sets too large or too deep to plan, and an allowance that runs
//! out in one query and stops the next.

use std::time::{Duration, Instant};

use datalog::{Allowance, Budget, Db, ErrorKind, Inputs, Limit, MAX_CALL_DEPTH, Query, Rules};
use edn::{Datom, Keyword, Value};
use expect_test::expect;

fn db() -> Db {
    Db::from_datoms([
        Datom::new(1, Keyword::new("s"), Value::from("ab")),
        Datom::new(2, Keyword::new("n"), Value::Int(0)),
    ])
}

fn query(rules: &str, q: &str, budget: &Budget) -> Result<Vec<Vec<Value>>, datalog::Error> {
    let rules = Rules::parse(rules).expect("rules parse");
    let q = Query::parse(q).expect("query parses");
    db().query(&q, &Inputs::new().rules(rules), budget)
        .map(|r| r.rows)
}

/// A recursive rule whose string grows `fold`-fold per round: `[(str ?s ?s ...) ?t]`.
fn growing(fold: usize) -> String {
    let args = vec!["?s"; fold].join(" ");
    format!("[[(grow ?s) [_ :s ?s]] [(grow ?t) (grow ?s) [(str {args}) ?t]]]")
}

const COUNT_GROWN: &str = "[:find (count ?s) :in $ % :where (grow ?s)]";

/// Before byte budgets, a 1,024-fold rule asked the allocator for 4 GiB on its fourth round
/// and aborted the process; now the default budget stops it before the allocation.
#[test]
fn a_string_growing_a_thousandfold_stops_at_the_byte_budget() {
    let started = Instant::now();
    let err = query(&growing(1024), COUNT_GROWN, &Budget::default()).unwrap_err();
    assert!(
        matches!(err.kind, ErrorKind::Budget(Limit::Bytes(_))),
        "{err}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    expect!["budget exceeded: more than 536870912 bytes of values created"]
        .assert_eq(&err.kind.to_string());
}

/// The byte count is the budget's, whatever builds the value: strings, tuples, keywords.
#[test]
fn every_building_function_is_held_to_the_byte_budget() {
    let small = Budget {
        max_bytes: Some(64 << 10),
        ..Budget::default()
    };
    let cases = [
        growing(2),
        "[[(grow ?s) [_ :s ?s]] [(grow ?t) (grow ?s) [(tuple ?s ?s ?s) ?t]]]".to_owned(),
        "[[(grow ?s) [_ :s ?s]] [(grow ?t) (grow ?s) [(str ?s \"x\") ?u] [(keyword ?u ?u) ?t]]]"
            .to_owned(),
    ];
    for rules in cases {
        let err = query(&rules, COUNT_GROWN, &small).unwrap_err();
        assert!(
            matches!(err.kind, ErrorKind::Budget(Limit::Bytes(65536))),
            "{rules}: {err}"
        );
    }
    // Printing a collection into a string is capped as it writes.
    let rules = "[[(grow ?s) [_ :s ?s]] [(grow ?t) (grow ?s) [(tuple ?s ?s) ?v] [(str ?v ?v) ?t]]]";
    let err = query(rules, COUNT_GROWN, &small).unwrap_err();
    assert!(
        matches!(err.kind, ErrorKind::Budget(Limit::Bytes(_))),
        "{err}"
    );
    // Below the limit the same functions give their usual results.
    let rows = query(
        "[[(twice ?t) [_ :s ?s] [(str ?s ?s) ?t]]]",
        "[:find ?t :in $ % :where (twice ?t)]",
        &small,
    );
    assert_eq!(rows, Ok(vec![vec![Value::from("abab")]]));
}

/// `rN` calls `rN+1`, the last reads the store: evaluated where called, on the stack.
fn chain(n: usize) -> String {
    let mut rules = String::from("[");
    for i in 0..n {
        if i + 1 == n {
            rules.push_str(&format!("[(r{i} ?x) [?x :n _]]"));
        } else {
            rules.push_str(&format!("[(r{i} ?x) (r{} ?x)]", i + 1));
        }
    }
    rules.push(']');
    rules
}

/// Before, stratification was cubic in a chain of rules (1,000 took 128 s per file) and
/// unbudgeted; now it is linear, and a chain deeper than the evaluator's stack allows is an
/// error found while planning.
#[test]
fn a_long_chain_of_rules_is_planned_quickly_and_refused_clearly() {
    let q = "[:find ?x :in $ % :where (r0 ?x)]";
    let budget = Budget {
        timeout: Some(Duration::from_secs(2)),
        ..Budget::default()
    };
    for n in [1_000, 10_000] {
        let started = Instant::now();
        let err = query(&chain(n), q, &budget).unwrap_err();
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{n}: {:?}",
            started.elapsed()
        );
        assert!(matches!(err.kind, ErrorKind::TooDeep { .. }), "{err}");
    }
    expect!["1:1: rules call each other 1000 levels deep through r0, more than the 64 the evaluator allows (in [:find ?x :in $ % :where (r0 ?x)])"]
        .assert_eq(&query(&chain(1_000), q, &budget).unwrap_err().to_string());
    assert_eq!(
        query(&chain(MAX_CALL_DEPTH), q, &budget),
        Ok(vec![vec![Value::Int(2)]])
    );
}

/// The deepest evaluation the limit lets through, calls and `not`/`or` nesting together, runs
/// on a test thread's stack (2 MiB) in a debug build.
#[test]
fn the_deepest_allowed_evaluation_fits_on_a_small_stack() {
    let nest = |inner: &str, levels: usize| {
        let mut out = inner.to_owned();
        for _ in 0..levels {
            out = format!("(or {out} [?x :n 1])");
        }
        out
    };
    // The call sits 16 deep in the query, the last rule's body is 16 deep, and the chain takes
    // the rest of the limit.
    let calls = MAX_CALL_DEPTH - 16 - 16;
    let mut rules = String::from("[");
    for i in 0..calls - 1 {
        rules.push_str(&format!("[(r{i} ?x) (r{} ?x)]", i + 1));
    }
    let leaf = nest("[?x :n _]", 16);
    rules.push_str(&format!("[(r{} ?x) {leaf}]]", calls - 1));
    let q = format!("[:find ?x :in $ % :where {}]", nest("(r0 ?x)", 16));
    assert_eq!(
        query(&rules, &q, &Budget::default()),
        Ok(vec![vec![Value::Int(2)]])
    );
    let one_more = format!("[:find ?x :in $ % :where {}]", nest("(r0 ?x)", 17));
    let err = query(&rules, &one_more, &Budget::default()).unwrap_err();
    assert!(
        matches!(err.kind, ErrorKind::TooDeep { depth: 65, .. }),
        "{err}"
    );
}

/// A cycle through many rules is one recursive stratum. (Evaluating it takes one round per
/// rule, each round looking at every rule: that cost is the evaluation's, under the budget.)
#[test]
fn a_large_cycle_of_rules_is_one_stratum() {
    let n = 200;
    let mut rules = String::from("[[(r0 ?x) [?x :n _]]");
    for i in 0..n {
        rules.push_str(&format!("[(r{i} ?x) (r{} ?x)]", (i + 1) % n));
    }
    rules.push(']');
    let started = Instant::now();
    let rows = query(
        &rules,
        "[:find ?x :in $ % :where (r17 ?x)]",
        &Budget::default(),
    );
    assert_eq!(rows, Ok(vec![vec![Value::Int(2)]]));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

/// Planning counts against the budget: a rule set too large for it stops like a runaway rule.
#[test]
fn planning_is_under_the_budget() {
    let budget = Budget {
        max_tuples: Some(500),
        ..Budget::default()
    };
    let mut rules = String::from("[[(r0 ?x) [?x :n _]]");
    for i in 1..2_000 {
        rules.push_str(&format!("[(r0 ?x) (r{i} ?x)] [(r{i} ?x) [?x :n _]]"));
    }
    rules.push(']');
    let err = query(&rules, "[:find ?x :in $ % :where (r0 ?x)]", &budget).unwrap_err();
    expect![
        "1:1: budget exceeded: more than 500 tuples produced (in [:find ?x :in $ % :where (r0 ?x)])"
    ]
    .assert_eq(&err.to_string());
}

/// One allowance shared by several queries: the first runs it out, the next does not start,
/// and says which limit it found used up.
#[test]
fn an_allowance_is_shared_and_remembers_running_out() {
    let db = db();
    let rules = Rules::parse("[[(nat ?x) [_ :n ?x]] [(nat ?y) (nat ?x) [(inc ?x) ?y]]]").unwrap();
    let runaway = Query::parse("[:find ?x :in $ % :where (nat ?x)]").unwrap();
    let small = Query::parse("[:find ?s :where [_ :s ?s]]").unwrap();
    let budget = Budget {
        max_tuples: Some(1_000),
        ..Budget::default()
    };
    let mut allowance = Allowance::new(&budget);
    assert!(
        db.query_within(&small, &Inputs::new(), &mut allowance)
            .is_ok()
    );
    let err = db
        .query_within(&runaway, &Inputs::new().rules(rules), &mut allowance)
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Budget(Limit::Tuples(1_000)));
    let err = db
        .query_within(&small, &Inputs::new(), &mut allowance)
        .unwrap_err();
    expect!["1:1: not run: the shared budget was used up (more than 1000 tuples produced) (in [:find ?s :where [_ :s ?s]])"]
        .assert_eq(&err.to_string());
    assert!(err.is_budget());
    // Time runs out for all the queries of an allowance together.
    let mut timed = Allowance::new(&Budget {
        timeout: Some(Duration::from_millis(1)),
        ..Budget::default()
    });
    std::thread::sleep(Duration::from_millis(5));
    let err = db
        .query_within(&small, &Inputs::new(), &mut timed)
        .unwrap_err();
    assert_eq!(
        err.kind,
        ErrorKind::NotRun(Limit::Time(Duration::from_millis(1)))
    );
}

/// Each row of the result holds its own copy of a collection: a vector within the budget, in
/// a thousand rows, is a thousand copies, and they count.
#[test]
fn copies_of_a_collection_in_the_result_count_against_the_byte_budget() {
    let db = Db::from_datoms((0..1_000).map(|e| Datom::new(e, Keyword::new("n"), Value::Int(0))));
    let items = (0..100)
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(" ");
    let q = Query::parse(&format!(
        "[:find ?x ?v :where [?x :n _] [(ground [{items}]) ?v]]"
    ))
    .unwrap();
    let budget = |bytes| Budget {
        max_bytes: Some(bytes),
        ..Budget::default()
    };
    let err = db.query(&q, &Inputs::new(), &budget(1 << 20)).unwrap_err();
    assert!(
        matches!(err.kind, ErrorKind::Budget(Limit::Bytes(_))),
        "{err}"
    );
    let rows = db
        .query(&q, &Inputs::new(), &budget(8 << 20))
        .map(|r| r.rows.len());
    assert_eq!(rows, Ok(1_000));
}
