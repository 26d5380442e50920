//! The benchmark data set and queries, shared with the Datascript script (`datascript/bench.mjs`
//! generates the same datoms with the same generator; keep the two in step).
//!
//! `n` nodes of a complete tree with fan-out [`FANOUT`] (node 1 is the root, node `i`'s parent is
//! `(i - 2) / FANOUT + 1`), each with a name, a kind (`"k0"`..`"k7"`) and a weight (0..999) drawn
//! from xorshift32 seeded with [`SEED`]; every node but the root has a parent: `4n - 1` datoms.

use edn::{Datom, Keyword, Value};

pub(crate) const SEED: u32 = 0x9E37_79B9;
pub(crate) const FANOUT: u64 = 3;

struct XorShift32(u32);

impl XorShift32 {
    fn next(&mut self) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        self.0
    }
}

/// Nodes needed for about `datoms` datoms.
pub(crate) fn nodes_for(datoms: usize) -> u64 {
    (datoms as u64).div_ceil(4)
}

pub(crate) fn datoms(n: u64) -> Vec<Datom> {
    let mut rng = XorShift32(SEED);
    let (name, kind, weight, parent) = (
        Keyword::new("node/name"),
        Keyword::new("node/kind"),
        Keyword::new("node/weight"),
        Keyword::new("node/parent"),
    );
    let mut out = Vec::with_capacity(4 * n as usize);
    for i in 1..=n {
        out.push(Datom::new(
            i,
            name.clone(),
            Value::from(format!("n{i}").as_str()),
        ));
        let k = rng.next() % 8;
        out.push(Datom::new(
            i,
            kind.clone(),
            Value::from(format!("k{k}").as_str()),
        ));
        let w = rng.next() % 1000;
        out.push(Datom::new(i, weight.clone(), Value::Int(i64::from(w))));
        if i > 1 {
            out.push(Datom::new(
                i,
                parent.clone(),
                Value::Int(((i - 2) / FANOUT + 1) as i64),
            ));
        }
    }
    out
}

/// `(name, query, rules)`: written in the order that suits Datascript, which runs clauses as
/// written; the planner here does not care.
pub(crate) const QUERIES: [(&str, &str, &str); 4] = [
    (
        "join3",
        r#"[:find ?e ?g :where [?g :node/kind "k1"] [?p :node/parent ?g] [?e :node/parent ?p]]"#,
        "",
    ),
    (
        "negation",
        r#"[:find ?e :where [?e :node/kind "k2"] (not-join [?e] [?c :node/parent ?e] [?c :node/kind "k2"])]"#,
        "",
    ),
    (
        "aggregate",
        "[:find ?k (count ?e) (sum ?w) (max ?w) :where [?e :node/kind ?k] [?e :node/weight ?w]]",
        "",
    ),
    (
        "closure",
        "[:find (count ?a) :with ?d :in $ % :where (anc ?a ?d)]",
        "[[(anc ?a ?d) [?d :node/parent ?a]] [(anc ?a ?d) [?d :node/parent ?p] (anc ?a ?p)]]",
    ),
];
