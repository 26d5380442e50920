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

use std::collections::HashMap;

use text_size::TextRange;

use crate::diagnostic::{Diagnostic, Severity};
use crate::form::{Form, FormKind};
use crate::intern::Interner;

struct Expander<'a> {
    seed: u64,
    gensyms: HashMap<String, String>,
    interner: &'a mut Interner,
    diagnostics: &'a mut Vec<Diagnostic>,
}

/// The code that builds `datum`, read from `` `datum ``.
pub(super) fn expand(
    datum: Form,
    seed: u64,
    interner: &mut Interner,
    diagnostics: &mut Vec<Diagnostic>,
) -> Form {
    Expander {
        seed,
        gensyms: HashMap::new(),
        interner,
        diagnostics,
    }
    .form(datum)
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
        Form {
            kind: FormKind::Symbol(self.interner.symbol(name)),
            span: TextRange::empty(span.start()),
        }
    }

    fn call(&mut self, head: &str, args: Vec<Form>, span: TextRange) -> Form {
        let mut items = Vec::with_capacity(args.len() + 1);
        items.push(self.sym(head, span));
        items.extend(args);
        Form {
            kind: FormKind::List(items),
            span,
        }
    }

    fn form(&mut self, datum: Form) -> Form {
        let span = datum.span;
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
            FormKind::List(items) => self.sequence("list", items, span),
            FormKind::Vector(items) => self.sequence("vector", items, span),
            FormKind::Set(items) => self.sequence("hash-set", items, span),
            FormKind::Map(entries) => {
                let items = entries.into_iter().flat_map(|(k, v)| [k, v]).collect();
                self.sequence("hash-map", items, span)
            }
            kind => Form { kind, span },
        }
    }

    /// `(apply make (concat part...))`, a part per element: `(list x)`, or `xs` for `~@xs`.
    fn sequence(&mut self, make: &str, items: Vec<Form>, span: TextRange) -> Form {
        let mut parts = Vec::with_capacity(items.len());
        for item in items {
            let part = match unquoted(&item) {
                Some(("unquote-splicing", xs)) => xs.clone(),
                _ => {
                    let at = item.span;
                    let element = self.form(item);
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
