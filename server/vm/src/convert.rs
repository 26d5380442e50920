//! Between reader forms and values: `quote` turns a form into data, and a macro's result (data)
//! turns back into a form for lowering.
//!
//! Both directions walk with an explicit stack, so a form nested 200,000 deep is refused with a
//! clear error instead of overflowing the host's stack.

use std::rc::Rc;

use imbl::Vector;
use syntax::form::{Form, FormKind};
use text_size::TextRange;

use crate::error::{Error, ErrorKind};
use crate::value::{MAX_DEPTH, Value};

fn form_depth(form: &Form) -> usize {
    let mut max = 0;
    let mut stack = vec![(form, 0usize)];
    while let Some((f, d)) = stack.pop() {
        max = max.max(d);
        match &f.kind {
            FormKind::List(xs) | FormKind::Vector(xs) | FormKind::Set(xs) => {
                stack.extend(xs.iter().map(|x| (x, d + 1)));
            }
            FormKind::Map(kvs) => {
                for (k, v) in kvs {
                    stack.push((k, d + 1));
                    stack.push((v, d + 1));
                }
            }
            _ => {}
        }
    }
    max
}

/// The value a quoted form denotes.
pub fn form_to_value(form: &Form) -> Result<Value, Error> {
    if form_depth(form) >= MAX_DEPTH as usize {
        return Err(Error::new(
            ErrorKind::Limit,
            format!("quoted form nested too deeply (at most {MAX_DEPTH} levels)"),
        )
        .at(form.span));
    }
    to_value(form)
}

/// Recursion here is bounded by the depth check in [`form_to_value`].
fn to_value(form: &Form) -> Result<Value, Error> {
    let seq = |xs: &[Form]| -> Result<Vector<Value>, Error> { xs.iter().map(to_value).collect() };
    Ok(match &form.kind {
        FormKind::Nil => Value::Nil,
        FormKind::Bool(b) => Value::Bool(*b),
        FormKind::Int(i) => Value::Int(*i),
        FormKind::Float(f) => Value::Float(*f),
        FormKind::Ratio(n, d) => Value::Ratio(*n, *d),
        FormKind::Char(c) => Value::Char(*c),
        FormKind::Str(s) => Value::Str(Rc::from(s.as_str())),
        FormKind::Keyword(k) => Value::Keyword(k.clone()),
        FormKind::Symbol(s) => Value::Symbol(s.clone()),
        FormKind::List(xs) => Value::list(seq(xs)?)?,
        FormKind::Vector(xs) => Value::vector(seq(xs)?)?,
        FormKind::Set(xs) => Value::set_from(seq(xs)?)?,
        FormKind::Map(kvs) => Value::map_from(
            kvs.iter()
                .map(|(k, v)| Ok((to_value(k)?, to_value(v)?)))
                .collect::<Result<Vec<_>, Error>>()?,
        )?,
        FormKind::Invalid => {
            return Err(Error::new(ErrorKind::Syntax, "cannot quote invalid syntax").at(form.span));
        }
    })
}

/// The form a macro returned. Every form gets `span`, the range of the macro call, so errors in
/// expanded code point at the call. Values with no reader syntax (functions, streams) are refused.
/// Recursion is bounded by the value's depth, itself at most [`MAX_DEPTH`].
pub fn value_to_form(v: &Value, span: TextRange) -> Result<Form, Error> {
    let seq = |xs: &Value| -> Result<Vec<Form>, Error> {
        xs.elements()
            .into_iter()
            .flatten()
            .map(|x| value_to_form(x, span))
            .collect()
    };
    let kind = match v {
        Value::Nil => FormKind::Nil,
        Value::Bool(b) => FormKind::Bool(*b),
        Value::Int(i) => FormKind::Int(*i),
        Value::Float(f) => FormKind::Float(*f),
        Value::Ratio(n, d) => FormKind::Ratio(*n, *d),
        Value::Char(c) => FormKind::Char(*c),
        Value::Str(s) => FormKind::Str(s.to_string()),
        Value::Keyword(k) => FormKind::Keyword(k.clone()),
        Value::Symbol(s) => FormKind::Symbol(s.clone()),
        Value::List(_) => FormKind::List(seq(v)?),
        Value::Vector(_) => FormKind::Vector(seq(v)?),
        Value::Set(s) => FormKind::Set(
            s.iter()
                .map(|x| value_to_form(x, span))
                .collect::<Result<_, _>>()?,
        ),
        Value::Map(m) => FormKind::Map(
            m.iter()
                .map(|(k, v)| Ok((value_to_form(k, span)?, value_to_form(v, span)?)))
                .collect::<Result<_, Error>>()?,
        ),
        other => {
            return Err(Error::new(
                ErrorKind::Macro,
                format!(
                    "a macro returned a {} ({}), which is not code",
                    other.type_name(),
                    crate::printer::pr_capped(other)
                ),
            )
            .at(span));
        }
    };
    Ok(Form { kind, span })
}
