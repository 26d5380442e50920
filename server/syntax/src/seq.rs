//! A persistent sequence of pieces laid out along a text (a file's chunks, its top-level forms),
//! where every edit costs O(log n), whatever it moves.
//!
//! A text of 50,000 one-line forms has 50,000 chunks and 50,000 forms. Kept in a `Vec` with
//! absolute starts, a keystroke that changes the text's length rewrote the start of every later
//! piece, spliced the vector, and a snapshot held by a request made the next edit copy it whole:
//! a keystroke's cost grew with the file. Here a piece's start is stored relative to its parent
//! in a balanced tree, so moving every later piece is one change near the root; nodes are shared
//! (`Arc`) between copies, so a copy costs nothing and an edit after it copies one path.
//!
//! The tree is a treap with implicit keys (ordered by position, balanced by random priorities):
//! split and merge are its only structural operations, and a run of new pieces is built in
//! linear time (a Cartesian tree over their priorities). Its depth is O(log n) with high
//! probability whatever the text, since the priorities do not come from it; the recursive
//! operations recurse on that depth only. Each node sums its subtree: the number of pieces, how
//! many are flagged (a syntax error, a diagnostic: visited without walking the others), and where
//! its last piece starts and ends, so a search by offset or by key descends one path.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// A piece of a [`Seq`]: it covers `len()` bytes from where the sequence places it.
pub trait Piece: Clone {
    /// Length in bytes of the piece's text.
    fn extent(&self) -> usize;
    /// A number that increases along the sequence (0 when the sequence is not searched by key).
    fn key(&self) -> u64 {
        0
    }
    /// Whether [`Seq::flagged`] visits the piece.
    fn flagged(&self) -> bool {
        false
    }
    /// The piece as handed out, knowing where it starts (a stored piece's start is 0: the
    /// sequence places it).
    fn placed(&self, start: usize) -> Self;
}

/// The pieces of a sequence in order, each placed at its start ([`Piece::placed`]): what a
/// document hands out as its chunks and a lowering as its forms.
pub struct Placed<'a, T> {
    seq: &'a Seq<T>,
}

impl<T> Clone for Placed<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Placed<'_, T> {}

impl<'a, T: Piece> Placed<'a, T> {
    pub fn len(&self) -> usize {
        self.seq.len()
    }

    pub fn is_empty(&self) -> bool {
        self.seq.is_empty()
    }

    /// Piece `i`: O(log n).
    pub fn get(&self, i: usize) -> Option<T> {
        self.seq.get(i).map(|(start, piece)| piece.placed(start))
    }

    /// The pieces from `i` on.
    pub fn iter_from(self, i: usize) -> impl Iterator<Item = T> + 'a {
        self.seq
            .iter_from(i)
            .map(|(start, piece)| piece.placed(start))
    }

    pub fn iter(self) -> impl Iterator<Item = T> + 'a {
        self.iter_from(0)
    }

    /// The index of the first piece ending after `offset` (the length if none does).
    pub fn first_ending_after(&self, offset: usize) -> usize {
        self.seq.first(|_, end, _| end > offset)
    }
}

impl<'a, T: Piece + 'a> IntoIterator for Placed<'a, T> {
    type Item = T;
    type IntoIter = Box<dyn Iterator<Item = T> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

#[derive(Clone, Debug)]
struct Node<T> {
    piece: T,
    /// Where the piece starts, relative to where its parent's starts (a root's: absolute).
    at: i64,
    /// The subtree's last piece: its end relative to this node's start, and its key.
    last_end: i64,
    last_key: u64,
    /// The last piece's length (its start is `last_end - last_len`).
    last_len: u32,
    priority: u32,
    /// Pieces in the subtree (a text of at most 4 GiB holds fewer than 2^32), and flagged ones.
    count: u32,
    flagged: u32,
    left: Link<T>,
    right: Link<T>,
}

type Link<T> = Option<Arc<Node<T>>>;

/// A subtree on its own, with the absolute start of its root's piece.
type Tree<T> = Option<(Arc<Node<T>>, i64)>;

/// Pieces in text order, each with its start; cloning shares every node.
#[derive(Clone, Debug)]
pub struct Seq<T> {
    /// Its `at` is absolute.
    root: Link<T>,
}

impl<T> Default for Seq<T> {
    fn default() -> Seq<T> {
        Seq { root: None }
    }
}

/// A pseudo-random priority: splitmix64 of a counter. The shape of a tree never shows in what it
/// holds, so the numbers need only be independent of the text.
fn priority() -> u32 {
    static NEXT: AtomicU64 = AtomicU64::new(0x9E37_79B9_7F4A_7C15);
    let mut z = NEXT.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ((z ^ (z >> 31)) >> 32) as u32
}

fn offset(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A start or end as an offset in the text (never negative in a consistent sequence).
fn position(n: i64) -> usize {
    usize::try_from(n).unwrap_or(0)
}

fn count<T>(link: &Link<T>) -> usize {
    link.as_ref().map_or(0, |n| n.count as usize)
}

fn small(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl<T: Piece> Node<T> {
    /// Recomputes the sums from the piece and the children.
    fn refresh(&mut self) {
        self.count = small(1 + count(&self.left) + count(&self.right));
        self.flagged = u32::from(self.piece.flagged())
            .saturating_add(self.left.as_ref().map_or(0, |n| n.flagged))
            .saturating_add(self.right.as_ref().map_or(0, |n| n.flagged));
        (self.last_end, self.last_len, self.last_key) = match &self.right {
            Some(r) => (r.at + r.last_end, r.last_len, r.last_key),
            None => (
                offset(self.piece.extent()),
                small(self.piece.extent()),
                self.piece.key(),
            ),
        };
    }
}

/// A node for `piece` at absolute `at` over two subtrees (all of `left` before it, all of
/// `right` after).
fn make<T: Piece>(piece: T, at: i64, priority: u32, left: Tree<T>, right: Tree<T>) -> Arc<Node<T>> {
    let attach = |tree: Tree<T>| tree.map(|(node, start)| rebase(node, start - at));
    let mut node = Node {
        piece,
        at,
        priority,
        count: 0,
        flagged: 0,
        last_end: 0,
        last_len: 0,
        last_key: 0,
        left: attach(left),
        right: attach(right),
    };
    node.refresh();
    Arc::new(node)
}

/// `node` with its start relative to its (new) parent set to `at`; a copy only if it changes
/// and another tree shares the node.
fn rebase<T: Piece>(mut node: Arc<Node<T>>, at: i64) -> Arc<Node<T>> {
    if node.at != at {
        Arc::make_mut(&mut node).at = at;
    }
    node
}

/// The children of `node`, which starts at absolute `start`, as subtrees on their own.
fn children<T>(node: &Node<T>, start: i64) -> (Tree<T>, Tree<T>) {
    let detach = |link: &Link<T>| link.as_ref().map(|n| (n.clone(), start + n.at));
    (detach(&node.left), detach(&node.right))
}

/// The first `k` pieces of `tree`, and the others.
fn split<T: Piece>(tree: Tree<T>, k: usize) -> (Tree<T>, Tree<T>) {
    let Some((node, start)) = tree else {
        return (None, None);
    };
    if k == 0 {
        return (None, Some((node, start)));
    }
    if k >= node.count as usize {
        return (Some((node, start)), None);
    }
    let (left, right) = children(&node, start);
    let before = count(&node.left);
    if k <= before {
        let (a, b) = split(left, k);
        let rest = make(node.piece.clone(), start, node.priority, b, right);
        (a, Some((rest, start)))
    } else {
        let (a, b) = split(right, k - before - 1);
        let first = make(node.piece.clone(), start, node.priority, left, a);
        (Some((first, start)), b)
    }
}

/// `a`'s pieces, then `b`'s.
fn merge<T: Piece>(a: Tree<T>, b: Tree<T>) -> Tree<T> {
    match (a, b) {
        (None, tree) | (tree, None) => tree,
        (Some((x, x_start)), Some((y, y_start))) => {
            if x.priority >= y.priority {
                let (left, right) = children(&x, x_start);
                let right = merge(right, Some((y, y_start)));
                Some((
                    make(x.piece.clone(), x_start, x.priority, left, right),
                    x_start,
                ))
            } else {
                let (left, right) = children(&y, y_start);
                let left = merge(Some((x, x_start)), left);
                Some((
                    make(y.piece.clone(), y_start, y.priority, left, right),
                    y_start,
                ))
            }
        }
    }
}

/// A tree of `pieces` (in order, with their absolute starts), in linear time: the Cartesian
/// tree of fresh priorities, built along its right spine.
fn build<T: Piece>(pieces: impl IntoIterator<Item = (usize, T)>) -> Tree<T> {
    let mut spine: Vec<(T, i64, u32, Tree<T>)> = Vec::new();
    let close = |(piece, at, priority, left): (T, i64, u32, Tree<T>), right: Tree<T>| {
        Some((make(piece, at, priority, left, right), at))
    };
    for (start, piece) in pieces {
        let priority = priority();
        let mut last: Tree<T> = None;
        while spine.last().is_some_and(|top| top.2 < priority) {
            if let Some(top) = spine.pop() {
                last = close(top, last);
            }
        }
        spine.push((piece, offset(start), priority, last));
    }
    let mut last = None;
    while let Some(top) = spine.pop() {
        last = close(top, last);
    }
    last
}

/// Applies `f` to piece `i` of the subtree `link`, copying the path to it where it is shared.
fn update<T: Piece>(link: &mut Arc<Node<T>>, i: usize, f: impl FnOnce(&mut T)) {
    let node = Arc::make_mut(link);
    let before = count(&node.left);
    if i < before {
        if let Some(left) = node.left.as_mut() {
            update(left, i, f);
        }
    } else if i == before {
        f(&mut node.piece);
    } else if let Some(right) = node.right.as_mut() {
        update(right, i - before - 1, f);
    }
    node.refresh();
}

impl<T: Piece> Seq<T> {
    /// The sequence of `pieces`, in order, each with its absolute start.
    pub fn from_pieces(pieces: impl IntoIterator<Item = (usize, T)>) -> Seq<T> {
        Seq::from_tree(build(pieces))
    }

    fn from_tree(tree: Tree<T>) -> Seq<T> {
        Seq {
            root: tree.map(|(node, start)| rebase(node, start)),
        }
    }

    fn tree(&self) -> Tree<T> {
        self.root.as_ref().map(|n| (n.clone(), n.at))
    }

    pub fn len(&self) -> usize {
        count(&self.root)
    }

    pub fn is_empty(&self) -> bool {
        self.root.is_none()
    }

    /// How many pieces are flagged.
    pub fn flagged_count(&self) -> usize {
        self.root.as_ref().map_or(0, |n| n.flagged as usize)
    }

    /// Piece `i` with its start.
    pub fn get(&self, i: usize) -> Option<(usize, &T)> {
        self.descend(i, |_, _| {})
            .map(|(node, start)| (position(start), &node.piece))
    }

    /// Walks down to piece `i`: calls `went_left` with each node passed on the left (the nodes
    /// an in-order walk from `i` visits after it), and returns piece `i`'s node with its start.
    fn descend<'a>(
        &'a self,
        mut i: usize,
        mut went_left: impl FnMut(&'a Node<T>, i64),
    ) -> Option<(&'a Node<T>, i64)> {
        let mut link = self.root.as_deref();
        let mut base = 0;
        while let Some(node) = link {
            let start = base + node.at;
            let before = count(&node.left);
            if i < before {
                went_left(node, start);
                link = node.left.as_deref();
            } else if i == before {
                return Some((node, start));
            } else {
                i -= before + 1;
                link = node.right.as_deref();
            }
            base = start;
        }
        None
    }

    /// The first index whose piece satisfies `test(start, end, key)`, or the length if none
    /// does. `test` must be monotone along the sequence (false, then true), as "ends after x",
    /// "starts at or after x" or "key at least k" are.
    pub fn first(&self, test: impl Fn(usize, usize, u64) -> bool) -> usize {
        let mut link = self.root.as_deref();
        let mut base = 0;
        let mut index = 0;
        while let Some(node) = link {
            let start = base + node.at;
            if let Some(left) = node.left.as_deref() {
                let last_end = start + left.at + left.last_end;
                let last_start = last_end - i64::from(left.last_len);
                if test(position(last_start), position(last_end), left.last_key) {
                    link = Some(left);
                    base = start;
                    continue;
                }
                index += left.count as usize;
            }
            let end = start + offset(node.piece.extent());
            if test(position(start), position(end), node.piece.key()) {
                return index;
            }
            index += 1;
            link = node.right.as_deref();
            base = start;
        }
        index
    }

    /// The pieces from index `i` on, with their starts.
    pub fn iter_from(&self, i: usize) -> Iter<'_, T> {
        let mut stack = Vec::new();
        let found = self.descend(i, |node, start| stack.push((node, start)));
        stack.extend(found);
        Iter { stack }
    }

    pub fn iter(&self) -> Iter<'_, T> {
        self.iter_from(0)
    }

    /// The pieces placed at their starts, as a view.
    pub fn placed(&self) -> Placed<'_, T> {
        Placed { seq: self }
    }

    /// The flagged pieces with their starts, in order; costs O(k log n) for k of them.
    pub fn flagged(&self) -> Vec<(usize, &T)> {
        self.flagged_up_to(usize::MAX)
    }

    /// The first `limit` flagged pieces with their starts, in order; costs O(limit log n).
    pub fn flagged_up_to(&self, limit: usize) -> Vec<(usize, &T)> {
        let mut out = Vec::new();
        let mut stack: Vec<(&Node<T>, i64, bool)> = Vec::new();
        if let Some(root) = self.root.as_deref().filter(|n| n.flagged > 0) {
            stack.push((root, root.at, false));
        }
        while let Some((node, start, expanded)) = stack.pop() {
            if out.len() >= limit {
                break;
            }
            if expanded {
                out.push((position(start), &node.piece));
                continue;
            }
            if let Some(right) = node.right.as_deref().filter(|n| n.flagged > 0) {
                stack.push((right, start + right.at, false));
            }
            if node.piece.flagged() {
                stack.push((node, start, true));
            }
            if let Some(left) = node.left.as_deref().filter(|n| n.flagged > 0) {
                stack.push((left, start + left.at, false));
            }
        }
        out
    }

    /// Replaces pieces `from..to` by `new` (in order, with their absolute starts) and moves the
    /// pieces after them by `shift` bytes; returns the pieces replaced.
    pub fn splice(
        &mut self,
        from: usize,
        to: usize,
        new: impl IntoIterator<Item = (usize, T)>,
        shift: isize,
    ) -> Vec<T> {
        let to = to.max(from);
        let (before, rest) = split(self.tree(), from);
        let (removed, after) = split(rest, to - from);
        let removed = Seq::from_tree(removed)
            .iter()
            .map(|(_, p)| p.clone())
            .collect();
        let shift = i64::try_from(shift).unwrap_or(0);
        let after = after.map(|(node, start)| (node, start + shift));
        *self = Seq::from_tree(merge(merge(before, build(new)), after));
        removed
    }

    /// Applies `f` to piece `i` (it must not change the piece's length, key or flag); copies
    /// only the path to it where another sequence shares it.
    pub fn update(&mut self, i: usize, f: impl FnOnce(&mut T)) {
        if let Some(root) = self.root.as_mut() {
            update(root, i, f);
        }
    }
}

/// The pieces of a [`Seq`] in order, each with its start.
pub struct Iter<'a, T> {
    /// The nodes still to visit whose left subtree is done, the next on top.
    stack: Vec<(&'a Node<T>, i64)>,
}

impl<'a, T> Iterator for Iter<'a, T> {
    type Item = (usize, &'a T);

    fn next(&mut self) -> Option<(usize, &'a T)> {
        let (node, start) = self.stack.pop()?;
        let mut link = node.right.as_deref();
        let mut base = start;
        while let Some(next) = link {
            let next_start = base + next.at;
            self.stack.push((next, next_start));
            link = next.left.as_deref();
            base = next_start;
        }
        Some((position(start), &node.piece))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[derive(Clone, Debug, PartialEq)]
    struct P {
        len: usize,
        key: u64,
        flag: bool,
    }

    impl Piece for P {
        fn extent(&self) -> usize {
            self.len
        }
        fn key(&self) -> u64 {
            self.key
        }
        fn flagged(&self) -> bool {
            self.flag
        }
        fn placed(&self, _start: usize) -> P {
            self.clone()
        }
    }

    /// A model: pieces with absolute starts, gaps between them.
    fn layout(specs: &[(usize, usize, bool)], key_from: u64) -> Vec<(usize, P)> {
        let mut at = 0;
        specs
            .iter()
            .enumerate()
            .map(|(i, &(gap, len, flag))| {
                at += gap;
                let piece = (
                    at,
                    P {
                        len,
                        key: key_from + i as u64,
                        flag,
                    },
                );
                at += len;
                piece
            })
            .collect()
    }

    /// Checks `seq` against `model`; keys are compared only with `keys` (they must then
    /// increase along the model).
    fn check(seq: &Seq<P>, model: &[(usize, P)], keys: bool) -> Result<(), TestCaseError> {
        let all: Vec<(usize, P)> = seq.iter().map(|(s, p)| (s, p.clone())).collect();
        prop_assert_eq!(&all, model);
        prop_assert_eq!(seq.len(), model.len());
        for (i, (s, p)) in model.iter().enumerate() {
            prop_assert_eq!(seq.get(i), Some((*s, p)));
            let from: Vec<usize> = seq.iter_from(i).map(|(s, _)| s).collect();
            let expected: Vec<usize> = model[i..].iter().map(|(s, _)| *s).collect();
            prop_assert_eq!(from, expected);
            let end = s + p.len;
            prop_assert_eq!(
                seq.first(|_, e, _| e > *s),
                model.partition_point(|(s2, p2)| s2 + p2.len <= *s)
            );
            prop_assert_eq!(
                seq.first(|st, _, _| st >= end),
                model.partition_point(|(s2, _)| *s2 < end)
            );
            if keys {
                prop_assert_eq!(seq.first(|_, _, k| k >= p.key), i);
            }
        }
        let flagged: Vec<usize> = seq.flagged().into_iter().map(|(s, _)| s).collect();
        let expected: Vec<usize> = model
            .iter()
            .filter(|(_, p)| p.flag)
            .map(|(s, _)| *s)
            .collect();
        prop_assert_eq!(seq.flagged_count(), expected.len());
        prop_assert_eq!(flagged, expected);
        Ok(())
    }

    fn specs() -> impl Strategy<Value = Vec<(usize, usize, bool)>> {
        prop::collection::vec((0usize..3, 1usize..5, any::<bool>()), 0..40)
    }

    proptest! {
        #[test]
        fn splices_match_a_vector(
            initial in specs(),
            edits in prop::collection::vec((0usize..50, 0usize..50, specs(), -3isize..4), 0..8),
        ) {
            let mut model = layout(&initial, 0);
            let mut seq = Seq::from_pieces(model.clone());
            check(&seq, &model, true)?;
            let mut key = 1_000;
            for (a, b, new, shift) in edits {
                let (from, to) = (a.min(b).min(model.len()), a.max(b).min(model.len()));
                // The new pieces lie between the kept ones, the later ones moved by `shift`
                // (kept non-negative and clear of the new pieces).
                let low = if from == 0 { 0 } else { model[from - 1].0 + model[from - 1].1.len };
                let mut new = layout(&new, key);
                key += 1_000;
                for (s, _) in &mut new {
                    *s += low;
                }
                let new_end = new.last().map_or(low, |(s, p)| s + p.len);
                let old_next = model.get(to).map(|(s, _)| *s);
                let shift = match old_next {
                    Some(next) => (new_end as isize - next as isize).max(shift),
                    None => 0,
                };
                let copy = seq.clone();
                let before = copy.iter().map(|(s, p)| (s, p.clone())).collect::<Vec<_>>();
                let removed = seq.splice(from, to, new.clone(), shift);
                let expected_removed: Vec<P> = model[from..to].iter().map(|(_, p)| p.clone()).collect();
                prop_assert_eq!(removed, expected_removed);
                let tail: Vec<(usize, P)> = model[to..]
                    .iter()
                    .map(|(s, p)| ((*s as isize + shift) as usize, p.clone()))
                    .collect();
                model.truncate(from);
                model.extend(new);
                model.extend(tail);
                check(&seq, &model, false)?;
                // Keys must increase for a search by key: renumber both alike.
                for (i, (_, p)) in model.iter_mut().enumerate() {
                    p.key = i as u64;
                }
                for i in 0..model.len() {
                    seq.update(i, |p| p.key = i as u64);
                }
                check(&seq, &model, true)?;
                // The copy taken before the splice is unchanged.
                let after: Vec<(usize, P)> = copy.iter().map(|(s, p)| (s, p.clone())).collect();
                prop_assert_eq!(before, after);
            }
        }

        #[test]
        fn updates_touch_one_piece(initial in specs(), at in 0usize..40) {
            let model = layout(&initial, 0);
            let mut seq = Seq::from_pieces(model.clone());
            let copy = seq.clone();
            let mut expected = model.clone();
            if let Some((_, p)) = expected.get_mut(at) {
                p.flag = !p.flag;
            }
            seq.update(at, |p| p.flag = !p.flag);
            check(&seq, &expected, true)?;
            check(&copy, &model, true)?;
        }
    }
}
