//! `yin query`: Datalog over files' datoms, EDN and JSON results, errors with exit status 2.

use expect_test::expect;

use super::{workspace, yin};

const SOURCE: &[u8] = b"(defn area [w h] (* w h))\n(defn square [s] (area s s))\n(square 3)\n";

#[test]
fn finds_callers_with_a_rule_file() {
    let ws = workspace(&[
        ("src/shapes.yin", SOURCE),
        (
            "calls.edn",
            b"[[(calls ?caller ?callee)
                [?def :yin/type :def] [?def :yin/name ?caller] [?def :yin/init ?fn]
                [?fn :yin/arities ?arity] [?arity :yin/body ?call]
                [?call :yin/operator ?op] [?op :yin/name ?callee]]]",
        ),
    ]);
    let query = "[:find ?caller ?callee :in $ % :where (calls ?caller ?callee)]";
    let edn = yin(&["query", query, "src", "--rules", "calls.edn"], ws.path());
    expect![[r#"
        exit: 0
        --- stdout
        {:columns ["?caller" "?callee"]
         :rows [[area *]
                [square area]]}
        --- stderr
    "#]]
    .assert_eq(&edn.render(ws.path()));
    let json = yin(
        &[
            "query",
            query,
            "src",
            "--rules",
            "calls.edn",
            "--format",
            "json",
        ],
        ws.path(),
    );
    expect![[r#"
        exit: 0
        --- stdout
        {"columns":["?caller","?callee"],"rows":[[{"symbol":"area"},{"symbol":"*"}],[{"symbol":"square"},{"symbol":"area"}]]}
        --- stderr
    "#]].assert_eq(&json.render(ws.path()));
}

#[test]
fn aggregates_over_several_files() {
    let ws = workspace(&[("a.yin", SOURCE), ("b.yin", b"(defn twice [x] (* 2 x))")]);
    let query = "[:find (count ?d) :where [?d :yin/type :def]]";
    let run = yin(&["query", query, "a.yin", "b.yin"], ws.path());
    expect![[r#"
        exit: 0
        --- stdout
        {:columns ["(count ?d)"]
         :rows [[3]]}
        --- stderr
    "#]]
    .assert_eq(&run.render(ws.path()));
}

#[test]
fn errors_exit_two_and_say_where() {
    let ws = workspace(&[("a.yin", SOURCE), ("bad-rules.edn", b"[[(r ?x) [?x :a]")]);
    let syntax = yin(
        &["query", "[:find ?x :where [?x :yin/type]", "a.yin"],
        ws.path(),
    );
    expect![[r#"
        exit: 2
        --- stdout
        --- stderr
        error: query: 1:32: unclosed `[` opened at 1:1
    "#]]
    .assert_eq(&syntax.render(ws.path()));
    let unbound = yin(
        &["query", "[:find ?y :where [?x :yin/type]]", "a.yin"],
        ws.path(),
    );
    expect![[r#"
        exit: 2
        --- stdout
        --- stderr
        error: query: 1:1: unbound variable ?y in :find/:with (no clause binds it) (in [:find ?y :where [?x :yin/type]])
    "#]].assert_eq(&unbound.render(ws.path()));
    let rules = yin(
        &[
            "query",
            "[:find ?x :in $ % :where (r ?x)]",
            "a.yin",
            "--rules",
            "bad-rules.edn",
        ],
        ws.path(),
    );
    expect![[r#"
        exit: 2
        --- stdout
        --- stderr
        error: bad-rules.edn:1:17: unclosed `[` opened at 1:2
    "#]]
    .assert_eq(&rules.render(ws.path()));
    let missing = yin(
        &["query", "[:find ?x :where [?x :a]]", "nope.yin"],
        ws.path(),
    );
    expect![[r#"
        exit: 2
        --- stdout
        --- stderr
        error: nope.yin: No such file or directory (os error 2)
    "#]]
    .assert_eq(&missing.render(ws.path()));
}
