//! Semantic tokens in LSP's form: the legend, the relative integer encoding, and deltas between
//! two results.
//!
//! Tokens are kept per highlighting unit (a top-level form, or the text between two:
//! `analysis::highlight_units`), encoded relative to the unit's start, in a per-document
//! [`TokenCache`]: a form's by its slot (which it keeps while its text is unchanged), the text
//! between forms by that text. A request encodes only the units that are new or whose globals
//! changed role; the rest are placed by adding up the units' extents (line breaks and the length
//! of the last line), with no look at the text. A result is a list of [`Piece`]s sharing those
//! encodings, and the delta between two results compares pieces by identity from both ends, so
//! both cost what the edit touched plus one step per unit.
//!
//! Legend choices (standard token types only, so every theme colours them): special forms are
//! `keyword`; functions (call heads, globals and locals bound to a `fn`, core functions with
//! `defaultLibrary`) are `function`; macros `macro`; parameters (and `%` arguments) `parameter`;
//! other symbols (locals, globals bound to values) `variable`; binders carry `declaration` and
//! `definition`; yin keywords `:k` and the constants `nil true false` are
//! self-evaluating named constants, so `enumMember` (the constants with `defaultLibrary`);
//! strings and characters are `string`; `#"..."` is `regexp`; numbers `number`; comments and `#_`
//! forms `comment`; a tagged literal's tag is `type`.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use analysis::{GlobalRoles, HlRange, HlTag, PositionEncoding, SourceFile, UnitHighlights};
use tower_lsp_server::lsp_types::{
    SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokensEdit,
    SemanticTokensLegend,
};

const TYPES: &[SemanticTokenType] = &[
    SemanticTokenType::KEYWORD,
    SemanticTokenType::FUNCTION,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::PARAMETER,
    SemanticTokenType::ENUM_MEMBER,
    SemanticTokenType::STRING,
    SemanticTokenType::REGEXP,
    SemanticTokenType::NUMBER,
    SemanticTokenType::COMMENT,
    SemanticTokenType::TYPE,
    SemanticTokenType::MACRO,
];

const MODIFIERS: &[SemanticTokenModifier] = &[
    SemanticTokenModifier::DECLARATION,
    SemanticTokenModifier::DEFINITION,
    SemanticTokenModifier::DEFAULT_LIBRARY,
];

const DECLARATION_AND_DEFINITION: u32 = 0b011;
const DEFAULT_LIBRARY: u32 = 0b100;

pub(crate) fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TYPES.to_vec(),
        token_modifiers: MODIFIERS.to_vec(),
    }
}

/// Index into [`TYPES`].
fn token_type(tag: HlTag) -> u32 {
    match tag {
        HlTag::SpecialForm => 0,
        HlTag::Function => 1,
        HlTag::Symbol => 2,
        HlTag::Parameter => 3,
        HlTag::Keyword | HlTag::Constant => 4,
        HlTag::String | HlTag::Char => 5,
        HlTag::Regex => 6,
        HlTag::Number => 7,
        HlTag::Comment => 8,
        HlTag::Tag => 9,
        HlTag::Macro => 10,
    }
}

fn modifiers(highlight: &HlRange) -> u32 {
    let mut bits = 0;
    if highlight.definition {
        bits |= DECLARATION_AND_DEFINITION;
    }
    if highlight.builtin || highlight.tag == HlTag::Constant {
        bits |= DEFAULT_LIBRARY;
    }
    bits
}

/// The tokens in LSP's relative encoding. A token spanning lines (a multi-line string, a
/// discarded form) is split into one token per line, since clients need not support
/// multi-line tokens.
pub(crate) fn encode(
    file: &SourceFile,
    encoding: PositionEncoding,
    highlights: &[HlRange],
) -> Vec<SemanticToken> {
    let document = file.document();
    let text = document.rope();
    let mut out = Relative::with_capacity(highlights.len());
    for highlight in highlights {
        let start = document.offset_to_position(highlight.range.start(), encoding);
        let token_text = text
            .byte_slice(usize::from(highlight.range.start())..usize::from(highlight.range.end()))
            .to_string();
        out.push(
            highlight,
            (start.line, start.character),
            &token_text,
            encoding,
        );
    }
    out.tokens
}

/// Tokens in LSP's relative encoding, each pushed at its absolute place.
struct Relative {
    tokens: Vec<SemanticToken>,
    /// Where the last token pushed starts (line, character); `(0, 0)` before the first.
    last: (u32, u32),
}

impl Relative {
    fn with_capacity(capacity: usize) -> Relative {
        Relative {
            tokens: Vec::with_capacity(capacity),
            last: (0, 0),
        }
    }

    /// `highlight`, whose text `token_text` starts at `start`: one token per line it spans,
    /// since clients need not support multi-line tokens.
    fn push(
        &mut self,
        highlight: &HlRange,
        start: (u32, u32),
        token_text: &str,
        encoding: PositionEncoding,
    ) {
        let (token_type, bits) = (token_type(highlight.tag), modifiers(highlight));
        for (i, piece) in lines(token_text).enumerate() {
            let line = start.0 + u32::try_from(i).unwrap_or(u32::MAX);
            let character = if i == 0 { start.1 } else { 0 };
            let length = length(piece, encoding);
            if length == 0 {
                continue;
            }
            let (last_line, last_start) = self.last;
            let (delta_line, delta_start) = if line == last_line {
                (0, character - last_start)
            } else {
                (line - last_line, character)
            };
            self.tokens.push(SemanticToken {
                delta_line,
                delta_start,
                length,
                token_type,
                token_modifiers_bitset: bits,
            });
            self.last = (line, character);
        }
    }
}

/// `text` split at LSP line breaks (`\r\n`, `\n`, `\r`), breaks removed.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.split('\n')
        .flat_map(|line| line.strip_suffix('\r').unwrap_or(line).split('\r'))
}

fn length(text: &str, encoding: PositionEncoding) -> u32 {
    let units = match encoding {
        PositionEncoding::Utf8 => text.len(),
        PositionEncoding::Utf16 => text.encode_utf16().count(),
        PositionEncoding::Utf32 => text.chars().count(),
    };
    u32::try_from(units).unwrap_or(u32::MAX)
}

/// One unit's tokens, encoded relative to the unit's start: line 0 is the unit's first line,
/// whose characters count from the unit's start.
#[derive(Debug)]
struct Chunk {
    /// The first token's `delta_line` and `delta_start` are its position in the unit.
    tokens: Vec<SemanticToken>,
    /// The position of the last token's start in the unit.
    last: (u32, u32),
    /// The unit's line breaks, and its length after the last one (all of it if none), in the
    /// encoding's units.
    lines: u32,
    tail: u32,
    /// The unit ends with `\r` / starts with `\n`: a `\r\n` split between two units is one line
    /// break, which adding up extents would count twice.
    cr_end: bool,
    lf_start: bool,
    /// The globals whose roles the tokens were read with.
    globals: Box<[String]>,
}

/// A chunk placed in a file: its first token encoded against the token before it.
#[derive(Clone, Debug)]
struct Piece {
    chunk: Arc<Chunk>,
    first: SemanticToken,
}

impl PartialEq for Piece {
    fn eq(&self, other: &Piece) -> bool {
        Arc::ptr_eq(&self.chunk, &other.chunk) && self.first == other.first
    }
}

/// A file's tokens as they were sent: the pieces of its units that have tokens, in order.
#[derive(Debug, Default)]
pub(crate) struct Tokens {
    pieces: Vec<Piece>,
    len: usize,
}

impl Tokens {
    /// The tokens as LSP sends them.
    pub(crate) fn data(&self) -> Vec<SemanticToken> {
        let mut out = Vec::with_capacity(self.len);
        for piece in &self.pieces {
            out.extend(tokens_of(piece));
        }
        out
    }
}

fn tokens_of(piece: &Piece) -> impl Iterator<Item = SemanticToken> + '_ {
    std::iter::once(piece.first).chain(piece.chunk.tokens.iter().skip(1).copied())
}

/// What one document's units encoded to, kept between requests.
#[derive(Debug)]
pub(crate) struct TokenCache {
    encoding: PositionEncoding,
    roles: GlobalRoles,
    forms: HashMap<u32, Arc<Chunk>>,
    between: HashMap<Box<str>, Arc<Chunk>>,
}

impl TokenCache {
    pub(crate) fn new(encoding: PositionEncoding) -> TokenCache {
        TokenCache {
            encoding,
            roles: GlobalRoles::default(),
            forms: HashMap::new(),
            between: HashMap::new(),
        }
    }
}

/// The tokens of `file`, reusing what `cache` holds and keeping in it what this file's units
/// encode to.
pub(crate) fn tokens(
    file: &SourceFile,
    encoding: PositionEncoding,
    cache: &mut TokenCache,
) -> Tokens {
    if cache.encoding != encoding {
        *cache = TokenCache::new(encoding);
    }
    let changed = cache.roles.update(file);
    if !changed.is_empty() {
        cache
            .forms
            .retain(|_, chunk| !chunk.globals.iter().any(|g| changed.contains(g)));
    }
    match place(file, encoding, cache) {
        Some(tokens) => tokens,
        None => {
            // A `\r\n` split between units: encoded from the file as a whole instead.
            let data = encode(file, encoding, &analysis::highlight(file, None));
            let len = data.len();
            let chunk = Chunk {
                last: (0, 0),
                lines: 0,
                tail: 0,
                cr_end: false,
                lf_start: false,
                globals: Box::new([]),
                tokens: data,
            };
            let pieces = chunk
                .tokens
                .first()
                .copied()
                .map(|first| Piece {
                    first,
                    chunk: Arc::new(chunk),
                })
                .into_iter()
                .collect();
            Tokens { pieces, len }
        }
    }
}

/// The units of `file` encoded (or found in `cache`) and placed one after the other; `None`
/// if a `\r\n` is split between two units.
fn place(file: &SourceFile, encoding: PositionEncoding, cache: &mut TokenCache) -> Option<Tokens> {
    let TokenCache {
        roles,
        forms,
        between,
        ..
    } = cache;
    let units = analysis::highlight_units(file);
    let rope = file.document().rope();
    let mut stretches = Stretches::new(rope.chunks());
    let mut out = Tokens::default();
    // The unit's start, and the last token's start, in the file.
    let (mut line, mut character) = (0_u32, 0_u32);
    let mut previous: Option<(u32, u32)> = None;
    let mut cr_before = false;
    let mut live_forms: Vec<u32> = Vec::new();
    let mut live_between: Vec<*const Chunk> = Vec::new();
    for unit in units {
        let range = usize::from(unit.range.start())..usize::from(unit.range.end());
        let chunk = match unit.form {
            Some(slot) => {
                live_forms.push(slot);
                forms
                    .entry(slot)
                    .or_insert_with(|| {
                        let text = rope.byte_slice(range).to_string();
                        let highlights = analysis::highlight_unit(file, roles, unit);
                        Arc::new(encode_unit(&text, encoding, highlights))
                    })
                    .clone()
            }
            None => {
                let text = stretches.text(range);
                let chunk = match between.get(&*text) {
                    Some(chunk) => chunk.clone(),
                    None => {
                        let highlights = analysis::highlight_unit(file, roles, unit);
                        let chunk = Arc::new(encode_unit(&text, encoding, highlights));
                        between.insert(text.into(), chunk.clone());
                        chunk
                    }
                };
                live_between.push(Arc::as_ptr(&chunk));
                chunk
            }
        };
        if cr_before && chunk.lf_start {
            return None;
        }
        cr_before = chunk.cr_end;
        let at = |(l, c): (u32, u32)| (line + l, if l == 0 { character + c } else { c });
        if let Some(first) = chunk.tokens.first().copied() {
            let (first_line, first_character) = at((first.delta_line, first.delta_start));
            let (delta_line, delta_start) = match previous {
                Some((l, c)) if l == first_line => (0, first_character - c),
                Some((l, _)) => (first_line - l, first_character),
                None => (first_line, first_character),
            };
            out.len += chunk.tokens.len();
            previous = Some(at(chunk.last));
            out.pieces.push(Piece {
                first: SemanticToken {
                    delta_line,
                    delta_start,
                    ..first
                },
                chunk: chunk.clone(),
            });
        }
        if chunk.lines > 0 {
            line += chunk.lines;
            character = chunk.tail;
        } else {
            character += chunk.tail;
        }
    }
    // Entries of units gone for good are dropped once they outnumber the live ones: a text
    // typed back soon after is found again, and memory stays within twice the file's units.
    if forms.len() > 2 * live_forms.len() + 64 {
        let live: HashSet<u32> = live_forms.into_iter().collect();
        forms.retain(|slot, _| live.contains(slot));
    }
    if between.len() > 2 * live_between.len() + 64 {
        let live: HashSet<*const Chunk> = live_between.into_iter().collect();
        between.retain(|_, chunk| live.contains(&Arc::as_ptr(chunk)));
    }
    Some(out)
}

/// Reads stretches of a text, in increasing order, from its chunks, each chunk visited once
/// (a lookup by offset per stretch would cost a walk down the rope each).
struct Stretches<'r, I: Iterator<Item = &'r str>> {
    chunks: I,
    chunk: &'r str,
    /// The offset of `chunk` in the text.
    at: usize,
}

impl<'r, I: Iterator<Item = &'r str>> Stretches<'r, I> {
    fn new(mut chunks: I) -> Self {
        let chunk = chunks.next().unwrap_or("");
        Stretches {
            chunks,
            chunk,
            at: 0,
        }
    }

    fn next_chunk(&mut self) -> bool {
        match self.chunks.next() {
            Some(next) => {
                self.at += self.chunk.len();
                self.chunk = next;
                true
            }
            None => false,
        }
    }

    /// The text of `range`, which starts at or after the previous range's end.
    fn text(&mut self, range: std::ops::Range<usize>) -> Cow<'r, str> {
        while self.at + self.chunk.len() <= range.start {
            if !self.next_chunk() {
                return Cow::Borrowed("");
            }
        }
        let from = range.start - self.at;
        if range.end <= self.at + self.chunk.len() {
            return Cow::Borrowed(self.chunk.get(from..range.end - self.at).unwrap_or(""));
        }
        let mut out = String::from(self.chunk.get(from..).unwrap_or(""));
        while self.at + self.chunk.len() < range.end && self.next_chunk() {
            let upto = (range.end - self.at).min(self.chunk.len());
            out.push_str(self.chunk.get(..upto).unwrap_or(""));
        }
        Cow::Owned(out)
    }
}

/// `text`'s tokens (`highlights`, relative to its start) encoded relative to its start.
fn encode_unit(text: &str, encoding: PositionEncoding, highlights: UnitHighlights) -> Chunk {
    let mut tokens = Relative::with_capacity(highlights.ranges.len());
    let mut cursor = Cursor::default();
    for highlight in &highlights.ranges {
        let start = usize::from(highlight.range.start());
        let end = usize::from(highlight.range.end());
        let (Some(token_text), Some(before)) = (text.get(start..end), text.get(cursor.at..start))
        else {
            continue;
        };
        cursor.advance(before, encoding);
        tokens.push(
            highlight,
            (cursor.line, cursor.character),
            token_text,
            encoding,
        );
    }
    let rest = text.get(cursor.at..).unwrap_or("");
    cursor.advance(rest, encoding);
    Chunk {
        tokens: tokens.tokens,
        last: tokens.last,
        lines: cursor.line,
        tail: cursor.character,
        cr_end: text.ends_with('\r'),
        lf_start: text.starts_with('\n'),
        globals: highlights.globals.into_boxed_slice(),
    }
}

/// A position in a text read from its start: byte offset, line and character in the encoding.
#[derive(Default)]
struct Cursor {
    at: usize,
    line: u32,
    character: u32,
    /// The last character read was `\r`: a `\n` right after it ends no further line.
    after_cr: bool,
}

impl Cursor {
    fn advance(&mut self, text: &str, encoding: PositionEncoding) {
        for c in text.chars() {
            match c {
                '\n' if self.after_cr => {}
                '\n' | '\r' => {
                    self.line += 1;
                    self.character = 0;
                }
                _ => {
                    let units = match encoding {
                        PositionEncoding::Utf8 => c.len_utf8(),
                        PositionEncoding::Utf16 => c.len_utf16(),
                        PositionEncoding::Utf32 => 1,
                    };
                    self.character += u32::try_from(units).unwrap_or(u32::MAX);
                }
            }
            self.after_cr = c == '\r';
        }
        self.at += text.len();
    }
}

/// The edits turning `old` into `new`: one replacement of the tokens between their common prefix
/// and suffix (`start` and `delete_count` count integers, five per token), or none if equal.
/// Pieces are compared first, by identity, then tokens within the pieces that differ.
pub(crate) fn delta(old: &Tokens, new: &Tokens) -> Vec<SemanticTokensEdit> {
    let (a, b) = (&old.pieces, &new.pieces);
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let before: usize = a[..prefix].iter().map(|p| p.chunk.tokens.len()).sum();
    let middle =
        |pieces: &[Piece]| -> Vec<SemanticToken> { pieces.iter().flat_map(tokens_of).collect() };
    let old_middle = middle(&a[prefix..a.len() - suffix]);
    let new_middle = middle(&b[prefix..b.len() - suffix]);
    let mut edits = token_delta(&old_middle, &new_middle);
    let shift = u32::try_from(before * 5).unwrap_or(u32::MAX);
    for edit in &mut edits {
        edit.start = edit.start.saturating_add(shift);
    }
    edits
}

/// [`delta`] between two token lists.
fn token_delta(old: &[SemanticToken], new: &[SemanticToken]) -> Vec<SemanticTokensEdit> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let deleted = old.len() - prefix - suffix;
    let inserted = &new[prefix..new.len() - suffix];
    if deleted == 0 && inserted.is_empty() {
        return Vec::new();
    }
    let integers = |tokens: usize| u32::try_from(tokens * 5).unwrap_or(u32::MAX);
    vec![SemanticTokensEdit {
        start: integers(prefix),
        delete_count: integers(deleted),
        data: Some(inserted.to_vec()),
    }]
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn token(delta_line: u32, length: u32) -> SemanticToken {
        SemanticToken {
            delta_line,
            delta_start: 0,
            length,
            token_type: 0,
            token_modifiers_bitset: 0,
        }
    }

    #[test]
    fn delta_replaces_only_the_middle() {
        let old = [token(0, 1), token(1, 2), token(1, 3)];
        let new = [token(0, 1), token(1, 9), token(1, 8), token(1, 3)];
        let edits = token_delta(&old, &new);
        assert_eq!(edits.len(), 1);
        assert_eq!((edits[0].start, edits[0].delete_count), (5, 5));
        assert_eq!(edits[0].data.as_deref(), Some(&new[1..3]));
        assert!(token_delta(&new, &new).is_empty());
    }

    #[test]
    fn multi_line_tokens_are_split_per_line() {
        let file = SourceFile::from_text("(str \"a\r\nbc\rd\")");
        let highlights = analysis::highlight(&file, None);
        let tokens = encode(&file, PositionEncoding::Utf16, &highlights);
        let shown: Vec<(u32, u32, u32)> = tokens
            .iter()
            .map(|t| (t.delta_line, t.delta_start, t.length))
            .collect();
        assert_eq!(shown, [(0, 1, 3), (0, 4, 2), (1, 0, 2), (1, 0, 2)]);
    }

    /// `old` with LSP's delta `edits` applied (integers, five per token).
    fn applied(old: &[SemanticToken], edits: &[SemanticTokensEdit]) -> Vec<SemanticToken> {
        let mut tokens = old.to_vec();
        for edit in edits.iter().rev() {
            let start = edit.start as usize / 5;
            let end = start + edit.delete_count as usize / 5;
            tokens.splice(start..end, edit.data.clone().unwrap_or_default());
        }
        tokens
    }

    /// The tokens of `file` computed from scratch, by absolute positions.
    fn fresh(file: &SourceFile, encoding: PositionEncoding) -> Vec<SemanticToken> {
        encode(file, encoding, &analysis::highlight(file, None))
    }

    #[test]
    fn a_global_changing_role_recolours_its_uses_only() {
        let mut file = SourceFile::from_text("(def f 1)\n(g f)\n(h 2)\n");
        let mut cache = TokenCache::new(PositionEncoding::Utf16);
        let before = tokens(&file, PositionEncoding::Utf16, &mut cache);
        file.apply_byte_edits(&[analysis::Edit {
            range: analysis::TextRange::new(7.into(), 8.into()),
            text: "(fn [] 1)".to_owned(),
        }])
        .expect("a valid edit");
        let after = tokens(&file, PositionEncoding::Utf16, &mut cache);
        assert_eq!(after.data(), fresh(&file, PositionEncoding::Utf16));
        assert_eq!(
            applied(&before.data(), &delta(&before, &after)),
            after.data()
        );
        let f_use = after.data()[5];
        assert_eq!(
            f_use.token_type, 1,
            "`f` is now a function where it is used"
        );
    }

    #[test]
    fn a_crlf_split_between_units_is_one_line_break() {
        let file = SourceFile::from_text("(a \"x\r\n(b c)\r\n; d\r\n(e)");
        let mut cache = TokenCache::new(PositionEncoding::Utf16);
        let data = tokens(&file, PositionEncoding::Utf16, &mut cache).data();
        assert_eq!(data, fresh(&file, PositionEncoding::Utf16));
    }

    #[test]
    fn a_file_of_many_rope_chunks_keeps_its_tokens() {
        let line = "(defn f [x] (g x)) ; a comment, é\n\n";
        let text = line.repeat(400);
        let mut file = SourceFile::from_text(&text);
        let encoding = PositionEncoding::Utf16;
        let mut cache = TokenCache::new(encoding);
        let before = tokens(&file, encoding, &mut cache);
        assert_eq!(before.data(), fresh(&file, encoding));
        let middle = analysis::TextSize::from(u32::try_from(line.len() * 200).unwrap_or(0));
        file.apply_byte_edits(&[analysis::Edit {
            range: analysis::TextRange::new(middle, middle),
            text: "; more\n".to_owned(),
        }])
        .expect("a valid edit");
        let after = tokens(&file, encoding, &mut cache);
        assert_eq!(after.data(), fresh(&file, encoding));
        assert_eq!(
            applied(&before.data(), &delta(&before, &after)),
            after.data()
        );
    }

    const PIECES: &[&str] = &[
        "(defn f [x] (g x))\n",
        "(def g 1)\n",
        "(defmacro g [a] a)\n",
        "(let [y 2] y)",
        "; c\n",
        "#_ (h)",
        "(",
        ")",
        "\"s",
        "\"",
        "\r\n",
        "\r",
        "\n",
        " ",
        "x",
        "f",
        "é😀",
        "[",
    ];

    fn arb_edit() -> impl Strategy<Value = (usize, usize, usize)> {
        (0..1000_usize, 0..8_usize, 0..PIECES.len())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// After any edits, broken text included, the tokens kept per unit equal the tokens
        /// computed from scratch, and the delta turns the previous result into the new one.
        #[test]
        fn incremental_tokens_equal_fresh_ones(
            start in prop::collection::vec(0..PIECES.len(), 0..12),
            edits in prop::collection::vec(arb_edit(), 1..12),
            utf8 in any::<bool>(),
        ) {
            let encoding = if utf8 { PositionEncoding::Utf8 } else { PositionEncoding::Utf16 };
            let text: String = start.iter().map(|&i| PIECES[i]).collect();
            let mut file = SourceFile::from_text(&text);
            let mut cache = TokenCache::new(encoding);
            let mut previous = tokens(&file, encoding, &mut cache);
            prop_assert_eq!(previous.data(), fresh(&file, encoding));
            for (at, deleted, piece) in edits {
                let text = file.text();
                let mut from = at % (text.len() + 1);
                while !text.is_char_boundary(from) {
                    from -= 1;
                }
                let mut to = (from + deleted).min(text.len());
                while !text.is_char_boundary(to) {
                    to += 1;
                }
                let range = analysis::TextRange::new(
                    u32::try_from(from).unwrap_or(0).into(),
                    u32::try_from(to).unwrap_or(0).into(),
                );
                file.apply_byte_edits(&[analysis::Edit { range, text: PIECES[piece].to_owned() }])
                    .expect("a valid edit");
                let next = tokens(&file, encoding, &mut cache);
                prop_assert_eq!(next.data(), fresh(&file, encoding), "text {:?}", file.text());
                prop_assert_eq!(applied(&previous.data(), &delta(&previous, &next)), next.data());
                previous = next;
            }
        }
    }
}
