//! Atoms and `try` as the debugger sees them: an atom is a store cell (listed in the store view
//! and the datoms, restored by stepping back), a `try` is a handler frame on the continuation.

use vm::inspect::{self, History};
use vm::{Captured, Limits, Outcome, Session, Status, pr_str};

fn started(text: &str) -> Session {
    let mut s = Session::new();
    s.load(text).expect("the source reads");
    s
}

fn has(datoms: &[edn::Datom], a: &str, v: &str) -> bool {
    datoms
        .iter()
        .any(|d| d.a.as_str() == a && d.v.to_string() == v)
}

#[test]
fn a_try_frame_is_on_the_continuation_while_its_body_runs() {
    let text = "(try (+ 1 (park)) (catch Exception e :caught))";
    let mut s = started(text);
    let outcome = s.run(&Limits::inline(), &mut Captured::default());
    assert!(matches!(outcome, Outcome::Parked { .. }));
    let view = inspect::view(&s.state);
    let kinds: Vec<&str> = view.continuation.iter().map(|f| f.kind).collect();
    assert_eq!(kinds, ["args", "try"]);
    let try_frame = &view.continuation[1];
    assert_eq!(&text[try_frame.range.expect("a range")], text);
    assert!(try_frame.description.contains("catch handler ready"));
    assert!(has(&inspect::datoms(&s.state), "k/tag", ":try"));

    // Resumed, the body returns through the frame; the handler never runs.
    let outcome = s.resume(
        vm::Value::Int(2),
        &Limits::inline(),
        &mut Captured::default(),
    );
    assert_eq!(outcome.printed().as_deref(), Some("3"));
}

#[test]
fn throwing_cuts_the_continuation_back_to_the_handler() {
    let text = "(defn f [n] (if (zero? n) (throw (ex-info \"bottom\" {})) (+ 1 (f (dec n))))) \
                (try (f 50) (catch Exception e (park)))";
    let mut s = started(text);
    let outcome = s.run(&Limits::inline(), &mut Captured::default());
    assert!(matches!(outcome, Outcome::Parked { .. }));
    // The fifty frames of `(+ 1 (f ...))` are gone: the handler runs where the try was.
    assert!(inspect::view(&s.state).continuation.is_empty());
}

#[test]
fn atoms_show_in_the_store_and_stepping_back_restores_them() {
    let mut s = started("(def a (atom 1)) (do (swap! a inc) (swap! a * 10) (deref a))");
    let limits = Limits::inline();
    let mut out = Captured::default();
    s.start_last(&limits, &mut out)
        .expect("the last form is ready");
    let mut history = History::new(100);
    let mut values = Vec::new();
    while s.state.is_running() {
        history.push(s.state.clone());
        let view = inspect::view(&s.state);
        let atom = view
            .store
            .iter()
            .find(|b| b.name == "#<atom 0>")
            .map(|b| b.value.clone())
            .expect("the atom is in the store view");
        if values.last() != Some(&atom) {
            values.push(atom);
        }
        s.state.step(&mut out);
    }
    assert!(matches!(&s.state.status, Status::Done(v) if pr_str(v) == "20"));
    assert_eq!(values, ["1", "2", "20"]);
    let datoms = inspect::datoms(&s.state);
    assert!(has(&datoms, "atom/id", "0"));
    assert!(has(&datoms, "atom/value", "\"20\""));

    let mut earliest = None;
    while let Some(back) = history.back() {
        earliest = Some(back);
    }
    let earliest = earliest.expect("steps were taken");
    let view = inspect::view(&earliest);
    assert!(
        view.store
            .iter()
            .any(|b| b.name == "#<atom 0>" && b.value == "1")
    );
}

#[test]
fn limits_are_not_caught() {
    let mut s =
        started("(defn spin [n] (recur (inc n))) (try (spin 0) (catch Exception e :caught))");
    let limits = Limits {
        fuel: 10_000,
        ..Limits::inline()
    };
    match s.run(&limits, &mut Captured::default()) {
        Outcome::Error(e) => assert!(e.message().contains("fuel exhausted"), "{}", e.message()),
        other => panic!("expected the fuel limit, got {other:?}"),
    }
}
