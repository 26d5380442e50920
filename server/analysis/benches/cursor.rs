//! Cost of the cursor features (what one hover, definition, completion... request runs) and of
//! inline evaluation, on one file made of every `examples/*.yin` joined.
//!
//! `cargo bench -p yin-analysis --bench cursor`

use analysis::live::session::{LiveJob, LiveSessions};
use analysis::{
    InlineResults, LiveFile, Scope, SourceFile, Stamp, SummaryCache, TextSize, completions,
    goto_definition, hover, live_request, references, signature_help,
};
use criterion::{Criterion, criterion_group, criterion_main};

fn offset(at: usize) -> TextSize {
    TextSize::try_from(at).expect("the corpus is small")
}

fn cursor(c: &mut Criterion) {
    let mut text = test_support::corpus::examples_joined();
    text.push_str("\n(+ 1 2)\n");
    let file = SourceFile::from_text(&text);
    // A local use in the middle of the file, and the name of a `defn` there (a global).
    let middle = text.len() / 2;
    let local = (middle..text.len())
        .filter(|&at| text.is_char_boundary(at))
        .map(offset)
        .find(|&at| goto_definition(&file, at).is_some())
        .expect("a name with a definition after the middle");
    let global = text[middle..]
        .find("(defn ")
        .map(|i| offset(middle + i + 7))
        .expect("a defn after the middle");
    let call = text[middle..]
        .find("(str ")
        .map(|i| offset(middle + i + 5))
        .expect("a call of str after the middle");
    let results = InlineResults::default();
    let mut group = c.benchmark_group(format!("cursor ({} KiB)", text.len() / 1024));
    group.bench_function("definition (local)", |b| {
        b.iter(|| goto_definition(&file, local))
    });
    group.bench_function("references (global, whole file)", |b| {
        b.iter(|| references(&file, global, true))
    });
    group.bench_function("hover (global)", |b| {
        b.iter(|| hover(&file, global, &results))
    });
    group.bench_function("completion (empty prefix)", |b| {
        b.iter(|| completions(&file, call))
    });
    group.bench_function("signature help", |b| b.iter(|| signature_help(&file, call)));
    let cut = &text[..usize::from(call)];
    let broken = SourceFile::from_text(cut);
    group.bench_function("completion (half-typed: file cut at the cursor)", |b| {
        b.iter(|| completions(&broken, call))
    });
    let last = offset(text.len() - 2);
    let mut summaries = SummaryCache::default();
    let forms = summaries
        .get(
            "corpus",
            Stamp::Open {
                opening: 0,
                version: 0,
            },
            &file,
        )
        .expect("the corpus summarises");
    let mut sessions = LiveSessions::default();
    group.bench_function(
        "live eval of the last form (its definitions loaded once)",
        |b| {
            b.iter(|| {
                let target = LiveFile {
                    key: "corpus",
                    version: Some(0),
                    file: &file,
                    forms: &forms,
                };
                let request = live_request(
                    &target,
                    Vec::new(),
                    Scope::TopLevel,
                    last,
                    None,
                    &mut |_| Vec::new(),
                )
                .expect("a plan")
                .expect("a form");
                let job = LiveJob {
                    loads: request.loads,
                    forms: request.job_forms,
                    keep_going: false,
                    limits: Default::default(),
                    print: Default::default(),
                };
                sessions.run("corpus", &job, &|| None, &mut |_, _, _| {})
            })
        },
    );
    group.finish();
}

criterion_group!(benches, cursor);
criterion_main!(benches);
