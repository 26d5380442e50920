//! What a file of tiny forms costs to hold (issue 14, item 11: a 1 MB file of `1` lines, half a
//! million one-atom forms, peaked at 885 MB in `yin check`). Measured with the counting allocator
//! the `yin` binary installs: the bytes the analysis host holds once the file is open and linted
//! (its lowering and its lint database), per form. Tree-sitter's tree is allocated in C and not
//! counted. The bound is a footprint, not a timing, so load does not make it flaky.

use analysis::host;
use support::KEY;

mod support;

#[global_allocator]
static ALLOC: vm::CountingAlloc = vm::CountingAlloc;

/// Bytes per one-atom form the host may hold. Each form has one node and five datoms. With the
/// database's integer pages of 256 ids (a page per form, since every form's entities start a
/// page) and AST arenas keeping room for four nodes it held 2,336 bytes a form; with pages of 32
/// ids and arenas shrunk, 945; with entity ids in the database's table of ids (4 bytes an entry,
/// no value stored twice) and its indexes in runs cut to their length, 740; with the lowering's
/// compact forms too (datoms made on demand, not kept), 281.
const BYTES_PER_FORM: isize = 400;

#[test]
fn a_file_of_tiny_forms_is_held_compactly() {
    let forms = 50_000;
    let text = "1\n".repeat(forms);
    let before = vm::live_bytes();
    let host = support::host();
    support::open(&host, &text);
    let found = host::findings(&host, KEY).map(|f| f.findings.len());
    assert_eq!(found, Some(0));
    let held = (vm::live_bytes() - before) / forms as isize;
    assert!(
        held <= BYTES_PER_FORM,
        "{held} bytes per form held, more than {BYTES_PER_FORM}"
    );
    drop(host);
}
