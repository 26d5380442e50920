//! The files the bench edits and where in them it edits: three shapes (the generated file the
//! lowering and lint benches use, one-line `defn`s, the generated file with an unclosed form)
//! at any length, each with the same small block in the middle (a comment, a string, a blank
//! line between forms) so every shape offers every kind of keystroke.

use test_support::generated;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `generated::source`: defns with docstrings, let, cond, loop, maps (about 6 lines a form).
    Generated,
    /// `(defn fN [x] (+ x N))`, one form a line.
    OneLine,
    /// The generated file with a line `(defn broken [x]` and no closer in the middle.
    Broken,
}

impl Kind {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Kind::Generated => "generated",
            Kind::OneLine => "one-line defns",
            Kind::Broken => "generated + unclosed `(`",
        }
    }
}

/// A (line, character) position; every text here is ASCII, so characters are bytes.
pub(crate) type At = (u32, u32);

pub(crate) struct Shape {
    pub(crate) kind: Kind,
    pub(crate) lines: usize,
    pub(crate) text: String,
    /// Lines starting with `(`: the top-level forms (the unclosed one included).
    pub(crate) forms: usize,
    pub(crate) places: Places,
    /// 50 lines of whole forms, with names of their own, to paste.
    pub(crate) paste: String,
}

/// Where the scenarios edit and ask, all after the middle of the file (after the unclosed form
/// in the broken shape).
pub(crate) struct Places {
    /// Just after a local symbol's use (`acc` in `(+ acc ...)`, `x` in `(+ x N)`): typing there
    /// makes it unresolved.
    pub(crate) symbol: At,
    /// Inside the middle comment.
    pub(crate) comment: At,
    /// Inside the middle string.
    pub(crate) string: At,
    /// Column 0 of the blank line between forms in the middle: the paste and the new form go
    /// there.
    pub(crate) between: At,
    /// A global's name (a use of `step-N`, or the name in a one-line `defn`): hover, rename.
    pub(crate) global: At,
    /// The whole lines of a multi-line form (one line for one-line defns), end excluded.
    pub(crate) form_lines: (u32, u32),
}

/// The block put in the middle of every shape.
const MIDDLE: &str = ";; a comment in the middle of the file\n\
                      (def bench-note \"a string in the middle of the file\")\n\
                      \n";

pub(crate) fn shape(kind: Kind, lines: usize) -> Shape {
    let base = match kind {
        Kind::Generated | Kind::Broken => generated::source(lines),
        Kind::OneLine => (0..lines)
            .map(|n| format!("(defn f{n} [x] (+ x {n}))\n"))
            .collect(),
    };
    let mut rows: Vec<&str> = base.split_inclusive('\n').collect();
    // The first form start at or after the middle line.
    let middle = (rows.len() / 2..rows.len())
        .find(|&n| rows[n].starts_with('(') && (n == 0 || !rows[n - 1].starts_with(' ')))
        .unwrap_or(rows.len());
    let mut block = Vec::new();
    if kind == Kind::Broken {
        block.push("(defn broken [x]\n");
    }
    block.extend(MIDDLE.split_inclusive('\n'));
    let comment_line = middle + block.len() - 3;
    rows.splice(middle..middle, block);
    let text: String = rows.concat();
    let lines_of: Vec<&str> = text.lines().collect();
    let after = |needle: &str, from: usize| {
        lines_of
            .iter()
            .enumerate()
            .skip(from)
            .find_map(|(n, line)| line.find(needle).map(|at| (n, at)))
            .expect("every shape has the pattern after its middle")
    };
    let symbol = match kind {
        Kind::OneLine => {
            let (line, column) = after("(+ x ", comment_line);
            (line, column + 4)
        }
        Kind::Generated | Kind::Broken => {
            let (line, column) = after("(+ acc ", comment_line);
            (line, column + 6)
        }
    };
    let global = match kind {
        Kind::OneLine => (comment_line + 3, 7),
        Kind::Generated | Kind::Broken => {
            let (line, column) = after("(reduce step-", comment_line);
            (line, column + 9)
        }
    };
    let form_lines = match kind {
        Kind::OneLine => (comment_line + 5, comment_line + 6),
        Kind::Generated | Kind::Broken => {
            let (start, _) = after("(defn sum-", comment_line);
            let end = (start..lines_of.len())
                .find(|&n| lines_of[n].is_empty())
                .unwrap_or(lines_of.len());
            (start, end)
        }
    };
    let places = Places {
        symbol: at(symbol),
        comment: at((comment_line, 8)),
        string: at((comment_line + 1, 20)),
        between: at((comment_line + 2, 0)),
        global: at(global),
        form_lines: (as_u32(form_lines.0), as_u32(form_lines.1)),
    };
    let forms = text.lines().filter(|line| line.starts_with('(')).count();
    Shape {
        kind,
        lines: text.lines().count(),
        text,
        forms,
        places,
        paste: paste(kind),
    }
}

/// How many lines the paste has: the removal deletes exactly these.
pub(crate) const PASTE_LINES: usize = 50;

fn paste(kind: Kind) -> String {
    let mut lines: Vec<String> = match kind {
        Kind::OneLine => Vec::new(),
        Kind::Generated | Kind::Broken => {
            // As many whole templates as fit, renamed as a pasted copy would be.
            let template = generated::source(1);
            let per = template.lines().count();
            let copies = (PASTE_LINES - 2) / per;
            ["step-", "sum-", "table-", "run-"]
                .iter()
                .fold(generated::source(copies * per), |text, name| {
                    text.replace(name, &format!("pasted-{name}"))
                })
                .lines()
                .map(str::to_owned)
                .collect()
        }
    };
    // One-line defs fill up to exactly the paste's length.
    let mut n = 0;
    while lines.len() < PASTE_LINES {
        lines.push(format!("(defn pasted-f{n} [x] (+ x {n}))"));
        n += 1;
    }
    lines.iter().map(|line| format!("{line}\n")).collect()
}

fn at((line, column): (usize, usize)) -> At {
    (as_u32(line), as_u32(column))
}

fn as_u32(n: usize) -> u32 {
    u32::try_from(n).expect("positions in the generated files fit")
}
