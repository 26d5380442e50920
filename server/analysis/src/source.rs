//! A source file as the command line and the server receive it: bytes that should be UTF-8.

use std::sync::Arc;

use edn::Datom;
use syntax::file::{Delta, FileLowering};
use syntax::{
    Diagnostic, Document, EditError, PositionEncoding, Severity, TextEdit, TextRange, TextSize,
};

use crate::edit::Edit;

/// A 0-based line and a 0-based column counted in Unicode scalar values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineCol {
    pub line: u32,
    pub column: u32,
}

impl LineCol {
    /// Where `offset` falls in `text`, by a scan of the text: for one-off reports (a command-line
    /// error) where building a [`Document`] would cost more. Line breaks are LSP's: `\n`, `\r\n`
    /// and a lone `\r`. An offset past the end or inside a character counts as the character's start.
    pub fn of(text: &str, offset: TextSize) -> LineCol {
        let offset = usize::from(offset).min(text.len());
        let (mut line, mut column) = (0, 0);
        let mut chars = text
            .char_indices()
            .take_while(|&(i, _)| i < offset)
            .peekable();
        while let Some((_, c)) = chars.next() {
            let crlf = c == '\r' && chars.peek().is_some_and(|&(_, next)| next == '\n');
            if c == '\n' || (c == '\r' && !crlf) {
                line += 1;
                column = 0;
            } else if !crlf {
                column += 1;
            }
        }
        LineCol { line, column }
    }
}

/// One file's text, parsed and lowered. Cloning is cheap (the rope and tree share their nodes, the
/// lowering is shared until the next edit), so a clone is the snapshot a request works on while
/// edits go on.
#[derive(Clone, Debug)]
pub struct SourceFile {
    document: Document,
    lowering: Arc<FileLowering>,
    decode_errors: Vec<Diagnostic>,
}

impl SourceFile {
    /// Decodes `bytes` as UTF-8. Invalid sequences become U+FFFD and one `syntax` error at the
    /// first of them, so a stray Latin-1 byte is reported rather than refusing the whole file.
    pub fn from_bytes(bytes: &[u8]) -> SourceFile {
        let text = String::from_utf8_lossy(bytes);
        let mut decode_errors = Vec::new();
        if let Err(err) = std::str::from_utf8(bytes) {
            let valid = err.valid_up_to();
            // Offsets refer to the decoded text; everything before the first bad byte is unchanged.
            let start = TextSize::try_from(valid).unwrap_or(TextSize::new(u32::MAX));
            let len = TextSize::of('\u{FFFD}');
            decode_errors.push(Diagnostic {
                range: TextRange::at(start, len),
                severity: Severity::Error,
                code: "syntax",
                message: "invalid UTF-8: yin source files must be UTF-8 encoded".to_owned(),
            });
        }
        let document = Document::new(&text);
        let lowering = Arc::new(FileLowering::new(&document));
        SourceFile {
            document,
            lowering,
            decode_errors,
        }
    }

    /// A file whose text came from an editor, already decoded.
    pub fn from_text(text: &str) -> SourceFile {
        let document = Document::new(text);
        let lowering = Arc::new(FileLowering::new(&document));
        SourceFile {
            document,
            lowering,
            decode_errors: Vec::new(),
        }
    }

    /// Applies an editor's edits in order (see [`Document::apply_edits`]), reparsing and
    /// re-lowering incrementally, once for all of them; on error nothing changed. Returns the
    /// lowering's delta, for the lint database: this is the only place a file is re-lowered.
    pub fn apply_edits(
        &mut self,
        edits: &[TextEdit],
        encoding: PositionEncoding,
    ) -> Result<Delta, EditError> {
        self.document.apply_edits(edits, encoding)?;
        // Copies the lowering only if a snapshot still shares it.
        let delta = Arc::make_mut(&mut self.lowering).update(&self.document);
        // Editor text is already decoded, and decode errors' offsets would no longer hold.
        self.decode_errors.clear();
        Ok(delta)
    }

    /// Applies non-overlapping edits in byte ranges of the current text (as fixes and
    /// refactorings return them), in one reparse and one relowering; returns the lowering's delta.
    pub fn apply_byte_edits(&mut self, edits: &[Edit]) -> Result<Delta, EditError> {
        let mut sorted: Vec<&Edit> = edits.iter().collect();
        // Last first: each edit's positions then still hold when its turn comes.
        sorted.sort_by_key(|e| std::cmp::Reverse(e.range.start()));
        let edits: Vec<TextEdit> = sorted
            .into_iter()
            .map(|edit| {
                let range = self
                    .document
                    .text_range_to_range(edit.range, PositionEncoding::Utf8);
                TextEdit::new(range, edit.text.clone())
            })
            .collect();
        self.apply_edits(&edits, PositionEncoding::Utf8)
    }

    /// Replaces the whole text, as an editor's full-document change does.
    pub fn replace_text(&mut self, text: &str) {
        *self = SourceFile::from_text(text);
    }

    /// The whole text, copied out of the rope: for one-off uses, never per keystroke.
    pub fn text(&self) -> String {
        self.document.text()
    }

    pub fn document(&self) -> &Document {
        &self.document
    }

    /// The file's forms, lowered, with scope resolution's inputs.
    pub(crate) fn lowering(&self) -> &FileLowering {
        &self.lowering
    }

    /// The file's AST datoms (docs/datoms.md).
    pub fn datoms(&self) -> Vec<Datom> {
        self.lowering.datoms()
    }

    /// Problems found while decoding, parsing, reading and lowering, in source order.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut all = self.decode_errors.clone();
        all.extend(self.document.syntax_diagnostics());
        all.extend(self.lowering.diagnostics());
        all.sort_by_key(|d| (d.range.start(), d.range.end()));
        all
    }

    pub fn line_col(&self, offset: TextSize) -> LineCol {
        let pos = self
            .document
            .offset_to_position(offset, PositionEncoding::Utf32);
        LineCol {
            line: pos.line,
            column: pos.character,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_and_every_line_break() {
        let text = "a😀b\r\ncd\re\nf";
        let at = |i: u32| {
            let lc = LineCol::of(text, TextSize::new(i));
            (lc.line, lc.column)
        };
        assert_eq!(at(0), (0, 0));
        assert_eq!(at(5), (0, 2), "after the emoji");
        assert_eq!(at(8), (1, 0), "after CRLF");
        assert_eq!(at(11), (2, 0), "after a lone CR");
        assert_eq!(at(13), (3, 0), "after LF");
        assert_eq!(at(99), (3, 1), "clamped to the end");
    }
}
