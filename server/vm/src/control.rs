//! The control register: the code being evaluated, or the value being returned to the
//! continuation.

use crate::code::CodeRef;
use crate::value::Value;

#[derive(Clone, Debug)]
pub enum Control {
    Eval(CodeRef),
    Return(Value),
}
