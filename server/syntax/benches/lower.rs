//! Lowering and datoms for a 10,000-line file, and the delta after a one-form edit in it.
//!
//! The file is generated from a template of typical yin (defn with docstrings, let, cond, loop,
//! threading, literals) so the figures do not depend on which examples exist. Parsing is done
//! outside the timed region: it belongs to the document, not to lowering.
//!
//! `cargo bench -p yin-syntax --bench lower`

use criterion::{Criterion, criterion_group, criterion_main};
use syntax::file::FileLowering;

#[path = "support/generated.rs"]
mod generated;

use generated::source;

fn parse(text: &str) -> tree_sitter::Tree {
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_yin::LANGUAGE.into())
        .expect("the grammar's ABI matches");
    parser.parse(text, None).expect("no timeout is set")
}

fn bench(c: &mut Criterion) {
    let text = source(10_000);
    let tree = parse(&text);
    let datoms = FileLowering::new(&text, tree.root_node()).datoms().len();
    println!(
        "{} lines, {} bytes, {datoms} datoms",
        text.lines().count(),
        text.len()
    );

    c.bench_function("lower+datoms 10k lines", |b| {
        b.iter_with_large_drop(|| FileLowering::new(&text, tree.root_node()))
    });

    // One edit in the middle form that changes its length, so every later form moves.
    let at = text.len() / 2 + text[text.len() / 2..].find(":limit 42").expect("a table") + 7;
    let mut edited = text.clone();
    edited.replace_range(at..at + 2, "4200");
    let edited_tree = parse(&edited);
    let mut file = FileLowering::new(&text, tree.root_node());
    let mut flip = false;
    c.bench_function("delta one-form edit 10k lines", |b| {
        b.iter(|| {
            flip = !flip;
            if flip {
                file.update(&edited, edited_tree.root_node())
            } else {
                file.update(&text, tree.root_node())
            }
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = bench
}
criterion_main!(benches);
