//! The analysis host against a fresh analysis: after random edits, including broken text,
//! unclosed forms and bursts of several edits applied at once or several versions before the
//! findings are asked for, the host's findings are exactly those of a host that opened the final
//! text.

use std::sync::Mutex;

use analysis::host::{self, AnalysisHost, Applied, Change};
use analysis::{ContentChange, Position, Range, TextEdit};
use proptest::prelude::*;
use support::{KEY, host, open};

mod support;

fn shown(host: &Mutex<AnalysisHost>) -> Vec<String> {
    host::findings(host, KEY)
        .map(|found| {
            found
                .findings
                .iter()
                .map(|f| format!("{:?} {} {}", f.range, f.rule, f.message))
                .collect()
        })
        .unwrap_or_default()
}

fn fresh(text: &str) -> Vec<String> {
    let host = host();
    open(&host, text);
    shown(&host)
}

/// LSP's position of byte `offset` in UTF-8 units (the texts here break lines with `\n` only).
fn position(text: &str, offset: usize) -> Position {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    Position::new(line as u32, (offset - start) as u32)
}

/// Pieces of text that edits insert: whole forms, halves of forms, lone brackets and strings.
const FRAGMENTS: &[&str] = &[
    "(defn f [x] (+ x 1))\n",
    "(defn g [] (f 1 2))\n",
    "(let [a 1 a 2] (do a))\n",
    "(def f 1)\n",
    "(f 1)",
    "(",
    ")",
    "[",
    "]",
    "\"",
    "(let [x 1",
    " x)",
    "{:k 1 :k 2}",
    "; yin: ignore unused-binding\n",
    "é",
    "\n",
    "(if true (recur) 2)",
    "#_",
    " ",
];

/// One edit: where (a fraction of the text), how much to delete, and what to insert.
fn edit() -> impl Strategy<Value = (f64, usize, usize)> {
    (0.0..=1.0f64, 0..12usize, 0..FRAGMENTS.len())
}

/// Applies `(at, delete, insert)` to `mirror` and returns the LSP edit that does it.
fn step(mirror: &mut String, (at, delete, insert): (f64, usize, usize)) -> ContentChange {
    let boundary = |mut i: usize| {
        while !mirror.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = boundary(((mirror.len() as f64) * at) as usize);
    let end = boundary((start + delete).min(mirror.len()));
    let range = Range::new(position(mirror, start), position(mirror, end));
    let text = FRAGMENTS[insert];
    mirror.replace_range(start..end, text);
    ContentChange::Edit(TextEdit::new(range, text))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn host_after_random_edits_and_bursts_matches_a_fresh_analysis(
        start in proptest::collection::vec(0..FRAGMENTS.len(), 0..10),
        bursts in proptest::collection::vec(
            (proptest::collection::vec(edit(), 1..5), any::<bool>()),
            1..8,
        ),
    ) {
        let mut mirror: String = start.iter().map(|&i| FRAGMENTS[i]).collect();
        let host = host();
        open(&host, &mirror);
        prop_assert_eq!(shown(&host), fresh(&mirror));
        let mut version = 1;
        for (edits, ask) in bursts {
            let changes: Vec<ContentChange> =
                edits.into_iter().map(|e| step(&mut mirror, e)).collect();
            // Versions may skip, as Neovim's do.
            version += 2;
            let applied = host::lock(&host).apply(Change::Edit {
                key: KEY.to_owned(),
                version,
                changes,
            });
            prop_assert!(matches!(applied, Applied::Current(_)));
            // Sometimes several versions pass before anyone asks: their deltas are taken at once.
            if ask {
                prop_assert_eq!(shown(&host), fresh(&mirror), "{:?}", mirror);
            }
        }
        let text = host::lock(&host).snapshot(KEY).map(|s| s.file.text());
        prop_assert_eq!(text.as_deref(), Some(mirror.as_str()));
        prop_assert_eq!(shown(&host), fresh(&mirror), "{:?}", mirror);
    }
}

/// A whole-text replacement in the middle of a burst restarts the lint session; edits after it
/// in the same change still count.
#[test]
fn a_replacement_within_a_burst_restarts_the_session() {
    let host = host();
    open(&host, "(let [x 1] 2)\n");
    let at = Position::new(0, 0);
    host::lock(&host).apply(Change::Edit {
        key: KEY.to_owned(),
        version: 2,
        changes: vec![
            ContentChange::Edit(TextEdit::new(Range::new(at, at), "(def y 1)\n")),
            ContentChange::Replace("(let [a 1] (do 2))\n".to_owned()),
            ContentChange::Edit(TextEdit::new(Range::new(at, at), "(f)\n")),
        ],
    });
    assert_eq!(shown(&host), fresh("(f)\n(let [a 1] (do 2))\n"));
    expect_test::expect![[r#"
        [
            "1..2 unresolved-symbol unresolved symbol f",
            "10..11 unused-binding a is bound but never used",
            "15..21 redundant-do do with a single expression is redundant",
        ]
    "#]]
    .assert_debug_eq(&shown(&host));
}

/// Snapshots cross threads and are shared by requests while edits go on.
#[test]
fn snapshots_are_send_and_sync() {
    fn shareable<T: Send + Sync>() {}
    shareable::<analysis::DocumentSnapshot>();
    shareable::<Mutex<AnalysisHost>>();
}
