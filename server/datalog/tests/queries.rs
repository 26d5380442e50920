//! Query results over small hand-made datom sets, and every error a rule author can meet.
//!
//! `check(datoms, rules, query, expect)`: datoms are an EDN vector of `[e a v]`, the rules an EDN
//! rule vector (or empty), and the snapshot shows the EDN rendering of the result or the error.

use datalog::{Budget, Db, Inputs, Query, Rules};
use edn::{Datom, Keyword, Value};
use expect_test::{Expect, expect};

fn datoms(src: &str) -> Vec<Datom> {
    let Value::Vector(items) = edn::read(src).expect("datoms read") else {
        panic!("datoms are a vector")
    };
    items
        .into_iter()
        .map(|d| match d {
            Value::Vector(t) => match t.as_slice() {
                [Value::Int(e), Value::Keyword(a), v] => {
                    Datom::new(*e as u64, a.clone(), v.clone())
                }
                _ => panic!("bad datom {t:?}"),
            },
            _ => panic!("bad datom"),
        })
        .collect()
}

fn run(db: &Db, rules: &str, query: &str, args: &[&str]) -> String {
    let q = match Query::parse(query) {
        Ok(q) => q,
        Err(e) => return format!("error {e}"),
    };
    let mut inputs = Inputs::new();
    if !rules.is_empty() {
        match Rules::parse(rules) {
            Ok(r) => inputs = inputs.rules(r),
            Err(e) => return format!("error {e}"),
        }
    }
    for a in args {
        inputs = inputs.arg(edn::read(a).expect("input reads"));
    }
    match db.query(&q, &inputs, &Budget::default()) {
        Ok(r) => r.to_edn(),
        Err(e) => format!("error {e}"),
    }
}

fn check(data: &str, rules: &str, query: &str, expect: Expect) {
    let db = Db::from_datoms(datoms(data));
    expect.assert_eq(&run(&db, rules, query, &[]));
}

fn check_in(data: &str, query: &str, args: &[&str], expect: Expect) {
    let db = Db::from_datoms(datoms(data));
    expect.assert_eq(&run(&db, "", query, args));
}

const PEOPLE: &str = r#"[
  [1 :name "ada"] [1 :age 36] [1 :parent 3]
  [2 :name "bob"] [2 :age 12] [2 :parent 1]
  [3 :name "cy"]  [3 :age 70]
  [4 :name "dee"] [4 :age 12] [4 :parent 1] [4 :nick "d"]
  [5 :name "eve"] [5 :tags :x] [5 :tags :y]
]"#;

#[test]
fn patterns_and_constants() {
    check(
        PEOPLE,
        "",
        "[:find ?n :where [?e :age 12] [?e :name ?n]]",
        expect![[r#"
            {:columns ["?n"]
             :rows [["bob"]
                    ["dee"]]}"#]],
    );
    check(
        PEOPLE,
        "",
        "[:find ?e ?v :where [?e :tags ?v]]",
        expect![[r#"
            {:columns ["?e" "?v"]
             :rows [[5 :x]
                    [5 :y]]}"#]],
    );
    check(
        PEOPLE,
        "",
        r#"[:find ?a :where [1 ?a _] [1 :name "ada"]]"#,
        expect![[r#"
            {:columns ["?a"]
             :rows [[:age]
                    [:name]
                    [:parent]]}"#]],
    );
    check(
        PEOPLE,
        "",
        "[:find ?e :where [?e :nick] [?e :name \"nobody\"]]",
        expect![[r#"
            {:columns ["?e"]
             :rows []}"#]],
    );
    check(
        PEOPLE,
        "",
        "[:find ?e :where [?e ?a ?e]]",
        expect![[r#"
            {:columns ["?e"]
             :rows []}"#]],
    );
}

#[test]
fn joins_through_refs() {
    check(
        PEOPLE,
        "",
        "[:find ?child ?parent :where [?c :parent ?p] [?c :name ?child] [?p :name ?parent]]",
        expect![[r#"
            {:columns ["?child" "?parent"]
             :rows [["ada" "cy"]
                    ["bob" "ada"]
                    ["dee" "ada"]]}"#]],
    );
}

#[test]
fn predicates_and_bindings() {
    check(
        PEOPLE,
        "",
        "[:find ?n ?next :where [?e :age ?a] [(< ?a 40)] [(inc ?a) ?next] [?e :name ?n]]",
        expect![[r#"
            {:columns ["?n" "?next"]
             :rows [["ada" 37]
                    ["bob" 13]
                    ["dee" 13]]}"#]],
    );
    check(
        PEOPLE,
        "",
        r#"[:find ?s :where [?e :name ?n] [(str ?n "!" ?e) ?s] [(starts-with? ?n "b")]]"#,
        expect![[r#"
            {:columns ["?s"]
             :rows [["bob!2"]]}"#]],
    );
    check(
        PEOPLE,
        "",
        "[:find ?a ?b :where [(ground [[1 2] [3 4]]) [[?a ?b]]]]",
        expect![[r#"
            {:columns ["?a" "?b"]
             :rows [[1 2]
                    [3 4]]}"#]],
    );
    check(
        PEOPLE,
        "",
        "[:find ?x :where [(ground [1 2 3]) [?x ...]] [(tuple ?x ?x) [?y ?y]] [(odd? ?x)]]",
        expect![[r#"
            {:columns ["?x"]
             :rows [[1]
                    [3]]}"#]],
    );
    check(
        PEOPLE,
        "",
        "[:find ?n :where [?e :name ?n] [(/ 1 0) ?z]]",
        expect![[r#"
            {:columns ["?n"]
             :rows []}"#]],
    );
    check(
        PEOPLE,
        "",
        "[:find ?k ?ns ?nm :where [(keyword \"a\" \"b\") ?k] [(namespace ?k) ?ns] [(name ?k) ?nm]]",
        expect![[r#"
            {:columns ["?k" "?ns" "?nm"]
             :rows [[:a/b "a" "b"]]}"#]],
    );
}

#[test]
fn negation() {
    check(
        PEOPLE,
        "",
        "[:find ?n :where [?e :name ?n] (not [?e :parent _])]",
        expect![[r#"
            {:columns ["?n"]
             :rows [["cy"]
                    ["eve"]]}"#]],
    );
    check(
        PEOPLE,
        "",
        "[:find ?n :where [?e :name ?n] (not-join [?e] [?c :parent ?e] [?c :age 12])]",
        expect![[r#"
            {:columns ["?n"]
             :rows [["bob"]
                    ["cy"]
                    ["dee"]
                    ["eve"]]}"#]],
    );
    check(
        PEOPLE,
        "",
        "[:find ?n :where [?e :name ?n] [?e :age ?a] (not [(> ?a 20)] [(< ?a 50)])]",
        expect![[r#"
            {:columns ["?n"]
             :rows [["bob"]
                    ["cy"]
                    ["dee"]]}"#]],
    );
}

#[test]
fn disjunction() {
    check(
        PEOPLE,
        "",
        "[:find ?n :where [?e :name ?n] (or [?e :nick _] [?e :tags :x])]",
        expect![[r#"
            {:columns ["?n"]
             :rows [["dee"]
                    ["eve"]]}"#]],
    );
    check(
        PEOPLE,
        "",
        "[:find ?n ?x :where [?e :name ?n] (or-join [?e ?x] (and [?e :age ?x] [(> ?x 50)]) [?e :tags ?x])]",
        expect![[r#"
            {:columns ["?n" "?x"]
             :rows [["cy" 70]
                    ["eve" :x]
                    ["eve" :y]]}"#]],
    );
    check(
        PEOPLE,
        "",
        "[:find ?a :where [_ :age ?a] (or [(< ?a 13)] [(> ?a 60)])]",
        expect![[r#"
            {:columns ["?a"]
             :rows [[12]
                    [70]]}"#]],
    );
}

#[test]
fn aggregates() {
    check(
        PEOPLE,
        "",
        "[:find ?a (count ?e) :where [?e :age ?a]]",
        expect![[r#"
            {:columns ["?a" "(count ?e)"]
             :rows [[12 2]
                    [36 1]
                    [70 1]]}"#]],
    );
    check(
        PEOPLE,
        "",
        "[:find (count ?a) (count-distinct ?a) (min ?a) (max ?a) (sum ?a) (avg ?a) :with ?e :where [?e :age ?a]]",
        expect![[r#"
            {:columns ["(count ?a)" "(count-distinct ?a)" "(min ?a)" "(max ?a)" "(sum ?a)" "(avg ?a)"]
             :rows [[4 3 12 70 130 32.5]]}"#]],
    );
    check(
        PEOPLE,
        "",
        "[:find (sum ?a) :where [?e :age ?a]]",
        expect![[r#"
            {:columns ["(sum ?a)"]
             :rows [[118]]}"#]],
    );
    check(
        PEOPLE,
        "",
        "[:find (count ?e) :where [?e :age 99]]",
        expect![[r#"
            {:columns ["(count ?e)"]
             :rows []}"#]],
    );
    check(
        PEOPLE,
        "",
        "[:find (sum ?n) :where [_ :name ?n]]",
        expect![[
            r#"error 1:1: aggregate sum of non-number "ada" (in [:find (sum ?n) :where [_ :name ?n]])"#
        ]],
    );
}

const ANCESTORS: &str = r#"[
  [(anc ?a ?d) [?d :parent ?a]]
  [(anc ?a ?d) [?d :parent ?p] (anc ?a ?p)]
]"#;

#[test]
fn recursive_rules() {
    check(
        PEOPLE,
        ANCESTORS,
        "[:find ?an ?dn :in $ % :where (anc ?a ?d) [?a :name ?an] [?d :name ?dn]]",
        expect![[r#"
            {:columns ["?an" "?dn"]
             :rows [["ada" "bob"]
                    ["ada" "dee"]
                    ["cy" "ada"]
                    ["cy" "bob"]
                    ["cy" "dee"]]}"#]],
    );
    check(
        PEOPLE,
        r#"[[(anc ?a ?d) [?d :parent ?a]]
            [(anc ?a ?d) (anc ?a ?m) (anc ?m ?d)]
            [(root ?r) [?r :name _] (not [?r :parent _])]
            [(orphan-line ?d) (root ?r) (not (anc ?r ?d))  [?d :name _]]]"#,
        "[:find ?n :where (orphan-line ?d) [?d :name ?n]]",
        expect![[r#"
            {:columns ["?n"]
             :rows [["ada"]
                    ["bob"]
                    ["cy"]
                    ["dee"]
                    ["eve"]]}"#]],
    );
}

#[test]
fn mutual_recursion() {
    let chain = "[[1 :next 2] [2 :next 3] [3 :next 4] [4 :next 5] [5 :next 6]]";
    check(
        chain,
        r#"[[(even ?x) [(ground 1) ?x]]
            [(even ?y) (odd ?x) [?x :next ?y]]
            [(odd ?y) (even ?x) [?x :next ?y]]]"#,
        "[:find ?x :where (odd ?x)]",
        expect![[r#"
            {:columns ["?x"]
             :rows [[2]
                    [4]
                    [6]]}"#]],
    );
}

#[test]
fn inputs() {
    check_in(
        PEOPLE,
        "[:find ?e :in $ ?n :where [?e :name ?n]]",
        &["\"bob\""],
        expect![[r#"
            {:columns ["?e"]
             :rows [[2]]}"#]],
    );
    check_in(
        PEOPLE,
        "[:find ?n :in $ [?a ...] :where [?e :age ?a] [?e :name ?n]]",
        &["[12 70]"],
        expect![[r#"
            {:columns ["?n"]
             :rows [["bob"]
                    ["cy"]
                    ["dee"]]}"#]],
    );
    check_in(
        PEOPLE,
        "[:find ?x ?y :in [[?x ?y]] [?lo ?hi] :where [(<= ?lo ?x ?hi)]]",
        &["[[1 :a] [5 :b] [9 :c]]", "[2 9]"],
        expect![[r#"
            {:columns ["?x" "?y"]
             :rows [[5 :b]
                    [9 :c]]}"#]],
    );
    check_in(
        PEOPLE,
        "[:find ?e :in $ ?n :where [?e :name ?n]]",
        &[],
        expect![[
            r#"error 1:1: input: the query takes 1 input(s), 0 given (in [:find ?e :in $ ?n :where [?e :name ?n]])"#
        ]],
    );
    check_in(
        PEOPLE,
        "[:find ?e :in $ [?a ?b] :where [?e :age ?a]]",
        &["7"],
        expect![[
            r#"error 1:1: input: input 7 does not fit the binding [?a ?b] (in [:find ?e :in $ [?a ?b] :where [?e :age ?a]])"#
        ]],
    );
}

#[test]
fn written_order_does_not_matter() {
    let a = "[:find ?n :where [?e :name ?n] [?e :age 12] [?e :parent ?p] [?p :age 36]]";
    let b = "[:find ?n :where [?p :age 36] [?e :parent ?p] [?e :age 12] [?e :name ?n]]";
    let db = Db::from_datoms(datoms(PEOPLE));
    assert_eq!(run(&db, "", a, &[]), run(&db, "", b, &[]));
    expect![[r#"
        {:columns ["?n"]
         :rows [["bob"]
                ["dee"]]}"#]]
    .assert_eq(&run(&db, "", a, &[]));
}

#[test]
fn incremental_transact() {
    let mut db = Db::from_datoms(datoms(PEOPLE));
    let q = "[:find ?n ?a :where [?e :name ?n] [?e :age ?a]]";
    db.transact(
        &datoms(r#"[[2 :name "bob"] [2 :age 12] [9 :age 1]]"#),
        &datoms(r#"[[2 :name "rob"] [2 :age 13] [6 :name "fay"] [6 :age 1]]"#),
    );
    expect![[r#"
        {:columns ["?n" "?a"]
         :rows [["ada" 36]
                ["cy" 70]
                ["dee" 12]
                ["fay" 1]
                ["rob" 13]]}"#]]
    .assert_eq(&run(&db, "", q, &[]));
    db.transact(&datoms(r#"[[5 :tags :x] [5 :tags :y]]"#), &[]);
    expect![[r#"
        {:columns ["?e"]
         :rows []}"#]]
    .assert_eq(&run(&db, "", "[:find ?e :where [?e :tags _]]", &[]));
    let rebuilt = Db::from_datoms(db.datoms());
    assert_eq!(run(&db, "", q, &[]), run(&rebuilt, "", q, &[]));
}

/// A non-recursive rule called with a bound argument runs for that binding alone: the whole
/// relation (2,000 tuples, each through a function) would not fit in the budget of 100 tuples.
#[test]
fn non_recursive_rules_run_for_bound_arguments() {
    let mut data: Vec<Datom> = (0..2000)
        .map(|i| Datom::new(i, Keyword::new("n"), Value::Int(i as i64)))
        .collect();
    data.push(Datom::new(5000, Keyword::new("pick"), Value::Int(7)));
    let db = Db::from_datoms(data);
    let rules = Rules::parse("[[(label ?x ?y) [?x :n ?v] [(str ?v \"!\") ?y]]]").unwrap();
    let budget = Budget {
        max_tuples: Some(100),
        max_bytes: None,
        timeout: None,
    };
    let bound = Query::parse("[:find ?y :in $ % :where [_ :pick ?x] (label ?x ?y)]").unwrap();
    let rows = db
        .query(&bound, &Inputs::new().rules(rules.clone()), &budget)
        .map(|r| r.rows);
    assert_eq!(rows, Ok(vec![vec![Value::Str("7!".into())]]));
    // Unbound, the same rule is the whole relation, and the budget stops it.
    let unbound = Query::parse("[:find ?y :in $ % :where (label ?x ?y)]").unwrap();
    let err = db
        .query(&unbound, &Inputs::new().rules(rules), &budget)
        .unwrap_err();
    assert!(err.is_budget());
}

#[test]
fn budget_stops_runaway_rules() {
    let db = Db::from_datoms(datoms("[[1 :n 0]]"));
    let rules = Rules::parse("[[(nat ?x) [_ :n ?x]] [(nat ?y) (nat ?x) [(inc ?x) ?y]]]").unwrap();
    let q = Query::parse("[:find ?x :in $ % :where (nat ?x)]").unwrap();
    let budget = Budget {
        max_tuples: Some(10_000),
        max_bytes: None,
        timeout: None,
    };
    let err = db
        .query(&q, &Inputs::new().rules(rules.clone()), &budget)
        .unwrap_err();
    assert!(err.is_budget());
    expect!["1:42: budget exceeded: more than 10000 tuples produced (in [(inc ?x) ?y])"]
        .assert_eq(&err.to_string());
    let timed = Budget {
        max_tuples: None,
        max_bytes: None,
        timeout: Some(std::time::Duration::from_millis(50)),
    };
    let err = db
        .query(&q, &Inputs::new().rules(rules), &timed)
        .unwrap_err();
    assert!(err.is_budget());
    let cross = Query::parse("[:find ?a ?b :where [?a :n _] [?b :n _] [(ground [1 2 3 4 5]) [?c ...]] [(ground [1 2 3 4 5]) [?d ...]]]").unwrap();
    let tight = Budget {
        max_tuples: Some(20),
        max_bytes: None,
        timeout: None,
    };
    assert!(
        db.query(&cross, &Inputs::new(), &tight)
            .unwrap_err()
            .is_budget()
    );
}

#[test]
fn errors() {
    let e = |q: &str| run(&Db::new(), "", q, &[]);
    let r = |rules: &str, q: &str| run(&Db::new(), rules, q, &[]);
    expect!["error 1:10: unclosed `[` opened at 1:1"].assert_eq(&e("[:find ?x"));
    expect!["error 1:29: expected exactly one form, found 2"]
        .assert_eq(&e("[:find ?x :where [?x :a 1]] [:find ?y]"));
    expect![[r#"error 1:1: unbound variable ?y in :find/:with (no clause binds it) (in [:find ?y :where [?x :a 1]])"#]]
        .assert_eq(&e("[:find ?y :where [?x :a 1]]"));
    expect!["error 1:29: unbound variable ?z in predicate (in [(< ?x ?z)])"]
        .assert_eq(&e("[:find ?x :where [?x :a ?v] [(< ?x ?z)]]"));
    expect!["error 1:29: unsafe negation: ?z is not bound by the clauses outside the `not` (use not-join to make it local) (in (not [?x :b ?z]))"]
        .assert_eq(&e("[:find ?x :where [?x :a ?v] (not [?x :b ?z])]"));
    expect!["error 1:29: unknown function `launch-missiles` (see docs/datalog.md for the supported set) (in [(launch-missiles ?x)])"]
        .assert_eq(&e("[:find ?x :where [?x :a ?v] [(launch-missiles ?x)]]"));
    expect!["error 1:29: `inc` takes 1 argument(s), got 2 (in [(inc ?x 1) ?y])"]
        .assert_eq(&e("[:find ?x :where [?x :a ?v] [(inc ?x 1) ?y]]"));
    expect![[
        r#"error 1:18: unknown rule `friend` (is the rule set passed with %?) (in (friend ?x ?y))"#
    ]]
    .assert_eq(&e("[:find ?x :where (friend ?x ?y)]"));
    expect![[r#"error 1:18: all branches of `or` must use the same variables (use or-join to name the shared ones) (in (or [?x :a 1] [?y :b 2]))"#]]
        .assert_eq(&e("[:find ?x :where (or [?x :a 1] [?y :b 2]) [?x :c ?y]]"));
    expect![[r#"error 1:18: only the default database $ is supported (in [$db ?x :a 1])"#]]
        .assert_eq(&e("[:find ?x :where [$db ?x :a 1]]"));
    expect![[r#"error 1:1: query needs a non-empty :find (in [:where [?x :a 1]])"#]]
        .assert_eq(&e("[:where [?x :a 1]]"));
    expect!["error 1:11: find specs `.` and `...` are not supported: results are relations (in .)"]
        .assert_eq(&e("[:find ?x . :where [?x :a 1]]"));
    expect![[r#"error 1:18: a data pattern has one to three elements [e a v] (transaction ids are not stored) (in [?x :a 1 ?tx])"#]]
        .assert_eq(&e("[:find ?x :where [?x :a 1 ?tx]]"));
    expect![[
        r#"error 1:18: (and ...) is only allowed as a branch of or/or-join (in (and [?x :a 1]))"#
    ]]
    .assert_eq(&e("[:find ?x :where (and [?x :a 1])]"));
    expect![
        "error 1:25: rules are not stratifiable: p depends on itself through negation (in (q ?x))"
    ]
    .assert_eq(&r(
        "[[(p ?x) [?x :a _] (not (q ?x))]\n [(q ?x) [?x :a _] (p ?x)]]",
        "[:find ?x :in $ % :where (p ?x)]",
    ));
    expect![[r#"error 1:2: unbound variable ?y in the head of rule r (no body clause binds it) (in [(r ?x ?y) [?x :a 1]])"#]]
        .assert_eq(&r("[[(r ?x ?y) [?x :a 1]]]", "[:find ?x :where (r ?x ?x)]"));
    expect!["error 1:21: `r` takes 1 argument(s), got 2 (in [(r ?x ?y) [?x :a ?y]])"].assert_eq(
        &r(
            "[[(r ?x) [?x :a 1]] [(r ?x ?y) [?x :a ?y]]]",
            "[:find ?x :where (r ?x)]",
        ),
    );
    expect![[r#"error 1:18: `r` takes 1 argument(s), got 2 (in (r ?x ?y))"#]]
        .assert_eq(&r("[[(r ?x) [?x :a 1]]]", "[:find ?x :where (r ?x ?y)]"));
    expect!["error 1:35: unbound variable ?y in or branch (every branch must bind the or's variables) (in [?x :a 1])"]
        .assert_eq(&e("[:find ?x :where (or-join [?x ?y] [?x :a 1] [?x :b ?y])]"));
}

/// Indexes of thousands of datoms are kept as many runs: joins that walk them (by the rows'
/// first column, by another column, by a constant, as a filter) give what a direct computation
/// over the datoms gives, before and after edits spread over the store and at its end.
#[test]
fn joins_over_indexes_of_many_runs() {
    use std::collections::BTreeSet;
    let (parent, group) = (Keyword::new("parent"), Keyword::new("group"));
    let facts = |i: u64, salt: u64| {
        vec![
            Datom::new(
                i,
                parent.clone(),
                Value::Int(((i * 7 + salt) % 900 + 10_000) as i64),
            ),
            Datom::new(i, group.clone(), Value::Int(((i + salt) % 5) as i64)),
        ]
    };
    // Entities 0..6000 point at parents 10_000.., which have groups of their own.
    let mut all: BTreeSet<Datom> = (0..6000).flat_map(|i| facts(i, 0)).collect();
    all.extend((10_000..10_900).flat_map(|i| facts(i, 1)));
    let mut db = Db::from_datoms(all.iter().cloned());
    let queries = [
        "[:find ?c ?g :where [?c :parent ?p] [?p :group ?g]]",
        "[:find ?c :where [?c :group 3]]",
        "[:find ?p ?c :where [?p :group 2] [?c :parent ?p]]",
        "[:find ?c :where [?c :group ?g] [?c :parent ?p] [?p :group ?g]]",
    ];
    let expected = |all: &BTreeSet<Datom>| {
        let mut by: std::collections::BTreeMap<(u64, &Keyword), Vec<i64>> = Default::default();
        for d in all {
            if let Value::Int(v) = d.v {
                by.entry((d.e, &d.a)).or_default().push(v);
            }
        }
        let of = |e: u64, a: &Keyword| -> Vec<i64> { by.get(&(e, a)).cloned().unwrap_or_default() };
        let entities: BTreeSet<u64> = all.iter().map(|d| d.e).collect();
        let mut out: Vec<BTreeSet<Vec<i64>>> = vec![BTreeSet::new(); 4];
        for &c in &entities {
            for p in of(c, &parent) {
                for g in of(p as u64, &group) {
                    out[0].insert(vec![c as i64, g]);
                    if of(c, &group).contains(&g) {
                        out[3].insert(vec![c as i64]);
                    }
                }
                if of(p as u64, &group).contains(&2) {
                    out[2].insert(vec![p, c as i64]);
                }
            }
            if of(c, &group).contains(&3) {
                out[1].insert(vec![c as i64]);
            }
        }
        out
    };
    let got = |db: &Db| -> Vec<BTreeSet<Vec<i64>>> {
        queries
            .iter()
            .map(|q| {
                let q = Query::parse(q).expect("query parses");
                let result = db.query(&q, &Inputs::new(), &Budget::unlimited());
                result
                    .expect("query runs")
                    .rows
                    .into_iter()
                    .map(|row| {
                        row.into_iter()
                            .filter_map(|v| match v {
                                Value::Int(i) => Some(i),
                                _ => None,
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect()
    };
    assert_eq!(got(&db), expected(&all));
    // Forms changed in three places (their facts retracted, new ones asserted), parents
    // regrouped, and new entities at the end.
    for (round, span) in [(1u64, 100..400), (2, 2000..2100), (3, 5900..6000)].into_iter() {
        let gone: Vec<Datom> = span.clone().flat_map(|i| facts(i, 0)).collect();
        let mut new: Vec<Datom> = span.flat_map(|i| facts(i, round)).collect();
        new.extend((6000 + round * 300..6000 + round * 300 + 250).flat_map(|i| facts(i, round)));
        let regrouped: Vec<Datom> = (10_000..10_900)
            .step_by(3)
            .flat_map(|i| facts(i, 1))
            .filter(|d| d.a == group)
            .collect();
        let regrouped_new: Vec<Datom> = regrouped
            .iter()
            .map(|d| Datom::new(d.e, group.clone(), Value::Int(((d.e + round) % 5) as i64)))
            .collect();
        let (mut retract, mut assert) = (gone, new);
        if round == 2 {
            retract.extend(regrouped.clone());
            assert.extend(regrouped_new.clone());
        }
        db.transact(&retract, &assert);
        for d in &retract {
            all.remove(d);
        }
        all.extend(assert);
        assert_eq!(got(&db), expected(&all), "after edit {round}");
    }
}
