//! Reader snapshots: every EDN feature, printed back as EDN, and every error with its line:col.

use expect_test::{Expect, expect};

/// Reads all forms and prints each back (one per line), or the error.
fn check(src: &str, expect: Expect) {
    let out = match edn::read_all(src) {
        Ok(forms) => forms
            .iter()
            .map(|f| f.to_string())
            .collect::<Vec<_>>()
            .join("\n"),
        Err(e) => format!("error {e}"),
    };
    expect.assert_eq(&out);
}

#[test]
fn atoms() {
    check(
        "nil true false 42 -7 +3 0 12N 1.5 -2.5e3 1e2 3.25M ##Inf ##-Inf ##NaN",
        expect![[r#"
            nil
            true
            false
            42
            -7
            3
            0
            12
            1.5
            -2500.0
            100.0
            3.25
            ##Inf
            ##-Inf
            ##NaN"#]],
    );
}

#[test]
fn strings_and_chars() {
    check(
        r#""plain" "esc \" \\ \n \t \r \u00e9" "" \a \newline \space \tab \return \u0041 \( \é"#,
        expect![[r#"
            "plain"
            "esc \" \\ \n \t \r é"
            ""
            \a
            \newline
            \space
            \tab
            \return
            \A
            \(
            \é"#]],
    );
}

#[test]
fn names() {
    check(
        ":k :ns/name :yin/type ?x _ $ % / + <= not= ns/f clojure.core// a.b/c-d? *x* ->y",
        expect![[r#"
            :k
            :ns/name
            :yin/type
            ?x
            _
            $
            %
            /
            +
            <=
            not=
            ns/f
            clojure.core//
            a.b/c-d?
            *x*
            ->y"#]],
    );
}

#[test]
fn collections() {
    check(
        "(a (b)) [1, 2 ,3] {:a 1 :b [2]} #{1 :x \"s\"} () [] {} #{} #inst \"2024-01-01\" #my/tag [1]",
        expect![[r#"
            (a (b))
            [1 2 3]
            {:a 1, :b [2]}
            #{1 :x "s"}
            ()
            []
            {}
            #{}
            #inst "2024-01-01"
            #my/tag [1]"#]],
    );
}

#[test]
fn comments_and_discard() {
    check(
        "; a comment\n[1 #_ 2 3] ; trailing\n#_ #_ a b c #_(x y)",
        expect![[r#"
            [1 3]
            c"#]],
    );
}

#[test]
fn query_shaped() {
    check(
        "[:find ?name (count ?call) :in $ % :where [?def :def/name ?name] (calls ?call ?def) (not [?def :def/doc _]) [(< ?a 3)]]",
        expect![[
            r#"[:find ?name (count ?call) :in $ % :where [?def :def/name ?name] (calls ?call ?def) (not [?def :def/doc _]) [(< ?a 3)]]"#
        ]],
    );
}

#[test]
fn errors() {
    check("[1 2", expect!["error 1:5: unclosed `[` opened at 1:1"]);
    check("(a))", expect!["error 1:4: unmatched `)`"]);
    check("[1 2)", expect!["error 1:5: unmatched `)`"]);
    check(
        "{:a 1 :b}",
        expect!["error 1:1: map literal has a key without a value"],
    );
    check(
        "{:a 1\n :a 2}",
        expect!["error 2:2: duplicate key `:a` in map"],
    );
    check("#{1 1}", expect!["error 1:5: duplicate element `1` in set"]);
    check("\"abc", expect!["error 1:5: unclosed `\"` opened at 1:1"]);
    check(
        r#""\q""#,
        expect![[r#"error 1:2: invalid escape `\q` in string"#]],
    );
    check(
        r#""\u12""#,
        expect![[r#"error 1:2: invalid escape `\u12"` in string"#]],
    );
    check(
        "\\foo",
        expect![[r#"error 1:1: invalid character literal `\foo`"#]],
    );
    check("12abc", expect!["error 1:1: invalid number `12abc`"]);
    check("1.2.3", expect!["error 1:1: invalid number `1.2.3`"]);
    check(
        "99999999999999999999",
        expect!["error 1:1: invalid number `99999999999999999999`"],
    );
    check("::auto", expect!["error 1:1: invalid token `::auto`"]);
    check(":", expect!["error 1:1: invalid token `:`"]);
    check("a//b", expect!["error 1:1: invalid token `a//b`"]);
    check("##Foo", expect!["error 1:1: invalid token `##Foo`"]);
    check("#(x)", expect!["error 1:1: invalid token `#(`"]);
    check("#tag", expect!["error 1:5: tag `#tag` has no value"]);
    check("[#_]", expect!["error 1:4: unexpected `]`"]);
    check("#_", expect!["error 1:3: unexpected end of input"]);
    check("\n\n  ]", expect!["error 3:3: unmatched `]`"]);
}

#[test]
fn depth_is_bounded() {
    let deep = "[".repeat(edn::MAX_DEPTH + 1);
    check(
        &deep,
        expect!["error 1:257: nesting deeper than 256 levels"],
    );
    let ok = format!("{}{}", "[".repeat(10), "]".repeat(10));
    check(&ok, expect!["[[[[[[[[[[]]]]]]]]]]"]);
}

#[test]
fn read_wants_one_form() {
    let show = |src: &str| match edn::read(src) {
        Ok(v) => v.to_string(),
        Err(e) => e.to_string(),
    };
    expect!["[1]"].assert_eq(&show(" [1] "));
    expect!["1:3: expected exactly one form, found 2"].assert_eq(&show("1 2"));
    expect!["1:4: expected exactly one form, found 0"].assert_eq(&show(" ; "));
}

#[test]
fn spans_cover_forms() {
    let form = edn::read_spanned("[:find ?x\n :where [?x :a 1]]").unwrap();
    let items = form.elements().unwrap();
    let shown: Vec<String> = items
        .iter()
        .map(|s| format!("{} {}-{}", s.to_value(), s.span.start, s.span.end))
        .collect();
    expect![[r#"
        [
            ":find 1:2-1:7",
            "?x 1:8-1:10",
            ":where 2:2-2:8",
            "[?x :a 1] 2:9-2:18",
        ]
    "#]]
    .assert_debug_eq(&shown);
}

#[test]
fn printed_values_read_back() {
    let src = r#"[nil true 1 -2 1.5 ##Inf \a \newline "q\"\n" :k/w s/y (1 [2 {3 #{4}}]) #t 5]"#;
    let v = edn::read(src).unwrap();
    assert_eq!(edn::read(&v.to_string()).unwrap(), v);
}
