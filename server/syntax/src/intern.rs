//! Interning of symbol, keyword and string text, so equal names share one allocation.
//!
//! Datoms and forms hold `Arc<str>`-backed names; when equal names share an allocation, equality
//! (and so every Datalog join on a name) is decided by a pointer comparison before any byte is
//! read, and a file's datoms cost one allocation per distinct name. The printed form is unchanged:
//! interning is invisible in EDN and JSON.
//!
//! Name tables hash with [`NameHasher`] (rustc's FxHash, from `rustc-hash`), several times
//! faster than SipHash on short names. It is not collision-resistant: a file crafted to collide
//! slows its own lowering down, nothing more.

use std::sync::Arc;

use edn::{Keyword, Symbol};
use rustc_hash::FxHashMap;

/// A table of names seen so far. Cheap to create; keep one per file to share names across forms.
#[derive(Default, Debug, Clone)]
pub struct Interner {
    symbols: NameMap<Box<str>, Symbol>,
    keywords: NameMap<Box<str>, Keyword>,
    strings: NameMap<Box<str>, Arc<str>>,
}

/// A hash map keyed by names, hashed with FxHash.
pub(crate) type NameMap<K, V> = FxHashMap<K, V>;

impl Interner {
    pub fn new() -> Interner {
        Interner::default()
    }

    pub fn symbol(&mut self, text: &str) -> Symbol {
        if let Some(s) = self.symbols.get(text) {
            return s.clone();
        }
        let s = Symbol::new(text);
        self.symbols.insert(text.into(), s.clone());
        s
    }

    pub fn keyword(&mut self, text: &str) -> Keyword {
        if let Some(k) = self.keywords.get(text) {
            return k.clone();
        }
        let k = Keyword::new(text);
        self.keywords.insert(text.into(), k.clone());
        k
    }

    /// Takes `other`'s names that this table lacks (a name in both keeps this table's
    /// allocation; forms read with `other` keep theirs, equal by value).
    pub(crate) fn absorb(&mut self, other: Interner) {
        for (text, name) in other.symbols {
            self.symbols.entry(text).or_insert(name);
        }
        for (text, name) in other.keywords {
            self.keywords.entry(text).or_insert(name);
        }
        for (text, name) in other.strings {
            self.strings.entry(text).or_insert(name);
        }
    }

    pub fn string(&mut self, text: &str) -> Arc<str> {
        if let Some(s) = self.strings.get(text) {
            return s.clone();
        }
        let s: Arc<str> = Arc::from(text);
        self.strings.insert(text.into(), s.clone());
        s
    }
}
