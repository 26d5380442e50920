//! The live session over the wire (docs/lsp.md, "Live evaluation"): what a form loads first and
//! what it never runs, each scope, limits, interrupts, the inspector, errors and sessions.

use expect_test::expect;
use serde_json::{Value, json};

use crate::client::Client;
use crate::{URI, open};

fn eval(client: &mut Client, line: u32, character: u32, extra: Value) -> Value {
    let mut params = json!({
        "textDocument": { "uri": URI },
        "position": { "line": line, "character": character },
    });
    if let (Some(params), Some(extra)) = (params.as_object_mut(), extra.as_object()) {
        params.extend(extra.clone());
    }
    client.request("yin/eval", params)
}

/// The parts of a reply a test is about: value or error message, and what was loaded.
fn brief(reply: &Value) -> String {
    let result = &reply["result"];
    if result.is_null() {
        return format!(
            "error {}: {}",
            reply["error"]["code"], reply["error"]["message"]
        );
    }
    let loaded: Vec<String> = result["loaded"]
        .as_array()
        .map(|l| {
            l.iter()
                .map(|d| d["name"].as_str().unwrap_or("?").to_owned())
                .collect()
        })
        .unwrap_or_default();
    match result["error"]["message"].as_str() {
        Some(message) => format!("error: {message}; loaded {loaded:?}"),
        None => format!("{}; loaded {loaded:?}", result["value"]),
    }
}

#[test]
fn a_failing_form_above_does_not_matter_unless_the_form_depends_on_it() {
    let (mut client, _) = Client::start(&[]);
    open(
        &mut client,
        "(/ 1 0)\n(defn spin [n] (recur (inc n)))\n(spin 0)\n(def bad (/ 1 0))\n(defn uses-bad [] (inc bad))\n(+ 1 2)\n(uses-bad)\n(comment\n  (+ 40 2)\n  (uses-bad))\n",
    );
    let results: Vec<String> = [(5, 3), (6, 3), (8, 4), (9, 4)]
        .iter()
        .map(|&(line, character)| brief(&eval(&mut client, line, character, json!({}))))
        .collect();
    expect![[r#"
        "3"; loaded []
        error: while loading `bad` (demo.yin:4:1): division by zero; loaded []
        "42"; loaded []
        error: while loading `bad` (demo.yin:4:1): division by zero; loaded []"#]]
    .assert_eq(&results.join("\n"));
}
