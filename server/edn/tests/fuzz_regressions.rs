//! Inputs the fuzzers found (docs/fuzzing.md), kept as ordinary tests.

use edn::Value;

/// Found by `edn_datalog`: a whole float of 1e16 or more printed as a long run of digits, which
/// read back as an out-of-range integer.
#[test]
fn large_whole_floats_print_as_floats_that_read_back() {
    for x in [
        1e16,
        -2e16,
        8e93,
        1.7976931348623157e308,
        123456789012345680.0,
    ] {
        let printed = Value::Float(x).to_string();
        assert_eq!(edn::read(&printed), Ok(Value::Float(x)), "{printed}");
    }
    assert_eq!(Value::Float(8e93).to_string(), "8e93");
    assert_eq!(Value::Float(9e15).to_string(), "9000000000000000.0");
}
