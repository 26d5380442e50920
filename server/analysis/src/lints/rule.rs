//! The rule format (docs/rules.md): an EDN map with `:id`, `:severity`, `:message`,
//! `:query`, and optionally `:rules` and `:fix`. Reading checks everything that can be checked
//! without data: the query plans, the first `:find` element is a variable, and every `{?var}` of
//! the message and the fix is a `:find` variable.

use std::collections::{BTreeMap, BTreeSet};

use datalog::{FindElem, Inputs, Query, Rules};
use edn::{Node, Spanned, Value};
use syntax::{Severity, TextRange, TextSize};

/// One lint rule, ready to run.
#[derive(Clone, Debug)]
pub struct Rule {
    pub id: String,
    pub severity: Severity,
    /// With `{?var}` placeholders for `:find` variables.
    pub message: String,
    pub query: Query,
    /// The query's inputs: the rule's own `:rules` merged with the prelude, as `%`. Built once,
    /// not per run.
    pub(crate) inputs: Inputs,
    pub fix: Option<FixTemplate>,
    /// What the rule's findings in one top-level form depend on (`:scope`).
    pub scope: Scope,
    /// The `:find` variables, in order, as written (`?x`).
    pub(crate) columns: Vec<String>,
    /// Attributes the query and its rules mention; `None` when some pattern's attribute is a
    /// variable (the rule may read anything).
    pub(crate) attributes: Option<Vec<edn::Keyword>>,
}

/// What a rule's findings in one top-level form (the form of the first `:find` value) may
/// depend on, as the rule declares it with `:scope`. After an edit, a rule scoped to less than
/// the file runs again only on the forms whose datoms changed (docs/rules.md, "Scope").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// `:scope :file` (the default): anything in the file.
    File,
    /// `:scope :form`: the form's own datoms and the core library's.
    Form,
    /// `:scope :linked`: those, and the datoms of the forms defining the globals the form's
    /// variables link to.
    Linked,
}

/// A rule's `:fix`: the matched node (the first `:find` variable) is replaced by `replace`, whose
/// `{?var}` placeholders become the source text of the nodes bound to them.
#[derive(Clone, Debug)]
pub struct FixTemplate {
    pub title: String,
    pub replace: String,
}

/// Why a rule file could not be used: a message and where in the file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct RuleError {
    pub range: TextRange,
    pub message: String,
}

impl RuleError {
    fn at(form: &Spanned, message: impl Into<String>) -> RuleError {
        RuleError {
            range: range_of(form),
            message: message.into(),
        }
    }
}

fn size(offset: usize) -> TextSize {
    TextSize::from(u32::try_from(offset).unwrap_or(u32::MAX))
}

fn range_of(form: &Spanned) -> TextRange {
    let start = size(form.span.start.offset);
    TextRange::new(start, size(form.span.end.offset).max(start))
}

fn query_error(at: &Spanned, err: &datalog::Error) -> RuleError {
    // A query error names the offending clause by its position in the file; without one it
    // concerns the whole section.
    let range = match &err.origin {
        Some(origin) if origin.pos.offset > 0 || origin.text.is_empty() => {
            TextRange::empty(size(origin.pos.offset))
        }
        _ => range_of(at),
    };
    RuleError {
        range,
        message: err.kind.to_string(),
    }
}

/// Reads one rule map.
pub(super) fn read_rule(form: &Spanned, prelude: &Rules) -> Result<Rule, RuleError> {
    let Node::Map(entries) = &form.node else {
        return Err(RuleError::at(
            form,
            "a rule is a map {:id :severity :message :query}",
        ));
    };
    let get = |key: &str| {
        entries
            .iter()
            .find(|(k, _)| matches!(&k.node, Node::Atom(Value::Keyword(kw)) if kw.as_str() == key))
            .map(|(_, v)| v)
    };
    for (key, _) in entries {
        let known = matches!(&key.node, Node::Atom(Value::Keyword(kw))
            if ["id", "severity", "message", "query", "rules", "fix", "doc", "scope"].contains(&kw.as_str()));
        if !known {
            return Err(RuleError::at(
                key,
                "unknown rule key (expected :id :severity :message :query :rules :fix :scope :doc)",
            ));
        }
    }
    let required =
        |key: &str| get(key).ok_or_else(|| RuleError::at(form, format!("the rule has no :{key}")));
    let id_form = required("id")?;
    let id = match &id_form.node {
        Node::Atom(Value::Keyword(k)) => k.as_str().to_owned(),
        Node::Atom(Value::Symbol(s)) => s.as_str().to_owned(),
        Node::Atom(Value::Str(s)) if !s.is_empty() => s.to_string(),
        _ => return Err(RuleError::at(id_form, ":id is a keyword such as :my-rule")),
    };
    let severity_form = required("severity")?;
    let severity = match &severity_form.node {
        Node::Atom(Value::Keyword(k)) => parse_severity(k.as_str()),
        _ => None,
    }
    .ok_or_else(|| {
        RuleError::at(
            severity_form,
            ":severity is one of :error :warning :info :hint",
        )
    })?;
    let message_form = required("message")?;
    let Node::Atom(Value::Str(message)) = &message_form.node else {
        return Err(RuleError::at(message_form, ":message is a string"));
    };
    let query_form = required("query")?;
    let query = Query::from_edn(query_form).map_err(|e| query_error(query_form, &e))?;
    let mut columns = Vec::new();
    for elem in &query.find {
        match elem {
            FindElem::Var(v) => columns.push(v.as_str().to_owned()),
            FindElem::Agg(..) => {
                return Err(RuleError::at(
                    query_form,
                    "a rule's :find lists variables only (no aggregates)",
                ));
            }
        }
    }
    let own = match get("rules") {
        Some(r) => Rules::from_edn(r).map_err(|e| query_error(r, &e))?,
        None => Rules::default(),
    };
    let rules = own.merged(prelude);
    check_placeholders(message, &columns).map_err(|m| RuleError::at(message_form, m))?;
    let fix = match get("fix") {
        Some(f) => Some(read_fix(f, &id, &columns)?),
        None => None,
    };
    let scope = match get("scope") {
        None => Scope::File,
        Some(form) => match &form.node {
            Node::Atom(Value::Keyword(k)) if k.as_str() == "form" => Scope::Form,
            Node::Atom(Value::Keyword(k)) if k.as_str() == "linked" => Scope::Linked,
            Node::Atom(Value::Keyword(k)) if k.as_str() == "file" => Scope::File,
            _ => return Err(RuleError::at(form, ":scope is :form, :linked or :file")),
        },
    };
    let attributes = attributes(&query, &rules);
    Ok(Rule {
        id,
        severity,
        message: message.to_string(),
        query,
        inputs: Inputs::new().rules(rules),
        fix,
        scope,
        columns,
        attributes,
    })
}

pub(crate) fn parse_severity(name: &str) -> Option<Severity> {
    match name {
        "error" => Some(Severity::Error),
        "warning" => Some(Severity::Warning),
        "info" => Some(Severity::Info),
        "hint" => Some(Severity::Hint),
        _ => None,
    }
}

fn read_fix(form: &Spanned, id: &str, columns: &[String]) -> Result<FixTemplate, RuleError> {
    let Node::Map(entries) = &form.node else {
        return Err(RuleError::at(
            form,
            ":fix is a map {:replace \"template\" :title \"...\"}",
        ));
    };
    let mut title = None;
    let mut replace = None;
    for (k, v) in entries {
        match (&k.node, &v.node) {
            (Node::Atom(Value::Keyword(k)), Node::Atom(Value::Str(s))) if k.as_str() == "title" => {
                title = Some(s.to_string());
            }
            (Node::Atom(Value::Keyword(k)), Node::Atom(Value::Str(s)))
                if k.as_str() == "replace" =>
            {
                check_placeholders(s, columns).map_err(|m| RuleError::at(v, m))?;
                replace = Some(s.to_string());
            }
            _ => {
                return Err(RuleError::at(
                    k,
                    ":fix takes :replace and :title, both strings",
                ));
            }
        }
    }
    let replace = replace.ok_or_else(|| RuleError::at(form, ":fix needs :replace"))?;
    Ok(FixTemplate {
        title: title.unwrap_or_else(|| format!("Fix {id}")),
        replace,
    })
}

/// One piece of a template: text, or the variable at `:find` column `n`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Piece<'t> {
    Text(&'t str),
    Var(usize),
}

/// Splits a template at its `{?var}` placeholders; `{` not followed by `?` is plain text.
pub(crate) fn pieces<'t>(template: &'t str, columns: &[String]) -> Result<Vec<Piece<'t>>, String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find("{?") {
        let Some(close) = rest[open..].find('}') else {
            return Err(format!("unclosed placeholder in {template:?}"));
        };
        let var = &rest[open + 1..open + close];
        let Some(n) = columns.iter().position(|c| c == var) else {
            return Err(format!("{{{var}}} is not a :find variable"));
        };
        if open > 0 {
            out.push(Piece::Text(&rest[..open]));
        }
        out.push(Piece::Var(n));
        rest = &rest[open + close + 1..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    Ok(out)
}

fn check_placeholders(template: &str, columns: &[String]) -> Result<(), String> {
    pieces(template, columns).map(|_| ())
}

/// The attributes a query can read, through its clauses and every rule it may call (only the
/// rules reachable from the query: the prelude's others are not evaluated).
fn attributes(query: &Query, rules: &Rules) -> Option<Vec<edn::Keyword>> {
    let mut out = Vec::new();
    let mut called = Vec::new();
    for clause in &query.body {
        if !collect_attributes(clause, &mut out, &mut called) {
            return None;
        }
    }
    // Linear in the rules: a rule set may hold thousands (issue 14, item 4).
    let mut by_name: BTreeMap<&edn::Symbol, Vec<&datalog::Rule>> = BTreeMap::new();
    for rule in &rules.rules {
        by_name.entry(&rule.name).or_default().push(rule);
    }
    let mut done: BTreeSet<&edn::Symbol> = BTreeSet::new();
    while let Some(name) = called.pop() {
        if !done.insert(name) {
            continue;
        }
        for rule in by_name.get(name).into_iter().flatten() {
            for clause in &rule.body {
                if !collect_attributes(clause, &mut out, &mut called) {
                    return None;
                }
            }
        }
    }
    out.sort();
    out.dedup();
    Some(out)
}

/// Adds the attributes of `clause`'s patterns to `out` and the rules it calls to `called`; false
/// when an attribute is not a constant keyword.
fn collect_attributes<'r>(
    clause: &'r datalog::Clause,
    out: &mut Vec<edn::Keyword>,
    called: &mut Vec<&'r edn::Symbol>,
) -> bool {
    use datalog::{ClauseKind, Term};
    match &clause.kind {
        ClauseKind::Pattern(terms) => match terms.get(1) {
            Some(Term::Const(Value::Keyword(k))) => {
                out.push(k.clone());
                true
            }
            _ => false,
        },
        ClauseKind::Call { rule, .. } => {
            called.push(rule);
            true
        }
        ClauseKind::Not { body, .. } => body.iter().all(|c| collect_attributes(c, out, called)),
        ClauseKind::Or { branches, .. } => branches
            .iter()
            .flatten()
            .all(|c| collect_attributes(c, out, called)),
        _ => true,
    }
}
