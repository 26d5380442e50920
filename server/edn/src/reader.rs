//! The EDN reader: text to values, with positions.
//!
//! The reader first builds a [`Spanned`] tree (every form with its start and end position) so that
//! consumers such as the Datalog parser can point errors at the offending clause; [`read`] and
//! [`read_all`] drop the positions. Nesting depth is bounded ([`MAX_DEPTH`]) so hostile input
//! produces an error instead of exhausting the stack.

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use crate::{Keyword, Symbol, Value};

/// Deepest nesting of collections the reader accepts.
pub const MAX_DEPTH: usize = 256;

/// A position in the source text: byte offset plus 1-based line and column (in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    pub offset: usize,
    pub line: u32,
    pub column: u32,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// The extent of one form: `start` is its first character, `end` just past its last.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

/// What went wrong while reading.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReadErrorKind {
    #[error("unexpected end of input")]
    UnexpectedEof,
    #[error("unexpected `{0}`")]
    UnexpectedChar(char),
    #[error("unmatched `{0}`")]
    Unmatched(char),
    #[error("unclosed `{0}` opened at {1}")]
    Unclosed(char, Pos),
    #[error("invalid number `{0}`")]
    InvalidNumber(String),
    #[error("invalid escape `\\{0}` in string")]
    InvalidEscape(String),
    #[error("invalid character literal `\\{0}`")]
    InvalidChar(String),
    #[error("invalid token `{0}`")]
    InvalidToken(String),
    #[error("map literal has a key without a value")]
    OddMap,
    #[error("duplicate key `{0}` in map")]
    DuplicateKey(String),
    #[error("duplicate element `{0}` in set")]
    DuplicateElement(String),
    #[error("tag `#{0}` has no value")]
    MissingTagValue(String),
    #[error("nesting deeper than {MAX_DEPTH} levels")]
    TooDeep,
    #[error("expected exactly one form, found {0}")]
    NotOneForm(usize),
}

impl ReadErrorKind {
    /// The same error quoting at most an [`excerpt`] of the input: the text read may be a
    /// file a repository links to a secret (`/proc/self/environ`), and a message may be
    /// printed, logged or sent to an editor.
    fn quoting_excerpts(self) -> ReadErrorKind {
        use ReadErrorKind as K;
        match self {
            K::InvalidNumber(s) => K::InvalidNumber(excerpt(&s)),
            K::InvalidEscape(s) => K::InvalidEscape(excerpt(&s)),
            K::InvalidChar(s) => K::InvalidChar(excerpt(&s)),
            K::InvalidToken(s) => K::InvalidToken(excerpt(&s)),
            K::DuplicateKey(s) => K::DuplicateKey(excerpt(&s)),
            K::DuplicateElement(s) => K::DuplicateElement(excerpt(&s)),
            K::MissingTagValue(s) => K::MissingTagValue(excerpt(&s)),
            other => other,
        }
    }
}

/// The most characters of the input an error message quotes.
pub const MAX_QUOTED_CHARS: usize = 24;

/// `text` as an error message may quote it: control characters escaped, and at most
/// [`MAX_QUOTED_CHARS`] characters of it, with `…` where it was cut.
pub fn excerpt(text: &str) -> String {
    let mut out = String::new();
    for (n, c) in text.chars().enumerate() {
        if n == MAX_QUOTED_CHARS {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out
}

/// A read error with the position where it was detected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{pos}: {kind}")]
pub struct ReadError {
    pub pos: Pos,
    pub kind: ReadErrorKind,
}

/// A form with its position; collections keep their elements' positions.
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned {
    pub span: Span,
    pub node: Node,
}

/// The shape of a [`Spanned`] form. Atoms are plain values; collections hold spanned children.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Atom(Value),
    List(Vec<Spanned>),
    Vector(Vec<Spanned>),
    Map(Vec<(Spanned, Spanned)>),
    Set(Vec<Spanned>),
    Tagged(Symbol, Box<Spanned>),
}

impl Spanned {
    /// The value this form denotes, positions dropped.
    pub fn to_value(&self) -> Value {
        fn all(xs: &[Spanned]) -> Vec<Value> {
            xs.iter().map(Spanned::to_value).collect()
        }
        match &self.node {
            Node::Atom(v) => v.clone(),
            Node::List(xs) => Value::List(all(xs)),
            Node::Vector(xs) => Value::Vector(all(xs)),
            Node::Set(xs) => Value::Set(all(xs)),
            Node::Map(entries) => Value::Map(
                entries
                    .iter()
                    .map(|(k, v)| (k.to_value(), v.to_value()))
                    .collect(),
            ),
            Node::Tagged(tag, v) => Value::Tagged(tag.clone(), Box::new(v.to_value())),
        }
    }

    /// The elements of a list, vector or set; `None` for other forms.
    pub fn elements(&self) -> Option<&[Spanned]> {
        match &self.node {
            Node::List(xs) | Node::Vector(xs) | Node::Set(xs) => Some(xs),
            _ => None,
        }
    }
}

/// Reads exactly one form.
pub fn read(src: &str) -> Result<Value, ReadError> {
    read_spanned(src).map(|s| s.to_value())
}

/// Reads every form in the text.
pub fn read_all(src: &str) -> Result<Vec<Value>, ReadError> {
    Ok(read_all_spanned(src)?
        .iter()
        .map(Spanned::to_value)
        .collect())
}

/// Reads exactly one form, keeping positions.
pub fn read_spanned(src: &str) -> Result<Spanned, ReadError> {
    let mut forms = read_all_spanned(src)?;
    if forms.len() == 1
        && let Some(form) = forms.pop()
    {
        return Ok(form);
    }
    let pos = match forms.get(1) {
        Some(second) => second.span.start,
        None => Reader::new(src).end_pos(),
    };
    Err(ReadError {
        pos,
        kind: ReadErrorKind::NotOneForm(forms.len()),
    })
}

/// Reads every form in the text, keeping positions.
pub fn read_all_spanned(src: &str) -> Result<Vec<Spanned>, ReadError> {
    let mut reader = Reader::new(src);
    let mut forms = Vec::new();
    while let Some(form) = reader.next_form(0)? {
        forms.push(form);
    }
    Ok(forms)
}

struct Reader<'a> {
    src: &'a str,
    pos: Pos,
}

/// Characters that end a token (symbol, number, keyword, character literal).
fn is_delimiter(c: char) -> bool {
    c.is_whitespace() || matches!(c, ',' | '(' | ')' | '[' | ']' | '{' | '}' | '"' | ';')
}

impl<'a> Reader<'a> {
    fn new(src: &'a str) -> Reader<'a> {
        Reader {
            src,
            pos: Pos {
                offset: 0,
                line: 1,
                column: 1,
            },
        }
    }

    fn end_pos(mut self) -> Pos {
        while self.bump().is_some() {}
        self.pos
    }

    fn peek(&self) -> Option<char> {
        self.src[self.pos.offset..].chars().next()
    }

    fn peek2(&self) -> Option<char> {
        self.src[self.pos.offset..].chars().nth(1)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos.offset += c.len_utf8();
        if c == '\n' {
            self.pos.line += 1;
            self.pos.column = 1;
        } else {
            self.pos.column += 1;
        }
        Some(c)
    }

    fn err<T>(&self, pos: Pos, kind: ReadErrorKind) -> Result<T, ReadError> {
        Err(ReadError {
            pos,
            kind: kind.quoting_excerpts(),
        })
    }

    fn skip_trivia(&mut self) {
        while let Some(c) = self.peek() {
            if c.is_whitespace() || c == ',' {
                self.bump();
            } else if c == ';' {
                while let Some(c) = self.bump() {
                    if c == '\n' {
                        break;
                    }
                }
            } else {
                break;
            }
        }
    }

    /// The next form at this nesting level, or `None` at end of input. A closing delimiter here
    /// is unmatched: collections consume their own.
    fn next_form(&mut self, depth: usize) -> Result<Option<Spanned>, ReadError> {
        loop {
            self.skip_trivia();
            let start = self.pos;
            let Some(c) = self.peek() else {
                return Ok(None);
            };
            if matches!(c, ')' | ']' | '}') {
                return self.err(start, ReadErrorKind::Unmatched(c));
            }
            if c == '#' && self.peek2() == Some('_') {
                self.bump();
                self.bump();
                if self.next_form(depth)?.is_none() {
                    return self.err(self.pos, ReadErrorKind::UnexpectedEof);
                }
                continue;
            }
            return self.form(depth).map(Some);
        }
    }

    fn form(&mut self, depth: usize) -> Result<Spanned, ReadError> {
        let start = self.pos;
        if depth >= MAX_DEPTH {
            return self.err(start, ReadErrorKind::TooDeep);
        }
        let Some(c) = self.peek() else {
            return self.err(start, ReadErrorKind::UnexpectedEof);
        };
        let node = match c {
            '(' => Node::List(self.seq('(', ')', depth)?),
            '[' => Node::Vector(self.seq('[', ']', depth)?),
            '{' => self.map(depth)?,
            '"' => Node::Atom(self.string()?),
            '\\' => Node::Atom(self.char_literal()?),
            '#' => self.dispatch(depth)?,
            _ => Node::Atom(self.token()?),
        };
        Ok(Spanned {
            span: Span {
                start,
                end: self.pos,
            },
            node,
        })
    }

    /// Reads the elements of a collection up to `close`; the opening delimiter is consumed here.
    fn seq(&mut self, open: char, close: char, depth: usize) -> Result<Vec<Spanned>, ReadError> {
        let open_pos = self.pos;
        self.bump();
        let mut items = Vec::new();
        loop {
            self.skip_trivia();
            match self.peek() {
                None => return self.err(self.pos, ReadErrorKind::Unclosed(open, open_pos)),
                Some(c) if c == close => {
                    self.bump();
                    return Ok(items);
                }
                Some(')' | ']' | '}') => {
                    return self.err(
                        self.pos,
                        ReadErrorKind::Unmatched(self.peek().unwrap_or(close)),
                    );
                }
                Some('#') if self.peek2() == Some('_') => {
                    self.bump();
                    self.bump();
                    self.skip_trivia();
                    match self.peek() {
                        None => {
                            return self.err(self.pos, ReadErrorKind::Unclosed(open, open_pos));
                        }
                        Some(c) if c == close => {
                            return self.err(self.pos, ReadErrorKind::UnexpectedChar(c));
                        }
                        _ => {
                            self.form(depth + 1)?;
                        }
                    }
                }
                Some(_) => items.push(self.form(depth + 1)?),
            }
        }
    }

    fn map(&mut self, depth: usize) -> Result<Node, ReadError> {
        let start = self.pos;
        let items = self.seq('{', '}', depth)?;
        if items.len() % 2 != 0 {
            return self.err(start, ReadErrorKind::OddMap);
        }
        let mut seen = HashSet::new();
        let mut entries = Vec::with_capacity(items.len() / 2);
        let mut items = items.into_iter();
        while let (Some(k), Some(v)) = (items.next(), items.next()) {
            let key = k.to_value();
            if !seen.insert(key.clone()) {
                return self.err(k.span.start, ReadErrorKind::DuplicateKey(key.to_string()));
            }
            entries.push((k, v));
        }
        Ok(Node::Map(entries))
    }

    fn dispatch(&mut self, depth: usize) -> Result<Node, ReadError> {
        let start = self.pos;
        self.bump();
        match self.peek() {
            Some('{') => {
                let items = self.seq('{', '}', depth)?;
                let mut seen = HashSet::new();
                for item in &items {
                    let v = item.to_value();
                    if !seen.insert(v.clone()) {
                        return self.err(
                            item.span.start,
                            ReadErrorKind::DuplicateElement(v.to_string()),
                        );
                    }
                }
                Ok(Node::Set(items))
            }
            Some('#') => {
                self.bump();
                let text = self.token_text();
                match text {
                    "Inf" => Ok(Node::Atom(Value::Float(f64::INFINITY))),
                    "-Inf" => Ok(Node::Atom(Value::Float(f64::NEG_INFINITY))),
                    "NaN" => Ok(Node::Atom(Value::Float(f64::NAN))),
                    _ => self.err(start, ReadErrorKind::InvalidToken(format!("##{text}"))),
                }
            }
            Some(c) if c.is_alphabetic() => {
                let text = self.token_text();
                let tag = Symbol::new(text);
                match self.next_form(depth + 1)? {
                    Some(v) => Ok(Node::Tagged(tag, Box::new(v))),
                    None => self.err(self.pos, ReadErrorKind::MissingTagValue(text.to_owned())),
                }
            }
            Some(c) => self.err(start, ReadErrorKind::InvalidToken(format!("#{c}"))),
            None => self.err(self.pos, ReadErrorKind::UnexpectedEof),
        }
    }

    fn token_text(&mut self) -> &'a str {
        let from = self.pos.offset;
        while let Some(c) = self.peek() {
            if is_delimiter(c) {
                break;
            }
            self.bump();
        }
        &self.src[from..self.pos.offset]
    }

    fn string(&mut self) -> Result<Value, ReadError> {
        let open = self.pos;
        self.bump();
        let mut out = String::new();
        loop {
            let at = self.pos;
            match self.bump() {
                None => return self.err(self.pos, ReadErrorKind::Unclosed('"', open)),
                Some('"') => return Ok(Value::Str(Arc::from(out))),
                Some('\\') => match self.bump() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some('r') => out.push('\r'),
                    Some('b') => out.push('\u{8}'),
                    Some('f') => out.push('\u{c}'),
                    Some('"') => out.push('"'),
                    Some('\\') => out.push('\\'),
                    Some('u') => {
                        let hex: String = (0..4).filter_map(|_| self.bump()).collect();
                        match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                            Some(c) if hex.len() == 4 => out.push(c),
                            _ => {
                                return self
                                    .err(at, ReadErrorKind::InvalidEscape(format!("u{hex}")));
                            }
                        }
                    }
                    Some(c) => return self.err(at, ReadErrorKind::InvalidEscape(c.to_string())),
                    None => return self.err(self.pos, ReadErrorKind::Unclosed('"', open)),
                },
                Some(c) => out.push(c),
            }
        }
    }

    fn char_literal(&mut self) -> Result<Value, ReadError> {
        let start = self.pos;
        self.bump();
        // The first character is taken even if it is a delimiter: `\(` and `\ ` are characters.
        let Some(first) = self.bump() else {
            return self.err(self.pos, ReadErrorKind::UnexpectedEof);
        };
        let rest = self.token_text();
        let text = format!("{first}{rest}");
        let c = match text.as_str() {
            "newline" => '\n',
            "space" => ' ',
            "tab" => '\t',
            "return" => '\r',
            "backspace" => '\u{8}',
            "formfeed" => '\u{c}',
            t if t.chars().count() == 1 => first,
            t if t.len() == 5 && t.starts_with('u') => {
                match u32::from_str_radix(&t[1..], 16)
                    .ok()
                    .and_then(char::from_u32)
                {
                    Some(c) => c,
                    None => return self.err(start, ReadErrorKind::InvalidChar(text)),
                }
            }
            _ => return self.err(start, ReadErrorKind::InvalidChar(text)),
        };
        Ok(Value::Char(c))
    }

    /// Numbers, keywords, symbols, `nil`, `true` and `false`.
    fn token(&mut self) -> Result<Value, ReadError> {
        let start = self.pos;
        let text = self.token_text();
        if text.is_empty() {
            let c = self.peek().unwrap_or(' ');
            return self.err(start, ReadErrorKind::UnexpectedChar(c));
        }
        let mut chars = text.chars();
        let first = chars.next().unwrap_or(' ');
        let second = chars.next();
        if first.is_ascii_digit()
            || (matches!(first, '+' | '-') && second.is_some_and(|c| c.is_ascii_digit()))
        {
            return number(text).ok_or(ReadError {
                pos: start,
                kind: ReadErrorKind::InvalidNumber(text.to_owned()),
            });
        }
        if let Some(name) = text.strip_prefix(':') {
            if !valid_name(name) || name.starts_with(':') {
                return self.err(start, ReadErrorKind::InvalidToken(text.to_owned()));
            }
            return Ok(Value::Keyword(Keyword::new(name)));
        }
        match text {
            "nil" => return Ok(Value::Nil),
            "true" => return Ok(Value::Bool(true)),
            "false" => return Ok(Value::Bool(false)),
            _ => {}
        }
        if !valid_name(text) {
            return self.err(start, ReadErrorKind::InvalidToken(text.to_owned()));
        }
        Ok(Value::Symbol(Symbol::new(text)))
    }
}

/// Symbol and keyword bodies: `/` alone, or an optional namespace and a name around one `/`,
/// neither part empty, made of alphanumerics and `. * + ! - _ ? $ % & = < > ' : #`.
fn valid_name(text: &str) -> bool {
    fn part(p: &str) -> bool {
        !p.is_empty()
            && p.chars()
                .all(|c| c.is_alphanumeric() || ".*+!-_?$%&=<>':#".contains(c))
            && !p.starts_with(|c: char| c.is_ascii_digit() || c == '#' || c == '\'')
    }
    if text == "/" {
        return true;
    }
    match text.split_once('/') {
        None => part(text),
        Some((ns, name)) => part(ns) && (name == "/" || part(name)),
    }
}

fn number(text: &str) -> Option<Value> {
    if let Some(int) = text.strip_suffix('N') {
        return int.parse::<i64>().ok().map(Value::Int);
    }
    if let Some(dec) = text.strip_suffix('M') {
        return dec.parse::<f64>().ok().map(Value::Float);
    }
    if text.contains(['.', 'e', 'E']) {
        let ok = text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'));
        return if ok {
            text.parse::<f64>().ok().map(Value::Float)
        } else {
            None
        };
    }
    text.parse::<i64>().ok().map(Value::Int)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_quote_a_short_escaped_excerpt_of_the_input() {
        let token = format!("##SECRET=\u{0}x{}", "y".repeat(10_000));
        let message = read(&token).map(|_| ()).map_err(|e| e.to_string());
        assert_eq!(
            message,
            Err("1:1: invalid token `##SECRET=\\0xyyyyyyyyyyyyy…`".to_owned())
        );
        assert_eq!(excerpt("short"), "short");
        assert_eq!(excerpt("a\nb\u{1b}"), "a\\nb\\u{1b}");
    }
}
