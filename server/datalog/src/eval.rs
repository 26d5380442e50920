//! Evaluation on datafrog: bodies as sequences of joins over tables of interned rows, rules as
//! semi-naive fixpoints over datafrog `Variable`s.
//!
//! A body runs left to right over a *table*: a datafrog `Relation` of rows (one `u32` id per bound
//! variable, in `cols` order), starting from the seed (the unit row, or the `:in` bindings). Each
//! step takes the cheapest ready clause (see [`estimate`]) and turns the table into a new one.
//! Every step is written below as the Datalog rule it implements, over these relations:
//!
//! - `rows(c..)`: the current table; `out(c.., n..)`: the next one, with new columns `n..`;
//! - `datom(e, a, v)`: the store, read through the per-attribute indexes `aev`/`ave`;
//! - `r(x..)`: the relation of rule `r` (the full one, or its delta in a semi-naive variant).
//!
//! Rules are evaluated bottom-up, stratum by stratum. In a recursive stratum each rule is run
//! once per occurrence of a same-stratum call in its body, with that occurrence reading the
//! previous round's new tuples (`Variable::recent`) and the others the full relation; datafrog's
//! `Variable` removes tuples already known, and the loop ends when a round adds none.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use datafrog::{ExtendWith, Iteration, Relation, Variable};
use edn::{Symbol, Value};
use smallvec::SmallVec;

use crate::db::{AttrIndex, Db, Id, key_range};
use crate::error::{Error, ErrorKind, Origin};
use crate::function::{self, Aggregate};
use crate::plan::{self, Stratum, Vars};
use crate::query::{Binding, Clause, ClauseKind, FindElem, InputSpec, Query, Rules, Term};
use crate::{Budget, Inputs, QueryResult};

/// One row of a table: the ids of the bound variables, in column order.
pub(crate) type Row = SmallVec<[Id; 4]>;

/// A table: a set of rows over named columns.
struct Table<'a> {
    cols: Vec<Symbol>,
    rows: Rows<'a>,
}

/// A table's rows: computed by a step, or a rule's relation used as it stands (no copy).
enum Rows<'a> {
    Owned(Relation<Row>),
    Borrowed(&'a Relation<Row>),
}

impl std::ops::Deref for Rows<'_> {
    type Target = Relation<Row>;

    fn deref(&self) -> &Relation<Row> {
        match self {
            Rows::Owned(r) => r,
            Rows::Borrowed(r) => r,
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

    fn col(&self, v: &Symbol) -> Option<usize> {
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
/// inputs), and the budget.
pub(crate) struct Ctx<'db> {
    db: &'db Db,
    extra: Vec<Value>,
    extra_ids: HashMap<Value, Id>,
    max_tuples: Option<u64>,
    produced: u64,
    deadline: Option<Instant>,
}

impl<'db> Ctx<'db> {
    fn new(db: &'db Db, budget: &Budget) -> Ctx<'db> {
        Ctx {
            db,
            extra: Vec::new(),
            extra_ids: HashMap::new(),
            max_tuples: budget.max_tuples,
            produced: 0,
            deadline: budget.timeout.map(|t| Instant::now() + t),
        }
    }

    fn value(&self, id: Id) -> &Value {
        let base = self.db.value_count();
        if (id as usize) < base {
            self.db.value(id)
        } else {
            &self.extra[id as usize - base]
        }
    }

    fn lookup(&self, v: &Value) -> Option<Id> {
        self.db.id(v).or_else(|| self.extra_ids.get(v).copied())
    }

    fn intern(&mut self, v: Value) -> Id {
        if let Some(id) = self.lookup(&v) {
            return id;
        }
        let id = (self.db.value_count() + self.extra.len()) as Id;
        self.extra.push(v.clone());
        self.extra_ids.insert(v, id);
        id
    }

    /// How many more tuples the budget allows.
    fn remaining(&self) -> u64 {
        self.max_tuples
            .map_or(u64::MAX, |m| m.saturating_sub(self.produced))
    }

    /// Fails before a step that would produce `n` tuples past the budget.
    fn reserve(&self, n: u64, origin: &Origin) -> Result<(), Error> {
        if n > self.remaining() {
            return Err(self.exceeded(origin));
        }
        Ok(())
    }

    fn exceeded(&self, origin: &Origin) -> Error {
        let max = self.max_tuples.unwrap_or(u64::MAX);
        Error::new(
            ErrorKind::Budget(format!("more than {max} tuples produced")),
            Some(origin),
        )
    }

    /// Counts a step's output against the budget and checks the deadline.
    fn charge(&mut self, n: usize, origin: &Origin) -> Result<(), Error> {
        self.reserve(n as u64, origin)?;
        self.produced += n as u64;
        if self.deadline.is_some_and(|d| Instant::now() > d) {
            return Err(Error::new(
                ErrorKind::Budget("deadline passed".to_owned()),
                Some(origin),
            ));
        }
        Ok(())
    }
}

/// Relations of the rules evaluated so far, and the delta of the current semi-naive variant:
/// the call clause (by address, stable while rules are borrowed) that reads the delta.
struct Rels<'a> {
    full: &'a HashMap<Symbol, Relation<Row>>,
    delta: Option<(*const Clause, &'a Relation<Row>)>,
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

fn empty<T: Ord>() -> Relation<T> {
    Relation {
        elements: Vec::new(),
    }
}

/// How a term of a clause relates to the table.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Slot {
    /// A constant, interned (`None`: a value nothing holds, so nothing matches).
    Const(Option<Id>),
    /// A variable bound in this column of the table.
    Col(usize),
    /// A variable seen for the first time: a new column.
    New,
    /// A variable seen earlier in the same clause, at this term position.
    Same(usize),
    Blank,
}

fn slots(ctx: &Ctx<'_>, table: &Table<'_>, terms: &[Term]) -> (Vec<Slot>, Vec<Symbol>) {
    let mut new: Vec<Symbol> = Vec::new();
    let mut first: Vec<(Symbol, usize)> = Vec::new();
    let slots = terms
        .iter()
        .enumerate()
        .map(|(i, t)| match t {
            Term::Blank => Slot::Blank,
            Term::Const(v) => Slot::Const(ctx.lookup(v)),
            Term::Var(v) => {
                if let Some(c) = table.col(v) {
                    Slot::Col(c)
                } else if let Some((_, j)) = first.iter().find(|(s, _)| s == v) {
                    Slot::Same(*j)
                } else {
                    first.push((v.clone(), i));
                    new.push(v.clone());
                    Slot::New
                }
            }
        })
        .collect();
    (slots, new)
}

/// The value a slot has in a row, if it is known before the step.
fn known(slot: Slot, row: &Row) -> Option<Id> {
    match slot {
        Slot::Const(id) => id,
        Slot::Col(c) => Some(row[c]),
        _ => None,
    }
}

fn cols_with(table: &Table<'_>, new: &[Symbol]) -> Vec<Symbol> {
    table.cols.iter().chain(new).cloned().collect()
}

/// Evaluates a query against a database.
pub(crate) fn run(
    db: &Db,
    q: &Query,
    inputs: &Inputs,
    budget: &Budget,
) -> Result<QueryResult, Error> {
    let mut ctx = Ctx::new(db, budget);
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
    let strata = plan::strata(q, rules)?;
    let seed = input_table(&mut ctx, q, &inputs.args)?;
    let mut full: HashMap<Symbol, Relation<Row>> = HashMap::new();
    for stratum in &strata {
        eval_stratum(&mut ctx, &mut full, stratum)?;
    }
    let rels = Rels {
        full: &full,
        delta: None,
    };
    let table = eval_body(&mut ctx, &rels, &q.body, seed)?;
    finish(&ctx, q, &table)
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
        table = bind_values(ctx, table, b, |_, _| Some(v.clone()), &q.origin)?;
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

/// `head(x..) :- body` for every rule of the stratum, to fixpoint when recursive.
fn eval_stratum(
    ctx: &mut Ctx<'_>,
    full: &mut HashMap<Symbol, Relation<Row>>,
    stratum: &Stratum<'_>,
) -> Result<(), Error> {
    if !stratum.recursive {
        for rule in &stratum.rules {
            let rels = Rels { full, delta: None };
            let table = eval_body(ctx, &rels, &rule.body, Table::unit())?;
            let derived = table.project(&rule.head);
            let old = full.remove(&rule.name).unwrap_or_else(empty);
            full.insert(rule.name.clone(), old.merge(derived));
        }
        return Ok(());
    }
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
            let rels = Rels { full, delta: None };
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
            let cost = estimate(ctx, rels, c, &table);
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
fn estimate(ctx: &Ctx<'_>, rels: &Rels<'_>, c: &Clause, table: &Table<'_>) -> f64 {
    let rows = table.rows.len() as f64;
    let is_bound = |t: &Term| match t {
        Term::Var(v) => table.col(v).is_some(),
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
            let n = rels.of(c, rule).len() as f64 * delta_bonus;
            let m = args.iter().filter(|t| !matches!(t, Term::Blank)).count();
            let k = args.iter().filter(|t| is_bound(t)).count();
            if m == 0 {
                return rows * n.min(1.0);
            }
            rows * n.powf((m - k) as f64 / m as f64)
        }
        ClauseKind::Or { branches, .. } => {
            let vars = plan::or_vars(c);
            if vars.iter().all(|v| table.col(v).is_some()) {
                rows * 0.75
            } else {
                rows * 10.0 * branches.len() as f64
            }
        }
    }
}

fn step<'a>(
    ctx: &mut Ctx<'_>,
    rels: &Rels<'a>,
    c: &Clause,
    table: Table<'a>,
) -> Result<Table<'a>, Error> {
    match &c.kind {
        ClauseKind::Pattern(terms) => join_pattern(ctx, table, terms, &c.origin),
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
            let elements = table
                .rows
                .iter()
                .filter(|r| {
                    let vals = arg_values(ctx, &srcs, r);
                    function::call(func.as_str(), &vals).is_some_and(|v| function::truthy(&v))
                })
                .cloned()
                .collect();
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
                |ctx, r| function::call(name, &arg_values(ctx, &srcs, r)),
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
            rows.elements.retain(|r| {
                let key: Row = idx.iter().map(|&i| r[i]).collect();
                matches.binary_search(&key).is_err()
            });
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

fn arg_values<'c>(ctx: &'c Ctx<'_>, srcs: &'c [Arg], row: &Row) -> Vec<&'c Value> {
    srcs.iter()
        .map(|s| match s {
            Arg::Const(v) => v,
            Arg::Col(c) => ctx.value(row[*c]),
        })
        .collect()
}

/// Binds the value `value_of(row)` per row through `binding`; a variable already bound must be
/// equal to its new value (the binding then filters).
fn bind_values<'a>(
    ctx: &mut Ctx<'_>,
    table: Table<'a>,
    binding: &Binding,
    value_of: impl Fn(&mut Ctx<'_>, &Row) -> Option<Value>,
    origin: &Origin,
) -> Result<Table<'a>, Error> {
    let targets = plan::binding_vars(binding);
    let mut new: Vec<Symbol> = Vec::new();
    // For each target: an existing column, a new column, or nothing (`_`).
    let place: Vec<Option<Result<usize, usize>>> = targets
        .iter()
        .map(|t| {
            let v = t.as_ref()?;
            Some(match table.col(v) {
                Some(c) => Ok(c),
                None => match new.iter().position(|n| n == v) {
                    Some(i) => Err(i),
                    None => {
                        new.push(v.clone());
                        Err(new.len() - 1)
                    }
                },
            })
        })
        .collect();
    let mut out = Vec::new();
    let budget = ctx.remaining();
    for row in table.rows.iter() {
        let Some(result) = value_of(ctx, row) else {
            continue;
        };
        let tuples: Vec<Vec<Value>> = match binding {
            Binding::Scalar(_) => vec![vec![result]],
            Binding::Tuple(_) => match seq(&result) {
                Some(xs) if xs.len() == targets.len() => vec![xs.to_vec()],
                _ => continue,
            },
            Binding::Coll(_) => match seq(&result) {
                Some(xs) => xs.iter().map(|x| vec![x.clone()]).collect(),
                None => continue,
            },
            Binding::Rel(_) => match seq(&result) {
                Some(xs) => xs
                    .iter()
                    .filter_map(|t| {
                        seq(t)
                            .filter(|t| t.len() == targets.len())
                            .map(<[Value]>::to_vec)
                    })
                    .collect(),
                None => continue,
            },
        };
        'tuple: for tuple in tuples {
            let mut extra: SmallVec<[Option<Id>; 4]> = SmallVec::from_elem(None, new.len());
            for (p, val) in place.iter().zip(tuple) {
                match p {
                    None => {}
                    Some(Ok(c)) if ctx.value(row[*c]) != &val => continue 'tuple,
                    Some(Ok(_)) => {}
                    Some(Err(i)) => {
                        let id = ctx.intern(val);
                        // A variable repeated in the binding must get equal values.
                        if extra[*i].is_some_and(|old| old != id) {
                            continue 'tuple;
                        }
                        extra[*i] = Some(id);
                    }
                }
            }
            let mut r = row.clone();
            r.extend(extra.into_iter().flatten());
            out.push(r);
            if out.len() as u64 > budget {
                return Err(ctx.exceeded(origin));
            }
        }
    }
    Ok(Table {
        cols: cols_with(&table, &new),
        rows: Relation::from_vec(out).into(),
    })
}

fn seq(v: &Value) -> Option<&[Value]> {
    match v {
        Value::Vector(xs) | Value::List(xs) | Value::Set(xs) => Some(xs),
        _ => None,
    }
}

/// `out(c.., n..) :- rows(c..), datom(e, a, v)` with the pattern's constants and bound columns.
fn join_pattern<'a>(
    ctx: &mut Ctx<'_>,
    table: Table<'a>,
    terms: &[Term; 3],
    origin: &Origin,
) -> Result<Table<'a>, Error> {
    let (s, new) = slots(ctx, &table, terms);
    let cols = cols_with(&table, &new);
    let empty = |cols| {
        Ok(Table {
            cols,
            rows: empty().into(),
        })
    };
    if s.contains(&Slot::Const(None)) {
        return empty(cols);
    }
    let (se, sa, sv) = (s[0], s[1], s[2]);
    if let Slot::Const(Some(a)) = sa {
        let Some(index) = ctx.db.attr(a) else {
            return empty(cols);
        };
        let e_key = matches!(se, Slot::Col(_) | Slot::Const(_));
        let v_key = matches!(sv, Slot::Col(_) | Slot::Const(_));
        if e_key != v_key && matches!(if e_key { sv } else { se }, Slot::New) {
            return leapjoin_pattern(ctx, table, index, se, sv, e_key, cols, origin);
        }
        // Nothing new to bind: the pattern is a semi-join, a filter that keeps the rows sorted.
        // out(c..) :- rows(c..), datom(e, a, v).   e and v each known or `_`
        let e_known = e_key || se == Slot::Blank;
        let v_known = v_key || sv == Slot::Blank;
        if e_known && v_known && (e_key || v_key) {
            // A constant side narrows the search to its own (small, cache-friendly) range.
            let (by_v, by_e) = match (se, sv) {
                (_, Slot::Const(Some(v))) => (Some(key_range(&index.ave, v)), None),
                (Slot::Const(Some(e)), _) => (None, Some(key_range(&index.aev, e))),
                _ => (None, None),
            };
            let elements = table
                .rows
                .iter()
                .filter(|r| match (known(se, r), known(sv, r)) {
                    (Some(e), Some(v)) => match (by_v, by_e) {
                        (Some(ve), _) => ve.binary_search(&(v, e)).is_ok(),
                        (_, Some(ev)) => ev.binary_search(&(e, v)).is_ok(),
                        _ => index.aev.binary_search(&(e, v)).is_ok(),
                    },
                    (Some(e), None) => !key_range(&index.aev, e).is_empty(),
                    (None, Some(v)) => !key_range(&index.ave, v).is_empty(),
                    (None, None) => true,
                })
                .cloned()
                .collect();
            return Ok(Table {
                cols,
                rows: Relation { elements }.into(),
            });
        }
    }
    // The general case, one index lookup per row and candidate attribute.
    let budget = ctx.remaining();
    let mut out: Vec<Row> = Vec::new();
    let all: Vec<(Id, &AttrIndex)> = match sa {
        Slot::Const(Some(a)) => ctx.db.attr(a).map(|i| (a, i)).into_iter().collect(),
        _ => ctx.db.attrs().collect(),
    };
    let mut one = Vec::with_capacity(1);
    for row in table.rows.iter() {
        let candidates: &[(Id, &AttrIndex)] = match sa {
            Slot::Col(c) => {
                one.clear();
                one.extend(ctx.db.attr(row[c]).map(|i| (row[c], i)));
                &one
            }
            _ => &all,
        };
        let (ke, kv) = (known(se, row), known(sv, row));
        for &(a, index) in candidates {
            let pairs: Box<dyn Iterator<Item = (Id, Id)> + '_> = match (ke, kv) {
                (Some(e), Some(v)) => Box::new(
                    index
                        .aev
                        .binary_search(&(e, v))
                        .ok()
                        .map(|_| (e, v))
                        .into_iter(),
                ),
                (Some(e), None) => Box::new(key_range(&index.aev, e).iter().copied()),
                (None, Some(v)) => Box::new(key_range(&index.ave, v).iter().map(|&(v, e)| (e, v))),
                (None, None) => {
                    if (index.aev.len() as u64) > budget {
                        return Err(ctx.exceeded(origin));
                    }
                    Box::new(index.aev.iter().copied())
                }
            };
            for (e, v) in pairs {
                let vals = [e, a, v];
                let ok = s.iter().enumerate().all(|(i, slot)| match slot {
                    Slot::Same(j) => vals[*j] == vals[i],
                    _ => true,
                });
                if !ok {
                    continue;
                }
                let mut r = row.clone();
                for (i, slot) in s.iter().enumerate() {
                    if *slot == Slot::New {
                        r.push(vals[i]);
                    }
                }
                out.push(r);
                if out.len() as u64 > budget {
                    return Err(ctx.exceeded(origin));
                }
            }
        }
    }
    Ok(Table {
        cols,
        rows: Relation::from_vec(out).into(),
    })
}

/// The common case as a datafrog leapjoin: a constant attribute, one side known, the other new.
#[allow(clippy::too_many_arguments)]
fn leapjoin_pattern<'a>(
    ctx: &mut Ctx<'_>,
    table: Table<'a>,
    index: &AttrIndex,
    se: Slot,
    sv: Slot,
    e_known: bool,
    cols: Vec<Symbol>,
    origin: &Origin,
) -> Result<Table<'a>, Error> {
    let (rel, key, per_key) = if e_known {
        // out(c.., v) :- rows(c..), aev(e, v).   e from the row or the pattern
        (&index.aev, se, index.stats.max_per_e)
    } else {
        // out(c.., e) :- rows(c..), ave(v, e).   v from the row or the pattern
        (&index.ave, sv, index.stats.max_per_v)
    };
    let bound = table.rows.len() as u64 * per_key as u64;
    if bound > ctx.remaining() {
        let exact: u64 = table
            .rows
            .iter()
            .map(|r| known(key, r).map_or(0, |k| key_range(rel, k).len() as u64))
            .sum();
        ctx.reserve(exact, origin)?;
    }
    let rows = match key {
        // The table is sorted by its first column: a merge walk over the index replaces one
        // binary search per row, and its output is sorted already.
        Slot::Col(0) => Relation {
            elements: merge_extend(&table.rows, rel),
        },
        Slot::Col(c) => Relation::from_leapjoin(
            &table.rows,
            ExtendWith::from(rel, move |r: &Row| r[c]),
            |r: &Row, &x: &Id| {
                let mut out = r.clone();
                out.push(x);
                out
            },
        ),
        Slot::Const(Some(k)) => Relation::from_leapjoin(
            &table.rows,
            ExtendWith::from(rel, move |_: &Row| k),
            |r: &Row, &x: &Id| {
                let mut out = r.clone();
                out.push(x);
                out
            },
        ),
        _ => empty(),
    };
    Ok(Table {
        cols,
        rows: rows.into(),
    })
}

/// `out(c.., x) :- rows(c..), index(c0, x)` for rows sorted by their first column `c0`: one
/// forward pass over both, galloping over index keys no row asks for.
fn merge_extend(rows: &[Row], index: &[(Id, Id)]) -> Vec<Row> {
    let mut out = Vec::new();
    let mut rest = index;
    for row in rows {
        let key = row[0];
        if rest.first().is_some_and(|p| p.0 < key) {
            rest = gallop(rest, key);
        }
        for &(_, x) in rest.iter().take_while(|p| p.0 == key) {
            let mut r = row.clone();
            r.push(x);
            out.push(r);
        }
    }
    out
}

/// The suffix of a sorted index starting at the first pair whose key is at least `key`.
fn gallop(index: &[(Id, Id)], key: Id) -> &[(Id, Id)] {
    let mut step = 1;
    while step < index.len() && index[step].0 < key {
        step *= 2;
    }
    let end = step.min(index.len());
    let start = step / 2;
    let at = start + index[start..end].partition_point(|p| p.0 < key);
    &index[at..]
}

/// `out(c.., n..) :- rows(c..), r(args..)`: a datafrog merge join on the bound arguments.
fn join_relation<'a>(
    ctx: &mut Ctx<'_>,
    table: Table<'a>,
    rel: &Relation<Row>,
    args: &[Term],
    origin: &Origin,
) -> Result<Table<'a>, Error> {
    let (s, new) = slots(ctx, &table, args);
    let cols = cols_with(&table, &new);
    if s.contains(&Slot::Const(None)) {
        return Ok(Table {
            cols,
            rows: empty().into(),
        });
    }
    // r_keyed(key.., new..) :- r(x..), constants and repeated variables agree.
    let right: Relation<(Row, Row)> = Relation::from_iter(rel.iter().filter_map(|t| {
        let mut key = Row::new();
        let mut val = Row::new();
        for (i, slot) in s.iter().enumerate() {
            match slot {
                Slot::Const(Some(id)) if t[i] != *id => return None,
                Slot::Same(j) if t[i] != t[*j] => return None,
                Slot::Col(_) => key.push(t[i]),
                Slot::New => val.push(t[i]),
                _ => {}
            }
        }
        Some((key, val))
    }));
    // rows_keyed(key.., c..) :- rows(c..).
    let key_cols: Vec<usize> = s
        .iter()
        .filter_map(|slot| match slot {
            Slot::Col(c) => Some(*c),
            _ => None,
        })
        .collect();
    let left: Relation<(Row, Row)> = Relation::from_iter(
        table
            .rows
            .iter()
            .map(|r| (key_cols.iter().map(|&c| r[c]).collect::<Row>(), r.clone())),
    );
    ctx.reserve(join_size(&left, &right), origin)?;
    let rows = Relation::from_join(&left, &right, |_, l, r| {
        let mut out = l.clone();
        out.extend(r.iter().copied());
        out
    });
    Ok(Table {
        cols,
        rows: rows.into(),
    })
}

/// The exact size of a merge join of two key-sorted relations, computed before running it.
fn join_size(left: &[(Row, Row)], right: &[(Row, Row)]) -> u64 {
    let (mut i, mut j, mut total) = (0, 0, 0u64);
    while i < left.len() && j < right.len() {
        match left[i].0.cmp(&right[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                let key = &left[i].0;
                let n = left[i..].iter().take_while(|x| &x.0 == key).count();
                let m = right[j..].iter().take_while(|x| &x.0 == key).count();
                total = total.saturating_add((n as u64).saturating_mul(m as u64));
                i += n;
                j += m;
            }
        }
    }
    total
}

/// Projects the body's table onto `:find`, aggregating where asked, and decodes values.
fn finish(ctx: &Ctx<'_>, q: &Query, table: &Table<'_>) -> Result<QueryResult, Error> {
    let columns: Vec<String> = q.find.iter().map(FindElem::column).collect();
    let has_agg = q.find.iter().any(|f| matches!(f, FindElem::Agg(..)));
    let decode =
        |row: &Row| -> Vec<Value> { row.iter().map(|&id| ctx.value(id).clone()).collect() };
    if !has_agg {
        let vars: Vec<Symbol> = q.find.iter().map(|f| f.var().clone()).collect();
        let idx: Vec<usize> = vars.iter().filter_map(|v| table.col(v)).collect();
        let projected = Relation::from_iter(
            table
                .rows
                .iter()
                .map(|r| idx.iter().map(|&i| r[i]).collect::<Row>()),
        );
        let mut rows: Vec<Vec<Value>> = projected.iter().map(decode).collect();
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
                FindElem::Var(_) => row.push(ctx.value(members[0][c]).clone()),
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
