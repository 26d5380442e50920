//! Arbitrary texts evaluated one after another in one live session, as an editor's REPL sends
//! them, with small limits, slices of varying size, and some evaluations interrupted.
//!
//! Asserts: every evaluation ends (or is interrupted) and leaves the session ready for the next;
//! every location an evaluation reports (forms, failures, trace frames) lies inside the text of
//! the source it names, at that text's origin; a trace has at most 50 frames; a value printed
//! within limits is never longer than asked and is the whole `pr` form when not cut; an
//! inspector page holds at most what was asked.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use syntax::TextSize;
use vm::{
    Captured, Ending, Evaluated, Limits, Location, PrintLimits, Session, SourceId, pr_limited,
    pr_str,
};

fn check_location(location: Option<Location>, texts: &[(u32, usize)]) {
    if let Some(l) = location {
        let &(origin, len) = texts
            .get(l.source.0 as usize)
            .unwrap_or_else(|| panic!("unknown source {:?}", l.source));
        let (start, end) = (u32::from(l.range.start()), u32::from(l.range.end()));
        assert!(
            origin <= start && end as usize <= origin as usize + len,
            "{l:?} outside {origin}+{len}"
        );
    }
}

fn check(done: &Evaluated, texts: &[(u32, usize)]) {
    let mut endings: Vec<&Ending> = done.forms.iter().map(|f| &f.ending).collect();
    endings.push(&done.ending);
    for form in &done.forms {
        check_location(form.location, texts);
    }
    for ending in endings {
        match ending {
            Ending::Failed(f) => {
                assert!(!f.message.is_empty());
                check_location(f.location, texts);
                assert!(f.trace.frames.len() <= vm::trace::MAX_FRAMES);
                for frame in &f.trace.frames {
                    check_location(frame.location, texts);
                }
            }
            Ending::Value(v) => {
                let limits = PrintLimits {
                    max_length: 40,
                    max_depth: 3,
                    max_items: 5,
                };
                let printed = pr_limited(v, &limits);
                assert!(printed.text.chars().count() <= 40, "{}", printed.text);
                if !printed.truncated {
                    assert_eq!(printed.text, pr_str(v));
                }
            }
            Ending::Parked(_) => {}
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let limits = Limits {
        fuel: 100_000,
        timeout: Duration::from_millis(300),
        max_store: 10_000,
        max_depth: 10_000,
        max_items: 10_000,
        max_memory: 64 << 20,
    };
    let mut session = Session::new();
    let mut texts = Vec::new();
    for (i, text) in input.split('\u{0}').take(8).enumerate() {
        let origin = (i as u32) * 1000;
        texts.push((origin, text.len()));
        session.begin(SourceId(i as u32), TextSize::from(origin), text, &limits);
        let mut out = Captured::default();
        let interrupt_after = if text.len() % 3 == 0 { Some(4) } else { None };
        let mut slices = 0;
        let done = loop {
            if interrupt_after == Some(slices) {
                if let Some(done) = session.interrupt() {
                    break done;
                }
            }
            if let Some(done) = session.advance_live(1 + (text.len() as u64 % 5000), &mut out) {
                break done;
            }
            slices += 1;
        };
        assert!(!session.is_evaluating());
        check(&done, &texts);
        if let Ending::Value(v) = &done.ending {
            let page = session.page(v, 1, 3);
            assert!(page.items.len() <= 3);
        }
    }
});
