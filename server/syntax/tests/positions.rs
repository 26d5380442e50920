//! Offset <-> (line, character) conversions in every encoding, on text that breaks naive code:
//! CRLF and lone CR, emoji (UTF-16 surrogate pairs), CJK, combining marks, empty text, and
//! positions past the end of lines and files.

use expect_test::{Expect, expect};
use syntax::{Document, Position, PositionEncoding, TextSize};

const ENCODINGS: [PositionEncoding; 3] = [
    PositionEncoding::Utf8,
    PositionEncoding::Utf16,
    PositionEncoding::Utf32,
];

/// One row per byte offset (one past the end included): the position in each encoding.
fn check_offsets(text: &str, expect: Expect) {
    let doc = Document::new(text);
    let mut out = String::new();
    for offset in 0..=text.len() + 1 {
        let cells: Vec<String> = ENCODINGS
            .iter()
            .map(|&encoding| {
                let p = doc.offset_to_position(TextSize::new(offset as u32), encoding);
                format!("{}:{}", p.line, p.character)
            })
            .collect();
        let byte = text.get(offset..).and_then(|rest| rest.chars().next());
        out.push_str(&format!(
            "@{offset} {byte:?} -> u8 {} u16 {} u32 {}\n",
            cells[0], cells[1], cells[2]
        ));
    }
    expect.assert_eq(&out);
}

/// For each (line, character) probe: the offset it means in each encoding.
fn check_positions(text: &str, probes: &[(u32, u32)], expect: Expect) {
    let doc = Document::new(text);
    let mut out = String::new();
    for &(line, character) in probes {
        let offsets: Vec<String> = ENCODINGS
            .iter()
            .map(|&encoding| {
                u32::from(doc.position_to_offset(Position::new(line, character), encoding))
                    .to_string()
            })
            .collect();
        out.push_str(&format!(
            "{line}:{character} -> u8 {} u16 {} u32 {}\n",
            offsets[0], offsets[1], offsets[2]
        ));
    }
    expect.assert_eq(&out);
}

/// Every character boundary survives offset -> position -> offset in every encoding, except
/// offsets between the `\r` and `\n` of one line break, which mean the end of their line.
fn check_round_trip(text: &str) {
    let doc = Document::new(text);
    for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
        if offset > 0 && text[..offset].ends_with('\r') && text[offset..].starts_with('\n') {
            continue;
        }
        for encoding in ENCODINGS {
            let position = doc.offset_to_position(TextSize::new(offset as u32), encoding);
            let back = doc.position_to_offset(position, encoding);
            assert_eq!(
                u32::from(back) as usize,
                offset,
                "{text:?} {encoding:?} {position:?}"
            );
        }
    }
}

#[test]
fn ascii() {
    check_offsets(
        "(a)\nb",
        expect![[r#"
            @0 Some('(') -> u8 0:0 u16 0:0 u32 0:0
            @1 Some('a') -> u8 0:1 u16 0:1 u32 0:1
            @2 Some(')') -> u8 0:2 u16 0:2 u32 0:2
            @3 Some('\n') -> u8 0:3 u16 0:3 u32 0:3
            @4 Some('b') -> u8 1:0 u16 1:0 u32 1:0
            @5 None -> u8 1:1 u16 1:1 u32 1:1
            @6 None -> u8 1:1 u16 1:1 u32 1:1
        "#]],
    );
    check_positions(
        "(a)\nb",
        &[
            (0, 0),
            (0, 3),
            (0, 9),
            (1, 0),
            (1, 1),
            (1, 7),
            (2, 0),
            (9, 9),
        ],
        expect![[r#"
        0:0 -> u8 0 u16 0 u32 0
        0:3 -> u8 3 u16 3 u32 3
        0:9 -> u8 3 u16 3 u32 3
        1:0 -> u8 4 u16 4 u32 4
        1:1 -> u8 5 u16 5 u32 5
        1:7 -> u8 5 u16 5 u32 5
        2:0 -> u8 5 u16 5 u32 5
        9:9 -> u8 5 u16 5 u32 5
    "#]],
    );
    check_round_trip("(a)\nb\n");
}

#[test]
fn empty_text() {
    check_offsets(
        "",
        expect![[r#"
            @0 None -> u8 0:0 u16 0:0 u32 0:0
            @1 None -> u8 0:0 u16 0:0 u32 0:0
        "#]],
    );
    check_positions(
        "",
        &[(0, 0), (0, 5), (1, 0)],
        expect![[r#"
        0:0 -> u8 0 u16 0 u32 0
        0:5 -> u8 0 u16 0 u32 0
        1:0 -> u8 0 u16 0 u32 0
    "#]],
    );
}

#[test]
fn crlf_and_lone_cr() {
    check_offsets(
        "a\r\nb\rc\n",
        expect![[r#"
            @0 Some('a') -> u8 0:0 u16 0:0 u32 0:0
            @1 Some('\r') -> u8 0:1 u16 0:1 u32 0:1
            @2 Some('\n') -> u8 0:1 u16 0:1 u32 0:1
            @3 Some('b') -> u8 1:0 u16 1:0 u32 1:0
            @4 Some('\r') -> u8 1:1 u16 1:1 u32 1:1
            @5 Some('c') -> u8 2:0 u16 2:0 u32 2:0
            @6 Some('\n') -> u8 2:1 u16 2:1 u32 2:1
            @7 None -> u8 3:0 u16 3:0 u32 3:0
            @8 None -> u8 3:0 u16 3:0 u32 3:0
        "#]],
    );
    check_positions(
        "a\r\nb\rc\n",
        &[
            (0, 1),
            (0, 2),
            (0, 3),
            (1, 0),
            (1, 1),
            (1, 5),
            (2, 0),
            (2, 1),
            (3, 0),
            (3, 4),
            (4, 0),
        ],
        expect![[r#"
            0:1 -> u8 1 u16 1 u32 1
            0:2 -> u8 1 u16 1 u32 1
            0:3 -> u8 1 u16 1 u32 1
            1:0 -> u8 3 u16 3 u32 3
            1:1 -> u8 4 u16 4 u32 4
            1:5 -> u8 4 u16 4 u32 4
            2:0 -> u8 5 u16 5 u32 5
            2:1 -> u8 6 u16 6 u32 6
            3:0 -> u8 7 u16 7 u32 7
            3:4 -> u8 7 u16 7 u32 7
            4:0 -> u8 7 u16 7 u32 7
        "#]],
    );
    check_round_trip("a\r\nb\rc\n\r\n\r\r");
}

#[test]
fn emoji_surrogate_pairs() {
    // U+1F600 is 4 bytes of UTF-8, 2 units of UTF-16, 1 scalar.
    check_offsets(
        "(😀 x)",
        expect![[r#"
            @0 Some('(') -> u8 0:0 u16 0:0 u32 0:0
            @1 Some('😀') -> u8 0:1 u16 0:1 u32 0:1
            @2 None -> u8 0:1 u16 0:1 u32 0:1
            @3 None -> u8 0:1 u16 0:1 u32 0:1
            @4 None -> u8 0:1 u16 0:1 u32 0:1
            @5 Some(' ') -> u8 0:5 u16 0:3 u32 0:2
            @6 Some('x') -> u8 0:6 u16 0:4 u32 0:3
            @7 Some(')') -> u8 0:7 u16 0:5 u32 0:4
            @8 None -> u8 0:8 u16 0:6 u32 0:5
            @9 None -> u8 0:8 u16 0:6 u32 0:5
        "#]],
    );
    // Character 2 in UTF-16 is inside the surrogate pair: it means the emoji's start.
    check_positions(
        "(😀 x)",
        &[
            (0, 1),
            (0, 2),
            (0, 3),
            (0, 4),
            (0, 5),
            (0, 6),
            (0, 7),
            (0, 99),
        ],
        expect![[r#"
        0:1 -> u8 1 u16 1 u32 1
        0:2 -> u8 1 u16 1 u32 5
        0:3 -> u8 1 u16 5 u32 6
        0:4 -> u8 1 u16 6 u32 7
        0:5 -> u8 5 u16 7 u32 8
        0:6 -> u8 6 u16 8 u32 8
        0:7 -> u8 7 u16 8 u32 8
        0:99 -> u8 8 u16 8 u32 8
    "#]],
    );
    check_round_trip("😀😀\n𝕏 y\n");
}

#[test]
fn cjk_and_combining_marks() {
    // 漢 is 3 bytes, 1 UTF-16 unit; "é" here is `e` + U+0301 (2 bytes), two scalars.
    check_offsets(
        "漢e\u{301}",
        expect![[r#"
            @0 Some('漢') -> u8 0:0 u16 0:0 u32 0:0
            @1 None -> u8 0:0 u16 0:0 u32 0:0
            @2 None -> u8 0:0 u16 0:0 u32 0:0
            @3 Some('e') -> u8 0:3 u16 0:1 u32 0:1
            @4 Some('\u{301}') -> u8 0:4 u16 0:2 u32 0:2
            @5 None -> u8 0:4 u16 0:2 u32 0:2
            @6 None -> u8 0:6 u16 0:3 u32 0:3
            @7 None -> u8 0:6 u16 0:3 u32 0:3
        "#]],
    );
    check_positions(
        "漢e\u{301}\n",
        &[(0, 1), (0, 2), (0, 3), (0, 4), (0, 5), (0, 6)],
        expect![[r#"
        0:1 -> u8 0 u16 3 u32 3
        0:2 -> u8 0 u16 4 u32 4
        0:3 -> u8 3 u16 6 u32 6
        0:4 -> u8 4 u16 6 u32 6
        0:5 -> u8 4 u16 6 u32 6
        0:6 -> u8 6 u16 6 u32 6
    "#]],
    );
    check_round_trip("漢字 e\u{301}\n(é)");
}

#[test]
fn only_lsp_line_breaks_count() {
    // LSP 3.17 breaks lines at \n, \r\n and \r only; U+2028, NEL, VT and FF are characters.
    let doc = Document::new("a\u{2028}b\u{85}c\u{b}d\u{c}e");
    assert_eq!(doc.line_count(), 1);
    let end = doc.offset_to_position(doc.len(), PositionEncoding::Utf16);
    assert_eq!(end, Position::new(0, 9));
}
