//! The datom store: interned values, per-attribute indexes and their statistics.
//!
//! Every value is interned into a dense `u32` id (the reverse table turns ids back into values),
//! so the evaluator joins small integer tuples. Entity ids are interned as `Value::Int`, which is
//! how ref-valued attributes hold them, so `[?a :parent ?p] [?p :name ?n]` joins without any
//! conversion. Nearly every pattern names its attribute, so the indexes are per attribute:
//! `aev` holds `(e, v)` sorted by entity, `ave` holds `(v, e)` sorted by value, each a [`Runs`]:
//! consecutive sorted runs of a few hundred pairs, a key's pairs never split between two runs, so
//! a key's range is one slice that joins read directly, and an edit rewrites only the runs it
//! touches (its cost is what it changes, not the size of the database). Ids are never reused: a
//! retracted value stays interned (its cost is one table entry), which keeps ids stable for the
//! life of the `Db`.

use std::collections::BTreeMap;
use std::hash::BuildHasher;

use edn::{Datom, Keyword, Value};
use hashbrown::HashTable;
use rustc_hash::{FxBuildHasher, FxHashMap};

/// An interned value.
pub(crate) type Id = u32;

/// Statistics the planner reads for one attribute.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AttrStats {
    /// Number of datoms with this attribute.
    pub count: usize,
    /// Number of distinct entities having it.
    pub distinct_e: usize,
    /// Number of distinct values it takes.
    pub distinct_v: usize,
    /// Most values any one entity has (an upper bound after retractions).
    pub max_per_e: usize,
    /// Most entities sharing one value (an upper bound after retractions).
    pub max_per_v: usize,
}

/// The length runs are cut to. Small enough that an edit's rewrite of a run is a few cache
/// lines' worth of work, large enough that finding a run (a binary search over the runs) and
/// the runs' own headers cost little: 512 pairs are 4 KiB, and a header (24 bytes) per run is
/// 0.6% of the pairs.
const RUN: usize = 512;

/// A set of id pairs in order, as consecutive sorted runs. Every run is non-empty, every pair of
/// a run is below every pair of the next, and all the pairs with one first component (a key)
/// are in one run, so [`Runs::range`] is a slice. A run is cut near [`RUN`] pairs, at a key
/// boundary; a key with more pairs than that has a run of its own, as long as it needs.
#[derive(Clone, Debug, Default)]
pub(crate) struct Runs {
    runs: Vec<Vec<(Id, Id)>>,
    len: usize,
}

impl Runs {
    /// The runs of `pairs`, which must be sorted and free of duplicates.
    fn from_sorted(pairs: Vec<(Id, Id)>) -> Runs {
        let len = pairs.len();
        let runs = if len <= 2 * RUN {
            let mut pairs = pairs;
            pairs.shrink_to_fit();
            if pairs.is_empty() {
                Vec::new()
            } else {
                vec![pairs]
            }
        } else {
            cut(&pairs)
        };
        Runs { runs, len }
    }

    /// The run that holds `key`'s pairs if any pair has that key (and where they would go):
    /// the first whose last key is not below it; `runs.len()` past the last key.
    fn run_of(&self, key: Id) -> usize {
        self.runs
            .partition_point(|r| r.last().is_some_and(|p| p.0 < key))
    }

    /// The pairs whose first component is `key`.
    pub(crate) fn range(&self, key: Id) -> &[(Id, Id)] {
        self.runs
            .get(self.run_of(key))
            .map_or(&[], |run| key_range(run, key))
    }

    pub(crate) fn contains(&self, pair: &(Id, Id)) -> bool {
        self.range(pair.0).binary_search(pair).is_ok()
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &(Id, Id)> + '_ {
        self.runs.iter().flatten()
    }

    /// The runs, in order (for walks that move forward through the pairs).
    pub(crate) fn runs(&self) -> &[Vec<(Id, Id)>] {
        &self.runs
    }

    fn heap_bytes(&self) -> usize {
        self.runs.capacity() * std::mem::size_of::<Vec<(Id, Id)>>()
            + self
                .runs
                .iter()
                .map(|r| r.capacity() * std::mem::size_of::<(Id, Id)>())
                .sum::<usize>()
    }

    /// Removes `gone` and inserts `new`, both sorted and free of duplicates, `gone` all present
    /// and `new` all absent. Each run is rewritten once for the pairs that fall in it; a run
    /// grown past twice [`RUN`] is cut again, one shrunk below a quarter of it joins the run
    /// before it. The cost is the touched runs' lengths, whatever the size of the set.
    fn edit(&mut self, gone: &[(Id, Id)], new: &[(Id, Id)]) {
        let mut rest = gone;
        while let Some(first) = rest.first() {
            let r = self.run_of(first.0);
            let Some(run) = self.runs.get_mut(r) else {
                break;
            };
            let last = run.last().map_or(0, |p| p.0);
            // At least one: the run's last key is not below the first's.
            let n = rest.partition_point(|p| p.0 <= last).max(1);
            let before = run.len();
            remove_sorted(run, &rest[..n]);
            self.len -= before - run.len();
            if run.len() < RUN / 4 {
                self.join_previous(r);
            }
            rest = &rest[n..];
        }
        let mut rest = new;
        while let Some(first) = rest.first() {
            if self.runs.is_empty() {
                self.runs.push(Vec::new());
            }
            // Past the last key: the last run takes them all.
            let r = self.run_of(first.0).min(self.runs.len() - 1);
            let n = match self.runs.get(r + 1) {
                Some(_) => {
                    let last = self.runs[r].last().map_or(0, |p| p.0);
                    rest.partition_point(|p| p.0 <= last).max(1)
                }
                None => rest.len(),
            };
            let run = &mut self.runs[r];
            merge_into(run, &rest[..n]);
            self.len += n;
            recut(&mut self.runs, r);
            rest = &rest[n..];
        }
    }

    /// Joins run `r` (shrunk, maybe empty) to the run before it, cutting the result again if
    /// it is long; an empty run with no run before it is dropped.
    fn join_previous(&mut self, r: usize) {
        if r == 0 {
            if self.runs.first().is_some_and(Vec::is_empty) {
                self.runs.remove(0);
            }
            return;
        }
        let run = self.runs.remove(r);
        self.runs[r - 1].extend(run);
        recut(&mut self.runs, r - 1);
    }
}

/// Cuts sorted `pairs` into runs of about [`RUN`] pairs at key boundaries (no run shorter than
/// half of that but the only one), each allocated to its length.
fn cut(pairs: &[(Id, Id)]) -> Vec<Vec<(Id, Id)>> {
    bounds(pairs)
        .into_iter()
        .map(|(start, end)| pairs[start..end].to_vec())
        .collect()
}

/// Where [`cut`] cuts: the runs' (start, end). A key's pairs are skipped over by binary search,
/// so a run of one long key is measured in logarithmic time.
fn bounds(pairs: &[(Id, Id)]) -> Vec<(usize, usize)> {
    let mut out = Vec::with_capacity(pairs.len() / RUN + 1);
    let mut start = 0;
    while start < pairs.len() {
        let mut end = (start + RUN).min(pairs.len());
        if let Some(&(key, _)) = pairs.get(end.wrapping_sub(1)).filter(|_| end < pairs.len()) {
            end += pairs[end..].partition_point(|p| p.0 == key);
        }
        if pairs.len() - end < RUN / 2 {
            end = pairs.len();
        }
        out.push((start, end));
        start = end;
    }
    out
}

/// Cuts run `r` of `runs` again if it has grown past twice [`RUN`] and can be cut (a run of
/// one long key, or of one long key and a short tail, stays whole: cutting it would copy it
/// into the same run).
fn recut(runs: &mut Vec<Vec<(Id, Id)>>, r: usize) {
    let Some(run) = runs.get(r).filter(|run| run.len() > 2 * RUN) else {
        return;
    };
    let bounds = bounds(run);
    if bounds.len() > 1 {
        let pieces: Vec<Vec<(Id, Id)>> = bounds
            .into_iter()
            .map(|(start, end)| run[start..end].to_vec())
            .collect();
        runs.splice(r..=r, pieces);
    }
}

/// Removes the pairs of `gone` (sorted) from sorted `run`: each found by binary search from the
/// previous one, the stretches between them moved down once.
fn remove_sorted(run: &mut Vec<(Id, Id)>, gone: &[(Id, Id)]) {
    let mut from = 0;
    let mut write: Option<usize> = None;
    for g in gone {
        let at = from + run[from..].partition_point(|p| p < g);
        if run.get(at) != Some(g) {
            continue;
        }
        let w = match write {
            Some(w) => {
                run.copy_within(from..at, w);
                w + (at - from)
            }
            None => at,
        };
        write = Some(w);
        from = at + 1;
    }
    if let Some(w) = write {
        let len = run.len();
        run.copy_within(from..len, w);
        run.truncate(w + len - from);
    }
}

/// Inserts the pairs of `new` (sorted, none in `run`) into sorted `run`, merging from the back
/// into the grown vector: the pairs before the first insertion point never move.
fn merge_into(run: &mut Vec<(Id, Id)>, new: &[(Id, Id)]) {
    let Some(first) = new.first() else { return };
    let start = run.partition_point(|p| p < first);
    let old_len = run.len();
    run.resize(old_len + new.len(), (0, 0));
    let (mut i, mut j, mut w) = (old_len, new.len(), old_len + new.len());
    while j > 0 {
        if i > start && run[i - 1] > new[j - 1] {
            run[w - 1] = run[i - 1];
            i -= 1;
        } else {
            run[w - 1] = new[j - 1];
            j -= 1;
        }
        w -= 1;
    }
}

/// The two indexes of one attribute.
#[derive(Clone)]
pub(crate) struct AttrIndex {
    /// `(e, v)`, sorted: the values of an entity.
    pub(crate) aev: Runs,
    /// `(v, e)`, sorted: the entities having a value.
    pub(crate) ave: Runs,
    pub(crate) stats: AttrStats,
}

impl Default for AttrIndex {
    fn default() -> AttrIndex {
        AttrIndex::from_pairs(Vec::new())
    }
}

impl std::fmt::Debug for AttrIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AttrIndex({:?})", self.stats)
    }
}

/// Counts the distinct first components of a sorted pair list, and the largest group.
fn groups(pairs: &[(Id, Id)]) -> (usize, usize) {
    let (mut n, mut largest, mut run) = (0, 0, 0);
    let mut last = None;
    for (k, _) in pairs {
        if last != Some(*k) {
            n += 1;
            run = 0;
            last = Some(*k);
        }
        run += 1;
        largest = largest.max(run);
    }
    (n, largest)
}

impl AttrIndex {
    fn from_pairs(ev: Vec<(Id, Id)>) -> AttrIndex {
        let aev = sorted(ev);
        // Flipped from the deduplicated pairs, so the second sort has no duplicates to carry.
        let ave = sorted(aev.iter().map(|&(e, v)| (v, e)).collect());
        let (distinct_e, max_per_e) = groups(&aev);
        let (distinct_v, max_per_v) = groups(&ave);
        let stats = AttrStats {
            count: aev.len(),
            distinct_e,
            distinct_v,
            max_per_e,
            max_per_v,
        };
        AttrIndex {
            aev: Runs::from_sorted(aev),
            ave: Runs::from_sorted(ave),
            stats,
        }
    }

    /// Applies a change to one attribute: `gone` and `new` are sorted, deduplicated `(e, v)`
    /// pairs, `gone` all present and `new` all absent. Both indexes are edited where the pairs
    /// fall (see [`Runs::edit`]) and the statistics adjusted from the edited keys, so a change
    /// costs what it changes.
    fn apply(&mut self, gone: &[(Id, Id)], new: &[(Id, Id)]) {
        let flip = |pairs: &[(Id, Id)]| {
            let mut out: Vec<(Id, Id)> = pairs.iter().map(|&(e, v)| (v, e)).collect();
            out.sort_unstable();
            out
        };
        let (gone_ve, new_ve) = (flip(gone), flip(new));
        let stats = &mut self.stats;
        edit(
            &mut self.aev,
            gone,
            new,
            &mut stats.distinct_e,
            &mut stats.max_per_e,
        );
        edit(
            &mut self.ave,
            &gone_ve,
            &new_ve,
            &mut stats.distinct_v,
            &mut stats.max_per_v,
        );
        stats.count = self.aev.len();
    }
}

/// The indexes of each attribute's `(e, v)` pairs.
fn index_all(attrs: Vec<(Id, Vec<(Id, Id)>)>) -> BTreeMap<Id, AttrIndex> {
    attrs
        .into_iter()
        .map(|(a, ev)| (a, AttrIndex::from_pairs(ev)))
        .collect()
}

/// A relation of `pairs`. Ids are dense small integers, so a large list is sorted by radix
/// (linear; a comparison sort was half of `Db::from_datoms`), a small one by the unstable sort
/// (pairs of ids have no order to keep among equals, unlike `Relation::from_vec`'s stable sort).
fn sorted(mut pairs: Vec<(Id, Id)>) -> Vec<(Id, Id)> {
    // Checked first: an attribute whose entities come in id order (one per node, interned in
    // file order) is often sorted already.
    if !pairs.is_sorted() {
        if pairs.len() < 4096 {
            pairs.sort_unstable();
        } else {
            radix_sort(&mut pairs);
        }
    }
    pairs.dedup();
    pairs
}

/// Least-significant-digit radix sort of id pairs, as one key `first << bits(second) | second`
/// of 11-bit digits; only the digits some key uses are sorted on.
fn radix_sort(pairs: &mut [(Id, Id)]) {
    const DIGIT: u32 = 11;
    let width = |x: Id| u32::BITS - x.leading_zeros();
    let low = width(pairs.iter().map(|p| p.1).max().unwrap_or(0));
    let high = width(pairs.iter().map(|p| p.0).max().unwrap_or(0));
    let mut keys: Vec<u64> = pairs
        .iter()
        .map(|&(a, b)| (u64::from(a) << low) | u64::from(b))
        .collect();
    let mut spare = vec![0u64; keys.len()];
    let mut shift = 0;
    while shift < low + high {
        let mut starts = vec![0usize; 1 << DIGIT];
        let digit = |k: u64| ((k >> shift) & ((1 << DIGIT) - 1)) as usize;
        for k in &keys {
            starts[digit(*k)] += 1;
        }
        let mut total = 0;
        for s in &mut starts {
            (*s, total) = (total, total + *s);
        }
        for k in &keys {
            let d = digit(*k);
            spare[starts[d]] = *k;
            starts[d] += 1;
        }
        std::mem::swap(&mut keys, &mut spare);
        shift += DIGIT;
    }
    let mask = (1u64 << low) - 1;
    for (p, k) in pairs.iter_mut().zip(keys) {
        *p = ((k >> low) as Id, (k & mask) as Id);
    }
}

/// The pairs of a sorted index whose first component is `key`.
pub(crate) fn key_range(index: &[(Id, Id)], key: Id) -> &[(Id, Id)] {
    let start = index.partition_point(|p| p.0 < key);
    let end = start + index[start..].partition_point(|p| p.0 <= key);
    &index[start..end]
}

/// Removes `gone` from and inserts `new` into an index, keeping the count of distinct keys
/// exact and the largest group an upper bound (it only grows).
fn edit(
    index: &mut Runs,
    gone: &[(Id, Id)],
    new: &[(Id, Id)],
    distinct: &mut usize,
    largest: &mut usize,
) {
    let keys = |pairs: &[(Id, Id)]| {
        let mut keys: Vec<Id> = pairs.iter().map(|p| p.0).collect();
        keys.dedup();
        keys
    };
    index.edit(gone, &[]);
    *distinct = distinct.saturating_sub(
        keys(gone)
            .iter()
            .filter(|k| index.range(**k).is_empty())
            .count(),
    );
    let new_keys = keys(new);
    *distinct += new_keys
        .iter()
        .filter(|k| index.range(**k).is_empty())
        .count();
    index.edit(&[], new);
    for k in new_keys {
        *largest = (*largest).max(index.range(k).len());
    }
}

/// Maps hashed with rustc's FxHash (`rustc-hash`). The tables are hashed once per datom value on
/// every bulk build, and their keys are the database's own values, never adversarial network
/// input, so SipHash's flooding resistance buys nothing here and cost about a third of
/// `Db::from_datoms`.
type Fast<K, V> = FxHashMap<K, V>;

/// Integers below this are interned through [`Pages`] rather than the table of values: the
/// small integers most datoms hold (spans, indexes, counts), dense from 0. Entity ids are
/// larger and sparse (a yin form's are `slot << 24 | node`), and a page per entity, in a file of
/// half a million one-node forms, would cost more than a table entry.
const PAGED_BELOW: i64 = 1 << 20;
/// log2 of the ids a page holds.
const PAGE_BITS: u32 = 5;
/// A page slot no integer has taken yet.
const FREE: Id = Id::MAX;

/// The ids of small non-negative integers, by pages of 32 consecutive integers, each found by
/// one lookup of its number (usually the same page as the previous integer's) and then indexed,
/// where the general table would hash and compare a whole `Value`.
#[derive(Clone, Debug, Default)]
struct Pages {
    numbers: Fast<i64, u32>,
    pages: Vec<[Id; 1 << PAGE_BITS]>,
    /// The last page used by `intern`, as (page number, index in `pages`).
    last: Option<(i64, u32)>,
}

impl Pages {
    fn split(i: i64) -> (i64, usize) {
        (i >> PAGE_BITS, (i & ((1 << PAGE_BITS) - 1)) as usize)
    }

    fn get(&self, i: i64) -> Option<Id> {
        let (number, at) = Pages::split(i);
        let page = self.numbers.get(&number)?;
        self.pages
            .get(*page as usize)
            .map(|p| p[at])
            .filter(|&id| id != FREE)
    }

    /// The slot of `i`'s id, made if its page is new.
    fn slot(&mut self, i: i64) -> &mut Id {
        let (number, at) = Pages::split(i);
        let page = match self.last {
            Some((n, page)) if n == number => page,
            _ => {
                let next = self.pages.len() as u32;
                let page = *self.numbers.entry(number).or_insert(next);
                if page == next {
                    self.pages.push([FREE; 1 << PAGE_BITS]);
                }
                self.last = Some((number, page));
                page
            }
        };
        &mut self.pages[page as usize][at]
    }
}

/// Values and their ids. Integers in `[0, 2^20)` go through [`Pages`]; every other value through
/// the table `ids`, which holds only ids (4 bytes an entry) and compares a candidate with the
/// value `values` holds for it, so no value is stored twice. In front of it, `by_address` finds
/// a keyword, symbol or string by the address of its text when it is the very allocation the
/// table holds (lowering shares one allocation per name, so most names are found without
/// hashing or comparing their text). An address is recorded only for an allocation held in
/// `values`, which keeps it alive and unique while the `Db` lives.
#[derive(Clone, Debug, Default)]
struct Interner {
    values: Vec<Value>,
    ids: HashTable<Id>,
    pages: Pages,
    by_address: Fast<(u8, usize), Id>,
}

/// The kind and address of a value's shared text, if it has one (a keyword and a symbol may
/// share an allocation).
fn address(v: &Value) -> Option<(u8, usize)> {
    match v {
        Value::Keyword(k) => Some((0, k.as_str().as_ptr() as usize)),
        Value::Symbol(s) => Some((1, s.as_str().as_ptr() as usize)),
        Value::Str(s) => Some((2, s.as_ptr() as usize)),
        _ => None,
    }
}

fn paged(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) if (0..PAGED_BELOW).contains(i) => Some(*i),
        _ => None,
    }
}

fn hash(v: &Value) -> u64 {
    FxBuildHasher.hash_one(v)
}

impl Interner {
    fn get(&self, v: &Value) -> Option<Id> {
        if let Some(i) = paged(v) {
            return self.pages.get(i);
        }
        if let Some(id) = address(v).and_then(|a| self.by_address.get(&a)) {
            return Some(*id);
        }
        let values = &self.values;
        self.ids
            .find(hash(v), |&id| values.get(id as usize) == Some(v))
            .copied()
    }

    fn intern(&mut self, v: Value) -> Id {
        let next = self.values.len() as Id;
        if let Some(i) = paged(&v) {
            let slot = self.pages.slot(i);
            if *slot == FREE {
                *slot = next;
                self.values.push(v);
            }
            return *slot;
        }
        let at = address(&v);
        if let Some(id) = at.and_then(|a| self.by_address.get(&a)) {
            return *id;
        }
        let h = hash(&v);
        let values = &self.values;
        if let Some(id) = self.ids.find(h, |&id| values.get(id as usize) == Some(&v)) {
            return *id;
        }
        self.values.push(v);
        let values = &self.values;
        self.ids
            .insert_unique(h, next, |&id| values.get(id as usize).map_or(0, hash));
        if let Some(a) = at {
            self.by_address.insert(a, next);
        }
        next
    }

    /// Gives back the reverse table's spare room after a bulk build, whose vectors grew by
    /// doubling (32 bytes a value). The table of ids keeps its own: shrinking it would hash every
    /// value again, for at most 4 bytes an entry.
    fn shrink(&mut self) {
        self.values.shrink_to_fit();
        self.pages.pages.shrink_to_fit();
    }

    fn heap_bytes(&self) -> usize {
        self.values.capacity() * std::mem::size_of::<Value>()
            + self.ids.allocation_size()
            + self.pages.pages.capacity() * std::mem::size_of::<[Id; 1 << PAGE_BITS]>()
            + self.pages.numbers.capacity() * 12
            + self.by_address.capacity() * 24
    }
}

/// Datoms, indexed for queries. Cheap to query concurrently (`&self`); updated in place by
/// [`Db::transact`].
#[derive(Clone, Debug, Default)]
pub struct Db {
    table: Interner,
    attrs: BTreeMap<Id, AttrIndex>,
}

/// Numbers attributes in the order they first appear, for [`Db::from_numbered`]: datoms are
/// pushed in, and taken out in batches of `(e, attribute number, v)` with the attributes first
/// seen since the last batch.
#[derive(Debug, Default)]
pub struct AttrNumbers {
    /// Attribute keyword -> its number.
    slots: Fast<Keyword, u32>,
    /// The same, by the address of the keyword's text when it shares the allocation of the
    /// keyword `slots` holds (lowering shares one per attribute), which skips hashing its text.
    by_address: Fast<usize, u32>,
    batch: Numbered,
}

/// A batch of datoms with numbered attributes (see [`AttrNumbers`]).
#[derive(Debug, Default)]
pub struct Numbered {
    /// The attributes numbered since the previous batch, in number order.
    attributes: Vec<Keyword>,
    datoms: Vec<(u64, u32, Value)>,
}

impl AttrNumbers {
    /// The number of `a`, and `a` if it is new (the caller interns it).
    fn number(&mut self, a: Keyword) -> (usize, Option<Keyword>) {
        let address = a.as_str().as_ptr() as usize;
        match self.by_address.get(&address).or_else(|| self.slots.get(&a)) {
            Some(slot) => (*slot as usize, None),
            None => {
                let slot = self.slots.len() as u32;
                self.by_address.insert(address, slot);
                self.slots.insert(a.clone(), slot);
                (slot as usize, Some(a))
            }
        }
    }

    /// Adds a datom to the current batch.
    pub fn push(&mut self, d: Datom) {
        let (slot, new) = self.number(d.a);
        self.batch.attributes.extend(new);
        self.batch.datoms.push((d.e, slot as u32, d.v));
    }

    /// The datoms pushed since the last call, and the attributes they numbered.
    pub fn take(&mut self) -> Numbered {
        std::mem::take(&mut self.batch)
    }
}

/// A database being built in bulk: its attributes' pair lists, in number order.
#[derive(Default)]
struct Bulk {
    db: Db,
    attrs: Vec<(Id, Vec<(Id, Id)>)>,
    last_e: Option<(u64, Id)>,
}

impl Bulk {
    /// The id of entity `e`; an entity's datoms come together, so the last one is remembered.
    fn entity(&mut self, e: u64) -> Id {
        match self.last_e {
            Some((raw, id)) if raw == e => id,
            _ => {
                let id = self.db.table.intern(Value::Int(e as i64));
                self.last_e = Some((e, id));
                id
            }
        }
    }

    /// Interns the next attribute, numbered `attrs.len()`.
    fn attribute(&mut self, a: Keyword) {
        let id = self.db.table.intern(Value::Keyword(a));
        self.attrs.push((id, Vec::new()));
    }

    fn push(&mut self, e: Id, slot: usize, v: Value) {
        let v = self.db.table.intern(v);
        if let Some((_, pairs)) = self.attrs.get_mut(slot) {
            pairs.push((e, v));
        }
    }

    fn finish(mut self) -> Db {
        self.db.attrs = index_all(self.attrs);
        self.db.table.shrink();
        self.db
    }
}

impl Db {
    pub fn new() -> Db {
        Db::default()
    }

    /// Builds a database in bulk (faster than asserting the same datoms with `transact`).
    ///
    /// An entity's datoms come together, so the last entity's id is remembered; attributes are
    /// few, so each is interned once and keeps its pair list; only the value goes through the
    /// intern table (moved in, cloned only when new).
    pub fn from_datoms(datoms: impl IntoIterator<Item = Datom>) -> Db {
        let mut bulk = Bulk::default();
        let mut numbers = AttrNumbers::default();
        for d in datoms {
            let e = bulk.entity(d.e);
            let (slot, new) = numbers.number(d.a);
            if let Some(a) = new {
                bulk.attribute(a);
            }
            bulk.push(e, slot, d.v);
        }
        bulk.finish()
    }

    /// Builds the database [`Db::from_datoms`] builds from the datoms that were pushed, in
    /// order, into one [`AttrNumbers`] and taken from it in `batches`: the same ids, the same
    /// indexes. For a build whose datoms are made on another thread: that thread numbers the
    /// attributes, so the attributes' shared keywords are cloned and dropped by one thread only
    /// (their counts bouncing between two cores cost more than the numbering).
    pub fn from_numbered(batches: impl IntoIterator<Item = Numbered>) -> Db {
        let mut bulk = Bulk::default();
        let mut fresh = std::collections::VecDeque::new();
        for batch in batches {
            fresh.extend(batch.attributes);
            for (e, a, v) in batch.datoms {
                let e = bulk.entity(e);
                let slot = a as usize;
                if slot == bulk.attrs.len()
                    && let Some(a) = fresh.pop_front()
                {
                    bulk.attribute(a);
                }
                bulk.push(e, slot, v);
            }
        }
        bulk.finish()
    }

    /// Retracts then asserts, so a datom in both sets stays. Typical use: all datoms of a
    /// top-level form that changed are retracted and the new ones asserted. Only the runs of
    /// the touched attributes' indexes where the datoms fall are rewritten, never the whole
    /// store.
    pub fn transact(&mut self, retract: &[Datom], assert: &[Datom]) {
        let mut removed: BTreeMap<Id, Vec<(Id, Id)>> = BTreeMap::new();
        for d in retract {
            if let (Some(e), Some(a), Some(v)) = (
                self.table.get(&Value::Int(d.e as i64)),
                self.table.get(&Value::Keyword(d.a.clone())),
                self.table.get(&d.v),
            ) {
                removed.entry(a).or_default().push((e, v));
            }
        }
        let mut added: BTreeMap<Id, Vec<(Id, Id)>> = BTreeMap::new();
        for d in assert {
            let (e, a, v) = self.intern_datom(d);
            added.entry(a).or_default().push((e, v));
        }
        let mut touched: Vec<Id> = removed.keys().chain(added.keys()).copied().collect();
        touched.sort_unstable();
        touched.dedup();
        for a in touched {
            let mut gone = removed.remove(&a).unwrap_or_default();
            let mut new = added.remove(&a).unwrap_or_default();
            gone.sort_unstable();
            gone.dedup();
            new.sort_unstable();
            new.dedup();
            let index = self.attrs.entry(a).or_default();
            // Retract then assert: a datom in both stays, so only `gone - new` leaves, and only
            // the asserted datoms not already there arrive. Re-lowering an unchanged form is
            // then free.
            let gone: Vec<(Id, Id)> = gone
                .into_iter()
                .filter(|p| new.binary_search(p).is_err() && index.aev.contains(p))
                .collect();
            let new: Vec<(Id, Id)> = new.into_iter().filter(|p| !index.aev.contains(p)).collect();
            index.apply(&gone, &new);
            if index.stats.count == 0 {
                self.attrs.remove(&a);
            }
        }
    }

    /// Number of datoms.
    pub fn len(&self) -> usize {
        self.attrs.values().map(|i| i.stats.count).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.attrs.is_empty()
    }

    /// Every datom, sorted by attribute id then entity then value (not by name).
    pub fn datoms(&self) -> impl Iterator<Item = Datom> + '_ {
        self.attrs.iter().flat_map(move |(a, index)| {
            let a = match self.value(*a) {
                Value::Keyword(k) => k.clone(),
                other => Keyword::new(&other.to_string()),
            };
            index.aev.iter().map(move |&(e, v)| {
                let e = match self.value(e) {
                    Value::Int(i) => *i as u64,
                    _ => 0,
                };
                Datom::new(e, a.clone(), self.value(v).clone())
            })
        })
    }

    /// Planner statistics for an attribute, if any datom has it.
    pub fn stats(&self, attribute: &Keyword) -> Option<AttrStats> {
        let id = self.id(&Value::Keyword(attribute.clone()))?;
        self.attrs.get(&id).map(|i| i.stats)
    }

    /// Approximate heap size of values, ids and indexes, in bytes.
    pub fn heap_bytes(&self) -> usize {
        let indexes: usize = self
            .attrs
            .values()
            .map(|i| i.aev.heap_bytes() + i.ave.heap_bytes())
            .sum();
        indexes + self.table.heap_bytes()
    }

    fn intern_datom(&mut self, d: &Datom) -> (Id, Id, Id) {
        let e = self.table.intern(Value::Int(d.e as i64));
        let a = self.table.intern(Value::Keyword(d.a.clone()));
        let v = self.table.intern(d.v.clone());
        (e, a, v)
    }

    pub(crate) fn id(&self, v: &Value) -> Option<Id> {
        self.table.get(v)
    }

    pub(crate) fn value_count(&self) -> usize {
        self.table.values.len()
    }

    /// The value of an id below [`Db::value_count`].
    pub(crate) fn value(&self, id: Id) -> &Value {
        &self.table.values[id as usize]
    }

    pub(crate) fn attr(&self, id: Id) -> Option<&AttrIndex> {
        self.attrs.get(&id)
    }

    pub(crate) fn attrs(&self) -> impl Iterator<Item = (Id, &AttrIndex)> {
        self.attrs.iter().map(|(a, i)| (*a, i))
    }
}

#[cfg(test)]
mod tests {
    use super::{Db, Id, radix_sort};
    use edn::{Datom, Keyword, Symbol, Value};

    /// Every kind of value gets one id however it is interned (paged integer or not, a name's
    /// shared allocation or a fresh one with the same text), and comes back unchanged.
    #[test]
    fn interned_values_round_trip() {
        let values = [
            Value::Int(0),
            Value::Int(255),
            Value::Int(256),
            Value::Int(-5),
            Value::Int(1 << 41),
            Value::Int(i64::MAX),
            Value::Keyword(Keyword::new("k")),
            Value::Symbol(Symbol::new("k")),
            Value::Str("k".into()),
            Value::Float(2.5),
        ];
        let datoms: Vec<Datom> = values
            .iter()
            .enumerate()
            .map(|(n, v)| Datom::new(n as u64 + 300, Keyword::new("a"), v.clone()))
            .collect();
        let mut db = Db::from_datoms(datoms.clone());
        let mut back: Vec<Datom> = db.datoms().collect();
        back.sort();
        let mut expected = datoms.clone();
        expected.sort();
        assert_eq!(back, expected);
        for v in &values {
            // A fresh allocation of the same text finds the same id.
            let fresh = match v {
                Value::Keyword(k) => Value::Keyword(Keyword::new(k.as_str())),
                Value::Symbol(s) => Value::Symbol(Symbol::new(s.as_str())),
                other => other.clone(),
            };
            let id = db.id(&fresh).expect("interned");
            assert_eq!(db.value(id), v);
        }
        // Retracting through fresh values finds the datoms too.
        let fresh: Vec<Datom> = datoms
            .iter()
            .map(|d| Datom::new(d.e, Keyword::new("a"), d.v.clone()))
            .collect();
        db.transact(&fresh, &[]);
        assert!(db.is_empty());
    }

    /// A large bulk build holds what the same datoms asserted one transaction at a time hold,
    /// with the same statistics, and so does the build from numbered batches, ids included;
    /// large integers (entity ids, refs) and small ones get one id each.
    #[test]
    fn a_large_bulk_build_agrees_with_transactions() {
        let attrs: Vec<Keyword> = (0..9).map(|n| Keyword::new(&format!("a{n}"))).collect();
        let datoms: Vec<Datom> = (0..30_000u64)
            .flat_map(|n| {
                let e = ((n / 3) << 24) | (n % 3);
                let attrs = &attrs;
                (0..(n % 9) as usize + 1).map(move |k| {
                    let v = match k % 3 {
                        0 => Value::Int((e + k as u64) as i64),
                        1 => Value::Int((n % 500) as i64),
                        _ => Value::Symbol(Symbol::new(&format!("s{}", n % 700))),
                    };
                    Datom::new(e, attrs[k].clone(), v)
                })
            })
            .collect();
        let bulk = Db::from_datoms(datoms.clone());
        let mut one_by_one = Db::new();
        for chunk in datoms.chunks(1000) {
            one_by_one.transact(&[], chunk);
        }
        let sorted = |db: &Db| {
            let mut all: Vec<Datom> = db.datoms().collect();
            all.sort();
            all
        };
        let mut expected = datoms.clone();
        expected.sort();
        expected.dedup();
        assert_eq!(sorted(&bulk), expected);
        assert_eq!(sorted(&one_by_one), expected);
        for a in &attrs {
            assert_eq!(bulk.stats(a), one_by_one.stats(a), "{a}");
        }
        // Numbered in batches (attributes first seen in several of them), the same ids too.
        let mut numbers = super::AttrNumbers::default();
        let mut batches = Vec::new();
        for chunk in datoms.chunks(7) {
            for d in chunk {
                numbers.push(d.clone());
            }
            batches.push(numbers.take());
        }
        let numbered = Db::from_numbered(batches);
        assert!(numbered.datoms().eq(bulk.datoms()));
        for a in &attrs {
            assert_eq!(numbered.stats(a), bulk.stats(a), "{a}");
        }
        for d in &datoms {
            let e = bulk.id(&Value::Int(d.e as i64)).expect("entity interned");
            assert_eq!(bulk.value(e), &Value::Int(d.e as i64));
        }
    }

    #[test]
    fn radix_sort_agrees_with_the_comparison_sort() {
        // A deterministic scramble over several digit widths, with duplicates and zeros.
        for (n, modulus) in [
            (5000u64, 7u64),
            (9000, 70_000),
            (20_000, 5_000_000),
            (4096, 1),
        ] {
            let pairs: Vec<(Id, Id)> = (0..n)
                .map(|i| {
                    let x = i.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 7;
                    ((x % modulus) as Id, ((x >> 20) % (modulus + 3)) as Id)
                })
                .collect();
            let mut expected = pairs.clone();
            expected.sort_unstable();
            let mut got = pairs;
            radix_sort(&mut got);
            assert_eq!(got, expected, "{n} pairs below {modulus}");
        }
    }

    /// The runs of a set under edits hold exactly the model's pairs, in order, each key's pairs
    /// in one run, and runs stay near their length: checked on sets large enough for many runs,
    /// with keys both spread and crowded (a key with thousands of pairs).
    mod runs {
        use std::collections::BTreeSet;

        use proptest::prelude::*;

        use super::super::{Id, RUN, Runs};

        fn check(runs: &Runs, model: &BTreeSet<(Id, Id)>) -> Result<(), TestCaseError> {
            let got: Vec<(Id, Id)> = runs.iter().copied().collect();
            let want: Vec<(Id, Id)> = model.iter().copied().collect();
            prop_assert_eq!(&got, &want);
            prop_assert_eq!(runs.len(), model.len());
            for (n, run) in runs.runs().iter().enumerate() {
                prop_assert!(!run.is_empty(), "run {} is empty", n);
                if let Some(next) = runs.runs().get(n + 1) {
                    prop_assert!(run.last().map(|p| p.0) < next.first().map(|p| p.0));
                }
                // Long only by as much as a key whose pairs cannot be split.
                let largest = run
                    .chunk_by(|a, b| a.0 == b.0)
                    .map(<[(Id, Id)]>::len)
                    .max()
                    .unwrap_or(0);
                prop_assert!(
                    run.len() <= 2 * RUN + largest,
                    "run {} has {} pairs",
                    n,
                    run.len()
                );
            }
            let keys: BTreeSet<Id> = model.iter().map(|p| p.0).collect();
            for k in keys.iter().copied().chain([0, Id::MAX]) {
                let want: Vec<(Id, Id)> = model.range((k, 0)..=(k, Id::MAX)).copied().collect();
                prop_assert_eq!(runs.range(k), &want[..]);
            }
            Ok(())
        }

        /// An edit rewrites only the runs its pairs fall in: in a set of 200,000 pairs (about
        /// 400 runs), retracting one entity's pairs mid-set and asserting a new entity's at the
        /// end leaves every other run's allocation untouched. (One sorted vector, as the indexes
        /// were, moved every pair after the first edited one.)
        #[test]
        fn an_edit_touches_only_its_runs() {
            let pairs: Vec<(Id, Id)> = (0..50_000)
                .flat_map(|e| (0..4).map(move |v| (e, v)))
                .collect();
            let mut runs = Runs::from_sorted(pairs);
            let before: Vec<*const (Id, Id)> = runs.runs().iter().map(|r| r.as_ptr()).collect();
            assert!(before.len() > 300, "{} runs", before.len());
            let gone: Vec<(Id, Id)> = (0..4).map(|v| (25_000, v)).collect();
            let new: Vec<(Id, Id)> = (0..4).map(|v| (60_000, v)).collect();
            runs.edit(&gone, &new);
            let after: Vec<*const (Id, Id)> = runs.runs().iter().map(|r| r.as_ptr()).collect();
            assert_eq!(after.len(), before.len());
            let moved = before.iter().zip(&after).filter(|(b, a)| b != a).count();
            assert!(moved <= 2, "{moved} runs reallocated");
            assert_eq!(runs.len(), 200_000);
            assert!(runs.range(25_000).is_empty());
            assert_eq!(runs.range(60_000).len(), 4);
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(48))]
            #[test]
            fn edits_agree_with_a_set(
                keys in prop_oneof![Just(3 as Id), Just(50), Just(100_000)],
                seed in any::<u64>(),
                steps in 1..12usize,
            ) {
                let mut rng = seed;
                let mut next = move |bound: u64| {
                    rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    (rng >> 33) % bound.max(1)
                };
                let mut model: BTreeSet<(Id, Id)> = (0..next(5000))
                    .map(|_| (next(u64::from(keys)) as Id, next(4000) as Id))
                    .collect();
                let mut runs = Runs::from_sorted(model.iter().copied().collect());
                check(&runs, &model)?;
                for _ in 0..steps {
                    // Remove a random share of the pairs, then add some, in one edit or two.
                    let share = next(4) + 1;
                    let gone: Vec<(Id, Id)> =
                        model.iter().copied().filter(|_| next(8) < share).collect();
                    let mut new: BTreeSet<(Id, Id)> = BTreeSet::new();
                    for _ in 0..next(3000) {
                        let p = (next(u64::from(keys)) as Id, next(4000) as Id);
                        if !model.contains(&p) {
                            new.insert(p);
                        }
                    }
                    let new: Vec<(Id, Id)> = new.into_iter().collect();
                    runs.edit(&gone, &new);
                    for p in &gone {
                        model.remove(p);
                    }
                    model.extend(new);
                    check(&runs, &model)?;
                }
            }
        }
    }
}
