//! Arbitrary text through the EDN reader and the Datalog front end and engine.
//!
//! The input is a query, optionally followed by `\n%%\n` and a rule set, or by `\n%%N\n` and a
//! rule *template* repeated N times (up to 5,000) into one rule vector, `{i}` standing for the
//! copy's number, `{j}` for the next one's and `{w}` for the next one's wrapping to 0:
//! `[(r{i} ?x) (r{j} ?x)]` is a chain of N rules and `[(r{i} ?x) (r{w} ?x)]` a cycle, so short
//! inputs reach rule sets with many rules. Asserts: whatever EDN
//! reads prints back to text that reads as the same value; a query and rules parse or give a typed
//! error; a parsed query run on a small fixed database of a real program's datoms, with a small
//! budget (tuples, 1 MiB of created values, time), returns rows whose EDN rendering reads back,
//! or a typed error with a message, and never panics or outlives its budget; run again on the
//! allowance the first run left, a query the budget stopped is not run at all.
#![no_main]

use std::time::{Duration, Instant};

use analysis::SourceFile;
use datalog::{Allowance, Budget, Db, ErrorKind, Inputs, Query, Rules};
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

/// Most copies of a rule template.
const MAX_COPIES: usize = 5_000;

/// The rule vector of `copies` copies of `template`, numbered.
fn expand(template: &str, copies: usize) -> String {
    let mut out = String::from("[");
    for i in 0..copies {
        out.push_str(
            &template
                .replace("{i}", &i.to_string())
                .replace("{j}", &(i + 1).to_string())
                .replace("{w}", &((i + 1) % copies).to_string()),
        );
        out.push('\n');
    }
    out.push(']');
    out
}

/// The query text and the rule set's text, if any.
fn split(text: &str) -> (&str, Option<String>) {
    let Some((query, rest)) = text.split_once("\n%%") else {
        return (text, None);
    };
    let Some((count, rules)) = rest.split_once('\n') else {
        return (text, None);
    };
    if count.is_empty() {
        return (query, Some(rules.to_owned()));
    }
    match count.parse::<usize>() {
        Ok(n) if (1..=MAX_COPIES).contains(&n) => (query, Some(expand(rules, n))),
        _ => (text, None),
    }
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
    let (query_text, rules_text) = split(text);
    let rules = rules_text.as_deref().map(Rules::parse);
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
        max_bytes: Some(1 << 20),
        timeout: Some(BUDGET_TIME),
    };
    let mut allowance = Allowance::new(&budget);
    let started = Instant::now();
    let result = DB.with(|db| db.query_within(&query, &inputs, &mut allowance));
    // The clock is read during planning, after every join step and every 1,024 rows of a step;
    // one step is bounded by the tuple and byte budgets.
    assert!(
        started.elapsed() < BUDGET_TIME * 10,
        "{:?} for {query_text:?}",
        started.elapsed()
    );
    if let Err(err) = &result
        && matches!(err.kind, ErrorKind::Budget(_))
    {
        let again = DB.with(|db| db.query_within(&query, &inputs, &mut allowance));
        assert!(
            matches!(&again, Err(e) if matches!(e.kind, ErrorKind::NotRun(_))),
            "{again:?} after {err}"
        );
    }
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
