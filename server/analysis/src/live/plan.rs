//! The dependency plan: which top-level definitions a form needs loaded before it runs, and in
//! which order (docs/lsp.md, "Live evaluation").
//!
//! Two Datalog queries do the work. The first reads one file's AST datoms and says, per
//! top-level form, which global names it references and which name it defines ([`summarize`]);
//! its answer is cached per file version, so an evaluation in an unchanged workspace costs no
//! datoms at all. The second runs over those summaries, and the resolution of each name to one
//! definition (the contract's order: the evaluated form's file, the last definition above the
//! form there; then the open documents, then the workspace's files, in path order), and closes
//! the needed set with a recursive rule ([`CLOSURE_RULES`]). When the answer names a global no
//! known file defines, the host's `find` callback names the workspace files that define it
//! (the symbol index), they are read, summarised, and the query runs again.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::convert::Infallible;
use std::hash::{Hash, Hasher};

use datalog::{Budget, Db, Inputs, Query, Rules};
use edn::{Datom, Entity, Keyword, Symbol, Value};
use syntax::TextRange;
use syntax::datoms::slot_of;

use crate::SourceFile;

/// Per-form facts of one file's datoms.
///
/// ```text
/// ;; 1. A form references a global name: a variable not bound locally, not the core library's.
/// refs(?v, ?name) :- [?v :yin/type :variable], [?v :yin/name ?name],
///                    not [?v :yin/resolution :local], not [?v :yin/resolution :core].
/// ;; 2. A top-level form defines the name of its root `def`.
/// defs(?root, ?name) :- [?root :yin/top-level true], [?root :yin/type :def], [?root :yin/name ?name].
/// ;;    And a top-level call of a `def...` macro defines its first argument (`(deftest t ...)`
/// ;;    expands to a `def` the datoms, lowered without expanding macros, cannot show).
/// defs(?root, ?name) :- [?root :yin/top-level true], [?root :yin/operator ?op],
///                       [?op :yin/name ?m], [(name ?m) ?s], [(starts-with? ?s "def")],
///                       [?root :yin/operands ?a], [?a :yin/index 0], [?a :yin/name ?name].
/// ;; 3. A macro's expansion may call what its body quotes (`(list 'helper ...)`, and every
/// ;;    symbol of a syntax-quote, which reads as such quotes): a `defmacro` form references
/// ;;    the symbols quoted in it.
/// quoted(?q, ?name) :- [?q :yin/type :quote], [?q :yin/value ?name].   ; ?name a symbol
/// macros(?root) :- [?root :yin/top-level true], [?root :yin/macro true].
/// ```
/// The entity of a variable names its top-level form (its slot, docs/datoms.md).
const REFS_QUERY: &str = "[:find ?v ?name :where [?v :yin/type :variable] [?v :yin/name ?name]
  (not [?v :yin/resolution :local]) (not [?v :yin/resolution :core])]";
const QUOTED_QUERY: &str = "[:find ?q ?name :where [?q :yin/type :quote] [?q :yin/value ?name]]";
const MACROS_QUERY: &str =
    "[:find ?root :where [?root :yin/top-level true] [?root :yin/macro true]]";
const MACRO_DEFS_QUERY: &str = "[:find ?root ?name :where [?root :yin/top-level true]
  [?root :yin/operator ?op] [?op :yin/name ?m] [(name ?m) ?s] [(starts-with? ?s \"def\")]
  [?root :yin/operands ?a] [?a :yin/index 0] [?a :yin/name ?name]]";
const DEFS_QUERY: &str = "[:find ?root ?name :where [?root :yin/top-level true] [?root :yin/type :def] [?root :yin/name ?name]]";

/// The closure over the summaries. `?f` and `?d` are forms, `?name` a global's name.
///
/// ```text
/// ;; 1. The evaluated forms are needed.
/// needs(?f) :- [?f :plan/target true].
/// ;; 2. The definition a needed form's reference resolves to is needed (transitively:
/// ;;    through calls, macro uses and global references alike, since all are names).
/// needs(?d) :- needs(?f), [?f :plan/refs ?name], [?d :plan/resolves ?name].
/// ```
pub const CLOSURE_RULES: &str = "[[(needs ?f) [?f :plan/target true]]
 [(needs ?d) (needs ?f) [?f :plan/refs ?name] [?d :plan/resolves ?name]]]";
/// The needed definitions, other than the evaluated forms.
const NEEDED_QUERY: &str =
    "[:find ?d :in $ % :where (needs ?d) [?d :plan/resolves _] (not [?d :plan/target true])]";
/// References of needed forms that nothing known defines: the names to look for on disk.
const MISSING_QUERY: &str = "[:find ?name :in $ % :where (needs ?f) [?f :plan/refs ?name]
  (not [_ :plan/resolves ?name])]";

/// What a top-level form references and defines.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FormSummary {
    pub range: TextRange,
    /// The global name its root `def` defines (`def`, `defn`, `defmacro`).
    pub defines: Option<String>,
    /// Global names it references, sorted, without duplicates.
    pub refs: Vec<String>,
}

/// Why a plan could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("the dependency query failed: {0}")]
    Query(#[from] datalog::Error),
}

/// The summaries of every top-level form of `file`, in file order.
pub fn summarize(file: &SourceFile) -> Result<Vec<FormSummary>, PlanError> {
    let forms = file.lowering().forms();
    let mut by_slot: HashMap<u32, usize> = HashMap::with_capacity(forms.len());
    let mut summaries: Vec<FormSummary> = forms
        .iter()
        .enumerate()
        .map(|(i, form)| {
            by_slot.insert(form.slot, i);
            FormSummary {
                range: form.range(),
                ..FormSummary::default()
            }
        })
        .collect();
    let db = Db::from_datoms(
        forms
            .iter()
            .flat_map(|form| form.datoms().collect::<Vec<_>>()),
    );
    let budget = Budget::default();
    let inputs = Inputs::new();
    for row in db.query(&Query::parse(REFS_QUERY)?, &inputs, &budget)?.rows {
        if let (Some(i), Some(name)) = (form_of(&by_slot, &row), name_of(&row))
            && let Some(summary) = summaries.get_mut(i)
        {
            summary.refs.push(name);
        }
    }
    let mut defs = db
        .query(&Query::parse(MACRO_DEFS_QUERY)?, &inputs, &budget)?
        .rows;
    defs.extend(db.query(&Query::parse(DEFS_QUERY)?, &inputs, &budget)?.rows);
    for row in defs {
        if let (Some(i), Some(name)) = (form_of(&by_slot, &row), name_of(&row))
            && let Some(summary) = summaries.get_mut(i)
        {
            summary.defines = Some(name);
        }
    }
    let macros: HashSet<usize> = db
        .query(&Query::parse(MACROS_QUERY)?, &inputs, &budget)?
        .rows
        .iter()
        .filter_map(|row| form_of(&by_slot, row))
        .collect();
    if !macros.is_empty() {
        for row in db
            .query(&Query::parse(QUOTED_QUERY)?, &inputs, &budget)?
            .rows
        {
            if let (Some(i), Some(name)) = (form_of(&by_slot, &row), name_of(&row))
                && macros.contains(&i)
                && let Some(summary) = summaries.get_mut(i)
            {
                summary.refs.push(name);
            }
        }
    }
    for summary in &mut summaries {
        summary.refs.sort();
        summary.refs.dedup();
    }
    Ok(summaries)
}

/// The summary of a text evaluated on its own (an inner form, a selection, a rich comment's
/// child): lowered by itself, its file's locals are unknown and read as globals, which at worst
/// looks for a definition that does not exist.
pub fn summarize_text(text: &str, range: TextRange) -> Result<FormSummary, PlanError> {
    let file = SourceFile::from_text(text);
    let forms = summarize(&file)?;
    let mut refs: Vec<String> = forms.iter().flat_map(|f| f.refs.clone()).collect();
    refs.sort();
    refs.dedup();
    Ok(FormSummary {
        range,
        // Only a single form defines what it is recorded as: a selection of several does not.
        defines: match forms.as_slice() {
            [one] => one.defines.clone(),
            _ => None,
        },
        refs,
    })
}

fn form_of(by_slot: &HashMap<u32, usize>, row: &[Value]) -> Option<usize> {
    match row.first()? {
        Value::Int(e) => by_slot.get(&slot_of(u64::try_from(*e).ok()?)).copied(),
        _ => None,
    }
}

fn name_of(row: &[Value]) -> Option<String> {
    match row.get(1)? {
        Value::Symbol(s) => Some(s.as_str().to_owned()),
        _ => None,
    }
}

/// A file the plan reads, with its summaries.
#[derive(Clone, Debug)]
pub struct PlanFile {
    /// The host's key for it (a URI).
    pub key: String,
    /// The document version for an open document; `None` for a file read from disk.
    pub version: Option<i32>,
    pub file: SourceFile,
    pub forms: Vec<FormSummary>,
}

/// A form to evaluate, with what it references.
#[derive(Clone, Debug)]
pub struct PlanTarget {
    pub summary: FormSummary,
}

/// A definition to load: which file, which form, its text and the hash of that text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Load {
    pub key: String,
    pub version: Option<i32>,
    pub name: String,
    pub range: TextRange,
    pub text: String,
    pub hash: u64,
    /// `shapes.yin:12:1`: the file's last path segment and the form's 1-based line and column.
    pub label: String,
}

/// The hash that says whether a definition changed since the session loaded it.
pub fn text_hash(text: &str) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

/// The definitions `targets` (forms of `files[0]`, starting at `anchor`) need, in load order.
/// `files` are the evaluated form's file first, then the open documents in key order;
/// `find(name)` reads the workspace's other files that define `name` (path order), summarised.
pub fn plan(
    mut files: Vec<PlanFile>,
    targets: &[PlanTarget],
    anchor: syntax::TextSize,
    find: &mut dyn FnMut(&str) -> Vec<PlanFile>,
) -> Result<Vec<Load>, PlanError> {
    let rules = Rules::parse(CLOSURE_RULES)?;
    let needed_query = Query::parse(NEEDED_QUERY)?;
    let missing_query = Query::parse(MISSING_QUERY)?;
    let inputs = Inputs::new().rules(rules);
    let budget = Budget::default();
    let mut looked_up: HashSet<String> = HashSet::new();
    loop {
        let resolution = resolve(&files, anchor);
        let db = Db::from_datoms(facts(&files, targets, &resolution));
        let missing: Vec<String> = db
            .query(&missing_query, &inputs, &budget)?
            .rows
            .iter()
            .filter_map(|row| match row.first() {
                Some(Value::Symbol(s)) => Some(s.as_str().to_owned()),
                _ => None,
            })
            .filter(|name| looked_up.insert(name.clone()))
            .collect();
        let mut added = false;
        for name in missing {
            for found in find(&name) {
                if !files.iter().any(|f| f.key == found.key) {
                    files.push(found);
                    added = true;
                }
            }
        }
        if added {
            continue;
        }
        let needed: HashSet<FormId> = db
            .query(&needed_query, &inputs, &budget)?
            .rows
            .iter()
            .filter_map(|row| match row.first() {
                Some(Value::Int(e)) => u64::try_from(*e).ok().map(FormId::from_entity),
                _ => None,
            })
            .collect();
        return Ok(order(&files, &needed, &resolution));
    }
}

/// A form of a plan's files: the file's index and the form's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct FormId {
    file: u32,
    form: u32,
}

impl FormId {
    /// Targets are numbered in a file index no plan file has.
    const TARGETS: u32 = u32::MAX;

    fn entity(self) -> Entity {
        (u64::from(self.file) << 32) | u64::from(self.form)
    }

    fn from_entity(e: Entity) -> FormId {
        FormId {
            file: u32::try_from(e >> 32).unwrap_or(u32::MAX),
            form: u32::try_from(e & u64::from(u32::MAX)).unwrap_or(u32::MAX),
        }
    }
}

/// Each defined name's one definition, by the contract's order.
fn resolve(files: &[PlanFile], anchor: syntax::TextSize) -> BTreeMap<String, FormId> {
    let mut chosen: BTreeMap<String, FormId> = BTreeMap::new();
    // Later files first, so that earlier ones (which win) overwrite them; within a file the
    // last definition wins, except in the evaluated form's file, where the last one above the
    // form beats any below it.
    let mut order: Vec<usize> = (1..files.len()).collect();
    order.sort_by(|&a, &b| {
        let rank = |i: usize| (files[i].version.is_none(), files[i].key.clone());
        rank(b).cmp(&rank(a))
    });
    for i in order.into_iter().chain(std::iter::once(0)) {
        let Some(file) = files.get(i) else { continue };
        let mut above: BTreeMap<&str, FormId> = BTreeMap::new();
        for (n, form) in file.forms.iter().enumerate() {
            let Some(name) = &form.defines else { continue };
            let id = FormId {
                file: u32::try_from(i).unwrap_or(u32::MAX),
                form: u32::try_from(n).unwrap_or(u32::MAX),
            };
            chosen.insert(name.clone(), id);
            if i == 0 && form.range.start() < anchor {
                above.insert(name, id);
            }
        }
        for (name, id) in above {
            chosen.insert(name.to_owned(), id);
        }
    }
    chosen
}

fn facts(
    files: &[PlanFile],
    targets: &[PlanTarget],
    resolution: &BTreeMap<String, FormId>,
) -> Vec<Datom> {
    let refs = Keyword::new("plan/refs");
    let resolves = Keyword::new("plan/resolves");
    let target = Keyword::new("plan/target");
    let mut datoms = Vec::new();
    for (i, file) in files.iter().enumerate() {
        for (n, form) in file.forms.iter().enumerate() {
            let id = FormId {
                file: u32::try_from(i).unwrap_or(u32::MAX),
                form: u32::try_from(n).unwrap_or(u32::MAX),
            };
            for name in &form.refs {
                datoms.push(Datom::new(id.entity(), refs.clone(), Symbol::new(name)));
            }
        }
    }
    for (n, t) in targets.iter().enumerate() {
        let id = FormId {
            file: FormId::TARGETS,
            form: u32::try_from(n).unwrap_or(u32::MAX),
        };
        datoms.push(Datom::new(id.entity(), target.clone(), Value::Bool(true)));
        for name in &t.summary.refs {
            datoms.push(Datom::new(id.entity(), refs.clone(), Symbol::new(name)));
        }
    }
    // A target that is itself a form of the evaluated file (a top-level form, or every form
    // for a whole file) is run as a target, not loaded first.
    let target_ranges: HashSet<TextRange> = targets.iter().map(|t| t.summary.range).collect();
    for (name, id) in resolution {
        let is_target = id.file == 0
            && files
                .first()
                .and_then(|f| f.forms.get(id.form as usize))
                .is_some_and(|form| target_ranges.contains(&form.range));
        if is_target {
            // Run as a target, never loaded: marked as one, so the closure still follows its
            // references and the plan leaves it out.
            datoms.push(Datom::new(id.entity(), target.clone(), Value::Bool(true)));
        }
        datoms.push(Datom::new(id.entity(), resolves.clone(), Symbol::new(name)));
    }
    datoms
}

/// The needed definitions in dependency order: each after the definitions it references, a
/// cycle (mutual recursion) in file order. Strongly connected components by Tarjan's
/// algorithm, iteratively, emit each component after the ones it reaches.
fn order(
    files: &[PlanFile],
    needed: &HashSet<FormId>,
    resolution: &BTreeMap<String, FormId>,
) -> Vec<Load> {
    let mut nodes: Vec<FormId> = needed.iter().copied().collect();
    nodes.sort();
    let index_of: HashMap<FormId, usize> = nodes.iter().enumerate().map(|(i, &n)| (n, i)).collect();
    let edges: Vec<Vec<usize>> = nodes
        .iter()
        .map(|id| {
            let mut out: Vec<usize> = summary(files, *id)
                .map(|s| {
                    s.refs
                        .iter()
                        .filter_map(|name| resolution.get(name))
                        .filter_map(|dep| index_of.get(dep).copied())
                        .collect()
                })
                .unwrap_or_default();
            out.sort_unstable();
            out.dedup();
            out
        })
        .collect();
    let Ok(components) = datalog::strongly_connected(&edges, || Ok::<(), Infallible>(()));
    let mut loads = Vec::with_capacity(nodes.len());
    for mut component in components {
        component.sort_unstable();
        for i in component {
            let Some(&id) = nodes.get(i) else { continue };
            if let Some(load) = load_of(files, id) {
                loads.push(load);
            }
        }
    }
    loads
}

fn summary(files: &[PlanFile], id: FormId) -> Option<&FormSummary> {
    files.get(id.file as usize)?.forms.get(id.form as usize)
}

fn load_of(files: &[PlanFile], id: FormId) -> Option<Load> {
    let file = files.get(id.file as usize)?;
    let form = file.forms.get(id.form as usize)?;
    let rope = file.file.document().rope();
    let (start, end) = (
        usize::from(form.range.start()),
        usize::from(form.range.end()),
    );
    let text = rope.get_byte_slice(start..end)?.to_string();
    let at = file.file.line_col(form.range.start());
    let name = file.key.rsplit('/').next().unwrap_or(&file.key);
    Some(Load {
        label: format!("{name}:{}:{}", at.line + 1, at.column + 1),
        key: file.key.clone(),
        version: file.version,
        name: form.defines.clone()?,
        range: form.range,
        hash: text_hash(&text),
        text,
    })
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;

    /// The plan for the top-level form at the end of `text`, as `name@line` in load order.
    fn check(text: &str, expect: Expect) {
        let file = SourceFile::from_text(text);
        let forms = summarize(&file).expect("summaries");
        let last = forms.last().expect("a form").clone();
        let files = vec![PlanFile {
            key: "file:///w/a.yin".to_owned(),
            version: Some(1),
            file,
            forms,
        }];
        let loads = plan(
            files,
            &[PlanTarget {
                summary: last.clone(),
            }],
            last.range.start(),
            &mut |_| Vec::new(),
        )
        .expect("a plan");
        let shown: Vec<String> = loads
            .iter()
            .map(|l| format!("{} {}", l.name, l.label))
            .collect();
        expect.assert_eq(&shown.join("\n"));
    }

    #[test]
    fn macro_made_definitions() {
        check(
            &std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../examples/unit-test-framework.yin"
            ))
            .expect("example"),
            expect![[r#"
                check-equal a.yin:8:1
                check-truthy a.yin:13:1
                is a.yin:18:1
                deftest a.yin:25:1
                report-failure a.yin:36:1
                summarise a.yin:42:1
                run-tests a.yin:30:1
                square a.yin:56:1
                average a.yin:61:1
                arithmetic-test a.yin:66:1
                average-test a.yin:71:1
                collections-test a.yin:76:1"#]],
        );
    }

    #[test]
    fn only_what_the_form_reaches_in_dependency_order() {
        check(
            "(/ 1 0)\n(def k 2)\n(defn even2? [n] (if (= n 0) true (odd2? (dec n))))\n(defn odd2? [n] (if (= n 0) false (even2? (dec n))))\n(defn unused [] (/ 1 0))\n(defmacro twice [x] (list 'do x x))\n(twice (even2? k))",
            expect![[r#"
                k a.yin:2:1
                even2? a.yin:3:1
                odd2? a.yin:4:1
                twice a.yin:6:1"#]],
        );
    }

    #[test]
    fn the_last_definition_above_the_form_wins() {
        check(
            "(def x 1)\n(def x 2)\n(inc x)\n(def x 3)\n(inc x)",
            expect![[r#"
                x a.yin:4:1"#]],
        );
    }
}
