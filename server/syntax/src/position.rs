//! Editor positions: (line, character) pairs in a negotiated encoding, and their conversion to and
//! from byte offsets in a [`Rope`].
//!
//! It owns the meaning of "line" and "character" and nothing else: it knows no protocol types, and
//! documents and parsers use it without it knowing about them.
//!
//! Decisions, following LSP 3.17:
//! - Line breaks are exactly `\n`, `\r\n` and a lone `\r` (the specification lists all three).
//!   `\r\n` is one break. U+2028, NEL, VT and FF are ordinary characters, which is why the workspace
//!   builds ropey with `cr_lines` and without `unicode_lines`.
//! - A character offset counts UTF-8 bytes, UTF-16 code units or Unicode scalar values (UTF-32),
//!   per [`PositionEncoding`], from the start of the line.
//! - Conversions never fail. A character past the end of its line means the end of the line (before
//!   its break); a line past the last line means the end of the file; an offset inside a character
//!   (inside a UTF-16 surrogate pair, inside a multi-byte UTF-8 sequence) means the start of that
//!   character; a byte offset between the `\r` and `\n` of one break means the end of its line.

use ropey::Rope;

/// The unit in which a [`Position`]'s `character` counts, as negotiated with the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PositionEncoding {
    /// Bytes of UTF-8.
    Utf8,
    /// UTF-16 code units: the LSP default, what every client supports.
    Utf16,
    /// Unicode scalar values.
    Utf32,
}

/// A zero-based (line, character) position, the character counted in some [`PositionEncoding`].
///
/// Ordering is by line, then character: the order of positions in a document.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    pub line: u32,
    pub character: u32,
}

impl Position {
    pub const fn new(line: u32, character: u32) -> Position {
        Position { line, character }
    }
}

/// A range between two [`Position`]s, start included, end excluded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Range {
    pub start: Position,
    pub end: Position,
}

impl Range {
    pub const fn new(start: Position, end: Position) -> Range {
        Range { start, end }
    }
}

/// The position of byte `offset` in `rope`. Offsets past the end mean the end.
pub(crate) fn offset_to_position(
    rope: &Rope,
    offset: usize,
    encoding: PositionEncoding,
) -> Position {
    let offset = char_floor(rope, offset.min(rope.len_bytes()));
    let line = rope.byte_to_line(offset);
    let line_start = rope.line_to_byte(line);
    let offset = offset.min(line_content_end(rope, line));
    let character = match encoding {
        PositionEncoding::Utf8 => offset - line_start,
        PositionEncoding::Utf32 => rope.byte_to_char(offset) - rope.byte_to_char(line_start),
        PositionEncoding::Utf16 => {
            rope.char_to_utf16_cu(rope.byte_to_char(offset))
                - rope.char_to_utf16_cu(rope.byte_to_char(line_start))
        }
    };
    Position {
        line: saturate(line),
        character: saturate(character),
    }
}

/// The byte offset of `position` in `rope`, clamped as the module documentation says.
pub(crate) fn position_to_offset(
    rope: &Rope,
    position: Position,
    encoding: PositionEncoding,
) -> usize {
    let line = position.line as usize;
    if line >= rope.len_lines() {
        return rope.len_bytes();
    }
    let line_start = rope.line_to_byte(line);
    let content_end = line_content_end(rope, line);
    let character = position.character as usize;
    match encoding {
        PositionEncoding::Utf8 => {
            char_floor(rope, line_start.saturating_add(character).min(content_end))
        }
        PositionEncoding::Utf32 => {
            let start = rope.byte_to_char(line_start);
            let end = rope.byte_to_char(content_end);
            rope.char_to_byte(start.saturating_add(character).min(end))
        }
        PositionEncoding::Utf16 => {
            let start = rope.char_to_utf16_cu(rope.byte_to_char(line_start));
            let end = rope.char_to_utf16_cu(rope.byte_to_char(content_end));
            // `utf16_cu_to_char` maps the second half of a surrogate pair to its character.
            let char_index = rope.utf16_cu_to_char(start.saturating_add(character).min(end));
            rope.char_to_byte(char_index)
        }
    }
}

/// The byte offset where `line`'s text ends, before its line break (if any).
fn line_content_end(rope: &Rope, line: usize) -> usize {
    let next = rope.line_to_byte(line + 1);
    let line_start = rope.line_to_byte(line);
    let last = |back: usize| (next >= line_start + back).then(|| rope.byte(next - back));
    match (last(2), last(1)) {
        (Some(b'\r'), Some(b'\n')) => next - 2,
        (_, Some(b'\n' | b'\r')) => next - 1,
        _ => next,
    }
}

/// The start of the character holding byte `offset` (`offset <= rope.len_bytes()`).
fn char_floor(rope: &Rope, offset: usize) -> usize {
    rope.char_to_byte(rope.byte_to_char(offset))
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
