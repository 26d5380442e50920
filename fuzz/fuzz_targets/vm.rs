//! Arbitrary text as a yin program, evaluated with small limits.
//!
//! Asserts: evaluation ends, within a small multiple of its wall-clock limit, with a value, a
//! parked program or an error; a value prints in both `pr` and `print` form; an error has a
//! message.
#![no_main]

use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use vm::{Captured, Limits, Outcome, eval_source, pr_str, print_str};

const TIMEOUT: Duration = Duration::from_millis(500);

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let limits = Limits {
        fuel: 200_000,
        timeout: TIMEOUT,
        max_store: 10_000,
        max_depth: 10_000,
        max_items: 10_000,
        max_memory: 64 << 20,
    };
    let mut out = Captured(String::new());
    let started = Instant::now();
    let outcome = eval_source(&text, &limits, &mut out);
    // Loading (read, lower, macro expansion) and printing count too; a loaded machine may stall.
    assert!(
        started.elapsed() < TIMEOUT * 10,
        "{:?} for {text:?}",
        started.elapsed()
    );
    match &outcome {
        Outcome::Value(value) => {
            let _ = print_str(value);
            assert!(!pr_str(value).is_empty());
        }
        Outcome::Parked { reason } => assert!(!reason.is_empty()),
        Outcome::Error(err) => assert!(!err.to_string().is_empty()),
    }
    assert_eq!(
        outcome.printed().is_some(),
        !matches!(outcome, Outcome::Error(_))
    );
});
