//! A keystroke's cost must not grow with the number of forms in the file (issue 13): measured in
//! bytes, which load does not disturb, through the host as the server drives it (a snapshot
//! taken by a request or the diagnostics task before each edit, then the findings). Every
//! snapshot is kept, so the bytes held afterwards are what each version did not share with the
//! previous one: what a keystroke copied. Before the forms and chunks were persistent
//! sequences, each keystroke after a snapshot copied the whole list of forms and the whole list
//! of chunks, so those bytes grew with the file.

use analysis::host::{self, Change, ContentChange};
use support::KEY;
use syntax::{Position, Range, TextEdit};

mod support;

#[global_allocator]
static ALLOC: vm::CountingAlloc = vm::CountingAlloc;

/// Bytes each keystroke leaves unshared in a file of `forms` one-line `defn`s: a letter typed
/// into the middle form's name, then deleted, alternately, each edit arriving while a snapshot
/// of the previous version is held (and kept), each followed by the findings.
fn bytes_per_keystroke(forms: usize) -> isize {
    let text: String = (0..forms)
        .map(|n| format!("(defn f{n} [x] (+ x {n}))\n"))
        .collect();
    let host = support::host();
    support::open(&host, &text);
    assert!(host::findings(&host, KEY).is_some());
    let line = (forms / 2) as u32;
    let at = Position::new(line, "(defn f".len() as u32);
    let after = Position::new(line, "(defn fz".len() as u32);
    let mut snapshots = Vec::new();
    let mut keystroke = |version: i32| {
        snapshots.push(host::lock(&host).snapshot(KEY));
        // Opened at version 1: even versions type the letter, odd ones delete it.
        let edit = if version % 2 == 0 {
            TextEdit::new(Range { start: at, end: at }, "z")
        } else {
            TextEdit::new(
                Range {
                    start: at,
                    end: after,
                },
                "",
            )
        };
        host::lock(&host).apply(Change::Edit {
            key: KEY.to_owned(),
            version,
            changes: vec![ContentChange::Edit(edit)],
        });
        assert!(host::findings(&host, KEY).is_some());
    };
    // Warm up: the first keystrokes fill caches that later ones reuse.
    for version in 2..=5 {
        keystroke(version);
    }
    let keystrokes = 20;
    let before = vm::live_bytes();
    for version in 6..6 + keystrokes {
        keystroke(version);
    }
    let held = (vm::live_bytes() - before) / keystrokes as isize;
    drop(snapshots);
    held
}

#[test]
fn a_keystroke_copies_the_same_at_1000_and_20000_forms() {
    let small = bytes_per_keystroke(1_000);
    let large = bytes_per_keystroke(20_000);
    // What grows is the paths the persistent sequences copy, O(log n): about 1.4 times as deep
    // at 20,000 as at 1,000 forms (30 and 49 KB when written). Before, copying the lists of
    // forms and chunks and the maps of first definitions held 491 KB and 9.3 MB.
    assert!(
        large <= small * 2,
        "{small} bytes per keystroke at 1,000 forms, {large} at 20,000"
    );
    // Printed for the record (`--nocapture`).
    println!("bytes per keystroke: {small} at 1,000 forms, {large} at 20,000");
}
