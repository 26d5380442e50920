//! All built-in rules on a 10,000-line file: from scratch, and after a one-form edit through
//! [`LintSession`] (the database updated by the lowering's delta, rules whose attributes the
//! delta does not touch skipped).
//!
//! The file is the generated one of `server/syntax/benches/lower.rs` (typical yin: defn with
//! docstrings, let, cond, loop, threading, literals), so the figures line up with lowering's.
//!
//! `cargo bench -p yin-analysis --bench lints`
//!
//! Under valgrind (`valgrind --tool=callgrind <bench binary> --bench nomatch`, instruction counts
//! being the measure that survives a loaded machine) the rules run some 50 times slower and
//! would stop at their 2 s deadline: `YIN_BENCH_NO_DEADLINE=1` lifts it (the tuple budget stays).

use std::sync::Mutex;

use analysis::host::{self, AnalysisHost, Change, ContentChange, HostConfig};
use analysis::lints::{LintSession, RuleSet, Scope, lint, rule_budget};
use analysis::{PositionEncoding, SourceFile, edit_between};
use criterion::{Criterion, criterion_group, criterion_main};
use syntax::{Position, Range, TextEdit};
use test_support::generated;

use generated::source;

/// The built-in rules, with the deadline lifted when `YIN_BENCH_NO_DEADLINE` is set.
fn builtin() -> RuleSet {
    let mut rules = RuleSet::builtin();
    if std::env::var_os("YIN_BENCH_NO_DEADLINE").is_some() {
        rules.set_budget(datalog::Budget {
            timeout: None,
            ..rule_budget()
        });
    }
    rules
}

fn bench(c: &mut Criterion) {
    let text = source(10_000);
    let rules = builtin();
    let file = SourceFile::from_bytes(text.as_bytes());
    let report = lint(&file, &rules);
    println!(
        "{} lines, {} rules, {} findings, {} rule failures",
        text.lines().count(),
        rules.rules().count(),
        report.findings.len(),
        report.findings.iter().filter(|f| f.rule == "rule").count()
    );
    // Where the time goes, one run each: the database, then each rule alone (the others
    // switched off by configuration).
    let t = std::time::Instant::now();
    let db = analysis::query::database(&[&file]);
    println!("database ({} datoms): {:?}", db.len(), t.elapsed());
    let ids: Vec<String> = rules.rules().map(|r| r.id.clone()).collect();
    for id in &ids {
        let others: Vec<String> = ids
            .iter()
            .filter(|o| *o != id)
            .map(|o| format!(":{o} :off"))
            .collect();
        let mut alone = builtin();
        alone.configure(
            std::path::Path::new("config.edn"),
            &format!("{{:lints {{{}}}}}", others.join(" ")),
        );
        let t = std::time::Instant::now();
        lint(&file, &alone);
        println!("{id} (with the database): {:?}", t.elapsed());
    }
    let mut group = c.benchmark_group("lints");
    group.sample_size(20);
    group.bench_function("all rules full 10k lines", |b| {
        b.iter(|| lint(&file, &rules))
    });

    // The middle form's `42` becomes `4200` and back: the form is re-lowered and every later
    // form moves.
    let middle = text.len() / 2;
    let at = middle + text[middle..].find(":limit 42").unwrap_or(0) + ":limit ".len();
    let edited = format!("{}4200{}", &text[..at], &text[at + 2..]);
    // The edit and its undo, as the analysis host applies them: one reparse and relowering, the
    // delta given to the session.
    let forth = edit_between(&text, &edited);
    let back = edit_between(&edited, &text);
    let mut file = SourceFile::from_text(&text);
    let mut session = LintSession::new(rules.clone(), &file);
    let mut flip = false;
    group.bench_function("all rules after one-form edit 10k lines", |b| {
        b.iter(|| {
            flip = !flip;
            let edit = if flip { &forth } else { &back };
            if let Ok(delta) = file.apply_byte_edits(std::slice::from_ref(edit)) {
                session.apply(&delta);
            }
            session.report(&file)
        });
    });
    println!("rules re-run after the edit: {}", session.rules_rerun());

    // The same edit with no rules (document, lowering and database upkeep alone) and with the
    // form-local rules alone, to show where the time goes.
    let all_off: Vec<String> = ids.iter().map(|o| format!(":{o} :off")).collect();
    let global_off: Vec<String> = rules
        .rules()
        .filter(|r| r.scope != Scope::Form)
        .map(|r| format!(":{} :off", r.id))
        .collect();
    let mut cases = vec![
        ("no rules".to_owned(), all_off),
        ("form-local rules only".to_owned(), global_off),
    ];
    for keep in ["unresolved-symbol", "arity", "duplicate-def"] {
        cases.push((
            format!("only {keep}"),
            ids.iter()
                .filter(|o| o.as_str() != keep)
                .map(|o| format!(":{o} :off"))
                .collect(),
        ));
    }
    for (name, off) in cases {
        let mut subset = builtin();
        subset.configure(
            std::path::Path::new("config.edn"),
            &format!("{{:lints {{{}}}}}", off.join(" ")),
        );
        let mut file = SourceFile::from_text(&text);
        let mut session = LintSession::new(subset, &file);
        flip = false;
        group.bench_function(format!("after one-form edit, {name}"), |b| {
            b.iter(|| {
                flip = !flip;
                let edit = if flip { &forth } else { &back };
                if let Ok(delta) = file.apply_byte_edits(std::slice::from_ref(edit)) {
                    session.apply(&delta);
                }
                session.report(&file)
            });
        });
    }
    group.finish();
}

/// A keystroke as the server takes it, through the analysis host (the edit applied, then the
/// findings of the new version), in files of one-line `defn`s of 1,000, 10,000 and 50,000 forms:
/// a letter typed into the middle form's name, then deleted. Its cost should not grow with the
/// number of forms. Also prints what opening each file costs (open, then first findings).
///
/// `YIN_BENCH_FORMS=10000` runs one size alone (for a profile:
/// `perf record -g <bench binary> --bench keystroke --profile-time 10`).
fn keystroke(c: &mut Criterion) {
    let sizes: Vec<usize> = match std::env::var("YIN_BENCH_FORMS") {
        Ok(n) => n.split(',').filter_map(|n| n.trim().parse().ok()).collect(),
        Err(_) => vec![1_000, 10_000, 50_000],
    };
    let mut group = c.benchmark_group("keystroke");
    group.sample_size(30);
    for forms in sizes {
        let text: String = (0..forms)
            .map(|n| format!("(defn f{n} [x] (+ x {n}))\n"))
            .collect();
        let key = "file:///one-line.yin";
        let host = Mutex::new(AnalysisHost::new(HostConfig {
            encoding: PositionEncoding::Utf8,
            extra_rules: None,
        }));
        let t = std::time::Instant::now();
        host::lock(&host).apply(Change::Open {
            key: key.to_owned(),
            path: None,
            version: 0,
            file: SourceFile::from_text(&text),
        });
        let found = host::findings(&host, key).map_or(0, |f| f.findings.len());
        println!(
            "open {forms} one-line defns -> findings ({found}): {:?}",
            t.elapsed()
        );
        // Just after `(defn f` in the middle line.
        let line = (forms / 2) as u32;
        let at = Position::new(line, "(defn f".len() as u32);
        let after = Position::new(line, "(defn fz".len() as u32);
        let mut version = 0;
        let mut typed = false;
        let mut keystroke = || {
            version += 1;
            let edit = if typed {
                TextEdit::new(
                    Range {
                        start: at,
                        end: after,
                    },
                    "",
                )
            } else {
                TextEdit::new(Range { start: at, end: at }, "z")
            };
            typed = !typed;
            host::lock(&host).apply(Change::Edit {
                key: key.to_owned(),
                version,
                changes: vec![ContentChange::Edit(edit)],
            });
            host::findings(&host, key).map(|f| f.findings.len())
        };
        // CPU time, which a loaded machine disturbs less than wall time: 200 keystrokes.
        if let Some(start) = cpu_ms() {
            for _ in 0..200 {
                keystroke();
            }
            if let Some(end) = cpu_ms() {
                println!(
                    "CPU per keystroke, {forms} one-line defns: {:.2} ms (200 keystrokes)",
                    (end - start) / 200.0
                );
            }
        }
        group.bench_function(
            format!("a letter in a symbol, {forms} one-line defns"),
            |b| {
                b.iter(&mut keystroke);
            },
        );
    }
    group.finish();
}

/// This process's user and system CPU time so far, in milliseconds (Linux: /proc/self/stat,
/// in clock ticks of 10 ms).
fn cpu_ms() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |n: usize| fields.get(n)?.parse::<f64>().ok();
    Some((ticks(11)? + ticks(12)?) * 10.0)
}

criterion_group!(benches, bench, keystroke);
criterion_main!(benches);
