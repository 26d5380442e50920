//! Arbitrary text as EDN, then as a Datalog query planned and run on a small database within a
//! small budget: parse errors and budget errors are fine, panics are not.
#![no_main]

use std::time::Duration;

use datalog::{Budget, Db, Inputs, Query};
use edn::{Datom, Keyword};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = edn::read_all(text);
    let Ok(query) = Query::parse(text) else {
        return;
    };
    let db = Db::from_datoms([
        Datom::new(1, Keyword::new("name"), "ada"),
        Datom::new(1, Keyword::new("parent"), 2),
        Datom::new(2, Keyword::new("name"), "bob"),
        Datom::new(2, Keyword::new("parent"), 3),
        Datom::new(3, Keyword::new("age"), 7),
    ]);
    let budget = Budget {
        max_tuples: Some(100_000),
        timeout: Some(Duration::from_millis(200)),
    };
    let _ = db.query(&query, &Inputs::new(), &budget);
});
