//! The numeric tower: 64-bit integers, ratios of 64-bit integers in lowest terms, and floats.
//!
//! Integer and ratio arithmetic is exact and checked: a result that does not fit is an
//! [`ErrorKind::Overflow`] error, never a wrapped or silently promoted value. Anything combined
//! with a float is a float.

use std::cmp::Ordering;

use crate::error::{Error, ErrorKind};
use crate::value::Value;

/// A number taken apart for arithmetic.
#[derive(Clone, Copy, Debug)]
enum Num {
    /// Integers and ratios, as numerator and positive denominator.
    Exact(i128, i128),
    Float(f64),
}

fn num(v: &Value, op: &str) -> Result<Num, Error> {
    match v {
        Value::Int(i) => Ok(Num::Exact(i128::from(*i), 1)),
        Value::Ratio(n, d) => Ok(Num::Exact(i128::from(*n), i128::from(*d))),
        Value::Float(f) => Ok(Num::Float(*f)),
        other => Err(Error::type_error(format!(
            "{op}: expected a number, got {} {}",
            other.type_name(),
            crate::printer::pr_capped(other)
        ))),
    }
}

fn to_f64(n: Num) -> f64 {
    match n {
        Num::Exact(a, b) => a as f64 / b as f64,
        Num::Float(f) => f,
    }
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    a = a.abs();
    b = b.abs();
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

fn overflow(op: &str) -> Error {
    Error::new(ErrorKind::Overflow, format!("integer overflow in {op}"))
}

/// Reduces `n/d` and fits it back into an integer or a ratio of 64-bit integers.
fn exact(n: i128, d: i128, op: &str) -> Result<Value, Error> {
    if d == 0 {
        return Err(Error::new(ErrorKind::DivideByZero, "division by zero"));
    }
    let g = gcd(n, d).max(1);
    let (mut n, mut d) = (n / g, d / g);
    if d < 0 {
        n = -n;
        d = -d;
    }
    let n64 = i64::try_from(n).map_err(|_| overflow(op))?;
    if d == 1 {
        return Ok(Value::Int(n64));
    }
    let d64 = i64::try_from(d).map_err(|_| overflow(op))?;
    Ok(Value::Ratio(n64, d64))
}

fn checked(r: Option<i128>, op: &str) -> Result<i128, Error> {
    r.ok_or_else(|| overflow(op))
}

/// Binary arithmetic on any two numbers.
fn arith(a: &Value, b: &Value, op: char) -> Result<Value, Error> {
    let name = op.to_string();
    // The integer fast path: most arithmetic in real programs is on small integers.
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        let r = match op {
            '+' => x.checked_add(*y),
            '-' => x.checked_sub(*y),
            '*' => x.checked_mul(*y),
            _ => None,
        };
        if let Some(r) = r {
            return Ok(Value::Int(r));
        }
        if op != '/' {
            return Err(overflow(&name));
        }
    }
    match (num(a, &name)?, num(b, &name)?) {
        (Num::Exact(an, ad), Num::Exact(bn, bd)) => {
            let (n, d) = match op {
                '+' => (
                    checked(
                        an.checked_mul(bd)
                            .and_then(|x| bn.checked_mul(ad).and_then(|y| x.checked_add(y))),
                        &name,
                    )?,
                    checked(ad.checked_mul(bd), &name)?,
                ),
                '-' => (
                    checked(
                        an.checked_mul(bd)
                            .and_then(|x| bn.checked_mul(ad).and_then(|y| x.checked_sub(y))),
                        &name,
                    )?,
                    checked(ad.checked_mul(bd), &name)?,
                ),
                '*' => (
                    checked(an.checked_mul(bn), &name)?,
                    checked(ad.checked_mul(bd), &name)?,
                ),
                _ => {
                    if bn == 0 {
                        return Err(Error::new(ErrorKind::DivideByZero, "division by zero"));
                    }
                    (
                        checked(an.checked_mul(bd), &name)?,
                        checked(ad.checked_mul(bn), &name)?,
                    )
                }
            };
            exact(n, d, &name)
        }
        (x, y) => {
            let (x, y) = (to_f64(x), to_f64(y));
            Ok(Value::Float(match op {
                '+' => x + y,
                '-' => x - y,
                '*' => x * y,
                _ => {
                    if y == 0.0 {
                        return Err(Error::new(ErrorKind::DivideByZero, "division by zero"));
                    }
                    x / y
                }
            }))
        }
    }
}

pub(crate) fn add(a: &Value, b: &Value) -> Result<Value, Error> {
    arith(a, b, '+')
}

pub(crate) fn sub(a: &Value, b: &Value) -> Result<Value, Error> {
    arith(a, b, '-')
}

pub(crate) fn mul(a: &Value, b: &Value) -> Result<Value, Error> {
    arith(a, b, '*')
}

pub(crate) fn div(a: &Value, b: &Value) -> Result<Value, Error> {
    arith(a, b, '/')
}

/// Checks that `v` is a number, for unary uses such as `(+ x)`.
pub(crate) fn check(v: &Value, op: &str) -> Result<(), Error> {
    num(v, op).map(|_| ())
}

/// Numeric order, or `None` when either side is NaN.
pub(crate) fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        return Some(x.cmp(y));
    }
    match (num(a, "").ok()?, num(b, "").ok()?) {
        (Num::Exact(an, ad), Num::Exact(bn, bd)) => {
            // Denominators are positive and at most 2^63, so the products fit in i128.
            Some((an * bd).cmp(&(bn * ad)))
        }
        (x, y) => to_f64(x).partial_cmp(&to_f64(y)),
    }
}

/// Numeric order for `<` and friends: a type error for non-numbers.
pub(crate) fn compare_checked(a: &Value, b: &Value, op: &str) -> Result<Option<Ordering>, Error> {
    num(a, op)?;
    num(b, op)?;
    Ok(compare(a, b))
}

pub(crate) fn negate(a: &Value) -> Result<Value, Error> {
    sub(&Value::Int(0), a)
}

/// Which integer division: `quot` truncates, `rem` takes the sign of the dividend, `mod` the
/// sign of the divisor.
#[derive(Clone, Copy)]
pub(crate) enum IntDiv {
    Quot,
    Rem,
    Mod,
}

pub(crate) fn int_div(a: &Value, b: &Value, which: IntDiv) -> Result<Value, Error> {
    let name = match which {
        IntDiv::Quot => "quot",
        IntDiv::Rem => "rem",
        IntDiv::Mod => "mod",
    };
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => {
            if *y == 0 {
                return Err(Error::new(ErrorKind::DivideByZero, "division by zero"));
            }
            let r = match which {
                IntDiv::Quot => x.checked_div(*y),
                IntDiv::Rem => x.checked_rem(*y),
                IntDiv::Mod => x.checked_rem(*y).map(|r| {
                    if r != 0 && ((r < 0) != (*y < 0)) {
                        r + y
                    } else {
                        r
                    }
                }),
            };
            r.map(Value::Int).ok_or_else(|| overflow(name))
        }
        _ => {
            let (x, y) = (to_f64(num(a, name)?), to_f64(num(b, name)?));
            if y == 0.0 {
                return Err(Error::new(ErrorKind::DivideByZero, "division by zero"));
            }
            let q = (x / y).trunc();
            Ok(Value::Float(match which {
                IntDiv::Quot => q,
                IntDiv::Rem => x - q * y,
                IntDiv::Mod => {
                    let r = x - q * y;
                    if r != 0.0 && ((r < 0.0) != (y < 0.0)) {
                        r + y
                    } else {
                        r
                    }
                }
            }))
        }
    }
}

pub(crate) fn is_zero(a: &Value) -> Result<bool, Error> {
    Ok(match num(a, "zero?")? {
        Num::Exact(n, _) => n == 0,
        Num::Float(f) => f == 0.0,
    })
}

pub(crate) fn sign(a: &Value, op: &str) -> Result<Ordering, Error> {
    match num(a, op)? {
        Num::Exact(n, _) => Ok(n.cmp(&0)),
        Num::Float(f) => Ok(f.partial_cmp(&0.0).unwrap_or(Ordering::Equal)),
    }
}

/// `==`: equal as numbers, whatever their kind.
pub(crate) fn num_eq(a: &Value, b: &Value) -> Result<bool, Error> {
    Ok(compare_checked(a, b, "==")? == Some(Ordering::Equal))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_reduce_and_overflow_is_an_error() {
        assert_eq!(
            div(&Value::Int(10), &Value::Int(4)).unwrap(),
            Value::Ratio(5, 2)
        );
        assert_eq!(div(&Value::Int(8), &Value::Int(4)).unwrap(), Value::Int(2));
        assert_eq!(
            add(&Value::Ratio(1, 2), &Value::Ratio(1, 2)).unwrap(),
            Value::Int(1)
        );
        assert_eq!(
            add(&Value::Int(i64::MAX), &Value::Int(1))
                .unwrap_err()
                .kind(),
            ErrorKind::Overflow
        );
        assert_eq!(
            div(&Value::Int(1), &Value::Int(0)).unwrap_err().kind(),
            ErrorKind::DivideByZero
        );
        assert_eq!(
            mul(&Value::Ratio(1, i64::MAX), &Value::Ratio(1, 3))
                .unwrap_err()
                .kind(),
            ErrorKind::Overflow
        );
        assert_eq!(
            int_div(&Value::Int(-7), &Value::Int(2), IntDiv::Mod).unwrap(),
            Value::Int(1)
        );
        assert_eq!(
            int_div(&Value::Int(-7), &Value::Int(2), IntDiv::Rem).unwrap(),
            Value::Int(-1)
        );
    }
}
