//! A tiny, obviously correct Datalog evaluator, for tests only.
//!
//! It shares nothing with the engine but the value type: its own query representation, its own
//! few functions (integers only), nested loops over a plain datom list, clauses taken in written
//! order (a clause whose inputs are not bound yet waits for the next one that is), rules by
//! naive iteration one level at a time, in the level order the generator guarantees.

use std::collections::{BTreeMap, BTreeSet};

use edn::Value;

#[derive(Clone, Debug)]
pub(crate) enum T {
    V(String),
    Int(i64),
    Kw(String),
    Blank,
}

#[derive(Clone, Debug)]
pub(crate) enum C {
    Pat(T, T, T),
    Lt(T, T),
    Neq(T, T),
    /// `[(inc x) out]`.
    Inc(T, String),
    /// `[(+ x y) out]`.
    Add(T, T, String),
    /// `(not c)` where every variable of `c` is bound outside.
    Not(Vec<C>),
    /// `(not-join [vars] body)`.
    NotJoin(Vec<String>, Vec<C>),
    /// `(or-join [vars] branches...)`.
    OrJoin(Vec<String>, Vec<Vec<C>>),
    Call(String, Vec<T>),
}

#[derive(Clone, Debug)]
pub(crate) struct RuleDef {
    pub(crate) name: String,
    pub head: Vec<String>,
    pub body: Vec<C>,
    pub level: usize,
}

#[derive(Clone, Copy, Debug)]
pub(crate) enum Agg {
    Count,
    CountDistinct,
    Min,
    Max,
    Sum,
}

#[derive(Clone, Debug)]
pub(crate) struct Q {
    pub find: Vec<String>,
    pub agg: Option<(Agg, String)>,
    pub with: Vec<String>,
    pub body: Vec<C>,
}

pub(crate) type Datoms = Vec<(Value, Value, Value)>;
type Env = BTreeMap<String, Value>;
type Rels = BTreeMap<String, BTreeSet<Vec<Value>>>;

fn term_vars(t: &T, out: &mut BTreeSet<String>) {
    if let T::V(v) = t {
        out.insert(v.clone());
    }
}

/// Variables a clause needs bound before it can run.
fn needs(c: &C) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    match c {
        C::Pat(..) | C::Call(..) | C::OrJoin(..) => {}
        C::Lt(a, b) | C::Neq(a, b) | C::Add(a, b, _) => {
            term_vars(a, &mut out);
            term_vars(b, &mut out);
        }
        C::Inc(a, _) => term_vars(a, &mut out),
        C::Not(body) => {
            for c in body {
                out.extend(mentions(c));
            }
        }
        C::NotJoin(vs, _) => out.extend(vs.iter().cloned()),
    }
    out
}

/// Variables a clause mentions at its own level.
fn mentions(c: &C) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    match c {
        C::Pat(a, b, d) => {
            term_vars(a, &mut out);
            term_vars(b, &mut out);
            term_vars(d, &mut out);
        }
        C::Lt(a, b) | C::Neq(a, b) => {
            term_vars(a, &mut out);
            term_vars(b, &mut out);
        }
        C::Inc(a, o) => {
            term_vars(a, &mut out);
            out.insert(o.clone());
        }
        C::Add(a, b, o) => {
            term_vars(a, &mut out);
            term_vars(b, &mut out);
            out.insert(o.clone());
        }
        C::Not(body) => body.iter().for_each(|c| out.extend(mentions(c))),
        C::NotJoin(vs, _) | C::OrJoin(vs, _) => out.extend(vs.iter().cloned()),
        C::Call(_, args) => args.iter().for_each(|t| term_vars(t, &mut out)),
    }
    out
}

/// Unifies a term with a value in an environment.
fn unify(t: &T, v: &Value, env: &mut Env) -> bool {
    match t {
        T::Blank => true,
        T::Int(i) => *v == Value::Int(*i),
        T::Kw(k) => *v == Value::Keyword(edn::Keyword::new(k)),
        T::V(name) => match env.get(name) {
            Some(old) => old == v,
            None => {
                env.insert(name.clone(), v.clone());
                true
            }
        },
    }
}

fn int(t: &T, env: &Env) -> Option<i64> {
    match t {
        T::Int(i) => Some(*i),
        T::V(v) => match env.get(v) {
            Some(Value::Int(i)) => Some(*i),
            _ => None,
        },
        _ => None,
    }
}

fn val(t: &T, env: &Env) -> Option<Value> {
    match t {
        T::Int(i) => Some(Value::Int(*i)),
        T::Kw(k) => Some(Value::Keyword(edn::Keyword::new(k))),
        T::V(v) => env.get(v).cloned(),
        T::Blank => None,
    }
}

fn restrict(env: &Env, vars: &[String]) -> Env {
    env.iter()
        .filter(|(k, _)| vars.contains(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

pub(crate) fn eval_body(
    db: &Datoms,
    rels: &Rels,
    body: &[C],
    envs: BTreeSet<Env>,
    bound: BTreeSet<String>,
) -> BTreeSet<Env> {
    let mut left: Vec<&C> = body.iter().collect();
    let mut envs = envs;
    let mut bound = bound;
    while !left.is_empty() {
        let i = left
            .iter()
            .position(|c| needs(c).is_subset(&bound))
            .expect("generated bodies are safe");
        let c = left.remove(i);
        let mut next = BTreeSet::new();
        for env in &envs {
            match c {
                C::Pat(e, a, v) => {
                    for (de, da, dv) in db {
                        let mut env = env.clone();
                        if unify(e, de, &mut env)
                            && unify(a, da, &mut env)
                            && unify(v, dv, &mut env)
                        {
                            next.insert(env);
                        }
                    }
                }
                C::Lt(a, b) => {
                    if let (Some(x), Some(y)) = (int(a, env), int(b, env))
                        && x < y
                    {
                        next.insert(env.clone());
                    }
                }
                C::Neq(a, b) => {
                    if val(a, env) != val(b, env) {
                        next.insert(env.clone());
                    }
                }
                C::Inc(a, out) => {
                    if let Some(x) = int(a, env).and_then(|x| x.checked_add(1)) {
                        let mut env = env.clone();
                        if unify(&T::V(out.clone()), &Value::Int(x), &mut env) {
                            next.insert(env);
                        }
                    }
                }
                C::Add(a, b, out) => {
                    if let Some(x) = int(a, env)
                        .zip(int(b, env))
                        .and_then(|(x, y)| x.checked_add(y))
                    {
                        let mut env = env.clone();
                        if unify(&T::V(out.clone()), &Value::Int(x), &mut env) {
                            next.insert(env);
                        }
                    }
                }
                C::Not(inner) => {
                    let vars: Vec<String> = bound.iter().cloned().collect();
                    let seed = BTreeSet::from([restrict(env, &vars)]);
                    if eval_body(db, rels, inner, seed, bound.clone()).is_empty() {
                        next.insert(env.clone());
                    }
                }
                C::NotJoin(vars, inner) => {
                    let seed = BTreeSet::from([restrict(env, vars)]);
                    let inner_bound = vars.iter().cloned().collect();
                    if eval_body(db, rels, inner, seed, inner_bound).is_empty() {
                        next.insert(env.clone());
                    }
                }
                C::OrJoin(vars, branches) => {
                    let shared: Vec<String> = vars
                        .iter()
                        .filter(|v| bound.contains(*v))
                        .cloned()
                        .collect();
                    let seed_env = restrict(env, &shared);
                    for branch in branches {
                        let found = eval_body(
                            db,
                            rels,
                            branch,
                            BTreeSet::from([seed_env.clone()]),
                            shared.iter().cloned().collect(),
                        );
                        for f in found {
                            let mut out = env.clone();
                            for v in vars {
                                if let Some(x) = f.get(v) {
                                    out.insert(v.clone(), x.clone());
                                }
                            }
                            next.insert(out);
                        }
                    }
                }
                C::Call(name, args) => {
                    for tuple in rels.get(name).into_iter().flatten() {
                        let mut env = env.clone();
                        if args.iter().zip(tuple).all(|(t, v)| unify(t, v, &mut env)) {
                            next.insert(env);
                        }
                    }
                }
            }
        }
        envs = next;
        bound.extend(mentions(c));
    }
    envs
}

/// Naive evaluation of every rule, level by level.
pub(crate) fn eval_rules(db: &Datoms, rules: &[RuleDef]) -> Rels {
    let mut rels: Rels = BTreeMap::new();
    let max_level = rules.iter().map(|r| r.level).max().unwrap_or(0);
    for level in 0..=max_level {
        let here: Vec<&RuleDef> = rules.iter().filter(|r| r.level == level).collect();
        loop {
            let mut changed = false;
            for r in &here {
                let envs = eval_body(
                    db,
                    &rels,
                    &r.body,
                    BTreeSet::from([Env::new()]),
                    BTreeSet::new(),
                );
                let derived: BTreeSet<Vec<Value>> = envs
                    .iter()
                    .map(|e| r.head.iter().map(|h| e[h].clone()).collect())
                    .collect();
                let rel = rels.entry(r.name.clone()).or_default();
                let before = rel.len();
                rel.extend(derived);
                changed |= rel.len() != before;
            }
            if !changed {
                break;
            }
        }
    }
    rels
}

/// Runs a query: rows sorted, aggregates over the bag of values per group.
pub(crate) fn run(db: &Datoms, rules: &[RuleDef], q: &Q) -> Vec<Vec<Value>> {
    let rels = eval_rules(db, rules);
    let envs = eval_body(
        db,
        &rels,
        &q.body,
        BTreeSet::from([Env::new()]),
        BTreeSet::new(),
    );
    let mut rows: Vec<Vec<Value>> = match &q.agg {
        None => envs
            .iter()
            .map(|e| q.find.iter().map(|v| e[v].clone()).collect::<Vec<_>>())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
        Some((agg, var)) => {
            let tuples: BTreeSet<(Vec<Value>, Vec<Value>, Value)> = envs
                .iter()
                .map(|e| {
                    let key = q.find.iter().map(|v| e[v].clone()).collect();
                    let with = q.with.iter().map(|v| e[v].clone()).collect();
                    (key, with, e[var].clone())
                })
                .collect();
            let mut groups: BTreeMap<Vec<Value>, Vec<i64>> = BTreeMap::new();
            for (k, _, v) in tuples {
                let Value::Int(i) = v else {
                    panic!("generated values are ints")
                };
                groups.entry(k).or_default().push(i);
            }
            groups
                .into_iter()
                .map(|(mut k, vs)| {
                    let a = match agg {
                        Agg::Count => vs.len() as i64,
                        Agg::CountDistinct => vs.iter().collect::<BTreeSet<_>>().len() as i64,
                        Agg::Min => *vs.iter().min().expect("groups are non-empty"),
                        Agg::Max => *vs.iter().max().expect("groups are non-empty"),
                        Agg::Sum => vs.iter().sum(),
                    };
                    k.push(Value::Int(a));
                    k
                })
                .collect()
        }
    };
    rows.sort();
    rows
}
