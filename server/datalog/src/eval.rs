//! Evaluation on datafrog: bodies as sequences of joins over tables of interned rows, rules as
//! semi-naive fixpoints over datafrog `Variable`s.
//!
//! A body runs left to right over a *table*: a datafrog `Relation` of rows (one `u32` id per bound
//! variable, in `cols` order), starting from the seed (the unit row, or the `:in` bindings). Each
//! step takes the cheapest ready clause (see [`estimate`]) and turns the table into a new one.
//! Every step is written, here and in `join`, as the Datalog rule it implements, over these
//! relations:
//!
//! - `rows(c..)`: the current table; `out(c.., n..)`: the next one, with new columns `n..`;
//! - `datom(e, a, v)`: the store, read through the per-attribute indexes `aev`/`ave`;
//! - `r(x..)`: the relation of rule `r` (the full one, or its delta in a semi-naive variant).
//!
//! Recursive rules are evaluated bottom-up, stratum by stratum. A non-recursive rule is evaluated
//! where it is called: with some arguments bound, for those bindings alone (its bodies run from
//! the caller's distinct bound values, as an `or` would), so a helper such as "the name of ?b
//! does not start with `_`" costs in the number of candidates, not of the database; with none
//! bound, for the whole database once per query (memoised). In a recursive stratum each rule is run
//! once per occurrence of a same-stratum call in its body, with that occurrence reading the
//! previous round's new tuples (`Variable::recent`) and the others the full relation; datafrog's
//! `Variable` removes tuples already known, and the loop ends when a round adds none.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use datafrog::{Iteration, Relation, Variable};
use edn::{Symbol, Value};
use smallvec::SmallVec;

use crate::budget::{Allowance, Limit, value_bytes};
use crate::db::{Db, Id};
use crate::error::{Error, ErrorKind, Origin};
use crate::function::{self, Aggregate};
use crate::join::{Slot, bind_values, join_pattern, join_relation, slots};
use crate::plan::{self, Stratum, Vars};
use crate::query::{Binding, Clause, ClauseKind, FindElem, InputSpec, Query, Rule, Rules, Term};
use crate::{Inputs, QueryResult};

/// One row of a table: the ids of the bound variables, in column order.
pub(crate) type Row = SmallVec<[Id; 4]>;

/// A table: a set of rows over named columns.
pub(crate) struct Table<'a> {
    pub(crate) cols: Vec<Symbol>,
    pub(crate) rows: Rows<'a>,
}

/// A table's rows: computed by a step, or a rule's relation used as it stands (no copy).
pub(crate) enum Rows<'a> {
    Owned(Relation<Row>),
    Borrowed(&'a Relation<Row>),
    Shared(Rc<Relation<Row>>),
}

impl std::ops::Deref for Rows<'_> {
    type Target = Relation<Row>;

    fn deref(&self) -> &Relation<Row> {
        match self {
            Rows::Owned(r) => r,
            Rows::Borrowed(r) => r,
            Rows::Shared(r) => r,
        }
    }
}

impl From<Relation<Row>> for Rows<'_> {
    fn from(r: Relation<Row>) -> Self {
        Rows::Owned(r)
    }
}

impl Rows<'_> {
    fn into_owned(self) -> Relation<Row> {
        match self {
            Rows::Owned(r) => r,
            Rows::Borrowed(r) => r.clone(),
            Rows::Shared(r) => Rc::unwrap_or_clone(r),
        }
    }
}

impl<'a> Table<'a> {
    fn unit() -> Table<'a> {
        Table {
            cols: Vec::new(),
            rows: Relation::from_vec(vec![Row::new()]).into(),
        }
    }

    pub(crate) fn col(&self, v: &Symbol) -> Option<usize> {
        self.cols.iter().position(|c| c == v)
    }

    fn bound(&self) -> Vars {
        self.cols.iter().cloned().collect()
    }

    /// `out(vs..) :- rows(c..)`, keeping only `vs` (all bound).
    fn project(&self, vs: &[Symbol]) -> Relation<Row> {
        let idx: Vec<usize> = vs.iter().filter_map(|v| self.col(v)).collect();
        Relation::from_iter(
            self.rows
                .iter()
                .map(|r| idx.iter().map(|&i| r[i]).collect::<Row>()),
        )
    }
}

/// Query-local state: ids for values the store does not hold (results of function calls,
/// inputs), and what is left of the budget.
pub(crate) struct Ctx<'db> {
    pub(crate) db: &'db Db,
    extra: Vec<Value>,
    extra_ids: HashMap<Value, Id>,
    pub(crate) allowance: Allowance,
}

impl<'db> Ctx<'db> {
    fn new(db: &'db Db, allowance: Allowance) -> Ctx<'db> {
        Ctx {
            db,
            extra: Vec::new(),
            extra_ids: HashMap::new(),
            allowance,
        }
    }

    pub(crate) fn value(&self, id: Id) -> &Value {
        let base = self.db.value_count();
        if (id as usize) < base {
            self.db.value(id)
        } else {
            &self.extra[id as usize - base]
        }
    }

    pub(crate) fn lookup(&self, v: &Value) -> Option<Id> {
        self.db.id(v).or_else(|| self.extra_ids.get(v).copied())
    }

    /// The id of `v`, made if new; a new value's bytes count against the budget.
    pub(crate) fn intern(&mut self, v: Value, origin: &Origin) -> Result<Id, Error> {
        if let Some(id) = self.lookup(&v) {
            return Ok(id);
        }
        self.allowance
            .charge_bytes(value_bytes(&v))
            .map_err(|l| budget_error(l, origin))?;
        let id = (self.db.value_count() + self.extra.len()) as Id;
        self.extra.push(v.clone());
        self.extra_ids.insert(v, id);
        Ok(id)
    }

    /// How many more tuples the budget allows.
    pub(crate) fn remaining(&self) -> u64 {
        self.allowance.tuples_left()
    }

    /// Fails before a step that would produce `n` tuples past the budget.
    pub(crate) fn reserve(&mut self, n: u64, origin: &Origin) -> Result<(), Error> {
        if n > self.remaining() {
            return Err(self.exceeded(origin));
        }
        Ok(())
    }

    pub(crate) fn exceeded(&mut self, origin: &Origin) -> Error {
        budget_error(self.allowance.tuple_limit(), origin)
    }

    /// Counts a step's output against the budget and checks the deadline.
    fn charge(&mut self, n: usize, origin: &Origin) -> Result<(), Error> {
        self.allowance
            .charge_tuples(n as u64)
            .and_then(|()| self.allowance.check_time())
            .map_err(|l| budget_error(l, origin))
    }

    /// Counts rules and calls the planner looked at as tuples, and reads the clock.
    pub(crate) fn charge_planned(&mut self, n: usize, origin: &Origin) -> Result<(), Error> {
        self.charge(n, origin)
    }

    /// Reads the clock now and then: call once per row of a long step.
    pub(crate) fn tick(&mut self, origin: &Origin) -> Result<(), Error> {
        self.allowance.tick().map_err(|l| budget_error(l, origin))
    }
}

fn budget_error(limit: Limit, origin: &Origin) -> Error {
    Error::new(ErrorKind::Budget(limit), Some(origin))
}

/// Relations of the recursive rules evaluated so far, the non-recursive rules, and the delta of
/// the current semi-naive variant: the call clause (by address, stable while rules are borrowed)
/// that reads the delta.
struct Rels<'a> {
    full: &'a HashMap<Symbol, Relation<Row>>,
    delta: Option<(*const Clause, &'a Relation<Row>)>,
    called: &'a Called<'a>,
}

/// The non-recursive rules: evaluated where they are called (see the module doc).
#[derive(Default)]
struct Called<'r> {
    defs: HashMap<Symbol, Vec<&'r Rule>>,
    /// Whole relations computed for a call with no argument bound.
    memo: RefCell<HashMap<Symbol, Rc<Relation<Row>>>>,
}

impl Called<'_> {
    fn memoised(&self, rule: &Symbol) -> Option<Rc<Relation<Row>>> {
        self.memo.borrow().get(rule).cloned()
    }
}

impl<'a> Rels<'a> {
    fn of(&self, c: &Clause, rule: &Symbol) -> &'a Relation<Row> {
        match self.delta {
            Some((at, rel)) if std::ptr::eq(at, c) => rel,
            _ => self.full.get(rule).unwrap_or(&EMPTY),
        }
    }
}

static EMPTY: Relation<Row> = Relation {
    elements: Vec::new(),
};

pub(crate) fn empty<T: Ord>() -> Relation<T> {
    Relation {
        elements: Vec::new(),
    }
}

/// Evaluates a query against a database.
pub(crate) fn run(
    db: &Db,
    q: &Query,
    inputs: &Inputs,
    allowance: &mut Allowance,
) -> Result<QueryResult, Error> {
    if let Some(limit) = allowance.used_up() {
        return Err(Error::new(ErrorKind::NotRun(limit), Some(&q.origin)));
    }
    // The allowance is a few counters: the query spends a copy and hands it back, spent.
    let mut ctx = Ctx::new(db, allowance.clone());
    let result = run_in(&mut ctx, q, inputs);
    *allowance = ctx.allowance;
    result
}

fn run_in(ctx: &mut Ctx<'_>, q: &Query, inputs: &Inputs) -> Result<QueryResult, Error> {
    let empty_rules = Rules::default();
    let takes_rules = match &q.inputs {
        None => true,
        Some(specs) => specs.contains(&InputSpec::Rules),
    };
    let rules = match (&inputs.rules, takes_rules) {
        (Some(r), true) => r,
        (Some(_), false) => {
            return Err(Error::new(
                ErrorKind::Input("rules were given but :in has no %".to_owned()),
                Some(&q.origin),
            ));
        }
        (None, true) if q.inputs.is_some() => {
            return Err(Error::new(
                ErrorKind::Input(":in names % but no rules were given".to_owned()),
                Some(&q.origin),
            ));
        }
        (None, _) => &empty_rules,
    };
    let strata = plan::strata(ctx, q, rules)?;
    let seed = input_table(ctx, q, &inputs.args)?;
    let mut called = Called::default();
    for stratum in strata.iter().filter(|s| !s.recursive) {
        for name in &stratum.names {
            called.defs.insert(name.clone(), stratum.rules.clone());
        }
    }
    let mut full: HashMap<Symbol, Relation<Row>> = HashMap::new();
    for stratum in strata.iter().filter(|s| s.recursive) {
        eval_stratum(ctx, &mut full, &called, stratum)?;
    }
    let rels = Rels {
        full: &full,
        delta: None,
        called: &called,
    };
    let table = eval_body(ctx, &rels, &q.body, seed)?;
    finish(ctx, q, &table)
}

/// The seed table: one column per `:in` variable, one row per combination of input values.
fn input_table<'a>(ctx: &mut Ctx<'_>, q: &Query, args: &[Value]) -> Result<Table<'a>, Error> {
    let specs: Vec<&Binding> = q
        .inputs
        .iter()
        .flatten()
        .filter_map(|s| match s {
            InputSpec::Bind(b) => Some(b),
            _ => None,
        })
        .collect();
    if specs.len() != args.len() {
        return Err(Error::new(
            ErrorKind::Input(format!(
                "the query takes {} input(s), {} given",
                specs.len(),
                args.len()
            )),
            Some(&q.origin),
        ));
    }
    let mut table = Table::unit();
    for (b, v) in specs.into_iter().zip(args) {
        table = bind_values(ctx, table, b, |_, _| Ok(Some(v.clone())), &q.origin)?;
        if table.rows.is_empty() && !matches!(b, Binding::Coll(_) | Binding::Rel(_)) {
            return Err(Error::new(
                ErrorKind::Input(format!(
                    "input {v} does not fit the binding {}",
                    binding_text(b)
                )),
                Some(&q.origin),
            ));
        }
    }
    Ok(table)
}

fn binding_text(b: &Binding) -> String {
    let name = |v: &Option<Symbol>| v.as_ref().map_or("_".to_owned(), Symbol::to_string);
    let names = |vs: &[Option<Symbol>]| vs.iter().map(name).collect::<Vec<_>>().join(" ");
    match b {
        Binding::Scalar(v) => name(v),
        Binding::Coll(v) => format!("[{} ...]", name(v)),
        Binding::Tuple(vs) => format!("[{}]", names(vs)),
        Binding::Rel(vs) => format!("[[{}]]", names(vs)),
    }
}

/// Same-stratum calls of a rule body, the occurrences that get a delta variant each.
fn occurrences<'r>(body: &'r [Clause], names: &[Symbol]) -> Vec<(&'r Clause, &'r Symbol)> {
    let mut out = Vec::new();
    plan::calls(body, false, &mut |c, _| {
        if let ClauseKind::Call { rule, .. } = &c.kind
            && names.contains(rule)
        {
            out.push((c, rule));
        }
    });
    out
}

/// `head(x..) :- body` for every rule of a recursive stratum, to fixpoint.
fn eval_stratum(
    ctx: &mut Ctx<'_>,
    full: &mut HashMap<Symbol, Relation<Row>>,
    called: &Called<'_>,
    stratum: &Stratum<'_>,
) -> Result<(), Error> {
    let mut iteration = Iteration::new();
    let vars: BTreeMap<&Symbol, Variable<Row>> = stratum
        .names
        .iter()
        .map(|n| (n, iteration.variable::<Row>(n.as_str())))
        .collect();
    for n in &stratum.names {
        full.insert(n.clone(), empty());
    }
    let variants: Vec<_> = stratum
        .rules
        .iter()
        .map(|r| (*r, occurrences(&r.body, &stratum.names)))
        .collect();
    // Rules without a same-stratum call are the base case: they run once.
    for (rule, occs) in &variants {
        if occs.is_empty() {
            let rels = Rels {
                full,
                delta: None,
                called,
            };
            let table = eval_body(ctx, &rels, &rule.body, Table::unit())?;
            if let Some(var) = vars.get(&rule.name) {
                var.insert(table.project(&rule.head));
            }
        }
    }
    // Only a rule calling the stratum twice reads a full same-stratum relation during the
    // loop (its other occurrence); linear rules read deltas alone, so they skip the upkeep.
    let needs_full = variants.iter().any(|(_, occs)| occs.len() > 1);
    while iteration.changed() {
        if let Some(first) = stratum.rules.first() {
            ctx.charge(0, &first.origin)?;
        }
        if needs_full {
            for (name, var) in &vars {
                let recent = var.recent.borrow().elements.clone();
                let old = full.remove(*name).unwrap_or_else(empty);
                full.insert((*name).clone(), old.merge(Relation { elements: recent }));
            }
        }
        for (rule, occs) in &variants {
            for (clause, callee) in occs {
                let Some(delta_var) = vars.get(callee) else {
                    continue;
                };
                let delta = delta_var.recent.borrow();
                if delta.is_empty() {
                    continue;
                }
                let rels = Rels {
                    full,
                    delta: Some((*clause as *const Clause, &*delta)),
                    called,
                };
                let table = eval_body(ctx, &rels, &rule.body, Table::unit())?;
                if let Some(var) = vars.get(&rule.name) {
                    var.insert(table.project(&rule.head));
                }
            }
        }
    }
    for (name, var) in vars {
        full.insert(name.clone(), var.complete());
    }
    Ok(())
}

/// Runs the clauses of a body from `table`, cheapest ready clause first.
fn eval_body<'a>(
    ctx: &mut Ctx<'_>,
    rels: &Rels<'a>,
    body: &[Clause],
    mut table: Table<'a>,
) -> Result<Table<'a>, Error> {
    let mut left: Vec<&Clause> = body.iter().collect();
    while !left.is_empty() {
        if table.rows.is_empty() {
            let mut cols = table.cols.clone();
            for c in &left {
                for v in plan::binds(c) {
                    if !cols.contains(&v) {
                        cols.push(v);
                    }
                }
            }
            return Ok(Table {
                cols,
                rows: empty().into(),
            });
        }
        let bound = table.bound();
        let mut best: Option<(usize, f64)> = None;
        for (i, c) in left.iter().enumerate() {
            if plan::ready(c, &bound).is_err() {
                continue;
            }
            let cost = estimate(ctx, rels, c, table.rows.len() as f64, &bound, 0);
            if best.is_none_or(|(_, b)| cost < b) {
                best = Some((i, cost));
            }
        }
        let Some((i, _)) = best else {
            // Unreachable for checked bodies: report it as the checker would.
            let first = left[0];
            return Err(plan::ready(first, &bound).err().unwrap_or_else(|| {
                Error::new(
                    ErrorKind::Syntax("clause cannot run".to_owned()),
                    Some(&first.origin),
                )
            }));
        };
        let clause = left.remove(i);
        table = step(ctx, rels, clause, table)?;
        ctx.charge(table.rows.len(), &clause.origin)?;
    }
    Ok(table)
}

/// The planner's cost model: the estimated number of rows after running `c` on `table`.
/// Filters (predicates, negation) never grow the table, so they cost less than the table itself
/// and run as soon as they are ready; patterns cost the table size times their fan-out from the
/// attribute's statistics; rule calls use the called relation's actual size.
///
/// `rows` and `bound` describe the table: its size and its columns. `depth` counts the rule
/// bodies being looked into (see [`demand_fanout`]).
fn estimate(
    ctx: &Ctx<'_>,
    rels: &Rels<'_>,
    c: &Clause,
    rows: f64,
    bound: &Vars,
    depth: usize,
) -> f64 {
    let is_bound = |t: &Term| match t {
        Term::Var(v) => bound.contains(v),
        Term::Const(_) => true,
        Term::Blank => false,
    };
    match &c.kind {
        ClauseKind::Pred { .. } => rows * 0.25,
        ClauseKind::Not { .. } => rows * 0.5,
        ClauseKind::Bind { out, .. } => match out {
            Binding::Scalar(_) | Binding::Tuple(_) => rows,
            Binding::Coll(_) | Binding::Rel(_) => rows * 8.0,
        },
        ClauseKind::Pattern([e, a, v]) => {
            let (e, v) = (is_bound(e), is_bound(v));
            let stats = match a {
                Term::Const(k) => match ctx.lookup(k).and_then(|id| ctx.db.attr(id)) {
                    Some(index) => index.stats,
                    None => return 0.0,
                },
                _ => {
                    let total = ctx.db.len() as f64;
                    let per = if e || v { total.sqrt() } else { total };
                    return rows * per.max(1.0);
                }
            };
            let count = stats.count as f64;
            let fanout = match (e, v) {
                (true, true) => 0.9,
                (true, false) => count / stats.distinct_e.max(1) as f64,
                (false, true) => count / stats.distinct_v.max(1) as f64,
                (false, false) => count,
            };
            rows * fanout
        }
        ClauseKind::Call { rule, args } => {
            // Starting from the delta keeps a semi-naive variant proportional to the new facts.
            let delta_bonus = match rels.delta {
                Some((at, _)) if std::ptr::eq(at, c) => 0.5,
                _ => 1.0,
            };
            let memoised = rels.called.memoised(rule);
            let n = match (&memoised, rels.called.defs.get(rule)) {
                (Some(rel), _) => rel.len() as f64,
                // Not evaluated yet: with a bound argument it runs for the table's bindings
                // alone, each giving what its bodies are estimated to give; without, a guess
                // well below a full scan, so that it runs before the clauses it could bind,
                // once and for all.
                (None, Some(defs)) if args.iter().any(is_bound) => {
                    return rows * demand_fanout(ctx, rels, defs, args, bound, depth);
                }
                (None, Some(_)) => return rows * (ctx.db.len() as f64).sqrt().max(1.0),
                (None, None) => rels.of(c, rule).len() as f64,
            } * delta_bonus;
            let m = args.iter().filter(|t| !matches!(t, Term::Blank)).count();
            let k = args.iter().filter(|t| is_bound(t)).count();
            if m == 0 {
                return rows * n.min(1.0);
            }
            rows * n.powf((m - k) as f64 / m as f64)
        }
        ClauseKind::Or { branches, .. } => {
            let vars = plan::or_vars(c);
            if vars.iter().all(|v| bound.contains(v)) {
                rows * 0.75
            } else {
                rows * 10.0 * branches.len() as f64
            }
        }
    }
}

/// How many rows a call of a not yet evaluated rule gives per row of the table: for each
/// definition, its body planned greedily as `eval_body` would, from one row binding the head
/// parameters at the bound arguments, the estimates multiplied along; summed over definitions.
/// Bodies calling such rules are looked into two levels deep, then guessed.
fn demand_fanout(
    ctx: &Ctx<'_>,
    rels: &Rels<'_>,
    defs: &[&Rule],
    args: &[Term],
    bound: &Vars,
    depth: usize,
) -> f64 {
    if depth >= 2 {
        return 2.0;
    }
    let mut total = 0.0;
    for def in defs {
        let mut vars: Vars = args
            .iter()
            .zip(&def.head)
            .filter(|(t, _)| match t {
                Term::Var(v) => bound.contains(v),
                Term::Const(_) => true,
                Term::Blank => false,
            })
            .map(|(_, h)| h.clone())
            .collect();
        let mut rows = 1.0;
        let mut left: Vec<&Clause> = def.body.iter().collect();
        while !left.is_empty() {
            let best = left
                .iter()
                .enumerate()
                .filter(|(_, c)| plan::ready(c, &vars).is_ok())
                .map(|(i, c)| (i, estimate(ctx, rels, c, rows, &vars, depth + 1)))
                .min_by(|a, b| a.1.total_cmp(&b.1));
            let Some((i, cost)) = best else { break };
            let clause = left.remove(i);
            rows = cost;
            vars.extend(plan::binds(clause));
        }
        total += rows;
    }
    total
}

fn step<'a>(
    ctx: &mut Ctx<'_>,
    rels: &Rels<'a>,
    c: &Clause,
    table: Table<'a>,
) -> Result<Table<'a>, Error> {
    match &c.kind {
        ClauseKind::Pattern(terms) => join_pattern(ctx, table, terms, &c.origin),
        ClauseKind::Call { rule, args } if rels.called.defs.contains_key(rule) => {
            call(ctx, rels, c, rule, args, table)
        }
        ClauseKind::Call { rule, args } => {
            let rel = rels.of(c, rule);
            // out(x..) :- r(x..): from the unit table with distinct new variables, the answer
            // is the relation as it stands, borrowed rather than copied.
            if table.cols.is_empty() && table.rows.len() == 1 {
                let (s, cols) = slots(ctx, &table, args);
                if s.iter().all(|x| *x == Slot::New) {
                    ctx.reserve(rel.len() as u64, &c.origin)?;
                    return Ok(Table {
                        cols,
                        rows: Rows::Borrowed(rel),
                    });
                }
            }
            join_relation(ctx, table, rel, args, &c.origin)
        }
        ClauseKind::Pred { func, args } => {
            // out(c..) :- rows(c..), f(args..) is truthy.
            let srcs = arg_sources(&table, args);
            // A filter keeps the rows sorted and distinct: no re-sort.
            let mut elements = Vec::new();
            for r in table.rows.iter() {
                ctx.tick(&c.origin)?;
                if call_on(ctx, func.as_str(), &srcs, r, &c.origin)?
                    .is_some_and(|v| function::truthy(&v))
                {
                    elements.push(r.clone());
                }
            }
            Ok(Table {
                cols: table.cols,
                rows: Relation { elements }.into(),
            })
        }
        ClauseKind::Bind { func, args, out } => {
            // out(c.., x..) :- rows(c..), x.. = f(args..).
            let srcs = arg_sources(&table, args);
            let name = func.as_str();
            bind_values(
                ctx,
                table,
                out,
                |ctx, r| call_on(ctx, name, &srcs, r, &c.origin),
                &c.origin,
            )
        }
        ClauseKind::Not { join, body } => {
            // out(c..) :- rows(c..), !matches(j..)   where matches(j..) :- rows(j..), body.
            let vars = plan::not_vars(join, body);
            let seed = Table {
                cols: vars.clone(),
                rows: table.project(&vars).into(),
            };
            let found = eval_body(ctx, rels, body, seed)?;
            let matches = found.project(&vars);
            let idx: Vec<usize> = vars.iter().filter_map(|v| table.col(v)).collect();
            // A filter by binary search rather than `Relation::from_antijoin`, which returns
            // nothing in datafrog 2.0.1 (rust-lang/datafrog#39, fixed after that release).
            let mut rows = table.rows.into_owned();
            let mut stopped = None;
            rows.elements.retain(|r| {
                if stopped.is_none() {
                    stopped = ctx.tick(&c.origin).err();
                }
                let key: Row = idx.iter().map(|&i| r[i]).collect();
                matches.binary_search(&key).is_err()
            });
            if let Some(e) = stopped {
                return Err(e);
            }
            Ok(Table {
                cols: table.cols,
                rows: rows.into(),
            })
        }
        ClauseKind::Or { branches, .. } => {
            // u(j..) :- rows(b..), branch_i.   for each branch (b.. = the bound join variables)
            // out(c.., n..) :- rows(c..), u(j..).
            let vars = plan::or_vars(c);
            let bound: Vec<Symbol> = vars
                .iter()
                .filter(|v| table.col(v).is_some())
                .cloned()
                .collect();
            let seed_rows = table.project(&bound);
            let mut union = empty();
            for branch in branches {
                let seed = Table {
                    cols: bound.clone(),
                    rows: seed_rows.clone().into(),
                };
                let found = eval_body(ctx, rels, branch, seed)?;
                union = union.merge(found.project(&vars));
            }
            let args: Vec<Term> = vars.into_iter().map(Term::Var).collect();
            join_relation(ctx, table, &union, &args, &c.origin)
        }
    }
}

/// A call of a non-recursive rule.
///
/// With some arguments bound (variables of the table), for those bindings alone:
/// ```text
/// seed(p..) :- rows(c..)                      p.. = the head parameters at the bound arguments
/// u(h..) :- seed(p..), body_i.                for each definition i (h.. = its head)
/// out(c.., n..) :- rows(c..), u(args..).
/// ```
/// Otherwise (or when an argument is a constant, or a head repeats a parameter) the rule's whole
/// relation, computed once per query.
fn call<'a>(
    ctx: &mut Ctx<'_>,
    rels: &Rels<'a>,
    c: &Clause,
    rule: &Symbol,
    args: &[Term],
    table: Table<'a>,
) -> Result<Table<'a>, Error> {
    let defs = rels.called.defs.get(rule).map_or(&[][..], Vec::as_slice);
    if let Some(rel) = rels.called.memoised(rule) {
        return join_memoised(ctx, table, rel, args, &c.origin);
    }
    let bound: Vec<(usize, usize)> = args
        .iter()
        .enumerate()
        .filter_map(|(i, t)| match t {
            Term::Var(v) => table.col(v).map(|col| (i, col)),
            _ => None,
        })
        .collect();
    let distinct = |head: &[Symbol]| head.iter().enumerate().all(|(i, h)| !head[..i].contains(h));
    let on_demand = !bound.is_empty()
        && !args.iter().any(|t| matches!(t, Term::Const(_)))
        && defs.iter().all(|d| distinct(&d.head));
    if on_demand {
        let seed_rows: Relation<Row> = Relation::from_iter(
            table
                .rows
                .iter()
                .map(|r| bound.iter().map(|&(_, col)| r[col]).collect::<Row>()),
        );
        let mut union = empty();
        for def in defs {
            let cols: Vec<Symbol> = bound
                .iter()
                .filter_map(|&(i, _)| def.head.get(i).cloned())
                .collect();
            let seed = Table {
                cols,
                rows: seed_rows.clone().into(),
            };
            let found = eval_body(ctx, rels, &def.body, seed)?;
            union = union.merge(found.project(&def.head));
        }
        return join_relation(ctx, table, &union, args, &c.origin);
    }
    let mut union = empty();
    for def in defs {
        let found = eval_body(ctx, rels, &def.body, Table::unit())?;
        union = union.merge(found.project(&def.head));
    }
    let rel = Rc::new(union);
    rels.called
        .memo
        .borrow_mut()
        .insert(rule.clone(), Rc::clone(&rel));
    join_memoised(ctx, table, rel, args, &c.origin)
}

/// `out(c.., n..) :- rows(c..), r(args..)` for a memoised relation, shared rather than copied
/// when the table is the unit row and every argument a new variable.
fn join_memoised<'a>(
    ctx: &mut Ctx<'_>,
    table: Table<'a>,
    rel: Rc<Relation<Row>>,
    args: &[Term],
    origin: &Origin,
) -> Result<Table<'a>, Error> {
    if table.cols.is_empty() && table.rows.len() == 1 {
        let (s, cols) = slots(ctx, &table, args);
        if s.iter().all(|x| *x == Slot::New) {
            ctx.reserve(rel.len() as u64, origin)?;
            return Ok(Table {
                cols,
                rows: Rows::Shared(rel),
            });
        }
    }
    join_relation(ctx, table, &rel, args, origin)
}

/// Where an argument of a function call comes from.
enum Arg {
    Const(Value),
    Col(usize),
}

fn arg_sources(table: &Table<'_>, args: &[Term]) -> Vec<Arg> {
    args.iter()
        .map(|t| match t {
            Term::Var(v) => table.col(v).map_or(Arg::Const(Value::Nil), Arg::Col),
            Term::Const(v) => Arg::Const(v.clone()),
            Term::Blank => Arg::Const(Value::Nil),
        })
        .collect()
}

/// `f(args..)` on one row, the result given the bytes left as its room.
fn call_on(
    ctx: &mut Ctx<'_>,
    name: &str,
    srcs: &[Arg],
    row: &Row,
    origin: &Origin,
) -> Result<Option<Value>, Error> {
    let room = ctx.allowance.bytes_left();
    let result = function::call(name, &arg_values(ctx, srcs, row), room);
    result.map_err(|function::Oversize| budget_error(ctx.allowance.byte_limit(), origin))
}

fn arg_values<'c>(ctx: &'c Ctx<'_>, srcs: &'c [Arg], row: &Row) -> Vec<&'c Value> {
    srcs.iter()
        .map(|s| match s {
            Arg::Const(v) => v,
            Arg::Col(c) => ctx.value(row[*c]),
        })
        .collect()
}

/// A value of the result. Strings, keywords and symbols share their text with the interned
/// value, but a collection is copied for each row it appears in: those copies count against the
/// byte budget, so one large vector in a million rows cannot multiply memory a millionfold.
fn decode(ctx: &mut Ctx<'_>, id: Id, origin: &Origin) -> Result<Value, Error> {
    let value = ctx.value(id);
    if matches!(
        value,
        Value::List(_) | Value::Vector(_) | Value::Map(_) | Value::Set(_) | Value::Tagged(..)
    ) {
        let bytes = value_bytes(value);
        ctx.allowance
            .charge_bytes(bytes)
            .map_err(|l| budget_error(l, origin))?;
    }
    Ok(ctx.value(id).clone())
}

/// Projects the body's table onto `:find`, aggregating where asked, and decodes values.
fn finish(ctx: &mut Ctx<'_>, q: &Query, table: &Table<'_>) -> Result<QueryResult, Error> {
    let columns: Vec<String> = q.find.iter().map(FindElem::column).collect();
    let has_agg = q.find.iter().any(|f| matches!(f, FindElem::Agg(..)));
    if !has_agg {
        let vars: Vec<Symbol> = q.find.iter().map(|f| f.var().clone()).collect();
        let idx: Vec<usize> = vars.iter().filter_map(|v| table.col(v)).collect();
        let projected = Relation::from_iter(
            table
                .rows
                .iter()
                .map(|r| idx.iter().map(|&i| r[i]).collect::<Row>()),
        );
        let mut rows: Vec<Vec<Value>> = Vec::with_capacity(projected.len());
        for row in projected.iter() {
            let decoded = row
                .iter()
                .map(|&id| decode(ctx, id, &q.origin))
                .collect::<Result<_, _>>()?;
            rows.push(decoded);
        }
        rows.sort();
        return Ok(QueryResult { columns, rows });
    }
    // The set of tuples over find and :with variables, then aggregated per group.
    let mut keep: Vec<Symbol> = Vec::new();
    for v in q.find.iter().map(FindElem::var).chain(&q.with) {
        if !keep.contains(v) {
            keep.push(v.clone());
        }
    }
    let idx: Vec<usize> = keep.iter().filter_map(|v| table.col(v)).collect();
    // The table is already a set; only a projection that drops or reorders columns needs
    // sorting and deduplicating again.
    let identity = idx.len() == table.cols.len() && idx.iter().enumerate().all(|(i, c)| i == *c);
    let projected;
    let tuples: &[Row] = if identity {
        &table.rows
    } else {
        projected = Relation::from_iter(
            table
                .rows
                .iter()
                .map(|r| idx.iter().map(|&i| r[i]).collect::<Row>()),
        );
        &projected
    };
    let pos = |v: &Symbol| keep.iter().position(|k| k == v).unwrap_or(0);
    let group_cols: Vec<usize> = q
        .find
        .iter()
        .filter_map(|f| match f {
            FindElem::Var(v) => Some(pos(v)),
            FindElem::Agg(..) => None,
        })
        .collect();
    let mut groups: BTreeMap<Row, Vec<&Row>> = BTreeMap::new();
    if group_cols.is_empty() {
        if !tuples.is_empty() {
            groups.insert(Row::new(), tuples.iter().collect());
        }
    } else {
        for t in tuples {
            groups
                .entry(group_cols.iter().map(|&c| t[c]).collect())
                .or_default()
                .push(t);
        }
    }
    let mut rows = Vec::with_capacity(groups.len());
    for members in groups.values() {
        let mut row = Vec::with_capacity(q.find.len());
        for f in &q.find {
            let c = pos(f.var());
            match f {
                FindElem::Var(_) => row.push(decode(ctx, members[0][c], &q.origin)?),
                FindElem::Agg(Aggregate::Count, _) => row.push(Value::Int(members.len() as i64)),
                FindElem::Agg(agg, _) => {
                    let vals: Vec<&Value> = members.iter().map(|m| ctx.value(m[c])).collect();
                    let v = agg
                        .apply(&vals)
                        .map_err(|m| Error::new(ErrorKind::Aggregate(m), Some(&q.origin)))?;
                    row.push(v);
                }
            }
        }
        rows.push(row);
    }
    rows.sort();
    Ok(QueryResult { columns, rows })
}
