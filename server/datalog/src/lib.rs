//! A Datalog engine for Datomic/Datascript-style EDN queries over datoms, evaluated on datafrog.
//!
//! Pipeline: EDN text -> [`Query`]/[`Rules`] (shape, functions and safety checked at parse time)
//! -> strata of rules (checked against the query at run time) -> bottom-up evaluation, each body
//! a cost-ordered sequence of datafrog joins over interned rows, recursive strata as semi-naive
//! fixpoints -> a [`QueryResult`] of decoded, sorted rows.
//!
//! Architecture invariant: this crate knows nothing of yin. It sees keywords, values and datoms;
//! which attributes exist is the caller's business. It does no I/O and speaks no protocol; the
//! EDN rendering of results is a plain string for the caller to print.
//!
//! ```
//! use datalog::{Budget, Db, Inputs, Query};
//! use edn::{Datom, Keyword};
//!
//! let db = Db::from_datoms([Datom::new(1, Keyword::new("name"), "ada")]);
//! let q = Query::parse("[:find ?n :where [_ :name ?n]]").unwrap();
//! let result = db.query(&q, &Inputs::new(), &Budget::default()).unwrap();
//! assert_eq!(result.to_edn(), "{:columns [\"?n\"]\n :rows [[\"ada\"]]}");
//! ```

mod budget;
mod db;
mod error;
mod eval;
mod function;
mod graph;
mod join;
mod plan;
mod query;
mod result;

pub use budget::{Allowance, Budget, Limit, value_bytes};
pub use db::{AttrNumbers, AttrStats, Db, Numbered};
pub use error::{Error, ErrorKind, Origin};
pub use function::Aggregate;
pub use graph::strongly_connected;
pub use plan::MAX_CALL_DEPTH;
pub use query::{
    Binding, Clause, ClauseKind, FindElem, InputSpec, MAX_NESTING, OrJoin, Query, Rule, Rules, Term,
};
pub use result::QueryResult;

/// The values for a query's `:in`: positional arguments for its variables (the `$` and `%`
/// slots take none) and the rule set for `%`.
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    pub args: Vec<edn::Value>,
    pub rules: Option<Rules>,
}

impl Inputs {
    pub fn new() -> Inputs {
        Inputs::default()
    }

    /// Adds the next positional argument.
    pub fn arg(mut self, value: edn::Value) -> Inputs {
        self.args.push(value);
        self
    }

    pub fn rules(mut self, rules: Rules) -> Inputs {
        self.rules = Some(rules);
        self
    }
}

impl Db {
    /// Runs a query. Errors are typed; none of them panics, whatever the query or data.
    pub fn query(
        &self,
        query: &Query,
        inputs: &Inputs,
        budget: &Budget,
    ) -> Result<QueryResult, Error> {
        self.query_within(query, inputs, &mut Allowance::new(budget))
    }

    /// Runs a query on what is left of a budget shared with other queries, and counts what it
    /// spends there. An allowance a query has run out fails every later query at once.
    pub fn query_within(
        &self,
        query: &Query,
        inputs: &Inputs,
        allowance: &mut Allowance,
    ) -> Result<QueryResult, Error> {
        eval::run(self, query, inputs, allowance)
    }
}
