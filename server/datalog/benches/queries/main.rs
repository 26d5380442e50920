//! Query benchmarks on generated trees of 100k and 1M datoms (see `data.rs`), the same data and
//! queries as `datascript/bench.mjs`. Also measures building the indexes and one incremental
//! transaction (retracting and re-asserting the datoms of 50 nodes, like a changed form).
//!
//! `cargo bench -p yin-datalog --bench queries`; `DATALOG_BENCH_SIZES=100000` limits the sizes.

mod data;

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use datalog::{Budget, Db, Inputs, Query, Rules};

fn sizes() -> Vec<usize> {
    std::env::var("DATALOG_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![100_000, 1_000_000])
}

/// Peak resident set size of this process, from /proc (Linux only).
fn peak_rss_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

fn bench(c: &mut Criterion) {
    for size in sizes() {
        let n = data::nodes_for(size);
        let datoms = data::datoms(n);
        let db = Db::from_datoms(datoms.clone());
        println!(
            "datalog bench: {} datoms, index heap ~{} MiB, peak RSS so far {:?} MiB",
            db.len(),
            db.heap_bytes() / (1 << 20),
            peak_rss_mib()
        );
        let mut group = c.benchmark_group(format!("datalog/{size}"));
        group
            .sample_size(10)
            .measurement_time(Duration::from_secs(5));
        for (name, text, rules) in data::QUERIES {
            let q = Query::parse(text).expect("benchmark query parses");
            let mut inputs = Inputs::new();
            if !rules.is_empty() {
                inputs = inputs.rules(Rules::parse(rules).expect("benchmark rules parse"));
            }
            let budget = Budget::unlimited();
            let result = db
                .query(&q, &inputs, &budget)
                .expect("benchmark query runs");
            println!(
                "  {name}: {} rows, first {:?}",
                result.rows.len(),
                result.rows.first()
            );
            group.bench_function(BenchmarkId::new(name, size), |b| {
                b.iter(|| black_box(db.query(&q, &inputs, &budget).map(|r| r.rows.len())))
            });
        }
        group.bench_function(BenchmarkId::new("build", size), |b| {
            b.iter(|| black_box(Db::from_datoms(datoms.iter().cloned()).len()))
        });
        // One form's worth of change: 50 nodes' 200 datoms replaced by edited ones (names and
        // weights differ), then back, alternately; the unchanged datoms cancel out.
        let before: Vec<_> = datoms
            .iter()
            .skip(datoms.len() / 2)
            .take(200)
            .cloned()
            .collect();
        let after: Vec<_> = before
            .iter()
            .map(|d| match &d.v {
                edn::Value::Int(w) if d.a.as_str() == "node/weight" => {
                    edn::Datom::new(d.e, d.a.clone(), edn::Value::Int(w + 1))
                }
                edn::Value::Str(s) => edn::Datom::new(d.e, d.a.clone(), format!("{s}'").as_str()),
                _ => d.clone(),
            })
            .collect();
        let mut live = db.clone();
        let mut flip = false;
        group.bench_function(BenchmarkId::new("transact-50-nodes", size), |b| {
            b.iter(|| {
                let (old, new) = if flip {
                    (&after, &before)
                } else {
                    (&before, &after)
                };
                flip = !flip;
                live.transact(old, new);
                black_box(live.len())
            })
        });
        group.finish();
        println!("  peak RSS after {size}: {:?} MiB", peak_rss_mib());
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
