//! Test fixtures: source text with the cursor marked `$0`, as in rust-analyzer's tests, and
//! ranges marked `<...>` in expected texts.

use syntax::{TextRange, TextSize};

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

/// `text` with each of `ranges` (disjoint) wrapped in `<` `>`.
pub(crate) fn mark(text: &str, ranges: &[TextRange]) -> String {
    let mut out = String::new();
    let mut at = 0;
    let mut sorted = ranges.to_vec();
    sorted.sort_by_key(|r| r.start());
    for range in sorted {
        let (start, end) = (usize::from(range.start()), usize::from(range.end()));
        out.push_str(&text[at..start]);
        out.push('<');
        out.push_str(&text[start..end]);
        out.push('>');
        at = end;
    }
    out.push_str(&text[at..]);
    out
}
