//! Incremental lowering agrees with lowering from scratch.
//!
//! After random edits, a file updated edit by edit has the same datoms as a fresh lowering of the
//! final text, once entity ids are renamed by form position; applying each delta to the previous
//! datoms gives the next ones; and forms whose text did not change keep their entity ids.

use std::collections::HashSet;

use edn::Datom;
use model::canonical_datoms;
use proptest::prelude::*;
use syntax::file::FileLowering;
use syntax::{Document, PositionEncoding, Range, TextEdit, TextSize};
use test_support::model;

/// Replaces bytes `start..end` of `doc`'s text with `text` (not yet lowered).
fn splice(doc: &mut Document, start: usize, end: usize, text: &str) {
    let at = |offset: usize| {
        doc.offset_to_position(TextSize::new(offset as u32), PositionEncoding::Utf8)
    };
    let edit = TextEdit::new(Range::new(at(start), at(end)), text);
    doc.apply_edit(&edit, PositionEncoding::Utf8)
        .expect("start <= end");
}

const SNIPPETS: &[&str] = &[
    "(def x 1)\n",
    "(defn f [a & more] (+ a x (g a)))\n",
    "(defn g \"doc\" ([] 1) ([y] (f y)))\n",
    "(let [x 2 y x] (when y (f x)))\n",
    "(cond (= x 1) :one :else (-> x inc g))\n",
    "(loop [i 0] (if (< i 3) (recur (inc i)) i))\n",
    "; comment\n",
    "{:a [x y] :b #{1 2}}\n",
    "(def y (fn self [n] (self n)))\n",
    "'(quoted x)\n",
];

const INSERTS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    " ",
    "\n",
    "x",
    "y",
    "f",
    "def ",
    "(def x 3)",
    "1",
    "\"",
    ";",
    "#_",
    "g",
    "(defn x [] y)",
];

fn edit_strategy() -> impl Strategy<Value = (usize, usize, usize)> {
    (0usize..10_000, 0usize..8, 0..INSERTS.len())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn incremental_equals_fresh(
        forms in prop::collection::vec(0..SNIPPETS.len(), 1..8),
        edits in prop::collection::vec(edit_strategy(), 1..12),
    ) {
        let mut text: String = forms.iter().map(|&i| SNIPPETS[i]).collect();
        let mut doc = Document::new(&text);
        let mut file = FileLowering::new(&doc);
        let mut was_clean = !doc.has_syntax_error();
        for (at, delete, insert) in edits {
            let mut start = at % (text.len() + 1);
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            let mut end = (start + delete).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            let before: HashSet<Datom> = file.datoms().into_iter().collect();
            let kept_before: Vec<(u32, String)> = file
                .forms()
                .iter()
                .filter(|f| usize::from(f.range().end()) < start)
                .map(|f| (f.slot, text[f.range()].to_string()))
                .collect();
            text.replace_range(start..end, INSERTS[insert]);
            splice(&mut doc, start, end, INSERTS[insert]);
            let delta = file.update(&doc);

            let mut applied = before;
            for d in &delta.retracted {
                prop_assert!(applied.remove(d), "retracted a datom that was not there: {d:?}");
            }
            for d in &delta.asserted {
                prop_assert!(applied.insert(d.clone()), "asserted a datom already there: {d:?}");
            }
            let now: HashSet<Datom> = file.datoms().into_iter().collect();
            prop_assert_eq!(&applied, &now);

            // A form entirely before the edit keeps its slot, when the parses are clean (error
            // recovery may regroup forms anywhere).
            let is_clean = !doc.has_syntax_error();
            if was_clean && is_clean {
                for ((slot, form_text), form) in kept_before.into_iter().zip(file.forms()) {
                    prop_assert_eq!(&text[form.range()], form_text.as_str());
                    prop_assert_eq!(form.slot, slot);
                }
            }
            was_clean = is_clean;
        }
        let fresh = FileLowering::from_text(&text);
        prop_assert_eq!(canonical_datoms(&file), canonical_datoms(&fresh));
        prop_assert_eq!(file.diagnostics(), fresh.diagnostics());
    }
}

/// An edit that keeps the file free of syntax errors, so updates take the fast path.
#[derive(Clone, Debug)]
enum CleanEdit {
    Insert(usize, usize),
    Remove(usize),
    Replace(usize, usize),
    /// Renames the n-th `x` in the file to `xy`.
    Rename(usize),
}

fn clean_edit() -> impl Strategy<Value = CleanEdit> {
    prop_oneof![
        (0usize..100, 0..SNIPPETS.len()).prop_map(|(i, s)| CleanEdit::Insert(i, s)),
        (0usize..100).prop_map(CleanEdit::Remove),
        (0usize..100, 0..SNIPPETS.len()).prop_map(|(i, s)| CleanEdit::Replace(i, s)),
        (0usize..100).prop_map(CleanEdit::Rename),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn clean_edits_equal_fresh(
        forms in prop::collection::vec(0..SNIPPETS.len(), 1..10),
        edits in prop::collection::vec(clean_edit(), 1..12),
    ) {
        let mut lines: Vec<String> = forms.iter().map(|&i| SNIPPETS[i].to_string()).collect();
        let mut text = lines.concat();
        let mut doc = Document::new(&text);
        let mut file = FileLowering::new(&doc);
        for edit in edits {
            match edit {
                CleanEdit::Insert(i, s) => lines.insert(i % (lines.len() + 1), SNIPPETS[s].into()),
                CleanEdit::Remove(i) if !lines.is_empty() => {
                    let i = i % lines.len();
                    lines.remove(i);
                }
                CleanEdit::Replace(i, s) if !lines.is_empty() => {
                    let i = i % lines.len();
                    lines[i] = SNIPPETS[s].into();
                }
                CleanEdit::Rename(n) => {
                    let xs: Vec<(usize, usize)> = lines
                        .iter()
                        .enumerate()
                        .flat_map(|(l, line)| line.match_indices('x').map(move |(at, _)| (l, at)))
                        .collect();
                    if let Some(&(l, at)) = xs.get(n % xs.len().max(1)) {
                        lines[l].insert(at + 1, 'y');
                    }
                }
                _ => {}
            }
            let before: HashSet<Datom> = file.datoms().into_iter().collect();
            text = lines.concat();
            // A whole new text: the lowering finds the one replacement itself.
            doc.replace_all(&text);
            prop_assert!(!doc.has_syntax_error());
            let delta = file.update(&doc);
            let mut applied = before;
            for d in &delta.retracted {
                prop_assert!(applied.remove(d), "retracted a datom that was not there: {d:?}");
            }
            for d in &delta.asserted {
                prop_assert!(applied.insert(d.clone()), "asserted a datom already there: {d:?}");
            }
            let now: HashSet<Datom> = file.datoms().into_iter().collect();
            prop_assert_eq!(&applied, &now);
            let fresh = FileLowering::from_text(&text);
            prop_assert_eq!(canonical_datoms(&file), canonical_datoms(&fresh));
        }
    }
}

#[test]
fn unchanged_forms_keep_ids_and_the_delta_is_small() {
    let mut text = String::new();
    for i in 0..50 {
        text.push_str(&format!("(defn f{i} [x] (+ x {i}))\n"));
    }
    let mut doc = Document::new(&text);
    let mut file = FileLowering::new(&doc);
    let slots: Vec<u32> = file.forms().iter().map(|f| f.slot).collect();
    let at = text.find("(+ x 25)").unwrap() + 5;
    splice(&mut doc, at, at + 2, "250");
    let delta = file.update(&doc);
    let after: Vec<u32> = file.forms().iter().map(|f| f.slot).collect();
    let changed: Vec<usize> = (0..50).filter(|&i| slots[i] != after[i]).collect();
    assert_eq!(changed, [25]);
    // The edited form's datoms alone: the later forms moved, which no datom records.
    let slot = slots[25];
    assert!(
        delta
            .retracted
            .iter()
            .all(|d| syntax::datoms::slot_of(d.e) == slot)
    );
    assert!(
        delta
            .asserted
            .iter()
            .all(|d| syntax::datoms::slot_of(d.e) == after[25])
    );
    assert!(delta.asserted.len() < 120, "{}", delta.asserted.len());
}

/// Pieces that break a file and repair it: unclosed openers, stray closers, quotes that open a
/// string to the end of the file, lines that start a form at column 0 inside an open one.
const BREAKERS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "\"",
    "\n(",
    "\n(defn h [] ",
    "\n)",
    "x",
    " ",
    "\n",
    "#_",
    "(def x 3)",
    ";",
    "\\",
];

/// One `didChange` of several replacements, each in the text the previous ones left.
fn burst() -> impl Strategy<Value = Vec<(usize, usize, usize)>> {
    prop::collection::vec((0usize..10_000, 0usize..6, 0..BREAKERS.len()), 1..5)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    // Bursts of edits applied to the document before one update, on text that is broken most of
    // the time (unclosed forms mid-file, edits inside the open form): the delta turns the old
    // datoms into the new ones, and the result equals a fresh lowering of the text (datoms up to
    // renaming of slots, diagnostics), whatever the history.
    #[test]
    fn bursts_on_broken_text_equal_fresh(
        forms in prop::collection::vec(0..SNIPPETS.len(), 1..10),
        opener in prop::option::of(0usize..10_000),
        bursts in prop::collection::vec(burst(), 1..8),
    ) {
        let mut text: String = forms.iter().map(|&i| SNIPPETS[i]).collect();
        if let Some(at) = opener {
            // An unclosed `(` at the start of a line mid-file.
            let lines: Vec<usize> = std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .filter(|&i| i < text.len())
                .collect();
            text.insert(lines[at % lines.len()], '(');
        }
        let mut doc = Document::new(&text);
        let mut file = FileLowering::new(&doc);
        for burst in bursts {
            let before: HashSet<Datom> = file.datoms().into_iter().collect();
            let mut edits = Vec::new();
            for (at, delete, insert) in burst {
                let start = floor_char_boundary(&text, at % (text.len() + 1));
                let end = floor_char_boundary(&text, (start + delete).min(text.len()));
                let position = |offset: usize| {
                    let line = text[..offset].matches('\n').count() as u32;
                    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
                    syntax::Position::new(line, (offset - line_start) as u32)
                };
                edits.push(TextEdit::new(Range::new(position(start), position(end)), BREAKERS[insert]));
                text.replace_range(start..end, BREAKERS[insert]);
            }
            doc.apply_edits(&edits, PositionEncoding::Utf8).expect("start <= end");
            prop_assert_eq!(doc.text(), text.clone());
            let delta = file.update(&doc);
            let mut applied = before;
            for d in &delta.retracted {
                prop_assert!(applied.remove(d), "retracted a datom that was not there: {d:?}");
            }
            for d in &delta.asserted {
                prop_assert!(applied.insert(d.clone()), "asserted a datom already there: {d:?}");
            }
            let now: HashSet<Datom> = file.datoms().into_iter().collect();
            prop_assert_eq!(&applied, &now);
            let fresh = FileLowering::from_text(&text);
            prop_assert_eq!(canonical_datoms(&file), canonical_datoms(&fresh), "{:?}", text);
            prop_assert_eq!(file.diagnostics(), fresh.diagnostics(), "{:?}", text);
            let ranges = |f: &FileLowering| f.forms().iter().map(|f| f.range()).collect::<Vec<_>>();
            prop_assert_eq!(ranges(&file), ranges(&fresh), "{:?}", text);
        }
    }
}

fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// 100 one-line definitions, with the `)` closing the 50th deleted: the open form takes its own
/// line only, every other form keeps its slot, and typing inside the open form relowers only it.
#[test]
fn an_unclosed_form_does_not_swallow_the_rest_of_the_file() {
    let mut text = String::new();
    for i in 0..100 {
        text.push_str(&format!("(defn f{i} [x] (g{i} x))\n"));
    }
    let mut doc = Document::new(&text);
    let mut file = FileLowering::new(&doc);
    let slots: Vec<u32> = file.forms().iter().map(|f| f.slot).collect();
    let line = text.find("(defn f50 ").unwrap();
    let close = line + text[line..].find('\n').unwrap() - 1;
    splice(&mut doc, close, close + 1, "");
    assert!(doc.has_syntax_error());
    let delta = file.update(&doc);
    assert_eq!(file.forms().len(), 100);
    let after: Vec<u32> = file.forms().iter().map(|f| f.slot).collect();
    let changed: Vec<usize> = (0..100).filter(|&i| slots[i] != after[i]).collect();
    assert_eq!(changed, [50]);
    let touched = |delta: &syntax::file::Delta| -> HashSet<u32> {
        delta
            .retracted
            .iter()
            .chain(&delta.asserted)
            .map(|d| syntax::datoms::slot_of(d.e))
            .collect()
    };
    assert_eq!(touched(&delta), HashSet::from([slots[50], after[50]]));
    // Typing inside the open form: only it is lowered again.
    for (at, c) in (close - 1..).zip(["y", "z", " ", "(", "w"]) {
        let open_slot = file.forms().get(50).map_or(0, |f| f.slot);
        splice(&mut doc, at, at, c);
        let delta = file.update(&doc);
        assert_eq!(file.forms().len(), 100);
        let now: Vec<u32> = file.forms().iter().map(|f| f.slot).collect();
        assert_eq!(now[..50], after[..50]);
        assert_eq!(now[51..], after[51..]);
        assert_eq!(touched(&delta), HashSet::from([open_slot, now[50]]));
    }
}
