//! What the lowering holds per top-level form, measured with the counting allocator: a file of
//! half a million one-atom forms (a 1 MB file of `1` lines, issue 14 item 11) must not cost the
//! lowering hundreds of bytes a form. The bounds are footprints, not timings, so load does not
//! make them flaky. The document (rope and tree-sitter tree) is made before counting starts: it
//! is the document's cost, not the lowering's.

use syntax::Document;
use syntax::file::FileLowering;

#[global_allocator]
static ALLOC: vm::CountingAlloc = vm::CountingAlloc;

const FORMS: usize = 50_000;

/// Bytes the lowering of `text` holds once done, per form.
fn held_per_form(text: &str, forms: usize) -> isize {
    let doc = Document::new(text);
    let before = vm::live_bytes();
    let lowering = FileLowering::new(&doc);
    let held = vm::live_bytes() - before;
    assert_eq!(lowering.forms().len(), forms);
    drop(lowering);
    held / forms as isize
}

/// A one-atom form is its slot, label and length and one node: a 64-byte `TopForm` in a node of
/// the persistent sequence of forms (136 bytes with the node's sums, children and `Arc`
/// counts), its node (72 bytes) in a shared arena (16) and its slot's label in a persistent map
/// (about 33), 257 bytes. The persistent sequence is what makes a keystroke's cost independent of
/// the number of forms (`docs/benchmarks.md`); with a `Vec` of forms and a slot index it was 148
/// bytes. Before the compact representation it cost 608: a 192-byte `TopForm`, its `Ast` (48
/// bytes and the node) and its five datoms, kept (296 bytes).
#[test]
fn a_one_atom_form_is_held_in_a_few_words() {
    let held = held_per_form(&"1\n".repeat(FORMS), FORMS);
    assert!(held <= 264, "{held} bytes per one-atom form");
}
