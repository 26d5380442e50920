//! EDN values as JSON, for every `--format json` output.
//!
//! JSON has no keywords, symbols, characters, lists, sets, non-string map keys or non-finite
//! floats, so those become one-key objects tagged as in the conformance cases
//! (`{"keyword": "ns/name"}`, `{"symbol": "x"}`, `{"list": [...]}`, `{"set": [...]}`,
//! `{"map": [[k, v], ...]}`), plus `{"char": "a"}`, `{"float": "##Inf"}` and
//! `{"tag": "yin/ratio", "value": [5, 2]}`. Vectors are arrays; nil, booleans, integers, finite
//! floats and strings are themselves.

use edn::Value;
use serde_json::{Value as Json, json};

/// Converts without recursion, so values nested deeper than the stack allows still convert.
pub(crate) fn from_edn(value: &Value) -> Json {
    enum Task<'v> {
        Visit(&'v Value),
        /// Pop `len` converted children and build the container.
        Build(Shape<'v>, usize),
    }
    enum Shape<'v> {
        Vector,
        Tagged(&'static str),
        Map,
        Custom(&'v str),
    }

    let mut tasks = vec![Task::Visit(value)];
    let mut done: Vec<Json> = Vec::new();
    while let Some(task) = tasks.pop() {
        match task {
            Task::Visit(v) => match v {
                Value::Nil => done.push(Json::Null),
                Value::Bool(b) => done.push(Json::Bool(*b)),
                Value::Int(i) => done.push(json!(i)),
                Value::Float(x) => done.push(match serde_json::Number::from_f64(*x) {
                    Some(n) => Json::Number(n),
                    None => json!({ "float": v.to_string() }),
                }),
                Value::Char(c) => done.push(json!({ "char": c.to_string() })),
                Value::Str(s) => done.push(Json::String(s.to_string())),
                Value::Keyword(k) => done.push(json!({ "keyword": k.as_str() })),
                Value::Symbol(s) => done.push(json!({ "symbol": s.as_str() })),
                Value::Vector(xs) | Value::List(xs) | Value::Set(xs) => {
                    let shape = match v {
                        Value::List(_) => Shape::Tagged("list"),
                        Value::Set(_) => Shape::Tagged("set"),
                        _ => Shape::Vector,
                    };
                    tasks.push(Task::Build(shape, xs.len()));
                    tasks.extend(xs.iter().rev().map(Task::Visit));
                }
                Value::Map(entries) => {
                    tasks.push(Task::Build(Shape::Map, entries.len() * 2));
                    for (k, val) in entries.iter().rev() {
                        tasks.push(Task::Visit(val));
                        tasks.push(Task::Visit(k));
                    }
                }
                Value::Tagged(tag, inner) => {
                    tasks.push(Task::Build(Shape::Custom(tag.as_str()), 1));
                    tasks.push(Task::Visit(inner));
                }
            },
            Task::Build(shape, len) => {
                let children = done.split_off(done.len().saturating_sub(len));
                done.push(match shape {
                    Shape::Vector => Json::Array(children),
                    Shape::Tagged(tag) => json!({ tag: children }),
                    Shape::Map => {
                        let mut pairs = Vec::with_capacity(children.len() / 2);
                        let mut it = children.into_iter();
                        while let (Some(k), Some(v)) = (it.next(), it.next()) {
                            pairs.push(Json::Array(vec![k, v]));
                        }
                        json!({ "map": pairs })
                    }
                    Shape::Custom(tag) => {
                        let value = children.into_iter().next().unwrap_or(Json::Null);
                        json!({ "tag": tag, "value": value })
                    }
                });
            }
        }
    }
    done.pop().unwrap_or(Json::Null)
}

#[cfg(test)]
mod tests {
    use edn::{Keyword, Symbol};
    use expect_test::expect;

    use super::*;

    #[test]
    fn tags_what_json_lacks() {
        let v = Value::Vector(vec![
            Value::Nil,
            Value::Float(f64::NEG_INFINITY),
            Value::Float(2.5),
            Value::Char('c'),
            Value::List(vec![
                Symbol::new("x").into(),
                Value::Set(vec![Keyword::new("k").into()]),
            ]),
            Value::Map(vec![(Value::Int(1), Value::from("a\"b"))]),
            Value::Tagged(
                Symbol::new("yin/ratio"),
                Box::new(Value::Vector(vec![Value::Int(5), Value::Int(2)])),
            ),
        ]);
        expect![[r###"[null,{"float":"##-Inf"},2.5,{"char":"c"},{"list":[{"symbol":"x"},{"set":[{"keyword":"k"}]}]},{"map":[[1,"a\"b"]]},{"tag":"yin/ratio","value":[5,2]}]"###]]
            .assert_eq(&from_edn(&v).to_string());
    }

    #[test]
    fn deep_nesting_converts() {
        let mut v = Value::Nil;
        for _ in 0..5_000 {
            v = Value::Vector(vec![v]);
        }
        let json = from_edn(&v);
        let mut depth = 0;
        let mut at = &json;
        while let Json::Array(xs) = at {
            depth += 1;
            at = &xs[0];
        }
        assert_eq!(depth, 5_000);
    }
}
