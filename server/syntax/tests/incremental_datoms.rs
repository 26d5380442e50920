//! Incremental lowering agrees with lowering from scratch.
//!
//! After random edits, a file updated edit by edit has the same datoms as a fresh lowering of the
//! final text, once entity ids are renamed by form position; applying each delta to the previous
//! datoms gives the next ones; and forms whose text did not change keep their entity ids.

#[path = "support/model.rs"]
mod model;

use std::collections::HashSet;

use edn::Datom;
use model::canonical_datoms;
use proptest::prelude::*;
use syntax::file::FileLowering;
use syntax::{Document, PositionEncoding, Range, TextEdit, TextSize};

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
        let mut was_clean = !doc.tree().root_node().has_error();
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
            let is_clean = !doc.tree().root_node().has_error();
            if was_clean && is_clean {
                for (i, (slot, form_text)) in kept_before.into_iter().enumerate() {
                    prop_assert_eq!(&text[file.forms()[i].range()], form_text.as_str());
                    prop_assert_eq!(file.forms()[i].slot, slot);
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
            prop_assert!(!doc.tree().root_node().has_error());
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
