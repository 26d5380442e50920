//! The client's own copy of a document: edits at LSP positions in UTF-16 or UTF-8, applied the
//! way an editor would, independently of the server's implementation.

/// The byte offset of (`line`, `character`) in `text`; lines end at `\r\n`, `\n` or `\r`.
pub(crate) fn offset(text: &str, line: u32, character: u32, utf16: bool) -> usize {
    let mut line_start = 0;
    let mut current = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while current < line && i < bytes.len() {
        match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                i += 2;
                current += 1;
                line_start = i;
            }
            b'\r' | b'\n' => {
                i += 1;
                current += 1;
                line_start = i;
            }
            _ => i += 1,
        }
    }
    if current < line {
        return text.len();
    }
    let rest = &text[line_start..];
    let line_end = rest.find(['\r', '\n']).unwrap_or(rest.len());
    let mut units = 0;
    for (byte, c) in rest[..line_end].char_indices() {
        if units >= character as usize {
            return line_start + byte;
        }
        units += if utf16 { c.len_utf16() } else { c.len_utf8() };
    }
    line_start + line_end
}

/// Replaces the text between two positions, as a `didChange` range edit does.
pub(crate) fn apply(text: &mut String, range: [(u32, u32); 2], new: &str, utf16: bool) {
    let start = offset(text, range[0].0, range[0].1, utf16);
    let end = offset(text, range[1].0, range[1].1, utf16).max(start);
    text.replace_range(start..end, new);
}

/// The (line, character) of byte `offset` in `text`.
pub(crate) fn position(text: &str, offset: usize, utf16: bool) -> (u32, u32) {
    let before = &text[..offset];
    let mut line = 0;
    let mut line_start = 0;
    let bytes = before.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                i += 2;
                line += 1;
                line_start = i;
            }
            b'\r' | b'\n' => {
                i += 1;
                line += 1;
                line_start = i;
            }
            _ => i += 1,
        }
    }
    let units: usize = before[line_start..]
        .chars()
        .map(|c| if utf16 { c.len_utf16() } else { c.len_utf8() })
        .sum();
    (line, units as u32)
}
