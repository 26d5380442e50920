//! Every cursor feature at many offsets of every example, intact and cut short (half-typed
//! code): none may panic, and a definition found is always an occurrence of the name, listed
//! among its references.

use analysis::{
    InlineResults, SourceFile, TextSize, completions, document_highlights, goto_definition, hover,
    references, signature_help,
};
use test_support::corpus;

fn exercise(name: &str, text: &str, stride: usize) -> usize {
    let file = SourceFile::from_text(text);
    let results = InlineResults::default();
    let mut definitions = 0;
    for at in (0..=text.len()).step_by(stride) {
        if !text.is_char_boundary(at) {
            continue;
        }
        let offset = TextSize::try_from(at).expect("small file");
        if let Some(target) = goto_definition(&file, offset) {
            definitions += 1;
            let refs = references(&file, offset, true);
            assert!(
                refs.contains(&target),
                "{name}@{at}: definition {target:?} not among references {refs:?}"
            );
        }
        let _ = document_highlights(&file, offset);
        let _ = hover(&file, offset, &results);
        let _ = completions(&file, offset);
        let _ = signature_help(&file, offset);
    }
    definitions
}

#[test]
fn every_example_at_many_offsets() {
    let mut found = 0;
    for (path, text) in corpus::examples() {
        let name = path.display().to_string();
        found += exercise(&name, &text, 7);
    }
    assert!(
        found > 100,
        "only {found} definitions found in the examples"
    );
}

#[test]
fn every_example_cut_short() {
    for (path, text) in corpus::examples() {
        let name = path.display().to_string();
        for cut in (0..text.len()).step_by(997) {
            if !text.is_char_boundary(cut) {
                continue;
            }
            exercise(&name, &text[..cut], 17);
        }
    }
}
