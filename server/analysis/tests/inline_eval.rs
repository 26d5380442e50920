//! Live evaluation of each example's last form, in a fresh session, with only the definitions it
//! needs loaded first (the dependency plan), gives the value examples/README.md lists for the
//! whole program: what `yin/eval` shows on the last line of each example.

use analysis::live::session::{LiveJob, LiveLimits, LiveSessions};
use analysis::{LiveFile, Scope, SourceFile, Stamp, SummaryCache, TextSize, live_request};

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
        let forms = SummaryCache::default()
            .get(
                file,
                Stamp::Open {
                    opening: 0,
                    version: 0,
                },
                &source,
            )
            .expect("summaries");
        let target = LiveFile {
            key: file,
            version: Some(0),
            file: &source,
            forms: &forms,
        };
        let request = live_request(&target, Vec::new(), Scope::TopLevel, end, None, &mut |_| {
            Vec::new()
        })
        .expect("a plan")
        .expect("a last form");
        let job = LiveJob {
            loads: request.loads,
            forms: request.job_forms,
            keep_going: false,
            limits: LiveLimits {
                steps: 10_000_000_000,
                ..LiveLimits::default()
            },
            print: Default::default(),
        };
        let outcome = LiveSessions::default().run(file, &job, &|| None, &mut |_, _, _| {});
        let got = outcome.value.as_ref().map(|v| v.text.as_str());
        let value = match file.as_str() {
            // Its last form reads cursors that two earlier top-level expressions advanced;
            // a live evaluation runs definitions only, never those.
            "stream-pipelines.yin" => "[[450 600 250] :a :a :b]",
            _ => value.as_str(),
        };
        if got != Some(value) {
            wrong.push(format!(
                "{file}: expected {value}, got {got:?} / {:?}",
                outcome.error.map(|e| e.message)
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
