//! Semantic highlighting: what each token of a file is, read off the grammar's highlights query.
//!
//! It owns the mapping from the query's capture names (`@keyword`, `@function.builtin`, ...) to
//! editor-neutral [`HlTag`]s. It knows nothing of LSP token legends or of how a client encodes
//! tokens; the server maps tags to its legend.
//!
//! The one source of truth for the syntax is `grammar/queries/highlights.scm`, the file Neovim
//! reads too, so the two editors agree. One pattern is added in front of it: every symbol not
//! otherwise captured is a plain [`HlTag::Symbol`], so that the editor colours all of the code,
//! not just the special parts. Then the file's name resolution (`names::form_roles`, what
//! navigation uses) refines the symbols a query cannot tell apart: parameters, locals, local
//! functions, globals bound to functions or values, and macros, binders marked as definitions.
//!
//! A file is highlighted in units ([`highlight_units`]): each top-level form, and each stretch
//! of text between two forms. A unit's tokens are a function of its text and of the roles of the
//! globals it names ([`GlobalRoles`]), nothing else, so a client of this module can keep them
//! per unit and recompute only the units an edit changed (the server does, for token deltas).
//! A unit is read as parsed on its own: while the file has no syntax error that is the file's
//! tree (a top-level node free of errors parses alone as it parses in the file, which the
//! lowering relies on too); while it is broken each unit is parsed alone, as the lowering reads
//! the forms of a broken file, so an unclosed form recolours its own lines, not the rest of the
//! file.

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use syntax::{TextRange, TextSize};
use tree_sitter::{Node, Parser, Query, QueryCursor, StreamingIterator, Tree};

use crate::SourceFile;
use crate::names::{Role, form_definitions, form_roles};
use crate::tree::size;

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HlTag {
    /// A special form: `def`, `let`, `if`, ...
    SpecialForm,
    /// A function: the head of a call, a global or local bound to a `fn` (and its binder), a core
    /// function.
    Function,
    /// A symbol naming a value: a local, a global that is not a function, or any other symbol.
    Symbol,
    /// A parameter: of a `fn` or `defn`, or an anonymous function's `%`, `%1`.
    Parameter,
    /// A macro: the name a `defmacro` defines, and its uses.
    Macro,
    /// A keyword, `:k` or `:ns/k`.
    Keyword,
    /// `nil`, `true` or `false`.
    Constant,
    String,
    Regex,
    Char,
    Number,
    /// A comment, or a form discarded with `#_`.
    Comment,
    /// The tag of a tagged literal: `inst` in `#inst "..."`.
    Tag,
}

/// A highlighted token. Ranges are disjoint and sorted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HlRange {
    pub range: TextRange,
    pub tag: HlTag,
    /// The token is the name being defined (`f` in `(defn f ...)`).
    pub definition: bool,
    /// The token names something from the core library.
    pub builtin: bool,
}

/// The deepest node, counted from the root, that highlighting looks at.
const MAX_DEPTH: usize = 1_000;
/// The sibling scans the highlight query may make in one unit (a few milliseconds' worth; see
/// [`too_costly_to_query`]): a run of about 1,400 unnamed siblings.
const MAX_SCANS: u64 = 1_000_000;

/// A stretch of a file highlighted on its own: a top-level form, or the text between two.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HlUnit {
    pub range: TextRange,
    /// The slot of the top-level form the unit is (a form keeps its slot while its text is
    /// unchanged); `None` for the text between forms, which only its text identifies.
    pub form: Option<u32>,
    /// The form's index in the lowering the unit was taken from.
    index: usize,
}

/// The globals one form defines, in order, with their roles.
type Definitions = Box<[(String, Role)]>;

/// The role of each global a file defines: besides its own text, all that a form's tokens
/// depend on. Kept per form too, so that an update costs a comparison of slots plus the forms
/// that are new, and the roles are folded again only when a definition changed.
#[derive(Clone, Debug, Default)]
pub struct GlobalRoles {
    /// The first definition of each name decides its role.
    roles: HashMap<String, Role>,
    /// The forms of the file last seen, in order: slot, and the globals the form defines.
    forms: Vec<(u32, Definitions)>,
}

impl GlobalRoles {
    pub fn of(file: &SourceFile) -> GlobalRoles {
        let mut roles = GlobalRoles::default();
        roles.update(file);
        roles
    }

    /// Brings the roles up to date with `file`; returns the names whose role changed. The
    /// forms are matched by slot from both ends (a form keeps its slot while its text is
    /// unchanged, and its definitions are a function of its text); if the definitions of the
    /// forms in between are the same as before, in the same order, so are the roles.
    pub fn update(&mut self, file: &SourceFile) -> HashSet<String> {
        let forms = file.lowering().forms();
        let slots: Vec<u32> = forms.iter().map(|form| form.slot).collect();
        let old = &self.forms;
        let prefix = old
            .iter()
            .zip(&slots)
            .take_while(|(o, slot)| o.0 == **slot)
            .count();
        let suffix = old[prefix..]
            .iter()
            .rev()
            .zip(slots[prefix..].iter().rev())
            .take_while(|(o, slot)| o.0 == **slot)
            .count();
        let middle: Vec<(u32, Definitions)> = forms
            .iter_from(prefix)
            .take(slots.len() - suffix - prefix)
            .map(|form| (form.slot, form_definitions(&form).into_boxed_slice()))
            .collect();
        let replaced = prefix..old.len() - suffix;
        let same = old[replaced.clone()]
            .iter()
            .flat_map(|(_, defs)| defs.iter())
            .eq(middle.iter().flat_map(|(_, defs)| defs.iter()));
        self.forms.splice(replaced, middle);
        if same {
            return HashSet::new();
        }
        let mut roles: HashMap<String, Role> = HashMap::new();
        for (name, role) in self.forms.iter().flat_map(|(_, defs)| defs.iter()) {
            if !roles.contains_key(name) {
                roles.insert(name.clone(), *role);
            }
        }
        let differs = |a: &HashMap<String, Role>, b: &HashMap<String, Role>| {
            a.iter()
                .filter(|(name, role)| b.get(*name) != Some(*role))
                .map(|(name, _)| name.clone())
                .collect::<Vec<_>>()
        };
        let changed = differs(&self.roles, &roles)
            .into_iter()
            .chain(differs(&roles, &self.roles))
            .collect();
        self.roles = roles;
        changed
    }
}

/// A unit's tokens, with ranges relative to the unit's start, and the global names whose roles
/// they were read with.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UnitHighlights {
    pub ranges: Vec<HlRange>,
    pub globals: Vec<String>,
}

/// The units of `file`, in order, covering it without gaps or overlaps.
pub fn highlight_units(file: &SourceFile) -> Vec<HlUnit> {
    let mut out = Vec::new();
    let mut at = TextSize::from(0);
    let gap = |from: TextSize, to: TextSize, out: &mut Vec<HlUnit>| {
        if from < to {
            out.push(HlUnit {
                range: TextRange::new(from, to),
                form: None,
                index: 0,
            });
        }
    };
    for (index, form) in file.lowering().forms().iter().enumerate() {
        let range = form.range();
        if range.start() < at || range.is_empty() {
            // Forms never overlap; should one, it is read as part of the text before it.
            continue;
        }
        gap(at, range.start(), &mut out);
        out.push(HlUnit {
            range,
            form: Some(form.slot),
            index,
        });
        at = range.end();
    }
    gap(at, file.document().len(), &mut out);
    out
}

/// The tokens of one unit of `file` (from [`highlight_units`] on the same file), with the roles
/// `roles` gives the file's globals.
pub fn highlight_unit(file: &SourceFile, roles: &GlobalRoles, unit: HlUnit) -> UnitHighlights {
    let document = file.document();
    let base = unit.range.start();
    let text = document
        .rope()
        .byte_slice(usize::from(base)..usize::from(unit.range.end()))
        .to_string();
    if text.chars().all(|c| c.is_whitespace() || c == ',') {
        return UnitHighlights::default();
    }
    let tree = document.tree_at(usize::from(base));
    let root = tree.root_node();
    let mut ranges = if unit.form.is_some() && !root.has_error() {
        let within = (usize::from(base), text.as_str());
        tokens(root, Some(within), &text)
    } else {
        PARSER.with_borrow_mut(|parser| match parse_alone(parser, &text) {
            Some(tree) => tokens(tree.root_node(), None, &text),
            None => Vec::new(),
        })
    };
    let mut globals = Vec::new();
    if let Some(form) = unit
        .form
        .and_then(|_| file.lowering().forms().get(unit.index))
    {
        let known: HashMap<TextRange, (Role, bool)> = form_roles(&form, &roles.roles, &mut globals)
            .into_iter()
            .map(|(range, role, binder)| (range, (role, binder)))
            .collect();
        refine(&known, &mut ranges);
    }
    globals.sort_unstable();
    globals.dedup();
    UnitHighlights { ranges, globals }
}

/// Highlights of the tokens of `file` that overlap `within` (the whole file if `None`), with
/// absolute ranges: the tokens of the units that overlap it.
pub fn highlight(file: &SourceFile, within: Option<TextRange>) -> Vec<HlRange> {
    let roles = GlobalRoles::of(file);
    let mut out = Vec::new();
    for unit in highlight_units(file) {
        if within.is_some_and(|within| !overlaps(unit.range, within)) {
            continue;
        }
        let start = unit.range.start();
        out.extend(
            highlight_unit(file, &roles, unit)
                .ranges
                .into_iter()
                .map(|hl| HlRange {
                    range: hl.range + start,
                    ..hl
                })
                .filter(|hl| within.is_none_or(|within| overlaps(hl.range, within))),
        );
    }
    out
}

fn overlaps(a: TextRange, b: TextRange) -> bool {
    a.intersect(b).is_some_and(|overlap| !overlap.is_empty())
}

thread_local! {
    static PARSER: RefCell<Parser> = RefCell::new(Parser::new());
}

fn parse_alone(parser: &mut Parser, text: &str) -> Option<Tree> {
    parser
        .set_language(&tree_sitter_yin::LANGUAGE.into())
        .ok()?;
    parser.parse(text, None)
}

/// The tokens the query finds under `root`, relative to the start of `text`. `within` is the
/// byte offset of `text` in the tree's text when `text` is a part of it (the query is then
/// restricted to that part); else the tree is `text`'s own.
fn tokens(root: Node<'_>, within: Option<(usize, &str)>, text: &str) -> Vec<HlRange> {
    let highlights = Highlights::get();
    let base = within.map_or(0, |(base, _)| base);
    let end = base + text.len();
    let unit = root.descendant_for_byte_range(base, end).unwrap_or(root);
    if too_costly_to_query(unit) {
        return Vec::new();
    }
    let mut cursor = QueryCursor::new();
    // The query's cost grows faster than the nesting depth (a 200,000-deep file took minutes);
    // past this depth, far beyond any real program's, tokens go unhighlighted instead.
    cursor.set_max_start_depth(Some(MAX_DEPTH as u32));
    if within.is_some() {
        cursor.set_byte_range(base..end);
    }
    // Nodes outside `text` read as empty: a match reaching them captures nothing kept.
    let source = |node: Node<'_>| {
        let piece = node
            .start_byte()
            .checked_sub(base)
            .zip(node.end_byte().checked_sub(base))
            .and_then(|(from, to)| text.get(from..to))
            .unwrap_or("");
        std::iter::once(piece.as_bytes())
    };
    let mut captured: Vec<(TextRange, usize, Capture)> = Vec::new();
    let mut matches = cursor.matches(&highlights.query, root, source);
    while let Some(m) = matches.next() {
        for capture in m.captures {
            let node = capture.node;
            let inside = base <= node.start_byte() && node.end_byte() <= end;
            if let (true, Some(&Some(kind))) =
                (inside, highlights.captures.get(capture.index as usize))
            {
                let range =
                    TextRange::new(size(node.start_byte() - base), size(node.end_byte() - base));
                captured.push((range, m.pattern_index, kind));
            }
        }
    }
    // Outer ranges first, so that a discarded form's inner tokens are dropped inside it; for one
    // range the last pattern wins (as in Neovim), so it sorts first and the rest are dropped.
    captured.sort_by_key(|&(range, pattern, _)| {
        (range.start(), Reverse(range.end()), Reverse(pattern))
    });
    captured.dedup_by_key(|&mut (range, _, _)| range);
    let mut out: Vec<HlRange> = Vec::with_capacity(captured.len());
    for (range, _, capture) in captured {
        let covered = out
            .last()
            .is_some_and(|last| range.start() < last.range.end());
        if covered || range.is_empty() {
            continue;
        }
        let (tag, definition, builtin) = capture.meaning();
        out.push(HlRange {
            range,
            tag,
            definition,
            builtin,
        });
    }
    out
}

/// Whether the highlight query over `node` would cost the square of its size. Tree-sitter's query
/// cursor works out, at every node it visits, whether a named sibling follows it, scanning
/// forward until it finds one: a run of unnamed siblings costs its square. That happens only in
/// text no one writes by hand (20,000 unclosed `(` make one flat ERROR node: 1 s in a release
/// build; 40,000, 3.5 s), so such a unit goes unhighlighted instead. This walk with a tree
/// cursor costs the unit's size once, down to the depth the query looks at.
fn too_costly_to_query(node: Node<'_>) -> bool {
    let mut cursor = node.walk();
    // Per level being walked: how many unnamed siblings in a row end at the cursor's node.
    let mut runs: Vec<u64> = vec![0];
    let mut scans: u64 = 0;
    loop {
        if let Some(run) = runs.last_mut() {
            if cursor.node().is_named() {
                *run = 0;
            } else {
                *run += 1;
                scans += *run;
            }
        }
        if scans > MAX_SCANS {
            return true;
        }
        if runs.len() <= MAX_DEPTH && cursor.goto_first_child() {
            runs.push(0);
            continue;
        }
        loop {
            if runs.len() <= 1 {
                return false;
            }
            if cursor.goto_next_sibling() {
                break;
            }
            cursor.goto_parent();
            runs.pop();
        }
    }
}

/// Retags the symbols name resolution knows: a parameter, local or global is coloured as what it
/// is wherever it appears (a local shadowing a core function is no longer `builtin`).
fn refine(known: &HashMap<TextRange, (Role, bool)>, highlights: &mut [HlRange]) {
    for highlight in highlights.iter_mut() {
        if !matches!(
            highlight.tag,
            HlTag::Symbol | HlTag::Function | HlTag::Parameter
        ) {
            continue;
        }
        let Some(&(role, binder)) = known.get(&highlight.range) else {
            continue;
        };
        highlight.tag = match role {
            Role::Parameter => HlTag::Parameter,
            Role::Local | Role::Value => HlTag::Symbol,
            Role::LocalFunction | Role::Function => HlTag::Function,
            Role::Macro => HlTag::Macro,
        };
        highlight.builtin = false;
        highlight.definition |= binder;
    }
}

/// The highlight captures this module understands. Punctuation is deliberately absent: brackets
/// are left to the editor's own colouring.
#[derive(Clone, Copy, Debug)]
enum Capture {
    Comment,
    Number,
    String,
    Regex,
    Char,
    Constant,
    Keyword,
    Call,
    DefinedFunction,
    DefinedValue,
    Builtin,
    SpecialForm,
    Parameter,
    Tag,
    Symbol,
}

impl Capture {
    fn from_name(name: &str) -> Option<Capture> {
        Some(match name {
            "comment" => Capture::Comment,
            "number" => Capture::Number,
            "string" => Capture::String,
            "string.regexp" => Capture::Regex,
            "character" => Capture::Char,
            "constant.builtin" | "boolean" => Capture::Constant,
            "string.special.symbol" => Capture::Keyword,
            "function.call" => Capture::Call,
            "function" => Capture::DefinedFunction,
            "variable" => Capture::DefinedValue,
            "function.builtin" => Capture::Builtin,
            "keyword" => Capture::SpecialForm,
            "variable.parameter" => Capture::Parameter,
            "type" => Capture::Tag,
            "yin.symbol" => Capture::Symbol,
            _ => return None,
        })
    }

    fn meaning(self) -> (HlTag, bool, bool) {
        match self {
            Capture::Comment => (HlTag::Comment, false, false),
            Capture::Number => (HlTag::Number, false, false),
            Capture::String => (HlTag::String, false, false),
            Capture::Regex => (HlTag::Regex, false, false),
            Capture::Char => (HlTag::Char, false, false),
            Capture::Constant => (HlTag::Constant, false, false),
            Capture::Keyword => (HlTag::Keyword, false, false),
            Capture::Call => (HlTag::Function, false, false),
            Capture::DefinedFunction => (HlTag::Function, true, false),
            Capture::DefinedValue => (HlTag::Symbol, true, false),
            Capture::Builtin => (HlTag::Function, false, true),
            Capture::SpecialForm => (HlTag::SpecialForm, false, false),
            Capture::Parameter => (HlTag::Parameter, false, false),
            Capture::Tag => (HlTag::Tag, false, false),
            Capture::Symbol => (HlTag::Symbol, false, false),
        }
    }
}

struct Highlights {
    query: Query,
    /// Capture index to meaning; `None` for captures left uncoloured (punctuation, `@_` helpers).
    captures: Vec<Option<Capture>>,
}

impl Highlights {
    fn get() -> &'static Highlights {
        static HIGHLIGHTS: OnceLock<Highlights> = OnceLock::new();
        HIGHLIGHTS.get_or_init(|| {
            // First, so that every pattern of the shared query takes precedence over it.
            let source = format!(
                "(sym_name) @yin.symbol\n{}",
                tree_sitter_yin::HIGHLIGHTS_QUERY
            );
            let query = Query::new(&tree_sitter_yin::LANGUAGE.into(), &source)
                .expect("the grammar crate's tests compile highlights.scm against the grammar");
            let captures = query
                .capture_names()
                .iter()
                .map(|name| Capture::from_name(name))
                .collect();
            Highlights { query, captures }
        })
    }
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;

    #[test]
    fn tokens_past_the_depth_bound_go_unhighlighted_and_their_neighbours_do_not() {
        let nested = |depth: usize, inner: &str| {
            format!("{}{inner}{}", "[".repeat(depth), "]".repeat(depth))
        };
        let text = format!(
            "(def x 1)\n{}\n{}\n(def y 2)\n",
            nested(MAX_DEPTH + 1, "deep"),
            nested(MAX_DEPTH / 2, "shallow"),
        );
        let file = SourceFile::from_text(&text);
        let symbols: Vec<&str> = highlight(&file, None)
            .iter()
            .filter_map(|hl| text.get(usize::from(hl.range.start())..usize::from(hl.range.end())))
            .filter(|token| !token.starts_with(['[', ']']))
            .collect();
        assert_eq!(symbols, ["def", "x", "1", "shallow", "def", "y", "2"]);
    }

    #[test]
    fn the_query_is_not_run_where_it_would_cost_the_square_of_the_text() {
        let costly = |text: &str| {
            PARSER.with_borrow_mut(|parser| {
                parse_alone(parser, text).map(|tree| too_costly_to_query(tree.root_node()))
            })
        };
        // One flat ERROR node of 20,000 `(` tokens: the query took 1 s (release build).
        assert_eq!(costly(&"(".repeat(20_000)), Some(true));
        assert_eq!(costly(&"[".repeat(MAX_DEPTH * 2)), Some(true));
        // Depth is bounded by the query cursor's start depth instead.
        assert_eq!(
            costly(&format!("{}x{}", "(".repeat(50_000), ")".repeat(50_000))),
            Some(false)
        );
        assert_eq!(costly("(a (b (c x"), Some(false));
        assert_eq!(costly(&"(".repeat(500)), Some(false));
        assert_eq!(
            costly(&format!("{}x{}", "(".repeat(500), ")".repeat(500))),
            Some(false)
        );
        let file: String = (0..2_000)
            .map(|i| format!("(defn f{i} [x] (+ x {i}))\n"))
            .collect();
        assert_eq!(costly(&file), Some(false));
    }

    #[test]
    fn nesting_past_the_depth_bound_goes_unhighlighted_instead_of_taking_minutes() {
        let depth = 200_000;
        let text = format!("(def x 1)\n{}inner{}", "(".repeat(depth), ")".repeat(depth));
        let file = SourceFile::from_text(&text);
        let tokens = highlight(&file, None);
        let names: Vec<&str> = tokens
            .iter()
            .filter_map(|hl| text.get(usize::from(hl.range.start())..usize::from(hl.range.end())))
            .filter(|token| !token.starts_with(['(', ')']))
            .collect();
        assert_eq!(
            names,
            ["def", "x", "1"],
            "the symbol past the bound is left out"
        );
    }

    fn check(text: &str, expect: Expect) {
        let file = SourceFile::from_text(text);
        let actual: String = highlight(&file, None)
            .iter()
            .map(|hl| {
                let mut line = format!(
                    "{:?} {:?}",
                    &text[hl.range.start().into()..hl.range.end().into()],
                    hl.tag
                );
                if hl.definition {
                    line.push_str(" definition");
                }
                if hl.builtin {
                    line.push_str(" builtin");
                }
                line + "\n"
            })
            .collect();
        expect.assert_eq(&actual);
    }

    #[test]
    fn definitions_calls_and_literals() {
        check(
            r#"(defn greet [name] ; says hi
  (println "hi" name :loud 1.5 nil true \a))
(def answer 42)
(my-fn #_(ignored 1) x)"#,
            expect![[r##"
                "defn" SpecialForm
                "greet" Function definition
                "name" Parameter definition
                "; says hi" Comment
                "println" Function builtin
                "\"hi\"" String
                "name" Parameter
                ":loud" Keyword
                "1.5" Number
                "nil" Constant
                "true" Constant
                "\\a" Char
                "def" SpecialForm
                "answer" Symbol definition
                "42" Number
                "my-fn" Function
                "#_(ignored 1)" Comment
                "x" Symbol
            "##]],
        );
    }

    #[test]
    fn range_restricts_tokens() {
        let text = "(def a 1)\n(def b 2)\n";
        let file = SourceFile::from_text(text);
        let second = TextRange::new(10.into(), 19.into());
        let tokens = highlight(&file, Some(second));
        let texts: Vec<&str> = tokens
            .iter()
            .map(|hl| &text[hl.range.start().into()..hl.range.end().into()])
            .collect();
        assert_eq!(texts, ["def", "b", "2"]);
    }

    #[test]
    fn range_inside_a_form_keeps_precedence() {
        let text = "(defn f [x]\n  (inc x))\n";
        let file = SourceFile::from_text(text);
        let second_line = TextRange::new(12.into(), 22.into());
        let tokens: Vec<(&str, HlTag)> = highlight(&file, Some(second_line))
            .iter()
            .map(|hl| {
                (
                    &text[hl.range.start().into()..hl.range.end().into()],
                    hl.tag,
                )
            })
            .collect();
        assert_eq!(tokens, [("inc", HlTag::Function), ("x", HlTag::Parameter)]);
    }

    #[test]
    fn resolution_tells_parameters_locals_functions_and_macros_apart() {
        check(
            r#"(defmacro unless [test & body] (list 'if test nil (cons 'do body)))
(def limit 10)
(defn clamp [count & more]
  (let [over (> count limit)
        pick (fn pick [a] a)]
    (unless over (pick clamp))
    (map #(inc %) more)))
(undefined count)"#,
            expect![[r#"
                "defmacro" SpecialForm
                "unless" Macro definition
                "test" Parameter definition
                "&" Symbol
                "body" Parameter definition
                "list" Function builtin
                "if" SpecialForm
                "test" Parameter
                "nil" Constant
                "cons" Function builtin
                "do" SpecialForm
                "body" Parameter
                "def" SpecialForm
                "limit" Symbol definition
                "10" Number
                "defn" SpecialForm
                "clamp" Function definition
                "count" Parameter definition
                "&" Symbol
                "more" Parameter definition
                "let" SpecialForm
                "over" Symbol definition
                ">" Function builtin
                "count" Parameter
                "limit" Symbol
                "pick" Function definition
                "fn" SpecialForm
                "pick" Function definition
                "a" Parameter definition
                "a" Parameter
                "unless" Macro
                "over" Symbol
                "pick" Function
                "clamp" Function
                "map" Function builtin
                "inc" Function builtin
                "%" Parameter
                "more" Parameter
                "undefined" Function
                "count" Function builtin
            "#]],
        );
    }

    #[test]
    fn broken_code_still_highlights() {
        check(
            "(let [x 1\n  (inc x)",
            expect![[r##"
                "let" SpecialForm
                "x" Symbol
                "1" Number
                "inc" Function builtin
                "x" Symbol
            "##]],
        );
    }
}
