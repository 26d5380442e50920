//! Bad input is normal input: the reader returns an error, never panics, on arbitrary text.

use proptest::prelude::*;

proptest! {
    #[test]
    fn reader_never_panics(src in r#"[\[\](){}#_"\\:;,a-z0-9?./+\-\n é^@~'`]{0,64}"#) {
        let all = edn::read_all(&src);
        let one = edn::read(&src);
        // What reads alone also reads as a sequence of forms.
        if one.is_ok() {
            prop_assert!(all.is_ok());
        }
    }

    #[test]
    fn printed_values_read_back(src in r#"[\[\](){}#_"\\:a-z0-9 ]{0,40}"#) {
        if let Ok(v) = edn::read(&src) {
            let printed = v.to_string();
            prop_assert_eq!(edn::read(&printed).ok(), Some(v), "printed as {}", printed);
        }
    }
}
