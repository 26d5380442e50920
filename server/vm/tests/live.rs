//! Live sessions: texts from several sources evaluated on one store, traces at failures that say
//! which source each frame is in, the session surviving errors, limits and interrupts, the
//! memory budget counted per evaluation, and inspection pages.

use expect_test::{Expect, expect};
use std::fmt::Write;
use std::time::Duration;
use text_size::{TextRange, TextSize};
use vm::{
    Captured, CountingAlloc, Ending, ErrorKind, Evaluated, Limits, Location, PrintLimits, Session,
    SourceId, Value, pr_limited,
};

/// How results show in these tests.
const SHOWN: PrintLimits = PrintLimits {
    max_length: 60,
    max_depth: 3,
    max_items: 10,
};

// The memory budget is only measured where the host counts allocations, as the `yin` binary does.
#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

/// Slices small enough that every test crosses several of them.
const SLICE: u64 = 1_000;

fn eval_in(
    session: &mut Session,
    source: u32,
    origin: u32,
    text: &str,
    limits: &Limits,
) -> Evaluated {
    let mut out = Captured::default();
    session.begin(SourceId(source), TextSize::from(origin), text, limits);
    loop {
        if let Some(done) = session.advance_live(SLICE, &mut out) {
            return done;
        }
    }
}

fn eval(session: &mut Session, source: u32, text: &str) -> Evaluated {
    eval_in(session, source, 0, text, &Limits::live())
}

fn at(location: Option<Location>) -> String {
    match location {
        Some(l) => format!(
            "src{}:{}..{}",
            l.source.0,
            u32::from(l.range.start()),
            u32::from(l.range.end())
        ),
        None => "-".to_owned(),
    }
}

/// An evaluation as text: each form's ending, then what was defined.
fn render(done: &Evaluated) -> String {
    let mut s = String::new();
    for form in &done.forms {
        let _ = write!(s, "{} ", at(form.location));
        ending(&mut s, &form.ending);
        if !form.defined.is_empty() {
            let names: Vec<&str> = form.defined.iter().map(|n| n.as_str()).collect();
            let _ = writeln!(s, "  defined {}", names.join(" "));
        }
    }
    if done.forms.is_empty() {
        ending(&mut s, &done.ending);
    }
    s
}

fn ending(s: &mut String, ending: &Ending) {
    match ending {
        Ending::Value(v) => {
            let _ = writeln!(s, "=> {}", pr_limited(v, &SHOWN).text);
        }
        Ending::Parked(reason) => {
            let _ = writeln!(s, "parked {reason}");
        }
        Ending::Failed(f) => {
            let _ = writeln!(s, "{:?} error at {}: {}", f.kind, at(f.location), f.message);
            for frame in &f.trace.frames {
                let _ = writeln!(s, "  {} ({})", frame.description, at(frame.location));
            }
            if f.trace.more > 0 {
                let _ = writeln!(s, "  ... {} more frames", f.trace.more);
            }
        }
    }
}

fn check(done: &Evaluated, expect: Expect) {
    expect.assert_eq(&render(done));
}

const SHAPES: &str = "(defn area [s] (* (:w s) (:h s)))
(defn total [xs] (+ 1 (area (first xs))))";
const REPORT: &str = "(defn report [xs] (str \"total: \" (total xs)))";

#[test]
fn a_trace_three_calls_deep_names_the_source_of_each_frame() {
    let mut session = Session::new();
    check(
        &eval(&mut session, 1, SHAPES),
        expect![[r#"
            src1:0..33 => #<fn area>
              defined area
            src1:34..75 => #<fn total>
              defined total
        "#]],
    );
    // The report is defined from another file, at offset 200 of it.
    check(
        &eval_in(&mut session, 2, 200, REPORT, &Limits::live()),
        expect![[r#"
            src2:200..245 => #<fn report>
              defined report
        "#]],
    );
    let done = eval(&mut session, 3, "(report [{:w \"a\" :h 2}])");
    check(
        &done,
        expect![[r#"
            src3:0..24 Type error at src1:15..32: *: expected a number, got string "a"
              calling *, in area (src1:15..32)
              argument 2 of +, in total (src1:56..73)
              argument 2 of str, in report (src2:233..243)
        "#]],
    );
    // The failing form's location is the form itself; the error's is where it failed.
    let failure = done.failure().unwrap();
    assert_eq!(
        failure.location.map(|l| (l.source, l.range)),
        Some((SourceId(1), TextRange::new(15.into(), 32.into())))
    );
    // Each frame's range is that text in its source.
    assert_eq!(&SHAPES[15..32], "(* (:w s) (:h s))");
    assert_eq!(&SHAPES[56..73], "(area (first xs))");
    assert_eq!(&REPORT[233 - 200..243 - 200], "(total xs)");
}

#[test]
fn an_uncaught_throw_keeps_the_frames_it_was_thrown_from() {
    let mut session = Session::new();
    eval(
        &mut session,
        1,
        "(defn f [x] (let [y (+ 1 (throw (ex-info \"boom\" {:x x})))] y))",
    );
    check(
        &eval(&mut session, 2, "(f 2)"),
        expect![[r#"
            src2:0..5 Thrown error at src1:25..56: uncaught exception: boom {:x 2}
              calling throw, in f (src1:25..56)
              argument 2 of +, in f (src1:25..56)
              let binding y, in f (src1:20..57)
        "#]],
    );
}

#[test]
fn the_session_survives_an_error_and_keeps_its_definitions() {
    let mut session = Session::new();
    check(
        &eval(&mut session, 1, "(def a 1) (/ 1 0) (def never 2)"),
        expect![[r#"
            src1:0..9 => 1
              defined a
            src1:10..17 DivideByZero error at src1:10..17: division by zero
              calling /, at top level (src1:10..17)
        "#]],
    );
    check(
        &eval(&mut session, 1, "(+ a 1)"),
        expect![[r#"
        src1:0..7 => 2
    "#]],
    );
    // The form after the failure never ran.
    check(
        &eval(&mut session, 1, "never"),
        expect![[r#"
        src1:0..5 Unresolved error at src1:0..5: unresolved symbol: never
          at top level (src1:0..5)
    "#]],
    );
}

#[test]
fn a_syntax_error_is_located_in_its_source_and_runs_nothing() {
    let mut session = Session::new();
    let done = eval_in(&mut session, 4, 50, "(def z 1) (+ 1", &Limits::live());
    check(
        &done,
        expect![[r#"
        Syntax error at src4:60..61: unclosed `(`
    "#]],
    );
    check(
        &eval(&mut session, 1, "(+ 1 2)"),
        expect![[r#"
        src1:0..7 => 3
    "#]],
    );
}

#[test]
fn an_interrupted_evaluation_reports_where_it_was_and_the_session_goes_on() {
    let mut session = Session::new();
    let mut out = Captured::default();
    session.begin(
        SourceId(1),
        TextSize::from(0),
        "(def b 5) (defn spin [n] (if (< n 0) n (spin (inc n)))) (+ 1 (spin 0))",
        &Limits::live(),
    );
    for _ in 0..20 {
        assert!(session.advance_live(SLICE, &mut out).is_none());
    }
    let done = session.interrupt().unwrap();
    assert!(!session.is_evaluating());
    assert!(session.interrupt().is_none());
    let failure = done.failure().unwrap();
    assert_eq!(failure.kind, ErrorKind::Interrupted);
    assert_eq!(failure.message, "evaluation interrupted");
    assert_eq!(done.forms.len(), 3);
    let frames: Vec<&str> = failure
        .trace
        .frames
        .iter()
        .map(|f| f.description.as_str())
        .collect();
    assert_eq!(frames[1..], ["argument 2 of +, at top level"]);
    assert!(done.steps >= 20 * SLICE, "{}", done.steps);
    check(
        &eval(&mut session, 1, "(+ b 1)"),
        expect![[r#"
        src1:0..7 => 6
    "#]],
    );
}

#[test]
fn a_host_that_stops_calling_can_begin_the_next_evaluation() {
    let mut session = Session::new();
    let mut out = Captured::default();
    session.begin(
        SourceId(1),
        TextSize::from(0),
        "(def c 3) (loop [] (recur))",
        &Limits::live(),
    );
    for _ in 0..5 {
        assert!(session.advance_live(SLICE, &mut out).is_none());
    }
    check(
        &eval(&mut session, 1, "(* c 2)"),
        expect![[r#"
        src1:0..7 => 6
    "#]],
    );
}

#[test]
fn limits_stop_a_runaway_with_its_trace_and_fuel_is_per_evaluation() {
    let mut session = Session::new();
    eval(&mut session, 1, "(defn spin [n] (spin (inc n)))");
    let tight = Limits::live().with(Some(50_000), None, None);
    let done = eval_in(&mut session, 2, 0, "(spin 0)", &tight);
    check(
        &done,
        expect![[r#"
        src2:0..8 Limit error at src1:15..29: fuel exhausted: the program ran 50000 steps (the fuel limit)
          calling spin, in spin (src1:15..29)
    "#]],
    );
    assert_eq!(done.steps, 50_000);
    // Each evaluation has its own fuel: this one alone fits, whatever ran before.
    for _ in 0..3 {
        let done = eval_in(&mut session, 2, 0, "(reduce + (range 10000))", &tight);
        assert_eq!(render(&done), "src2:0..24 => 49995000\n");
    }
    // The largest numbers a host may pass are no limit, not an immediate one.
    let vast = Limits::live().with(Some(u64::MAX), Some(u64::MAX), Some(u64::MAX));
    let done = eval_in(&mut session, 2, 0, "(reduce + (range 10000))", &vast);
    assert_eq!(render(&done), "src2:0..24 => 49995000\n");
    let slow = Limits::live().with(None, Some(30), None);
    let done = eval_in(&mut session, 2, 0, "(spin 0)", &slow);
    let failure = done.failure().unwrap();
    assert!(
        failure.message.starts_with("timeout"),
        "{}",
        failure.message
    );
    assert!(done.elapsed < Duration::from_secs(2), "{:?}", done.elapsed);
}

#[test]
fn deep_traces_are_cut_and_counted() {
    let mut session = Session::new();
    eval(
        &mut session,
        1,
        "(defn down [n] (if (= n 0) (/ 1 0) (+ 1 (down (dec n)))))",
    );
    let done = eval(&mut session, 2, "(down 500)");
    let failure = done.failure().unwrap();
    assert_eq!(failure.trace.frames.len(), vm::trace::MAX_FRAMES);
    assert_eq!(failure.trace.more, 500 - (vm::trace::MAX_FRAMES - 1));
    assert!(
        failure.trace.frames[1..]
            .iter()
            .all(|f| f.description == "argument 2 of +, in down")
    );
}

#[test]
fn an_evaluation_reports_what_each_form_defined() {
    let mut session = Session::new();
    let done = eval(
        &mut session,
        1,
        "(def x 1) (defmacro unless [c & body] `(if ~c nil (do ~@body))) (defn g [] (unless false x)) (g)",
    );
    check(
        &done,
        expect![[r#"
        src1:0..9 => 1
          defined x
        src1:10..63 => #<fn unless>
          defined unless
        src1:64..92 => #<fn g>
          defined g
        src1:93..96 => 1
    "#]],
    );
    let names: Vec<&str> = done.defined.iter().map(|n| n.as_str()).collect();
    assert_eq!(names, ["x", "unless", "g"]);
    // Defining the same name again reports it again.
    let again = eval(&mut session, 1, "(def x 1)");
    assert_eq!(again.defined.len(), 1);
}

#[test]
fn the_memory_budget_counts_from_the_start_of_each_evaluation() {
    let mut session = Session::new();
    let mb = |n| Limits::live().with(None, None, Some(n));
    // About 8 MB kept in the store by one evaluation ...
    let done = eval_in(
        &mut session,
        1,
        0,
        "(def big (vec (range 350000))) (count big)",
        &mb(64),
    );
    check(
        &done,
        expect![[r#"
            src1:0..30 => [0 1 2 3 4 5 6 7 8 9 ...]
              defined big
            src1:31..42 => 350000
        "#]],
    );
    // ... does not count against the next one's budget,
    let done = eval_in(&mut session, 1, 0, "(count big)", &mb(16));
    check(
        &done,
        expect![[r#"
            src1:0..11 => 350000
        "#]],
    );
    // but what an evaluation's own earlier forms keep does.
    let done = eval_in(
        &mut session,
        1,
        0,
        "(def a (vec (range 500000)))
         (def b (loop [i 0 v []] (if (< i 2000) (recur (inc i) (conj v (vec (range 100)))) v)))
         :unreached",
        &mb(16),
    );
    let failure = done.failure().unwrap();
    assert_eq!(failure.kind, ErrorKind::Limit);
    assert!(
        failure.message.starts_with("memory limit"),
        "{}",
        failure.message
    );
    // The first form fitted; the second did not, because the first one's vector still counts
    // (alone, it fits: the first evaluation held more). The second builds its vector step by
    // step: the budget is checked between steps, and `(vec (range n))` is one step.
    assert_eq!(done.forms.len(), 2, "{}", render(&done));
    assert!(matches!(
        done.forms[0].ending,
        Ending::Value(Value::Vector(_))
    ));
    assert!(
        matches!(&done.forms[1].ending, Ending::Failed(f) if f.kind == ErrorKind::Limit),
        "{}",
        render(&done)
    );
}

#[test]
fn a_parked_form_is_reported_and_the_next_form_runs() {
    let mut session = Session::new();
    check(
        &eval(&mut session, 1, "(park) 7"),
        expect![[r#"
        src1:0..6 parked park
        src1:7..8 => 7
    "#]],
    );
}

fn value_of(session: &mut Session, text: &str) -> Value {
    match eval(session, 1, text).ending {
        Ending::Value(v) => v,
        other => panic!("{text}: {other:?}"),
    }
}

/// A page as text: kind, count, offset, then each item (key and value) and the text.
fn show_page(session: &Session, v: &Value, offset: usize, count: usize) -> String {
    let page = session.page(v, offset, count);
    let mut s = format!(
        "{} count={} offset={}:",
        page.kind.name(),
        page.count,
        page.offset
    );
    for item in &page.items {
        match &item.key {
            Some(k) => {
                let _ = write!(
                    s,
                    " {}={}",
                    pr_limited(k, &SHOWN).text,
                    pr_limited(&item.value, &SHOWN).text
                );
            }
            None => {
                let _ = write!(s, " {}", pr_limited(&item.value, &SHOWN).text);
            }
        }
    }
    if let Some(text) = &page.text {
        let _ = write!(s, " text={text:?}");
    }
    s
}

#[test]
fn pages_of_each_kind_with_the_last_partial_page_and_offsets_past_the_end() {
    let mut session = Session::new();
    let v = value_of(&mut session, "(vec (range 250))");
    let l = value_of(&mut session, "(apply list (range 7))");
    let m = value_of(&mut session, "(zipmap [:a :b :c :d] [1 2 3 [4]])");
    let st = value_of(&mut session, "#{:x :y :z}");
    let s = value_of(&mut session, "\"héllo wörld\"");
    let a = value_of(
        &mut session,
        "(def at (atom {:n 1})) (swap! at update :n inc) at",
    );
    let f = value_of(&mut session, "(defn sq [x] (* x x))");
    let k = value_of(&mut session, ":kw");
    let pages = [
        show_page(&session, &v, 0, 3),
        show_page(&session, &v, 248, 100),
        show_page(&session, &v, 250, 100),
        show_page(&session, &v, 1_000_000, 100),
        show_page(&session, &l, 5, 10),
        show_page(&session, &m, 1, 2),
        show_page(&session, &m, 3, 2),
        show_page(&session, &m, 4, 2),
        show_page(&session, &st, 0, 100),
        show_page(&session, &s, 1, 4),
        show_page(&session, &s, 9, 100),
        show_page(&session, &s, 50, 100),
        show_page(&session, &a, 0, 100),
        show_page(&session, &a, 1, 100),
        show_page(&session, &f, 0, 100),
        show_page(&session, &k, 0, 100),
    ];
    expect![[r##"
        vector count=250 offset=0: 0 1 2
        vector count=250 offset=248: 248 249
        vector count=250 offset=250:
        vector count=250 offset=1000000:
        list count=7 offset=5: 5 6
        map count=4 offset=1: :b=2 :c=3
        map count=4 offset=3: :d=[4]
        map count=4 offset=4:
        set count=3 offset=0: :x :y :z
        string count=11 offset=1: text="éllo"
        string count=11 offset=9: text="ld"
        string count=11 offset=50: text=""
        atom count=1 offset=0: {:n 2}
        atom count=1 offset=1:
        fn count=0 offset=0: text="#<fn sq>"
        other count=0 offset=0: text=":kw""##]]
    .assert_eq(&pages.join("\n"));
}

#[test]
fn a_page_of_a_million_elements_costs_the_page() {
    let mut session = Session::new();
    let v = value_of(&mut session, "(range 1000000)");
    let page = session.page(&v, 999_990, 100);
    assert_eq!(page.count, 1_000_000);
    let items: Vec<String> = page
        .items
        .iter()
        .map(|i| pr_limited(&i.value, &SHOWN).text)
        .collect();
    assert_eq!(
        items,
        (999_990..1_000_000)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
    );
}
