//! Interning of symbol, keyword and string text, so equal names share one allocation.
//!
//! Datoms and forms hold `Arc<str>`-backed names; when equal names share an allocation, equality
//! (and so every Datalog join on a name) is decided by a pointer comparison before any byte is
//! read, and a file's datoms cost one allocation per distinct name. The printed form is unchanged:
//! interning is invisible in EDN and JSON.
//!
//! Name tables hash with [`NameHasher`] (the Fx multiply-rotate hash), several times faster than
//! SipHash on short names. It is not collision-resistant: a file crafted to collide slows its own
//! lowering down, nothing more.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use edn::{Keyword, Symbol};

/// A table of names seen so far. Cheap to create; keep one per file to share names across forms.
#[derive(Default, Debug, Clone)]
pub struct Interner {
    symbols: NameMap<Box<str>, Symbol>,
    keywords: NameMap<Box<str>, Keyword>,
    strings: NameMap<Box<str>, Arc<str>>,
}

/// A hash map keyed by names, hashed with [`NameHasher`].
pub(crate) type NameMap<K, V> = HashMap<K, V, BuildHasherDefault<NameHasher>>;

/// A set of names, hashed with [`NameHasher`].
pub(crate) type NameSet = HashSet<Symbol, BuildHasherDefault<NameHasher>>;

/// The Fx hash: fold each 8-byte word in with a rotate, xor and multiply.
#[derive(Default, Clone, Copy)]
pub(crate) struct NameHasher(u64);

impl NameHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for NameHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

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

    pub fn string(&mut self, text: &str) -> Arc<str> {
        if let Some(s) = self.strings.get(text) {
            return s.clone();
        }
        let s: Arc<str> = Arc::from(text);
        self.strings.insert(text.into(), s.clone());
        s
    }
}
