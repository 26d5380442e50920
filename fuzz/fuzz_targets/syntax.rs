//! Arbitrary bytes (lossily decoded, as an editor would show them) through parse, read, lower
//! and datoms: nothing may panic or overflow the stack.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let file = syntax::file::FileLowering::from_text(&text);
    let _ = file.datoms();
    let _ = file.diagnostics();
});
