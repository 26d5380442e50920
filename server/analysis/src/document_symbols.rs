//! The outline of a file: its top-level definitions (`def`, `defonce`, `defn`, `defn-`,
//! `defmulti`, `defmacro`).
//!
//! Read from the syntax tree, so it works on broken files as long as a definition's head and name
//! parse. Nested definitions are not listed: yin has no namespaces or classes to nest under, and a
//! `def` inside a function body is rare enough that a flat outline reads best.

use syntax::{Document, TextRange};
use tree_sitter::Node;

use crate::SourceFile;
use crate::tree::{node_range, node_text, value_children};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    /// `defn`, `defn-`, `defmulti`
    Function,
    /// `defmacro`
    Macro,
    /// `def`, `defonce`
    Value,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentSymbol {
    pub name: String,
    pub kind: SymbolKind,
    /// The whole definition form.
    pub range: TextRange,
    /// The defined name.
    pub focus_range: TextRange,
    /// The parameter vector of a single-arity function, as written on one line.
    pub detail: Option<String>,
}

pub fn document_symbols(file: &SourceFile) -> Vec<DocumentSymbol> {
    definitions(file.document())
}

/// The top-level definitions of a parsed document: a tree walk, no lowering needed.
pub(crate) fn definitions(document: &Document) -> Vec<DocumentSymbol> {
    let rope = document.rope();
    let mut out = Vec::new();
    for tree in document.trees() {
        let root = tree.root_node();
        let mut cursor = root.walk();
        out.extend(
            root.named_children(&mut cursor)
                .filter_map(|form| definition(form, rope)),
        );
    }
    out
}

fn definition(form: Node<'_>, rope: &ropey::Rope) -> Option<DocumentSymbol> {
    if form.kind() != "list_lit" {
        return None;
    }
    let mut values = value_children(form).into_iter();
    let head = symbol_name(values.next()?, rope)?;
    let kind = match head.as_str() {
        "def" | "defonce" => SymbolKind::Value,
        "defn" | "defn-" | "defmulti" => SymbolKind::Function,
        "defmacro" => SymbolKind::Macro,
        _ => return None,
    };
    let name_node = values.next()?;
    let name = symbol_name(name_node, rope)?;
    let detail = match kind {
        SymbolKind::Value => None,
        SymbolKind::Function | SymbolKind::Macro => values
            .find(|value| value.kind() != "str_lit")
            .filter(|params| params.kind() == "vec_lit")
            .map(|params| node_text(params, rope))
            .filter(|text| !text.contains(['\n', '\r'])),
    };
    Some(DocumentSymbol {
        name,
        kind,
        range: node_range(form),
        focus_range: node_range(name_node.child_by_field_name("name")?),
        detail,
    })
}

/// The name of a symbol node, read from its `name` child so that metadata is left out.
fn symbol_name(node: Node<'_>, rope: &ropey::Rope) -> Option<String> {
    if node.kind() != "sym_lit" {
        return None;
    }
    let name = node.child_by_field_name("name")?;
    (!name.is_missing()).then(|| node_text(name, rope))
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;

    fn check(text: &str, expect: Expect) {
        let file = SourceFile::from_text(text);
        let actual: String = document_symbols(&file)
            .iter()
            .map(|symbol| {
                format!(
                    "{:?} {} {:?} focus {:?} detail {:?}\n",
                    symbol.kind, symbol.name, symbol.range, symbol.focus_range, symbol.detail
                )
            })
            .collect();
        expect.assert_eq(&actual);
    }

    #[test]
    fn top_level_definitions() {
        check(
            r#"(def ^:private limit 10)
(defn add "Adds." [a b] (+ a b))
(defmacro unless [test & body] `(if ~test nil (do ~@body)))
(defn multi ([x] x) ([x y] y))
(println (def nested 1))
(defn)
#_(defn hidden [])
"#,
            expect![[r#"
                Value limit 0..24 focus 15..20 detail None
                Function add 25..57 focus 31..34 detail Some("[a b]")
                Macro unless 58..117 focus 68..74 detail Some("[test & body]")
                Function multi 118..148 focus 124..129 detail None
            "#]],
        );
    }

    #[test]
    fn private_functions_multimethods_and_defonce_are_definitions() {
        check(
            "(defn- helper [x] x)\n(defonce cache (atom {}))\n(defmulti area :shape)\n(defmethod area :sq [s] 1)\n",
            expect![[r#"
                Function helper 0..20 focus 7..13 detail Some("[x]")
                Value cache 21..46 focus 30..35 detail None
                Function area 47..69 focus 57..61 detail None
            "#]],
        );
    }

    #[test]
    fn broken_file_keeps_earlier_definitions() {
        check(
            "(defn ok [] 1)\n(defn broken [x\n",
            expect![[r#"
                Function ok 0..14 focus 6..8 detail Some("[]")
            "#]],
        );
    }
}
