//! Error recovery keeps damage local: cutting a file inside one top-level form must leave every
//! earlier top-level form parsed exactly as before. Run over the repository's examples and the
//! highlight test files, cutting inside each top-level form in turn.

use std::ops::Range;

use crate::{files_with_extension, grammar_dir, parse, read};

/// Kind and byte range of each top-level node.
fn top_level(source: &str) -> Vec<(String, Range<usize>)> {
    let tree = parse(source);
    let root = tree.root_node();
    let mut cursor = root.walk();
    root.named_children(&mut cursor)
        .map(|n| (n.kind().to_owned(), n.byte_range()))
        .collect()
}

/// The places where cutting `source` inside a top-level form damaged an earlier one.
fn damage_from_cuts(name: &str, source: &str) -> Vec<String> {
    let forms = top_level(source);
    let mut damage = Vec::new();
    for (index, (kind, range)) in forms.iter().enumerate() {
        if kind == "comment" || range.len() < 2 {
            continue;
        }
        // Cut just after the form's first byte (an opener or a prefix with nothing after
        // it), and in its middle (usually inside nested unclosed forms).
        for wanted in [range.start + 1, range.start + range.len() / 2] {
            let Some(cut) = (wanted..=source.len()).find(|&i| source.is_char_boundary(i)) else {
                continue;
            };
            let before = &forms[..index];
            let after_cut = top_level(&source[..cut]);
            if after_cut.get(..before.len()) != Some(before) {
                damage.push(format!(
                    "{name}: cutting at byte {cut} changed the forms before it"
                ));
            }
        }
    }
    damage
}

#[test]
fn cutting_a_form_leaves_earlier_forms_intact() {
    let mut files = files_with_extension(&grammar_dir().join("../examples"), "yin");
    files.extend(files_with_extension(
        &grammar_dir().join("test/highlight"),
        "yin",
    ));
    let mut damage = Vec::new();
    for file in &files {
        damage.extend(damage_from_cuts(&file.display().to_string(), &read(file)));
    }
    assert!(damage.is_empty(), "{}", damage.join("\n"));
}

#[test]
fn cutting_inside_nested_forms_keeps_earlier_definitions() {
    let source = "(def a 1)\n(defn f [x] (let [y (inc x)] {:y y}))\n(defn g [] (f 1))\n";
    assert_eq!(damage_from_cuts("inline", source), Vec::<String>::new());
    // The check itself notices damage: a cut that removes an earlier form's closer.
    let forms = top_level("(a) (b)");
    assert_ne!(top_level("(a (b)").get(..1), forms.get(..1));
}
