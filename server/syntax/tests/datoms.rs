//! Snapshot tests: yin source in, datoms and diagnostics out, one case per form.
//!
//! Entities print as `slot.node` (e.g. `1.4`, the fifth node of the first form) and so do
//! references, so the snapshots read as a graph; core library entities print as `core.N`.

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

fn render(src: &str) -> String {
    let file = FileLowering::from_text(src);
    let mut out = String::new();
    for d in file.datoms() {
        let v = match (&d.v, is_ref(&d.a)) {
            (edn::Value::Int(i), true) => entity(*i as u64),
            (v, _) => v.to_string(),
        };
        out.push_str(&format!("{} {} {}\n", entity(d.e), d.a, v));
    }
    for d in file.diagnostics() {
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
        r#"42 -2.5 5/2 4/2 "s\n" \a :k/x nil true"#,
        expect![[r#"
            1.0 :yin/value 42
            1.0 :yin/type :literal
            1.0 :yin/start 0
            1.0 :yin/end 2
            1.0 :yin/form-start 0
            2.0 :yin/value -2.5
            2.0 :yin/type :literal
            2.0 :yin/start 0
            2.0 :yin/end 4
            2.0 :yin/form-start 3
            3.0 :yin/value #yin/ratio [5 2]
            3.0 :yin/type :literal
            3.0 :yin/start 0
            3.0 :yin/end 3
            3.0 :yin/form-start 8
            4.0 :yin/value 2
            4.0 :yin/type :literal
            4.0 :yin/start 0
            4.0 :yin/end 3
            4.0 :yin/form-start 12
            5.0 :yin/value "s\n"
            5.0 :yin/type :literal
            5.0 :yin/start 0
            5.0 :yin/end 5
            5.0 :yin/form-start 16
            6.0 :yin/type :error
            6.0 :yin/start 0
            6.0 :yin/end 1
            6.0 :yin/form-start 22
            7.0 :yin/name a
            7.0 :yin/type :variable
            7.0 :yin/start 0
            7.0 :yin/end 1
            7.0 :yin/form-start 23
            7.0 :yin/resolution :unresolved
            8.0 :yin/value :k/x
            8.0 :yin/type :literal
            8.0 :yin/start 0
            8.0 :yin/end 4
            8.0 :yin/form-start 25
            9.0 :yin/value nil
            9.0 :yin/type :literal
            9.0 :yin/start 0
            9.0 :yin/end 3
            9.0 :yin/form-start 30
            10.0 :yin/value true
            10.0 :yin/type :literal
            10.0 :yin/start 0
            10.0 :yin/end 4
            10.0 :yin/form-start 34
            Error syntax 22..23 "\\": syntax error
        "#]],
    );
}
