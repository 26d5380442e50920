//! The formatter: Clojure's layout conventions, applied to yin source by changing whitespace only.
//!
//! It follows the community Clojure style guide the way cljfmt does, keeping the author's line
//! breaks and fixing everything around them:
//! - Indentation. In a list whose head is a special form with a body (`defn`, `fn`, `let`,
//!   `when`, `cond`, ... and any head starting with `def`), body forms are indented two columns
//!   past the `(`. Other lists are calls: arguments on later lines align under the first argument
//!   when it shares the head's line, else under the head. Elements of vectors, maps and sets align
//!   one column past their opening bracket. Top-level forms start at column 0.
//! - Spacing. One space between elements on a line; none after an opening bracket or before a
//!   closing one (closing brackets join the last element's line, unless a comment ends that
//!   line); no trailing whitespace; commas are kept.
//! - Blank lines. Kept, but a run of blank lines becomes one. The file ends with one line break,
//!   in the file's own line-break style.
//!
//! Only the whitespace between tokens (and trailing whitespace inside a comment) ever changes, so
//! formatting cannot change meaning or lose text; the tests check that the token sequence and
//! tree shape survive, and that formatting twice changes nothing. A file with syntax errors is
//! refused: where its forms end is a guess, and indenting a guess moves code the user wrote.
//!
//! The walk over the tree is a cursor loop with an explicit stack of open forms, so nesting depth
//! costs memory, not native stack.

use ropey::Rope;
use syntax::TextRange;
use tree_sitter::Node;

use crate::SourceFile;
use crate::edit::{Edit, apply_edits};
use crate::tree::size;

/// The changes that format `file`, or `None` when it has syntax errors.
pub fn format(file: &SourceFile) -> Option<Vec<Edit>> {
    let document = file.document();
    let text = document.text();
    // The text is read whole, not in the document's chunks: a chunk starts at every line that
    // begins with a form at column 0, so a form written flush left (pasted code, the very text
    // formatting is for) reads as broken there, and whole as what it is. A clean document reads
    // whole as its chunks do. A request, not a keystroke, pays this parse.
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_yin::LANGUAGE.into())
        .ok()?;
    let tree = parser.parse(&text, None)?;
    if tree.root_node().has_error() {
        return None;
    }
    Formatter::new(document.rope(), &text).run(tree.root_node())
}

/// `text` formatted, or `None` when it has syntax errors.
pub fn format_text(text: &str) -> Option<String> {
    let edits = format(&SourceFile::from_text(text))?;
    Some(apply_edits(text, &edits))
}

/// How the elements of a list are indented, by its head.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rule {
    /// Every argument is body: two columns past the `(` (`defn`, `fn`, `def`).
    Inner,
    /// The first `n` arguments are special and the rest is body: the body is indented two columns
    /// when its first form starts a line, otherwise arguments align as in a call (cljfmt's
    /// `:block`).
    Block(usize),
    /// A call: align under the first argument, or under the head.
    Call,
}

fn rule(head: &str) -> Rule {
    match head {
        "def" | "defn" | "defmacro" | "fn" => Rule::Inner,
        "let" | "loop" | "if" | "when" | "when-not" => Rule::Block(1),
        // `call/cc` takes one function, written on the next line like a body in Scheme and yin code.
        "do" | "cond" | "call/cc" => Rule::Block(0),
        _ if head.starts_with("def") => Rule::Inner,
        _ => Rule::Call,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FrameKind {
    Source,
    /// `()` and `#()`.
    List(Rule),
    /// Vectors, maps, sets, namespaced maps and reader conditionals: elements align inside.
    Seq,
    /// Everything else (quote, `#_`, metadata, a symbol with metadata, tagged literals): a marker
    /// and the form it applies to.
    Prefix,
}

/// What a child is to the form holding it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    /// An element (`value` field).
    Value,
    /// A comment or a discarded form between elements.
    Aside,
    Open,
    Close,
    /// Metadata, a prefix marker, a tag: anything before the form proper.
    Marker,
}

/// Where something starts in the output.
#[derive(Clone, Copy, Debug)]
struct Pos {
    col: usize,
    first_on_line: bool,
}

#[derive(Debug)]
struct Element {
    role: Role,
    start: Option<Pos>,
}

/// A form whose tokens are being emitted.
#[derive(Debug)]
struct Frame {
    kind: FrameKind,
    start: Option<Pos>,
    /// The output column just past the opening delimiter.
    inside: Option<usize>,
    elements: Vec<Element>,
}

impl Frame {
    fn new(node: Node<'_>, rope: &Rope) -> Frame {
        let kind = match node.kind() {
            "source" => FrameKind::Source,
            "list_lit" | "anon_fn_lit" => FrameKind::List(head_rule(node, rope)),
            "vec_lit"
            | "map_lit"
            | "set_lit"
            | "ns_map_lit"
            | "read_cond_lit"
            | "splicing_read_cond_lit" => FrameKind::Seq,
            _ => FrameKind::Prefix,
        };
        Frame {
            kind,
            start: None,
            inside: None,
            elements: Vec::new(),
        }
    }

    /// Values before the element being placed (the last one).
    fn values_before_last(&self) -> usize {
        let before = self.elements.len().saturating_sub(1);
        self.elements[..before]
            .iter()
            .filter(|element| element.role == Role::Value)
            .count()
    }

    fn value(&self, index: usize) -> Option<&Element> {
        self.elements
            .iter()
            .filter(|element| element.role == Role::Value)
            .nth(index)
    }

    fn start_col(&self) -> usize {
        self.start.map_or(0, |start| start.col)
    }

    /// The column of an element starting a line at value index `k` (or, for a comment or a
    /// closing delimiter, just before value `k`).
    fn indent(&self, k: usize) -> usize {
        let inside = self.inside.unwrap_or_else(|| self.start_col() + 1);
        let FrameKind::List(rule) = self.kind else {
            return inside;
        };
        // `inside` is one past the `(`, also for `#(`.
        let paren = inside.saturating_sub(1);
        let body = paren + 2;
        match rule {
            Rule::Inner if k > 0 => body,
            Rule::Block(n) if k > n => {
                let body_starts_line = self
                    .value(n + 1)
                    .and_then(|first| first.start)
                    .is_none_or(|start| start.first_on_line);
                if body_starts_line {
                    body
                } else {
                    self.align(k, paren)
                }
            }
            _ => self.align(k, paren),
        }
    }

    fn align(&self, k: usize, paren: usize) -> usize {
        let first_argument = self.value(1).and_then(|argument| argument.start);
        match first_argument {
            Some(argument) if k >= 2 && !argument.first_on_line => argument.col,
            _ => paren + 1,
        }
    }
}

fn head_rule(list: Node<'_>, rope: &Rope) -> Rule {
    let name = list
        .child_by_field_name("value")
        .filter(|head| head.kind() == "sym_lit")
        .and_then(|head| head.child_by_field_name("name"));
    match name {
        Some(name) => rule(&rope.byte_slice(name.byte_range()).to_string()),
        None => Rule::Call,
    }
}

fn role(node: Node<'_>, field: Option<&str>) -> Role {
    match field {
        Some("value") => Role::Value,
        Some("open") => Role::Open,
        Some("close") => Role::Close,
        Some(_) => Role::Marker,
        None if matches!(node.kind(), "comment" | "dis_expr") => Role::Aside,
        None => Role::Marker,
    }
}

/// Nodes emitted whole: tokens, and literals whose text is one token.
fn is_atom(node: Node<'_>) -> bool {
    node.child_count() == 0
        || matches!(
            node.kind(),
            "comment"
                | "str_lit"
                | "regex_lit"
                | "char_lit"
                | "num_lit"
                | "kwd_lit"
                | "nil_lit"
                | "bool_lit"
                | "sym_val_lit"
                | "sym_name"
        )
}

struct Formatter<'r> {
    rope: &'r Rope,
    /// The rope's text in one piece: slicing it is free, slicing the rope allocates.
    text: &'r str,
    eol: &'static str,
    changes: Vec<Edit>,
    /// Output column and whether the current output line holds anything yet.
    col: usize,
    line_has_content: bool,
    /// End of the previous atom in the input, and whether it was a comment.
    previous: Option<(usize, bool)>,
    stack: Vec<Frame>,
    /// Frames below this depth enclosed the previous atom too: the deepest of them holds both.
    common: usize,
}

impl<'r> Formatter<'r> {
    fn new(rope: &'r Rope, text: &'r str) -> Formatter<'r> {
        Formatter {
            rope,
            text,
            eol: line_break_style(rope),
            changes: Vec::new(),
            col: 0,
            line_has_content: false,
            previous: None,
            stack: Vec::new(),
            common: 0,
        }
    }

    fn run(mut self, root: Node<'_>) -> Option<Vec<Edit>> {
        self.stack.push(Frame::new(root, self.rope));
        self.common = 1;
        let mut cursor = root.walk();
        if cursor.goto_first_child() {
            'walk: loop {
                let node = cursor.node();
                let role = role(node, cursor.field_name());
                if let Some(parent) = self.stack.last_mut() {
                    parent.elements.push(Element { role, start: None });
                }
                if is_atom(node) {
                    self.atom(node, role)?;
                } else {
                    self.stack.push(Frame::new(node, self.rope));
                    if cursor.goto_first_child() {
                        continue;
                    }
                }
                while !cursor.goto_next_sibling() {
                    // Back in the parent: all of its children are emitted.
                    if !cursor.goto_parent() || cursor.node().id() == root.id() {
                        break 'walk;
                    }
                    self.stack.pop();
                    self.common = self.common.min(self.stack.len());
                }
            }
        }
        let end = self.rope.len_bytes();
        match self.previous {
            Some((previous_end, _)) => {
                if !is_blank(self.slice(previous_end, end)) {
                    return None;
                }
                let commas = commas_of(self.slice(previous_end, end));
                self.replace(previous_end, end, format!("{commas}{}", self.eol));
            }
            None => {
                let commas = commas_of(self.slice(0, end));
                let eol = if commas.is_empty() { "" } else { self.eol };
                self.replace(0, end, format!("{commas}{eol}"));
            }
        }
        Some(merge(self.changes, self.text))
    }

    fn atom(&mut self, node: Node<'_>, role: Role) -> Option<()> {
        let start = node.start_byte();
        let gap_start = self.previous.map_or(0, |(end, _)| end);
        let gap = self.slice(gap_start, start);
        if !is_blank(gap) {
            return None;
        }
        let spacing = self.spacing(gap);
        self.advance(&spacing);
        self.replace(gap_start, start, spacing);

        let here = Pos {
            col: self.col,
            first_on_line: !self.line_has_content,
        };
        let holder = self.common.saturating_sub(1);
        for frame in &mut self.stack[holder..] {
            if let Some(element) = frame.elements.last_mut() {
                element.start.get_or_insert(here);
            }
        }
        for frame in &mut self.stack[self.common..] {
            frame.start.get_or_insert(here);
        }

        let text = self.slice(start, node.end_byte());
        let is_comment = node.kind() == "comment";
        let kept = if is_comment { text.trim_end() } else { text };
        if kept.len() < text.len() {
            self.replace(start + kept.len(), node.end_byte(), String::new());
        }
        self.advance(kept);
        if role == Role::Open
            && let Some(frame) = self.stack.last_mut()
        {
            frame.inside = Some(self.col);
        }
        self.previous = Some((node.end_byte(), is_comment));
        self.common = self.stack.len();
        Some(())
    }

    /// The whitespace to put before the atom being emitted, in place of `gap`.
    fn spacing(&self, gap: &str) -> String {
        let commas = commas_of(gap);
        let Some((_, after_comment)) = self.previous else {
            // Commas before the first form are kept like any others (found by fuzzing).
            return commas;
        };
        if after_comment && !commas.is_empty() {
            // A comma right after a comment would become part of it: it moves to the next line.
            let mut spacing = self.spacing_without_commas(gap, after_comment);
            spacing.push_str(&commas);
            if self.holder_role() != Role::Close {
                spacing.push(' ');
            }
            return spacing;
        }
        self.spacing_with(gap, commas, after_comment)
    }

    fn spacing_without_commas(&self, gap: &str, after_comment: bool) -> String {
        self.spacing_with(gap, String::new(), after_comment)
    }

    fn holder_role(&self) -> Role {
        self.stack
            .get(self.common.saturating_sub(1))
            .and_then(|holder| holder.elements.last())
            .map_or(Role::Marker, |element| element.role)
    }

    fn spacing_with(&self, gap: &str, commas: String, after_comment: bool) -> String {
        let breaks = line_breaks(gap).min(2);
        let newlines = |count: usize, indent: usize| {
            format!("{commas}{}{}", self.eol.repeat(count), " ".repeat(indent))
        };
        let Some(holder) = self.stack.get(self.common.saturating_sub(1)) else {
            return newlines(breaks, 0);
        };
        match holder.kind {
            FrameKind::Source if breaks == 0 => format!("{commas} "),
            FrameKind::Source => newlines(breaks, 0),
            FrameKind::List(_) | FrameKind::Seq => match self.holder_role() {
                Role::Close if after_comment => {
                    newlines(1, holder.indent(holder.values_before_last()))
                }
                Role::Close => commas,
                Role::Open | Role::Marker => self.prefix_spacing(gap, &commas, breaks, holder),
                Role::Value | Role::Aside => {
                    let after_open = holder.elements.len() >= 2
                        && holder.elements[holder.elements.len() - 2].role == Role::Open;
                    if after_open && !after_comment {
                        if commas.is_empty() {
                            commas
                        } else {
                            format!("{commas} ")
                        }
                    } else if breaks == 0 {
                        format!("{commas} ")
                    } else {
                        newlines(breaks, holder.indent(holder.values_before_last()))
                    }
                }
            },
            FrameKind::Prefix => self.prefix_spacing(gap, &commas, breaks, holder),
        }
    }

    /// Between a marker and what it marks: nothing stays nothing, a line break stays one.
    fn prefix_spacing(&self, gap: &str, commas: &str, breaks: usize, holder: &Frame) -> String {
        if gap.is_empty() {
            String::new()
        } else if breaks > 0 {
            format!(
                "{commas}{}{}",
                self.eol.repeat(breaks),
                " ".repeat(holder.start_col())
            )
        } else {
            format!("{commas} ")
        }
    }

    /// Moves the output position past `text`.
    fn advance(&mut self, text: &str) {
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\r' if chars.peek() == Some(&'\n') => {}
                '\n' | '\r' => {
                    self.col = 0;
                    self.line_has_content = false;
                }
                ' ' if !self.line_has_content => self.col += 1,
                _ => {
                    self.col += 1;
                    self.line_has_content = true;
                }
            }
        }
    }

    fn slice(&self, start: usize, end: usize) -> &'r str {
        self.text.get(start..end).unwrap_or_default()
    }

    fn replace(&mut self, start: usize, end: usize, insert: String) {
        if self.slice(start, end) == insert {
            return;
        }
        self.changes.push(Edit {
            range: TextRange::new(size(start), size(end)),
            text: insert,
        });
    }
}

/// Joins touching changes and drops those that change nothing.
fn merge(changes: Vec<Edit>, text: &str) -> Vec<Edit> {
    let mut merged: Vec<Edit> = Vec::new();
    for change in changes {
        match merged.last_mut() {
            Some(last) if last.range.end() == change.range.start() => {
                last.range = last.range.cover(change.range);
                last.text.push_str(&change.text);
            }
            _ => merged.push(change),
        }
    }
    merged
        .into_iter()
        .filter_map(|change| {
            let start = usize::from(change.range.start());
            let old = text.get(start..usize::from(change.range.end()))?;
            shrink(start, old, &change.text)
        })
        .collect()
}

/// The change from `old` (at byte `start`) to `new` without their common prefix and suffix, or
/// `None` when they are equal.
fn shrink(start: usize, old: &str, new: &str) -> Option<Edit> {
    if old == new {
        return None;
    }
    let prefix: usize = old
        .chars()
        .zip(new.chars())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len_utf8())
        .sum();
    let (old_rest, new_rest) = (&old[prefix..], &new[prefix..]);
    let suffix: usize = old_rest
        .chars()
        .rev()
        .zip(new_rest.chars().rev())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len_utf8())
        .sum();
    Some(Edit {
        range: TextRange::new(size(start + prefix), size(start + old.len() - suffix)),
        text: new_rest[..new_rest.len() - suffix].to_owned(),
    })
}

/// The commas of a gap, which formatting keeps while it replaces the whitespace around them.
fn commas_of(gap: &str) -> String {
    gap.chars().filter(|&c| c == ',').collect()
}

fn is_blank(gap: &str) -> bool {
    gap.chars().all(|c| c.is_whitespace() || c == ',')
}

/// Line breaks in `gap`: `\r\n`, `\n` and a lone `\r` each count once.
fn line_breaks(gap: &str) -> usize {
    gap.matches('\n').count() + gap.replace("\r\n", "").matches('\r').count()
}

/// The file's first line break, which the formatter uses for the breaks it writes.
fn line_break_style(rope: &Rope) -> &'static str {
    let mut bytes = rope.bytes().skip_while(|&b| b != b'\n' && b != b'\r');
    match (bytes.next(), bytes.next()) {
        (Some(b'\r'), Some(b'\n')) => "\r\n",
        (Some(b'\r'), _) => "\r",
        _ => "\n",
    }
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;

    fn check(before: &str, expect: Expect) {
        let after = format_text(before).expect("the fixture parses");
        expect.assert_eq(&after);
        assert_eq!(
            format_text(&after).as_deref(),
            Some(after.as_str()),
            "not idempotent"
        );
    }

    #[test]
    fn body_forms_indent_two() {
        check(
            "(defn add\n\"Adds.\"\n[a b]\n(let [s (+ a b)]\n(when (pos? s)\n(println s))\ns))\n",
            expect![[r#"
                (defn add
                  "Adds."
                  [a b]
                  (let [s (+ a b)]
                    (when (pos? s)
                      (println s))
                    s))
            "#]],
        );
    }

    #[test]
    fn calls_align_under_the_first_argument_or_the_head() {
        check(
            "(assoc m :a 1\n:b 2)\n(filter\neven?\n(range 10))\n(->> xs\n(map inc)\n(reduce +))\n",
            expect![[r#"
                (assoc m :a 1
                       :b 2)
                (filter
                 even?
                 (range 10))
                (->> xs
                     (map inc)
                     (reduce +))
            "#]],
        );
    }

    #[test]
    fn collections_align_inside_their_brackets() {
        check(
            "{:a 1\n:b [1\n2]\n   :c #{3\n4}}\n",
            expect![[r#"
                {:a 1
                 :b [1
                     2]
                 :c #{3
                      4}}
            "#]],
        );
    }

    #[test]
    fn block_forms_with_the_body_on_the_head_line_align() {
        check(
            "(if test\nthen\nelse)\n(if test then\nelse)\n(cond\na 1\n:else 2)\n(do (a)\n(b))\n",
            expect![[r#"
                (if test
                  then
                  else)
                (if test then
                    else)
                (cond
                  a 1
                  :else 2)
                (do (a)
                    (b))
            "#]],
        );
    }

    #[test]
    fn spacing_blank_lines_and_closers() {
        check(
            "\n\n(def   x    1)   \n\n\n\n(  foo\n  bar  \n  )\n(f a,b ,  c)\n\n\n",
            expect![[r#"
                (def x 1)

                (foo
                 bar)
                (f a, b, c)
            "#]],
        );
    }

    #[test]
    fn comments_are_kept_and_keep_their_line() {
        check(
            "(defn f [x] ; trailing   \n;; own line\nx ; last\n)\n#_ (ignored\n  form)\n",
            expect![[r#"
                (defn f [x] ; trailing
                  ;; own line
                  x ; last
                  )
                #_ (ignored
                    form)
            "#]],
        );
    }

    #[test]
    fn strings_and_prefixes_are_untouched() {
        check(
            "(str \"line one\n   line two\" 'x ^:private y @z #?(:clj 1\n:cljs 2))\n",
            expect![[r#"
                (str "line one
                   line two" 'x ^:private y @z #?(:clj 1
                                                  :cljs 2))
            "#]],
        );
    }

    #[test]
    fn crlf_files_stay_crlf() {
        let after = format_text("(let [a 1]\r\na)\r\n\r\n\r\n(b)").expect("parses");
        assert_eq!(after, "(let [a 1]\r\n  a)\r\n\r\n(b)\r\n");
    }

    #[test]
    fn syntax_errors_are_refused() {
        assert_eq!(format_text("(defn f [x]\n  (+ x 1)"), None);
        assert_eq!(format_text("(a))"), None);
    }

    #[test]
    fn changes_are_minimal() {
        let file = SourceFile::from_text("(a\nb)\n(c  d)\n");
        let changes = format(&file).expect("parses");
        let shown: Vec<String> = changes
            .iter()
            .map(|change| format!("{:?} {:?}", change.range, change.text))
            .collect();
        assert_eq!(shown, ["3..3 \" \"", "9..10 \"\""]);
    }

    #[test]
    fn empty_and_blank_files() {
        assert_eq!(format_text("").as_deref(), Some(""));
        assert_eq!(format_text(" \n\n ").as_deref(), Some(""));
    }
}
