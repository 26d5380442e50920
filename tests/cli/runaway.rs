//! Runaway programs through `yin eval`: each stops at one of its limits (docs/vm.md) with an
//! error naming the limit and exit 1, within the wall-clock budget given here (the default CLI
//! budget is 60 s; a test passes a shorter one to the endless ones). Memory stays bounded because
//! collections, strings and the continuation are capped and a run's memory is budgeted, not
//! because the run is short.

use expect_test::expect;

use super::{workspace, yin};

#[test]
fn each_runaway_stops_at_a_limit_with_exit_1() {
    let ws = workspace(&[]);
    let cases = [
        ("infinite loop", "(loop [i 0] (recur (inc i)))"),
        ("infinite tail recursion", "(defn a [n] (a (inc n)))\n(a 0)"),
        ("deep non-tail recursion", "(defn f [n] (+ 1 (f n)))\n(f 1)"),
        ("exponential nesting", "(defn f [x] (f [x x]))\n(f 1)"),
        ("exponential growth", "(loop [v [1]] (recur (into v v)))"),
        ("string doubling", "(loop [s \"ab\"] (recur (str s s)))"),
        ("huge count", "(count (range 1000000000000))"),
        ("huge reduce", "(reduce + (range 1000000000000))"),
        ("huge vector", "(vec (range 100000000))"),
        ("float range", "(count (range 1e12))"),
    ];
    let mut report = String::new();
    for (name, program) in cases {
        // Only the endless ones need the short budget; the others stop at their own limit,
        // which a debug build on a loaded machine can take longer than 3 s to reach.
        let timeout = if name.starts_with("infinite") {
            "3000"
        } else {
            "60000"
        };
        let run = yin(&["eval", "--timeout-ms", timeout, "-e", program], ws.path());
        assert_eq!(run.code, 1, "{name}: {}", run.stderr);
        report.push_str(&format!("{name}: {}", run.stderr));
    }
    expect![[r#"
        infinite loop: error: timeout: the program ran longer than 3000 ms
        infinite tail recursion: error: timeout: the program ran longer than 3000 ms
        deep non-tail recursion: error: <-e>:1:13: stack depth limit reached: 1000000 frames of non-tail calls
        exponential nesting: error: <-e>:1:16: value nested too deeply: collections and closures may nest at most 1000 levels
        exponential growth: error: <-e>:1:22: collection limit reached: at most 10000000 elements per collection
        string doubling: error: <-e>:1:23: collection limit reached: at most 10000000 elements per collection
        huge count: error: <-e>:1:8: collection limit reached: at most 10000000 elements per collection
        huge reduce: error: <-e>:1:11: collection limit reached: at most 10000000 elements per collection
        huge vector: error: <-e>:1:6: collection limit reached: at most 10000000 elements per collection
        float range: error: <-e>:1:8: range: expected an integer, got float 1.0E12
    "#]]
    .assert_eq(&report);
}

/// Many collections each under the per-collection cap used to add up to 1.5 GB and die with
/// "memory allocation failed" under a 600 MB address-space limit: the memory budget stops them
/// first, with an error like the other limits.
#[test]
fn memory_held_across_collections_stops_at_the_memory_limit() {
    let ws = workspace(&[]);
    let program = "(count (map (fn [i] (vec (range 1000000))) (range 60)))";
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v 614400 && exec \"$0\" eval -e '{program}'"
        ))
        .arg(env!("CARGO_BIN_EXE_yin"))
        .current_dir(ws.path())
        .output()
        .expect("sh runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    expect![[r#"
        error: memory limit reached: the program held more than 384 MB
    "#]]
    .assert_eq(&stderr);
}
