//! The machine's own guarantees: continuations (escape, re-entry, generators), parking and host
//! resumption, streams, limits, deep data, inspection, datoms, stepping back, and the two
//! equivalences: stepping then continuing, and serialising then resuming elsewhere, both give
//! the result of running straight through.

mod common;

use proptest::prelude::*;
use vm::inspect::{self, History};
use vm::{Captured, ErrorKind, Limits, Outcome, Session, Status, Value, pr_str, serial};

fn eval(text: &str) -> String {
    match common::eval_like_cli(text).1 {
        Outcome::Error(e) => format!("error: {}", e.message()),
        other => other.printed().unwrap_or_default(),
    }
}

fn eval_with(text: &str, limits: &Limits) -> Outcome {
    vm::eval_source(text, limits, &mut Captured::default())
}

#[test]
fn call_cc_escapes_and_reenters() {
    assert_eq!(eval("(+ 1 (call/cc (fn [k] (+ 100 (k 41)))))"), "42");
    // Re-entry: the continuation of the `let` binding is invoked again after it returned.
    assert_eq!(
        eval(
            "(def saved nil)
             (def count 0)
             (def result (let [x (call/cc (fn [k] (def saved k) 1))]
                           (def count (+ count 1))
                           x))
             (if (< count 3) (saved (+ result 10)) [count result])"
        ),
        // The continuation is delimited by the top-level form that captured it: re-entering it
        // rebinds x to 11, bumps count, redefines result, and that `def`'s value (11) becomes
        // the value of the form that invoked it.
        "11"
    );
}

/// Calls of `+`, `-` and `<` on integer locals are answered inline (no step, no primitive call)
/// while the global still holds the primitive; a redefinition must still be seen by code
/// compiled before it, since globals are late-bound.
#[test]
fn redefined_primitives_are_seen_by_inline_calls() {
    assert_eq!(
        eval(
            "(defn f [n] [(+ n 1) (- n 2) (< n 3) (inc (* n 2))])
             (def before (f 5))
             (def + (fn [a b] (str a \"+\" b)))
             (def < (fn [a b] :less))
             (def inc (fn [a] :inc))
             [before (f 5)]"
        ),
        "[[6 3 false 11] [\"5+1\" 3 :less :inc]]"
    );
    // A primitive rebound to another primitive keeps the fast path's answer right.
    assert_eq!(
        eval("(defn g [a b] (- a b)) (def g1 (g 7 2)) (def - +) [g1 (g 7 2)]"),
        "[5 9]"
    );
}

#[test]
fn generator_by_reentering_continuations() {
    let program = "
        (defn make-gen [items]
          (let [state {:return nil :resume nil}
                cell [state]]
            cell))
        (def return-k nil)
        (def resume-k nil)
        (defn gen-next []
          (call/cc (fn [ret]
            (def return-k ret)
            (if resume-k
              (resume-k nil)
              (do (reduce (fn [_ x] (call/cc (fn [res] (def resume-k res) (return-k x)))) nil [1 2 3])
                  (return-k :done))))))
        [(gen-next) (gen-next) (gen-next) (gen-next)]";
    assert_eq!(eval(program), "[1 2 3 :done]");
}

#[test]
fn park_then_host_resume_runs_the_rest() {
    let mut session = Session::new();
    session
        .load("(def a 1) (def b (+ a (park))) (println \"b is\" b) (* b 2)")
        .unwrap();
    let mut out = Captured::default();
    let limits = Limits::inline();
    let outcome = session.run(&limits, &mut out);
    assert!(matches!(outcome, Outcome::Parked { .. }), "{outcome:?}");
    assert_eq!(outcome.printed().unwrap(), "#<parked park>");
    let outcome = session.resume(Value::Int(41), &limits, &mut out);
    assert_eq!(outcome.printed().unwrap(), "84");
    assert_eq!(out.0, "b is 42\n");
}

#[test]
fn stream_producer_consumer() {
    assert_eq!(
        eval(
            "(let [s (stream/make 2) c (stream/cursor s)]
               (stream/put! s 1) (stream/put! s 2)
               (let [a (stream/next! c)]
                 (stream/put! s 3)
                 (stream/close! s)
                 [a (stream/next! c) (stream/next! c) (stream/next! c)]))"
        ),
        "[1 2 3 nil]"
    );
    assert!(
        eval("(let [s (stream/make 1)] (stream/put! s 1) (stream/put! s 2))")
            .starts_with("#<parked")
    );
}

#[test]
fn tail_calls_run_in_constant_continuation_space() {
    let mut limits = Limits::cli();
    limits.max_depth = 50;
    let outcome = eval_with(
        "(defn count-down [n] (if (= n 0) :done (count-down (dec n)))) (count-down 1000000)",
        &limits,
    );
    assert_eq!(outcome.printed().unwrap(), ":done");
    // The same limit stops non-tail recursion with a clear error.
    let outcome = eval_with(
        "(defn f [n] (if (= n 0) 0 (+ 1 (f (dec n))))) (f 1000)",
        &limits,
    );
    let Outcome::Error(e) = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(e.kind(), ErrorKind::Limit);
    assert!(e.message().contains("stack depth limit"), "{}", e.message());
}

#[test]
fn deep_recursion_and_its_continuation_are_freed_without_overflow() {
    assert_eq!(
        eval("(defn f [n] (if (= n 0) 0 (+ 1 (f (dec n))))) (f 1000000)"),
        "1000000"
    );
}

#[test]
fn deeply_nested_values_are_refused_not_overflowed() {
    let r = eval("(loop [v [] n 0] (if (< n 200000) (recur [v] (inc n)) (count v)))");
    assert!(r.contains("nested too deeply"), "{r}");
    let deep_source = format!("(quote {}{})", "(".repeat(200_000), ")".repeat(200_000));
    let r = eval(&deep_source);
    assert!(r.starts_with("error:"), "{}", &r[..r.len().min(80)]);
}

#[test]
fn limits_stop_runaway_programs() {
    let mut limits = Limits::inline();
    limits.fuel = 1000;
    let Outcome::Error(e) = eval_with("(loop [i 0] (recur (inc i)))", &limits) else {
        panic!("expected a fuel error")
    };
    assert!(e.message().contains("fuel"), "{}", e.message());
    let mut limits = Limits::inline();
    limits.timeout = std::time::Duration::from_millis(50);
    limits.fuel = u64::MAX;
    let Outcome::Error(e) = eval_with("(loop [i 0] (recur (inc i)))", &limits) else {
        panic!("expected a timeout")
    };
    assert!(e.message().contains("timeout"), "{}", e.message());
    let Outcome::Error(e) = eval_with("(count (range 100000000))", &Limits::inline()) else {
        panic!("expected a collection limit")
    };
    assert!(e.message().contains("collection limit"), "{}", e.message());
    let mut limits = Limits::inline();
    limits.max_store = 100;
    let Outcome::Error(e) = eval_with(
        "(let [s (stream/make)] (loop [i 0] (stream/put! s i) (recur (inc i))))",
        &limits,
    ) else {
        panic!("expected a store limit")
    };
    assert!(e.message().contains("store limit"), "{}", e.message());
}

#[test]
fn errors_carry_the_source_range() {
    let text = "(defn f [x] (+ x :a))\n(f 1)";
    let Outcome::Error(e) = eval_with(text, &Limits::inline()) else {
        panic!("expected an error")
    };
    let span = e.span().expect("a range");
    assert_eq!(&text[span], "(+ x :a)");
}

fn started(text: &str) -> Session {
    let mut s = Session::new();
    s.load(text).expect("the source reads");
    s
}

#[test]
fn inspection_lists_control_environment_continuation_and_store() {
    let text = "(defn f [x] (let [y (* x 2)] (+ y (g y)))) (defn g [z] (park)) (f 5)";
    let mut s = started(text);
    let outcome = s.run(&Limits::inline(), &mut Captured::default());
    assert!(matches!(outcome, Outcome::Parked { .. }));
    let view = inspect::view(&s.state);
    assert_eq!(view.status, "parked");
    let env: Vec<String> = view
        .environment
        .iter()
        .map(|b| format!("{}={}", b.name, b.value))
        .collect();
    assert_eq!(env, ["z=10"]);
    let frames: Vec<&str> = view.continuation.iter().map(|f| f.kind).collect();
    assert_eq!(frames, ["args"]);
    let range = view.continuation[0].range.unwrap();
    assert_eq!(&text[range], "(+ y (g y))");
    assert!(
        view.store
            .iter()
            .any(|b| b.name == "f" && b.value == "#<fn f>")
    );

    let datoms = inspect::datoms(&s.state);
    let has = |a: &str, v: &str| {
        datoms
            .iter()
            .any(|d| d.a.as_str() == a && d.v.to_string() == v)
    };
    assert!(has("cfg/status", ":parked"));
    assert!(has("k/tag", ":args"));
    assert!(has("bind/name", "z"));
    assert!(has("bind/value", "\"10\""));
    assert!(has("global/name", "g"));
}

#[test]
fn stepping_back_restores_earlier_states() {
    let mut s = started("(def two 2) (+ 1 (* two 3))");
    let limits = Limits::inline();
    let mut out = Captured::default();
    s.start_last(&limits, &mut out)
        .expect("the last form is ready");
    assert!(s.state.is_running());
    let mut history = History::new(10);
    let mut seen = Vec::new();
    while s.state.is_running() {
        history.push(s.state.clone());
        seen.push(s.state.steps);
        s.state.step(&mut out);
    }
    assert!(matches!(&s.state.status, Status::Done(v) if pr_str(v) == "7"));
    let back = history.back().unwrap();
    assert_eq!(back.steps, *seen.last().unwrap());
    assert!(back.is_running());
}

/// Programs for the equivalence properties: continuations, streams, macros, output, errors.
const PROGRAMS: &[&str] = &[
    "(defn fib [n] (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2))))) (println (fib 10)) (fib 12)",
    "(defmacro unless [c a b] (list 'if c b a)) (println (unless false :yes :no)) (map (fn [x] (* x x)) (filter odd? (range 20)))",
    "(def k nil) (def n 0) (def r (call/cc (fn [c] (def k c) 0))) (def n (inc n)) (if (< n 4) (k (+ r n)) [n r])",
    "(let [s (stream/make) c (stream/cursor s)] (doseq-like) )",
    "(let [s (stream/make 4) c (stream/cursor s)] (stream/put! s 1) (stream/put! s 2) (stream/close! s) [(stream/next! c) (stream/next! c) (stream/next! c)])",
    "(reduce (fn [acc x] (assoc acc x (str x))) {} (sort > (range 30)))",
    "(defn walk [t] (if (vector? t) (apply + (map walk t)) t)) (walk [[1 [2 3]] [4 [5 [6]]]])",
    "(loop [i 0 acc []] (if (< i 50) (recur (inc i) (conj acc (mod (* i i) 7))) (frequencies-free acc)))",
    "(+ 1 (park))",
    "(def xs (into [] (range 10))) (prn (reverse xs)) (update {:a [1]} :a conj 2)",
    "(def a (atom [])) (defn f [x] (swap! a conj x) (if (odd? x) (throw (ex-info \"odd\" {:x x})) x)) [(map (fn [x] (try (f x) (catch Exception e (ex-data e)) (finally (swap! a conj :f)))) (range 6)) (deref a)]",
    "(let [g (group-by odd? (range 10)) s (sort-by - > (range 8)) m (merge-with + {:a 1} {:a 2 :b 3})] [g s m ((juxt inc dec) 1) (take-while (fn [x] (< x 50)) (iterate (fn [x] (* 2 x)) 1)) (re-seq (re-pattern \"[a-z]+\") \"ab cd\")])",
    "(try (try (/ 1 0) (finally (println :inner))) (catch Exception e (ex-info \"wrapped\" {:m (ex-message e)})))",
    "(let [m0 {:a 1} xs (range 6)] [m0 (loop [i 0 m m0 s xs v []] (if (< i 6) (recur (inc i) (assoc m i (first s)) (rest s) (conj v i)) [m s v])) xs])",
];

fn straight(text: &str) -> (String, String) {
    let mut s = started(text);
    let mut out = Captured::default();
    let outcome = s.run(&Limits::inline(), &mut out);
    (out.0, outcome_text(&outcome))
}

fn outcome_text(o: &Outcome) -> String {
    match o {
        Outcome::Error(e) => format!("error: {}", e.message()),
        other => other.printed().unwrap_or_default(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn stepping_then_continuing_equals_running_straight(i in 0..PROGRAMS.len(), n in 0u64..3000) {
        let text = PROGRAMS[i];
        let limits = Limits::inline();
        let mut s = started(text);
        let mut out = Captured::default();
        let outcome = match s.advance(n, &limits, &mut out) {
            Some(o) => o,
            None => s.run(&limits, &mut out),
        };
        prop_assert_eq!((out.0, outcome_text(&outcome)), straight(text));
    }

    #[test]
    fn serialising_then_resuming_equals_running_straight(i in 0..PROGRAMS.len(), n in 0u64..3000) {
        let text = PROGRAMS[i];
        let limits = Limits::inline();
        let mut s = started(text);
        let mut out = Captured::default();
        let outcome = match s.advance(n, &limits, &mut out) {
            Some(o) => o,
            None => {
                let json = serial::to_json(&s);
                drop(s);
                let mut moved = serial::from_json(&json).expect("the document loads");
                moved.run(&limits, &mut out)
            }
        };
        prop_assert_eq!((out.0, outcome_text(&outcome)), straight(text));
    }
}

#[test]
fn a_parked_state_serialises_and_resumes_elsewhere() {
    let mut s = started("(defn f [x] (* 2 x)) (def y (f (park))) (println y) [y (f y)]");
    let limits = Limits::inline();
    let mut out = Captured::default();
    assert!(matches!(s.run(&limits, &mut out), Outcome::Parked { .. }));
    let json = serial::to_json(&s);
    let mut moved = serial::from_json(&json).unwrap();
    let outcome = moved.resume(Value::Int(21), &limits, &mut out);
    assert_eq!(outcome.printed().unwrap(), "[42 84]");
    assert_eq!(out.0, "42\n");
}

/// A `recur`'s in-place operand, decided when compiled, travels with the saved state, and one
/// that is not an index of the `recur`'s arguments is refused.
#[test]
fn a_recur_in_place_operand_is_saved_and_validated() {
    let mut s = started(
        "(defn sum [xs] (loop [s xs acc 0] (if (empty? s) acc (recur (rest s) (+ acc (first s))))))
         (def n (park))
         (sum (range n))",
    );
    let limits = Limits::inline();
    let mut out = Captured::default();
    assert!(matches!(s.run(&limits, &mut out), Outcome::Parked { .. }));
    let json = serial::to_json(&s);
    assert!(json.contains(r#""in_place":0"#), "{json}");
    let mut moved = serial::from_json(&json).expect("the document loads");
    let outcome = moved.resume(Value::Int(100), &limits, &mut out);
    assert_eq!(outcome.printed().unwrap(), "4950");

    let tampered = serial::rehash(&json.replace(r#""in_place":0"#, r#""in_place":7"#))
        .expect("the document has a hash");
    let err = serial::from_json(&tampered).expect_err("an operand out of range is refused");
    assert!(err.to_string().contains("in-place operand"), "{err}");
}

/// Found by the `resume` fuzz target: a counter edited to the top of its range overflowed at the
/// next function compiled.
#[test]
fn an_id_counter_at_the_end_of_its_range_is_refused() {
    let mut s = started("(def n (park)) (inc n)");
    let mut out = Captured::default();
    assert!(matches!(
        s.run(&Limits::inline(), &mut out),
        Outcome::Parked { .. }
    ));
    let json = serial::to_json(&s);
    for (counter, top) in [
        ("next_code_id", u64::from(u32::MAX)),
        ("next_proto_id", u64::from(u32::MAX)),
        ("next_cont_id", u64::MAX),
    ] {
        let at = json
            .find(&format!("\"{counter}\":"))
            .expect("the counter is saved");
        let value_start = at + counter.len() + 3;
        let value_end = value_start
            + json[value_start..]
                .find(|c: char| !c.is_ascii_digit())
                .expect("a number");
        let edited = format!("{}{top}{}", &json[..value_start], &json[value_end..]);
        let tampered = serial::rehash(&edited).expect("the document has a hash");
        let err = serial::from_json(&tampered).expect_err("a counter at its end is refused");
        assert!(err.to_string().contains("id counter"), "{counter}: {err}");
    }
}

#[test]
fn malformed_documents_are_errors() {
    assert!(serial::from_json("{").is_err());
    assert!(serial::from_json("{\"format\": \"other\"}").is_err());
}

/// A state parked inside `try`, `finally`, `swap!` and a library frame, holding an atom, an
/// exception and a regex, saves and resumes elsewhere with the result of running straight.
#[test]
fn a_state_holding_atoms_exceptions_regexes_and_library_frames_resumes() {
    let text = "(def a (atom {:n 1})) (def ex (ex-info \"boom\" {:k [1 2]})) (def re #\"a+b\")\n\
        (def got (try (swap! a update :n + (park)) (finally (swap! a assoc :done true))))\n\
        (def groups (group-by (fn [x] (if (= x 2) (park) (odd? x))) [1 2 3]))\n\
        [@a got groups (ex-message ex) (ex-data ex) (re-find re \"xaab\")]";
    let limits = Limits::inline();
    let mut out = Captured::default();
    let mut s = started(text);
    assert!(matches!(s.run(&limits, &mut out), Outcome::Parked { .. }));
    let mut moved = serial::from_json(&serial::to_json(&s)).expect("the document loads");
    assert!(matches!(
        moved.resume(Value::Int(41), &limits, &mut out),
        Outcome::Parked { .. }
    ));
    let mut again = serial::from_json(&serial::to_json(&moved)).expect("the document loads");
    let outcome = again.resume(Value::Bool(true), &limits, &mut out);
    assert_eq!(
        outcome.printed().as_deref(),
        Some("[{:n 42, :done true} {:n 42} {true [1 2 3]} \"boom\" {:k [1 2]} \"aab\"]"),
        "{outcome:?}"
    );
}

/// The index in the document's value table of global `name`'s value.
fn global_ref(json: &str, name: &str) -> u64 {
    let doc: serde_json::Value = serde_json::from_str(json).expect("the document is JSON");
    let globals = doc["store"]["globals"].as_array().expect("globals");
    let entry = globals
        .iter()
        .find(|g| g[0] == name)
        .expect("the global is saved");
    entry[2]["ref"].as_u64().expect("a reference")
}

/// A saved list is its elements only: the loader rebuilds the cells, recomputing each one's
/// length and nesting bound, so an edit can make a list neither cyclic nor deeper than allowed.
#[test]
fn a_tampered_list_in_a_saved_state_is_refused() {
    let mut s = started(
        "(def deep (loop [i 0 x (list)] (if (< i 999) (recur (inc i) (list x)) x)))
         (def short (list 7001 7002))
         (def n (park))
         [(count short) (first deep)]",
    );
    let limits = Limits::inline();
    let mut out = Captured::default();
    assert!(matches!(s.run(&limits, &mut out), Outcome::Parked { .. }));
    let json = serial::to_json(&s);
    let mut moved = serial::from_json(&json).expect("the untouched document loads");
    let outcome = moved.resume(Value::Int(0), &limits, &mut out);
    assert!(outcome.printed().unwrap().starts_with("[2 (("));

    let short = global_ref(&json, "short");
    let deep = global_ref(&json, "deep");
    for (target, refused) in [(short, "cycle"), (deep, "nested too deeply")] {
        let edited = json.replacen(
            r#"{"list":[{"int":7001}"#,
            &format!(r#"{{"list":[{{"ref":{target}}}"#),
            1,
        );
        assert_ne!(edited, json);
        let tampered = serial::rehash(&edited).expect("the document has a hash");
        let err = serial::from_json(&tampered).expect_err("the edited list is refused");
        assert!(err.to_string().contains(refused), "{refused}: {err}");
    }
}

/// Lists are cons cells: a million-element list is built, counted, walked and dropped, and a
/// shared tail outlives the list it was taken from, with no recursion on the length.
#[test]
fn a_million_element_list_is_built_walked_and_dropped() {
    let out = eval(
        "(def xs (loop [i 0 acc (list)] (if (< i 1000000) (recur (inc i) (cons i acc)) acc)))
         (def tail (loop [s xs k 0] (if (< k 500000) (recur (rest s) (inc k)) s)))
         (def xs nil)
         [(count tail) (first tail) (loop [s tail acc 0] (if (empty? s) acc (recur (next s) (+ acc (first s)))))]",
    );
    assert_eq!(out, "[500000 499999 124999750000]");
}
