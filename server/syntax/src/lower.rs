//! Lowering: one top-level [`Form`] in, its Universal [`Ast`] out.
//!
//! Lowering recognises special forms (only where the head symbol is not locally bound, so a
//! parameter named `defn` is called, not expanded), desugars derived forms while recording their
//! [`Surface`], and asks a [`MacroExpander`] about every other call head. It never fails: a
//! malformed special form gets a `malformed` diagnostic at the offending part and lowers to an
//! [`NodeKind::Error`] node that keeps whatever did lower. It knows nothing of files, datoms or how
//! macros run.

use edn::Symbol;
use text_size::TextRange;

use crate::ast::{Ast, Literal, NodeId, NodeKind, Surface};
use crate::core::{self, is_special_form};
use crate::diagnostic::{Diagnostic, Severity};
use crate::form::{Form, FormKind};

mod desugar;

use desugar::{Fresh, Malformed, NO_MATCH, is_pattern};

/// How deeply macro expansions may nest (an expansion producing another macro call counts one).
pub const MAX_EXPANSIONS: usize = 64;

/// The deepest nesting of forms lowering recurses into; deeper forms become error nodes with a
/// `too-deep` diagnostic. Lower than the reader's limit because lowering a special form takes
/// several stack frames per level: at this depth lowering fits in a 1 MiB stack even in debug
/// builds (tested), half of a default 2 MiB thread stack, leaving room for callers (the machine
/// lowers while expanding macros).
pub const MAX_DEPTH: usize = 128;

/// Expands Clojure-style macros while lowering. The machine implements it; lowering only calls it
/// for a list whose head symbol is neither locally bound nor a special form.
pub trait MacroExpander {
    fn is_macro(&self, name: &Symbol) -> bool;
    /// Returns the expansion of `call`, a list whose head names a macro.
    fn expand(&mut self, call: &Form) -> Result<Form, String>;
}

/// An expander that knows no macros: every call stays a call.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoMacros;

impl MacroExpander for NoMacros {
    fn is_macro(&self, _name: &Symbol) -> bool {
        false
    }

    fn expand(&mut self, _call: &Form) -> Result<Form, String> {
        Err("no macros are defined".to_string())
    }
}

/// The result of lowering one top-level form.
#[derive(Clone, Debug, PartialEq)]
pub struct Lowered {
    pub ast: Ast,
    pub diagnostics: Vec<Diagnostic>,
}

/// Lowers one top-level form. Spans are copied from the form.
pub fn lower(form: &Form, macros: &mut dyn MacroExpander) -> Lowered {
    let mut lowerer = Lowerer {
        ast: Ast::new(),
        diagnostics: Vec::new(),
        macros,
        locals: Vec::new(),
        targets: Vec::new(),
        depth: 0,
        expansions: 0,
        fresh: Fresh::default(),
    };
    let root = lowerer.form(form);
    lowerer.ast.set_root(root);
    Lowered {
        ast: lowerer.ast,
        diagnostics: lowerer.diagnostics,
    }
}

/// Clojure special forms that yin does not have.
/// The class names a `catch` accepts: each catches every yin exception.
pub const CATCH_ALL: &[&str] = &[
    "Exception",
    "Throwable",
    "Object",
    "ExceptionInfo",
    "clojure.lang.ExceptionInfo",
    "RuntimeException",
    "Error",
    "js/Error",
];

/// The Java exception classes a `catch` accepts, each standing for the kinds of yin runtime error
/// that Clojure would raise as that class (`(catch ArithmeticException e ...)` catches `(/ 1 0)`).
pub const CATCH_CLASSES: &[(&str, &[&str])] = &[
    ("ArithmeticException", &["divide-by-zero", "overflow"]),
    (
        "java.lang.ArithmeticException",
        &["divide-by-zero", "overflow"],
    ),
    ("NumberFormatException", &["argument"]),
    ("IllegalArgumentException", &["argument", "arity", "type"]),
    ("clojure.lang.ArityException", &["arity"]),
    ("ArityException", &["arity"]),
    ("ClassCastException", &["type", "not-a-function"]),
    ("NullPointerException", &["type", "not-a-function"]),
    ("IndexOutOfBoundsException", &["argument"]),
    ("ArrayIndexOutOfBoundsException", &["argument"]),
    ("StringIndexOutOfBoundsException", &["argument"]),
    ("IllegalStateException", &["argument"]),
    ("UnsupportedOperationException", &["argument", "type"]),
    ("AssertionError", &["assertion"]),
];

/// The yin error kinds a Java exception class stands for in a `catch`, if it is one of
/// [`CATCH_CLASSES`].
pub fn catch_class_kinds(name: &str) -> Option<&'static [&'static str]> {
    CATCH_CLASSES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, kinds)| *kinds)
}

/// The Java constants a Clojure program reaches for, read as the numbers they are.
fn java_constant(name: &str) -> Option<Literal> {
    Some(match name {
        "Math/PI" => Literal::Float(std::f64::consts::PI),
        "Math/E" => Literal::Float(std::f64::consts::E),
        "Long/MAX_VALUE" => Literal::Int(i64::MAX),
        "Long/MIN_VALUE" => Literal::Int(i64::MIN),
        "Integer/MAX_VALUE" => Literal::Int(i64::from(i32::MAX)),
        "Integer/MIN_VALUE" => Literal::Int(i64::from(i32::MIN)),
        "Double/MAX_VALUE" => Literal::Float(f64::MAX),
        "Double/POSITIVE_INFINITY" => Literal::Float(f64::INFINITY),
        "Double/NEGATIVE_INFINITY" => Literal::Float(f64::NEG_INFINITY),
        _ => return None,
    })
}

/// The core name a namespace-qualified symbol stands for. `ns` and `require` accept no namespace
/// but `clojure.core`, `clojure.string` and `clojure.set`, so whatever alias a program gave one
/// of them (`[clojure.string :as s]`), `s/join` can only mean `clojure.string/join`: a qualified
/// name that is not itself known reads as the `clojure.string` function of that name, else the
/// `clojure.set` one, and `clojure.core/f` as `f`. Java class members (`Character/foo`) and names
/// that match nothing are left as written, to be reported unresolved.
fn resolve_alias(sym: &Symbol) -> Symbol {
    let text = sym.as_str();
    let Some((ns, name)) = text.split_once('/') else {
        return sym.clone();
    };
    if ns.is_empty()
        || name.is_empty()
        || ns.starts_with(|c: char| c.is_ascii_uppercase())
        || core::core_fn(text).is_some()
    {
        return sym.clone();
    }
    if ns == "clojure.core" {
        return Symbol::new(name);
    }
    ["clojure.string/", "clojure.set/"]
        .iter()
        .map(|long| format!("{long}{name}"))
        .find(|full| core::core_fn(full).is_some())
        .map_or_else(|| sym.clone(), |full| Symbol::new(&full))
}

const CLOJURE_ONLY: &[&str] = &[".", "new", "set!", "var", "monitor-enter", "monitor-exit"];

/// What a `recur` jumps to: a function arity or a `loop`, with the arguments it takes.
#[derive(Clone, Copy)]
struct Target {
    count: usize,
    /// The body, handler or `finally` of a `try`: a `recur` there cannot reach the loop
    /// outside, as in Clojure.
    is_try: bool,
}

struct Lowerer<'m> {
    ast: Ast,
    diagnostics: Vec<Diagnostic>,
    macros: &'m mut dyn MacroExpander,
    /// Names bound by enclosing parameters, `let`/`loop` bindings and `fn` names, innermost last.
    locals: Vec<Symbol>,
    /// Enclosing `recur` targets; a function arity starts a new one.
    targets: Vec<Target>,
    depth: usize,
    expansions: usize,
    /// Names for the temporaries derived forms bind.
    fresh: Fresh,
}

fn cover(first: TextRange, last: TextRange) -> TextRange {
    first.cover(last)
}

impl Lowerer<'_> {
    fn node(&mut self, kind: NodeKind, span: TextRange) -> NodeId {
        self.ast.alloc(kind, span, None)
    }

    fn derived(&mut self, kind: NodeKind, span: TextRange, surface: Surface) -> NodeId {
        self.ast.alloc(kind, span, Some(surface))
    }

    fn malformed(&mut self, range: TextRange, message: impl Into<String>) {
        self.report(range, "malformed", message);
    }

    fn report(&mut self, range: TextRange, code: &'static str, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic {
            range,
            severity: Severity::Error,
            code,
            message: message.into(),
        });
    }

    /// An error node holding the lowered `parts`.
    fn error(&mut self, parts: &[Form], span: TextRange) -> NodeId {
        let children = self.forms(parts);
        self.node(NodeKind::Error(children), span)
    }

    fn forms(&mut self, forms: &[Form]) -> Vec<NodeId> {
        forms.iter().map(|f| self.form(f)).collect()
    }

    fn is_local(&self, name: &Symbol) -> bool {
        self.locals.iter().rev().any(|l| l == name)
    }

    fn form(&mut self, form: &Form) -> NodeId {
        if self.depth >= MAX_DEPTH {
            self.report(
                form.span,
                "too-deep",
                format!("too deeply nested (more than {MAX_DEPTH} levels)"),
            );
            return self.node(NodeKind::Error(Vec::new()), form.span);
        }
        self.depth += 1;
        let id = self.form_inner(form);
        self.depth -= 1;
        id
    }

    fn form_inner(&mut self, form: &Form) -> NodeId {
        let span = form.span;
        let literal = |l| NodeKind::Literal(l);
        let kind = match &form.kind {
            FormKind::Nil => literal(Literal::Nil),
            FormKind::Bool(b) => literal(Literal::Bool(*b)),
            FormKind::Int(i) => literal(Literal::Int(*i)),
            FormKind::Float(x) => literal(Literal::Float(*x)),
            FormKind::Ratio(n, d) => literal(Literal::Ratio(*n, *d)),
            FormKind::Char(c) => literal(Literal::Char(*c)),
            FormKind::Str(s) => literal(Literal::Str(s.clone())),
            FormKind::Keyword(k) => literal(Literal::Keyword(k.clone())),
            FormKind::Symbol(s) => match java_constant(s.as_str()) {
                Some(value) => literal(value),
                None => NodeKind::Variable(resolve_alias(s)),
            },
            FormKind::Vector(xs) => NodeKind::Vector(self.forms(xs)),
            FormKind::Set(xs) => NodeKind::Set(self.forms(xs)),
            FormKind::Map(entries) => NodeKind::Map(
                entries
                    .iter()
                    .map(|(k, v)| (self.form(k), self.form(v)))
                    .collect(),
            ),
            FormKind::Invalid => NodeKind::Error(Vec::new()),
            FormKind::List(items) if items.is_empty() => NodeKind::Quote(form.clone()),
            FormKind::List(items) => return self.list(form, items),
        };
        self.node(kind, span)
    }

    fn list(&mut self, form: &Form, items: &[Form]) -> NodeId {
        let (head, args) = (&items[0], &items[1..]);
        if let FormKind::Symbol(name) = &head.kind
            && !self.is_local(name)
        {
            if name.as_str() == NO_MATCH {
                return self.no_match(form, args);
            }
            if is_special_form(name.as_str()) {
                return self.special(name.as_str(), form, head, args);
            }
            if self.macros.is_macro(name) {
                return self.expand(form);
            }
            if matches!(name.as_str(), "unquote" | "unquote-splicing") {
                let sigil = if name.as_str() == "unquote" {
                    "~"
                } else {
                    "~@"
                };
                self.malformed(
                    head.span,
                    format!("`{sigil}` is only meaningful inside a syntax-quote (`)"),
                );
                return self.error(args, form.span);
            }
            if CLOJURE_ONLY.contains(&name.as_str()) {
                self.report(
                    head.span,
                    "unsupported",
                    format!("`{name}` is not supported in yin"),
                );
                return self.error(items, form.span);
            }
        }
        let operator = self.form(head);
        let operands = self.forms(args);
        self.node(NodeKind::Application { operator, operands }, form.span)
    }

    fn expand(&mut self, form: &Form) -> NodeId {
        if self.expansions >= MAX_EXPANSIONS {
            self.report(
                form.span,
                "macro",
                format!("macro expansion nested more than {MAX_EXPANSIONS} deep"),
            );
            return self.node(NodeKind::Error(Vec::new()), form.span);
        }
        match self.macros.expand(form) {
            Ok(expansion) => {
                self.expansions += 1;
                let id = self.form(&expansion);
                self.expansions -= 1;
                id
            }
            Err(message) => {
                self.report(form.span, "macro", message);
                self.node(NodeKind::Error(Vec::new()), form.span)
            }
        }
    }

    fn special(&mut self, name: &str, form: &Form, head: &Form, args: &[Form]) -> NodeId {
        let span = form.span;
        match name {
            "quote" => match args {
                [datum] => self.node(NodeKind::Quote(datum.clone()), span),
                _ => {
                    self.malformed(span, "quote takes exactly one form");
                    self.node(NodeKind::Error(Vec::new()), span)
                }
            },
            "if" => {
                let parts = self.forms(args);
                match parts[..] {
                    [test, consequent] => self.node(
                        NodeKind::If {
                            test,
                            consequent,
                            alternate: None,
                        },
                        span,
                    ),
                    [test, consequent, alternate] => self.node(
                        NodeKind::If {
                            test,
                            consequent,
                            alternate: Some(alternate),
                        },
                        span,
                    ),
                    _ => {
                        let at = if args.len() > 3 {
                            cover(args[3].span, args[args.len() - 1].span)
                        } else {
                            head.span
                        };
                        self.malformed(
                            at,
                            format!(
                                "if takes a test, a consequent and an optional alternate, not {} forms",
                                args.len()
                            ),
                        );
                        self.node(NodeKind::Error(parts), span)
                    }
                }
            }
            "do" => {
                let body = self.forms(args);
                self.node(NodeKind::Do(body), span)
            }
            "and" => {
                let xs = self.forms(args);
                self.node(NodeKind::And(xs), span)
            }
            "or" => {
                let xs = self.forms(args);
                self.node(NodeKind::Or(xs), span)
            }
            "def" | "defonce" => self.def(form, head, args),
            "defn" | "defn-" => self.defn(form, head, args, false),
            "defmacro" => self.defn(form, head, args, true),
            "fn" => self.fn_form(form, head, args),
            "let" => self.let_form(form, head, args, false),
            "loop" => self.let_form(form, head, args, true),
            "recur" => self.recur(form, args),
            "when" | "when-not" => self.when(form, head, args, name == "when-not"),
            "cond" => self.cond(form, args),
            "->" => self.thread(form, head, args, Surface::ThreadFirst),
            "->>" => self.thread(form, head, args, Surface::ThreadLast),
            "try" => self.try_form(form, head, args),
            "comment" => self.derived(NodeKind::Literal(Literal::Nil), span, Surface::Comment),
            "ns" => {
                self.check_ns(args);
                self.derived(NodeKind::Literal(Literal::Nil), span, Surface::Ns)
            }
            "declare" => self.derived(NodeKind::Literal(Literal::Nil), span, Surface::Declare),
            _ => self.derived_form(name, form, head, args),
        }
    }

    /// `ns` binds nothing (yin has no namespaces), but a clause asking for code yin does not have
    /// is an error where it is written, not a silent `nil`: `(:require [clojure.java.shell])`,
    /// `(:import ...)`, `(:load ...)`.
    fn check_ns(&mut self, args: &[Form]) {
        for clause in args.iter().skip(1) {
            let FormKind::List(items) = &clause.kind else {
                continue;
            };
            let Some(FormKind::Keyword(kind)) = items.first().map(|f| &f.kind) else {
                continue;
            };
            match kind.as_str() {
                "require" | "use" => {
                    for spec in &items[1..] {
                        let named = match &spec.kind {
                            FormKind::Symbol(s) => Some((s, spec.span)),
                            FormKind::Vector(parts) | FormKind::List(parts) => {
                                parts.first().and_then(|first| match &first.kind {
                                    FormKind::Symbol(s) => Some((s, first.span)),
                                    _ => None,
                                })
                            }
                            _ => None,
                        };
                        if let Some((name, at)) = named
                            && !core::NAMESPACES.contains(&name.as_str())
                        {
                            self.malformed(
                                at,
                                format!("ns: {}", core::missing_namespace(name.as_str())),
                            );
                        }
                    }
                }
                // `(:gen-class)` only asks for ahead-of-time compilation of a class with `-main`,
                // which changes nothing about what the program does, so it is accepted.
                "import" | "load" => self.malformed(
                    clause.span,
                    format!(
                        "ns: (:{} ...) reaches the host, and yin has no host interop",
                        kind.as_str()
                    ),
                ),
                _ => {}
            }
        }
    }

    /// The derived forms rewritten into core forms (`desugar`), lowered and marked with their
    /// surface.
    fn derived_form(&mut self, name: &str, form: &Form, head: &Form, args: &[Form]) -> NodeId {
        let span = form.span;
        let fresh = &mut self.fresh;
        let (surface, rewrite) = match name {
            "if-not" => (Surface::IfNot, desugar::if_not(span, head, args)),
            "if-let" => (
                Surface::IfLet,
                desugar::if_let(name, span, head, args, fresh),
            ),
            "when-let" => (
                Surface::WhenLet,
                desugar::if_let(name, span, head, args, fresh),
            ),
            "if-some" => (
                Surface::IfSome,
                desugar::if_let(name, span, head, args, fresh),
            ),
            "when-some" => (
                Surface::WhenSome,
                desugar::if_let(name, span, head, args, fresh),
            ),
            "case" => (Surface::Case, desugar::case(span, head, args, fresh)),
            "condp" => (Surface::Condp, desugar::condp(span, head, args, fresh)),
            "letfn" => (Surface::Letfn, desugar::letfn(span, head, args, fresh)),
            "while" => (Surface::While, desugar::while_form(span, head, args)),
            "dotimes" => (Surface::Dotimes, desugar::dotimes(span, head, args, fresh)),
            "doseq" => (
                Surface::Doseq,
                desugar::comprehension(false, span, head, args, fresh),
            ),
            "for" => (
                Surface::For,
                desugar::comprehension(true, span, head, args, fresh),
            ),
            "as->" => (Surface::AsThread, desugar::as_thread(span, head, args)),
            "some->" | "some->>" | "cond->" | "cond->>" => {
                let surface = match name {
                    "some->" => Surface::SomeThreadFirst,
                    "some->>" => Surface::SomeThreadLast,
                    "cond->" => Surface::CondThreadFirst,
                    _ => Surface::CondThreadLast,
                };
                (
                    surface,
                    desugar::guarded_thread(name, span, head, args, fresh),
                )
            }
            "doto" => (Surface::Doto, desugar::doto(span, head, args, fresh)),
            "assert" => (Surface::WhenNot, desugar::assert(span, head, args)),
            "defrecord" | "defmulti" | "defmethod" => {
                let rewrite = match name {
                    "defrecord" => desugar::defrecord(span, head, args),
                    "defmulti" => desugar::defmulti(span, head, args),
                    _ => desugar::defmethod(span, head, args),
                };
                match rewrite {
                    Ok(core) => return self.form(&core),
                    Err(e) => (Surface::Defn, Err(e)),
                }
            }
            _ => return self.error(args, span),
        };
        self.rewritten(form, args, rewrite, surface)
    }

    fn rewritten(
        &mut self,
        form: &Form,
        args: &[Form],
        rewrite: Result<Form, Malformed>,
        surface: Surface,
    ) -> NodeId {
        match rewrite {
            Ok(core) => {
                let id = self.form(&core);
                self.ast.set_surface(id, surface);
                id
            }
            Err(Malformed { at, message }) => {
                self.malformed(at, message);
                self.error(args, form.span)
            }
        }
    }

    /// The failure a `case` or `condp` with no matching clause and no default evaluates to.
    fn no_match(&mut self, form: &Form, args: &[Form]) -> NodeId {
        let surface = match args.first().map(|f| &f.kind) {
            Some(FormKind::Symbol(s)) if s.as_str() == "condp" => Surface::Condp,
            _ => Surface::Case,
        };
        self.derived(NodeKind::Error(Vec::new()), form.span, surface)
    }

    /// `(let [p1 t1 p2 t2] body...)`: where a function or `loop` destructures the temporaries
    /// it bound in place of its patterns.
    fn destructuring_let(&mut self, bindings: Vec<Form>, body: &[Form], span: TextRange) -> Form {
        let mut items = Vec::with_capacity(body.len() + 2);
        items.push(Form {
            kind: FormKind::Symbol(Symbol::new("let")),
            span,
        });
        items.push(Form {
            kind: FormKind::Vector(bindings),
            span,
        });
        items.extend(body.iter().cloned());
        Form {
            kind: FormKind::List(items),
            span,
        }
    }

    fn binder(&mut self, form: &Form, what: &str) -> NodeId {
        match &form.kind {
            FormKind::Symbol(s) => self.node(NodeKind::Binder(s.clone()), form.span),
            _ => {
                self.malformed(
                    form.span,
                    format!("{what} must be a symbol or a destructuring pattern"),
                );
                self.node(NodeKind::Error(Vec::new()), form.span)
            }
        }
    }

    fn def(&mut self, form: &Form, head: &Form, args: &[Form]) -> NodeId {
        let Some(name_form) = args.first() else {
            self.malformed(head.span, "def needs a name");
            return self.node(NodeKind::Error(Vec::new()), form.span);
        };
        if !matches!(name_form.kind, FormKind::Symbol(_)) {
            self.malformed(name_form.span, "def needs a symbol as its name");
            return self.error(args, form.span);
        }
        let name = self.binder(name_form, "def's name");
        let (doc, value) = match &args[1..] {
            [] => (None, None),
            [value] => (None, Some(value)),
            [doc_form, value] => match &doc_form.kind {
                FormKind::Str(doc) => (Some(doc.clone()), Some(value)),
                _ => {
                    self.malformed(doc_form.span, "def's docstring must be a string");
                    (None, Some(value))
                }
            },
            [_, _, extra @ ..] => {
                self.malformed(
                    cover(extra[0].span, extra[extra.len() - 1].span),
                    "def takes a name, an optional docstring and a value",
                );
                let mut parts = vec![name];
                parts.extend(self.forms(&args[1..]));
                return self.node(NodeKind::Error(parts), form.span);
            }
        };
        let value = value.map(|v| self.form(v));
        self.node(
            NodeKind::Def {
                name,
                doc,
                value,
                is_macro: false,
            },
            form.span,
        )
    }

    fn defn(&mut self, form: &Form, head: &Form, args: &[Form], is_macro: bool) -> NodeId {
        let (surface, what) = if is_macro {
            (Surface::Defmacro, "defmacro")
        } else {
            (Surface::Defn, "defn")
        };
        let name_form = match args.first() {
            Some(
                f @ Form {
                    kind: FormKind::Symbol(_),
                    ..
                },
            ) => f,
            Some(other) => {
                self.malformed(other.span, format!("{what} needs a symbol as its name"));
                return self.error(args, form.span);
            }
            None => {
                self.malformed(head.span, format!("{what} needs a name"));
                return self.node(NodeKind::Error(Vec::new()), form.span);
            }
        };
        let name = self.binder(name_form, "the name");
        let mut rest = &args[1..];
        let mut doc = None;
        if let [
            Form {
                kind: FormKind::Str(text),
                ..
            },
            more @ ..,
        ] = rest
            && !more.is_empty()
        {
            doc = Some(text.clone());
            rest = more;
        }
        if let [
            Form {
                kind: FormKind::Map(_),
                ..
            },
            more @ ..,
        ] = rest
        {
            rest = more;
        }
        let value = self.fn_tail(form, head, None, rest, Some(surface), what);
        self.derived(
            NodeKind::Def {
                name,
                doc,
                value: Some(value),
                is_macro,
            },
            form.span,
            surface,
        )
    }

    fn fn_form(&mut self, form: &Form, head: &Form, args: &[Form]) -> NodeId {
        let base = self.locals.len();
        let (name, tail) = match args.first() {
            Some(Form {
                kind: FormKind::Symbol(s),
                span,
            }) => {
                let id = self.node(NodeKind::Binder(s.clone()), *span);
                self.locals.push(s.clone());
                (Some(id), &args[1..])
            }
            _ => (None, args),
        };
        let id = self.fn_tail(form, head, name, tail, None, "fn");
        self.locals.truncate(base);
        id
    }

    /// Lowers what follows a function's name: `[params] body...` or `([params] body...)+`.
    fn fn_tail(
        &mut self,
        form: &Form,
        head: &Form,
        name: Option<NodeId>,
        tail: &[Form],
        surface: Option<Surface>,
        what: &str,
    ) -> NodeId {
        let mut arities = Vec::new();
        match tail.first().map(|f| &f.kind) {
            Some(FormKind::Vector(params)) => {
                let span = cover(tail[0].span, tail[tail.len() - 1].span);
                arities.push(self.arity(params, &tail[1..], span));
            }
            Some(FormKind::List(_)) => {
                for clause in tail {
                    match &clause.kind {
                        FormKind::List(items) => match items.first().map(|f| &f.kind) {
                            Some(FormKind::Vector(params)) => {
                                arities.push(self.arity(params, &items[1..], clause.span));
                            }
                            _ => {
                                self.malformed(
                                    clause.span,
                                    "an arity must start with a parameter vector",
                                );
                                let id = self.error(items, clause.span);
                                arities.push(id);
                            }
                        },
                        _ => {
                            self.malformed(clause.span, "expected an arity `([params] body...)`");
                            let id = self.error(std::slice::from_ref(clause), clause.span);
                            arities.push(id);
                        }
                    }
                }
                self.check_arities(&arities);
            }
            other => {
                let at = match other {
                    Some(_) => tail[0].span,
                    None => head.span,
                };
                self.malformed(at, format!("{what} needs a parameter vector"));
                let mut parts: Vec<NodeId> = name.into_iter().collect();
                parts.extend(self.forms(tail));
                return self.node(NodeKind::Error(parts), form.span);
            }
        }
        self.ast
            .alloc(NodeKind::Lambda { name, arities }, form.span, surface)
    }

    /// Reports arities that could never be chosen: two with the same count, two variadic ones, or
    /// a fixed arity longer than the variadic one.
    fn check_arities(&mut self, arities: &[NodeId]) {
        let mut seen: Vec<usize> = Vec::new();
        let mut variadic: Option<usize> = None;
        for &id in arities {
            let node = self.ast.node(id);
            let NodeKind::Arity { params, rest, .. } = &node.kind else {
                continue;
            };
            let (count, is_variadic, span) = (params.len(), rest.is_some(), node.span);
            if is_variadic {
                if variadic.is_some() {
                    self.malformed(span, "a function can have only one variadic arity");
                }
                variadic = Some(count);
            } else if seen.contains(&count) {
                self.malformed(
                    span,
                    format!(
                        "another arity already takes {count} parameter{}",
                        if count == 1 { "" } else { "s" }
                    ),
                );
            } else {
                seen.push(count);
            }
        }
        if let Some(v) = variadic
            && seen.iter().any(|&n| n > v)
            && let Some(&last) = arities.last()
        {
            let span = self.ast.node(last).span;
            self.malformed(
                span,
                "a fixed arity cannot have more parameters than the variadic one",
            );
        }
    }

    /// A parameter: its name, or for a pattern a temporary the body destructures.
    fn param(&mut self, param: &Form, patterns: &mut Vec<Form>) -> Form {
        if !is_pattern(param) {
            return param.clone();
        }
        let temp = self.fresh.name("p", param.span);
        patterns.push(param.clone());
        patterns.push(temp.clone());
        temp
    }

    fn arity(&mut self, params: &[Form], body: &[Form], span: TextRange) -> NodeId {
        let base = self.locals.len();
        let mut fixed = Vec::new();
        let mut rest = None;
        let mut patterns = Vec::new();
        let mut i = 0;
        while i < params.len() {
            let param = &params[i];
            if matches!(&param.kind, FormKind::Symbol(s) if s.as_str() == "&") {
                match &params[i + 1..] {
                    [] => self.malformed(param.span, "`&` must be followed by a parameter"),
                    [after, extra @ ..] => {
                        let after = &self.param(after, &mut patterns);
                        if matches!(params[i + 1].kind, FormKind::Map(_)) {
                            // `& {:keys [a]}`: keyword arguments, the rest read as a map.
                            if let Some(value) = patterns.last_mut() {
                                *value = desugar::as_map(value.clone());
                            }
                        }
                        let id = self.binder(after, "a parameter");
                        if let FormKind::Symbol(s) = &after.kind {
                            self.locals.push(s.clone());
                        }
                        rest = Some(id);
                        if let (Some(first), Some(last)) = (extra.first(), extra.last()) {
                            self.malformed(
                                cover(first.span, last.span),
                                "only one parameter may follow `&`",
                            );
                        }
                    }
                }
                break;
            }
            let param = &self.param(param, &mut patterns);
            let id = self.binder(param, "a parameter");
            if let FormKind::Symbol(s) = &param.kind {
                self.locals.push(s.clone());
            }
            fixed.push(id);
            i += 1;
        }
        self.targets.push(Target {
            is_try: false,
            count: fixed.len() + usize::from(rest.is_some()),
        });
        let checked = desugar::conditions(body);
        let body = checked.as_deref().unwrap_or(body);
        let body = if patterns.is_empty() {
            self.forms(body)
        } else {
            let wrapped = self.destructuring_let(patterns, body, span);
            let id = self.form(&wrapped);
            self.ast.set_surface(id, Surface::Destructure);
            vec![id]
        };
        self.targets.pop();
        self.locals.truncate(base);
        self.node(
            NodeKind::Arity {
                params: fixed,
                rest,
                body,
            },
            span,
        )
    }

    fn let_form(&mut self, form: &Form, head: &Form, args: &[Form], is_loop: bool) -> NodeId {
        let what = if is_loop { "loop" } else { "let" };
        let pairs = match args.first().map(|f| &f.kind) {
            Some(FormKind::Vector(pairs)) => pairs,
            other => {
                let at = if other.is_some() {
                    args[0].span
                } else {
                    head.span
                };
                self.malformed(at, format!("{what} needs a binding vector"));
                return self.error(args, form.span);
            }
        };
        let base = self.locals.len();
        let mut bindings = Vec::with_capacity(pairs.len() / 2);
        // A `loop` rebinds its patterns on each `recur`: it binds a temporary per pattern and
        // its body destructures them, as Clojure's `loop` does.
        let mut loop_patterns = Vec::new();
        for pair in pairs.chunks(2) {
            let expanded = match pair {
                [pattern, value] if is_pattern(pattern) && is_loop => {
                    let temp = self.fresh.name("loop", pattern.span);
                    loop_patterns.push(pattern.clone());
                    loop_patterns.push(temp.clone());
                    vec![(temp, Some(value.clone()))]
                }
                [pattern, value] if is_pattern(pattern) => {
                    match desugar::destructure(pattern, value.clone(), &mut self.fresh) {
                        Ok(pairs) => pairs.into_iter().map(|(p, v)| (p, Some(v))).collect(),
                        Err(Malformed { at, message }) => {
                            self.malformed(at, message);
                            Vec::new()
                        }
                    }
                }
                [name, value] => vec![(name.clone(), Some(value.clone()))],
                _ => {
                    let name = &pair[0];
                    self.malformed(
                        name.span,
                        format!(
                            "{what} bindings need an even number of forms; this one has no value"
                        ),
                    );
                    vec![(name.clone(), None)]
                }
            };
            for (name, value) in expanded {
                let value = match value {
                    Some(value) => self.form(&value),
                    None => self.node(NodeKind::Error(Vec::new()), name.span),
                };
                let binder = self.binder(&name, &format!("a {what} binding"));
                if let FormKind::Symbol(s) = &name.kind {
                    self.locals.push(s.clone());
                }
                bindings.push((binder, value));
            }
        }
        if is_loop {
            self.targets.push(Target {
                count: bindings.len(),
                is_try: false,
            });
        }
        let body = if loop_patterns.is_empty() {
            self.forms(&args[1..])
        } else {
            let wrapped = self.destructuring_let(loop_patterns, &args[1..], form.span);
            let id = self.form(&wrapped);
            self.ast.set_surface(id, Surface::Destructure);
            vec![id]
        };
        if is_loop {
            self.targets.pop();
        }
        self.locals.truncate(base);
        let kind = if is_loop {
            NodeKind::Loop { bindings, body }
        } else {
            NodeKind::Let { bindings, body }
        };
        self.node(kind, form.span)
    }

    fn recur(&mut self, form: &Form, args: &[Form]) -> NodeId {
        let Some(target) = self.targets.last().copied() else {
            // Not reported here: the `recur-not-tail` rule reports it (and can be configured
            // like every rule), and evaluation refuses the form when it compiles.
            let children = self.forms(args);
            return self.derived(NodeKind::Error(children), form.span, Surface::Recur);
        };
        if target.is_try {
            self.malformed(form.span, "recur cannot cross try, as in Clojure");
            let children = self.forms(args);
            return self.node(NodeKind::Error(children), form.span);
        }
        if target.count != args.len() {
            self.malformed(
                form.span,
                format!(
                    "recur expects {} argument{}, got {}",
                    target.count,
                    if target.count == 1 { "" } else { "s" },
                    args.len()
                ),
            );
        }
        let xs = self.forms(args);
        self.node(NodeKind::Recur(xs), form.span)
    }

    fn when(&mut self, form: &Form, head: &Form, args: &[Form], negated: bool) -> NodeId {
        let surface = if negated {
            Surface::WhenNot
        } else {
            Surface::When
        };
        let Some(test) = args.first() else {
            self.malformed(head.span, format!("{} needs a test", surface.as_str()));
            return self.node(NodeKind::Error(Vec::new()), form.span);
        };
        let test = self.form(test);
        let body = self.forms(&args[1..]);
        let body = self.derived(NodeKind::Do(body), form.span, surface);
        let (consequent, alternate) = if negated {
            let nil = self.derived(NodeKind::Literal(Literal::Nil), form.span, surface);
            (nil, Some(body))
        } else {
            (body, None)
        };
        self.derived(
            NodeKind::If {
                test,
                consequent,
                alternate,
            },
            form.span,
            surface,
        )
    }

    fn cond(&mut self, form: &Form, args: &[Form]) -> NodeId {
        let mut clauses = Vec::with_capacity(args.len() / 2);
        let mut dangling = None;
        for pair in args.chunks(2) {
            match pair {
                [test, expr] => {
                    let start = test.span;
                    clauses.push((start, self.form(test), self.form(expr)));
                }
                _ => {
                    self.malformed(
                        pair[0].span,
                        "cond needs an even number of forms; this test has no expression",
                    );
                    dangling = Some(self.error(pair, pair[0].span));
                }
            }
        }
        let mut acc = dangling;
        for (i, (start, test, consequent)) in clauses.into_iter().enumerate().rev() {
            let span = if i == 0 {
                form.span
            } else {
                TextRange::new(start.start(), form.span.end())
            };
            acc = Some(self.derived(
                NodeKind::If {
                    test,
                    consequent,
                    alternate: acc,
                },
                span,
                Surface::Cond,
            ));
        }
        match acc {
            Some(id) => id,
            None => self.derived(NodeKind::Literal(Literal::Nil), form.span, Surface::Cond),
        }
    }

    /// `(-> x (f a) g)` is rewritten to `(g (f x a))` and that form is lowered, so threading into
    /// a special form or a macro means what it means in Clojure.
    fn thread(&mut self, form: &Form, head: &Form, args: &[Form], surface: Surface) -> NodeId {
        let Some((first, steps)) = args.split_first() else {
            self.malformed(
                head.span,
                format!("{} needs a value to thread", surface.as_str()),
            );
            return self.node(NodeKind::Error(Vec::new()), form.span);
        };
        let mut acc = first.clone();
        for step in steps {
            let items = match &step.kind {
                FormKind::List(items) if !items.is_empty() => {
                    let mut out = Vec::with_capacity(items.len() + 1);
                    out.push(items[0].clone());
                    if surface == Surface::ThreadFirst {
                        out.push(acc);
                        out.extend(items[1..].iter().cloned());
                    } else {
                        out.extend(items[1..].iter().cloned());
                        out.push(acc);
                    }
                    out
                }
                _ => vec![step.clone(), acc],
            };
            acc = Form {
                kind: FormKind::List(items),
                span: step.span,
            };
        }
        if !steps.is_empty() {
            acc.span = form.span;
        }
        let id = self.form(&acc);
        self.ast.set_surface(id, surface);
        id
    }

    /// `(try body... (catch Exception e handler...) (finally cleanup...))` lowers to the call
    /// `(try* (fn [] body...) (fn [e] handler...) (fn [] cleanup...))` (`nil` for a missing
    /// clause): the machine's `try*` pushes the handler frame. Every yin exception is one kind
    /// of value, so a `catch` selects by what the exception holds rather than by class: one of
    /// [`CATCH_ALL`] (or `:default`) catches everything, a keyword catches the errors of that
    /// kind (`:yin/error` of its `ex-data`), anything else is a predicate called with the
    /// exception. Several clauses become one handler that tries them in order and throws the
    /// exception on when none matches (`desugar::catch_dispatch`). A malformed `try` keeps only
    /// its body: its clauses' heads (`catch`, a class) are not names to resolve.
    fn try_form(&mut self, form: &Form, head: &Form, args: &[Form]) -> NodeId {
        let clause = |f: &Form, name: &str| match &f.kind {
            FormKind::List(items) => {
                matches!(items.first().map(|h| &h.kind), Some(FormKind::Symbol(s)) if s.as_str() == name)
            }
            _ => false,
        };
        let body_end = args
            .iter()
            .position(|f| clause(f, "catch") || clause(f, "finally"))
            .unwrap_or(args.len());
        let (body, clauses) = args.split_at(body_end);
        let mut catches: Vec<desugar::Catch<'_>> = Vec::new();
        let mut finally: Option<(&[Form], TextRange)> = None;
        for (i, c) in clauses.iter().enumerate() {
            let FormKind::List(items) = &c.kind else {
                self.malformed(
                    c.span,
                    "try: only catch and finally clauses may follow them",
                );
                return self.error(body, form.span);
            };
            if clause(c, "finally") {
                if i + 1 != clauses.len() {
                    self.malformed(c.span, "try: finally must be the last clause");
                    return self.error(body, form.span);
                }
                finally = Some((&items[1..], c.span));
                continue;
            }
            if !clause(c, "catch") {
                self.malformed(
                    c.span,
                    "try: only catch and finally clauses may follow them",
                );
                return self.error(body, form.span);
            }
            let Some(selector) = items.get(1) else {
                self.malformed(
                    c.span,
                    "catch needs a class and a name: (catch Exception e ...)",
                );
                return self.error(body, form.span);
            };
            let kinds = match &selector.kind {
                FormKind::Symbol(s) => catch_class_kinds(s.as_str()),
                _ => None,
            };
            if let FormKind::Symbol(s) = &selector.kind
                && !CATCH_ALL.contains(&s.as_str())
                && kinds.is_none()
                && s.as_str()
                    .rsplit('.')
                    .next()
                    .is_some_and(|last| last.starts_with(|c: char| c.is_ascii_uppercase()))
            {
                self.malformed(
                    selector.span,
                    format!(
                        "catch: expected one of {} or :default (every yin exception is ex-info-like), a Java class standing for runtime errors ({}), a keyword naming an error kind (:divide-by-zero) or a predicate",
                        CATCH_ALL.join(", "),
                        CATCH_CLASSES
                            .iter()
                            .map(|(n, _)| *n)
                            .filter(|n| !n.contains('.'))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
                return self.error(body, form.span);
            }
            let Some(
                name @ Form {
                    kind: FormKind::Symbol(_),
                    ..
                },
            ) = items.get(2)
            else {
                self.malformed(
                    c.span,
                    "catch needs a class and a name: (catch Exception e ...)",
                );
                return self.error(body, form.span);
            };
            let catch_all = match &selector.kind {
                FormKind::Symbol(s) => CATCH_ALL.contains(&s.as_str()),
                FormKind::Keyword(k) => k.as_str() == "default",
                _ => false,
            };
            catches.push(desugar::Catch {
                selector: (!catch_all).then_some(selector),
                kinds,
                name,
                body: &items[3..],
                span: c.span,
            });
        }
        // At `try` itself, so hover there shows what `try` does.
        let operator = self.node(NodeKind::Variable(Symbol::new("try*")), head.span);
        let body = self.try_thunk(None, body, form.span);
        let handler = match catches.as_slice() {
            [] => self.derived(NodeKind::Literal(Literal::Nil), form.span, Surface::Try),
            [
                desugar::Catch {
                    selector: None,
                    name,
                    body,
                    span,
                    ..
                },
            ] => self.try_thunk(Some(name), body, *span),
            _ => {
                let (param, dispatch) =
                    desugar::catch_dispatch(&catches, form.span, &mut self.fresh);
                self.try_thunk(Some(&param), std::slice::from_ref(&dispatch), form.span)
            }
        };
        let finally = match finally {
            Some((forms, span)) => self.try_thunk(None, forms, span),
            None => self.derived(NodeKind::Literal(Literal::Nil), form.span, Surface::Try),
        };
        self.derived(
            NodeKind::Application {
                operator,
                operands: vec![body, handler, finally],
            },
            form.span,
            Surface::Try,
        )
    }

    /// A function of no argument or of the caught exception, for [`Lowerer::try_form`].
    fn try_thunk(&mut self, param: Option<&Form>, body: &[Form], span: TextRange) -> NodeId {
        let base = self.locals.len();
        let mut params = Vec::new();
        if let Some(p) = param {
            params.push(self.binder(p, "a name"));
            if let FormKind::Symbol(s) = &p.kind {
                self.locals.push(s.clone());
            }
        }
        self.targets.push(Target {
            count: params.len(),
            is_try: true,
        });
        let body = self.forms(body);
        self.targets.pop();
        self.locals.truncate(base);
        let arity = self.derived(
            NodeKind::Arity {
                params,
                rest: None,
                body,
            },
            span,
            Surface::Try,
        );
        self.derived(
            NodeKind::Lambda {
                name: None,
                arities: vec![arity],
            },
            span,
            Surface::Try,
        )
    }
}
