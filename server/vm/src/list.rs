//! Lists: cons cells that share their tails, so `first`, `rest`, `next`, `cons`, `count` and
//! `empty?` are O(1) whatever the length, and a list kept while its tails are consed onto (a
//! backtracking search keeps every version) shares instead of copying.
//!
//! Each cell records the length and the nesting-depth bound of the list it heads, both computed
//! from its element and its tail, so neither is ever recounted. Nothing walks a list by recursion
//! on its length: iteration is a loop along the cells, and dropping frees the cells a list alone
//! holds in a loop (a long list dropped by the default, recursive `Drop` would overflow the
//! host's stack). Cells are immutable once shared, so a list can never form a cycle: a new cell
//! can only point at cells that already exist.

use std::rc::Rc;

use imbl::Vector;

use crate::error::Error;
use crate::value::{Value, element_depth};

/// A persistent list: the empty list, or a cell holding the first element and the rest.
#[derive(Clone, Debug, Default)]
pub struct List {
    head: Option<Rc<Cell>>,
}

#[derive(Debug)]
struct Cell {
    first: Value,
    rest: List,
    /// Elements in the list this cell heads (so at least 1). 32 bits keep a cell at 40 bytes
    /// (56 with its counts, one allocator size class below 64); the collection limit and the
    /// memory budget stop a list long before 2^32 cells.
    len: u32,
    /// Bound on the nesting depth of the list this cell heads.
    depth: u32,
}

impl List {
    pub fn new() -> List {
        List { head: None }
    }

    pub fn len(&self) -> usize {
        self.head.as_ref().map_or(0, |c| c.len as usize)
    }

    pub fn is_empty(&self) -> bool {
        self.head.is_none()
    }

    /// Bound on the nesting depth: 1 for the empty list, as for any collection.
    pub fn depth(&self) -> u32 {
        self.head.as_ref().map_or(1, |c| c.depth)
    }

    pub fn first(&self) -> Option<&Value> {
        self.head.as_ref().map(|c| &c.first)
    }

    /// The list after the first element (empty for the empty list): shares the cells.
    pub fn rest(&self) -> List {
        self.head
            .as_ref()
            .map_or_else(List::new, |c| c.rest.clone())
    }

    /// `x` in front of this list. Refuses to nest past [`crate::value::MAX_DEPTH`]; the
    /// caller checks the length against its limits.
    pub fn cons(&self, x: Value) -> Result<List, Error> {
        let depth = element_depth(&x)?.max(self.depth());
        Ok(List {
            head: Some(Rc::new(Cell {
                first: x,
                len: self.head.as_ref().map_or(1, |c| c.len.saturating_add(1)),
                depth,
                rest: self.clone(),
            })),
        })
    }

    /// Removes the first element in place. A cell nothing else holds is taken apart (its
    /// element moves out); a shared one is left to its other owners and its element cloned.
    pub fn pop_front(&mut self) -> Option<Value> {
        let cell = self.head.take()?;
        match Rc::try_unwrap(cell) {
            Ok(mut c) => {
                self.head = c.rest.head.take();
                Some(std::mem::replace(&mut c.first, Value::Nil))
            }
            Err(shared) => {
                self.head = shared.rest.head.clone();
                Some(shared.first.clone())
            }
        }
    }

    /// A list of `items` in order, built from the back: one cell per element, each depth
    /// checked.
    pub fn from_items<I>(items: I) -> Result<List, Error>
    where
        I: IntoIterator<Item = Value>,
        I::IntoIter: DoubleEndedIterator,
    {
        let mut list = List::new();
        for x in items.into_iter().rev() {
            list = list.cons(x)?;
        }
        Ok(list)
    }

    pub fn iter(&self) -> Iter<'_> {
        Iter {
            next: self.head.as_deref(),
        }
    }

    /// The elements as a vector (a copy of the references, O(n)).
    pub fn to_vector(&self) -> Vector<Value> {
        self.iter().cloned().collect()
    }

    /// Whether both are the same cells (so equal without reading them).
    pub fn ptr_eq(&self, other: &List) -> bool {
        match (&self.head, &other.head) {
            (Some(a), Some(b)) => Rc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        }
    }

    /// The address of the first cell, identifying a list for sharing in saved states (`None`
    /// for the empty list).
    pub fn addr(&self) -> Option<usize> {
        self.head.as_ref().map(|c| Rc::as_ptr(c) as usize)
    }
}

/// A cell is freed when its last holder lets go; it then frees, in a loop, the cells of its tail
/// that it alone held. The impl is on the cell, not on [`List`], so dropping a value that holds a
/// list is a reference-count decrement like any other `Rc` (an impl on `List` made every
/// `Value`'s drop glue larger: 2-4% more instructions on programs without lists).
impl Drop for Cell {
    fn drop(&mut self) {
        let mut next = self.rest.head.take();
        while let Some(cell) = next {
            match Rc::try_unwrap(cell) {
                // Its tail is taken before it drops, so that drop finds nothing to follow.
                Ok(mut c) => next = c.rest.head.take(),
                // Someone else holds the rest from here on: it stays theirs.
                Err(_) => break,
            }
        }
    }
}

/// The elements of a [`List`], front to back.
#[derive(Clone)]
pub struct Iter<'a> {
    next: Option<&'a Cell>,
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a Value;

    fn next(&mut self) -> Option<&'a Value> {
        let c = self.next?;
        self.next = c.rest.head.as_deref();
        Some(&c.first)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.next.map_or(0, |c| c.len as usize);
        (n, Some(n))
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a List {
    type Item = &'a Value;
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use std::hash::{Hash, Hasher};

    use proptest::prelude::*;

    use super::*;
    use crate::value::MAX_DEPTH;

    fn ints(l: &List) -> Vec<i64> {
        l.iter()
            .map(|v| match v {
                Value::Int(i) => *i,
                _ => -1,
            })
            .collect()
    }

    #[test]
    fn a_cell_is_five_words() {
        assert_eq!(std::mem::size_of::<Cell>(), 40);
    }

    #[test]
    fn cons_first_rest_count_share_tails() {
        let empty = List::new();
        let a = empty
            .cons(Value::Int(3))
            .and_then(|l| l.cons(Value::Int(2)));
        let Ok(a) = a else { panic!("cons failed") };
        let Ok(b) = a.cons(Value::Int(1)) else {
            panic!("cons failed")
        };
        assert_eq!(ints(&b), [1, 2, 3]);
        assert_eq!((b.len(), a.len(), empty.len()), (3, 2, 0));
        assert!(b.rest().ptr_eq(&a));
        assert_eq!(b.first().cloned(), Some(Value::Int(1)));
        assert!(empty.first().is_none() && empty.rest().is_empty());
        assert_eq!((empty.depth(), b.depth()), (1, 1));
    }

    #[test]
    fn pop_front_takes_unshared_cells_and_keeps_shared_ones() {
        let Ok(mut a) = List::from_items((1..=3).map(Value::Int)) else {
            panic!("build failed")
        };
        let kept = a.clone();
        assert_eq!(a.pop_front(), Some(Value::Int(1)));
        assert_eq!(ints(&a), [2, 3]);
        assert_eq!(ints(&kept), [1, 2, 3]);
        drop(kept);
        assert_eq!(a.pop_front(), Some(Value::Int(2)));
        assert_eq!(a.pop_front(), Some(Value::Int(3)));
        assert_eq!(a.pop_front(), None);
    }

    #[test]
    fn depth_bound_comes_from_the_element_and_the_tail() {
        let mut nested = Value::List(List::new());
        for _ in 1..MAX_DEPTH {
            let Ok(l) = List::new().cons(nested) else {
                panic!("nesting under the limit refused")
            };
            nested = Value::List(l);
        }
        assert_eq!(nested.depth(), MAX_DEPTH);
        assert!(List::new().cons(nested.clone()).is_err());
        let Ok(l) = List::new().cons(Value::Int(1)) else {
            panic!("cons failed")
        };
        assert_eq!(l.depth(), 1);
    }

    #[derive(Debug, Clone)]
    enum Op {
        Cons(i64),
        Rest,
        Pop,
        /// Keep a copy of the current list (a version the program holds).
        Keep,
        /// Continue from a kept version.
        Back(usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => any::<i64>().prop_map(Op::Cons),
            2 => Just(Op::Rest),
            2 => Just(Op::Pop),
            1 => Just(Op::Keep),
            1 => any::<usize>().prop_map(Op::Back),
        ]
    }

    proptest! {
        /// Every operation agrees with a `Vec` model, on the current list and on every kept
        /// version (sharing never lets one version change another), and a list equals and
        /// hashes as the vector of its elements.
        #[test]
        fn lists_behave_as_vectors_of_their_elements(ops in proptest::collection::vec(op(), 0..60)) {
            let mut cur = (List::new(), Vec::<i64>::new());
            let mut kept: Vec<(List, Vec<i64>)> = Vec::new();
            for o in ops {
                match o {
                    Op::Cons(x) => {
                        cur.0 = cur.0.cons(Value::Int(x)).map_err(|e| TestCaseError::fail(e.to_string()))?;
                        cur.1.insert(0, x);
                    }
                    Op::Rest => {
                        cur.0 = cur.0.rest();
                        if !cur.1.is_empty() {
                            cur.1.remove(0);
                        }
                    }
                    Op::Pop => {
                        let got = cur.0.pop_front();
                        let want = (!cur.1.is_empty()).then(|| Value::Int(cur.1.remove(0)));
                        prop_assert_eq!(got, want);
                    }
                    Op::Keep => kept.push(cur.clone()),
                    Op::Back(i) if !kept.is_empty() => cur = kept[i % kept.len()].clone(),
                    Op::Back(_) => {}
                }
                prop_assert_eq!(cur.0.len(), cur.1.len());
                prop_assert_eq!(cur.0.first().cloned(), cur.1.first().map(|x| Value::Int(*x)));
            }
            kept.push(cur);
            for (l, model) in &kept {
                prop_assert_eq!(&ints(l), model);
                let as_list = Value::List(l.clone());
                let as_vector = Value::vector(model.iter().map(|x| Value::Int(*x)).collect())
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(&as_list, &as_vector);
                let hash = |v: &Value| {
                    let mut h = std::hash::DefaultHasher::new();
                    v.hash(&mut h);
                    h.finish()
                };
                prop_assert_eq!(hash(&as_list), hash(&as_vector));
            }
        }
    }

    #[test]
    fn a_million_cells_drop_without_recursion() {
        let mut l = List::new();
        for i in 0..1_000_000 {
            let Ok(next) = l.cons(Value::Int(i)) else {
                panic!("cons failed")
            };
            l = next;
        }
        assert_eq!(l.len(), 1_000_000);
        // A shared middle survives the front's drop.
        let mut middle = l.clone();
        for _ in 0..500_000 {
            middle.pop_front();
        }
        drop(l);
        assert_eq!(middle.len(), 500_000);
        assert_eq!(middle.first().cloned(), Some(Value::Int(499_999)));
        drop(middle);
    }
}
