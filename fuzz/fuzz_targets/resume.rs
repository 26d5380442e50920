//! Saved machine states, edited, then loaded and resumed: what `yin resume` does with a file it
//! cannot trust.
//!
//! Input: the first byte picks one of a few states saved from real programs (continuation
//! chains, maps nested as keys, closures, loops, streams); the rest is a list of 5-byte edits,
//! each setting one integer of the document (picked by index among all its integers, in order)
//! to a value chosen to hurt: 0, small numbers, neighbours of the old value, indices of other
//! entries, 2^32-1. Edits that reach strings or structure are out of scope (the JSON parser's
//! job). The hash is recomputed after the edits, so the reader's validation is what is tested.
//!
//! Asserts: loading ends with a session or an error with a message, never a panic or a stack
//! overflow; a loaded session resumes to a value, a parked program or an error, within a small
//! multiple of its time limit.
#![no_main]

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use vm::{Captured, Limits, Outcome, Session, Value, serial};

const TIMEOUT: Duration = Duration::from_millis(500);

const PROGRAMS: &[&str] = &[
    "(def k (loop [i 0 k nil] (if (< i 200) (recur (inc i) (call/cc (fn [c] c))) k)))\n\
     (def got (park))\n[got k]",
    "(def v (loop [i 0 k nil] (if (< i 100) (recur (inc i) [(call/cc (fn [c] c)) i]) k)))\n\
     (def got (park))\n(count v)",
    "(def m (loop [i 0 m {}] (if (< i 20) (recur (inc i) {m i}) m)))\n(def got (park))\n\
     [(= m m) (get {m 1} m) got]",
    "(defn f [x] (let [y (inc x)] (* y 2)))\n(defn g [n] (loop [i 0] (if (< i n) (recur (inc i)) i)))\n\
     (def h (partial + 1))\n(def c (comp inc f))\n(def got (park))\n[(f got) (g 3) (h 1) (c 2)]",
    "(def s (stream/make 4))\n(stream/put! s 1)\n(def cur (stream/cursor s))\n\
     (def got (park))\n[(stream/next! cur) (map inc [1 2 3]) (reduce + [got 1])]",
];

fn limits() -> Limits {
    Limits {
        fuel: 200_000,
        timeout: TIMEOUT,
        max_store: 10_000,
        max_depth: 10_000,
        max_items: 10_000,
        max_memory: 64 << 20,
    }
}

/// Each program's saved state, and where its integers are (byte ranges of their digits).
fn seeds() -> &'static [(String, Vec<(usize, usize)>)] {
    static SEEDS: OnceLock<Vec<(String, Vec<(usize, usize)>)>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        PROGRAMS
            .iter()
            .filter_map(|program| {
                let mut session = Session::new();
                session.load(program).ok()?;
                let outcome = session.run(&Limits::cli(), &mut Captured(String::new()));
                matches!(outcome, Outcome::Parked { .. }).then(|| {
                    let text = serial::to_json(&session);
                    let ints = integers(&text);
                    (text, ints)
                })
            })
            .collect()
    })
}

/// Byte ranges of the unsigned integers outside strings (the 16 hash digits are in a string).
fn integers(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let (mut i, mut in_string) = (0, false);
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_string => i += 1,
            b'"' => in_string = !in_string,
            b'0'..=b'9' if !in_string && !bytes[i - 1].is_ascii_digit() && bytes[i - 1] != b'-' => {
                let start = i;
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
                if !matches!(bytes.get(i), Some(b'.' | b'e' | b'E')) {
                    out.push((start, i));
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let seeds = seeds();
    let Some((&pick, edits)) = data.split_first() else {
        return;
    };
    let Some((text, ints)) = seeds.get(usize::from(pick) % seeds.len().max(1)) else {
        return;
    };
    if ints.is_empty() {
        return;
    }
    // Apply edits from the last integer to the first, so earlier ranges stay valid.
    let mut chosen: Vec<(usize, u64)> = edits
        .chunks_exact(5)
        .map(|e| {
            let which = usize::from(u16::from_le_bytes([e[0], e[1]])) % ints.len();
            let (start, end) = ints[which];
            let old: u64 = text[start..end].parse().unwrap_or(0);
            let arg = u64::from(u16::from_le_bytes([e[3], e[4]]));
            let new = match e[2] % 8 {
                0 => 0,
                1 => arg % 8,
                2 => old.saturating_add(1),
                3 => old.saturating_sub(1),
                4 => arg,
                5 => u64::from(u32::MAX),
                6 => old.saturating_add(arg % 64),
                _ => arg % 1024,
            };
            (which, new)
        })
        .collect();
    chosen.sort_by(|a, b| b.0.cmp(&a.0));
    chosen.dedup_by_key(|c| c.0);
    let mut edited = text.clone();
    for (which, new) in chosen {
        let (start, end) = ints[which];
        edited.replace_range(start..end, &new.to_string());
    }
    let Some(edited) = serial::rehash(&edited) else {
        return;
    };
    let started = Instant::now();
    match serial::from_json(&edited) {
        Err(err) => assert!(!err.message().is_empty()),
        Ok(mut session) => {
            let outcome = session.resume(Value::Int(7), &limits(), &mut Captured(String::new()));
            if let Outcome::Error(err) = &outcome {
                assert!(!err.message().is_empty());
            }
        }
    }
    assert!(
        started.elapsed() < TIMEOUT * 10,
        "{:?} to load and resume",
        started.elapsed()
    );
});
