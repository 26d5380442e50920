//! The query language as data: queries, rules and clauses, parsed from EDN.
//!
//! Parsing checks shape (what a clause may contain), function names and arities, and the safety
//! of every body (see [`crate::plan::check_body`]), so a query or rule set that parses can be
//! planned; only facts that depend on the combination of a query with a rule set (unknown rules,
//! stratification) are checked at query time.

use edn::{Node, Spanned, Symbol, Value};

use crate::error::{Error, ErrorKind, Origin};
use crate::function::{self, Aggregate};
use crate::plan;

/// A term in a clause: a variable (`?x`), the blank `_`, or a constant.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Term {
    Var(Symbol),
    Blank,
    Const(Value),
}

/// How a function binding's result is bound: `?x`, `[?a ?b]`, `[?x ...]` or `[[?a ?b]]`.
/// `None` stands for `_` inside tuples.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Binding {
    Scalar(Option<Symbol>),
    Tuple(Vec<Option<Symbol>>),
    Coll(Option<Symbol>),
    Rel(Vec<Option<Symbol>>),
}

impl Binding {
    pub(crate) fn vars(&self) -> impl Iterator<Item = &Symbol> {
        let slice: &[Option<Symbol>] = match self {
            Binding::Scalar(v) | Binding::Coll(v) => std::slice::from_ref(v),
            Binding::Tuple(vs) | Binding::Rel(vs) => vs,
        };
        slice.iter().flatten()
    }
}

/// One clause of a body, with the text and position it was read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clause {
    pub kind: ClauseKind,
    pub origin: Origin,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClauseKind {
    /// `[e a v]`; shorter patterns are padded with `_`.
    Pattern([Term; 3]),
    /// `[(f args...)]`: keeps the rows for which `f` returns a truthy value.
    Pred { func: Symbol, args: Vec<Term> },
    /// `[(f args...) binding]`.
    Bind {
        func: Symbol,
        args: Vec<Term>,
        out: Binding,
    },
    /// `(rule args...)`.
    Call { rule: Symbol, args: Vec<Term> },
    /// `(not clauses...)` (join = all its variables) or `(not-join [vars] clauses...)`.
    Not {
        join: Option<Vec<Symbol>>,
        body: Vec<Clause>,
    },
    /// `(or branches...)` or `(or-join [[required...] vars...] branches...)`; a branch with
    /// several clauses is written `(and ...)`.
    Or {
        join: Option<OrJoin>,
        branches: Vec<Vec<Clause>>,
    },
}

/// The variable list of an `or-join`: `required` must be bound before the `or` runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrJoin {
    pub required: Vec<Symbol>,
    pub vars: Vec<Symbol>,
}

/// One element of `:find`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FindElem {
    Var(Symbol),
    Agg(Aggregate, Symbol),
}

impl FindElem {
    pub(crate) fn var(&self) -> &Symbol {
        match self {
            FindElem::Var(v) | FindElem::Agg(_, v) => v,
        }
    }

    pub(crate) fn column(&self) -> String {
        match self {
            FindElem::Var(v) => v.to_string(),
            FindElem::Agg(a, v) => format!("({} {v})", a.name()),
        }
    }
}

/// One element of `:in`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputSpec {
    /// `$`, the database.
    Db,
    /// `%`, the rule set.
    Rules,
    /// `?x`, `[?a ?b]`, `[?x ...]` or `[[?a ?b]]`.
    Bind(Binding),
}

/// A parsed query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    pub find: Vec<FindElem>,
    pub with: Vec<Symbol>,
    /// As written; `None` when the query has no `:in` (then it reads `$`, and `%` if given).
    pub inputs: Option<Vec<InputSpec>>,
    pub body: Vec<Clause>,
    pub origin: Origin,
}

/// One rule definition: `[(name ?a ?b) clauses...]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub name: Symbol,
    pub head: Vec<Symbol>,
    pub body: Vec<Clause>,
    pub origin: Origin,
}

/// A rule set; several definitions of one name are alternatives (their union).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rules {
    pub rules: Vec<Rule>,
}

impl Query {
    /// Parses a query in vector (`[:find ... :where ...]`) or map (`{:find [...] ...}`) form.
    pub fn parse(src: &str) -> Result<Query, Error> {
        Query::from_edn(&edn::read_spanned(src)?)
    }

    /// Parses a query from an already-read form, e.g. the `:query` of a lint rule map.
    pub fn from_edn(form: &Spanned) -> Result<Query, Error> {
        let sections = sections(form)?;
        let mut find = None;
        let mut with = Vec::new();
        let mut inputs = None;
        let mut body = None;
        for (key, items) in &sections {
            match key.as_str() {
                "find" => find = Some(items.iter().map(parse_find).collect::<Result<_, _>>()?),
                "with" => with = items.iter().map(var).collect::<Result<_, _>>()?,
                "in" => inputs = Some(items.iter().map(parse_input).collect::<Result<_, _>>()?),
                "where" => body = Some(parse_body(items, 0)?),
                other => {
                    return Err(Error::syntax(
                        form,
                        format!("unknown query section :{other} (expected :find :with :in :where)"),
                    ));
                }
            }
        }
        let Some(find) = find.filter(|f: &Vec<FindElem>| !f.is_empty()) else {
            return Err(Error::syntax(form, "query needs a non-empty :find"));
        };
        let query = Query {
            find,
            with,
            inputs,
            body: body.unwrap_or_default(),
            origin: Origin::of(form),
        };
        plan::check_query(&query)?;
        Ok(query)
    }
}

impl Rules {
    /// Parses a rule set: a vector of rule definitions.
    pub fn parse(src: &str) -> Result<Rules, Error> {
        Rules::from_edn(&edn::read_spanned(src)?)
    }

    /// Parses a rule set from an already-read vector of definitions.
    pub fn from_edn(form: &Spanned) -> Result<Rules, Error> {
        let Node::Vector(defs) = &form.node else {
            return Err(Error::syntax(form, "a rule set is a vector of rules"));
        };
        let rules = defs.iter().map(parse_rule).collect::<Result<Vec<_>, _>>()?;
        let set = Rules { rules };
        plan::check_rule_arities(&set)?;
        Ok(set)
    }

    /// The union of two rule sets.
    pub fn merged(mut self, other: &Rules) -> Rules {
        self.rules.extend(other.rules.iter().cloned());
        self
    }
}

/// Splits a query into its `:keyword` sections.
fn sections(form: &Spanned) -> Result<Vec<(String, Vec<Spanned>)>, Error> {
    let mut out: Vec<(String, Vec<Spanned>)> = Vec::new();
    match &form.node {
        Node::Vector(items) => {
            for item in items {
                match &item.node {
                    Node::Atom(Value::Keyword(k)) => {
                        let name = k.as_str().to_owned();
                        if out.iter().any(|(n, _)| *n == name) {
                            return Err(Error::syntax(item, format!("duplicate section :{name}")));
                        }
                        out.push((name, Vec::new()));
                    }
                    _ => match out.last_mut() {
                        Some((_, xs)) => xs.push(item.clone()),
                        None => return Err(Error::syntax(item, "query must start with :find")),
                    },
                }
            }
        }
        Node::Map(entries) => {
            for (k, v) in entries {
                let Node::Atom(Value::Keyword(key)) = &k.node else {
                    return Err(Error::syntax(k, "query map keys are keywords"));
                };
                let Node::Vector(items) = &v.node else {
                    return Err(Error::syntax(
                        v,
                        format!(":{key} takes a vector", key = key.as_str()),
                    ));
                };
                out.push((key.as_str().to_owned(), items.clone()));
            }
        }
        _ => return Err(Error::syntax(form, "a query is a vector or a map")),
    }
    Ok(out)
}

fn symbol(form: &Spanned) -> Option<&Symbol> {
    match &form.node {
        Node::Atom(Value::Symbol(s)) => Some(s),
        _ => None,
    }
}

pub(crate) fn is_var(s: &Symbol) -> bool {
    s.as_str().starts_with('?') && s.as_str().len() > 1
}

fn var(form: &Spanned) -> Result<Symbol, Error> {
    match symbol(form) {
        Some(s) if is_var(s) => Ok(s.clone()),
        _ => Err(Error::syntax(
            form,
            format!("expected a variable like ?x, found {}", form.to_value()),
        )),
    }
}

fn var_or_blank(form: &Spanned) -> Result<Option<Symbol>, Error> {
    match symbol(form) {
        Some(s) if s.as_str() == "_" => Ok(None),
        _ => var(form).map(Some),
    }
}

fn term(form: &Spanned) -> Result<Term, Error> {
    match &form.node {
        Node::Atom(Value::Symbol(s)) if s.as_str() == "_" => Ok(Term::Blank),
        Node::Atom(Value::Symbol(s)) if is_var(s) => Ok(Term::Var(s.clone())),
        Node::Atom(Value::Symbol(s)) if s.as_str().starts_with('$') => Err(Error::syntax(
            form,
            "only the default database $ is supported, and it is implicit in patterns",
        )),
        _ => Ok(Term::Const(form.to_value())),
    }
}

fn parse_find(form: &Spanned) -> Result<FindElem, Error> {
    match &form.node {
        Node::List(items) => {
            let [f, arg] = items.as_slice() else {
                return Err(Error::syntax(form, "an aggregate is (name ?var)"));
            };
            let name = symbol(f).map(Symbol::as_str).unwrap_or("");
            let Some(agg) = Aggregate::from_name(name) else {
                return Err(Error::at(
                    form,
                    ErrorKind::UnknownFunction(f.to_value().to_string()),
                ));
            };
            Ok(FindElem::Agg(agg, var(arg)?))
        }
        Node::Atom(Value::Symbol(s)) if s.as_str() == "." || s.as_str() == "..." => {
            Err(Error::syntax(
                form,
                "find specs `.` and `...` are not supported: results are relations",
            ))
        }
        _ => var(form).map(FindElem::Var),
    }
}

fn parse_input(form: &Spanned) -> Result<InputSpec, Error> {
    match symbol(form).map(Symbol::as_str) {
        Some("$") => return Ok(InputSpec::Db),
        Some("%") => return Ok(InputSpec::Rules),
        Some(s) if s.starts_with('$') => {
            return Err(Error::syntax(
                form,
                "only the default database $ is supported",
            ));
        }
        _ => {}
    }
    parse_binding(form).map(InputSpec::Bind)
}

fn parse_binding(form: &Spanned) -> Result<Binding, Error> {
    match &form.node {
        Node::Vector(items) => match items.as_slice() {
            [x, dots] if symbol(dots).is_some_and(|s| s.as_str() == "...") => {
                Ok(Binding::Coll(var_or_blank(x)?))
            }
            [inner] if matches!(inner.node, Node::Vector(_)) => {
                let vars = inner.elements().unwrap_or_default();
                if vars.is_empty() {
                    return Err(Error::syntax(form, "empty relation binding"));
                }
                Ok(Binding::Rel(
                    vars.iter().map(var_or_blank).collect::<Result<_, _>>()?,
                ))
            }
            [] => Err(Error::syntax(form, "empty tuple binding")),
            xs => Ok(Binding::Tuple(
                xs.iter().map(var_or_blank).collect::<Result<_, _>>()?,
            )),
        },
        _ => var_or_blank(form).map(Binding::Scalar),
    }
}

/// Deepest nesting of `not`/`or`/`and` clauses: evaluation recurses once per level, and no
/// real rule needs more.
pub const MAX_NESTING: usize = 32;

fn parse_body(items: &[Spanned], depth: usize) -> Result<Vec<Clause>, Error> {
    items.iter().map(|item| parse_clause(item, depth)).collect()
}

fn parse_clause(form: &Spanned, depth: usize) -> Result<Clause, Error> {
    if depth > MAX_NESTING {
        return Err(Error::syntax(
            form,
            format!("clauses nested deeper than {MAX_NESTING} levels of not/or"),
        ));
    }
    let origin = Origin::of(form);
    let kind = match &form.node {
        Node::Vector(items) => match items.first().map(|f| &f.node) {
            Some(Node::List(call)) => parse_function_clause(form, call, &items[1..])?,
            _ => parse_pattern(form, items)?,
        },
        Node::List(items) => parse_list_clause(form, items, depth + 1)?,
        _ => {
            return Err(Error::syntax(
                form,
                "a clause is a pattern [e a v], a predicate [(f ...)], a binding [(f ...) ?x], or a list (rule/not/or ...)",
            ));
        }
    };
    Ok(Clause { kind, origin })
}

fn parse_pattern(form: &Spanned, items: &[Spanned]) -> Result<ClauseKind, Error> {
    if let Some(first) = items.first().and_then(symbol)
        && first.as_str().starts_with('$')
    {
        return Err(Error::syntax(
            form,
            "only the default database $ is supported",
        ));
    }
    if items.is_empty() || items.len() > 3 {
        return Err(Error::syntax(
            form,
            "a data pattern has one to three elements [e a v] (transaction ids are not stored)",
        ));
    }
    let mut terms = [Term::Blank, Term::Blank, Term::Blank];
    for (slot, item) in terms.iter_mut().zip(items) {
        *slot = term(item)?;
    }
    Ok(ClauseKind::Pattern(terms))
}

fn parse_function_clause(
    form: &Spanned,
    call: &[Spanned],
    rest: &[Spanned],
) -> Result<ClauseKind, Error> {
    let Some((head, args)) = call.split_first() else {
        return Err(Error::syntax(form, "empty function call"));
    };
    let Some(func) = symbol(head) else {
        return Err(Error::syntax(head, "a function name is a symbol"));
    };
    let args = args.iter().map(term).collect::<Result<Vec<_>, _>>()?;
    function::check_call(func, args.len()).map_err(|kind| Error::at(form, kind))?;
    match rest {
        [] => Ok(ClauseKind::Pred {
            func: func.clone(),
            args,
        }),
        [binding] => Ok(ClauseKind::Bind {
            func: func.clone(),
            args,
            out: parse_binding(binding)?,
        }),
        _ => Err(Error::syntax(
            form,
            "a function clause is [(f args...)] or [(f args...) binding]",
        )),
    }
}

fn parse_list_clause(form: &Spanned, items: &[Spanned], depth: usize) -> Result<ClauseKind, Error> {
    let Some((head, rest)) = items.split_first() else {
        return Err(Error::syntax(form, "empty list clause"));
    };
    let Some(name) = symbol(head) else {
        return Err(Error::syntax(head, "a rule name is a symbol"));
    };
    match name.as_str() {
        "not" => {
            if rest.is_empty() {
                return Err(Error::syntax(form, "(not ...) needs at least one clause"));
            }
            Ok(ClauseKind::Not {
                join: None,
                body: parse_body(rest, depth)?,
            })
        }
        "not-join" => {
            let Some((vars, body)) = rest.split_first() else {
                return Err(Error::syntax(form, "(not-join [vars] clauses...)"));
            };
            let Node::Vector(vars) = &vars.node else {
                return Err(Error::syntax(form, "(not-join [vars] clauses...)"));
            };
            if body.is_empty() {
                return Err(Error::syntax(
                    form,
                    "(not-join ...) needs at least one clause",
                ));
            }
            Ok(ClauseKind::Not {
                join: Some(vars.iter().map(var).collect::<Result<_, _>>()?),
                body: parse_body(body, depth)?,
            })
        }
        "or" => Ok(ClauseKind::Or {
            join: None,
            branches: parse_branches(form, rest, depth)?,
        }),
        "or-join" => {
            let Some((vars, branches)) = rest.split_first() else {
                return Err(Error::syntax(form, "(or-join [vars] branches...)"));
            };
            let Node::Vector(vars) = &vars.node else {
                return Err(Error::syntax(form, "(or-join [vars] branches...)"));
            };
            let mut join = OrJoin {
                required: Vec::new(),
                vars: Vec::new(),
            };
            for (i, v) in vars.iter().enumerate() {
                match &v.node {
                    Node::Vector(req) if i == 0 => {
                        for r in req {
                            let r = var(r)?;
                            join.required.push(r.clone());
                            join.vars.push(r);
                        }
                    }
                    _ => join.vars.push(var(v)?),
                }
            }
            Ok(ClauseKind::Or {
                join: Some(join),
                branches: parse_branches(form, branches, depth)?,
            })
        }
        "and" => Err(Error::syntax(
            form,
            "(and ...) is only allowed as a branch of or/or-join",
        )),
        _ => {
            let args = rest.iter().map(term).collect::<Result<Vec<_>, _>>()?;
            Ok(ClauseKind::Call {
                rule: name.clone(),
                args,
            })
        }
    }
}

fn parse_branches(
    form: &Spanned,
    items: &[Spanned],
    depth: usize,
) -> Result<Vec<Vec<Clause>>, Error> {
    if items.is_empty() {
        return Err(Error::syntax(form, "or needs at least one branch"));
    }
    items
        .iter()
        .map(|item| match &item.node {
            Node::List(xs)
                if xs
                    .first()
                    .and_then(symbol)
                    .is_some_and(|s| s.as_str() == "and") =>
            {
                if xs.len() < 2 {
                    return Err(Error::syntax(item, "(and ...) needs at least one clause"));
                }
                parse_body(&xs[1..], depth)
            }
            _ => Ok(vec![parse_clause(item, depth)?]),
        })
        .collect()
}

fn parse_rule(form: &Spanned) -> Result<Rule, Error> {
    let shape = "a rule is [(name ?args...) clauses...]";
    let Node::Vector(items) = &form.node else {
        return Err(Error::syntax(form, shape));
    };
    let Some((head, body)) = items.split_first() else {
        return Err(Error::syntax(form, shape));
    };
    let Node::List(head_items) = &head.node else {
        return Err(Error::syntax(form, shape));
    };
    let Some((name, args)) = head_items.split_first() else {
        return Err(Error::syntax(form, shape));
    };
    let Some(name) = symbol(name).filter(|s| !is_var(s)) else {
        return Err(Error::syntax(name, "a rule name is a symbol"));
    };
    if matches!(name.as_str(), "not" | "not-join" | "or" | "or-join" | "and") {
        return Err(Error::syntax(
            head,
            format!("`{name}` is reserved and cannot name a rule"),
        ));
    }
    let mut vars = Vec::new();
    for (i, a) in args.iter().enumerate() {
        match &a.node {
            // `[?required]` marks arguments a caller must bind (Datomic); bottom-up evaluation
            // does not need the hint, so they are ordinary head variables here.
            Node::Vector(req) if i == 0 => {
                for r in req {
                    vars.push(var(r)?);
                }
            }
            _ => vars.push(var(a)?),
        }
    }
    if body.is_empty() {
        return Err(Error::syntax(form, "a rule needs at least one clause"));
    }
    let rule = Rule {
        name: name.clone(),
        head: vars,
        body: parse_body(body, 0)?,
        origin: Origin::of(form),
    };
    plan::check_rule(&rule)?;
    Ok(rule)
}
