//! Snapshot tests: yin source in, datoms and diagnostics out, one case per form.
//!
//! Entities print as `slot.node` (e.g. `1.4`, the fifth node of the first form) and so do
//! references, so the snapshots read as a graph; core library entities print as `core.N`. One line
//! per entity; attribute names drop the `:yin/` prefix.

use expect_test::{Expect, expect};
use syntax::datoms::{NODE_BITS, is_ref};
use syntax::file::FileLowering;

fn entity(e: u64) -> String {
    let slot = e >> NODE_BITS;
    let node = e & ((1 << NODE_BITS) - 1);
    if slot == 0 {
        format!("core.{node}")
    } else {
        format!("{slot}.{node}")
    }
}

/// One line per entity (in order of first appearance) with its attributes and values.
fn render(src: &str) -> String {
    let file = FileLowering::from_text(src);
    let mut lines: Vec<(u64, String)> = Vec::new();
    for d in file.datoms() {
        let v = match (&d.v, is_ref(&d.a)) {
            (edn::Value::Int(i), true) => entity(*i as u64),
            (v, _) => v.to_string(),
        };
        let attr = d.a.to_string();
        let attr = attr.strip_prefix(":yin/").unwrap_or(&attr);
        let field = format!(" {attr} {v}");
        match lines.iter_mut().find(|(e, _)| *e == d.e) {
            Some((_, line)) => line.push_str(&field),
            None => lines.push((d.e, format!("{}{field}", entity(d.e)))),
        }
    }
    let mut out: String = lines.into_iter().map(|(_, l)| l + "\n").collect();
    let syntax_errors = syntax::Document::new(src).syntax_diagnostics();
    for d in syntax_errors.into_iter().chain(file.diagnostics()) {
        let range = usize::from(d.range.start())..usize::from(d.range.end());
        out.push_str(&format!(
            "{:?} {} {:?} {:?}: {}\n",
            d.severity,
            d.code,
            range.clone(),
            &src[range],
            d.message
        ));
    }
    out
}

fn check(src: &str, expect: Expect) {
    expect.assert_eq(&render(src));
}

#[test]
fn literals() {
    check(
        r#"42 -2.5 5/2 4/2 0x1F 017 2r101 7N ##Inf "s\n" \a \newline :k/x nil true"#,
        expect![[r#"
            1.0 value 42 type :literal start 0 end 2 top-level true
            2.0 value -2.5 type :literal start 0 end 4 top-level true
            3.0 value #yin/ratio [5 2] type :literal start 0 end 3 top-level true
            4.0 value 2 type :literal start 0 end 3 top-level true
            5.0 value 31 type :literal start 0 end 4 top-level true
            6.0 value 15 type :literal start 0 end 3 top-level true
            7.0 value 5 type :literal start 0 end 5 top-level true
            8.0 value 7 type :literal start 0 end 2 top-level true
            9.0 value ##Inf type :literal start 0 end 5 top-level true
            10.0 value "s\n" type :literal start 0 end 5 top-level true
            11.0 value \a type :literal start 0 end 2 top-level true
            12.0 value \newline type :literal start 0 end 8 top-level true
            13.0 value :k/x type :literal start 0 end 4 top-level true
            14.0 value nil type :literal start 0 end 3 top-level true
            15.0 value true type :literal start 0 end 4 top-level true
        "#]],
    );
}

#[test]
fn collections_evaluate_their_elements() {
    check(
        r#"[1 x] {:a (inc 1)} #{y}"#,
        expect![[r#"
            1.0 value 1 type :literal start 1 end 2 index 0
            1.1 name x type :variable start 3 end 4 index 1 resolution :unresolved
            1.2 elements 1.0 elements 1.1 type :vector start 0 end 5 top-level true
            2.0 value :a type :literal start 1 end 3 index 0
            2.1 name inc type :variable start 5 end 8 resolution :core binding core.13
            2.2 value 1 type :literal start 9 end 10 index 0
            2.3 operator 2.1 operands 2.2 type :application start 4 end 11 index 0
            2.4 keys 2.0 vals 2.3 type :map start 0 end 12 top-level true
            3.0 name y type :variable start 2 end 3 index 0 resolution :unresolved
            3.1 elements 3.0 type :set start 0 end 4 top-level true
        "#]],
    );
}

#[test]
fn quote_and_sugar() {
    check(
        r#"'(a b) (quote [1 c]) ()"#,
        expect![[r#"
            1.0 value (a b) type :quote start 0 end 6 top-level true
            2.0 value [1 c] type :quote start 0 end 13 top-level true
            3.0 value () type :quote start 0 end 2 top-level true
        "#]],
    );
}

#[test]
fn def_and_global_links() {
    check(
        r#"(def x "doc" 1) (+ x y)"#,
        expect![[r#"
            1.0 name x binder-kind :def init 1.1 doc "doc" type :binder start 5 end 6
            1.1 value 1 type :literal start 13 end 14
            1.2 binder 1.0 name x init 1.1 type :def start 0 end 15 top-level true
            2.0 name + type :variable start 1 end 2 resolution :core binding core.0
            2.1 name x type :variable start 3 end 4 index 0 resolution :global binding 1.0
            2.2 name y type :variable start 5 end 6 index 1 resolution :unresolved
            2.3 operator 2.0 operands 2.1 operands 2.2 type :application start 0 end 7 top-level true
        "#]],
    );
}

#[test]
fn defn_docstring_and_recursion() {
    check(
        r#"(defn f "Counts down." [n] (if (zero? n) n (f (dec n))))"#,
        expect![[r#"
            1.0 name f binder-kind :def init 1.13 min-arity 1 max-arity 1 doc "Counts down." type :binder start 6 end 7
            1.1 name n binder-kind :param type :binder start 24 end 25 index 0
            1.2 name zero? type :variable start 32 end 37 resolution :core binding core.23
            1.3 name n resolution :local binding 1.1 type :variable start 38 end 39 index 0
            1.4 operator 1.2 operands 1.3 type :application start 31 end 40
            1.5 name n resolution :local binding 1.1 type :variable start 41 end 42
            1.6 name f type :variable start 44 end 45 resolution :global binding 1.0
            1.7 name dec type :variable start 47 end 50 resolution :core binding core.14
            1.8 name n resolution :local binding 1.1 type :variable start 51 end 52 index 0
            1.9 operator 1.7 operands 1.8 type :application start 46 end 53 index 0
            1.10 operator 1.6 operands 1.9 type :application start 43 end 54
            1.11 test 1.4 consequent 1.5 alternate 1.10 type :if start 27 end 55 index 0
            1.12 params 1.1 body 1.11 arity 1 variadic false type :arity start 23 end 55 index 0
            1.13 arities 1.12 type :lambda start 0 end 56 surface :defn
            1.14 binder 1.0 name f init 1.13 type :def start 0 end 56 surface :defn top-level true
        "#]],
    );
}

#[test]
fn defn_multi_arity() {
    check(
        r#"(defn g ([] (g 1)) ([a & more] [a more]))"#,
        expect![[r#"
            1.0 name g binder-kind :def init 1.11 min-arity 0 type :binder start 6 end 7
            1.1 name g type :variable start 13 end 14 resolution :global binding 1.0
            1.2 value 1 type :literal start 15 end 16 index 0
            1.3 operator 1.1 operands 1.2 type :application start 12 end 17 index 0
            1.4 body 1.3 arity 0 variadic false type :arity start 8 end 18 index 0
            1.5 name a binder-kind :param type :binder start 21 end 22 index 0
            1.6 name more binder-kind :rest type :binder start 25 end 29
            1.7 name a resolution :local binding 1.5 type :variable start 32 end 33 index 0
            1.8 name more resolution :local binding 1.6 type :variable start 34 end 38 index 1
            1.9 elements 1.7 elements 1.8 type :vector start 31 end 39 index 0
            1.10 params 1.5 rest 1.6 body 1.9 arity 1 variadic true type :arity start 19 end 40 index 1
            1.11 arities 1.4 arities 1.10 type :lambda start 0 end 41 surface :defn
            1.12 binder 1.0 name g init 1.11 type :def start 0 end 41 surface :defn top-level true
        "#]],
    );
}

#[test]
fn fn_named_rest_and_shadowing() {
    check(
        r#"(fn self [x & xs] (self xs x))"#,
        expect![[r#"
            1.0 name self binder-kind :fn-name type :binder start 4 end 8 min-arity 1
            1.1 name x binder-kind :param type :binder start 10 end 11 index 0
            1.2 name xs binder-kind :rest type :binder start 14 end 16
            1.3 name self resolution :local binding 1.0 type :variable start 19 end 23
            1.4 name xs resolution :local binding 1.2 type :variable start 24 end 26 index 0
            1.5 name x resolution :local binding 1.1 type :variable start 27 end 28 index 1
            1.6 operator 1.3 operands 1.4 operands 1.5 type :application start 18 end 29 index 0
            1.7 params 1.1 rest 1.2 body 1.6 arity 1 variadic true type :arity start 9 end 29 index 0
            1.8 fn-name 1.0 name self arities 1.7 type :lambda start 0 end 30 top-level true
        "#]],
    );
}

#[test]
fn let_is_sequential() {
    check(
        r#"(let [x 1 y x x (+ x y)] x)"#,
        expect![[r#"
            1.0 value 1 type :literal start 8 end 9
            1.1 name x binder-kind :let init 1.0 type :binder start 6 end 7 index 0
            1.2 name x resolution :local binding 1.1 type :variable start 12 end 13
            1.3 name y binder-kind :let init 1.2 type :binder start 10 end 11 index 1
            1.4 name + type :variable start 17 end 18 resolution :core binding core.0
            1.5 name x resolution :local binding 1.1 type :variable start 19 end 20 index 0
            1.6 name y resolution :local binding 1.3 type :variable start 21 end 22 index 1
            1.7 operator 1.4 operands 1.5 operands 1.6 type :application start 16 end 23
            1.8 name x binder-kind :let init 1.7 type :binder start 14 end 15 index 2
            1.9 name x resolution :local binding 1.8 type :variable start 25 end 26 index 0
            1.10 bindings 1.1 bindings 1.3 bindings 1.8 body 1.9 type :let start 0 end 27 top-level true
        "#]],
    );
}

#[test]
fn if_do_and_or() {
    check(
        r#"(if (and) (do 1 2) (or))"#,
        expect![[r#"
            1.0 type :and start 4 end 9
            1.1 value 1 type :literal start 14 end 15 index 0
            1.2 value 2 type :literal start 16 end 17 index 1
            1.3 body 1.1 body 1.2 type :do start 10 end 18
            1.4 type :or start 19 end 23
            1.5 test 1.0 consequent 1.3 alternate 1.4 type :if start 0 end 24 top-level true
        "#]],
    );
}

#[test]
fn when_and_when_not() {
    check(
        r#"(when a b c) (when-not a b)"#,
        expect![[r#"
            1.0 name a type :variable start 6 end 7 resolution :unresolved
            1.1 name b type :variable start 8 end 9 index 0 resolution :unresolved
            1.2 name c type :variable start 10 end 11 index 1 resolution :unresolved
            1.3 body 1.1 body 1.2 type :do start 0 end 12 surface :when
            1.4 test 1.0 consequent 1.3 type :if start 0 end 12 surface :when top-level true
            2.0 name a type :variable start 10 end 11 resolution :unresolved
            2.1 name b type :variable start 12 end 13 index 0 resolution :unresolved
            2.2 body 2.1 type :do start 0 end 14 surface :when-not
            2.3 value nil type :literal start 0 end 14 surface :when-not
            2.4 test 2.0 consequent 2.3 alternate 2.2 type :if start 0 end 14 surface :when-not top-level true
        "#]],
    );
}

#[test]
fn cond_nests_ifs() {
    check(
        r#"(cond a 1 :else 2)"#,
        expect![[r#"
            1.0 name a type :variable start 6 end 7 resolution :unresolved
            1.1 value 1 type :literal start 8 end 9
            1.2 value :else type :literal start 10 end 15
            1.3 value 2 type :literal start 16 end 17
            1.4 test 1.2 consequent 1.3 type :if start 10 end 18 surface :cond
            1.5 test 1.0 consequent 1.1 alternate 1.4 type :if start 0 end 18 surface :cond top-level true
        "#]],
    );
}

#[test]
fn threading() {
    check(
        r#"(-> x (f 1) g) (->> x (f 1))"#,
        expect![[r#"
            1.0 name g type :variable start 12 end 13 resolution :unresolved
            1.1 name f type :variable start 7 end 8 resolution :unresolved
            1.2 name x type :variable start 4 end 5 index 0 resolution :unresolved
            1.3 value 1 type :literal start 9 end 10 index 1
            1.4 operator 1.1 operands 1.2 operands 1.3 type :application start 6 end 11 index 0
            1.5 operator 1.0 operands 1.4 type :application start 0 end 14 surface :-> top-level true
            2.0 name f type :variable start 8 end 9 resolution :unresolved
            2.1 value 1 type :literal start 10 end 11 index 0
            2.2 name x type :variable start 5 end 6 index 1 resolution :unresolved
            2.3 operator 2.0 operands 2.1 operands 2.2 type :application start 0 end 13 surface :->> top-level true
        "#]],
    );
}

#[test]
fn loop_recur() {
    check(
        r#"(loop [i 0] (if (< i 3) (recur (inc i)) i))"#,
        expect![[r#"
            1.0 value 0 type :literal start 9 end 10
            1.1 name i binder-kind :loop init 1.0 type :binder start 7 end 8 index 0
            1.2 name < type :variable start 17 end 18 resolution :core binding core.8
            1.3 name i resolution :local binding 1.1 type :variable start 19 end 20 index 0
            1.4 value 3 type :literal start 21 end 22 index 1
            1.5 operator 1.2 operands 1.3 operands 1.4 type :application start 16 end 23
            1.6 name inc type :variable start 32 end 35 resolution :core binding core.13
            1.7 name i resolution :local binding 1.1 type :variable start 36 end 37 index 0
            1.8 operator 1.6 operands 1.7 type :application start 31 end 38 index 0
            1.9 operands 1.8 type :recur start 24 end 39
            1.10 name i resolution :local binding 1.1 type :variable start 40 end 41
            1.11 test 1.5 consequent 1.9 alternate 1.10 type :if start 12 end 42 index 0
            1.12 bindings 1.1 body 1.11 type :loop start 0 end 43 top-level true
        "#]],
    );
}

#[test]
fn call_cc_is_a_call() {
    check(
        r#"(call/cc (fn [k] (k 1)))"#,
        expect![[r#"
            1.0 name call/cc type :variable start 1 end 8 resolution :core binding core.81
            1.1 name k binder-kind :param type :binder start 14 end 15 index 0
            1.2 name k resolution :local binding 1.1 type :variable start 18 end 19
            1.3 value 1 type :literal start 20 end 21 index 0
            1.4 operator 1.2 operands 1.3 type :application start 17 end 22 index 0
            1.5 params 1.1 body 1.4 arity 1 variadic false type :arity start 13 end 22 index 0
            1.6 arities 1.5 type :lambda start 9 end 23 index 0
            1.7 operator 1.0 operands 1.6 type :application start 0 end 24 top-level true
        "#]],
    );
}

#[test]
fn defmacro() {
    check(
        r#"(defmacro unless [t & body] (list 'if t nil (cons 'do body)))"#,
        expect![[r#"
            1.0 name unless binder-kind :def init 1.13 min-arity 1 type :binder start 10 end 16
            1.1 name t binder-kind :param type :binder start 18 end 19 index 0
            1.2 name body binder-kind :rest type :binder start 22 end 26
            1.3 name list type :variable start 29 end 33 resolution :core binding core.54
            1.4 value if type :quote start 34 end 37 index 0
            1.5 name t resolution :local binding 1.1 type :variable start 38 end 39 index 1
            1.6 value nil type :literal start 40 end 43 index 2
            1.7 name cons type :variable start 45 end 49 resolution :core binding core.48
            1.8 value do type :quote start 50 end 53 index 0
            1.9 name body resolution :local binding 1.2 type :variable start 54 end 58 index 1
            1.10 operator 1.7 operands 1.8 operands 1.9 type :application start 44 end 59 index 3
            1.11 operator 1.3 operands 1.4 operands 1.5 operands 1.6 operands 1.10 type :application start 28 end 60 index 0
            1.12 params 1.1 rest 1.2 body 1.11 arity 1 variadic true type :arity start 17 end 60 index 0
            1.13 arities 1.12 type :lambda start 0 end 61 surface :defmacro
            1.14 binder 1.0 name unless init 1.13 macro true type :def start 0 end 61 surface :defmacro top-level true
        "#]],
    );
}

#[test]
fn param_named_defn_is_called() {
    check(
        r#"(defn call [defn] (defn 3))"#,
        expect![[r#"
            1.0 name call binder-kind :def init 1.6 min-arity 1 max-arity 1 type :binder start 6 end 10
            1.1 name defn binder-kind :param type :binder start 12 end 16 index 0
            1.2 name defn resolution :local binding 1.1 type :variable start 19 end 23
            1.3 value 3 type :literal start 24 end 25 index 0
            1.4 operator 1.2 operands 1.3 type :application start 18 end 26 index 0
            1.5 params 1.1 body 1.4 arity 1 variadic false type :arity start 11 end 26 index 0
            1.6 arities 1.5 type :lambda start 0 end 27 surface :defn
            1.7 binder 1.0 name call init 1.6 type :def start 0 end 27 surface :defn top-level true
        "#]],
    );
}

#[test]
fn malformed_let_if_def_fn() {
    check(
        r#"(let [x 1 y] x) (if) (def) (fn) (def 1 2)"#,
        expect![[r#"
            1.0 value 1 type :literal start 8 end 9
            1.1 name x binder-kind :let init 1.0 type :binder start 6 end 7 index 0
            1.2 type :error start 10 end 11
            1.3 name y binder-kind :let init 1.2 type :binder start 10 end 11 index 1
            1.4 name x resolution :local binding 1.1 type :variable start 13 end 14 index 0
            1.5 bindings 1.1 bindings 1.3 body 1.4 type :let start 0 end 15 top-level true
            2.0 type :error start 0 end 4 top-level true
            3.0 type :error start 0 end 5 top-level true
            4.0 type :error start 0 end 4 top-level true
            5.0 value 1 type :literal start 5 end 6 index 0
            5.1 value 2 type :literal start 7 end 8 index 1
            5.2 parts 5.0 parts 5.1 type :error start 0 end 9 top-level true
            Error malformed 10..11 "y": let bindings need an even number of forms; this one has no value
            Error malformed 17..19 "if": if takes a test, a consequent and an optional alternate, not 0 forms
            Error malformed 22..25 "def": def needs a name
            Error malformed 28..30 "fn": fn needs a parameter vector
            Error malformed 37..38 "1": def needs a symbol as its name
        "#]],
    );
}

#[test]
fn malformed_recur_cond_arities() {
    check(
        r#"(recur 1) (cond a) (loop [i 0] (recur)) (fn ([x] x) ([y] y))"#,
        expect![[r#"
            1.0 value 1 type :literal start 7 end 8 index 0
            1.1 parts 1.0 type :error start 0 end 9 surface :recur top-level true
            2.0 name a type :variable start 6 end 7 index 0 resolution :unresolved
            2.1 parts 2.0 type :error start 6 end 7 top-level true
            3.0 value 0 type :literal start 9 end 10
            3.1 name i binder-kind :loop init 3.0 type :binder start 7 end 8 index 0
            3.2 type :recur start 12 end 19 index 0
            3.3 bindings 3.1 body 3.2 type :loop start 0 end 20 top-level true
            4.0 name x binder-kind :param type :binder start 6 end 7 index 0
            4.1 name x resolution :local binding 4.0 type :variable start 9 end 10 index 0
            4.2 params 4.0 body 4.1 arity 1 variadic false type :arity start 4 end 11 index 0
            4.3 name y binder-kind :param type :binder start 14 end 15 index 0
            4.4 name y resolution :local binding 4.3 type :variable start 17 end 18 index 0
            4.5 params 4.3 body 4.4 arity 1 variadic false type :arity start 12 end 19 index 1
            4.6 arities 4.2 arities 4.5 type :lambda start 0 end 20 top-level true
            Error malformed 16..17 "a": cond needs an even number of forms; this test has no expression
            Error malformed 31..38 "(recur)": recur expects 1 argument, got 0
            Error malformed 52..59 "([y] y)": another arity already takes 1 parameter
        "#]],
    );
}

#[test]
fn unsupported_reader_syntax() {
    check(
        r#"#(inc %) #?(:clj 1) @a `x (.foo o) #"re" ::kw"#,
        expect![[r##"
            1.0 name %1 binder-kind :param type :binder start 6 end 7 index 0
            1.1 name inc type :variable start 2 end 5 resolution :core binding core.13
            1.2 name %1 resolution :local binding 1.0 type :variable start 6 end 7 index 0
            1.3 operator 1.1 operands 1.2 type :application start 0 end 8 index 0
            1.4 params 1.0 body 1.3 arity 1 variadic false type :arity start 0 end 8 index 0
            1.5 arities 1.4 type :lambda start 0 end 8 top-level true
            2.0 type :error start 0 end 10 top-level true
            3.0 name deref type :variable start 0 end 1 resolution :core binding core.94
            3.1 name a type :variable start 1 end 2 index 0 resolution :unresolved
            3.2 operator 3.0 operands 3.1 type :application start 0 end 2 top-level true
            4.0 value x type :quote start 0 end 2 top-level true
            5.0 type :error start 1 end 5
            5.1 name o type :variable start 6 end 7 index 0 resolution :unresolved
            5.2 operator 5.0 operands 5.1 type :application start 0 end 8 top-level true
            6.0 name re-pattern type :variable start 0 end 5 resolution :core binding core.89
            6.1 value "re" type :literal start 0 end 5 index 0
            6.2 operator 6.0 operands 6.1 type :application start 0 end 5 top-level true
            7.0 type :error start 0 end 4 top-level true
            Error unsupported 9..19 "#?(:clj 1)": reader conditionals `#?(...)` are not supported in yin
            Error unsupported 27..31 ".foo": Java interop (`.foo`) is not supported in yin
            Error unsupported 41..45 "::kw": auto-resolved keywords like `::kw` are not supported in yin
        "##]],
    );
}

#[test]
fn unsupported_forms_and_destructuring() {
    check(
        r#"(try 1) (let [[a b] v] a) (fn [{:keys [a]}] a)"#,
        expect![[r#"
            1.0 name try* type :variable start 1 end 4 resolution :core binding core.102
            1.1 value 1 type :literal start 5 end 6 index 0
            1.2 body 1.1 arity 0 variadic false type :arity start 0 end 7 surface :try index 0
            1.3 arities 1.2 type :lambda start 0 end 7 surface :try index 0
            1.4 value nil type :literal start 0 end 7 surface :try index 1
            1.5 value nil type :literal start 0 end 7 surface :try index 2
            1.6 operator 1.0 operands 1.3 operands 1.4 operands 1.5 type :application start 0 end 7 surface :try top-level true
            2.0 name v type :variable start 12 end 13 resolution :unresolved
            2.1 name _vec__1 binder-kind :let init 2.0 type :binder start 6 end 6 index 0
            2.2 name nth type :variable start 7 end 7 resolution :core binding core.47
            2.3 name _vec__1 resolution :local binding 2.1 type :variable start 6 end 6 index 0
            2.4 value 0 type :literal start 7 end 7 index 1
            2.5 value nil type :literal start 7 end 7 index 2
            2.6 operator 2.2 operands 2.3 operands 2.4 operands 2.5 type :application start 7 end 8
            2.7 name a binder-kind :let init 2.6 type :binder start 7 end 8 index 1
            2.8 name nth type :variable start 9 end 9 resolution :core binding core.47
            2.9 name _vec__1 resolution :local binding 2.1 type :variable start 6 end 6 index 0
            2.10 value 1 type :literal start 9 end 9 index 1
            2.11 value nil type :literal start 9 end 9 index 2
            2.12 operator 2.8 operands 2.9 operands 2.10 operands 2.11 type :application start 9 end 10
            2.13 name b binder-kind :let init 2.12 type :binder start 9 end 10 index 2
            2.14 name a resolution :local binding 2.7 type :variable start 15 end 16 index 0
            2.15 bindings 2.1 bindings 2.7 bindings 2.13 body 2.14 type :let start 0 end 17 top-level true
            3.0 name _p__1 binder-kind :param type :binder start 5 end 5 index 0
            3.1 name _p__1 resolution :local binding 3.0 type :variable start 5 end 5
            3.2 name _map__2 binder-kind :let init 3.1 type :binder start 5 end 5 index 0
            3.3 name get type :variable start 13 end 13 resolution :core binding core.57
            3.4 name _map__2 resolution :local binding 3.2 type :variable start 5 end 5 index 0
            3.5 value :a type :literal start 13 end 14 index 1
            3.6 operator 3.3 operands 3.4 operands 3.5 type :application start 13 end 14
            3.7 name a binder-kind :let init 3.6 type :binder start 13 end 14 index 1
            3.8 name a resolution :local binding 3.7 type :variable start 18 end 19 index 0
            3.9 bindings 3.2 bindings 3.7 body 3.8 type :let start 4 end 19 surface :destructure index 0
            3.10 params 3.0 body 3.9 arity 1 variadic false type :arity start 4 end 19 index 0
            3.11 arities 3.10 type :lambda start 0 end 20 top-level true
        "#]],
    );
}

#[test]
fn syntax_errors_still_lower() {
    check(
        r#"(+ 1 (inc 2) {:a}"#,
        expect![[r#"
            1.0 name + type :variable start 1 end 2 resolution :core binding core.0
            1.1 value 1 type :literal start 3 end 4 index 0
            1.2 name inc type :variable start 6 end 9 resolution :core binding core.13
            1.3 value 2 type :literal start 10 end 11 index 0
            1.4 operator 1.2 operands 1.3 type :application start 5 end 12 index 1
            1.5 type :map start 13 end 17 index 2
            1.6 operator 1.0 operands 1.1 operands 1.4 operands 1.5 type :application start 0 end 17 top-level true
            Error syntax 0..1 "(": unclosed `(`
            Error malformed 14..16 ":a": a map literal needs an even number of forms; this key has no value
        "#]],
    );
}

#[test]
fn docs_example() {
    check(
        r#"(defn f "Doc." [n] (inc n))"#,
        expect![[r#"
            1.0 name f binder-kind :def init 1.6 min-arity 1 max-arity 1 doc "Doc." type :binder start 6 end 7
            1.1 name n binder-kind :param type :binder start 16 end 17 index 0
            1.2 name inc type :variable start 20 end 23 resolution :core binding core.13
            1.3 name n resolution :local binding 1.1 type :variable start 24 end 25 index 0
            1.4 operator 1.2 operands 1.3 type :application start 19 end 26 index 0
            1.5 params 1.1 body 1.4 arity 1 variadic false type :arity start 15 end 26 index 0
            1.6 arities 1.5 type :lambda start 0 end 27 surface :defn
            1.7 binder 1.0 name f init 1.6 type :def start 0 end 27 surface :defn top-level true
        "#]],
    );
}

#[test]
fn prints_edn_and_json() {
    let file = FileLowering::from_text("(def s \"a\\\"b\") '(x #{:k} {1 \\c}) 5/2 ##-Inf");
    let datoms = file.datoms();
    let pick: Vec<_> = datoms
        .into_iter()
        .filter(|d| {
            matches!(
                d.a.as_str(),
                "yin/value" | "yin/doc" | "yin/name" | "yin/type"
            )
        })
        .filter(|d| d.e >> NODE_BITS != 1 || d.a.as_str() != "yin/type")
        .collect();
    expect![[r###"
        [[16777216 :yin/name s]
         [16777217 :yin/value "a\"b"]
         [16777218 :yin/name s]
         [33554432 :yin/value (x #{:k} {1 \c})]
         [33554432 :yin/type :quote]
         [50331648 :yin/value #yin/ratio [5 2]]
         [50331648 :yin/type :literal]
         [67108864 :yin/value ##-Inf]
         [67108864 :yin/type :literal]]
    "###]]
    .assert_eq(&edn::datoms_to_edn(&pick));
}

#[test]
fn entities_map_to_absolute_spans_and_back() {
    let src = "(def x 1)\n\n(inc x)";
    let file = FileLowering::from_text(src);
    let use_at = src.rfind('x').unwrap();
    let var = file
        .entity_at(syntax::TextSize::from(use_at as u32 + 1))
        .unwrap();
    let binding = file
        .datoms()
        .into_iter()
        .find(|d| d.e == var && d.a.as_str() == "yin/binding")
        .unwrap();
    let edn::Value::Int(binder) = binding.v else {
        panic!("{binding:?}")
    };
    let span = file.span(binder as u64).unwrap();
    assert_eq!(&src[span], "x");
    assert_eq!(usize::from(span.start()), 5);
    let span = file.span(var).unwrap();
    assert_eq!(usize::from(span.start()), use_at);
    // Between forms, nothing; at a form's edge, the form.
    assert_eq!(file.entity_at(syntax::TextSize::from(10)), None);
    let root = file.entity_at(syntax::TextSize::from(11)).unwrap();
    assert_eq!(&src[file.span(root).unwrap()], "(inc x)");
    assert_eq!(file.span(u64::MAX), None);
}

#[test]
fn lowered_files_can_cross_threads() {
    fn shareable<T: Send + Sync + 'static>(_: &T) {}
    let file = FileLowering::from_text("(def x 1)");
    shareable(&file);
    let handle = std::thread::spawn(move || file.datoms().len());
    assert!(handle.join().unwrap() > 0);
}
