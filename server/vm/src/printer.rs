//! Printing values the way yin prints them (docs/language.md, "Printing"): Clojure's `pr` form for results and
//! `prn`; the `print` form (strings and characters bare, at any depth) for `print` and `println`;
//! and the `str` form (a bare string or character, `nil` empty, anything else as `pr`) for `str`.
//!
//! Error messages quote values through [`pr_capped`], which stops at a length and a depth, so a
//! message about a ten-million-element vector stays one line.
//!
//! Recursion here is bounded by [`MAX_DEPTH`](crate::value::MAX_DEPTH), which every value respects.

use std::fmt::Write;

use crate::value::Value;

/// The `pr` form: what `yin eval` prints and what reads back as the same data where it can.
pub fn pr_str(v: &Value) -> String {
    let mut p = Printer::new(true, usize::MAX, u32::MAX);
    p.pr(v, 0);
    p.out
}

/// The `print` form: for people, so strings and characters are bare wherever they appear.
pub fn print_str(v: &Value) -> String {
    let mut p = Printer::new(false, usize::MAX, u32::MAX);
    p.pr(v, 0);
    p.out
}

/// Characters of a value an error message quotes before cutting it with `...`.
pub(crate) const QUOTE_CHARS: usize = 200;
/// Levels of nesting an error message shows; deeper collections print as `...`.
pub(crate) const QUOTE_DEPTH: u32 = 8;

/// The `pr` form cut to [`QUOTE_CHARS`] characters and [`QUOTE_DEPTH`] levels, with `...` where
/// it was cut: how error messages quote values. Printing stops at the cut, so the cost is
/// bounded too.
pub fn pr_capped(v: &Value) -> String {
    let mut p = Printer::new(true, QUOTE_CHARS, QUOTE_DEPTH);
    p.pr(v, 0);
    if p.cut || p.out.chars().count() > QUOTE_CHARS {
        let end = p
            .out
            .char_indices()
            .nth(QUOTE_CHARS)
            .map_or(p.out.len(), |(i, _)| i);
        p.out.truncate(end);
        p.out.push_str("...");
    }
    p.out
}

/// The `str` form: strings without quotes, characters as themselves, `nil` as nothing.
pub fn str_form(v: &Value) -> String {
    match v {
        Value::Nil => String::new(),
        Value::Str(s) => s.to_string(),
        Value::Char(c) => c.to_string(),
        other => pr_str(other),
    }
}

/// Where printing writes, and where it stops.
struct Printer {
    out: String,
    /// Quote strings and escape characters (`pr`), or print them bare (`print`).
    readably: bool,
    /// Stop once the output is this long (in bytes, at least as many as characters).
    limit: usize,
    /// Print collections nested this deep as `...` (which is not a cut: the rest prints).
    max_depth: u32,
    /// Whether something was left out.
    cut: bool,
}

impl Printer {
    fn new(readably: bool, limit: usize, max_depth: u32) -> Printer {
        Printer {
            out: String::new(),
            readably,
            limit,
            max_depth,
            cut: false,
        }
    }

    fn full(&mut self) -> bool {
        if self.out.len() > self.limit {
            self.cut = true;
        }
        self.cut
    }

    /// Opens a collection at `depth`, or prints `...` in its place if it is too deep.
    fn open(&mut self, open: &str, depth: u32) -> bool {
        if depth >= self.max_depth {
            self.out.push_str("...");
            return false;
        }
        self.out.push_str(open);
        true
    }

    fn seq<'a>(
        &mut self,
        open: &str,
        items: impl Iterator<Item = &'a Value>,
        close: &str,
        depth: u32,
    ) {
        if !self.open(open, depth) {
            return;
        }
        for (i, x) in items.enumerate() {
            if self.full() {
                return;
            }
            if i > 0 {
                self.out.push(' ');
            }
            self.pr(x, depth + 1);
        }
        if !self.full() {
            self.out.push_str(close);
        }
    }

    fn pr(&mut self, v: &Value, depth: u32) {
        let readably = self.readably;
        let out = &mut self.out;
        match v {
            Value::Str(s) if !readably => out.push_str(s),
            Value::Char(c) if !readably => out.push(*c),
            Value::Nil => out.push_str("nil"),
            Value::Bool(b) => {
                let _ = write!(out, "{b}");
            }
            Value::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Float(f) => float(*f, out),
            Value::Ratio(n, d) => {
                let _ = write!(out, "{n}/{d}");
            }
            Value::Char(c) => match c {
                '\n' => out.push_str("\\newline"),
                ' ' => out.push_str("\\space"),
                '\t' => out.push_str("\\tab"),
                '\r' => out.push_str("\\return"),
                '\u{8}' => out.push_str("\\backspace"),
                '\u{c}' => out.push_str("\\formfeed"),
                c if c.is_control() => {
                    let _ = write!(out, "\\u{:04x}", *c as u32);
                }
                c => {
                    out.push('\\');
                    out.push(*c);
                }
            },
            Value::Str(s) => {
                out.push('"');
                for c in s.chars() {
                    match c {
                        '"' => out.push_str("\\\""),
                        '\\' => out.push_str("\\\\"),
                        '\n' => out.push_str("\\n"),
                        '\t' => out.push_str("\\t"),
                        '\r' => out.push_str("\\r"),
                        c => out.push(c),
                    }
                    if out.len() > self.limit {
                        self.cut = true;
                        return;
                    }
                }
                out.push('"');
            }
            Value::Keyword(k) => {
                let _ = write!(out, "{k}");
            }
            Value::Symbol(s) => out.push_str(s.as_str()),
            Value::List(l) => self.seq("(", l.iter(), ")", depth),
            Value::Vector(s) => self.seq("[", s.items.iter(), "]", depth),
            Value::Set(s) => self.seq("#{", s.iter(), "}", depth),
            Value::Map(m) => {
                if !self.open("{", depth) {
                    return;
                }
                for (i, (k, v)) in m.iter().enumerate() {
                    if self.full() {
                        return;
                    }
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.pr(k, depth + 1);
                    self.out.push(' ');
                    self.pr(v, depth + 1);
                }
                if !self.full() {
                    self.out.push('}');
                }
            }
            Value::Fn(c) => match &c.proto.name {
                Some(name) => {
                    let _ = write!(out, "#<fn {name}>");
                }
                None => out.push_str("#<fn>"),
            },
            Value::Prim(p) => {
                let _ = write!(out, "#<fn {}>", p.name());
            }
            Value::Partial(_) => match crate::hof::as_producer(v) {
                Some((kind, _)) => {
                    let _ = write!(out, "#<producer {kind}>");
                }
                None => out.push_str("#<fn partial>"),
            },
            Value::Comp(_) => out.push_str("#<fn comp>"),
            Value::Cont(k) => {
                let _ = write!(out, "#<continuation {}>", k.id);
            }
            Value::Stream(id) => {
                let _ = write!(out, "#<stream {id}>");
            }
            Value::Cursor(id) => {
                let _ = write!(out, "#<cursor {id}>");
            }
            Value::Atom(id) => {
                let _ = write!(out, "#<atom {id}>");
            }
            Value::Regex(r) => {
                // Java prints a pattern's source between #" and ", unescaped.
                let _ = write!(out, "#\"{}\"", r.as_str());
            }
            Value::Ex(x) => {
                if !self.open("#error {:message ", depth) {
                    return;
                }
                // The message is always quoted, as Clojure's #error shows it.
                let readably = std::mem::replace(&mut self.readably, true);
                self.pr(&Value::Str(x.message.clone()), depth + 1);
                self.readably = readably;
                if !matches!(x.data, Value::Nil) && !self.full() {
                    self.out.push_str(", :data ");
                    self.pr(&x.data, depth + 1);
                }
                if !self.full() {
                    self.out.push('}');
                }
            }
        }
    }
}

/// How much of a value [`pr_limited`] prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrintLimits {
    /// Characters (not bytes) of the whole text, `...` and closing brackets included.
    pub max_length: usize,
    /// Collections nested deeper than this print as `...`.
    pub max_depth: u32,
    /// Elements (entries of a map) a collection shows before `...`.
    pub max_items: usize,
}

impl PrintLimits {
    /// A live evaluation's result (docs/lsp.md, "Live evaluation").
    pub const RESULT: PrintLimits = PrintLimits {
        max_length: 10_000,
        max_depth: 10,
        max_items: 1_000,
    };

    /// An item of an inspector's page.
    pub const ITEM: PrintLimits = PrintLimits {
        max_length: 200,
        max_depth: 3,
        max_items: 100,
    };
}

/// A value printed within [`PrintLimits`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Printed {
    pub text: String,
    /// Whether anything was left out (and marked `...`).
    pub truncated: bool,
}

/// Characters a cut may still add after the last thing that fitted: `, ...` at most.
const CUT_RESERVE: usize = 5;

/// The `pr` form within `limits`, cut with `...` where something was left out: `[0 1 2 ...]`
/// (length or items), `{:a {:b ...}}` (depth), `"abc..."` (a long string). Brackets opened
/// before a cut are closed after it, so the text still reads as data, and it is never longer
/// than `max_length` characters (unless that is shorter than a cut itself, 5 characters).
///
/// The cost is proportional to what is printed, not to the value: printing stops at the cut, and
/// a collection is read only up to its `max_items`th element. The text is printed at most twice:
/// once to see whether it fits whole (then it is the whole text), and once more, if not, keeping
/// room for the cut marker and the closing brackets at every point.
pub fn pr_limited(v: &Value, limits: &PrintLimits) -> Printed {
    let mut whole = Limited::new(limits, 0);
    whole.pr(v, 0);
    if !whole.stopped {
        return Printed {
            text: whole.out,
            truncated: whole.truncated,
        };
    }
    let mut cut = Limited::new(limits, CUT_RESERVE);
    cut.pr(v, 0);
    Printed {
        text: cut.out,
        truncated: true,
    }
}

/// One pass of [`pr_limited`].
struct Limited<'a> {
    out: String,
    /// Characters in `out`.
    chars: usize,
    limits: &'a PrintLimits,
    /// Characters kept free at every point for a cut marker (0: stop instead of marking).
    reserve: usize,
    /// Characters of the closing brackets (and quote) owed to what is open.
    closers: usize,
    stopped: bool,
    truncated: bool,
}

impl<'a> Limited<'a> {
    fn new(limits: &'a PrintLimits, reserve: usize) -> Limited<'a> {
        Limited {
            out: String::new(),
            chars: 0,
            limits,
            reserve,
            closers: 0,
            stopped: false,
            truncated: false,
        }
    }

    fn fits(&self, chars: usize) -> bool {
        self.chars + chars + self.closers + self.reserve <= self.limits.max_length
    }

    fn push(&mut self, s: &str) {
        self.out.push_str(s);
        self.chars += s.chars().count();
    }

    /// Pushes `s` if it fits; otherwise ends the printing with `marker`.
    fn token(&mut self, s: &str, marker: &str) -> bool {
        if self.fits(s.chars().count()) {
            self.push(s);
            true
        } else {
            self.stop(marker);
            false
        }
    }

    fn stop(&mut self, marker: &str) {
        self.stopped = true;
        self.truncated = true;
        if self.reserve > 0 {
            self.push(marker);
        }
    }

    fn pr(&mut self, v: &Value, depth: u32) {
        match v {
            Value::List(l) => self.coll("(", l.iter().map(|x| (None, x)), ")", depth),
            Value::Vector(s) => self.coll("[", s.items.iter().map(|x| (None, x)), "]", depth),
            Value::Set(s) => self.coll("#{", s.iter().map(|x| (None, x)), "}", depth),
            Value::Map(m) => self.coll("{", m.iter().map(|(k, x)| (Some(k), x)), "}", depth),
            Value::Ex(x) => {
                let mut entries = vec![(Value::keyword("message"), Value::Str(x.message.clone()))];
                if !matches!(x.data, Value::Nil) {
                    entries.push((Value::keyword("data"), x.data.clone()));
                }
                self.coll(
                    "#error {",
                    entries.iter().map(|(k, x)| (Some(k), x)),
                    "}",
                    depth,
                );
            }
            Value::Str(s) => self.string(s),
            atom => {
                let text = pr_str(atom);
                self.token(&text, "...");
            }
        }
    }

    /// A collection: `items` are elements, or entries when they carry a key.
    fn coll<'v>(
        &mut self,
        open: &str,
        items: impl Iterator<Item = (Option<&'v Value>, &'v Value)>,
        close: &str,
        depth: u32,
    ) {
        if depth >= self.limits.max_depth {
            if self.token("...", "...") {
                self.truncated = true;
            }
            return;
        }
        let closer = close.chars().count();
        if !self.fits(open.chars().count() + closer) {
            self.stop("...");
            return;
        }
        self.push(open);
        self.closers += closer;
        for (i, (key, x)) in items.enumerate() {
            let sep = match (i, key) {
                (0, _) => "",
                (_, Some(_)) => ", ",
                (_, None) => " ",
            };
            if i == self.limits.max_items {
                // The reserve is spent here only when cutting; otherwise check like a token.
                let marker = format!("{sep}...");
                if self.token(&marker, &marker) {
                    self.truncated = true;
                }
                break;
            }
            if !self.token(sep, &format!("{sep}...")) {
                break;
            }
            if let Some(k) = key {
                self.pr(k, depth + 1);
                if self.stopped {
                    break;
                }
                if !self.token(" ", " ...") {
                    break;
                }
            }
            self.pr(x, depth + 1);
            if self.stopped {
                break;
            }
        }
        self.closers -= closer;
        if !self.stopped || self.reserve > 0 {
            self.push(close);
        }
    }

    fn string(&mut self, s: &str) {
        if !self.fits(2) {
            self.stop("...");
            return;
        }
        self.push("\"");
        self.closers += 1;
        let mut buf = [0u8; 4];
        for c in s.chars() {
            let esc: &str = match c {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                c => c.encode_utf8(&mut buf),
            };
            if !self.token(esc, "...") {
                break;
            }
        }
        self.closers -= 1;
        if !self.stopped || self.reserve > 0 {
            self.push("\"");
        }
    }
}

/// Floats as Clojure prints doubles: always with a fraction or an exponent, `##Inf`, `##NaN`.
fn float(f: f64, out: &mut String) {
    if f.is_nan() {
        out.push_str("##NaN");
    } else if f.is_infinite() {
        out.push_str(if f > 0.0 { "##Inf" } else { "##-Inf" });
    } else if f != 0.0 && (f.abs() >= 1e7 || f.abs() < 1e-3) {
        // Java's Double.toString switches to computerised scientific notation outside
        // [1e-3, 1e7); Rust's `{:e}` gives the shortest digits, which only need the ".0".
        let s = format!("{f:e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        out.push_str(mantissa);
        if !mantissa.contains('.') {
            out.push_str(".0");
        }
        out.push('E');
        out.push_str(exp);
    } else if f.fract() == 0.0 {
        let _ = write!(out, "{f:.1}");
    } else {
        let _ = write!(out, "{f}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_clojure() {
        let p = |f| pr_str(&Value::Float(f));
        assert_eq!(p(2.5), "2.5");
        assert_eq!(p(1.0), "1.0");
        assert_eq!(p(-0.0), "-0.0");
        assert_eq!(p(1e20), "1.0E20");
        assert_eq!(p(1.5e-7), "1.5E-7");
        assert_eq!(p(f64::INFINITY), "##Inf");
    }

    #[test]
    fn quoted_values_are_cut_in_length_and_depth() {
        let long = Value::vector((0..100_000).map(Value::Int).collect()).unwrap();
        let quoted = pr_capped(&long);
        assert!(quoted.starts_with("[0 1 2 "), "{quoted}");
        assert!(quoted.ends_with("..."), "{quoted}");
        assert!(quoted.chars().count() <= QUOTE_CHARS + 3, "{quoted}");
        let mut deep = Value::Int(1);
        for _ in 0..20 {
            deep = Value::vector(imbl::Vector::unit(deep)).unwrap();
        }
        assert_eq!(pr_capped(&deep), "[[[[[[[[...]]]]]]]]");
        let text = Value::str(&"x".repeat(10_000));
        assert_eq!(pr_capped(&text).len(), QUOTE_CHARS + 3);
        assert_eq!(pr_capped(&Value::Int(7)), "7");
    }

    #[test]
    fn exceptions_print_under_the_same_caps() {
        let data = Value::map_from([(
            Value::Keyword(edn::Keyword::new("xs")),
            Value::vector((0..100_000).map(Value::Int).collect()).unwrap(),
        )])
        .unwrap();
        let ex = Value::ex("boom", data, Value::Nil, None).unwrap();
        let quoted = pr_capped(&ex);
        assert!(
            quoted.starts_with("#error {:message \"boom\", :data {:xs [0 1 2 "),
            "{quoted}"
        );
        assert!(quoted.ends_with("..."), "{quoted}");
        assert!(quoted.chars().count() <= QUOTE_CHARS + 3, "{quoted}");
        // `print` still quotes the message, as Clojure's #error does.
        let plain = Value::ex("hi", Value::Nil, Value::Nil, None).unwrap();
        assert_eq!(print_str(&plain), "#error {:message \"hi\"}");
    }

    fn limited(v: &Value, max_length: usize, max_depth: u32, max_items: usize) -> String {
        let p = pr_limited(
            v,
            &PrintLimits {
                max_length,
                max_depth,
                max_items,
            },
        );
        format!("{} {}", if p.truncated { "cut" } else { "whole" }, p.text)
    }

    fn vector(items: impl IntoIterator<Item = Value>) -> Value {
        Value::vector(items.into_iter().collect()).unwrap()
    }

    fn nested() -> Value {
        let inner = Value::map_from([(Value::keyword("c"), vector((0..3).map(Value::Int)))]);
        let mid = Value::map_from([(Value::keyword("b"), inner.unwrap())]).unwrap();
        Value::map_from([
            (Value::keyword("a"), mid),
            (Value::keyword("s"), Value::str("tab\there")),
        ])
        .unwrap()
    }

    #[test]
    fn limited_printing_cuts_at_each_limit() {
        let v = vector((0..100).map(Value::Int));
        let cases = [
            limited(&v, 10_000, 10, 1_000),
            limited(&v, 20, 10, 1_000),
            limited(&v, 10_000, 10, 3),
            limited(&nested(), 10_000, 10, 1_000),
            limited(&nested(), 10_000, 2, 1_000),
            limited(&nested(), 10_000, 1, 1_000),
            limited(&nested(), 10_000, 10, 1),
            limited(&nested(), 24, 10, 1_000),
            limited(&Value::str(&"abc".repeat(100)), 16, 10, 1_000),
            limited(
                &vector([Value::str(&"x".repeat(50)), Value::Int(1)]),
                20,
                10,
                1_000,
            ),
            limited(&Value::keyword(&"k".repeat(40)), 16, 10, 1_000),
            limited(&vector([]), 16, 10, 0),
            limited(&vector([Value::Int(1)]), 16, 10, 0),
            limited(&Value::set_from((0..5).map(Value::Int)).unwrap(), 16, 10, 2),
            limited(
                &Value::list((0..5).map(Value::Int).collect()).unwrap(),
                16,
                10,
                1_000,
            ),
            limited(
                &Value::ex("boom", nested(), Value::Nil, None).unwrap(),
                40,
                10,
                1_000,
            ),
        ];
        expect_test::expect![[r#"
            whole [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63 64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79 80 81 82 83 84 85 86 87 88 89 90 91 92 93 94 95 96 97 98 99]
            cut [0 1 2 3 4 5 6 ...]
            cut [0 1 2 ...]
            whole {:a {:b {:c [0 1 2]}}, :s "tab\there"}
            cut {:a {:b ...}, :s "tab\there"}
            cut {:a ..., :s "tab\there"}
            cut {:a {:b {:c [0 ...]}}, ...}
            cut {:a {:b {:c [0 ...]}}}
            cut "abcabcabc..."
            cut ["xxxxxxxxxxx..."]
            cut ...
            whole []
            cut [...]
            cut #{0 1 ...}
            whole (0 1 2 3 4)
            cut #error {:message "boom", :data {...}}"#]]
        .assert_eq(&cases.join("\n"));
    }

    #[test]
    fn a_value_that_fits_prints_whole_and_as_pr_does() {
        let v = nested();
        let whole = pr_str(&v);
        let n = whole.chars().count();
        assert_eq!(limited(&v, n, 10, 1_000), format!("whole {whole}"));
        let cut = pr_limited(
            &v,
            &PrintLimits {
                max_length: n - 1,
                max_depth: 10,
                max_items: 1_000,
            },
        );
        assert!(cut.truncated);
        assert!(cut.text.chars().count() < n, "{}", cut.text);
    }

    #[test]
    fn limited_printing_costs_what_it_prints() {
        // A million references to one million-element vector: printed whole it would be 10^12
        // numbers. Cut at 10,000 characters, it returns at once.
        let big = vector((0..1_000_000).map(Value::Int));
        let huge = Value::vector(imbl::Vector::from(vec![big; 1_000_000])).unwrap();
        let p = pr_limited(
            &huge,
            &PrintLimits {
                max_length: 10_000,
                max_depth: 10,
                max_items: 1_000_000,
            },
        );
        assert!(p.truncated);
        assert!(p.text.starts_with("[[0 1 2 "), "{}", &p.text[..20]);
        assert!(
            p.text.ends_with(" ...]]"),
            "{}",
            &p.text[p.text.len() - 20..]
        );
        assert!(p.text.chars().count() <= 10_000);
    }

    proptest::proptest! {
        #[test]
        fn limited_text_never_exceeds_its_length(
            items in proptest::collection::vec(0i64..1_000_000, 0..200),
            text in ".{0,60}",
            max_length in 5usize..200,
            max_depth in 0u32..4,
            max_items in 0usize..50,
        ) {
            let v = vector([
                vector(items.iter().copied().map(Value::Int)),
                Value::str(&text),
                nested(),
            ]);
            let limits = PrintLimits { max_length, max_depth, max_items };
            let p = pr_limited(&v, &limits);
            proptest::prop_assert!(p.text.chars().count() <= max_length, "{}", p.text);
            let whole = pr_str(&v);
            if !p.truncated {
                proptest::prop_assert_eq!(&p.text, &whole);
            }
            if whole.chars().count() <= max_length && max_depth >= 3 && max_items >= 200 {
                proptest::prop_assert_eq!(&p.text, &whole);
            }
        }
    }
}
