//! Differential tests: the engine against the reference evaluator (tests/reference) on random
//! datoms and random queries with joins, predicates, bindings, negation, disjunction, recursive
//! rules and aggregates. Queries are generated in a safe order, then their clauses shuffled, so
//! the planner's order is exercised against written order.

mod reference;

use std::collections::BTreeSet;

use datalog::{Budget, Db, Inputs, Query, Rules};
use edn::{Datom, Keyword, Value};
use proptest::prelude::*;
use reference::{Agg, C, Q, RuleDef, T};

/// A small deterministic generator (xorshift) driving the query shape from one seed.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, X>(&mut self, xs: &'a [X]) -> &'a X {
        &xs[self.below(xs.len())]
    }
}

const ATTRS: [&str; 3] = ["a", "b", "r"];
const VARS: [&str; 5] = ["?x", "?y", "?z", "?w", "?u"];

/// What a generated body may call.
struct Scope<'a> {
    calls: &'a [(String, usize)],
    negatable: &'a [(String, usize)],
    binds: bool,
    depth: usize,
}

fn term(g: &mut Gen, bound: &BTreeSet<String>, fresh_ok: bool) -> T {
    match g.below(10) {
        0 => T::Int(g.below(7) as i64),
        1 => T::Blank,
        _ => {
            let bound_vars: Vec<&String> = bound.iter().filter(|v| *v != "?attr").collect();
            if !bound_vars.is_empty() && (g.chance(60) || !fresh_ok) {
                T::V((*g.pick(&bound_vars)).clone())
            } else if fresh_ok {
                T::V(g.pick(&VARS).to_string())
            } else {
                T::Int(g.below(7) as i64)
            }
        }
    }
}

fn bound_term(g: &mut Gen, bound: &BTreeSet<String>) -> Option<T> {
    let vs: Vec<&String> = bound.iter().filter(|v| *v != "?attr").collect();
    (!vs.is_empty()).then(|| T::V((*g.pick(&vs)).clone()))
}

fn add_vars(t: &T, bound: &mut BTreeSet<String>) {
    if let T::V(v) = t {
        bound.insert(v.clone());
    }
}

fn pattern(g: &mut Gen, bound: &mut BTreeSet<String>) -> C {
    // The first pattern of a body always binds a variable, so heads and :find have one.
    let e = if bound.is_empty() {
        T::V(g.pick(&VARS).to_string())
    } else {
        term(g, bound, true)
    };
    let a = if g.chance(8) {
        T::V("?attr".to_string())
    } else {
        T::Kw(g.pick(&ATTRS).to_string())
    };
    let v = term(g, bound, true);
    for t in [&e, &a, &v] {
        add_vars(t, bound);
    }
    C::Pat(e, a, v)
}

fn clause(g: &mut Gen, bound: &mut BTreeSet<String>, scope: &Scope<'_>) -> C {
    loop {
        match g.below(10) {
            0..=3 => return pattern(g, bound),
            4 if !scope.calls.is_empty() => {
                let (name, arity) = g.pick(scope.calls).clone();
                let args: Vec<T> = (0..arity).map(|_| term(g, bound, true)).collect();
                args.iter().for_each(|t| add_vars(t, bound));
                return C::Call(name, args);
            }
            5 => {
                let (Some(a), Some(b)) = (bound_term(g, bound), bound_term(g, bound)) else {
                    continue;
                };
                return if g.chance(50) {
                    C::Lt(a, b)
                } else {
                    C::Neq(a, b)
                };
            }
            6 if scope.binds => {
                let Some(a) = bound_term(g, bound) else {
                    continue;
                };
                let out = g.pick(&VARS).to_string();
                let c = if g.chance(50) {
                    C::Inc(a, out.clone())
                } else {
                    C::Add(a, bound_term(g, bound).unwrap_or(T::Int(1)), out.clone())
                };
                bound.insert(out);
                return c;
            }
            7 if scope.depth < 2 && !bound.is_empty() => {
                // (not [e a v]) over bound variables and constants only.
                let vs: Vec<String> = bound.iter().cloned().collect();
                let pick = |g: &mut Gen| match g.below(3) {
                    0 => T::Int(g.below(7) as i64),
                    _ => T::V(g.pick(&vs).clone()),
                };
                let e = pick(g);
                let v = pick(g);
                let a = T::Kw(g.pick(&ATTRS).to_string());
                if !scope.negatable.is_empty() && g.chance(30) {
                    let (name, arity) = g.pick(scope.negatable).clone();
                    let args = (0..arity).map(|_| pick(g)).collect();
                    return C::Not(vec![C::Call(name, args)]);
                }
                return C::Not(vec![C::Pat(e, a, v)]);
            }
            8 if scope.depth < 2 && !bound.is_empty() => {
                let vs: Vec<String> = bound.iter().cloned().collect();
                let join = vec![g.pick(&vs).clone()];
                let mut inner_bound: BTreeSet<String> = join.iter().cloned().collect();
                let inner_scope = Scope {
                    calls: scope.negatable,
                    negatable: scope.negatable,
                    binds: false,
                    depth: scope.depth + 1,
                };
                let n = 1 + g.below(2);
                let body = (0..n)
                    .map(|_| clause(g, &mut inner_bound, &inner_scope))
                    .collect();
                return C::NotJoin(join, body);
            }
            9 if scope.depth < 2 => {
                // (or-join [?v] branch...) where each branch binds ?v with a pattern first.
                let v = g.pick(&VARS).to_string();
                let was_bound = bound.contains(&v);
                let inner_scope = Scope {
                    calls: scope.calls,
                    negatable: scope.negatable,
                    binds: false,
                    depth: scope.depth + 1,
                };
                let branches = (0..2 + g.below(2))
                    .map(|_| {
                        let mut b: BTreeSet<String> = BTreeSet::new();
                        if was_bound {
                            b.insert(v.clone());
                        }
                        let a = T::Kw(g.pick(&ATTRS).to_string());
                        let other = if g.chance(50) {
                            T::Blank
                        } else {
                            T::Int(g.below(7) as i64)
                        };
                        let first = if g.chance(50) {
                            C::Pat(T::V(v.clone()), a, other)
                        } else {
                            C::Pat(other, a, T::V(v.clone()))
                        };
                        b.insert(v.clone());
                        let mut body = vec![first];
                        if g.chance(40) {
                            body.push(clause(g, &mut b, &inner_scope));
                        }
                        body
                    })
                    .collect();
                bound.insert(v.clone());
                return C::OrJoin(vec![v], branches);
            }
            _ => continue,
        }
    }
}

fn body(g: &mut Gen, n: usize, scope: &Scope<'_>) -> (Vec<C>, BTreeSet<String>) {
    let mut bound = BTreeSet::new();
    let mut out = vec![pattern(g, &mut bound)];
    for _ in 1..n {
        out.push(clause(g, &mut bound, scope));
    }
    // Shuffle the written order: safety and results must not depend on it.
    for i in (1..out.len()).rev() {
        let j = g.below(i + 1);
        out.swap(i, j);
    }
    (out, bound)
}

fn first_var(bound: &BTreeSet<String>) -> String {
    bound
        .iter()
        .find(|v| *v != "?attr")
        .cloned()
        .expect("bodies bind a variable")
}

fn rules(g: &mut Gen) -> Vec<RuleDef> {
    let attr = |g: &mut Gen| T::Kw(g.pick(&ATTRS).to_string());
    let v = |s: &str| T::V(s.to_string());
    let mut out = vec![RuleDef {
        name: "p0".into(),
        head: vec!["?a".into(), "?b".into()],
        body: vec![C::Pat(v("?a"), attr(g), v("?b"))],
        level: 0,
    }];
    let recursive = match g.below(3) {
        0 => vec![
            C::Call("p0".into(), vec![v("?a"), v("?c")]),
            C::Pat(v("?c"), attr(g), v("?b")),
        ],
        1 => vec![
            C::Call("p0".into(), vec![v("?a"), v("?c")]),
            C::Call("p0".into(), vec![v("?c"), v("?b")]),
        ],
        _ => vec![
            C::Pat(v("?a"), attr(g), v("?c")),
            C::Call("p0".into(), vec![v("?c"), v("?b")]),
        ],
    };
    out.push(RuleDef {
        name: "p0".into(),
        head: vec!["?a".into(), "?b".into()],
        body: recursive,
        level: 0,
    });
    // p1: a random body over p0 (and itself), negating only p0; head from its bound variables.
    let lower = [("p0".to_string(), 2)];
    let both = [("p0".to_string(), 2), ("p1".to_string(), 1)];
    let base_scope = Scope {
        calls: &lower,
        negatable: &lower,
        binds: false,
        depth: 0,
    };
    let (b, bound) = {
        let n = 1 + g.below(3);
        body(g, n, &base_scope)
    };
    let head = first_var(&bound);
    out.push(RuleDef {
        name: "p1".into(),
        head: vec![head.clone()],
        body: b,
        level: 1,
    });
    // p2: two non-recursive definitions, one reading p0; queries call it with some, all or
    // none of its arguments bound, which the engine evaluates on demand or whole.
    out.push(RuleDef {
        name: "p2".into(),
        head: vec!["?a".into(), "?b".into()],
        body: vec![C::Pat(v("?a"), attr(g), v("?b"))],
        level: 1,
    });
    out.push(RuleDef {
        name: "p2".into(),
        head: vec!["?a".into(), "?b".into()],
        body: vec![
            C::Pat(v("?a"), attr(g), v("?c")),
            C::Call("p0".into(), vec![v("?c"), v("?b")]),
        ],
        level: 1,
    });
    if g.chance(50) {
        let scope = Scope {
            calls: &both,
            negatable: &lower,
            binds: false,
            depth: 0,
        };
        let (mut b, mut bound) = {
            let n = 1 + g.below(2);
            body(g, n, &scope)
        };
        let head_var = first_var(&bound);
        b.push(C::Call("p1".into(), vec![T::V(head_var.clone())]));
        bound.insert(head_var.clone());
        out.push(RuleDef {
            name: "p1".into(),
            head: vec![head_var],
            body: b,
            level: 1,
        });
    }
    out
}

fn query(g: &mut Gen, with_rules: bool) -> Q {
    let calls = [
        ("p0".to_string(), 2),
        ("p1".to_string(), 1),
        ("p2".to_string(), 2),
    ];
    let none: [(String, usize); 0] = [];
    let scope = Scope {
        calls: if with_rules { &calls } else { &none },
        negatable: if with_rules { &calls } else { &none },
        binds: true,
        depth: 0,
    };
    let (b, bound) = {
        let n = 1 + g.below(4);
        body(g, n, &scope)
    };
    let vars: Vec<String> = bound.iter().filter(|v| *v != "?attr").cloned().collect();
    let mut find: Vec<String> = vars.iter().filter(|_| g.chance(50)).cloned().collect();
    let agg = if g.chance(30) && !vars.is_empty() {
        let var = g.pick(&vars).clone();
        find.retain(|f| *f != var);
        let a = *g.pick(&[Agg::Count, Agg::CountDistinct, Agg::Min, Agg::Max, Agg::Sum]);
        Some((a, var))
    } else {
        None
    };
    if find.is_empty() && agg.is_none() {
        find.push(first_var(&bound));
    }
    let mut with = Vec::new();
    if let Some((_, var)) = &agg
        && g.chance(50)
    {
        with.extend(
            vars.iter()
                .find(|v| *v != var && !find.contains(v))
                .cloned(),
        );
    }
    Q {
        find,
        agg,
        with,
        body: b,
    }
}

fn t_edn(t: &T) -> String {
    match t {
        T::V(v) => v.clone(),
        T::Int(i) => i.to_string(),
        T::Kw(k) => format!(":{k}"),
        T::Blank => "_".into(),
    }
}

fn c_edn(c: &C) -> String {
    let body = |cs: &[C]| cs.iter().map(c_edn).collect::<Vec<_>>().join(" ");
    match c {
        C::Pat(e, a, v) => format!("[{} {} {}]", t_edn(e), t_edn(a), t_edn(v)),
        C::Lt(a, b) => format!("[(< {} {})]", t_edn(a), t_edn(b)),
        C::Neq(a, b) => format!("[(!= {} {})]", t_edn(a), t_edn(b)),
        C::Inc(a, o) => format!("[(inc {}) {o}]", t_edn(a)),
        C::Add(a, b, o) => format!("[(+ {} {}) {o}]", t_edn(a), t_edn(b)),
        C::Not(cs) => format!("(not {})", body(cs)),
        C::NotJoin(vs, cs) => format!("(not-join [{}] {})", vs.join(" "), body(cs)),
        C::OrJoin(vs, bs) => format!(
            "(or-join [{}] {})",
            vs.join(" "),
            bs.iter()
                .map(|b| format!("(and {})", body(b)))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        C::Call(n, args) => format!(
            "({n} {})",
            args.iter().map(t_edn).collect::<Vec<_>>().join(" ")
        ),
    }
}

fn q_edn(q: &Q) -> String {
    let mut find = q.find.join(" ");
    if let Some((a, v)) = &q.agg {
        let name = match a {
            Agg::Count => "count",
            Agg::CountDistinct => "count-distinct",
            Agg::Min => "min",
            Agg::Max => "max",
            Agg::Sum => "sum",
        };
        find = format!("{find} ({name} {v})");
    }
    let body: Vec<String> = q.body.iter().map(c_edn).collect();
    let with = if q.with.is_empty() {
        String::new()
    } else {
        format!(":with {} ", q.with.join(" "))
    };
    format!("[:find {find} {with}:in $ % :where {}]", body.join(" "))
}

fn rules_edn(rules: &[RuleDef]) -> String {
    let defs: Vec<String> = rules
        .iter()
        .map(|r| {
            let body: Vec<String> = r.body.iter().map(c_edn).collect();
            format!("[({} {}) {}]", r.name, r.head.join(" "), body.join(" "))
        })
        .collect();
    format!("[{}]", defs.join("\n "))
}

fn datoms_strategy() -> impl Strategy<Value = Vec<(u64, usize, i64)>> {
    prop::collection::vec((1u64..6, 0usize..3, 0i64..6), 0..40)
}

fn to_datoms(raw: &[(u64, usize, i64)]) -> Vec<Datom> {
    raw.iter()
        .map(|&(e, a, v)| Datom::new(e, Keyword::new(ATTRS[a]), Value::Int(v)))
        .collect()
}

fn check(raw: &[(u64, usize, i64)], seed: u64, with_rules: bool) -> Result<(), TestCaseError> {
    let mut g = Gen(seed | 1);
    let rule_defs = rules(&mut g);
    let q = query(&mut g, with_rules);
    let datoms = to_datoms(raw);
    let plain: reference::Datoms = datoms
        .iter()
        .map(|d| {
            (
                Value::Int(d.e as i64),
                Value::Keyword(d.a.clone()),
                d.v.clone(),
            )
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let expected = reference::run(&plain, if with_rules { &rule_defs } else { &[] }, &q);
    let text = q_edn(&q);
    let rules_text = rules_edn(&rule_defs);
    let query = Query::parse(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
    let parsed_rules =
        Rules::parse(&rules_text).map_err(|e| TestCaseError::fail(format!("{e}\n{rules_text}")))?;
    let db = Db::from_datoms(datoms);
    let got = db
        .query(
            &query,
            &Inputs::new().rules(parsed_rules),
            &Budget::default(),
        )
        .map_err(|e| TestCaseError::fail(format!("{e}\n{text}\n{rules_text}")))?;
    prop_assert_eq!(got.rows, expected, "query {}\nrules {}", text, rules_text);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn queries_agree_with_reference(raw in datoms_strategy(), seed in any::<u64>()) {
        check(&raw, seed, false)?;
    }

    #[test]
    fn rules_agree_with_reference(raw in datoms_strategy(), seed in any::<u64>()) {
        check(&raw, seed, true)?;
    }

    #[test]
    fn transact_equals_rebuild(
        first in datoms_strategy(),
        retract_mask in prop::collection::vec(any::<bool>(), 40),
        second in datoms_strategy(),
    ) {
        let first = to_datoms(&first);
        let second = to_datoms(&second);
        let retract: Vec<Datom> = first.iter().zip(&retract_mask).filter(|(_, m)| **m).map(|(d, _)| d.clone()).collect();
        let mut db = Db::from_datoms(first.clone());
        db.transact(&retract, &second);
        let mut expected: BTreeSet<Datom> = first.into_iter().collect();
        for d in &retract {
            expected.remove(d);
        }
        expected.extend(second);
        let got: BTreeSet<Datom> = db.datoms().collect();
        prop_assert_eq!(&got, &expected);
        let rebuilt = Db::from_datoms(expected);
        let q = Query::parse("[:find ?e ?a ?v :where [?e ?a ?v]]").unwrap();
        let stats_q = Query::parse("[:find ?e ?v :where [?e :r ?v] [?v :a ?w]]").unwrap();
        for q in [&q, &stats_q] {
            prop_assert_eq!(
                db.query(q, &Inputs::new(), &Budget::default()).unwrap(),
                rebuilt.query(q, &Inputs::new(), &Budget::default()).unwrap()
            );
        }
        for a in ATTRS {
            // Counts stay exact under updates; the largest groups are upper bounds.
            let (got, want) = (db.stats(&Keyword::new(a)), rebuilt.stats(&Keyword::new(a)));
            let counts = |s: Option<datalog::AttrStats>| s.map(|s| (s.count, s.distinct_e, s.distinct_v));
            prop_assert_eq!(counts(got), counts(want));
            if let (Some(got), Some(want)) = (got, want) {
                prop_assert!(got.max_per_e >= want.max_per_e && got.max_per_v >= want.max_per_v);
            }
        }
    }
}
