//! Query results and their JSON and EDN renderings.

use edn::Value;
use serde_json::json;

/// A query's answer: one column per `:find` element, rows sorted by value order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryResult {
    /// The `:find` elements as written: `?x`, `(count ?y)`.
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

/// JSON for one value: `nil` is null, numbers and booleans are themselves (non-finite floats
/// become strings), strings are strings, keywords keep their colon (`":yin/type"`), symbols and
/// characters become strings, vectors, lists and sets arrays, maps objects when every key is a
/// string or keyword (else arrays of pairs), tagged values their EDN text.
fn json_value(v: &Value) -> serde_json::Value {
    match v {
        Value::Nil => serde_json::Value::Null,
        Value::Bool(b) => json!(b),
        Value::Int(i) => json!(i),
        Value::Float(f) if f.is_finite() => json!(f),
        Value::Float(_) | Value::Tagged(..) => json!(v.to_string()),
        Value::Char(c) => json!(c.to_string()),
        Value::Str(s) => json!(s.as_ref()),
        Value::Keyword(k) => json!(k.to_string()),
        Value::Symbol(s) => json!(s.as_str()),
        Value::List(xs) | Value::Vector(xs) | Value::Set(xs) => {
            serde_json::Value::Array(xs.iter().map(json_value).collect())
        }
        Value::Map(entries) => {
            let key = |k: &Value| match k {
                Value::Str(s) => Some(s.to_string()),
                Value::Keyword(k) => Some(k.to_string()),
                _ => None,
            };
            if entries.iter().all(|(k, _)| key(k).is_some()) {
                serde_json::Value::Object(
                    entries
                        .iter()
                        .map(|(k, v)| (key(k).unwrap_or_default(), json_value(v)))
                        .collect(),
                )
            } else {
                serde_json::Value::Array(
                    entries
                        .iter()
                        .map(|(k, v)| json!([json_value(k), json_value(v)]))
                        .collect(),
                )
            }
        }
    }
}

impl QueryResult {
    /// `{"columns": [...], "rows": [[...]]}` on one line.
    pub fn to_json(&self) -> String {
        let rows: Vec<serde_json::Value> = self
            .rows
            .iter()
            .map(|r| serde_json::Value::Array(r.iter().map(json_value).collect()))
            .collect();
        json!({ "columns": self.columns, "rows": rows }).to_string()
    }

    /// `{:columns [...] :rows [[...] ...]}`, one row per line, readable by the EDN reader.
    pub fn to_edn(&self) -> String {
        let columns: Vec<String> = self
            .columns
            .iter()
            .map(|c| Value::from(c.as_str()).to_string())
            .collect();
        let mut out = format!("{{:columns [{}]\n :rows [", columns.join(" "));
        for (i, row) in self.rows.iter().enumerate() {
            if i > 0 {
                out.push_str("\n        ");
            }
            out.push_str(&Value::Vector(row.clone()).to_string());
        }
        out.push_str("]}");
        out
    }
}
