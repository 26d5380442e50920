//! Document highlights: the occurrences of the name under the cursor in its file, the binder
//! marked as a write and the uses as reads.

use syntax::{TextRange, TextSize};

use crate::SourceFile;
use crate::half_typed::usable;
use crate::names::{name_at, occurrences};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DocumentHighlight {
    pub range: TextRange,
    /// The binder (where the name gets its value) rather than a use.
    pub write: bool,
}

pub fn document_highlights(file: &SourceFile, offset: TextSize) -> Vec<DocumentHighlight> {
    let file = usable(file, offset);
    let Some(name) = name_at(&file, offset) else {
        return Vec::new();
    };
    occurrences(&file, name.target)
        .into_iter()
        .map(|o| DocumentHighlight {
            range: o.range,
            write: o.declaration,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;
    use crate::fixture::cursor;

    fn check(fixture: &str, expect: Expect) {
        let (text, offset) = cursor(fixture);
        let file = SourceFile::from_text(&text);
        let actual: Vec<String> = document_highlights(&file, offset)
            .iter()
            .map(|h| format!("{:?} {}", h.range, if h.write { "write" } else { "read" }))
            .collect();
        expect.assert_eq(&actual.join("\n"));
    }

    #[test]
    fn binder_is_a_write() {
        check(
            "(loop [i 0] (recur (inc i$0)))",
            expect![[r#"
                7..8 write
                24..25 read"#]],
        );
    }
}
