//! Query results and their EDN rendering (JSON is the binary's business).

use edn::Value;

/// A query's answer: one column per `:find` element, rows sorted by value order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryResult {
    /// The `:find` elements as written: `?x`, `(count ?y)`.
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

impl QueryResult {
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
