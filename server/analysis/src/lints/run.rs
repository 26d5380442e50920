//! Running rules over one file's database and turning result rows into findings: the first
//! `:find` variable gives the span, the others fill the message and the fix.

use std::time::Duration;

use datalog::{Allowance, Budget, Db};
use edn::Value;
use ropey::Rope;
use syntax::TextRange;
use syntax::file::FileLowering;

use crate::edit::Edit;
use crate::findings::{Finding, Fix};
use crate::lints::rule::{Piece, Rule, pieces};

/// The default limit for all the rules run on one file (or for one edit of it, in the server):
/// shared, so that many slow rules cost one limit, not one each. Generous for a 10,000-line file
/// (the built-in rules together stay below a few million tuples and a few megabytes of created
/// values there), small enough that a runaway rule stops quickly and within memory.
pub fn rule_budget() -> Budget {
    Budget {
        max_tuples: Some(20_000_000),
        max_bytes: Some(256 << 20),
        timeout: Some(Duration::from_secs(2)),
    }
}

/// What one rule gave on one file: its rows, kept so an unchanged rule's answer can be reused.
pub(super) type Rows = Vec<Vec<Value>>;

/// Runs `rule` on `db` within what is left of the file's budget; an error (planning against the
/// rule set, or the budget) is the rule's fault, never the file's. Once a rule has used the
/// allowance up, the rules after it fail at once with `NotRun`.
pub(super) fn rows(
    db: &Db,
    rule: &Rule,
    allowance: &mut Allowance,
) -> Result<Rows, datalog::Error> {
    Ok(db.query_within(&rule.query, &rule.inputs, allowance)?.rows)
}

/// The file's nodes, found by entity: O(log n) each, so rendering the findings of every rule at
/// each report costs the rows, not the forms.
pub(super) struct Nodes<'f> {
    lowering: &'f FileLowering,
}

impl<'f> Nodes<'f> {
    pub(super) fn new(lowering: &'f FileLowering) -> Nodes<'f> {
        Nodes { lowering }
    }

    /// The absolute span of the node `e` names, if it is a node of the file.
    fn span(&self, e: u64) -> Option<TextRange> {
        self.lowering.span(e)
    }
}

/// Turns rows into findings on the file. Rows whose first value is not a node of the file (a
/// rule matching a core-library entity) are dropped; so are repeated rows for one node.
pub(super) fn findings(rule: &Rule, rows: &Rows, nodes: &Nodes<'_>, text: &Rope) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    let message = pieces(&rule.message, &rule.columns).unwrap_or_default();
    let replace = rule
        .fix
        .as_ref()
        .map(|f| (f, pieces(&f.replace, &rule.columns).unwrap_or_default()));
    for row in rows {
        let Some(range) = row.first().and_then(|v| span(nodes, v)) else {
            continue;
        };
        if out.last().is_some_and(|f| f.range == range) {
            continue;
        }
        let message = render(&message, |n| {
            row.get(n).map(Value::to_string).unwrap_or_default()
        });
        let fix = replace.as_ref().map(|(fix, template)| Fix {
            title: fix.title.clone(),
            edits: vec![Edit {
                range,
                text: render(template, |n| {
                    row.get(n)
                        .map(|v| source_text(nodes, text, v))
                        .unwrap_or_default()
                }),
            }],
        });
        out.push(Finding {
            range,
            severity: rule.severity,
            rule: rule.id.clone(),
            message,
            fix,
        });
    }
    out
}

fn span(nodes: &Nodes<'_>, value: &Value) -> Option<TextRange> {
    let Value::Int(e) = value else { return None };
    nodes.span(u64::try_from(*e).ok()?)
}

fn render(template: &[Piece<'_>], value: impl Fn(usize) -> String) -> String {
    let mut out = String::new();
    for piece in template {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Var(n) => out.push_str(&value(*n)),
        }
    }
    out
}

/// A value as a fix inserts it: a node's source text, any other value as EDN.
fn source_text(nodes: &Nodes<'_>, text: &Rope, value: &Value) -> String {
    span(nodes, value)
        .and_then(|r| text.get_byte_slice(usize::from(r.start())..usize::from(r.end())))
        .map_or_else(|| value.to_string(), |slice| slice.to_string())
}
