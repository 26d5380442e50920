//! Signature help: inside a call of a known function (a global or local `fn`, or a core
//! function), its signatures, the one that fits the argument under the cursor, and which
//! parameter that argument is (the rest parameter for arguments past the fixed ones).

use syntax::{TextRange, TextSize};
use tree_sitter::Node;

use crate::SourceFile;
use crate::half_typed::usable;
use crate::names::{Signature, Target, binder_info, name_at};
use crate::tree::value_children;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureInfo {
    /// `(f a b & more)`
    pub label: String,
    /// Each parameter's byte range within `label`.
    pub parameters: Vec<TextRange>,
    pub documentation: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureHelp {
    pub signatures: Vec<SignatureInfo>,
    pub active_signature: usize,
    /// `None` when the argument has no parameter in the active signature (too many).
    pub active_parameter: Option<usize>,
}

pub fn signature_help(file: &SourceFile, offset: TextSize) -> Option<SignatureHelp> {
    let file = usable(file, offset);
    let tree = file.document().tree_at(usize::from(offset));
    let call = enclosing_call(&tree, offset)?;
    let values = value_children(call);
    let head = values.first()?;
    let name = name_at(&file, crate::tree::size(head.end_byte()))?;
    let (signatures, doc) = match name.target {
        Target::Binder(e) => {
            let info = binder_info(file.lowering(), e)?;
            (info.signatures, info.doc)
        }
        Target::Core(f) => (Signature::of_core(f), Some(f.doc.to_owned())),
        Target::SpecialForm(_) | Target::Unresolved => return None,
    };
    if signatures.is_empty() {
        return None;
    }
    let at = usize::from(offset);
    let argument = values[1..].iter().filter(|v| v.end_byte() < at).count();
    let fits = |s: &Signature| argument < s.params.len() || s.rest.is_some();
    let active_signature = signatures.iter().position(fits).unwrap_or(0);
    let active = &signatures[active_signature];
    let active_parameter = if argument < active.params.len() {
        Some(argument)
    } else {
        active.rest.as_ref().map(|_| active.params.len())
    };
    let signatures = signatures
        .iter()
        .map(|s| {
            let mut label = format!("({}", name.name);
            let mut parameters = Vec::new();
            for part in s.labels() {
                label.push(' ');
                let start = TextSize::of(label.as_str());
                label.push_str(&part);
                parameters.push(TextRange::new(start, TextSize::of(label.as_str())));
            }
            label.push(')');
            SignatureInfo {
                label,
                parameters,
                documentation: doc.clone(),
            }
        })
        .collect();
    Some(SignatureHelp {
        signatures,
        active_signature,
        active_parameter,
    })
}

/// The innermost list around `offset` (strictly inside its brackets) whose head is a symbol.
fn enclosing_call(tree: &tree_sitter::Tree, offset: TextSize) -> Option<Node<'_>> {
    let at = usize::from(offset);
    let mut node = tree.root_node().descendant_for_byte_range(at, at)?;
    loop {
        if node.kind() == "list_lit"
            && node.start_byte() < at
            && at < node.end_byte()
            && value_children(node)
                .first()
                .is_some_and(|h| h.kind() == "sym_lit" && h.end_byte() < at)
        {
            return Some(node);
        }
        node = node.parent()?;
    }
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;
    use crate::fixture::cursor;

    fn check(fixture: &str, expect: Expect) {
        let (text, offset) = cursor(fixture);
        let file = SourceFile::from_text(&text);
        let actual = match signature_help(&file, offset) {
            None => "no help".to_owned(),
            Some(help) => {
                let mut out = String::new();
                for (i, s) in help.signatures.iter().enumerate() {
                    let active = i == help.active_signature;
                    let mut label = s.label.clone();
                    if let Some(p) = help.active_parameter.filter(|_| active)
                        && let Some(range) = s.parameters.get(p)
                    {
                        let r = std::ops::Range::<usize>::from(*range);
                        label = format!(
                            "{}<{}>{}",
                            &label[..r.start],
                            &label[r.clone()],
                            &label[r.end..]
                        );
                    }
                    out.push_str(&format!("{}{label}\n", if active { "* " } else { "  " }));
                }
                out
            }
        };
        expect.assert_eq(&actual);
    }

    #[test]
    fn active_parameter_by_operand_index() {
        check(
            "(defn area ([w] w) ([w h] (* w h)))\n(area 2 $0)",
            expect![[r#"
                  (area w)
                * (area w <h>)
            "#]],
        );
        check(
            "(defn area ([w] w) ([w h] (* w h)))\n(area $0)",
            expect![[r#"
                * (area <w>)
                  (area w h)
            "#]],
        );
    }

    #[test]
    fn variadic_rest_and_too_many() {
        check(
            "(defn log [level & parts] parts)\n(log :info \"a\" \"b\"$0)",
            expect![[r#"
                * (log level <& parts>)
            "#]],
        );
        check(
            "(inc 1 2 $0)",
            expect![[r#"
            * (inc x1)
        "#]],
        );
    }

    #[test]
    fn half_typed_and_nested() {
        check(
            "(defn f [alpha beta] alpha)\n(f (inc 1) (str $0",
            expect![[r#"
                * (str <& more>)
            "#]],
        );
        check("(let [a 1] $0)", expect!["no help"]);
    }
}
