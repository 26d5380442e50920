//! The hash array mapped trie behind yin's maps and sets.
//!
//! A persistent table from keys to values, each entry tagged with the sequence number of its
//! insertion (maps and sets print in insertion order). Built for what a yin program does with
//! maps: many small maps, and `assoc` in a loop on a map the program keeps no older version of.
//!
//! - Nodes are bitmap-indexed arrays of only their occupied children (`Rc<[Child]>`, one
//!   allocation), as Clojure's `BitmapIndexedNode`: a map of three entries is one node of three
//!   children, and an update copies the path's occupied slots, not 32-slot arrays.
//! - Entries sit behind their own `Rc`, so copying a node is one reference count per child
//!   whatever the keys and values hold. The counts are `Rc`, not `Arc`: a machine state belongs
//!   to one thread (docs/vm.md).
//! - Keys are hashed once, with a fast multiplicative hash ([`hash_of`]), and the 64-bit hash is
//!   kept in the entry, so splitting a slot never hashes a key again. Keys whose hashes are equal
//!   in all 64 bits share a collision node compared with `=`.
//!
//! The trie's depth is bounded by the hash width (13 levels of 5 bits), never by the data, so the
//! recursive functions here cannot be driven deep by a program.

use std::hash::{Hash, Hasher};
use std::rc::Rc;

use rustc_hash::FxHasher;

use crate::value::Value;

/// Bits of the hash consumed per level.
const BITS: u32 = 5;

/// One entry: a key, its value and when it was first inserted.
#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) key: Value,
    pub(crate) val: Value,
    pub(crate) seq: u64,
    hash: u64,
}

#[derive(Clone, Debug)]
enum Child {
    Leaf(Rc<Entry>),
    Branch(Branch),
    /// Entries whose 64-bit hashes are all equal.
    Collision(Rc<[Rc<Entry>]>),
    /// What an in-place update leaves behind in a node it moved the children out of, just
    /// before that node is dropped (see [`grown`]); never part of a trie a reader sees.
    Vacant,
}

/// A node: which of the 32 slots are occupied, and their children in slot order.
#[derive(Clone, Debug)]
struct Branch {
    bitmap: u32,
    children: Rc<[Child]>,
}

/// The trie: a root node and the number of entries.
#[derive(Clone, Debug)]
pub(crate) struct Hamt {
    root: Branch,
    len: usize,
}

impl Default for Hamt {
    fn default() -> Hamt {
        Hamt {
            root: Branch {
                bitmap: 0,
                children: Rc::from([]),
            },
            len: 0,
        }
    }
}

/// A fast hash of a value, consistent with `=` (it feeds `Value`'s `Hash` impl to rustc's
/// `FxHasher`, then mixes the high bits down, as the trie reads the low bits first).
pub(crate) fn hash_of(v: &Value) -> u64 {
    let mut h = FxHasher::default();
    v.hash(&mut h);
    let x = h.finish();
    (x ^ (x >> 29) ^ (x >> 47)).wrapping_mul(0x94d0_49bb_1331_11eb)
}

fn slot(hash: u64, shift: u32) -> u32 {
    ((hash >> shift) & 0x1f) as u32
}

/// Index in `children` of the child for slot `bit` (a one-bit mask).
fn index(bitmap: u32, bit: u32) -> usize {
    (bitmap & (bit - 1)).count_ones() as usize
}

fn replaced(children: &[Child], at: usize, child: Child) -> Rc<[Child]> {
    children
        .iter()
        .enumerate()
        .map(|(i, c)| if i == at { child.clone() } else { c.clone() })
        .collect()
}

fn inserted(children: &[Child], at: usize, child: Child) -> Rc<[Child]> {
    children[..at]
        .iter()
        .cloned()
        .chain(std::iter::once(child))
        .chain(children[at..].iter().cloned())
        .collect()
}

/// [`inserted`] for a node nothing else holds: the children are moved, not cloned, so growing a
/// node touches no entry's reference count (each one a likely cache miss in a large map) and
/// dropping the old node has nothing left to release.
fn grown(old: &mut [Child], at: usize, child: Child) -> Rc<[Child]> {
    let (before, after) = old.split_at_mut(at);
    let vacate = |c: &mut Child| std::mem::replace(c, Child::Vacant);
    before
        .iter_mut()
        .map(vacate)
        .chain(std::iter::once(child))
        .chain(after.iter_mut().map(vacate))
        .collect()
}

fn removed(children: &[Child], at: usize) -> Rc<[Child]> {
    children[..at]
        .iter()
        .chain(&children[at + 1..])
        .cloned()
        .collect()
}

/// A child holding two entries whose hashes differ somewhere at or after `shift`.
fn split(a: Rc<Entry>, b: Rc<Entry>, shift: u32) -> Child {
    if shift >= 64 {
        return Child::Collision(Rc::from([a, b]));
    }
    let (sa, sb) = (slot(a.hash, shift), slot(b.hash, shift));
    if sa == sb {
        let child = split(a, b, shift + BITS);
        return Child::Branch(Branch {
            bitmap: 1 << sa,
            children: Rc::from([child]),
        });
    }
    let (bitmap, children): (u32, Rc<[Child]>) = if sa < sb {
        (
            (1 << sa) | (1 << sb),
            Rc::from([Child::Leaf(a), Child::Leaf(b)]),
        )
    } else {
        (
            (1 << sa) | (1 << sb),
            Rc::from([Child::Leaf(b), Child::Leaf(a)]),
        )
    };
    Child::Branch(Branch { bitmap, children })
}

/// A collision node with `key` set to `val`.
fn collision_insert(
    es: &[Rc<Entry>],
    key: Value,
    val: Value,
    hash: u64,
    seq: u64,
) -> (Child, Inserted) {
    match es.iter().position(|e| e.key == key) {
        Some(i) => {
            let seq = es[i].seq;
            let leaf = Rc::new(Entry {
                key,
                val,
                seq,
                hash,
            });
            let es = es
                .iter()
                .enumerate()
                .map(|(j, e)| if j == i { leaf.clone() } else { e.clone() })
                .collect();
            (Child::Collision(es), Inserted::Replaced)
        }
        None => {
            let leaf = Rc::new(Entry {
                key,
                val,
                seq,
                hash,
            });
            let es = es.iter().cloned().chain(std::iter::once(leaf)).collect();
            (Child::Collision(es), Inserted::Added)
        }
    }
}

/// What an insertion did.
enum Inserted {
    /// The key was new.
    Added,
    /// The key was there; its value was replaced (the sequence number kept).
    Replaced,
}

impl Branch {
    fn get(&self, key: &Value, hash: u64, shift: u32) -> Option<&Rc<Entry>> {
        let bit = 1 << slot(hash, shift);
        if self.bitmap & bit == 0 {
            return None;
        }
        match &self.children[index(self.bitmap, bit)] {
            Child::Leaf(e) => (e.hash == hash && e.key == *key).then_some(e),
            Child::Branch(b) => b.get(key, hash, shift + BITS),
            Child::Collision(es) => es.iter().find(|e| e.key == *key),
            Child::Vacant => None,
        }
    }

    /// This node with `key` set to `val`. `seq` numbers a new key.
    fn insert(
        &self,
        key: Value,
        val: Value,
        hash: u64,
        seq: u64,
        shift: u32,
    ) -> (Branch, Inserted) {
        let bit = 1 << slot(hash, shift);
        let at = index(self.bitmap, bit);
        if self.bitmap & bit == 0 {
            let leaf = Child::Leaf(Rc::new(Entry {
                key,
                val,
                seq,
                hash,
            }));
            let node = Branch {
                bitmap: self.bitmap | bit,
                children: inserted(&self.children, at, leaf),
            };
            return (node, Inserted::Added);
        }
        let (child, how) = match &self.children[at] {
            Child::Leaf(e) if e.hash == hash && e.key == key => {
                let seq = e.seq;
                let leaf = Rc::new(Entry {
                    key,
                    val,
                    seq,
                    hash,
                });
                (Child::Leaf(leaf), Inserted::Replaced)
            }
            Child::Leaf(e) => {
                let leaf = Rc::new(Entry {
                    key,
                    val,
                    seq,
                    hash,
                });
                (split(e.clone(), leaf, shift + BITS), Inserted::Added)
            }
            Child::Branch(b) => {
                let (b, how) = b.insert(key, val, hash, seq, shift + BITS);
                (Child::Branch(b), how)
            }
            Child::Collision(es) => collision_insert(es, key, val, hash, seq),
            Child::Vacant => (
                Child::Leaf(Rc::new(Entry {
                    key,
                    val,
                    seq,
                    hash,
                })),
                Inserted::Added,
            ),
        };
        let node = Branch {
            bitmap: self.bitmap,
            children: replaced(&self.children, at, child),
        };
        (node, how)
    }

    /// This node without `key`, or `None` when it is not there. A branch left with one leaf
    /// becomes that leaf in its parent, so a trie's shape does not depend on its history of
    /// removals more than it must.
    fn remove(&self, key: &Value, hash: u64, shift: u32) -> Option<Branch> {
        let bit = 1 << slot(hash, shift);
        if self.bitmap & bit == 0 {
            return None;
        }
        let at = index(self.bitmap, bit);
        let child = match &self.children[at] {
            Child::Leaf(e) if e.hash == hash && e.key == *key => None,
            Child::Leaf(_) | Child::Vacant => return None,
            Child::Branch(b) => {
                let b = b.remove(key, hash, shift + BITS)?;
                match &*b.children {
                    [] => None,
                    [Child::Leaf(e)] => Some(Child::Leaf(e.clone())),
                    _ => Some(Child::Branch(b)),
                }
            }
            Child::Collision(es) => {
                let i = es.iter().position(|e| e.key == *key)?;
                let rest: Vec<Rc<Entry>> = es
                    .iter()
                    .enumerate()
                    .filter(|&(j, _)| j != i)
                    .map(|(_, e)| e.clone())
                    .collect();
                match rest.as_slice() {
                    [one] => Some(Child::Leaf(one.clone())),
                    _ => Some(Child::Collision(Rc::from(rest))),
                }
            }
        };
        Some(match child {
            Some(child) => Branch {
                bitmap: self.bitmap,
                children: replaced(&self.children, at, child),
            },
            None => Branch {
                bitmap: self.bitmap & !bit,
                children: removed(&self.children, at),
            },
        })
    }
}

impl Branch {
    /// [`Branch::insert`] in place: nodes nothing else shares are updated where they lie, so
    /// an `assoc` on a map no older version of which is kept copies nothing but the one node
    /// that grows. A shared node is copied as the persistent insert does.
    fn insert_mut(&mut self, key: Value, val: Value, hash: u64, seq: u64, shift: u32) -> Inserted {
        let bit = 1 << slot(hash, shift);
        let at = index(self.bitmap, bit);
        if self.bitmap & bit == 0 {
            let leaf = Child::Leaf(Rc::new(Entry {
                key,
                val,
                seq,
                hash,
            }));
            self.children = match Rc::get_mut(&mut self.children) {
                Some(old) => grown(old, at, leaf),
                None => inserted(&self.children, at, leaf),
            };
            self.bitmap |= bit;
            return Inserted::Added;
        }
        let Some(children) = Rc::get_mut(&mut self.children) else {
            let (node, how) = self.insert(key, val, hash, seq, shift);
            *self = node;
            return how;
        };
        let (child, how) = match &mut children[at] {
            Child::Branch(b) => return b.insert_mut(key, val, hash, seq, shift + BITS),
            Child::Leaf(e) if e.hash == hash && e.key == key => {
                let seq = e.seq;
                match Rc::get_mut(e) {
                    Some(entry) => {
                        entry.val = val;
                        return Inserted::Replaced;
                    }
                    None => (
                        Child::Leaf(Rc::new(Entry {
                            key,
                            val,
                            seq,
                            hash,
                        })),
                        Inserted::Replaced,
                    ),
                }
            }
            Child::Leaf(_) => {
                let leaf = Rc::new(Entry {
                    key,
                    val,
                    seq,
                    hash,
                });
                let Child::Leaf(old) = std::mem::replace(&mut children[at], Child::Vacant) else {
                    return Inserted::Added;
                };
                (split(old, leaf, shift + BITS), Inserted::Added)
            }
            Child::Collision(es) => collision_insert(es, key, val, hash, seq),
            Child::Vacant => (
                Child::Leaf(Rc::new(Entry {
                    key,
                    val,
                    seq,
                    hash,
                })),
                Inserted::Added,
            ),
        };
        children[at] = child;
        how
    }
}

impl Hamt {
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn get(&self, key: &Value) -> Option<&Entry> {
        if self.len == 0 {
            return None;
        }
        self.root.get(key, hash_of(key), 0).map(|e| &**e)
    }

    /// The trie with `key` set to `val`, and whether the key is new. A new key is numbered `seq`;
    /// a key already there keeps its number.
    pub(crate) fn insert(&self, key: Value, val: Value, seq: u64) -> (Hamt, bool) {
        let hash = hash_of(&key);
        let (root, how) = self.root.insert(key, val, hash, seq, 0);
        let added = matches!(how, Inserted::Added);
        let len = self.len + usize::from(added);
        (Hamt { root, len }, added)
    }

    /// [`Hamt::insert`] in place (see [`Branch::insert_mut`]); whether the key is new.
    pub(crate) fn insert_mut(&mut self, key: Value, val: Value, seq: u64) -> bool {
        let hash = hash_of(&key);
        let added = matches!(
            self.root.insert_mut(key, val, hash, seq, 0),
            Inserted::Added
        );
        self.len += usize::from(added);
        added
    }

    /// The trie without `key`, or `None` when it has no such key.
    pub(crate) fn remove(&self, key: &Value) -> Option<Hamt> {
        if self.len == 0 {
            return None;
        }
        let root = self.root.remove(key, hash_of(key), 0)?;
        Some(Hamt {
            root,
            len: self.len - 1,
        })
    }

    /// Every entry, in no particular order.
    pub(crate) fn entries(&self) -> Entries<'_> {
        Entries {
            stack: vec![self.root.children.iter()],
            collision: [].iter(),
        }
    }

    /// Every entry in insertion order (sorted by sequence number: O(n log n), which printing
    /// and walking a map in order can afford and `assoc` then never pays).
    pub(crate) fn in_order(&self) -> Vec<&Entry> {
        let mut all: Vec<&Entry> = self.entries().collect();
        all.sort_unstable_by_key(|e| e.seq);
        all
    }
}

/// The entries of a trie, depth first with an explicit stack.
pub(crate) struct Entries<'a> {
    stack: Vec<std::slice::Iter<'a, Child>>,
    collision: std::slice::Iter<'a, Rc<Entry>>,
}

impl<'a> Iterator for Entries<'a> {
    type Item = &'a Entry;

    fn next(&mut self) -> Option<&'a Entry> {
        loop {
            if let Some(e) = self.collision.next() {
                return Some(e);
            }
            let top = self.stack.last_mut()?;
            match top.next() {
                None => {
                    self.stack.pop();
                }
                Some(Child::Leaf(e)) => return Some(e),
                Some(Child::Branch(b)) => self.stack.push(b.children.iter()),
                Some(Child::Collision(es)) => self.collision = es.iter(),
                Some(Child::Vacant) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// Keys whose hashes collide in all 64 bits are rare; a key space of small integers and
    /// short strings exercises splits several levels deep and the collision nodes only through
    /// `split` at shift 64, which `forced_collisions` covers.
    fn key(k: i64) -> Value {
        if k % 3 == 0 {
            Value::str(&format!("k{k}"))
        } else {
            Value::Int(k)
        }
    }

    proptest! {
        /// Against a `BTreeMap` model: every insert and remove, then lookups, length, and the
        /// insertion order.
        #[test]
        fn agrees_with_a_model(ops in proptest::collection::vec((any::<bool>(), 0i64..200, 0i64..5), 0..400)) {
            let mut t = Hamt::default();
            let mut model: BTreeMap<i64, (u64, i64)> = BTreeMap::new();
            let mut next = 0u64;
            for (insert, k, v) in ops {
                if insert && v % 2 == 0 {
                    // In place, while an older version is kept: it must not change.
                    let before = t.clone();
                    let before_len = before.len();
                    let added = t.insert_mut(key(k), Value::Int(v), next);
                    prop_assert_eq!(added, !model.contains_key(&k));
                    prop_assert_eq!(before.len(), before_len);
                    prop_assert_eq!(before.entries().count(), before_len);
                    let seq = model.get(&k).map_or(next, |e| e.0);
                    model.insert(k, (seq, v));
                    if added { next += 1; }
                } else if insert {
                    let (t2, added) = t.insert(key(k), Value::Int(v), next);
                    prop_assert_eq!(added, !model.contains_key(&k));
                    let seq = model.get(&k).map_or(next, |e| e.0);
                    model.insert(k, (seq, v));
                    if added { next += 1; }
                    t = t2;
                } else {
                    let t2 = t.remove(&key(k));
                    prop_assert_eq!(t2.is_some(), model.remove(&k).is_some());
                    if let Some(t2) = t2 { t = t2; }
                }
                prop_assert_eq!(t.len(), model.len());
            }
            for k in 0..200 {
                let got = t.get(&key(k)).map(|e| (e.seq, e.val.clone()));
                let want = model.get(&k).map(|&(s, v)| (s, Value::Int(v)));
                prop_assert_eq!(got, want);
            }
            let mut order: Vec<(u64, i64)> = model.values().copied().collect();
            order.sort_unstable();
            let got: Vec<u64> = t.in_order().iter().map(|e| e.seq).collect();
            prop_assert_eq!(got, order.iter().map(|e| e.0).collect::<Vec<_>>());
            prop_assert_eq!(t.entries().count(), model.len());
        }
    }

    #[test]
    fn forced_collisions() {
        let e = |k: i64| {
            Rc::new(Entry {
                key: Value::Int(k),
                val: Value::Int(k * 10),
                seq: k as u64,
                hash: 7,
            })
        };
        let child = split(e(1), e(2), 0);
        let root = match child {
            Child::Branch(b) => b,
            other => panic!("expected a branch, got {other:?}"),
        };
        let found = root.get(&Value::Int(2), 7, 0).map(|x| x.val.clone());
        assert_eq!(found, Some(Value::Int(20)));
        let (root, how) = root.insert(Value::Int(3), Value::Int(30), 7, 3, 0);
        assert!(matches!(how, Inserted::Added));
        let kept = root.clone();
        let mut root = root;
        // In place on the collision node: a new key joins it, a known key keeps its number, and
        // the version kept before is unchanged.
        assert!(matches!(
            root.insert_mut(Value::Int(4), Value::Int(40), 7, 4, 0),
            Inserted::Added
        ));
        assert!(matches!(
            root.insert_mut(Value::Int(2), Value::Int(21), 7, 9, 0),
            Inserted::Replaced
        ));
        let seen = |b: &Branch, k: i64| b.get(&Value::Int(k), 7, 0).map(|e| (e.seq, e.val.clone()));
        assert_eq!(seen(&root, 4), Some((4, Value::Int(40))));
        assert_eq!(seen(&root, 2), Some((2, Value::Int(21))));
        assert_eq!(seen(&kept, 2), Some((2, Value::Int(20))));
        assert_eq!(seen(&kept, 4), None);
        let root = root.remove(&Value::Int(1), 7, 0).map(|b| b.children.len());
        assert_eq!(root, Some(1));
    }
}
