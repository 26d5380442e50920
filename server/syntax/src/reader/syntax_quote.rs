//! Syntax-quote: `` `form `` read into the code that builds `form`, as Clojure's reader does.
//!
//! `` `(f ~x ~@ys) `` reads as `(apply list (concat (list (quote f)) (list x) ys))`: symbols are
//! quoted, `~x` is evaluated, `~@xs` is spliced, and vectors, maps and sets are rebuilt with
//! `vector`, `hash-map` and `hash-set`. The result is a list (not the vector `concat` returns),
//! so a macro's expansion is a call. Symbols are not namespace-qualified: yin has no namespaces
//! yet. A symbol ending in `#` is an auto-gensym: every `x#` in one syntax-quote becomes the same
//! `x__N__auto__`, with `N` given by the reader (the same for the same text, different for
//! another syntax-quote). The expansion recurses on the datum's depth, which the reader has
//! already bounded by its `MAX_DEPTH`.
//!
//! Each level of syntax-quote triples the depth of what it quotes and multiplies its size by
//! about six, so nested syntax-quotes grow exponentially (`` ````````x `` is 6,561 levels deep).
//! An expansion deeper than `MAX_DEPTH` or larger than [`MAX_FORMS`] forms is refused with a
//! diagnostic and reads as an invalid form, so no text can make the reader, or anything that
//! walks or drops its forms, run out of time, memory or stack.

use std::collections::HashMap;

use text_size::TextRange;

use super::MAX_DEPTH;
use crate::diagnostic::{Diagnostic, Severity};
use crate::form::{Form, FormKind};
use crate::intern::Interner;

/// The most forms one syntax-quote may build: far more than any macro template needs.
pub(super) const MAX_FORMS: usize = 100_000;

struct Expander<'a> {
    seed: u64,
    gensyms: HashMap<String, String>,
    interner: &'a mut Interner,
    diagnostics: &'a mut Vec<Diagnostic>,
    /// Forms built so far.
    built: usize,
    /// Set once the expansion passed `MAX_DEPTH` or `MAX_FORMS`; the rest is not built.
    too_large: bool,
}

/// The code that builds `datum`, read from `` `datum ``.
pub(super) fn expand(
    datum: Form,
    seed: u64,
    interner: &mut Interner,
    diagnostics: &mut Vec<Diagnostic>,
) -> Form {
    let span = datum.span;
    let mut expander = Expander {
        seed,
        gensyms: HashMap::new(),
        interner,
        diagnostics,
        built: 0,
        too_large: false,
    };
    let built = expander.form(datum, 0);
    if !expander.too_large {
        return built;
    }
    expander.diagnostics.push(Diagnostic {
        range: span,
        severity: Severity::Error,
        code: "too-deep",
        message: format!(
            "syntax-quote expands to more than {MAX_DEPTH} levels or {MAX_FORMS} forms (nested syntax-quotes grow exponentially)"
        ),
    });
    Form {
        kind: FormKind::Invalid,
        span,
    }
}

/// `(unquote x)` or `(unquote-splicing x)`: which, and `x`.
fn unquoted(form: &Form) -> Option<(&str, &Form)> {
    match &form.kind {
        FormKind::List(items) => match items.as_slice() {
            [
                Form {
                    kind: FormKind::Symbol(head),
                    ..
                },
                x,
            ] if matches!(head.as_str(), "unquote" | "unquote-splicing") => {
                Some((head.as_str(), x))
            }
            _ => None,
        },
        _ => None,
    }
}

impl Expander<'_> {
    /// The symbols the expansion adds (`apply`, `list`, `concat`, `quote`) get an empty span, so
    /// editor features that look for the name under the cursor find the user's symbols only.
    fn sym(&mut self, name: &str, span: TextRange) -> Form {
        self.count();
        Form {
            kind: FormKind::Symbol(self.interner.symbol(name)),
            span: TextRange::empty(span.start()),
        }
    }

    fn call(&mut self, head: &str, args: Vec<Form>, span: TextRange) -> Form {
        self.count();
        let mut items = Vec::with_capacity(args.len() + 1);
        items.push(self.sym(head, span));
        items.extend(args);
        Form {
            kind: FormKind::List(items),
            span,
        }
    }

    fn count(&mut self) {
        self.built += 1;
        if self.built > MAX_FORMS {
            self.too_large = true;
        }
    }

    /// The code that builds `datum`, to be placed `depth` levels deep in the expansion.
    fn form(&mut self, datum: Form, depth: usize) -> Form {
        let span = datum.span;
        if depth > MAX_DEPTH {
            self.too_large = true;
        }
        if self.too_large {
            return Form {
                kind: FormKind::Invalid,
                span,
            };
        }
        if let Some((which, x)) = unquoted(&datum) {
            if which == "unquote" {
                return x.clone();
            }
            self.diagnostics.push(Diagnostic {
                range: span,
                severity: Severity::Error,
                code: "malformed",
                message: "`~@` splices into a list, vector, map or set, not on its own".into(),
            });
            return Form {
                kind: FormKind::Invalid,
                span,
            };
        }
        match datum.kind {
            FormKind::Symbol(s) => {
                let name = s.as_str();
                let symbol = match name.strip_suffix('#') {
                    Some(prefix) if !prefix.is_empty() && s.namespace().is_none() => {
                        let seed = self.seed;
                        let next = self.gensyms.len();
                        let fresh = self
                            .gensyms
                            .entry(prefix.to_owned())
                            .or_insert_with(|| format!("{prefix}__{}__auto__", seed + next as u64))
                            .clone();
                        self.sym(&fresh, span)
                    }
                    _ => Form {
                        kind: FormKind::Symbol(s),
                        span,
                    },
                };
                self.call("quote", vec![symbol], span)
            }
            FormKind::List(items) => self.sequence("list", items, span, depth),
            FormKind::Vector(items) => self.sequence("vector", items, span, depth),
            FormKind::Set(items) => self.sequence("hash-set", items, span, depth),
            FormKind::Map(entries) => {
                let items = entries.into_iter().flat_map(|(k, v)| [k, v]).collect();
                self.sequence("hash-map", items, span, depth)
            }
            kind => Form { kind, span },
        }
    }

    /// `(apply make (concat part...))`, a part per element: `(list x)`, or `xs` for `~@xs`;
    /// each element's code sits three levels below `depth`.
    fn sequence(&mut self, make: &str, items: Vec<Form>, span: TextRange, depth: usize) -> Form {
        let mut parts = Vec::with_capacity(items.len());
        for item in items {
            let part = match unquoted(&item) {
                Some(("unquote-splicing", xs)) => xs.clone(),
                _ => {
                    let at = item.span;
                    let element = self.form(item, depth + 3);
                    self.call("list", vec![element], at)
                }
            };
            parts.push(part);
        }
        let concat = self.call("concat", parts, span);
        let make = self.sym(make, span);
        self.call("apply", vec![make, concat], span)
    }
}
