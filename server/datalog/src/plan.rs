//! Static checks and the plan-level facts the evaluator relies on.
//!
//! *Safety.* A clause is *ready* once the variables it needs are bound: patterns and rule calls
//! always are (they enumerate), predicates and function bindings need their arguments, `not`
//! needs its join variables, and an `or` needs each branch to be runnable from the bound join
//! variables. Readiness only grows as variables get bound, so if some order runs every clause of
//! a body, *every* greedy order does: [`check_body`] simulates one order at parse time and the
//! evaluator's cost-based order can then never get stuck. Errors name the first stuck clause.
//!
//! *Stratification.* Rules form a graph by the calls in their bodies; a call under `not` is a
//! negative edge. Strongly connected components are evaluated bottom-up, callees first; a
//! negative edge inside a component is rejected ([`strata`]). Aggregates exist only in `:find`,
//! so they always sit above every stratum and add no edges.

use std::collections::{BTreeMap, BTreeSet};

use edn::Symbol;

use crate::error::{Error, ErrorKind};
use crate::query::{Binding, Clause, ClauseKind, FindElem, InputSpec, Query, Rule, Rules, Term};

pub(crate) type Vars = BTreeSet<Symbol>;

fn term_vars<'a>(terms: impl IntoIterator<Item = &'a Term>, out: &mut Vars) {
    for t in terms {
        if let Term::Var(v) = t {
            out.insert(v.clone());
        }
    }
}

/// Every variable mentioned anywhere in the clauses, nested ones included.
pub(crate) fn all_vars(body: &[Clause]) -> Vars {
    let mut out = Vars::new();
    for c in body {
        match &c.kind {
            ClauseKind::Pattern(ts) => term_vars(ts, &mut out),
            ClauseKind::Pred { args, .. } | ClauseKind::Call { args, .. } => {
                term_vars(args, &mut out)
            }
            ClauseKind::Bind { args, out: b, .. } => {
                term_vars(args, &mut out);
                out.extend(b.vars().cloned());
            }
            ClauseKind::Not { join, body } => match join {
                Some(vs) => out.extend(vs.iter().cloned()),
                None => out.extend(all_vars(body)),
            },
            ClauseKind::Or { .. } => out.extend(or_vars(c)),
        }
    }
    out
}

/// The join variables of an `or`/`or-join`, which it binds for the enclosing body.
pub(crate) fn or_vars(c: &Clause) -> Vec<Symbol> {
    match &c.kind {
        ClauseKind::Or { join: Some(j), .. } => j.vars.clone(),
        ClauseKind::Or {
            join: None,
            branches,
        } => branches
            .first()
            .map(|b| all_vars(b).into_iter().collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The join variables of a `not`/`not-join`.
pub(crate) fn not_vars(join: &Option<Vec<Symbol>>, body: &[Clause]) -> Vec<Symbol> {
    match join {
        Some(vs) => vs.clone(),
        None => all_vars(body).into_iter().collect(),
    }
}

/// Variables a ready clause binds for the rest of the body.
pub(crate) fn binds(c: &Clause) -> Vars {
    let mut out = Vars::new();
    match &c.kind {
        ClauseKind::Pattern(ts) => term_vars(ts, &mut out),
        ClauseKind::Call { args, .. } => term_vars(args, &mut out),
        ClauseKind::Bind { out: b, .. } => out.extend(b.vars().cloned()),
        ClauseKind::Or { .. } => out.extend(or_vars(c)),
        ClauseKind::Pred { .. } | ClauseKind::Not { .. } => {}
    }
    out
}

fn unbound(c: &Clause, var: &Symbol, place: &str) -> Error {
    Error::new(
        ErrorKind::Unbound {
            var: var.to_string(),
            place: place.to_owned(),
        },
        Some(&c.origin),
    )
}

/// `Ok` when the clause can run with `bound` bound, else the error to report if it never can.
pub(crate) fn ready(c: &Clause, bound: &Vars) -> Result<(), Error> {
    let need = |args: &[Term], place: &str| {
        for t in args {
            if let Term::Var(v) = t
                && !bound.contains(v)
            {
                return Err(unbound(c, v, place));
            }
        }
        Ok(())
    };
    match &c.kind {
        ClauseKind::Pattern(_) | ClauseKind::Call { .. } => Ok(()),
        ClauseKind::Pred { args, .. } => need(args, "predicate"),
        ClauseKind::Bind { args, .. } => need(args, "function call"),
        ClauseKind::Not { join, body } => {
            let vars = not_vars(join, body);
            for v in &vars {
                if !bound.contains(v) {
                    let kind = match join {
                        None => ErrorKind::UnsafeNegation { var: v.to_string() },
                        Some(_) => ErrorKind::Unbound {
                            var: v.to_string(),
                            place: "not-join (its join variables must be bound outside)".to_owned(),
                        },
                    };
                    return Err(Error::new(kind, Some(&c.origin)));
                }
            }
            check_body(body, vars.into_iter().collect()).map(|_| ())
        }
        ClauseKind::Or { join, branches } => {
            let vars = or_vars(c);
            if let Some(j) = join {
                for v in &j.required {
                    if !bound.contains(v) {
                        return Err(unbound(c, v, "or-join (required variable)"));
                    }
                }
            }
            let start: Vars = vars
                .iter()
                .filter(|v| bound.contains(*v))
                .cloned()
                .collect();
            for branch in branches {
                let end = check_body(branch, start.clone())?;
                if let Some(v) = vars.iter().find(|v| !end.contains(*v)) {
                    let origin = branch.first().map(|b| &b.origin);
                    return Err(Error::new(
                        ErrorKind::Unbound {
                            var: v.to_string(),
                            place: "or branch (every branch must bind the or's variables)"
                                .to_owned(),
                        },
                        origin.or(Some(&c.origin)),
                    ));
                }
            }
            Ok(())
        }
    }
}

/// Runs the clauses in some ready order from `bound`; returns the variables bound at the end, or
/// the error of the first clause that can never run.
pub(crate) fn check_body(body: &[Clause], mut bound: Vars) -> Result<Vars, Error> {
    let mut left: Vec<&Clause> = body.iter().collect();
    while !left.is_empty() {
        let Some(i) = left.iter().position(|c| ready(c, &bound).is_ok()) else {
            return Err(ready(left[0], &bound)
                .err()
                .unwrap_or_else(|| unbound(left[0], &Symbol::new("?"), "clause")));
        };
        bound.extend(binds(left.remove(i)));
    }
    Ok(bound)
}

/// Shape rules that `check_body` cannot see: plain `or` branches must agree on variables.
fn check_or_shapes(body: &[Clause]) -> Result<(), Error> {
    for c in body {
        match &c.kind {
            ClauseKind::Or { join, branches } => {
                if join.is_none() {
                    let first = branches.first().map(|b| all_vars(b)).unwrap_or_default();
                    if branches.iter().any(|b| all_vars(b) != first) {
                        return Err(Error::new(
                            ErrorKind::Syntax(
                                "all branches of `or` must use the same variables (use or-join to \
                                 name the shared ones)"
                                    .to_owned(),
                            ),
                            Some(&c.origin),
                        ));
                    }
                }
                for b in branches {
                    check_or_shapes(b)?;
                }
            }
            ClauseKind::Not { body, .. } => check_or_shapes(body)?,
            _ => {}
        }
    }
    Ok(())
}

pub(crate) fn check_query(q: &Query) -> Result<(), Error> {
    let origin = Some(&q.origin);
    check_or_shapes(&q.body)?;
    let mut seen_db = false;
    let mut seen_rules = false;
    let mut input_vars = Vars::new();
    for spec in q.inputs.iter().flatten() {
        let dup = match spec {
            InputSpec::Db => std::mem::replace(&mut seen_db, true),
            InputSpec::Rules => std::mem::replace(&mut seen_rules, true),
            InputSpec::Bind(b) => {
                let mut dup = false;
                for v in b.vars() {
                    dup |= !input_vars.insert(v.clone());
                }
                dup
            }
        };
        if dup {
            return Err(Error::new(
                ErrorKind::Syntax("an input is named twice in :in".to_owned()),
                origin,
            ));
        }
    }
    let end = check_body(&q.body, input_vars)?;
    for v in q.find.iter().map(FindElem::var).chain(&q.with) {
        if !end.contains(v) {
            return Err(Error::new(
                ErrorKind::Unbound {
                    var: v.to_string(),
                    place: ":find/:with (no clause binds it)".to_owned(),
                },
                origin,
            ));
        }
    }
    Ok(())
}

pub(crate) fn check_rule(r: &Rule) -> Result<(), Error> {
    check_or_shapes(&r.body)?;
    let end = check_body(&r.body, Vars::new())?;
    for v in &r.head {
        if !end.contains(v) {
            return Err(Error::new(
                ErrorKind::Unbound {
                    var: v.to_string(),
                    place: format!("the head of rule {} (no body clause binds it)", r.name),
                },
                Some(&r.origin),
            ));
        }
    }
    Ok(())
}

pub(crate) fn check_rule_arities(rules: &Rules) -> Result<(), Error> {
    let mut arity: BTreeMap<&Symbol, usize> = BTreeMap::new();
    for r in &rules.rules {
        let n = *arity.entry(&r.name).or_insert(r.head.len());
        if n != r.head.len() {
            return Err(Error::new(
                ErrorKind::Arity {
                    name: r.name.to_string(),
                    expected: n.to_string(),
                    got: r.head.len(),
                },
                Some(&r.origin),
            ));
        }
    }
    Ok(())
}

/// Visits every rule call in a body with whether it sits under negation.
pub(crate) fn calls<'a>(body: &'a [Clause], negated: bool, f: &mut impl FnMut(&'a Clause, bool)) {
    for c in body {
        match &c.kind {
            ClauseKind::Call { .. } => f(c, negated),
            ClauseKind::Not { body, .. } => calls(body, true, f),
            ClauseKind::Or { branches, .. } => {
                for b in branches {
                    calls(b, negated, f);
                }
            }
            _ => {}
        }
    }
}

/// One stratum: rules evaluated together, recursive when they call each other.
pub(crate) struct Stratum<'r> {
    pub(crate) names: Vec<Symbol>,
    pub(crate) rules: Vec<&'r Rule>,
    pub(crate) recursive: bool,
}

/// Checks the calls of the query against the rule set and orders the rules it reaches into
/// strata, callees first.
pub(crate) fn strata<'r>(query: &Query, rules: &'r Rules) -> Result<Vec<Stratum<'r>>, Error> {
    let mut defs: BTreeMap<&Symbol, Vec<&'r Rule>> = BTreeMap::new();
    for r in &rules.rules {
        defs.entry(&r.name).or_default().push(r);
    }
    let check_call = |c: &Clause| -> Result<Symbol, Error> {
        let ClauseKind::Call { rule, args } = &c.kind else {
            return Err(Error::new(
                ErrorKind::Syntax("not a call".into()),
                Some(&c.origin),
            ));
        };
        let Some(ds) = defs.get(rule) else {
            return Err(Error::new(
                ErrorKind::UnknownRule(rule.to_string()),
                Some(&c.origin),
            ));
        };
        let n = ds.first().map_or(0, |d| d.head.len());
        if n != args.len() {
            return Err(Error::new(
                ErrorKind::Arity {
                    name: rule.to_string(),
                    expected: n.to_string(),
                    got: args.len(),
                },
                Some(&c.origin),
            ));
        }
        Ok(rule.clone())
    };
    // Edges of the reachable call graph: caller -> (callee, negated, clause).
    let mut edges: BTreeMap<Symbol, Vec<(Symbol, bool, &Clause)>> = BTreeMap::new();
    let mut todo: Vec<Symbol> = Vec::new();
    let mut failure = None;
    calls(&query.body, false, &mut |c, _| match check_call(c) {
        Ok(name) => todo.push(name),
        Err(e) => {
            failure.get_or_insert(e);
        }
    });
    while let Some(name) = todo.pop() {
        if edges.contains_key(&name) {
            continue;
        }
        let mut out = Vec::new();
        for r in defs.get(&name).into_iter().flatten() {
            calls(&r.body, false, &mut |c, neg| match check_call(c) {
                Ok(callee) => {
                    todo.push(callee.clone());
                    out.push((callee, neg, c));
                }
                Err(e) => {
                    failure.get_or_insert(e);
                }
            });
        }
        edges.insert(name, out);
    }
    if let Some(e) = failure {
        return Err(e);
    }
    // Reachability by search from each node: rule sets are small, clarity wins over Tarjan.
    let reach: BTreeMap<&Symbol, BTreeSet<&Symbol>> = edges
        .keys()
        .map(|n| {
            let mut seen = BTreeSet::new();
            let mut stack: Vec<&Symbol> = vec![n];
            while let Some(x) = stack.pop() {
                for (y, _, _) in edges.get(x).into_iter().flatten() {
                    if seen.insert(y) {
                        stack.push(y);
                    }
                }
            }
            (n, seen)
        })
        .collect();
    let same_scc =
        |a: &Symbol, b: &Symbol| a == b || (reach[a].contains(b) && reach[b].contains(a));
    for (caller, out) in &edges {
        for (callee, neg, clause) in out {
            if *neg && reach[callee].contains(caller) {
                return Err(Error::new(
                    ErrorKind::Unstratifiable {
                        rule: caller.to_string(),
                    },
                    Some(&clause.origin),
                ));
            }
        }
    }
    let mut done: BTreeSet<&Symbol> = BTreeSet::new();
    let mut order = Vec::new();
    while done.len() < edges.len() {
        let before = done.len();
        for n in edges.keys() {
            if done.contains(n) {
                continue;
            }
            let scc: Vec<&Symbol> = edges.keys().filter(|m| same_scc(n, m)).collect();
            let deps_done = scc.iter().all(|m| {
                reach[*m]
                    .iter()
                    .all(|d| done.contains(d) || scc.contains(d))
            });
            if deps_done {
                let recursive = reach[n].contains(n);
                done.extend(scc.iter().copied());
                order.push(Stratum {
                    names: scc.iter().map(|s| (*s).clone()).collect(),
                    rules: scc
                        .iter()
                        .flat_map(|s| defs.get(*s).into_iter().flatten().copied())
                        .collect(),
                    recursive,
                });
            }
        }
        if done.len() == before {
            break;
        }
    }
    Ok(order)
}

/// The variables of a binding form in position order (`None` for `_`).
pub(crate) fn binding_vars(b: &Binding) -> Vec<Option<Symbol>> {
    match b {
        Binding::Scalar(v) | Binding::Coll(v) => vec![v.clone()],
        Binding::Tuple(vs) | Binding::Rel(vs) => vs.clone(),
    }
}
