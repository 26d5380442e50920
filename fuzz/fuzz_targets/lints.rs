//! Arbitrary text linted with the built-in rules, at once and through an editing session.
//!
//! The input is a first text, optionally followed by a 0xFF byte and a second text. Asserts: the
//! rules end without a problem (a budget overrun or a failing rule is one); every finding and
//! fix edit lies within the text on character boundaries; findings are in source order; a fix's
//! edits do not overlap; a `LintSession` started on the first text and edited to the second
//! reports exactly what linting each text afresh reports.
#![no_main]

use analysis::{SourceFile, edit_between};
use analysis::lints::{LintReport, LintSession, RuleSet, lint};
use libfuzzer_sys::fuzz_target;
use yin_fuzz::assert_range_in;

thread_local! {
    static RULES: RuleSet = RuleSet::builtin();
}

fn checked(text: &str, rules: &RuleSet) -> LintReport {
    let report = lint(&SourceFile::from_text(text), rules);
    assert!(
        report.findings.iter().all(|f| f.rule != "rule"),
        "{:?} on {text:?}",
        report.findings
    );
    for finding in &report.findings {
        assert_range_in(text, finding.range, "finding");
        assert!(!finding.message.is_empty());
        if let Some(fix) = &finding.fix {
            let mut ranges: Vec<_> = fix.edits.iter().map(|e| e.range).collect();
            ranges.sort_by_key(|r| (r.start(), r.end()));
            for range in &ranges {
                assert_range_in(text, *range, "fix edit");
            }
            assert!(
                ranges.windows(2).all(|w| w[0].end() <= w[1].start()),
                "overlapping fix edits {ranges:?}"
            );
        }
    }
    assert!(
        report
            .findings
            .windows(2)
            .all(|w| w[0].range.start() <= w[1].range.start()),
        "findings out of order"
    );
    report
}

fuzz_target!(|data: &[u8]| {
    let (first, second) = match data.iter().position(|&b| b == 0xFF) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    };
    let first = String::from_utf8_lossy(first);
    RULES.with(|rules| {
        let fresh = checked(&first, rules);
        let mut file = SourceFile::from_text(&first);
        let mut session = LintSession::new(rules.clone(), &file);
        assert_eq!(session.report(&file).findings, fresh.findings, "{first:?}");
        if let Some(second) = second {
            let second = String::from_utf8_lossy(second);
            let fresh = checked(&second, rules);
            let delta = file
                .apply_byte_edits(&[edit_between(&first, &second)])
                .expect("a valid edit");
            session.apply(&delta);
            assert_eq!(
                session.report(&file).findings,
                fresh.findings,
                "{first:?} edited to {second:?}"
            );
        }
    });
});
