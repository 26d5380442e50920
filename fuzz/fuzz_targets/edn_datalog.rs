//! Arbitrary text through the EDN reader and the Datalog front end and engine.
//!
//! The input is a query, optionally followed by `\n%%\n` and a rule set. Asserts: whatever EDN
//! reads prints back to text that reads as the same value; a query and rules parse or give a typed
//! error; a parsed query run on a small fixed database of a real program's datoms, with a small
//! budget, returns rows whose EDN rendering reads back, or a typed error with a message, and
//! never panics or outlives its budget.
#![no_main]

use std::time::{Duration, Instant};

use analysis::SourceFile;
use datalog::{Budget, Db, Inputs, Query, Rules};
use libfuzzer_sys::fuzz_target;

/// A small program whose datoms cover definitions, locals, calls, loops and literals.
const PROGRAM: &str = "(ns demo)\n\
(def limit 10)\n\
(defn f [a & more] (+ a limit (g a)))\n\
(defn g \"doc\" ([] 1) ([y] (f y)))\n\
(let [x 2 y x] (when y (f x)))\n\
(loop [i 0] (if (< i 3) (recur (inc i)) i))\n\
{:a [1 2.5 \"s\"] :b #{:k nil true}}\n";

const BUDGET_TIME: Duration = Duration::from_millis(500);

thread_local! {
    static DB: Db = Db::from_datoms(SourceFile::from_text(PROGRAM).datoms());
}

fn assert_edn_round_trips(text: &str) {
    let Ok(values) = edn::read_all(text) else {
        return;
    };
    for value in values {
        let printed = value.to_string();
        match edn::read(&printed) {
            Ok(again) => assert_eq!(again.to_string(), printed),
            Err(err) => panic!("{value:?} prints as {printed:?}, which does not read: {err}"),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    assert_edn_round_trips(text);
    let (query_text, rules_text) = match text.split_once("\n%%\n") {
        Some((q, r)) => (q, Some(r)),
        None => (text, None),
    };
    let rules = rules_text.map(Rules::parse);
    if let Some(Err(err)) = &rules {
        assert!(!err.to_string().is_empty());
    }
    let query = match Query::parse(query_text) {
        Ok(query) => query,
        Err(err) => {
            assert!(!err.to_string().is_empty());
            return;
        }
    };
    let mut inputs = Inputs::new();
    if let Some(Ok(rules)) = rules {
        inputs = inputs.rules(rules);
    }
    let budget = Budget {
        max_tuples: Some(20_000),
        max_bytes: None,
        timeout: Some(BUDGET_TIME),
    };
    let started = Instant::now();
    let result = DB.with(|db| db.query(&query, &inputs, &budget));
    // The clock is checked after every join step; one step is bounded by the tuple budget.
    assert!(
        started.elapsed() < BUDGET_TIME * 10,
        "{:?} for {query_text:?}",
        started.elapsed()
    );
    match result {
        Ok(rows) => {
            let rendered = rows.to_edn();
            if let Err(err) = edn::read(&rendered) {
                panic!("query result is not EDN: {err}\n{rendered}");
            }
        }
        Err(err) => assert!(!err.to_string().is_empty()),
    }
});
