//! Semantic tokens in LSP's form: the legend, the relative integer encoding, and deltas between
//! two results.
//!
//! Legend choices (standard token types only, so every theme colours them): special forms are
//! `keyword`; functions (call heads, globals and locals bound to a `fn`, core functions with
//! `defaultLibrary`) are `function`; macros `macro`; parameters (and `%` arguments) `parameter`;
//! other symbols (locals, globals bound to values) `variable`; binders carry `declaration` and
//! `definition`; yin keywords `:k` and the constants `nil true false` are
//! self-evaluating named constants, so `enumMember` (the constants with `defaultLibrary`);
//! strings and characters are `string`; `#"..."` is `regexp`; numbers `number`; comments and `#_`
//! forms `comment`; a tagged literal's tag is `type`.

use analysis::{HlRange, HlTag, PositionEncoding, SourceFile};
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
    let mut out = Vec::with_capacity(highlights.len());
    let (mut previous_line, mut previous_start) = (0, 0);
    for highlight in highlights {
        let start = document.offset_to_position(highlight.range.start(), encoding);
        let token_text = text
            .byte_slice(usize::from(highlight.range.start())..usize::from(highlight.range.end()))
            .to_string();
        let (token_type, bits) = (token_type(highlight.tag), modifiers(highlight));
        for (i, piece) in lines(&token_text).enumerate() {
            let line = start.line + u32::try_from(i).unwrap_or(u32::MAX);
            let character = if i == 0 { start.character } else { 0 };
            let length = length(piece, encoding);
            if length == 0 {
                continue;
            }
            let delta_line = line - previous_line;
            let delta_start = if delta_line == 0 {
                character - previous_start
            } else {
                character
            };
            out.push(SemanticToken {
                delta_line,
                delta_start,
                length,
                token_type,
                token_modifiers_bitset: bits,
            });
            (previous_line, previous_start) = (line, character);
        }
    }
    out
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

/// The edit turning `old` into `new`: one replacement of the tokens between their common prefix
/// and suffix (`start` and `delete_count` count integers, five per token), or none if equal.
pub(crate) fn delta(old: &[SemanticToken], new: &[SemanticToken]) -> Vec<SemanticTokensEdit> {
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
        let edits = delta(&old, &new);
        assert_eq!(edits.len(), 1);
        assert_eq!((edits[0].start, edits[0].delete_count), (5, 5));
        assert_eq!(edits[0].data.as_deref(), Some(&new[1..3]));
        assert!(delta(&new, &new).is_empty());
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
}
