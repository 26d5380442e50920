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
//! so they always sit above every stratum and add no edges. Finding the components is linear
//! (Tarjan's algorithm, iterative) and runs under the query's budget.

use std::collections::{BTreeMap, BTreeSet};

use edn::Symbol;

use crate::error::{Error, ErrorKind};
use crate::eval::Ctx;
use crate::graph::strongly_connected;
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
    nested_calls(body, negated, 0, &mut |c, negated, _| f(c, negated));
}

/// One stratum: rules evaluated together, recursive when they call each other.
pub(crate) struct Stratum<'r> {
    pub(crate) names: Vec<Symbol>,
    pub(crate) rules: Vec<&'r Rule>,
    pub(crate) recursive: bool,
}

/// How deep non-recursive rules may call each other, `not`/`or` nesting included: such a call
/// is evaluated where it is made, on the Rust stack, so its depth is bounded like the reader's.
/// Real rule sets stay below ten.
pub const MAX_CALL_DEPTH: usize = 64;

/// Visits every rule call in a body with whether it sits under negation and how many `not`/`or`
/// it sits in (the evaluator recurses once for each).
fn nested_calls<'a>(
    body: &'a [Clause],
    negated: bool,
    depth: usize,
    f: &mut impl FnMut(&'a Clause, bool, usize),
) {
    for c in body {
        match &c.kind {
            ClauseKind::Call { .. } => f(c, negated, depth),
            ClauseKind::Not { body, .. } => nested_calls(body, true, depth + 1, f),
            ClauseKind::Or { branches, .. } => {
                for b in branches {
                    nested_calls(b, negated, depth + 1, f);
                }
            }
            _ => {}
        }
    }
}

/// How many `not`/`or` the deepest clause of a body sits in.
fn nesting(body: &[Clause]) -> usize {
    body.iter()
        .map(|c| match &c.kind {
            ClauseKind::Not { body, .. } => 1 + nesting(body),
            ClauseKind::Or { branches, .. } => {
                1 + branches.iter().map(|b| nesting(b)).max().unwrap_or(0)
            }
            _ => 0,
        })
        .max()
        .unwrap_or(0)
}

/// One edge of the call graph: the callee's node, whether the call is negated, how deep in
/// `not`/`or` it sits, and the call clause.
struct Edge<'r> {
    to: usize,
    negated: bool,
    nesting: usize,
    clause: &'r Clause,
}

/// Checks the calls of the query against the rule set and orders the rules it reaches into
/// strata, callees first.
///
/// Linear in the rules and calls reached: the strongly connected components come from an
/// iterative Tarjan search (no recursion on the number of rules), which emits each component
/// after every component it calls. Planning counts one tuple per rule and call against the
/// budget and reads the clock as it goes, so a rule set too large to plan stops like a runaway
/// rule.
pub(crate) fn strata<'r>(
    ctx: &mut Ctx<'_>,
    query: &Query,
    rules: &'r Rules,
) -> Result<Vec<Stratum<'r>>, Error> {
    let origin = &query.origin;
    let mut defs: BTreeMap<&Symbol, Vec<&'r Rule>> = BTreeMap::new();
    for r in &rules.rules {
        ctx.tick(origin)?;
        defs.entry(&r.name).or_default().push(r);
    }
    let check_call = |c: &Clause| -> Result<&'r Symbol, Error> {
        let ClauseKind::Call { rule, args } = &c.kind else {
            return Err(Error::new(
                ErrorKind::Syntax("not a call".into()),
                Some(&c.origin),
            ));
        };
        let Some((name, ds)) = defs.get_key_value(rule) else {
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
        Ok(*name)
    };
    // The reachable call graph, nodes numbered in the order they are found.
    let mut ids: BTreeMap<&'r Symbol, usize> = BTreeMap::new();
    let mut names: Vec<&'r Symbol> = Vec::new();
    let mut edges: Vec<Vec<Edge<'r>>> = Vec::new();
    // The deepest `not`/`or` nesting among each node's bodies.
    let mut nests: Vec<usize> = Vec::new();
    let mut roots: Vec<(usize, usize)> = Vec::new();
    let mut failure = None;
    let mut node = |name: &'r Symbol, names: &mut Vec<&'r Symbol>| -> usize {
        *ids.entry(name).or_insert_with(|| {
            names.push(name);
            names.len() - 1
        })
    };
    nested_calls(
        &query.body,
        false,
        0,
        &mut |c, _, nesting| match check_call(c) {
            Ok(name) => roots.push((node(name, &mut names), nesting)),
            Err(e) => {
                failure.get_or_insert(e);
            }
        },
    );
    let mut next = 0;
    while next < names.len() {
        ctx.charge_planned(1, origin)?;
        let mut out = Vec::new();
        let name = names[next];
        let mut nest = 0;
        for r in defs.get(name).into_iter().flatten() {
            nest = nest.max(nesting(&r.body));
            nested_calls(
                &r.body,
                false,
                0,
                &mut |c, negated, nesting| match check_call(c) {
                    Ok(callee) => out.push(Edge {
                        to: node(callee, &mut names),
                        negated,
                        nesting,
                        clause: c,
                    }),
                    Err(e) => {
                        failure.get_or_insert(e);
                    }
                },
            );
        }
        ctx.charge_planned(out.len(), origin)?;
        edges.push(out);
        nests.push(nest);
        next += 1;
    }
    if let Some(e) = failure {
        return Err(e);
    }
    let successors: Vec<Vec<usize>> = edges
        .iter()
        .map(|out| out.iter().map(|e| e.to).collect())
        .collect();
    let components = strongly_connected(&successors, || ctx.tick(origin))?;
    let mut component = vec![0; names.len()];
    for (k, members) in components.iter().enumerate() {
        for &m in members {
            component[m] = k;
        }
    }
    // A negative call inside a component; callers in name order, so the error is stable.
    let mut by_name: Vec<usize> = (0..names.len()).collect();
    by_name.sort_by_key(|&n| names[n]);
    for &caller in &by_name {
        for e in &edges[caller] {
            if e.negated && component[e.to] == component[caller] {
                return Err(Error::new(
                    ErrorKind::Unstratifiable {
                        rule: names[caller].to_string(),
                    },
                    Some(&e.clause.origin),
                ));
            }
        }
    }
    // How deep evaluation recurses from a call of each component: a call into a recursive
    // component reads its finished relation, one into a non-recursive one evaluates its bodies
    // there. Components come callees first, so one pass in order sees every callee's depth.
    let mut recursive = vec![false; components.len()];
    let mut depth = vec![0usize; components.len()];
    for (k, members) in components.iter().enumerate() {
        recursive[k] = members.len() > 1 || edges[members[0]].iter().any(|e| e.to == members[0]);
        let mut own = 0;
        for &m in members {
            own = own.max(nests[m]);
            for e in &edges[m] {
                let callee = component[e.to];
                if callee != k && !recursive[callee] {
                    own = own.max(e.nesting + depth[callee]);
                }
            }
        }
        depth[k] = if recursive[k] { own } else { own + 1 };
    }
    // From the query's calls (its own nesting is the parser's to bound), and from each component (a recursive one is evaluated from the
    // top, its bodies' calls recursing from there).
    let starts = roots
        .iter()
        .map(|&(root, nesting)| (root, nesting + depth[component[root]]))
        .chain(components.iter().zip(&depth).map(|(m, &d)| (m[0], d)));
    for (at, total) in starts {
        if total > MAX_CALL_DEPTH {
            return Err(Error::new(
                ErrorKind::TooDeep {
                    rule: names[at].to_string(),
                    depth: total,
                    max: MAX_CALL_DEPTH,
                },
                Some(origin),
            ));
        }
    }
    Ok(components
        .into_iter()
        .zip(recursive)
        .map(|(mut members, recursive)| {
            members.sort_by_key(|&m| names[m]);
            Stratum {
                names: members.iter().map(|&m| names[m].clone()).collect(),
                rules: members
                    .iter()
                    .flat_map(|&m| defs.get(names[m]).into_iter().flatten().copied())
                    .collect(),
                recursive,
            }
        })
        .collect())
}

/// The variables of a binding form in position order (`None` for `_`).
pub(crate) fn binding_vars(b: &Binding) -> Vec<Option<Symbol>> {
    match b {
        Binding::Scalar(v) | Binding::Coll(v) => vec![v.clone()],
        Binding::Tuple(vs) | Binding::Rel(vs) => vs.clone(),
    }
}
