//! The reader: tree-sitter nodes in, [`Form`]s out.
//!
//! It knows the grammar's node names and Clojure's token syntax (numbers, strings, characters), and
//! nothing about special forms. Reader sugar is expanded (`'x` reads as `(quote x)`); metadata,
//! comments and `#_` discards are skipped; reader syntax yin does not have becomes
//! [`FormKind::Invalid`] with an `unsupported` diagnostic. The walk uses an explicit stack, and
//! nesting deeper than [`MAX_DEPTH`] is cut with a `too deeply nested` diagnostic, so no input can
//! overflow the stack here or in whatever later walks the forms.

use std::sync::OnceLock;

use ropey::Rope;
use text_size::{TextRange, TextSize};
use tree_sitter::{Node, TreeCursor};

use crate::diagnostic::{Diagnostic, Severity};
use crate::form::{Form, FormKind};
use crate::intern::Interner;
use crate::parse::syntax_diagnostics;

mod syntax_quote;

/// The deepest nesting of forms the reader builds; deeper forms become [`FormKind::Invalid`].
pub const MAX_DEPTH: usize = 256;

/// Reads one top-level node (any form node) into a form with absolute byte spans.
pub fn read_node(node: Node<'_>, text: &str) -> (Form, Vec<Diagnostic>) {
    let mut interner = Interner::new();
    let mut diagnostics = Vec::new();
    let form = read_node_with(node, text, 0, &mut interner, &mut diagnostics);
    (form, diagnostics)
}

/// Parses `text` and reads every top-level form, with absolute byte spans.
pub fn read_str(text: &str) -> (Vec<Form>, Vec<Diagnostic>) {
    let mut parser = tree_sitter::Parser::new();
    let mut diagnostics = Vec::new();
    if parser
        .set_language(&tree_sitter_yin::LANGUAGE.into())
        .is_err()
    {
        return (Vec::new(), diagnostics);
    }
    let Some(tree) = parser.parse(text, None) else {
        return (Vec::new(), diagnostics);
    };
    let mut interner = Interner::new();
    let forms = top_level_nodes(tree.root_node())
        .into_iter()
        .map(|n| read_node_with(n, text, 0, &mut interner, &mut diagnostics))
        .collect();
    // The reader sees only the nodes tree-sitter kept, and an ERROR node says only "syntax
    // error" where it starts. The delimiter matching in `parse` says what is wrong and where
    // (`unterminated string` at the quote), as the editor and `yin check` show it, and finds
    // problems tree-sitter's recovery dropped (a run of unclosed openers can come back as
    // forms with nothing MISSING), so a broken text never reads as a clean one. Its
    // diagnostics replace the reader's syntax ones.
    if tree.root_node().has_error() {
        let precise = syntax_diagnostics(&tree, &Rope::from_str(text));
        if !precise.is_empty() {
            diagnostics.retain(|d| d.code != "syntax");
            diagnostics.splice(0..0, precise);
        }
    }
    (forms, diagnostics)
}

/// The nodes of a `source` root that are forms (comments and discards are skipped).
pub fn top_level_nodes(root: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = root.walk();
    root.children(&mut cursor).filter(is_form).collect()
}

/// Whether a child of the root is a form (not a comment, a discard or a stray token).
pub fn is_form(node: &Node<'_>) -> bool {
    (node.is_named() || node.is_error()) && kind_of(node) != Kind::Skipped
}

/// Reads `node` with spans relative to `base` (a byte offset in `text`), sharing `interner`'s
/// names and appending diagnostics (also relative to `base`).
pub fn read_node_with(
    node: Node<'_>,
    text: &str,
    base: usize,
    interner: &mut Interner,
    diagnostics: &mut Vec<Diagnostic>,
) -> Form {
    Reader {
        text,
        base,
        interner,
        diagnostics,
        root: TextRange::default(),
    }
    .read(node)
}

fn is_skipped(kind: &str) -> bool {
    matches!(kind, "comment" | "dis_expr" | "meta_lit" | "old_meta_lit")
}

/// What the reader does with a node kind, decided once per grammar symbol: comparing kind names
/// per node costs a `strlen` and a UTF-8 check each time.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Open(Shape),
    Nil,
    Bool,
    Num,
    Str,
    Char,
    Kwd,
    Sym,
    SymVal,
    Regex,
    Skipped,
    Other,
}

fn kind_of(node: &Node<'_>) -> Kind {
    static TABLE: OnceLock<Vec<Kind>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let language: tree_sitter::Language = tree_sitter_yin::LANGUAGE.into();
        (0..language.node_kind_count())
            .map(|id| {
                let name = u16::try_from(id)
                    .ok()
                    .and_then(|id| language.node_kind_for_id(id))
                    .unwrap_or("");
                match name {
                    "list_lit" => Kind::Open(Shape::List),
                    "vec_lit" => Kind::Open(Shape::Vector),
                    "map_lit" => Kind::Open(Shape::Map),
                    "set_lit" => Kind::Open(Shape::Set),
                    "quoting_lit" => Kind::Open(Shape::Quote),
                    "syn_quoting_lit" => Kind::Open(Shape::SyntaxQuote),
                    "unquoting_lit" => Kind::Open(Shape::Prefixed("unquote")),
                    "unquote_splicing_lit" => Kind::Open(Shape::Prefixed("unquote-splicing")),
                    "derefing_lit" => Kind::Open(Shape::Prefixed("deref")),
                    "anon_fn_lit" => Kind::Open(Shape::AnonFn),
                    "regex_lit" => Kind::Regex,
                    "nil_lit" => Kind::Nil,
                    "bool_lit" => Kind::Bool,
                    "num_lit" => Kind::Num,
                    "str_lit" => Kind::Str,
                    "char_lit" => Kind::Char,
                    "kwd_lit" => Kind::Kwd,
                    "sym_lit" => Kind::Sym,
                    "sym_val_lit" => Kind::SymVal,
                    name if is_skipped(name) => Kind::Skipped,
                    _ => Kind::Other,
                }
            })
            .collect()
    });
    match table.get(usize::from(node.kind_id())) {
        Some(&kind) if node.is_named() => kind,
        _ => Kind::Other,
    }
}

/// Reader syntax that Clojure has and yin does not, by node kind.
fn unsupported(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "ns_map_lit" => "namespaced maps `#:ns{...}` are",
        "var_quoting_lit" => "var quote `#'` is",
        "evaling_lit" => "read-eval `#=` is",
        "read_cond_lit" => "reader conditionals `#?(...)` are",
        "splicing_read_cond_lit" => "splicing reader conditionals `#?@(...)` are",
        "tagged_or_ctor_lit" => "tagged literals are",
        _ => return None,
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    List,
    Vector,
    Map,
    Set,
    Quote,
    /// `` `x ``: expanded when the frame finishes (`syntax_quote`).
    SyntaxQuote,
    /// `~x`, `~@x`, `@x`: read as `(NAME x)`.
    Prefixed(&'static str),
    /// `#(...)`: read as `(fn [%1 ... & %&] (...))`.
    AnonFn,
}

/// The `%` parameters an anonymous function literal uses, with the span of each first use.
#[derive(Default)]
struct AnonParams {
    /// `positional[i]` is where `%{i+1}` is first used, `Some` once it is.
    positional: Vec<Option<TextRange>>,
    rest: Option<TextRange>,
    /// Set for a `#()` inside another: read as invalid, as Clojure refuses it.
    nested: bool,
}

/// A collection being read. One cursor walks the whole tree; a frame remembers whether the
/// cursor went down into its children, so finishing it can come back up.
struct Frame {
    shape: Shape,
    span: TextRange,
    started: bool,
    entered: bool,
    items: Vec<Form>,
    anon: Option<AnonParams>,
}

enum Start {
    Done(Form),
    Open(Frame),
}

struct Reader<'a> {
    text: &'a str,
    base: usize,
    interner: &'a mut Interner,
    diagnostics: &'a mut Vec<Diagnostic>,
    /// The span of the top-level form being read.
    root: TextRange,
}

impl Reader<'_> {
    fn read(&mut self, root: Node<'_>) -> Form {
        self.root = self.span(root);
        let mut cursor = root.walk();
        let value_field = root.language().field_id_for_name("value");
        let mut stack: Vec<Frame> = Vec::new();
        let mut value = match self.start(root, 0) {
            Start::Done(form) => Some(form),
            Start::Open(frame) => {
                stack.push(frame);
                None
            }
        };
        loop {
            if let Some(mut form) = value.take() {
                if let FormKind::Symbol(name) = &form.kind
                    && name.as_str().starts_with('%')
                    && let Some(anon) = stack.iter_mut().rev().find_map(|f| f.anon.as_mut())
                    && let Some(renamed) = anon_param(anon, name.as_str(), form.span)
                {
                    form.kind = FormKind::Symbol(self.interner.symbol(&renamed));
                }
                match stack.last_mut() {
                    None => return form,
                    Some(top) => top.items.push(form),
                }
            }
            let Some(top) = stack.last_mut() else {
                return self.invalid(self.span(root));
            };
            match self.next_element(&mut cursor, top, value_field) {
                Some(child) => match self.start(child, stack.len()) {
                    Start::Done(form) => value = Some(form),
                    Start::Open(mut frame) => {
                        if let Some(anon) = frame.anon.as_mut()
                            && stack.iter().any(|f| f.anon.is_some())
                        {
                            anon.nested = true;
                            self.error(
                                frame.span,
                                "malformed",
                                "a `#(...)` cannot be inside another `#(...)`",
                            );
                        }
                        stack.push(frame);
                    }
                },
                None => {
                    if let Some(frame) = stack.pop() {
                        if frame.entered {
                            cursor.goto_parent();
                        }
                        value = Some(self.finish(frame));
                    }
                }
            }
        }
    }

    /// Moves the cursor to the frame's next element child, reporting missing tokens on the way.
    fn next_element<'t>(
        &mut self,
        cursor: &mut TreeCursor<'t>,
        frame: &mut Frame,
        value_field: Option<std::num::NonZeroU16>,
    ) -> Option<Node<'t>> {
        loop {
            let moved = if frame.started {
                frame.entered && cursor.goto_next_sibling()
            } else {
                frame.started = true;
                frame.entered = cursor.goto_first_child();
                frame.entered
            };
            if !moved {
                return None;
            }
            let node = cursor.node();
            if node.is_missing() {
                let message = format!("missing `{}`", node.kind());
                self.error(self.span(node), "syntax", message);
                continue;
            }
            if node.is_error() {
                return Some(node);
            }
            if value_field.is_some()
                && cursor.field_id() == value_field
                && kind_of(&node) != Kind::Skipped
            {
                return Some(node);
            }
        }
    }

    fn start(&mut self, node: Node<'_>, depth: usize) -> Start {
        let span = self.span(node);
        if depth >= MAX_DEPTH {
            self.error(
                span,
                "too-deep",
                format!("too deeply nested (more than {MAX_DEPTH} levels)"),
            );
            return Start::Done(self.invalid(span));
        }
        let shape = match kind_of(&node) {
            Kind::Open(shape) => shape,
            kind => return Start::Done(self.leaf(node, kind, span)),
        };
        Start::Open(Frame {
            shape,
            span,
            started: false,
            entered: false,
            items: Vec::new(),
            anon: (shape == Shape::AnonFn).then(AnonParams::default),
        })
    }

    fn leaf(&mut self, node: Node<'_>, kind: Kind, mut span: TextRange) -> Form {
        if kind == Kind::Sym
            && let Some(name) = node.child_by_field_name("name")
            && name.is_missing()
        {
            // `(f ^m)`: tree-sitter finished the symbol with an empty MISSING name, already
            // reported as a syntax error; it must not become a symbol named "" (found by fuzzing).
            return self.invalid(self.span(name));
        }
        if kind == Kind::Sym && node.child_count() > 1 {
            // Metadata sits inside the symbol's node: the symbol is its `name` child.
            if let Some(name) = node.child_by_field_name("name") {
                span = self.span(name);
            }
        }
        let start = self.base + usize::from(span.start());
        let text = self
            .text
            .get(start..self.base + usize::from(span.end()))
            .unwrap_or("");
        let parsed = match kind {
            Kind::Nil => Ok(FormKind::Nil),
            Kind::Bool => Ok(FormKind::Bool(text == "true")),
            Kind::Num => parse_number(text),
            Kind::Str => parse_string(text).map(FormKind::Str),
            Kind::Char => parse_char(text).map(FormKind::Char),
            Kind::Kwd => self.keyword(text),
            Kind::Sym => self.symbol(text),
            // `#"re"` reads as `(re-pattern "re")`, the text kept as written (no escapes are
            // processed, as in Clojure).
            Kind::Regex => {
                let pattern = text
                    .strip_prefix("#\"")
                    .and_then(|t| t.strip_suffix('"'))
                    .unwrap_or("");
                let items = vec![
                    Form {
                        kind: FormKind::Symbol(self.interner.symbol("re-pattern")),
                        span,
                    },
                    Form {
                        kind: FormKind::Str(pattern.to_owned()),
                        span,
                    },
                ];
                Ok(FormKind::List(items))
            }
            Kind::SymVal => match text.trim_start_matches('#') {
                "Inf" => Ok(FormKind::Float(f64::INFINITY)),
                "-Inf" => Ok(FormKind::Float(f64::NEG_INFINITY)),
                "NaN" => Ok(FormKind::Float(f64::NAN)),
                other => Err(format!("unknown symbolic value `##{other}`")),
            },
            _ if node.is_error() => Err("syntax error".to_string()),
            _ => match unsupported(node.kind()) {
                Some(what) => {
                    self.error(span, "unsupported", format!("{what} not supported in yin"));
                    return self.invalid(span);
                }
                None => Err(format!("unexpected `{}`", node.kind())),
            },
        };
        match parsed {
            Ok(kind) => Form { kind, span },
            Err(message) => {
                let code = match kind {
                    _ if node.is_error() => "syntax",
                    _ if message.ends_with("not supported in yin") => "unsupported",
                    _ => "malformed",
                };
                self.error(span, code, message);
                self.invalid(span)
            }
        }
    }

    fn keyword(&mut self, text: &str) -> Result<FormKind, String> {
        let name = text.strip_prefix(':').unwrap_or(text);
        if name.starts_with(':') {
            return Err(format!(
                "auto-resolved keywords like `{text}` are not supported in yin"
            ));
        }
        if name.is_empty() {
            return Err("a keyword needs a name".to_string());
        }
        Ok(FormKind::Keyword(self.interner.keyword(name)))
    }

    fn symbol(&mut self, text: &str) -> Result<FormKind, String> {
        if let Some(name) = text.strip_prefix('.').and_then(java_method) {
            return Ok(FormKind::Symbol(self.interner.symbol(name)));
        }
        let interop = (text.len() > 1 && text.starts_with('.') && text != "..")
            || (text.len() > 1 && text.ends_with('.') && text != "..");
        if interop {
            return Err(format!("Java interop (`{text}`) is not supported in yin"));
        }
        Ok(FormKind::Symbol(self.interner.symbol(text)))
    }

    fn finish(&mut self, frame: Frame) -> Form {
        let span = frame.span;
        let mut items = frame.items;
        let kind = match frame.shape {
            Shape::List => FormKind::List(items),
            Shape::Vector => FormKind::Vector(items),
            Shape::Set => FormKind::Set(items),
            Shape::Map => {
                if items.len() % 2 == 1
                    && let Some(extra) = items.pop()
                {
                    self.error(
                        extra.span,
                        "malformed",
                        "a map literal needs an even number of forms; this key has no value",
                    );
                }
                let mut entries = Vec::with_capacity(items.len() / 2);
                let mut it = items.into_iter();
                while let (Some(k), Some(v)) = (it.next(), it.next()) {
                    entries.push((k, v));
                }
                FormKind::Map(entries)
            }
            Shape::Quote => self.prefixed("quote", "'", span, items),
            Shape::Prefixed(name) => {
                let sigil = match name {
                    "unquote" => "~",
                    "unquote-splicing" => "~@",
                    _ => "@",
                };
                self.prefixed(name, sigil, span, items)
            }
            Shape::SyntaxQuote => match items.pop() {
                Some(datum) if items.is_empty() => {
                    let seed = self.gensym_seed(span);
                    let mut built =
                        syntax_quote::expand(datum, seed, self.interner, self.diagnostics);
                    built.span = span;
                    return built;
                }
                _ => {
                    self.error(span, "syntax", "`` ` `` needs a form to quote");
                    FormKind::Invalid
                }
            },
            Shape::AnonFn => match frame.anon {
                Some(anon) if !anon.nested => self.anon_fn(anon, items, span),
                _ => FormKind::Invalid,
            },
        };
        Form { kind, span }
    }

    /// `'x`, `~x`, `~@x`, `@x`: `(name x)`.
    fn prefixed(
        &mut self,
        name: &str,
        sigil: &str,
        span: TextRange,
        mut items: Vec<Form>,
    ) -> FormKind {
        match items.pop() {
            Some(datum) if items.is_empty() => {
                let head_span = TextRange::at(
                    span.start(),
                    TextSize::from(u32::try_from(sigil.len()).unwrap_or(1)),
                );
                FormKind::List(vec![
                    Form {
                        kind: FormKind::Symbol(self.interner.symbol(name)),
                        span: head_span,
                    },
                    datum,
                ])
            }
            _ => {
                self.error(span, "syntax", format!("`{sigil}` needs a form"));
                FormKind::Invalid
            }
        }
    }

    /// `#(f % %2 %&)` is `(fn [%1 %2 & %&] (f %1 %2 %&))`: one parameter per position up to the
    /// highest used, each binder at its first use (`#(...)` itself for an unused one).
    fn anon_fn(&mut self, anon: AnonParams, items: Vec<Form>, span: TextRange) -> FormKind {
        let head = TextRange::at(span.start(), TextSize::from(2));
        let mut params: Vec<Form> = anon
            .positional
            .iter()
            .enumerate()
            .map(|(i, at)| Form {
                kind: FormKind::Symbol(self.interner.symbol(&format!("%{}", i + 1))),
                span: at.unwrap_or(head),
            })
            .collect();
        if let Some(at) = anon.rest {
            params.push(Form {
                kind: FormKind::Symbol(self.interner.symbol("&")),
                span: at,
            });
            params.push(Form {
                kind: FormKind::Symbol(self.interner.symbol("%&")),
                span: at,
            });
        }
        FormKind::List(vec![
            Form {
                kind: FormKind::Symbol(self.interner.symbol("fn")),
                span: head,
            },
            Form {
                kind: FormKind::Vector(params),
                span: head,
            },
            Form {
                kind: FormKind::List(items),
                span,
            },
        ])
    }

    /// A number for the auto-gensyms (`x#`) of the syntax-quote at `span`: the same for the same
    /// text at the same place in its top-level form, so reading again (incrementally or not)
    /// names them alike, and different for other syntax-quotes, so macros do not share names.
    fn gensym_seed(&self, span: TextRange) -> u64 {
        // FNV-1a over the top-level form's text and the syntax-quote's offset in it.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let root = self.root;
        let text = self
            .text
            .get(self.base + usize::from(root.start())..self.base + usize::from(root.end()))
            .unwrap_or("");
        let offset = u32::from(span.start()).saturating_sub(u32::from(root.start()));
        for b in text.bytes().chain(offset.to_le_bytes()) {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        hash % 1_000_000
    }

    fn span(&self, node: Node<'_>) -> TextRange {
        let at = |offset: usize| {
            TextSize::from(u32::try_from(offset.saturating_sub(self.base)).unwrap_or(u32::MAX))
        };
        TextRange::new(
            at(node.start_byte()),
            at(node.end_byte().max(node.start_byte())),
        )
    }

    fn invalid(&self, span: TextRange) -> Form {
        Form {
            kind: FormKind::Invalid,
            span,
        }
    }

    fn error(&mut self, range: TextRange, code: &'static str, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic {
            range,
            severity: Severity::Error,
            code,
            message: message.into(),
        });
    }
}

/// What `%`, `%N` or `%&` inside `#(...)` is renamed to (`%` is `%1`), recording the use;
/// `None` for any other symbol starting with `%`.
fn anon_param(anon: &mut AnonParams, name: &str, span: TextRange) -> Option<String> {
    let index = match &name[1..] {
        "" => 1,
        "&" => {
            anon.rest.get_or_insert(span);
            return Some(name.to_owned());
        }
        digits => match digits.parse::<usize>() {
            // Clojure allows up to 20 positional parameters.
            Ok(n @ 1..=20) => n,
            _ => return None,
        },
    };
    if anon.positional.len() < index {
        anon.positional.resize(index, None);
    }
    anon.positional[index - 1].get_or_insert(span);
    Some(format!("%{index}"))
}

/// Parses a Clojure number token: integers (decimal, `0x` hex, leading-zero octal, `NrDIGITS`
/// radix, `N` suffix), floats (`M` suffix accepted), and ratios, normalised to lowest terms.
pub fn parse_number(text: &str) -> Result<FormKind, String> {
    let out_of_range = || format!("integer `{text}` is out of the 64-bit range");
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let bad = || format!("invalid number `{text}`");
    if body.is_empty() {
        return Err(bad());
    }
    let signed = |magnitude: i128| if negative { -magnitude } else { magnitude };
    if let Some((n, d)) = body.split_once('/') {
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(n) || !digits(d) {
            return Err(bad());
        }
        let n = n.parse::<i128>().map_err(|_| bad())?;
        let d = d.parse::<i128>().map_err(|_| bad())?;
        if d == 0 {
            return Err(format!("ratio `{text}` divides by zero"));
        }
        let g = gcd(n, d).max(1);
        let (n, d) = (signed(n / g), d / g);
        let n = i64::try_from(n).map_err(|_| out_of_range())?;
        let d = i64::try_from(d).map_err(|_| out_of_range())?;
        return Ok(if d == 1 {
            FormKind::Int(n)
        } else {
            FormKind::Ratio(n, d)
        });
    }
    let is_hex = body.starts_with("0x") || body.starts_with("0X");
    let radix = body
        .split_once(['r', 'R'])
        .filter(|(r, _)| !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit()));
    if !is_hex && radix.is_none() && (body.contains(['.', 'e', 'E']) || body.ends_with('M')) {
        let x = body
            .trim_end_matches('M')
            .parse::<f64>()
            .map_err(|_| bad())?;
        return Ok(FormKind::Float(if negative { -x } else { x }));
    }
    let body = body.strip_suffix('N').unwrap_or(body);
    let (radix, digits) = if is_hex {
        (16, &body[2..])
    } else if let Some((r, digits)) = radix {
        let r = r.parse::<u32>().map_err(|_| bad())?;
        if !(2..=36).contains(&r) {
            return Err(format!("radix {r} in `{text}` is not between 2 and 36"));
        }
        (r, digits)
    } else if body.len() > 1 && body.starts_with('0') {
        (8, &body[1..])
    } else {
        (10, body)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Err(bad());
    }
    let magnitude = i128::from_str_radix(digits, radix).map_err(|_| out_of_range())?;
    i64::try_from(signed(magnitude))
        .map(FormKind::Int)
        .map_err(|_| out_of_range())
}

fn gcd(a: i128, b: i128) -> i128 {
    let (mut a, mut b) = (a.abs(), b.abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Unescapes a string token, quotes included.
pub fn parse_string(text: &str) -> Result<String, String> {
    let inner = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .ok_or_else(|| "unterminated string".to_string())?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let escaped = match chars.next() {
            Some('n') => '\n',
            Some('t') => '\t',
            Some('r') => '\r',
            Some('b') => '\u{8}',
            Some('f') => '\u{c}',
            Some('"') => '"',
            Some('\\') => '\\',
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                u32::from_str_radix(&hex, 16)
                    .ok()
                    .filter(|_| hex.len() == 4)
                    .and_then(char::from_u32)
                    .ok_or_else(|| format!("invalid unicode escape `\\u{hex}`"))?
            }
            Some(d) if d.is_digit(8) => {
                let mut code = d.to_digit(8).unwrap_or(0);
                let rest = chars.as_str();
                let more = rest.chars().take(2).take_while(|c| c.is_digit(8)).count();
                for c in rest[..more].chars() {
                    code = code * 8 + c.to_digit(8).unwrap_or(0);
                }
                chars = rest[more..].chars();
                char::from_u32(code).ok_or_else(|| "invalid octal escape".to_string())?
            }
            Some(other) => return Err(format!("unsupported escape `\\{other}` in string")),
            None => return Err("unterminated escape in string".to_string()),
        };
        out.push(escaped);
    }
    Ok(out)
}

/// Reads a character token such as `\a`, `\newline` or `\u03bb`.
pub fn parse_char(text: &str) -> Result<char, String> {
    let body = text.strip_prefix('\\').unwrap_or(text);
    let mut chars = body.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return Ok(c);
    }
    let named = match body {
        "newline" => Some('\n'),
        "space" => Some(' '),
        "tab" => Some('\t'),
        "backspace" => Some('\u{8}'),
        "formfeed" => Some('\u{c}'),
        "return" => Some('\r'),
        _ => None,
    };
    if let Some(c) = named {
        return Ok(c);
    }
    let code = if let Some(hex) = body.strip_prefix('u') {
        u32::from_str_radix(hex, 16).ok()
    } else if let Some(oct) = body.strip_prefix('o') {
        u32::from_str_radix(oct, 8).ok().filter(|&c| c <= 0o377)
    } else {
        None
    };
    code.and_then(char::from_u32)
        .ok_or_else(|| format!("unknown character `{text}`"))
}

/// The core function a Java method call on a string or an exception stands for, taking the same
/// arguments in the same order: `(.toUpperCase s)` reads as `(clojure.string/upper-case s)`,
/// `(.getMessage e)` as `(ex-message e)`. Only methods whose meaning the core function keeps are
/// here (`.indexOf` is not: Java's -1 is `index-of`'s `nil`); any other `.method` is refused.
fn java_method(method: &str) -> Option<&'static str> {
    Some(match method {
        "getMessage" => "ex-message",
        "getData" => "ex-data",
        "getCause" => "ex-cause",
        "toUpperCase" => "clojure.string/upper-case",
        "toLowerCase" => "clojure.string/lower-case",
        "trim" => "clojure.string/trim",
        "length" => "count",
        "isEmpty" => "empty?",
        "substring" => "subs",
        "charAt" => "nth",
        "startsWith" => "clojure.string/starts-with?",
        "endsWith" => "clojure.string/ends-with?",
        "contains" => "clojure.string/includes?",
        "equals" => "=",
        "toString" => "str",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        let cases = [
            ("42", Ok(FormKind::Int(42))),
            ("-0x1f", Ok(FormKind::Int(-31))),
            ("+017", Ok(FormKind::Int(15))),
            ("36rZZ", Ok(FormKind::Int(1295))),
            ("16r1e", Ok(FormKind::Int(30))),
            ("9223372036854775807N", Ok(FormKind::Int(i64::MAX))),
            ("-9223372036854775808", Ok(FormKind::Int(i64::MIN))),
            ("6/-4", Err(())),
            ("-6/4", Ok(FormKind::Ratio(-3, 2))),
            ("4/2", Ok(FormKind::Int(2))),
            ("1e3", Ok(FormKind::Float(1000.0))),
            ("-2.5M", Ok(FormKind::Float(-2.5))),
            ("9223372036854775808", Err(())),
            ("1/0", Err(())),
            ("0x", Err(())),
            ("08", Err(())),
            ("1r0", Err(())),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_number(text).map_err(|_| ()), expected, "{text}");
        }
    }

    #[test]
    fn strings_and_chars() {
        assert_eq!(
            parse_string(r#""a\tb\"\\\u00e9\101""#).unwrap(),
            "a\tb\"\\éA"
        );
        assert!(parse_string(r#""\q""#).is_err());
        assert_eq!(parse_char(r"\space").unwrap(), ' ');
        assert_eq!(parse_char(r"\u03bb").unwrap(), 'λ');
        assert_eq!(parse_char(r"\o101").unwrap(), 'A');
        assert_eq!(parse_char(r"\λ").unwrap(), 'λ');
        assert!(parse_char(r"\bogus").is_err());
    }

    /// Forms as Clojure text, to compare readings.
    fn show(form: &Form) -> String {
        let join = |xs: &[Form]| xs.iter().map(show).collect::<Vec<_>>().join(" ");
        match &form.kind {
            FormKind::List(xs) => format!("({})", join(xs)),
            FormKind::Vector(xs) => format!("[{}]", join(xs)),
            FormKind::Symbol(s) => s.to_string(),
            FormKind::Keyword(k) => k.to_string(),
            FormKind::Int(i) => i.to_string(),
            FormKind::Str(t) => format!("{t:?}"),
            other => format!("{other:?}"),
        }
    }

    fn read_one(text: &str) -> (String, Vec<String>) {
        let (forms, diagnostics) = read_str(text);
        let shown = forms.iter().map(show).collect::<Vec<_>>().join(" ");
        (shown, diagnostics.into_iter().map(|d| d.message).collect())
    }

    #[test]
    fn anonymous_functions_number_their_parameters() {
        assert_eq!(
            read_one("#(f % %3 %&)").0,
            "(fn [%1 %2 %3 & %&] (f %1 %3 %&))"
        );
        assert_eq!(read_one("#(g)").0, "(fn [] (g))");
        let (_, diagnostics) = read_one("#(f #(g %))");
        assert_eq!(
            diagnostics,
            ["a `#(...)` cannot be inside another `#(...)`"]
        );
    }

    #[test]
    fn syntax_quote_builds_lists_and_names_gensyms_alike() {
        assert_eq!(
            read_one("`(f ~x ~@ys :k)").0,
            "(apply list (concat (list (quote f)) (list x) ys (list :k)))"
        );
        let (text, diagnostics) = read_one("`[a# a# b#]");
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let names: Vec<&str> = text
            .split(['(', ')', ' ', ']'])
            .filter(|w| w.ends_with("__auto__"))
            .collect();
        assert_eq!(names.len(), 3, "{text}");
        assert_eq!(names[0], names[1]);
        assert_ne!(names[0], names[2]);
        // The same text reads to the same names; another syntax-quote gets others.
        assert_eq!(read_one("`[a# a# b#]").0, text);
        assert_ne!(read_one("(do `a# `a#)").0.matches("a__").count(), 0);
        let twice = read_one("(do `a# `a#)").0;
        let gensyms: Vec<&str> = twice
            .split(['(', ')', ' '])
            .filter(|w| w.ends_with("__auto__"))
            .collect();
        assert_eq!(gensyms.len(), 2);
        assert_ne!(gensyms[0], gensyms[1]);
        assert_eq!(
            read_one("`~@xs").1,
            ["`~@` splices into a list, vector, map or set, not on its own"]
        );
    }

    #[test]
    fn prefix_sugar_and_regex_literals() {
        assert_eq!(
            read_one(r#"@a ~b ~@c #"\d+""#).0,
            r#"(deref a) (unquote b) (unquote-splicing c) (re-pattern "\\d+")"#
        );
    }

    #[test]
    fn reads_sugar_and_skips_comments_discards_and_metadata() {
        let (forms, diagnostics) = read_str("; c\n'x #_ (ignored) ^:meta [1 #_2 3] (f ^long y)");
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let kinds: Vec<String> = forms.iter().map(|f| format!("{:?}", f.kind)).collect();
        assert_eq!(kinds.len(), 3);
        assert!(kinds[2].contains("Symbol(y), span: 46..47"), "{}", kinds[2]);
        assert_eq!(
            kinds[0],
            "List([Form { kind: Symbol(quote), span: 4..5 }, Form { kind: Symbol(x), span: 5..6 }])"
        );
        assert!(
            kinds[1].starts_with("Vector([Form { kind: Int(1)"),
            "{}",
            kinds[1]
        );
        assert!(matches!(&forms[1].kind, FormKind::Vector(xs) if xs.len() == 2));
    }
}
