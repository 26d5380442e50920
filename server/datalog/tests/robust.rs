//! Bad input is normal input: token soup in place of queries and rules parses to an error or
//! runs to a result, never a panic; deep nesting is handled.

use datalog::{Budget, Db, Inputs, Query, Rules};
use edn::{Datom, Keyword, Value};
use proptest::prelude::*;

const TOKENS: &[&str] = &[
    "[",
    "]",
    "(",
    ")",
    ":find",
    ":where",
    ":in",
    ":with",
    "$",
    "%",
    "?x",
    "?y",
    "?z",
    "_",
    "1",
    "\"s\"",
    ":a",
    ":b",
    "not",
    "not-join",
    "or",
    "or-join",
    "and",
    "[?x]",
    "[(< ?x ?y)]",
    "[(inc ?x) ?y]",
    "[(str ?x) [?y ...]]",
    "(count ?x)",
    "(sum ?y)",
    "(r ?x ?y)",
    "[?x :a ?y]",
    "[_ :b ?x]",
    "...",
    ".",
    "nil",
    "#{}",
    "{}",
];

fn db() -> Db {
    Db::from_datoms((1..6u64).flat_map(|e| {
        [
            Datom::new(e, Keyword::new("a"), Value::Int(e as i64 % 3)),
            Datom::new(e, Keyword::new("b"), Value::Int(e as i64 + 1)),
        ]
    }))
}

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..24).prop_map(|ts| ts.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn token_soup_never_panics(q in soup(), r in soup()) {
        let db = db();
        let rules = Rules::parse(&format!("[[(r ?x ?y) {r}]]"));
        for text in [format!("[:find ?x :where {q}]"), format!("[{q}]"), q.clone()] {
            if let Ok(query) = Query::parse(&text) {
                let mut inputs = Inputs::new();
                if let Ok(rules) = &rules {
                    inputs = inputs.rules(rules.clone());
                }
                let budget = Budget { max_tuples: Some(100_000), max_bytes: None, timeout: None };
                let _ = db.query(&query, &inputs, &budget);
            }
        }
    }
}

#[test]
fn deep_nesting_is_an_answer_or_an_error() {
    let db = db();
    for depth in [1, 2, 10, datalog::MAX_NESTING] {
        let mut body = "[?x :a 0]".to_string();
        for _ in 0..depth {
            body = format!("(not-join [?x] {body})");
        }
        let text = format!("[:find ?x :where [?x :b _] {body}]");
        let q = Query::parse(&text).unwrap();
        let rows = db
            .query(&q, &Inputs::new(), &Budget::default())
            .unwrap()
            .rows;
        // An even number of negations is the inner condition itself.
        let expected: Vec<Vec<Value>> = if depth % 2 == 0 {
            vec![vec![Value::Int(3)]]
        } else {
            vec![1, 2, 4, 5]
                .into_iter()
                .map(|e| vec![Value::Int(e)])
                .collect()
        };
        assert_eq!(rows, expected, "depth {depth}");
    }
    let nested = |n: usize| {
        format!(
            "[:find ?x :where [?x :b _] {}[?x :a 0]{}]",
            "(not-join [?x] ".repeat(n),
            ")".repeat(n)
        )
    };
    let err = Query::parse(&nested(datalog::MAX_NESTING + 1)).unwrap_err();
    assert!(
        err.to_string().contains("nested deeper than 32 levels"),
        "{err}"
    );
    let err = Query::parse(&nested(300)).unwrap_err();
    assert!(
        err.to_string().contains("nesting deeper than 256 levels"),
        "{err}"
    );
}
