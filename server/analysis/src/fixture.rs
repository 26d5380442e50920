//! Test fixtures: source text with the cursor marked `$0`, as in rust-analyzer's tests.

use syntax::TextSize;

/// The text without its `$0` marker, and the marker's offset.
pub(crate) fn cursor(fixture: &str) -> (String, TextSize) {
    let offset = fixture
        .find("$0")
        .expect("the fixture marks the cursor with `$0`");
    let text = fixture.replacen("$0", "", 1);
    (
        text,
        TextSize::try_from(offset).expect("fixtures are small"),
    )
}
