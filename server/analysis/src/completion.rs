//! Completion: the names that make sense at the cursor: locals in scope, the file's globals, the
//! core library, special forms, and the keywords the file uses, each with its kind and a detail
//! (arity or signature) and doc. Works in half-typed code: the locals are read from the text up
//! to the cursor with its unclosed forms closed ([`usable`]).

use std::collections::HashSet;

use syntax::core::{CORE, SPECIAL_FORMS};
use syntax::{NodeKind, TextRange, TextSize};

use crate::SourceFile;
use crate::half_typed::usable;
use crate::names::{BinderKind, Signature, binder_info, binder_info_in, locals_at};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionKind {
    /// A parameter or `let`/`loop` name.
    Local,
    /// A global or local bound to a function.
    Function,
    /// A global that is not known to be a function.
    Global,
    Macro,
    CoreFunction,
    SpecialForm,
    Keyword,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletionItem {
    pub label: String,
    pub kind: CompletionKind,
    /// Signatures or the binder's kind.
    pub detail: Option<String>,
    pub documentation: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completions {
    /// The partly typed name the items replace.
    pub replace: TextRange,
    pub items: Vec<CompletionItem>,
    /// Whether names were left out ([`FILE_NAMES`]): the editor should ask again as more of
    /// the name is typed rather than filter this list.
    pub incomplete: bool,
}

/// How many of the file's own names (its globals, then its keywords) one completion lists at
/// most. Locals, the core library and the special forms are bounded by the scope and the
/// language and always listed; a file's names are not: a file of 50,000 definitions would send
/// every one on each keystroke (10,000 of them took 100 ms to list and encode).
pub(crate) const FILE_NAMES: usize = 500;

/// Characters that end a symbol or keyword (Clojure's reader: whitespace, commas, brackets,
/// quotes and the prefix characters).
fn is_delimiter(c: char) -> bool {
    c.is_whitespace() || "()[]{}\"';,`~@^#\\".contains(c)
}

/// What may be typed at `offset`; nothing inside strings and comments. Costs the forms around
/// the cursor plus the globals whose names start with what is typed (a range of the lowering's
/// ordered definitions, at most [`FILE_NAMES`] of them), whatever the number of forms; only
/// keywords are looked for form by form.
pub fn completions(file: &SourceFile, offset: TextSize) -> Option<Completions> {
    let rope = file.document().rope();
    let at = usize::from(offset).min(rope.len_bytes());
    let before = rope.get_byte_slice(..at)?;
    let mut typed: Vec<char> = Vec::new();
    let mut chars = before.chars_at(before.len_chars());
    while let Some(c) = chars.prev() {
        if is_delimiter(c) {
            break;
        }
        typed.push(c);
    }
    typed.reverse();
    let prefix: String = typed.into_iter().collect();
    let start = at - prefix.len();
    if in_string_or_comment(file, offset) {
        return None;
    }
    let prefix = prefix.as_str();
    let replace = TextRange::new(
        TextSize::try_from(start).ok()?,
        TextSize::try_from(at).ok()?,
    );
    let mut items = Vec::new();
    let mut seen = HashSet::new();
    let wanted =
        |label: &str, seen: &HashSet<String>| label.starts_with(prefix) && !seen.contains(label);
    let mut add = |item: CompletionItem, seen: &mut HashSet<String>| {
        if wanted(&item.label, seen) {
            seen.insert(item.label.clone());
            items.push(item);
            true
        } else {
            false
        }
    };
    // The file's own names listed so far, against [`FILE_NAMES`].
    let mut file_names = 0;
    let mut incomplete = false;
    // Keywords start with `:`: none can follow a prefix that does not.
    let with_keywords = prefix.is_empty() || prefix.starts_with(':');
    if prefix.starts_with(':') {
        for keyword in keywords(file, replace) {
            if file_names == FILE_NAMES {
                incomplete = true;
                break;
            }
            file_names += usize::from(add(keyword_item(keyword), &mut seen));
        }
        return Some(Completions {
            replace,
            items,
            incomplete,
        });
    }
    let readable = usable(file, offset);
    let lowering = readable.lowering();
    for (name, binder) in locals_at(lowering, offset).into_iter().rev() {
        if !wanted(&name, &seen) {
            continue;
        }
        let info = binder_info(lowering, binder);
        let signatures = info
            .as_ref()
            .map(|i| i.signatures.clone())
            .unwrap_or_default();
        let kind_name = info.as_ref().map_or("local", |i| i.kind.describe());
        add(
            CompletionItem {
                detail: Some(detail(&name, &signatures).unwrap_or_else(|| kind_name.to_owned())),
                label: name,
                kind: if signatures.is_empty() {
                    CompletionKind::Local
                } else {
                    CompletionKind::Function
                },
                documentation: None,
            },
            &mut seen,
        );
    }
    // Only the definitions whose names start with the prefix are visited, in name order.
    for (name, form, binder) in file.lowering().definitions_starting_with(prefix) {
        if !wanted(name.as_str(), &seen) {
            continue;
        }
        if file_names == FILE_NAMES {
            incomplete = true;
            break;
        }
        // The name being typed in `(def na|` is not a completion of itself.
        let span = form.ast.node(binder).span + form.range().start();
        if span.contains_inclusive(offset) {
            continue;
        }
        let Some(info) = binder_info_in(&form, binder) else {
            continue;
        };
        let added = add(
            CompletionItem {
                label: name.as_str().to_owned(),
                kind: match (info.kind, info.signatures.is_empty()) {
                    (BinderKind::Macro, _) => CompletionKind::Macro,
                    (_, true) => CompletionKind::Global,
                    (_, false) => CompletionKind::Function,
                },
                detail: detail(name.as_str(), &info.signatures)
                    .or_else(|| Some(info.kind.describe().to_owned())),
                documentation: info.doc,
            },
            &mut seen,
        );
        file_names += usize::from(added);
    }
    for f in CORE {
        if !wanted(f.name, &seen) {
            continue;
        }
        add(
            CompletionItem {
                label: f.name.to_owned(),
                kind: CompletionKind::CoreFunction,
                detail: detail(f.name, &Signature::of_core(f)),
                documentation: Some(f.doc.to_owned()),
            },
            &mut seen,
        );
    }
    for special in SPECIAL_FORMS {
        if !wanted(special, &seen) {
            continue;
        }
        add(
            CompletionItem {
                label: (*special).to_owned(),
                kind: CompletionKind::SpecialForm,
                detail: Some("special form".to_owned()),
                documentation: syntax::core::special_form_doc(special).map(str::to_owned),
            },
            &mut seen,
        );
    }
    if with_keywords && !incomplete {
        for keyword in keywords(file, replace) {
            if file_names == FILE_NAMES {
                incomplete = true;
                break;
            }
            file_names += usize::from(add(keyword_item(keyword), &mut seen));
        }
    }
    Some(Completions {
        replace,
        items,
        incomplete,
    })
}

fn keyword_item(label: String) -> CompletionItem {
    CompletionItem {
        label,
        kind: CompletionKind::Keyword,
        detail: None,
        documentation: None,
    }
}

/// The signatures on one line each: `(f a)\n(f a b)`.
fn detail(name: &str, signatures: &[Signature]) -> Option<String> {
    (!signatures.is_empty()).then(|| {
        signatures
            .iter()
            .map(|s| s.call(name))
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// The keywords the file uses as literals, in order of first use, but the one being typed.
/// The keywords the file uses, form by form (read only as far as the caller takes them).
fn keywords(file: &SourceFile, typing: TextRange) -> impl Iterator<Item = String> + '_ {
    file.lowering().forms().into_iter().flat_map(move |form| {
        let start = form.range().start();
        form.ast
            .iter()
            .filter_map(|(_, node)| match &node.kind {
                NodeKind::Literal(syntax::ast::Literal::Keyword(k))
                    if node.span + start != typing =>
                {
                    Some(k.to_string())
                }
                _ => None,
            })
            .collect::<Vec<_>>()
    })
}

fn in_string_or_comment(file: &SourceFile, offset: TextSize) -> bool {
    let at = usize::from(offset);
    let tree = file.document().tree_at(at.saturating_sub(1));
    tree.root_node()
        .descendant_for_byte_range(at.saturating_sub(1), at)
        .is_some_and(|node| {
            matches!(node.kind(), "str_lit" | "comment")
                && node.start_byte() < at
                && (at < node.end_byte() || node.kind() == "comment")
        })
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;
    use crate::fixture::cursor;

    fn check(fixture: &str, expect: Expect) {
        let (text, offset) = cursor(fixture);
        let file = SourceFile::from_text(&text);
        let actual = match completions(&file, offset) {
            None => "no completions".to_owned(),
            Some(c) => {
                let mut out = format!("replace {:?}\n", c.replace);
                for item in c.items {
                    out.push_str(&format!(
                        "{:?} {} | {}\n",
                        item.kind,
                        item.label,
                        item.detail.unwrap_or_default().replace('\n', "; ")
                    ));
                }
                out
            }
        };
        expect.assert_eq(&actual);
    }

    /// Labels and whether the list is incomplete, for a file of `n` globals `a0`..
    fn many_globals(n: usize, typed: &str) -> (Vec<String>, bool) {
        let mut text: String = (0..n).map(|i| format!("(def a{i} {i})\n")).collect();
        text.push_str(typed);
        let file = SourceFile::from_text(&text);
        let offset = TextSize::try_from(text.len()).expect("a small text");
        let found = completions(&file, offset).expect("completions after a name");
        let labels = found.items.into_iter().map(|item| item.label).collect();
        (labels, found.incomplete)
    }

    #[test]
    fn a_files_names_are_listed_up_to_a_bound_and_the_list_says_so() {
        let (labels, incomplete) = many_globals(FILE_NAMES + 100, "(a");
        assert!(incomplete);
        let globals: Vec<&String> = labels
            .iter()
            .filter(|l| l.starts_with("a") && l[1..].parse::<usize>().is_ok())
            .collect();
        assert_eq!(globals.len(), FILE_NAMES);
        // The core library's names are still all there.
        assert!(labels.iter().any(|l| l == "assoc"), "{labels:?}");
        // Typing more narrows the names to fewer than the bound: the list is complete again.
        let (labels, incomplete) = many_globals(FILE_NAMES + 100, "(a59");
        assert!(!incomplete);
        let mut expected: Vec<String> = std::iter::once("a59".to_owned())
            .chain((590..600).map(|i| format!("a{i}")))
            .collect();
        expected.sort();
        let mut labels = labels;
        labels.sort();
        assert_eq!(labels, expected);
    }

    #[test]
    fn a_files_keywords_are_bounded_too() {
        let mut text: String = (0..FILE_NAMES + 100)
            .map(|i| format!("(def k{i} :k{i})\n"))
            .collect();
        text.push_str("(:k");
        let file = SourceFile::from_text(&text);
        let offset = TextSize::try_from(text.len()).expect("a small text");
        let found = completions(&file, offset).expect("completions after a keyword's start");
        assert!(found.incomplete);
        assert_eq!(found.items.len(), FILE_NAMES);
        assert!(
            found
                .items
                .iter()
                .all(|item| item.kind == CompletionKind::Keyword)
        );
    }

    #[test]
    fn locals_globals_core_and_specials_by_prefix() {
        check(
            "(defn deep [depth] (let [dx 1 de (fn [d] d)] (+ d$0 1)))\n(def default 2)",
            expect![[r#"
                replace 48..49
                Function de | (de d)
                Local dx | local
                Local depth | parameter
                Function deep | (deep depth)
                Global default | global
                CoreFunction dec | (dec x1)
                CoreFunction dissoc | (dissoc x1 & more)
                CoreFunction deref | (deref x1)
                CoreFunction drop | (drop x1); (drop x1 x2)
                CoreFunction drop-while | (drop-while x1); (drop-while x1 x2)
                CoreFunction distinct | (distinct); (distinct x1)
                CoreFunction disj | (disj x1 & more)
                CoreFunction double | (double x1)
                CoreFunction drop-last | (drop-last x1); (drop-last x1 x2)
                CoreFunction dedupe | (dedupe); (dedupe x1)
                CoreFunction doall | (doall x1); (doall x1 x2)
                CoreFunction dorun | (dorun x1); (dorun x1 x2)
                CoreFunction double? | (double? x1)
                CoreFunction distinct? | (distinct? x1 & more)
                CoreFunction dissoc! | (dissoc! x1 & more)
                CoreFunction disj! | (disj! x1 & more)
                SpecialForm def | special form
                SpecialForm defn | special form
                SpecialForm defmacro | special form
                SpecialForm do | special form
                SpecialForm declare | special form
                SpecialForm doseq | special form
                SpecialForm dotimes | special form
                SpecialForm doto | special form
                SpecialForm defn- | special form
                SpecialForm defrecord | special form
                SpecialForm defmulti | special form
                SpecialForm defmethod | special form
                SpecialForm defonce | special form
            "#]],
        );
    }

    #[test]
    fn half_typed_code_sees_its_locals() {
        check(
            "(defn f [alpha]\n  (let [beta (inc al$0\n(defn g [] 1)",
            expect![[r#"
                replace 34..36
                Local alpha | parameter
            "#]],
        );
        check(
            "(defn f [alpha]\n  (let [beta 1]\n    (str be$0",
            expect![[r#"
                replace 41..43
                Local beta | local
            "#]],
        );
    }

    #[test]
    fn the_name_being_defined_is_not_offered() {
        check(
            "(def counter 1)\n(def count$0 2)",
            expect![[r#"
                replace 21..26
                Global counter | global
                CoreFunction count | (count x1)
            "#]],
        );
    }

    #[test]
    fn keywords_and_nothing_in_strings() {
        check(
            "(def m {:alpha 1 :beta 2})\n(:a$0 m)",
            expect![[r#"
                replace 28..30
                Keyword :alpha | 
            "#]],
        );
        check("(str \"de$0\")", expect!["no completions"]);
        check("; de$0", expect!["no completions"]);
    }
}
