//! Source ids: which text a span is in, for a session that reads many texts into one store.
//!
//! A live session evaluates forms from many files, and code compiled from one file's form keeps
//! running when another file's form calls it. Every span the machine handles (in code, in
//! errors, in continuation frames) is a plain [`TextRange`], so rather than widen each of them,
//! the session gives every text it reads its own interval of one offset space: the first
//! character of a text read at `base` has offset `base`, and the texts' intervals never overlap.
//! A span therefore says by itself which text it is in, and [`SourceMap::locate`] turns it back
//! into the host's terms: the host's [`SourceId`] and offsets in the host's coordinates (the
//! host says where the text starts in its file, so these are file offsets).
//!
//! This costs nothing on the machine's hot path and keeps code and frames as small as they were.
//! The offset space is `u32`: a session that has read 4 GiB of text refuses more until it is
//! reset. A session that only runs one program (`Session::load` on a new session) reads it at
//! base 0, so its spans are plain offsets into that program, as before.

use std::rc::Rc;

use syntax::form::{Form, FormKind};
use text_size::{TextRange, TextSize};

use crate::error::{Error, ErrorKind};

/// A text the host named: a file, an editor buffer, a REPL input. The host chooses the numbers;
/// the machine only carries them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceId(pub u32);

/// A range in the host's terms: which source, and offsets in that source's coordinates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    pub source: SourceId,
    pub range: TextRange,
}

/// One text read into the offset space.
#[derive(Clone, Debug)]
struct Entry {
    /// First offset of the text in the session's space.
    base: u32,
    /// Its length in bytes.
    len: u32,
    source: SourceId,
    /// Where the text starts in the host's coordinates.
    origin: u32,
}

/// The texts a session has read, by interval of the offset space (bases strictly increasing).
#[derive(Clone, Debug, Default)]
pub(crate) struct SourceMap {
    entries: Rc<Vec<Entry>>,
    next_base: u32,
}

impl SourceMap {
    /// Reserves an interval for a text of `len` bytes from `source`, starting at `origin` in the
    /// host's coordinates, and returns its base. `at_zero` asks for base 0 when nothing was read
    /// yet (a one-program session keeps plain offsets); otherwise offset 0 is never used, so the
    /// empty span at 0 that code without a position carries locates nowhere.
    pub(crate) fn add(
        &mut self,
        source: SourceId,
        origin: TextSize,
        len: usize,
        at_zero: bool,
    ) -> Result<u32, Error> {
        let base = if at_zero {
            self.next_base
        } else {
            self.next_base.max(1)
        };
        let exhausted = || {
            Error::new(
                ErrorKind::Limit,
                "this session has read 4 GiB of source text: reset the session to read more",
            )
        };
        let len = u32::try_from(len).map_err(|_| exhausted())?;
        // One past the end stays free, so an empty span at a text's end is still that text's.
        let next = base
            .checked_add(len)
            .and_then(|end| end.checked_add(1))
            .ok_or_else(exhausted)?;
        u32::from(origin).checked_add(len).ok_or_else(|| {
            Error::new(
                ErrorKind::Argument,
                "a source's origin plus its length must fit in 32 bits",
            )
        })?;
        Rc::make_mut(&mut self.entries).push(Entry {
            base,
            len,
            source,
            origin: origin.into(),
        });
        self.next_base = next;
        Ok(base)
    }

    /// Where `span` is, in the host's terms. `None` for a span of no text read here, and for the
    /// empty span at 0 (code the machine made, with no position).
    pub(crate) fn locate(&self, span: TextRange) -> Option<Location> {
        if span == TextRange::default() {
            return None;
        }
        let start = u32::from(span.start());
        let i = self.entries.partition_point(|e| e.base <= start);
        let entry = self.entries.get(i.checked_sub(1)?)?;
        let rel_start = start - entry.base;
        if rel_start > entry.len {
            return None;
        }
        let rel_end = (u32::from(span.end()) - entry.base).min(entry.len);
        Some(Location {
            source: entry.source,
            range: TextRange::new(
                (entry.origin + rel_start).into(),
                (entry.origin + rel_end).into(),
            ),
        })
    }
}

/// Moves every span of `forms` (read from a text at offset 0) by `base`. Iterative: forms nest
/// as deeply as the reader allows.
pub(crate) fn shift_forms(forms: &mut [Form], base: u32) {
    if base == 0 {
        return;
    }
    let by = TextSize::from(base);
    let mut work: Vec<&mut Form> = forms.iter_mut().collect();
    while let Some(form) = work.pop() {
        form.span += by;
        match &mut form.kind {
            FormKind::List(items) | FormKind::Vector(items) | FormKind::Set(items) => {
                work.extend(items.iter_mut());
            }
            FormKind::Map(entries) => {
                for (k, v) in entries.iter_mut() {
                    work.push(k);
                    work.push(v);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(a: u32, b: u32) -> TextRange {
        TextRange::new(a.into(), b.into())
    }

    #[test]
    fn spans_locate_in_the_text_they_were_read_from() {
        let mut map = SourceMap::default();
        let a = map.add(SourceId(7), 100.into(), 10, false).unwrap();
        let b = map.add(SourceId(8), 0.into(), 5, false).unwrap();
        assert_eq!(a, 1);
        assert_eq!(b, 12);
        let at = |s, e| map.locate(range(s, e));
        assert_eq!(
            at(a + 2, a + 4),
            Some(Location {
                source: SourceId(7),
                range: range(102, 104)
            })
        );
        // A text's end (an empty span there) is still that text's.
        assert_eq!(at(a + 10, a + 10).map(|l| l.range), Some(range(110, 110)));
        assert_eq!(at(b, b + 5).map(|l| l.source), Some(SourceId(8)));
        assert_eq!(at(0, 0), None);
        assert_eq!(at(b + 7, b + 8), None);
    }

    #[test]
    fn a_one_program_session_keeps_plain_offsets() {
        let mut map = SourceMap::default();
        assert_eq!(map.add(SourceId(0), 0.into(), 3, true).unwrap(), 0);
        assert_eq!(map.locate(range(1, 2)).map(|l| l.range), Some(range(1, 2)));
    }

    #[test]
    fn the_offset_space_refuses_more_than_it_holds() {
        let mut map = SourceMap::default();
        assert!(
            map.add(SourceId(0), 0.into(), u32::MAX as usize, false)
                .is_err()
        );
        assert!(map.add(SourceId(0), 0.into(), 1 << 31, false).is_ok());
        assert!(map.add(SourceId(0), 0.into(), 1 << 31, false).is_err());
        assert!(map.add(SourceId(0), u32::MAX.into(), 1, false).is_err());
    }
}
