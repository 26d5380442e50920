//! `yin datoms`: a file's AST datoms as EDN and JSON.

use expect_test::expect;

use super::{workspace, yin};

#[test]
fn edn_and_json_print_the_same_datoms() {
    let ws = workspace(&[("inc.yin", b"(def x 1)\n(inc x)\n")]);
    let edn = yin(&["datoms", "inc.yin"], ws.path());
    expect![[r#"
        exit: 0
        --- stdout
        [[16777216 :yin/name x]
         [16777216 :yin/binder-kind :def]
         [16777216 :yin/init 16777217]
         [16777216 :yin/type :binder]
         [16777216 :yin/start 5]
         [16777216 :yin/end 6]
         [16777217 :yin/value 1]
         [16777217 :yin/type :literal]
         [16777217 :yin/start 7]
         [16777217 :yin/end 8]
         [16777218 :yin/binder 16777216]
         [16777218 :yin/name x]
         [16777218 :yin/init 16777217]
         [16777218 :yin/type :def]
         [16777218 :yin/start 0]
         [16777218 :yin/end 9]
         [16777218 :yin/top-level true]
         [33554432 :yin/name inc]
         [33554432 :yin/type :variable]
         [33554432 :yin/start 1]
         [33554432 :yin/end 4]
         [33554433 :yin/name x]
         [33554433 :yin/type :variable]
         [33554433 :yin/start 5]
         [33554433 :yin/end 6]
         [33554434 :yin/operator 33554432]
         [33554434 :yin/operands 33554433]
         [33554433 :yin/index 0]
         [33554434 :yin/type :application]
         [33554434 :yin/start 0]
         [33554434 :yin/end 7]
         [33554434 :yin/top-level true]
         [33554432 :yin/resolution :core]
         [33554432 :yin/binding 13]
         [33554433 :yin/resolution :global]
         [33554433 :yin/binding 16777216]]
        --- stderr
    "#]]
    .assert_eq(&edn.render(ws.path()));
    let json = yin(&["datoms", "--format", "json", "inc.yin"], ws.path());
    expect![[r#"
        exit: 0
        --- stdout
        [[16777216,":yin/name",{"symbol":"x"}],
         [16777216,":yin/binder-kind",{"keyword":"def"}],
         [16777216,":yin/init",16777217],
         [16777216,":yin/type",{"keyword":"binder"}],
         [16777216,":yin/start",5],
         [16777216,":yin/end",6],
         [16777217,":yin/value",1],
         [16777217,":yin/type",{"keyword":"literal"}],
         [16777217,":yin/start",7],
         [16777217,":yin/end",8],
         [16777218,":yin/binder",16777216],
         [16777218,":yin/name",{"symbol":"x"}],
         [16777218,":yin/init",16777217],
         [16777218,":yin/type",{"keyword":"def"}],
         [16777218,":yin/start",0],
         [16777218,":yin/end",9],
         [16777218,":yin/top-level",true],
         [33554432,":yin/name",{"symbol":"inc"}],
         [33554432,":yin/type",{"keyword":"variable"}],
         [33554432,":yin/start",1],
         [33554432,":yin/end",4],
         [33554433,":yin/name",{"symbol":"x"}],
         [33554433,":yin/type",{"keyword":"variable"}],
         [33554433,":yin/start",5],
         [33554433,":yin/end",6],
         [33554434,":yin/operator",33554432],
         [33554434,":yin/operands",33554433],
         [33554433,":yin/index",0],
         [33554434,":yin/type",{"keyword":"application"}],
         [33554434,":yin/start",0],
         [33554434,":yin/end",7],
         [33554434,":yin/top-level",true],
         [33554432,":yin/resolution",{"keyword":"core"}],
         [33554432,":yin/binding",13],
         [33554433,":yin/resolution",{"keyword":"global"}],
         [33554433,":yin/binding",16777216]]
        --- stderr
    "#]]
    .assert_eq(&json.render(ws.path()));
}

#[test]
fn quoted_data_uses_tags_for_what_json_lacks() {
    let ws = workspace(&[("q.yin", "'(x #{:k} {1 \\c} \"s\" 5/2 ##-Inf)".as_bytes())]);
    let run = yin(&["datoms", "--format", "json", "q.yin"], ws.path());
    let quoted = run
        .stdout
        .lines()
        .find(|l| l.contains(":yin/value"))
        .map(str::to_owned);
    expect![[r###"Some("[[16777216,\":yin/value\",{\"list\":[{\"symbol\":\"x\"},{\"set\":[{\"keyword\":\"k\"}]},{\"map\":[[1,{\"char\":\"c\"}]]},\"s\",{\"tag\":\"yin/ratio\",\"value\":[5,2]},{\"float\":\"##-Inf\"}]}],")"###]].assert_eq(&format!("{quoted:?}"));
}

#[test]
fn broken_source_still_prints_datoms_and_warns() {
    let ws = workspace(&[("broken.yin", b"(let [x] x)\n(def\n")]);
    let run = yin(&["datoms", "broken.yin"], ws.path());
    assert_eq!(run.code, 0);
    assert!(run.stdout.starts_with("[["), "{}", run.stdout);
    expect![[r#"
        warning: broken.yin: 3 error(s) in the source; the datoms cover what could be read (see `yin check`)
    "#]].assert_eq(&run.stderr);
}

#[test]
fn missing_file_exits_two() {
    let ws = workspace(&[]);
    let run = yin(&["datoms", "nope.yin"], ws.path());
    expect![[r#"
        exit: 2
        --- stdout
        --- stderr
        error: nope.yin: No such file or directory (os error 2)
    "#]]
    .assert_eq(&run.render(ws.path()));
}
