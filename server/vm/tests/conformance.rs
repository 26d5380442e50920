//! Every case of `tests/conformance/public-cases.json`, through the `yin eval -e` path, each its
//! own test named after the case (`cargo test -p yin-vm --test conformance -- NAME`).

mod common;

use std::path::Path;

use libtest_mimic::{Failed, Trial};
use serde_json::Value as Json;
use vm::Outcome;

/// The `pr` form the expectation denotes (maps in the order given, which is insertion order).
fn printed(expect: &Json) -> String {
    let seq = |xs: &Json| -> Vec<String> {
        xs.as_array()
            .map(|a| a.iter().map(printed).collect())
            .unwrap_or_default()
    };
    match expect {
        Json::Null => "nil".to_owned(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => n.to_string(),
        Json::String(s) => format!("{s:?}"),
        Json::Array(_) => format!("[{}]", seq(expect).join(" ")),
        Json::Object(o) => {
            let (tag, v) = o.iter().next().expect("a tagged expectation");
            match tag.as_str() {
                "keyword" => format!(":{}", v.as_str().unwrap_or_default()),
                "symbol" => v.as_str().unwrap_or_default().to_owned(),
                "ratio" => v.as_str().unwrap_or_default().to_owned(),
                "list" => format!("({})", seq(v).join(" ")),
                "set" => format!("#{{{}}}", seq(v).join(" ")),
                "map" => {
                    let entries: Vec<String> = v
                        .as_array()
                        .map(|kvs| {
                            kvs.iter()
                                .map(|kv| format!("{} {}", printed(&kv[0]), printed(&kv[1])))
                                .collect()
                        })
                        .unwrap_or_default();
                    format!("{{{}}}", entries.join(", "))
                }
                other => panic!("unknown tag {other}"),
            }
        }
    }
}

fn check(name: &str, source: &str, expect: &Json) -> Result<(), String> {
    let (_, outcome) = common::eval_like_cli(source);
    let tag = expect
        .as_object()
        .and_then(|o| o.keys().next())
        .map(String::as_str);
    match (tag, &outcome) {
        (Some("error"), Outcome::Error(e)) => {
            let want = expect["error"].as_str().unwrap_or_default();
            if e.message().contains(want) {
                Ok(())
            } else {
                Err(format!(
                    "{name}: error {:?} does not mention {want:?}",
                    e.message()
                ))
            }
        }
        (Some("blocked"), Outcome::Parked { .. }) => {
            let p = outcome.printed().unwrap_or_default();
            if p.starts_with("#<parked") {
                Ok(())
            } else {
                Err(format!("{name}: parked but printed {p}"))
            }
        }
        (Some("closure"), Outcome::Value(v)) if v.is_fn() => Ok(()),
        (Some("error" | "blocked" | "closure"), other) => {
            Err(format!("{name}: expected {expect}, got {other:?}"))
        }
        (_, Outcome::Value(_)) => {
            let got = outcome.printed().unwrap_or_default();
            let want = printed(expect);
            if got == want {
                Ok(())
            } else {
                Err(format!("{name}: expected {want}, got {got}"))
            }
        }
        (_, other) => Err(format!("{name}: expected {expect}, got {other:?}")),
    }
}

fn main() {
    let args = libtest_mimic::Arguments::from_args();
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/conformance/public-cases.json");
    let text = std::fs::read_to_string(&path).expect("public-cases.json");
    let cases: Vec<Json> = serde_json::from_str(&text).expect("valid JSON");
    assert!(!cases.is_empty(), "no cases in {}", path.display());
    let trials = cases
        .into_iter()
        .map(|case| {
            let name = case["name"].as_str().unwrap_or("?").to_owned();
            Trial::test(name.clone(), move || {
                let source = case["source"].as_str().unwrap_or_default();
                check(&name, source, &case["expect"]).map_err(Failed::from)
            })
        })
        .collect();
    libtest_mimic::run(&args, trials).exit()
}
