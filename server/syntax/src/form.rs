//! Reader forms: the data a yin program is made of, before any special form is recognised.
//!
//! The reader turns the concrete tree into forms; `quote` turns forms into values; macros receive
//! forms and return forms; lowering turns forms into the [`Ast`](crate::Ast). Reader sugar is
//! expanded here: `'x` is read as `(quote x)`.

use edn::{Keyword, Symbol};
use text_size::TextRange;

/// A form and the source range it was read from. Forms made by a macro carry the range of the
/// macro call that produced them.
#[derive(Clone, Debug, PartialEq)]
pub struct Form {
    pub kind: FormKind,
    pub span: TextRange,
}

#[derive(Clone, Debug, PartialEq)]
pub enum FormKind {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A ratio in lowest terms with a positive denominator other than 1.
    Ratio(i64, i64),
    Char(char),
    Str(String),
    Keyword(Keyword),
    Symbol(Symbol),
    List(Vec<Form>),
    Vector(Vec<Form>),
    Map(Vec<(Form, Form)>),
    Set(Vec<Form>),
    /// Something the reader could not turn into data: a syntax error or reader syntax yin does not
    /// support. A diagnostic at `span` says which; lowering turns it into an error node.
    Invalid,
}
