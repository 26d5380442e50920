//! Derived forms rewritten into core forms, form to form, before lowering.
//!
//! Each function here takes the arguments of one derived form (`if-let`, `case`, `for`, a
//! destructuring pattern, ...) and returns the core form it means (`let`, `loop`, `if`, `fn`,
//! calls of core functions), which lowering then lowers as if the user had written it and marks
//! with the derived form's `Surface`. Writing the rewrites over forms keeps each one a few lines
//! that read like the Clojure macro they replace, and lowering stays the one place that turns
//! forms into nodes (so scope, arity checks and `recur` targets are checked once).
//!
//! Names the rewrites introduce start with `_` and end with a counter (`_seq__3`): the lints
//! exempt `_` names, and the counter keeps nested rewrites from capturing each other's names.
//! The rewrites call core functions by name (`nth`, `get`, `seq`, `first`, `next`, `conj`, `=`,
//! `nil?`, `<`, `inc`), as Clojure's macros call `clojure.core/...`; yin has no namespaces yet, so
//! a local of the same name around the form would be called instead (docs/clojure.md).
//!
//! Nothing here recurses on the depth of user input: nested patterns and clauses are walked with
//! explicit work lists, and the rewritten forms are no deeper than lowering then checks.

use edn::{Keyword, Symbol};
use text_size::TextRange;

use crate::form::{Form, FormKind};

/// Why a derived form could not be rewritten: where, and what is wrong.
pub(super) struct Malformed {
    pub at: TextRange,
    pub message: String,
}

fn malformed(at: TextRange, message: impl Into<String>) -> Malformed {
    Malformed {
        at,
        message: message.into(),
    }
}

type Rewrite = Result<Form, Malformed>;

/// The head of a list that lowering turns into a "no clause matched" failure: its name has a
/// space, so no program can write it.
pub(super) const NO_MATCH: &str = "no matching clause";

/// Makes the names rewrites bind; unique within one top-level form.
#[derive(Default)]
pub(super) struct Fresh(usize);

impl Fresh {
    pub(super) fn name(&mut self, prefix: &str, span: TextRange) -> Form {
        self.0 += 1;
        sym(&format!("_{prefix}__{}", self.0), span)
    }
}

fn form(kind: FormKind, span: TextRange) -> Form {
    Form { kind, span }
}

/// Symbols and constants a rewrite adds get an empty span at the start of what they stand for:
/// a span covering user text would make editor features that look for the name under the
/// cursor find `nth` where the user wrote a pattern's `a`.
fn glue(span: TextRange) -> TextRange {
    TextRange::empty(span.start())
}

fn sym(name: &str, span: TextRange) -> Form {
    form(FormKind::Symbol(Symbol::new(name)), glue(span))
}

/// A name the user wrote (`a` of `:keys [a]`), keeping its span.
fn binder(name: &str, span: TextRange) -> Form {
    form(FormKind::Symbol(Symbol::new(name)), span)
}

fn int(i: usize, span: TextRange) -> Form {
    form(
        FormKind::Int(i64::try_from(i).unwrap_or(i64::MAX)),
        glue(span),
    )
}

fn list(items: Vec<Form>, span: TextRange) -> Form {
    form(FormKind::List(items), span)
}

fn vector(items: Vec<Form>, span: TextRange) -> Form {
    form(FormKind::Vector(items), span)
}

fn nil(span: TextRange) -> Form {
    form(FormKind::Nil, glue(span))
}

fn call(head: &str, args: Vec<Form>, span: TextRange) -> Form {
    let mut items = Vec::with_capacity(args.len() + 1);
    items.push(sym(head, span));
    items.extend(args);
    list(items, span)
}

/// A body as one form: the form itself when there is one (a `do` of one form would be reported
/// as redundant), else a `do`.
fn body(forms: &[Form], span: TextRange) -> Form {
    match forms {
        [one] => one.clone(),
        _ => {
            let mut items = vec![sym("do", span)];
            items.extend(forms.iter().cloned());
            list(items, span)
        }
    }
}

fn quote(datum: Form) -> Form {
    let span = datum.span;
    call("quote", vec![datum], span)
}

fn is_sym(f: &Form, name: &str) -> bool {
    matches!(&f.kind, FormKind::Symbol(s) if s.as_str() == name)
}

fn keyword_of(f: &Form) -> Option<&str> {
    match &f.kind {
        FormKind::Keyword(k) => Some(k.as_str()),
        _ => None,
    }
}

/// `(if-not t a b)` is `(if t b a)`.
pub(super) fn if_not(span: TextRange, head: &Form, args: &[Form]) -> Rewrite {
    match args {
        [t, a] => Ok(call("if", vec![t.clone(), nil(span), a.clone()], span)),
        [t, a, b] => Ok(call("if", vec![t.clone(), b.clone(), a.clone()], span)),
        _ => Err(malformed(
            head.span,
            format!(
                "if-not takes a test, a consequent and an optional alternate, not {} forms",
                args.len()
            ),
        )),
    }
}

/// `if-let`, `when-let`, `if-some`, `when-some`: `(let [t v] (if t (let [p t] then) else))`.
pub(super) fn if_let(
    what: &str,
    span: TextRange,
    head: &Form,
    args: &[Form],
    fresh: &mut Fresh,
) -> Rewrite {
    let is_when = what.starts_with("when");
    let (pattern, value) = match args.first().map(|f| &f.kind) {
        Some(FormKind::Vector(pair)) if pair.len() == 2 => (&pair[0], &pair[1]),
        Some(_) => {
            return Err(malformed(
                args[0].span,
                format!("{what} needs a vector of exactly one name and one value"),
            ));
        }
        None => {
            return Err(malformed(
                head.span,
                format!("{what} needs a binding vector"),
            ));
        }
    };
    let (then, otherwise) = if is_when {
        (body(&args[1..], span), nil(span))
    } else {
        match &args[1..] {
            [then] => (then.clone(), nil(span)),
            [then, otherwise] => (then.clone(), otherwise.clone()),
            _ => {
                return Err(malformed(
                    head.span,
                    format!(
                        "{what} takes a binding vector, a consequent and an optional alternate"
                    ),
                ));
            }
        }
    };
    let temp = fresh.name("test", value.span);
    let bound = call(
        "let",
        vec![vector(vec![pattern.clone(), temp.clone()], span), then],
        span,
    );
    let test = if what.ends_with("some") {
        call("nil?", vec![temp.clone()], span)
    } else {
        temp.clone()
    };
    let branch = if what.ends_with("some") {
        call("if", vec![test, otherwise, bound], span)
    } else {
        call("if", vec![test, bound, otherwise], span)
    };
    Ok(call(
        "let",
        vec![vector(vec![temp, value.clone()], span), branch],
        span,
    ))
}

/// `(case e c1 r1 (c2 c3) r2 default)`: `e` once, compared with `=` to each constant (unevaluated,
/// a list groups constants), through a `cond` so many clauses do not nest.
pub(super) fn case(span: TextRange, head: &Form, args: &[Form], fresh: &mut Fresh) -> Rewrite {
    let Some((value, clauses)) = args.split_first() else {
        return Err(malformed(head.span, "case needs a value to dispatch on"));
    };
    let temp = fresh.name("case", value.span);
    let mut cond = vec![sym("cond", span)];
    let mut pairs = clauses.chunks_exact(2);
    for pair in pairs.by_ref() {
        let (constant, result) = (&pair[0], &pair[1]);
        let test = match &constant.kind {
            FormKind::List(group) => {
                let mut or = vec![sym("or", constant.span)];
                or.extend(
                    group
                        .iter()
                        .map(|c| call("=", vec![temp.clone(), quote(c.clone())], c.span)),
                );
                list(or, constant.span)
            }
            _ => call(
                "=",
                vec![temp.clone(), quote(constant.clone())],
                constant.span,
            ),
        };
        cond.push(test);
        cond.push(result.clone());
    }
    cond.push(form(FormKind::Keyword(Keyword::new("else")), glue(span)));
    cond.push(match pairs.remainder() {
        [default] => default.clone(),
        _ => list(vec![sym(NO_MATCH, span), sym("case", span)], span),
    });
    Ok(call(
        "let",
        vec![vector(vec![temp, value.clone()], span), list(cond, span)],
        span,
    ))
}

/// `(condp pred e c1 r1 ... default)`: the first clause where `(pred c e)` is truthy. A clause
/// `c :>> f` gives `(f (pred c e))` instead of a fixed result. Runs of ordinary clauses become
/// one `cond`; each `:>>` clause nests one `let` around the clauses after it, so the rewrite is
/// built from the last clause backwards (a loop, and nesting grows only with `:>>` clauses).
pub(super) fn condp(span: TextRange, head: &Form, args: &[Form], fresh: &mut Fresh) -> Rewrite {
    let [pred, value, clauses @ ..] = args else {
        return Err(malformed(
            head.span,
            "condp needs a predicate, a value and clauses",
        ));
    };
    let (p, e, hit) = (
        fresh.name("pred", pred.span),
        fresh.name("expr", value.span),
        fresh.name("hit", span),
    );
    // Split the clauses into (test, Plain(result) | Arrow(f)) and the default.
    enum Then<'a> {
        Plain(&'a Form),
        Arrow(&'a Form),
    }
    let mut parsed = Vec::new();
    let mut rest = clauses;
    let default = loop {
        match rest {
            [] => break None,
            [default] => break Some(default),
            [test, arrow, f, tail @ ..] if keyword_of(arrow) == Some(">>") => {
                parsed.push((test, Then::Arrow(f)));
                rest = tail;
            }
            [_, arrow] if keyword_of(arrow) == Some(">>") => {
                return Err(malformed(
                    arrow.span,
                    "condp: `:>>` needs a function after it",
                ));
            }
            [test, result, tail @ ..] => {
                parsed.push((test, Then::Plain(result)));
                rest = tail;
            }
        }
    };
    let mut acc = match default {
        Some(d) => d.clone(),
        None => list(vec![sym(NO_MATCH, span), sym("condp", span)], span),
    };
    // Ordinary clauses waiting (in reverse) to be gathered into one `cond` in front of `acc`.
    let mut plain: Vec<(&Form, &Form)> = Vec::new();
    let flush = |plain: &mut Vec<(&Form, &Form)>, acc: Form| -> Form {
        if plain.is_empty() {
            return acc;
        }
        let mut cond = vec![sym("cond", span)];
        for (test, result) in plain.drain(..).rev() {
            cond.push(list(vec![p.clone(), test.clone(), e.clone()], test.span));
            cond.push(result.clone());
        }
        cond.push(form(FormKind::Keyword(Keyword::new("else")), glue(span)));
        cond.push(acc);
        list(cond, span)
    };
    for (test, then) in parsed.into_iter().rev() {
        match then {
            Then::Plain(result) => plain.push((test, result)),
            Then::Arrow(f) => {
                let inner = flush(&mut plain, acc);
                acc = call(
                    "let",
                    vec![
                        vector(
                            vec![
                                hit.clone(),
                                list(vec![p.clone(), test.clone(), e.clone()], test.span),
                            ],
                            test.span,
                        ),
                        call(
                            "if",
                            vec![
                                hit.clone(),
                                list(vec![f.clone(), hit.clone()], f.span),
                                inner,
                            ],
                            test.span,
                        ),
                    ],
                    test.span,
                );
            }
        }
    }
    let chain = flush(&mut plain, acc);
    Ok(call(
        "let",
        vec![vector(vec![p, pred.clone(), e, value.clone()], span), chain],
        span,
    ))
}

/// One `catch` clause of a `try`: its selector (`None` when it catches everything), the name it
/// binds and its body.
pub(super) struct Catch<'a> {
    pub selector: Option<&'a Form>,
    /// The error kinds a Java class selector stands for (`ArithmeticException`).
    pub kinds: Option<&'static [&'static str]>,
    pub name: &'a Form,
    pub body: &'a [Form],
    pub span: TextRange,
}

/// The handler of a `try` with several `catch` clauses, as a parameter and a body:
/// `(cond (sel1 ex) (let [e1 ex] body1...) ... :else (throw ex))`, where a keyword selector `:k`
/// tests `(= :k (get (ex-data ex) :yin/error))` and a clause that catches everything tests
/// `true`. The first clause that matches handles the exception, as in Clojure.
pub(super) fn catch_dispatch(
    catches: &[Catch<'_>],
    span: TextRange,
    fresh: &mut Fresh,
) -> (Form, Form) {
    let ex = fresh.name("ex", span);
    let mut cond = vec![sym("cond", span)];
    for c in catches {
        let at = c.selector.map_or(c.span, |s| s.span);
        let kind_of_ex = || {
            call(
                "get",
                vec![
                    call("ex-data", vec![ex.clone()], at),
                    form(FormKind::Keyword(Keyword::new("yin/error")), glue(at)),
                ],
                at,
            )
        };
        let test = match (c.selector, c.kinds) {
            (_, Some(kinds)) => call(
                "contains?",
                vec![
                    form(
                        FormKind::Set(
                            kinds
                                .iter()
                                .map(|k| form(FormKind::Keyword(Keyword::new(k)), glue(at)))
                                .collect(),
                        ),
                        glue(at),
                    ),
                    kind_of_ex(),
                ],
                at,
            ),
            // A keyword, as `cond`'s `:else`: a catch-all the user wrote is no constant test
            // for the lints to report.
            (None, None) => form(FormKind::Keyword(Keyword::new("default")), glue(at)),
            (
                Some(
                    k @ Form {
                        kind: FormKind::Keyword(_),
                        ..
                    },
                ),
                None,
            ) => call("=", vec![k.clone(), kind_of_ex()], at),
            (Some(pred), None) => list(vec![pred.clone(), ex.clone()], at),
        };
        cond.push(test);
        let mut handler = vec![vector(vec![c.name.clone(), ex.clone()], c.span)];
        handler.extend(c.body.iter().cloned());
        cond.push(call("let", handler, c.span));
    }
    cond.push(form(FormKind::Keyword(Keyword::new("else")), glue(span)));
    cond.push(call("throw", vec![ex.clone()], span));
    (ex, list(cond, span))
}

/// `(letfn [(f [x] ...) (g [y] ...)] body)`: yin's `fn` reaches only its own name, so the
/// functions are made together by one named maker, `(_letfn [] [(fn f ...) (fn g ...)])`, and each
/// function's body takes the siblings it names from a fresh call of the maker. Only the siblings
/// a body mentions are bound there, so none is reported unused.
pub(super) fn letfn(span: TextRange, head: &Form, args: &[Form], fresh: &mut Fresh) -> Rewrite {
    let specs = match args.first().map(|f| &f.kind) {
        Some(FormKind::Vector(specs)) => specs,
        Some(_) => {
            return Err(malformed(
                args[0].span,
                "letfn needs a vector of function specs",
            ));
        }
        None => {
            return Err(malformed(
                head.span,
                "letfn needs a vector of function specs",
            ));
        }
    };
    let mut names = Vec::with_capacity(specs.len());
    for spec in specs {
        match &spec.kind {
            FormKind::List(items)
                if matches!(items.first().map(|f| &f.kind), Some(FormKind::Symbol(_))) =>
            {
                names.push(items[0].clone());
            }
            _ => {
                return Err(malformed(
                    spec.span,
                    "a letfn spec is `(name [params] body...)`",
                ));
            }
        }
    }
    let maker = fresh.name("letfn", span);
    let mut fns = Vec::with_capacity(specs.len());
    for (i, spec) in specs.iter().enumerate() {
        let FormKind::List(items) = &spec.kind else {
            continue;
        };
        let mentioned = symbols_in(&items[1..]);
        let siblings: Vec<Form> = names
            .iter()
            .enumerate()
            .filter(|&(j, n)| j != i && mentioned.iter().any(|m| is_same_symbol(m, n)))
            .flat_map(|(j, n)| {
                let index = int(j, n.span);
                [
                    n.clone(),
                    call(
                        "nth",
                        vec![list(vec![maker.clone()], n.span), index],
                        n.span,
                    ),
                ]
            })
            .collect();
        let tail = if siblings.is_empty() {
            items[1..].to_vec()
        } else {
            wrap_arities(&items[1..], &siblings, spec.span)
        };
        let mut f = vec![sym("fn", spec.span), items[0].clone()];
        f.extend(tail);
        fns.push(list(f, spec.span));
    }
    let make = call(
        "fn",
        vec![maker.clone(), vector(Vec::new(), span), vector(fns, span)],
        span,
    );
    let mut bindings = vec![maker.clone(), make];
    let made = fresh.name("fns", span);
    bindings.push(made.clone());
    bindings.push(list(vec![maker], span));
    // Only the functions the body names are bound around it, so none is reported unused.
    let used = symbols_in(&args[1..]);
    for (j, n) in names.iter().enumerate() {
        if !used.iter().any(|m| is_same_symbol(m, n)) {
            continue;
        }
        bindings.push(n.clone());
        let index = int(j, n.span);
        bindings.push(call("nth", vec![made.clone(), index], n.span));
    }
    let mut out = vec![sym("let", span), vector(bindings, span)];
    out.extend(args[1..].iter().cloned());
    Ok(list(out, span))
}

fn is_same_symbol(a: &Symbol, b: &Form) -> bool {
    matches!(&b.kind, FormKind::Symbol(s) if s == a)
}

/// Every symbol in `forms`, at any depth, walked with a stack.
fn symbols_in(forms: &[Form]) -> Vec<Symbol> {
    let mut out = Vec::new();
    let mut stack: Vec<&Form> = forms.iter().collect();
    while let Some(f) = stack.pop() {
        match &f.kind {
            FormKind::Symbol(s) => out.push(s.clone()),
            FormKind::List(xs) | FormKind::Vector(xs) | FormKind::Set(xs) => stack.extend(xs),
            FormKind::Map(entries) => stack.extend(entries.iter().flat_map(|(k, v)| [k, v])),
            _ => {}
        }
    }
    out
}

/// Wraps the body of each arity of a `fn` tail (`[params] body...` or `([params] body...)+`) in
/// `(let [bindings] body...)`.
fn wrap_arities(tail: &[Form], bindings: &[Form], span: TextRange) -> Vec<Form> {
    let wrap = |params: &Form, body: &[Form]| {
        let mut l = vec![sym("let", span), vector(bindings.to_vec(), span)];
        l.extend(body.iter().cloned());
        vec![params.clone(), list(l, span)]
    };
    match tail.first().map(|f| &f.kind) {
        Some(FormKind::Vector(_)) => wrap(&tail[0], &tail[1..]),
        _ => tail
            .iter()
            .map(|clause| match &clause.kind {
                FormKind::List(items) if !items.is_empty() => {
                    list(wrap(&items[0], &items[1..]), clause.span)
                }
                _ => clause.clone(),
            })
            .collect(),
    }
}

/// `(while test body...)`: `(loop [] (when test body... (recur)))`.
pub(super) fn while_form(span: TextRange, head: &Form, args: &[Form]) -> Rewrite {
    let Some((test, body)) = args.split_first() else {
        return Err(malformed(head.span, "while needs a test"));
    };
    let mut when = vec![sym("when", span), test.clone()];
    when.extend(body.iter().cloned());
    when.push(list(vec![sym("recur", span)], span));
    Ok(call(
        "loop",
        vec![vector(Vec::new(), span), list(when, span)],
        span,
    ))
}

/// `(dotimes [i n] body...)`: `i` from 0 below `n`, evaluated once.
pub(super) fn dotimes(span: TextRange, head: &Form, args: &[Form], fresh: &mut Fresh) -> Rewrite {
    let (name, count) = match args.first().map(|f| &f.kind) {
        Some(FormKind::Vector(pair))
            if pair.len() == 2 && matches!(pair[0].kind, FormKind::Symbol(_)) =>
        {
            (&pair[0], &pair[1])
        }
        Some(_) => {
            return Err(malformed(
                args[0].span,
                "dotimes needs a vector of one name and a count",
            ));
        }
        None => return Err(malformed(head.span, "dotimes needs a binding vector")),
    };
    let n = fresh.name("n", count.span);
    let mut when = vec![
        sym("when", span),
        call("<", vec![name.clone(), n.clone()], span),
    ];
    when.extend(args[1..].iter().cloned());
    when.push(call(
        "recur",
        vec![call("inc", vec![name.clone()], span)],
        span,
    ));
    let looped = call(
        "loop",
        vec![
            vector(vec![name.clone(), int(0, span)], span),
            list(when, span),
        ],
        span,
    );
    Ok(call(
        "let",
        vec![vector(vec![n, count.clone()], span), looped],
        span,
    ))
}

/// One binding of a `for` or `doseq` and the modifiers after it.
struct Level<'a> {
    pattern: &'a Form,
    coll: &'a Form,
    modifiers: Vec<(&'a str, &'a Form)>,
}

fn levels<'a>(what: &str, head: &Form, args: &'a [Form]) -> Result<Vec<Level<'a>>, Malformed> {
    let bindings = match args.first().map(|f| &f.kind) {
        Some(FormKind::Vector(b)) if !b.is_empty() => b,
        Some(_) => {
            return Err(malformed(
                args[0].span,
                format!("{what} needs a binding vector"),
            ));
        }
        None => {
            return Err(malformed(
                head.span,
                format!("{what} needs a binding vector"),
            ));
        }
    };
    let mut levels: Vec<Level<'a>> = Vec::new();
    for pair in bindings.chunks(2) {
        let [key, value] = pair else {
            return Err(malformed(
                pair[0].span,
                format!("{what} bindings need an even number of forms; this one has no value"),
            ));
        };
        match keyword_of(key) {
            Some(m @ ("let" | "when" | "while")) => {
                let Some(level) = levels.last_mut() else {
                    return Err(malformed(
                        key.span,
                        format!("{what} must start with a binding, not :{m}"),
                    ));
                };
                if m == "let" && !matches!(value.kind, FormKind::Vector(_)) {
                    return Err(malformed(value.span, ":let needs a binding vector"));
                }
                level.modifiers.push((m, value));
            }
            Some(other) => {
                return Err(malformed(
                    key.span,
                    format!("unknown {what} modifier :{other} (yin has :let, :when and :while)"),
                ));
            }
            None => levels.push(Level {
                pattern: key,
                coll: value,
                modifiers: Vec::new(),
            }),
        }
    }
    Ok(levels)
}

/// `for` (a vector of the body's values; sequences are eager in yin) and `doseq` (nil, for the
/// effects): one `loop` over `(seq coll)` per binding, innermost last, built from the inside
/// out. `:let` binds, `:when` skips an element, `:while` ends the binding's loop.
pub(super) fn comprehension(
    is_for: bool,
    span: TextRange,
    head: &Form,
    args: &[Form],
    fresh: &mut Fresh,
) -> Rewrite {
    let what = if is_for { "for" } else { "doseq" };
    let levels = levels(what, head, args)?;
    let acc = fresh.name("acc", span);
    let mut inner = if is_for {
        match &args[1..] {
            [body] => call("conj", vec![acc.clone(), body.clone()], span),
            _ => {
                return Err(malformed(
                    head.span,
                    "for takes a binding vector and one body expression",
                ));
            }
        }
    } else {
        body(&args[1..], span)
    };
    for (depth, level) in levels.iter().enumerate().rev() {
        let s = fresh.name("seq", level.coll.span);
        let step = call("next", vec![s.clone()], span);
        let recur_with = |value: Option<Form>| {
            let mut r = vec![sym("recur", span), step.clone()];
            r.extend(value);
            list(r, span)
        };
        let mut x = if is_for {
            recur_with(Some(inner))
        } else {
            list(vec![sym("do", span), inner, recur_with(None)], span)
        };
        let done = if is_for { acc.clone() } else { nil(span) };
        for &(m, value) in level.modifiers.iter().rev() {
            x = match m {
                "let" => call("let", vec![value.clone(), x], value.span),
                "when" => {
                    let skip = recur_with(is_for.then(|| acc.clone()));
                    call("if", vec![value.clone(), x, skip], value.span)
                }
                _ => call("if", vec![value.clone(), x, done.clone()], value.span),
            };
        }
        let element = call(
            "let",
            vec![
                vector(
                    vec![
                        level.pattern.clone(),
                        call("first", vec![s.clone()], level.pattern.span),
                    ],
                    span,
                ),
                x,
            ],
            span,
        );
        // The collection is bound before the `loop`, not in its bindings: the machine expects
        // a loop's own slots to be contiguous, and a loop inside a binding's value (a `for` as
        // the collection) would take the slots in between.
        let coll = fresh.name("coll", level.coll.span);
        let mut bindings = vec![s.clone(), call("seq", vec![coll.clone()], level.coll.span)];
        if is_for {
            bindings.push(acc.clone());
            bindings.push(if depth == 0 {
                vector(Vec::new(), span)
            } else {
                acc.clone()
            });
        }
        let looped = call(
            "loop",
            vec![
                vector(bindings, span),
                call("if", vec![s, element, done], span),
            ],
            span,
        );
        inner = call(
            "let",
            vec![vector(vec![coll, level.coll.clone()], span), looped],
            span,
        );
    }
    Ok(inner)
}

/// `(as-> e name f1 f2)`: `(let [name e name f1 name f2] name)`.
pub(super) fn as_thread(span: TextRange, head: &Form, args: &[Form]) -> Rewrite {
    let [value, name, steps @ ..] = args else {
        return Err(malformed(head.span, "as-> needs a value and a name"));
    };
    if !matches!(name.kind, FormKind::Symbol(_)) {
        return Err(malformed(name.span, "as-> needs a symbol as its name"));
    }
    let mut bindings = vec![name.clone(), value.clone()];
    for step in steps {
        bindings.push(name.clone());
        bindings.push(step.clone());
    }
    Ok(call(
        "let",
        vec![vector(bindings, span), name.clone()],
        span,
    ))
}

/// Threads `value` into `step` as `->` (`first`) or `->>` does.
pub(super) fn thread_step(step: &Form, value: Form, first: bool) -> Form {
    let items = match &step.kind {
        FormKind::List(items) if !items.is_empty() => {
            let mut out = Vec::with_capacity(items.len() + 1);
            out.push(items[0].clone());
            if first {
                out.push(value);
                out.extend(items[1..].iter().cloned());
            } else {
                out.extend(items[1..].iter().cloned());
                out.push(value);
            }
            out
        }
        _ => vec![step.clone(), value],
    };
    list(items, step.span)
}

/// `some->`/`some->>` (stop at the first nil) and `cond->`/`cond->>` (thread through the steps
/// whose test holds), as one flat `let` that rebinds a temporary per step.
pub(super) fn guarded_thread(
    what: &str,
    span: TextRange,
    head: &Form,
    args: &[Form],
    fresh: &mut Fresh,
) -> Rewrite {
    let Some((value, steps)) = args.split_first() else {
        return Err(malformed(
            head.span,
            format!("{what} needs a value to thread"),
        ));
    };
    let first = !what.ends_with(">>");
    let g = fresh.name("thread", span);
    let mut bindings = vec![g.clone(), value.clone()];
    if what.starts_with("some") {
        for step in steps {
            let next = thread_step(step, g.clone(), first);
            bindings.push(g.clone());
            bindings.push(call(
                "if",
                vec![
                    call("nil?", vec![g.clone()], step.span),
                    nil(step.span),
                    next,
                ],
                step.span,
            ));
        }
    } else {
        if steps.len() % 2 == 1 {
            return Err(malformed(
                steps[steps.len() - 1].span,
                format!("{what} needs test and step pairs; this test has no step"),
            ));
        }
        for pair in steps.chunks_exact(2) {
            let next = thread_step(&pair[1], g.clone(), first);
            bindings.push(g.clone());
            bindings.push(call(
                "if",
                vec![pair[0].clone(), next, g.clone()],
                pair[0].span,
            ));
        }
    }
    Ok(call("let", vec![vector(bindings, span), g], span))
}

/// `(doto x (f a) g)`: `(let [d x] (f d a) (g d) d)`.
pub(super) fn doto(span: TextRange, head: &Form, args: &[Form], fresh: &mut Fresh) -> Rewrite {
    let Some((value, steps)) = args.split_first() else {
        return Err(malformed(head.span, "doto needs a value"));
    };
    let d = fresh.name("doto", value.span);
    let mut out = vec![
        sym("let", span),
        vector(vec![d.clone(), value.clone()], span),
    ];
    out.extend(steps.iter().map(|s| thread_step(s, d.clone(), true)));
    out.push(d);
    Ok(list(out, span))
}

/// Whether a binding form is a destructuring pattern rather than a name.
pub(super) fn is_pattern(f: &Form) -> bool {
    matches!(f.kind, FormKind::Vector(_) | FormKind::Map(_))
}

/// Expands `pattern` bound to `value` into `(name value)` pairs whose names are all symbols, in
/// the order they bind: sequential patterns take elements with `nth` (and the rest after `&`
/// with `seq`/`next`), associative ones with `get` (and `:or` defaults). Nested patterns are
/// expanded in turn through a work list.
pub(super) fn destructure(
    pattern: &Form,
    value: Form,
    fresh: &mut Fresh,
) -> Result<Vec<(Form, Form)>, Malformed> {
    let mut out = Vec::new();
    // Items are popped from the end: pushed in reverse so they bind in source order.
    let mut work: Vec<(Form, Form)> = vec![(pattern.clone(), value)];
    while let Some((pattern, value)) = work.pop() {
        let span = pattern.span;
        let mut nested = Vec::new();
        match &pattern.kind {
            FormKind::Symbol(_) => {
                out.push((pattern, value));
                continue;
            }
            FormKind::Vector(items) => {
                let whole = fresh.name("vec", span);
                out.push((whole.clone(), value));
                sequential(items, &whole, fresh, &mut out, &mut nested)?;
            }
            FormKind::Map(entries) => {
                let whole = fresh.name("map", span);
                out.push((whole.clone(), value));
                associative(entries, &whole, &mut out, &mut nested)?;
            }
            _ => {
                return Err(malformed(
                    span,
                    "a binding must be a symbol, a vector or a map",
                ));
            }
        }
        // A nested pattern binds where it stands; the pairs after it wait on the work list.
        let mut rest = Vec::new();
        let mut iter = nested.into_iter();
        for (p, v) in iter.by_ref() {
            if is_pattern(&p) {
                rest.push((p, v));
                rest.extend(iter.by_ref());
                break;
            }
            out.push((p, v));
        }
        work.extend(rest.into_iter().rev());
    }
    Ok(out)
}

/// `(apply hash-map rest)`: the value a map pattern after `&` destructures (keyword arguments).
pub(super) fn as_map(rest: Form) -> Form {
    let span = rest.span;
    call("apply", vec![sym("hash-map", span), rest], span)
}

fn sequential(
    items: &[Form],
    whole: &Form,
    fresh: &mut Fresh,
    out: &mut Vec<(Form, Form)>,
    nested: &mut Vec<(Form, Form)>,
) -> Result<(), Malformed> {
    let mut positional: Vec<&Form> = Vec::new();
    let mut rest: Option<&Form> = None;
    let mut i = 0;
    while i < items.len() {
        let item = &items[i];
        if is_sym(item, "&") {
            match items.get(i + 1) {
                Some(r) if !is_sym(r, "&") && keyword_of(r).is_none() => rest = Some(r),
                _ => return Err(malformed(item.span, "`&` must be followed by a pattern")),
            }
            i += 2;
            continue;
        }
        if keyword_of(item) == Some("as") {
            match items.get(i + 1) {
                Some(
                    name @ Form {
                        kind: FormKind::Symbol(_),
                        ..
                    },
                ) => out.push((name.clone(), whole.clone())),
                _ => return Err(malformed(item.span, "`:as` must be followed by a name")),
            }
            i += 2;
            continue;
        }
        if rest.is_some() {
            return Err(malformed(
                item.span,
                "only `:as` may follow the pattern after `&`",
            ));
        }
        positional.push(item);
        i += 1;
    }
    for (index, p) in positional.iter().enumerate() {
        let at = int(index, p.span);
        let element = call("nth", vec![whole.clone(), at, nil(p.span)], p.span);
        nested.push(((*p).clone(), element));
    }
    if let Some(r) = rest {
        // The rest is `(nthnext whole n)`, stepped with one `next` per binding, so the
        // rewritten form stays flat however many positions come first.
        let s = fresh.name("rest", r.span);
        out.push((s.clone(), call("seq", vec![whole.clone()], r.span)));
        for _ in &positional {
            out.push((s.clone(), call("next", vec![s.clone()], r.span)));
        }
        let rest_value = if matches!(r.kind, FormKind::Map(_)) {
            as_map(s)
        } else {
            s
        };
        nested.push((r.clone(), rest_value));
    }
    Ok(())
}

fn associative(
    entries: &[(Form, Form)],
    whole: &Form,
    out: &mut Vec<(Form, Form)>,
    nested: &mut Vec<(Form, Form)>,
) -> Result<(), Malformed> {
    let defaults: Vec<(Form, Form)> = entries
        .iter()
        .find(|(k, _)| keyword_of(k) == Some("or"))
        .map(|(_, v)| match &v.kind {
            FormKind::Map(d) => Ok(d.clone()),
            _ => Err(malformed(v.span, "`:or` needs a map of defaults")),
        })
        .transpose()?
        .unwrap_or_default();
    let default_for = |name: &Form| {
        defaults
            .iter()
            .find_map(|(k, v)| match (&k.kind, &name.kind) {
                (FormKind::Symbol(a), FormKind::Symbol(b)) if a == b => Some(v.clone()),
                _ => None,
            })
    };
    let lookup = |name: &Form, key: Form| {
        let mut args = vec![whole.clone(), key];
        args.extend(default_for(name));
        call("get", args, name.span)
    };
    for (k, v) in entries {
        match keyword_of(k) {
            Some("as") => match &v.kind {
                FormKind::Symbol(_) => out.push((v.clone(), whole.clone())),
                _ => return Err(malformed(v.span, "`:as` must be followed by a name")),
            },
            Some("or") => {}
            Some(kind @ ("keys" | "strs" | "syms")) => {
                let FormKind::Vector(names) = &v.kind else {
                    return Err(malformed(
                        v.span,
                        format!("`:{kind}` needs a vector of names"),
                    ));
                };
                for name in names {
                    let (binder, key) = match (&name.kind, kind) {
                        (FormKind::Symbol(s), "keys") => (
                            binder(s.name(), name.span),
                            form(FormKind::Keyword(Keyword::new(s.as_str())), name.span),
                        ),
                        (FormKind::Keyword(k), "keys") => (
                            binder(k.name(), name.span),
                            form(FormKind::Keyword(k.clone()), name.span),
                        ),
                        (FormKind::Symbol(s), "strs") => (
                            name.clone(),
                            form(FormKind::Str(s.as_str().to_owned()), name.span),
                        ),
                        (FormKind::Symbol(s), _) => {
                            (binder(s.name(), name.span), quote(name.clone()))
                        }
                        _ => {
                            return Err(malformed(
                                name.span,
                                format!("`:{kind}` names must be symbols"),
                            ));
                        }
                    };
                    let value = lookup(&binder, key);
                    nested.push((binder, value));
                }
            }
            Some(other) => {
                return Err(malformed(
                    k.span,
                    format!(
                        "unknown map pattern option :{other} (yin has :keys, :strs, :syms, :or and :as)"
                    ),
                ));
            }
            None if matches!(k.kind, FormKind::Symbol(_)) || is_pattern(k) => {
                // `{x :x}`: the pattern is the key of the entry, the lookup key its value.
                nested.push((k.clone(), lookup(k, v.clone())));
            }
            None => {
                return Err(malformed(
                    k.span,
                    "a map pattern's keys are names, patterns or :keys, :strs, :syms, :or, :as",
                ));
            }
        }
    }
    Ok(())
}

/// The failure of an assertion: `(throw (ex-info (str "Assert failed: " detail) {:yin/error
/// :assertion}))`, the kind a `(catch AssertionError e ...)` selects.
fn assertion_failure(detail: Form, span: TextRange) -> Form {
    let data = form(
        FormKind::Map(vec![(
            form(FormKind::Keyword(Keyword::new("yin/error")), glue(span)),
            form(FormKind::Keyword(Keyword::new("assertion")), glue(span)),
        )]),
        glue(span),
    );
    let message = call(
        "str",
        vec![
            form(FormKind::Str("Assert failed: ".into()), glue(span)),
            detail,
        ],
        span,
    );
    call(
        "throw",
        vec![call("ex-info", vec![message, data], span)],
        span,
    )
}

/// `(pr-str 'test)`: the text of a failed test, as Clojure's message quotes it.
fn quoted_text(test: &Form) -> Form {
    call(
        "pr-str",
        vec![call("quote", vec![test.clone()], test.span)],
        test.span,
    )
}

/// `(assert test)`, `(assert test message)`: `(when-not test (throw ...))`, the message being
/// Clojure's `Assert failed: message` followed by the test's text.
pub(super) fn assert(span: TextRange, head: &Form, args: &[Form]) -> Rewrite {
    let (test, detail) = match args {
        [test] => (test, quoted_text(test)),
        [test, message] => (
            test,
            call(
                "str",
                vec![
                    message.clone(),
                    form(FormKind::Str("\n".into()), glue(span)),
                    quoted_text(test),
                ],
                span,
            ),
        ),
        _ => {
            return Err(malformed(
                head.span,
                "assert takes a test and an optional message",
            ));
        }
    };
    Ok(call(
        "when-not",
        vec![test.clone(), assertion_failure(detail, span)],
        span,
    ))
}

/// A function body that starts with a condition map (`{:pre [tests] :post [tests]}`) and has
/// more after it: the `:pre` tests checked first, the `:post` tests on the result bound to `%`.
/// `None` when the body has no condition map.
pub(super) fn conditions(body: &[Form]) -> Option<Vec<Form>> {
    let [
        Form {
            kind: FormKind::Map(entries),
            span,
        },
        rest @ ..,
    ] = body
    else {
        return None;
    };
    if rest.is_empty() {
        return None;
    }
    let tests = |name: &str| -> Option<Vec<Form>> {
        entries.iter().find_map(|(k, v)| match (&k.kind, &v.kind) {
            (FormKind::Keyword(k), FormKind::Vector(tests)) if k.as_str() == name => {
                Some(tests.clone())
            }
            _ => None,
        })
    };
    let (pre, post) = (tests("pre"), tests("post"));
    if pre.is_none() && post.is_none() {
        return None;
    }
    let check = |t: &Form| {
        call(
            "when-not",
            vec![t.clone(), assertion_failure(quoted_text(t), t.span)],
            t.span,
        )
    };
    let mut out: Vec<Form> = pre.iter().flatten().map(check).collect();
    match post {
        None => out.extend(rest.iter().cloned()),
        Some(post) => {
            let result = sym("%", *span);
            let value = match rest {
                [one] => one.clone(),
                _ => {
                    let mut value = vec![sym("do", *span)];
                    value.extend(rest.iter().cloned());
                    list(value, *span)
                }
            };
            let mut body = vec![vector(vec![result.clone(), value], *span)];
            body.extend(post.iter().map(check));
            body.push(result);
            out.push(call("let", body, *span));
        }
    }
    Some(out)
}

/// `(defrecord Name [fields] protocol-impls...)`: a record is a plain map of its fields, so this
/// defines `(->Name f1 f2 ...)` building `{:f1 f1 ...}` and `(map->Name m)` returning the map.
/// Protocol implementations after the fields are refused: yin has no protocols.
pub(super) fn defrecord(span: TextRange, head: &Form, args: &[Form]) -> Rewrite {
    let (name, fields) = match args {
        [
            Form {
                kind: FormKind::Symbol(name),
                ..
            },
            Form {
                kind: FormKind::Vector(fields),
                ..
            },
            rest @ ..,
        ] => {
            if let Some(first) = rest.first() {
                return Err(malformed(
                    first.span,
                    "defrecord: protocol implementations are not supported in yin (there are no protocols); a record is a plain map of its fields",
                ));
            }
            (name, fields)
        }
        _ => {
            return Err(malformed(
                head.span,
                "defrecord needs a name and a vector of fields",
            ));
        }
    };
    let mut entries = Vec::with_capacity(fields.len());
    for f in fields {
        let FormKind::Symbol(s) = &f.kind else {
            return Err(malformed(f.span, "defrecord: a field must be a symbol"));
        };
        entries.push((
            form(FormKind::Keyword(Keyword::new(s.as_str())), glue(f.span)),
            f.clone(),
        ));
    }
    let positional = call(
        "defn",
        vec![
            sym(&format!("->{}", name.as_str()), span),
            vector(fields.clone(), span),
            form(FormKind::Map(entries), glue(span)),
        ],
        span,
    );
    let m = sym("m", span);
    let from_map = call(
        "defn",
        vec![
            sym(&format!("map->{}", name.as_str()), span),
            vector(vec![m.clone()], span),
            call(
                "into",
                vec![form(FormKind::Map(Vec::new()), glue(span)), m],
                span,
            ),
        ],
        span,
    );
    Ok(call("do", vec![positional, from_map], span))
}

/// The global holding a multimethod's methods: an atom of a map from dispatch values to
/// functions. Its name starts with `_`, like the other names rewrites add.
fn methods_global(name: &str, span: TextRange) -> Form {
    sym(&format!("_methods__{name}"), span)
}

/// `(defmulti name doc? dispatch-fn)`: the methods in an atom (`_methods__name`) and `name` a
/// function that calls the method for `(apply dispatch-fn args)`, else the `:default` one, else
/// fails as Clojure does: `No method in multimethod 'name' for dispatch value: :tri`.
/// Hierarchies (`derive`, `isa?`) and `prefer-method` are not supported.
pub(super) fn defmulti(span: TextRange, head: &Form, args: &[Form]) -> Rewrite {
    let (name, dispatch) = match args {
        [
            name @ Form {
                kind: FormKind::Symbol(_),
                ..
            },
            rest @ ..,
        ] => {
            let rest = match rest {
                [
                    Form {
                        kind: FormKind::Str(_),
                        ..
                    },
                    more @ ..,
                ] => more,
                _ => rest,
            };
            match rest.first() {
                Some(dispatch) => (name, dispatch),
                None => {
                    return Err(malformed(
                        name.span,
                        "defmulti needs a dispatch function after the name",
                    ));
                }
            }
        }
        _ => {
            return Err(malformed(
                head.span,
                "defmulti needs a name and a dispatch function",
            ));
        }
    };
    let FormKind::Symbol(name_sym) = &name.kind else {
        return Err(malformed(name.span, "defmulti needs a symbol as its name"));
    };
    let table = methods_global(name_sym.as_str(), span);
    let (params, k, ms, f) = (
        sym("_args", span),
        sym("_dispatch", span),
        sym("_methods", span),
        sym("_method", span),
    );
    let missing = call(
        "throw",
        vec![call(
            "ex-info",
            vec![
                call(
                    "str",
                    vec![
                        form(
                            FormKind::Str(format!(
                                "No method in multimethod '{}' for dispatch value: ",
                                name_sym.as_str()
                            )),
                            glue(span),
                        ),
                        call("pr-str", vec![k.clone()], span),
                    ],
                    span,
                ),
                form(
                    FormKind::Map(vec![(
                        form(FormKind::Keyword(Keyword::new("yin/error")), glue(span)),
                        form(FormKind::Keyword(Keyword::new("argument")), glue(span)),
                    )]),
                    glue(span),
                ),
            ],
            span,
        )],
        span,
    );
    let body = call(
        "let",
        vec![
            vector(
                vec![
                    k.clone(),
                    call("apply", vec![dispatch.clone(), params.clone()], span),
                    ms.clone(),
                    call("deref", vec![table.clone()], span),
                    f.clone(),
                    call(
                        "get",
                        vec![
                            ms.clone(),
                            k,
                            call(
                                "get",
                                vec![
                                    ms,
                                    form(FormKind::Keyword(Keyword::new("default")), glue(span)),
                                ],
                                span,
                            ),
                        ],
                        span,
                    ),
                ],
                span,
            ),
            call(
                "if",
                vec![
                    f.clone(),
                    call("apply", vec![f, params.clone()], span),
                    missing,
                ],
                span,
            ),
        ],
        span,
    );
    let table_def = call(
        "def",
        vec![
            table,
            call(
                "atom",
                vec![form(FormKind::Map(Vec::new()), glue(span))],
                span,
            ),
        ],
        span,
    );
    let function = call(
        "defn",
        vec![
            name.clone(),
            vector(vec![sym("&", span), params], span),
            body,
        ],
        span,
    );
    Ok(call("do", vec![table_def, function], span))
}

/// `(defmethod name dispatch-value [params] body...)` (or several arities): the function stored
/// under the dispatch value in the multimethod's table.
pub(super) fn defmethod(span: TextRange, head: &Form, args: &[Form]) -> Rewrite {
    match args {
        [
            Form {
                kind: FormKind::Symbol(name),
                ..
            },
            value,
            tail @ ..,
        ] if !tail.is_empty() => {
            let mut function = vec![sym("fn", span)];
            function.extend(tail.iter().cloned());
            Ok(call(
                "swap!",
                vec![
                    methods_global(name.as_str(), span),
                    sym("assoc", span),
                    value.clone(),
                    list(function, span),
                ],
                span,
            ))
        }
        _ => Err(malformed(
            head.span,
            "defmethod needs a multimethod name, a dispatch value and a function tail: (defmethod area :circle [s] ...)",
        )),
    }
}
