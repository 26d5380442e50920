//! Refactorings as queries over a file's datoms and forms plus rewrites of its text: rename,
//! `->`/`->>` threading and back, inlining a `let` binding. Each is a function from a file's
//! text, a cursor offset and parameters to text edits, or a reason it does not apply.
//!
//! Safety is checked on the result where that is exact: a rename relowers the forms it edits
//! (incrementally: the others keep their datoms) and requires every variable of the forms that
//! changed to resolve as before, so a name that would capture another variable or be captured
//! (by a local, a definition, a special form) is refused.
//!
//! This module knows text, forms and datoms; nothing of LSP (the server turns edits into a
//! `WorkspaceEdit`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use edn::{Entity, Value};
use syntax::datoms::{NODE_BITS, slot_of};
use syntax::file::{FileLowering, TopForm};
use syntax::reader::read_str;
use syntax::{Form, FormKind, NodeKind, TextRange, TextSize};

use crate::edit::{Edit, apply_edits};
use crate::source::SourceFile;

/// Why a refactoring cannot be done here.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RefactorError {
    #[error("{0}")]
    NotApplicable(String),
    #[error("`{0}` is not a valid name")]
    InvalidName(String),
    /// The rewrite would change what a variable refers to; `range` is that variable's in the
    /// original text.
    #[error("renaming to `{name}` would change what the symbol at {range:?} refers to")]
    Capture { name: String, range: TextRange },
}

fn not_applicable(message: &str) -> RefactorError {
    RefactorError::NotApplicable(message.to_owned())
}

/// What scope resolution says about one node: its type, resolution and binding.
type Resolution = (Option<Value>, Option<Value>, Option<Value>);

/// Each node's resolution in one form, by node index. Bindings to other forms' nodes are
/// named through `slot`, which maps a form's slot to the one to compare under.
fn form_resolutions(form: &TopForm, slot: impl Fn(u32) -> u32) -> BTreeMap<Entity, Resolution> {
    let mut out: BTreeMap<Entity, Resolution> = BTreeMap::new();
    for d in form.datoms() {
        let node = d.e & ((1 << NODE_BITS) - 1);
        let entry = out.entry(node).or_default();
        match d.a.as_str() {
            "yin/type" => entry.0 = Some(d.v),
            "yin/resolution" => entry.1 = Some(d.v),
            "yin/binding" => {
                let v = match as_entity(&d.v) {
                    Some(e) if slot_of(e) != 0 => {
                        let moved = (u64::from(slot(slot_of(e))) << NODE_BITS)
                            | (e & ((1 << NODE_BITS) - 1));
                        Value::Int(i64::try_from(moved).unwrap_or(-1))
                    }
                    _ => d.v,
                };
                entry.2 = Some(v);
            }
            _ => {}
        }
    }
    out
}

/// An attribute of the node `e`, read from its own form's datoms.
fn attr(lowering: &FileLowering, e: Entity, name: &str) -> Option<Value> {
    let (form, _) = lowering.node(e)?;
    form.datoms()
        .find(|d| d.e == e && d.a.as_str() == name)
        .map(|d| d.v)
}

fn as_entity(v: &Value) -> Option<Entity> {
    match v {
        Value::Int(i) => Entity::try_from(*i).ok(),
        _ => None,
    }
}

/// Renames the local or global at `offset` (a use or its binder) and every reference to it.
pub fn rename(text: &str, offset: TextSize, new_name: &str) -> Result<Vec<Edit>, RefactorError> {
    rename_in(&SourceFile::from_text(text), offset, new_name)
}

/// [`rename`] on a file already lowered: the file is not lowered again, and the check relowers
/// only the forms the rename edits (and those it relinks) and compares only them.
pub fn rename_in(
    file: &SourceFile,
    offset: TextSize,
    new_name: &str,
) -> Result<Vec<Edit>, RefactorError> {
    let (forms, diagnostics) = read_str(new_name);
    let valid = diagnostics.is_empty()
        && matches!(forms.as_slice(), [Form { kind: FormKind::Symbol(s), .. }]
            if s.as_str() == new_name && !new_name.contains('/'));
    if !valid {
        return Err(RefactorError::InvalidName(new_name.to_owned()));
    }
    let lowering = file.lowering();
    let at = lowering
        .entity_at(offset)
        .ok_or_else(|| not_applicable("no symbol here"))?;
    let kind = attr(lowering, at, "yin/type");
    let is = |k: &str| matches!(&kind, Some(Value::Keyword(t)) if t.as_str() == k);
    let binder = if is("binder") {
        at
    } else if is("def") {
        attr(lowering, at, "yin/binder")
            .as_ref()
            .and_then(as_entity)
            .ok_or_else(|| not_applicable("no name here"))?
    } else if is("variable") {
        let resolution = attr(lowering, at, "yin/resolution");
        let local_or_global = matches!(&resolution, Some(Value::Keyword(k))
            if k.as_str() == "local" || k.as_str() == "global");
        if !local_or_global {
            return Err(not_applicable(
                "only locals and definitions of this file can be renamed",
            ));
        }
        attr(lowering, at, "yin/binding")
            .as_ref()
            .and_then(as_entity)
            .ok_or_else(|| not_applicable("this symbol is bound nowhere"))?
    } else {
        return Err(not_applicable("no symbol here"));
    };
    let binder_value = Value::Int(i64::try_from(binder).unwrap_or(-1));
    // The binder's own form holds it and its local uses; another form refers to it only
    // through its links, so only forms linking to the binder's slot are read.
    let binder_slot = slot_of(binder);
    let mut targets = Vec::new();
    for form in lowering.forms() {
        if form.slot == binder_slot || form.linked_slots().any(|slot| slot == binder_slot) {
            let uses = form
                .datoms()
                .filter(|d| d.a.as_str() == "yin/binding" && d.v == binder_value)
                .map(|d| d.e);
            let own = (form.slot == binder_slot).then_some(binder);
            // Spans are taken here, from the form at hand: finding a form by its slot walks
            // the file's forms.
            targets.extend(own.into_iter().chain(uses).filter_map(|e| {
                let index = usize::try_from(e & ((1 << NODE_BITS) - 1)).ok()?;
                let id = form.ast.id_at(index)?;
                Some(form.ast.node(id).span + form.range().start())
            }));
        }
    }
    let mut edits: Vec<Edit> = targets
        .into_iter()
        .map(|range| Edit {
            range,
            text: new_name.to_owned(),
        })
        .collect();
    edits.sort_by_key(|e| e.range.start());
    edits.dedup_by_key(|e| e.range);
    let old_name = lowering
        .node(binder)
        .and_then(|(form, id)| match &form.ast.node(id).kind {
            NodeKind::Binder(symbol) => Some(symbol.as_str().to_owned()),
            _ => None,
        })
        .ok_or_else(|| not_applicable("no name here"))?;
    let capture = |range: TextRange| RefactorError::Capture {
        name: new_name.to_owned(),
        range,
    };
    let at_range = lowering.span(at).unwrap_or_default();
    let checked = match Excerpt::of(file, &edits, &[&old_name, new_name]) {
        Some(excerpt) => {
            check_renamed(&excerpt.file, &excerpt.edits).map_err(|refused| match refused {
                Refused::Changed(range) => Refused::Changed(excerpt.original(range)),
                other => other,
            })
        }
        None => check_renamed(file, &edits),
    };
    match checked {
        Ok(()) => Ok(edits),
        Err(Refused::Edit(message)) => Err(not_applicable(&message)),
        Err(Refused::Unpaired) => Err(capture(at_range)),
        Err(Refused::Changed(range)) => Err(capture(range)),
    }
}

/// The forms a rename can change, alone in a file of their own, with the rename's edits moved
/// into it. A variable's resolution depends on its form's text and, for a global, on the first
/// `def` of its name in the file. The renamed forms change text; the old and the new name are
/// the only ones whose definitions move; so the forms that hold an edit or mention either name
/// resolve alike here and in the whole file before the rename, and alike after, except for
/// names no excerpted form defines, which resolve alike (to nothing here) before and after.
/// Comparing before and after here is then the whole file's comparison at the cost of the
/// forms that matter.
struct Excerpt {
    file: SourceFile,
    edits: Vec<Edit>,
    /// Per excerpted form: its start in the excerpt and in the file.
    starts: Vec<(TextSize, TextSize)>,
}

impl Excerpt {
    /// `None` when the forms do not read alike on their own (a broken file's forms may not),
    /// and the whole file must be checked.
    fn of(file: &SourceFile, edits: &[Edit], names: &[&str]) -> Option<Excerpt> {
        let forms = file.lowering().forms();
        let rope = file.document().rope();
        let mut pending = edits.iter().peekable();
        let mut text = String::new();
        let mut starts = Vec::new();
        let mut moved: Vec<(TextSize, &Edit)> = Vec::new();
        let mut lengths = Vec::new();
        for form in forms {
            let range = form.range();
            let mut edited = false;
            while let Some(&edit) = pending.peek() {
                if edit.range.start() >= range.end() {
                    break;
                }
                if !range.contains_range(edit.range) {
                    return None;
                }
                edited = true;
                let start = TextSize::try_from(text.len()).ok()?
                    + TextSize::from(u32::from(edit.range.start() - range.start()));
                moved.push((start, edit));
                pending.next();
            }
            if !(edited || mentions(&form, names)) {
                continue;
            }
            let at = TextSize::try_from(text.len()).ok()?;
            starts.push((at, range.start()));
            lengths.push(range.len());
            let slice =
                rope.get_byte_slice(usize::from(range.start())..usize::from(range.end()))?;
            text.extend(slice.chunks());
            text.push('\n');
        }
        if pending.next().is_some() {
            return None;
        }
        let excerpt = SourceFile::from_text(&text);
        let read = excerpt.lowering().forms();
        let alike = read.len() == starts.len()
            && read
                .iter()
                .zip(&starts)
                .zip(&lengths)
                .all(|((form, (at, _)), len)| form.range() == TextRange::at(*at, *len));
        if !alike {
            return None;
        }
        let edits = moved
            .into_iter()
            .map(|(start, edit)| Edit {
                range: TextRange::at(start, edit.range.len()),
                text: edit.text.clone(),
            })
            .collect();
        Some(Excerpt {
            file: excerpt,
            edits,
            starts,
        })
    }

    /// `range` of the excerpt in the file.
    fn original(&self, range: TextRange) -> TextRange {
        let i = self
            .starts
            .partition_point(|(at, _)| *at <= range.start())
            .saturating_sub(1);
        match self.starts.get(i) {
            Some(&(at, start)) => range - at + start,
            None => range,
        }
    }
}

/// Whether a variable or binder of `form` has one of `names`.
fn mentions(form: &TopForm, names: &[&str]) -> bool {
    form.ast.iter().any(|(_, node)| match &node.kind {
        NodeKind::Variable(symbol) | NodeKind::Binder(symbol) => names.contains(&symbol.as_str()),
        _ => false,
    })
}

/// Why [`check_renamed`] refuses a rename.
enum Refused {
    /// The edits could not be applied.
    Edit(String),
    /// The renamed text no longer has the same forms.
    Unpaired,
    /// The variable at this range would resolve differently.
    Changed(TextRange),
}

/// Whether every variable of the forms `edits` change still resolves as before in `file`
/// renamed. The renamed file is relowered incrementally: unchanged forms keep their slots and
/// datoms, so only the forms in the delta can resolve differently.
fn check_renamed(file: &SourceFile, edits: &[Edit]) -> Result<(), Refused> {
    let lowering = file.lowering();
    let mut renamed = file.clone();
    let delta = renamed
        .apply_byte_edits(edits)
        .map_err(|e| Refused::Edit(e.to_string()))?;
    let (before, after) = (lowering.forms(), renamed.lowering().forms());
    if before.len() != after.len() {
        return Err(Refused::Unpaired);
    }
    // A renamed symbol is still one symbol, so the forms pair up in order.
    let slots: HashMap<u32, u32> = after
        .iter()
        .zip(before)
        .map(|(a, b)| (a.slot, b.slot))
        .collect();
    let touched: BTreeSet<u32> = delta
        .retracted
        .iter()
        .chain(&delta.asserted)
        .map(|d| slot_of(d.e))
        .collect();
    for (old, new) in before.iter().zip(after) {
        if !(touched.contains(&old.slot) || touched.contains(&new.slot)) {
            continue;
        }
        let was = form_resolutions(&old, |s| s);
        let is_now = form_resolutions(&new, |s| slots.get(&s).copied().unwrap_or(s));
        let differs = was
            .iter()
            .find(|(node, r)| is_now.get(node) != Some(r))
            .map(|(node, _)| *node)
            .or_else(|| is_now.keys().find(|n| !was.contains_key(n)).copied());
        if let Some(node) = differs {
            let e = (u64::from(old.slot) << NODE_BITS) | node;
            return Err(Refused::Changed(lowering.span(e).unwrap_or_default()));
        }
    }
    Ok(())
}

/// Heads that are special forms or macros, never threaded through.
const SPECIAL: &[&str] = &[
    "def", "defn", "defmacro", "fn", "let", "loop", "recur", "if", "when", "when-not", "cond",
    "do", "and", "or", "quote", "->", "->>",
];

fn slice(text: &str, range: TextRange) -> &str {
    text.get(usize::from(range.start())..usize::from(range.end()))
        .unwrap_or_default()
}

/// The forms containing `offset`, outermost first.
fn path(forms: &[Form], offset: TextSize) -> Vec<&Form> {
    let mut out = Vec::new();
    let mut level: Vec<&Form> = forms.iter().collect();
    while let Some(form) = level
        .into_iter()
        .find(|f| f.span.contains_inclusive(offset))
    {
        out.push(form);
        level = match &form.kind {
            FormKind::List(xs) | FormKind::Vector(xs) | FormKind::Set(xs) => xs.iter().collect(),
            FormKind::Map(entries) => entries.iter().flat_map(|(k, v)| [k, v]).collect(),
            _ => Vec::new(),
        };
    }
    out
}

/// A call `(f args...)` whose head is a symbol that is no special form.
fn call(form: &Form) -> Option<&[Form]> {
    match &form.kind {
        FormKind::List(xs) => match xs.first() {
            Some(Form {
                kind: FormKind::Symbol(s),
                ..
            }) if xs.len() >= 2 && !SPECIAL.contains(&s.as_str()) => Some(xs),
            _ => None,
        },
        _ => None,
    }
}

/// Rewrites nested calls at `offset` into a threading form: `(f (g x) a)` becomes
/// `(-> x g (f a))` (`last` false), or with `->>` through the last argument (`last` true).
pub fn thread(text: &str, offset: TextSize, last: bool) -> Result<Vec<Edit>, RefactorError> {
    let (forms, _) = read_str(text);
    let through = |xs: &[Form]| if last { xs.len() - 1 } else { 1 };
    let nested = |f: &Form| call(f).is_some_and(|xs| call(&xs[through(xs)]).is_some());
    // The innermost nested call at the cursor, then up while it is what its parent threads.
    let path = path(&forms, offset);
    let mut i = path
        .iter()
        .rposition(|f| nested(f))
        .ok_or_else(|| not_applicable("no nested calls here"))?;
    while i > 0 && call(path[i - 1]).is_some_and(|xs| xs[through(xs)].span == path[i].span) {
        i -= 1;
    }
    let outer = path[i];
    let mut steps = Vec::new();
    let mut node = outer;
    while let Some(xs) = call(node) {
        let k = through(xs);
        let others: Vec<&str> = xs
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != k)
            .map(|(_, f)| slice(text, f.span))
            .collect();
        steps.push(if others.len() == 1 {
            others[0].to_owned()
        } else {
            format!("({})", others.join(" "))
        });
        node = &xs[k];
    }
    steps.push(slice(text, node.span).to_owned());
    steps.push(if last { "->>" } else { "->" }.to_owned());
    steps.reverse();
    Ok(vec![Edit {
        range: outer.span,
        text: format!("({})", steps.join(" ")),
    }])
}

/// Rewrites the `->` or `->>` form at `offset` into nested calls.
pub fn unthread(text: &str, offset: TextSize) -> Result<Vec<Edit>, RefactorError> {
    let (forms, _) = read_str(text);
    let arrow = |f: &Form| match &f.kind {
        FormKind::List(xs) => matches!(xs.first(), Some(Form { kind: FormKind::Symbol(s), .. })
            if (s.as_str() == "->" || s.as_str() == "->>") && xs.len() >= 2),
        _ => false,
    };
    let form = path(&forms, offset)
        .into_iter()
        .rfind(|f| arrow(f))
        .ok_or_else(|| not_applicable("no -> or ->> form here"))?;
    let FormKind::List(xs) = &form.kind else {
        return Err(not_applicable("no -> or ->> form here"));
    };
    let last = matches!(&xs[0].kind, FormKind::Symbol(s) if s.as_str() == "->>");
    let mut acc = slice(text, xs[1].span).to_owned();
    for step in &xs[2..] {
        acc = match &step.kind {
            FormKind::List(parts) if !parts.is_empty() => {
                let mut items: Vec<String> = parts
                    .iter()
                    .map(|p| slice(text, p.span).to_owned())
                    .collect();
                if last {
                    items.push(acc);
                } else {
                    items.insert(1, acc);
                }
                format!("({})", items.join(" "))
            }
            _ => format!("({} {acc})", slice(text, step.span)),
        };
    }
    Ok(vec![Edit {
        range: form.span,
        text: acc,
    }])
}

/// Replaces every use of the `let` binding at `offset` (its name or a use) with its value and
/// removes the binding; a `let` left without bindings becomes its body. Refused when a name the
/// value reads is bound again inside the `let` (the copy could be captured).
pub fn inline_let(text: &str, offset: TextSize) -> Result<Vec<Edit>, RefactorError> {
    let lowering = FileLowering::from_text(text);
    let datoms = lowering.datoms();
    let get = |e: Entity, a: &str| {
        datoms
            .iter()
            .find(|d| d.e == e && d.a.as_str() == a)
            .map(|d| d.v.clone())
    };
    let at = lowering
        .entity_at(offset)
        .ok_or_else(|| not_applicable("no let binding here"))?;
    let binder = match get(at, "yin/binder-kind") {
        Some(_) => at,
        None => get(at, "yin/binding")
            .as_ref()
            .and_then(as_entity)
            .ok_or_else(|| not_applicable("no let binding here"))?,
    };
    let is_let =
        matches!(get(binder, "yin/binder-kind"), Some(Value::Keyword(k)) if k.as_str() == "let");
    if !is_let {
        return Err(not_applicable("only let bindings can be inlined"));
    }
    let binder_value = Value::Int(i64::try_from(binder).unwrap_or(-1));
    let let_node = datoms
        .iter()
        .find(|d| d.a.as_str() == "yin/bindings" && d.v == binder_value)
        .map(|d| d.e)
        .ok_or_else(|| not_applicable("no let binding here"))?;
    let span = |e: Entity| lowering.span(e).unwrap_or_default();
    let init = get(binder, "yin/init")
        .as_ref()
        .and_then(as_entity)
        .ok_or_else(|| not_applicable("the binding has no value"))?;
    let (let_span, init_span, name_span) = (span(let_node), span(init), span(binder));
    let init_text = slice(text, init_span);

    // Names the value reads, and binders inside the let after the value.
    let entities: Vec<Entity> = datoms.iter().map(|d| d.e).collect();
    let read: Vec<Value> = entities
        .iter()
        .filter(|&&e| init_span.contains_range(span(e)))
        .filter(|&&e| get(e, "yin/resolution").is_some())
        .filter_map(|&e| get(e, "yin/name"))
        .collect();
    let capture = entities.iter().find(|&&e| {
        e != binder
            && get(e, "yin/binder-kind").is_some()
            && let_span.contains_range(span(e))
            && span(e).start() >= init_span.end()
            && get(e, "yin/name").is_some_and(|n| read.contains(&n))
    });
    if let Some(&e) = capture {
        return Err(not_applicable(&format!(
            "{} is bound again inside the let: the inlined value would read that one",
            get(e, "yin/name")
                .map(|n| n.to_string())
                .unwrap_or_default()
        )));
    }

    let relative = |r: TextRange| r - let_span.start();
    let mut edits: Vec<Edit> = datoms
        .iter()
        .filter(|d| d.a.as_str() == "yin/binding" && d.v == binder_value)
        .map(|d| Edit {
            range: relative(span(d.e)),
            text: init_text.to_owned(),
        })
        .collect();
    // The pair and the blank after it, up to the next binding or the closing bracket.
    let after = text
        .get(usize::from(init_span.end())..)
        .map_or(0, |rest| rest.len() - rest.trim_start().len());
    let gap = TextSize::from(u32::try_from(after).unwrap_or(0));
    edits.push(Edit {
        range: relative(TextRange::new(name_span.start(), init_span.end() + gap)),
        text: String::new(),
    });
    let region = apply_edits(slice(text, let_span), &edits);
    Ok(vec![Edit {
        range: let_span,
        text: without_empty_let(&region),
    }])
}

/// `(let [] x)` as `x`, `(let [] x y)` as `(do x y)`; any other text unchanged.
fn without_empty_let(region: &str) -> String {
    let (forms, _) = read_str(region);
    let Some(Form {
        kind: FormKind::List(xs),
        ..
    }) = forms.first()
    else {
        return region.to_owned();
    };
    let empty = matches!(xs.get(1), Some(Form { kind: FormKind::Vector(v), .. }) if v.is_empty());
    let is_let =
        matches!(xs.first(), Some(Form { kind: FormKind::Symbol(s), .. }) if s.as_str() == "let");
    if !(is_let && empty) {
        return region.to_owned();
    }
    let body: Vec<&str> = xs[2..].iter().map(|f| slice(region, f.span)).collect();
    match body.as_slice() {
        [one] => (*one).to_owned(),
        _ => format!("(do {})", body.join(" ")),
    }
}

/// Attributes from a node to its children.
const CHILD: &[&str] = &[
    "yin/elements",
    "yin/keys",
    "yin/vals",
    "yin/operator",
    "yin/operands",
    "yin/test",
    "yin/consequent",
    "yin/alternate",
    "yin/body",
    "yin/bindings",
    "yin/init",
    "yin/binder",
    "yin/arities",
    "yin/params",
    "yin/rest",
    "yin/fn-name",
    "yin/parts",
];

/// Binds the expression selected by `range` to `name` in a new `let` and uses `name` in its
/// place. The `let` wraps the largest form around the expression that evaluates it
/// unconditionally and binds nothing (calls, collection literals, an `if`'s test), so the value
/// is computed exactly when it was and sees the same locals. Refused when `name` already occurs
/// in that form.
pub fn extract_to_let(
    text: &str,
    range: TextRange,
    name: &str,
) -> Result<Vec<Edit>, RefactorError> {
    let (forms, diagnostics) = read_str(name);
    let valid = diagnostics.is_empty()
        && matches!(forms.as_slice(), [Form { kind: FormKind::Symbol(s), .. }]
            if s.as_str() == name && !name.contains('/'));
    if !valid {
        return Err(RefactorError::InvalidName(name.to_owned()));
    }
    let selected = slice(text, range);
    let start = range.start()
        + TextSize::from(u32::try_from(selected.len() - selected.trim_start().len()).unwrap_or(0));
    let end = range.end()
        - TextSize::from(u32::try_from(selected.len() - selected.trim_end().len()).unwrap_or(0));
    let lowering = FileLowering::from_text(text);
    let datoms = lowering.datoms();
    let get = |e: Entity, a: &str| {
        datoms
            .iter()
            .find(|d| d.e == e && d.a.as_str() == a)
            .map(|d| d.v.clone())
    };
    let kind = |e: Entity| match get(e, "yin/type") {
        Some(Value::Keyword(k)) => k.as_str().to_owned(),
        _ => String::new(),
    };
    let expression = datoms
        .iter()
        .map(|d| d.e)
        .filter(|&e| lowering.span(e) == Some(TextRange::new(start, end.max(start))))
        .filter(|&e| !matches!(kind(e).as_str(), "binder" | "arity" | "core"))
        .filter(|&e| get(e, "yin/surface").is_none())
        .max()
        .ok_or_else(|| not_applicable("select a whole expression"))?;
    let parent = |e: Entity| {
        let target = Value::Int(i64::try_from(e).unwrap_or(-1));
        datoms
            .iter()
            .find(|d| d.v == target && CHILD.contains(&d.a.as_str()))
            .map(|d| (d.e, d.a.as_str().to_owned()))
    };
    let mut wrapped = expression;
    while let Some((p, via)) = parent(wrapped) {
        let strict = match kind(p).as_str() {
            "application" | "vector" | "set" | "map" | "recur" => true,
            "if" => via == "yin/test",
            _ => false,
        };
        if !strict || get(p, "yin/surface").is_some() {
            break;
        }
        wrapped = p;
    }
    let outer = lowering.span(wrapped).unwrap_or_default();
    let inner = lowering.span(expression).unwrap_or_default();
    let symbol = Value::Symbol(edn::Symbol::new(name));
    let clash = datoms.iter().any(|d| {
        d.a.as_str() == "yin/name"
            && d.v == symbol
            && lowering.span(d.e).is_some_and(|r| outer.contains_range(r))
    });
    if clash {
        return Err(not_applicable(&format!(
            "{name} is already used where the let would go"
        )));
    }
    let body = apply_edits(
        slice(text, outer),
        &[Edit {
            range: inner - outer.start(),
            text: name.to_owned(),
        }],
    );
    Ok(vec![Edit {
        range: outer,
        text: format!("(let [{name} {}] {body})", slice(text, inner)),
    }])
}
