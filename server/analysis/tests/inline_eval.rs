//! Inline evaluation of each example's last form, with only the file's earlier definitions
//! loaded (earlier expressions are blanked), gives the value examples/README.md lists for the
//! whole program: what `yin/eval` shows on the last line of each example.

use analysis::eval::Limits;
use analysis::{EvalRequest, SourceFile, TextSize, evaluate};

/// `file -> expected value` from the README's table rows: `` | `f.yin` | n | ... | `value` | ``.
fn expected() -> Vec<(String, String)> {
    let readme = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/README.md");
    let text = std::fs::read_to_string(readme).expect("examples/README.md");
    text.lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split(" | ").collect();
            let file = cells.first()?.strip_prefix("| `")?.strip_suffix('`')?;
            let value = cells.last()?.strip_prefix('`')?.strip_suffix("` |")?;
            file.ends_with(".yin")
                .then(|| (file.to_owned(), value.to_owned()))
        })
        .collect()
}

#[test]
fn the_last_form_of_every_example_gives_its_listed_value() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let cases = expected();
    assert!(cases.len() >= 20, "README table not read: {cases:?}");
    let mut wrong = Vec::new();
    for (file, value) in &cases {
        let text = std::fs::read_to_string(dir.join(file)).expect("example exists");
        let source = SourceFile::from_text(&text);
        let end = TextSize::try_from(text.trim_end().len()).expect("small file");
        let request = EvalRequest::at(&source, end).expect("a last form");
        let evaluation = evaluate(&request, &Limits::cli(), &|| false);
        if evaluation.value.as_deref() != Some(value.as_str()) {
            wrong.push(format!(
                "{file}: expected {value}, got {:?} / {:?}",
                evaluation.value, evaluation.error
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
