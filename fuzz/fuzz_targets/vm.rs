//! Random program text with small fuel, time and size limits must end with a value, a parked
//! state or an error: never a panic, a hang or a stack overflow.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use vm::{Discard, Limits, eval_source};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let limits = Limits {
        fuel: 20_000,
        timeout: Duration::from_millis(200),
        max_store: 1_000,
        max_depth: 1_000,
        max_items: 10_000,
    };
    let _ = eval_source(text, &limits, &mut Discard);
});
