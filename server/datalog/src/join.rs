//! Joining one clause into a table: data patterns against the store's indexes (leapjoins,
//! merge walks, semi-join filters), rule relations by datafrog merge joins, and function results
//! through binding forms. Each function carries the Datalog rule it implements, over the
//! relations named in `eval` (`rows`, `out`, `datom`, `r`); `eval` decides which clause runs when.

use datafrog::Relation;
use edn::{Symbol, Value};
use smallvec::SmallVec;

use crate::db::{AttrIndex, Id, Runs};
use crate::error::{Error, Origin};
use crate::eval::{Ctx, Row, Table, empty};
use crate::plan;
use crate::query::{Binding, Term};

/// How a term of a clause relates to the table.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
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

pub(crate) fn slots(ctx: &Ctx<'_>, table: &Table<'_>, terms: &[Term]) -> (Vec<Slot>, Vec<Symbol>) {
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

/// Binds the value `value_of(row)` per row through `binding`; a variable already bound must be
/// equal to its new value (the binding then filters).
pub(crate) fn bind_values<'a>(
    ctx: &mut Ctx<'_>,
    table: Table<'a>,
    binding: &Binding,
    value_of: impl Fn(&mut Ctx<'_>, &Row) -> Result<Option<Value>, Error>,
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
        ctx.tick(origin)?;
        let Some(result) = value_of(ctx, row)? else {
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
                        let id = ctx.intern(val, origin)?;
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
pub(crate) fn join_pattern<'a>(
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
                (_, Slot::Const(Some(v))) => (Some(index.ave.range(v)), None),
                (Slot::Const(Some(e)), _) => (None, Some(index.aev.range(e))),
                _ => (None, None),
            };
            let elements = table
                .rows
                .iter()
                .filter(|r| match (known(se, r), known(sv, r)) {
                    (Some(e), Some(v)) => match (by_v, by_e) {
                        (Some(ve), _) => ve.binary_search(&(v, e)).is_ok(),
                        (_, Some(ev)) => ev.binary_search(&(e, v)).is_ok(),
                        _ => index.aev.contains(&(e, v)),
                    },
                    (Some(e), None) => !index.aev.range(e).is_empty(),
                    (None, Some(v)) => !index.ave.range(v).is_empty(),
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
    let db = ctx.db;
    let mut out: Vec<Row> = Vec::new();
    let all: Vec<(Id, &AttrIndex)> = match sa {
        Slot::Const(Some(a)) => db.attr(a).map(|i| (a, i)).into_iter().collect(),
        _ => db.attrs().collect(),
    };
    let mut one = Vec::with_capacity(1);
    for row in table.rows.iter() {
        let candidates: &[(Id, &AttrIndex)] = match sa {
            Slot::Col(c) => {
                one.clear();
                one.extend(db.attr(row[c]).map(|i| (row[c], i)));
                &one
            }
            _ => &all,
        };
        let (ke, kv) = (known(se, row), known(sv, row));
        for &(a, index) in candidates {
            let pairs: Box<dyn Iterator<Item = (Id, Id)> + '_> = match (ke, kv) {
                (Some(e), Some(v)) => {
                    Box::new(index.aev.contains(&(e, v)).then_some((e, v)).into_iter())
                }
                (Some(e), None) => Box::new(index.aev.range(e).iter().copied()),
                (None, Some(v)) => Box::new(index.ave.range(v).iter().map(|&(v, e)| (e, v))),
                (None, None) => {
                    if (index.aev.len() as u64) > budget {
                        return Err(ctx.exceeded(origin));
                    }
                    Box::new(index.aev.iter().copied())
                }
            };
            for (e, v) in pairs {
                ctx.tick(origin)?;
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
            .map(|r| known(key, r).map_or(0, |k| rel.range(k).len() as u64))
            .sum();
        ctx.reserve(exact, origin)?;
    }
    let rows = match key {
        // The table is sorted by its first column: a merge walk over the index replaces one
        // binary search per row, and its output is sorted already.
        Slot::Col(0) => Relation {
            elements: merge_extend(&table.rows, rel),
        },
        // out(c.., x) :- rows(c..), index(k, x).   k = r[c]
        Slot::Col(c) => extend(&table.rows, |r| rel.range(r[c])),
        // out(c.., x) :- rows(c..), index(k, x).   k the pattern's constant
        Slot::Const(Some(k)) => {
            let range = rel.range(k);
            extend(&table.rows, |_| range)
        }
        _ => empty(),
    };
    Ok(Table {
        cols,
        rows: rows.into(),
    })
}

/// `out(c.., x) :- rows(c..), index(k, x)` for each row's key range: the leapjoin of one
/// relation, which is a lookup per row (an index's ranges are slices of its runs, not of one
/// relation datafrog could take).
fn extend<'r>(rows: &[Row], range: impl Fn(&Row) -> &'r [(Id, Id)]) -> Relation<Row> {
    let mut out = Vec::new();
    for row in rows {
        for &(_, x) in range(row) {
            let mut r = row.clone();
            r.push(x);
            out.push(r);
        }
    }
    Relation::from_vec(out)
}

/// `out(c.., x) :- rows(c..), index(c0, x)` for rows sorted by their first column `c0`: one
/// forward pass over both, galloping over index keys no row asks for (across runs, by a binary
/// search of the runs ahead).
fn merge_extend(rows: &[Row], index: &Runs) -> Vec<Row> {
    let mut out = Vec::new();
    let runs = index.runs();
    let mut at = 0;
    let mut rest: &[(Id, Id)] = runs.first().map_or(&[], Vec::as_slice);
    for row in rows {
        let key = row[0];
        if rest.last().is_some_and(|p| p.0 < key) || rest.is_empty() {
            // The key's run is a later one (or there is none).
            at += runs[at..].partition_point(|r| r.last().is_some_and(|p| p.0 < key));
            let Some(run) = runs.get(at) else { break };
            rest = run;
        }
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

/// The suffix of a sorted slice starting at the first pair whose key is at least `key`.
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
pub(crate) fn join_relation<'a>(
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
