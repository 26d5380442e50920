//! A lowering finds an entity's form and node, and its span, from the entity alone, after any
//! edits: the slot index it keeps agrees with a search of every form, and the entities of forms
//! an edit dropped find nothing.

use proptest::prelude::*;
use syntax::datoms::entity;
use syntax::file::FileLowering;
use syntax::{Document, PositionEncoding, Range, TextEdit, TextSize};

const SNIPPETS: &[&str] = &[
    "(def x 1)\n",
    "(defn f [a & more] (+ a x (g a)))\n",
    "1\n",
    "(let [x 2 y x] (when y (f x)))\n",
    "; comment\n",
    "{:a [x y] :b #{1 2}}\n",
    "x\n",
];

const INSERTS: &[&str] = &[
    "(",
    ")",
    " ",
    "\n",
    "x",
    "1",
    "\"",
    ";",
    "(def y 2)\n",
    "2\n3\n",
];

/// Replaces bytes `start..end` of `doc`'s text with `text`.
fn splice(doc: &mut Document, start: usize, end: usize, text: &str) {
    let at = |offset: usize| {
        doc.offset_to_position(TextSize::new(offset as u32), PositionEncoding::Utf8)
    };
    let edit = TextEdit::new(Range::new(at(start), at(end)), text);
    doc.apply_edit(&edit, PositionEncoding::Utf8)
        .expect("start <= end");
}

/// Every node of every form is found from its entity, and `gone` (entities of dropped forms,
/// whose slots no form holds) finds nothing.
fn check_lookups(file: &FileLowering, gone: &[u64]) -> Result<(), TestCaseError> {
    for form in file.forms() {
        for (id, node) in form.ast.iter() {
            let e = entity(form.slot, id);
            let found = file.node(e).map(|(f, found)| (f.slot, found));
            prop_assert_eq!(found, Some((form.slot, id)));
            prop_assert_eq!(file.span(e), Some(node.span + form.range().start()));
        }
    }
    let live: Vec<u32> = file.forms().iter().map(|f| f.slot).collect();
    for &e in gone {
        if !live.contains(&syntax::datoms::slot_of(e)) {
            prop_assert_eq!(file.node(e).map(|(f, _)| f.slot), None);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn entities_find_their_nodes_after_edits(
        pieces in prop::collection::vec(0..SNIPPETS.len(), 1..12),
        edits in prop::collection::vec((0usize..1_000, 0usize..6, 0..INSERTS.len()), 1..12),
    ) {
        let text: String = pieces.iter().map(|&i| SNIPPETS[i]).collect();
        let mut doc = Document::new(&text);
        let mut file = FileLowering::new(&doc);
        let mut gone = Vec::new();
        check_lookups(&file, &gone)?;
        for (at, removed, insert) in edits {
            let len = doc.rope().len_bytes();
            let start = at % (len + 1);
            let end = (start + removed).min(len);
            // Any byte offset is a character boundary: the texts are ASCII.
            gone.extend(
                file.forms()
                    .iter()
                    .filter_map(|f| f.ast.id_at(0).map(|id| entity(f.slot, id))),
            );
            splice(&mut doc, start, end, INSERTS[insert]);
            file.update(&doc);
            check_lookups(&file, &gone)?;
        }
    }
}

/// Forms inserted one after the other at one place halve the gap between their neighbours'
/// labels each time; past about 32 the lowering numbers every form again. Lookups, links and
/// datoms must come through that as they would from a fresh lowering.
#[test]
fn many_forms_inserted_at_one_place_keep_their_lookups() {
    let mut text = String::from("(def a 1)\n(def z (+ a b39))\n");
    let mut doc = Document::new(&text);
    let mut file = FileLowering::new(&doc);
    let mut gone = Vec::new();
    for k in 0..40 {
        // Right before `(def z`, so each new form lands after the previous one.
        let at = text.find("(def z").expect("the last form");
        let form = format!("(def b{k} (+ a {k}))\n");
        gone.extend(
            file.forms()
                .iter()
                .filter_map(|f| f.ast.id_at(0).map(|id| entity(f.slot, id))),
        );
        splice(&mut doc, at, at, &form);
        text.insert_str(at, &form);
        file.update(&doc);
        check_lookups(&file, &gone).expect("lookups");
    }
    assert_eq!(file.forms().len(), 42);
    let fresh = FileLowering::from_text(&text);
    let shape = |f: &FileLowering| {
        let mut datoms: Vec<String> = f
            .datoms()
            .iter()
            // Entity ids differ with the slots: only the attributes and other values compare.
            .map(|d| match &d.v {
                edn::Value::Int(_) => format!("{:?}", d.a),
                v => format!("{:?} {v:?}", d.a),
            })
            .collect();
        datoms.sort();
        datoms
    };
    assert_eq!(shape(&file), shape(&fresh));
}

/// The definitions of a prefix are a range of the ordered definitions: in name order, one
/// name's in file order, nested `def`s included, and nothing outside the prefix.
#[test]
fn definitions_by_prefix_come_in_name_then_file_order() {
    let text = "(def b 1)\n(def ab 2)\n(def a 3)\n(defn f [] (def ac 4))\n(def ab 5)\n(def ba 6)\n";
    let lowering = FileLowering::new(&Document::new(text));
    let found: Vec<(String, usize)> = lowering
        .definitions_starting_with("a")
        .map(|(name, form, binder)| {
            let at = form.ast.node(binder).span + form.range().start();
            (name.as_str().to_owned(), usize::from(at.start()))
        })
        .collect();
    assert_eq!(
        found,
        vec![
            ("a".to_owned(), 26),
            ("ab".to_owned(), 15),
            ("ab".to_owned(), 59),
            ("ac".to_owned(), 47),
        ]
    );
    assert_eq!(lowering.definitions_starting_with("z").count(), 0);
    assert_eq!(lowering.definitions_starting_with("").count(), 7);
}
