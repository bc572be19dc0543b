//! Canonical JSON: the exact bytes written to the backup repository.
//!
//! Object keys sorted recursively (by UTF-8 bytes), arrays kept in order, 2-space indent, `": "`
//! after keys, a trailing newline, UTF-8 without escaping non-ASCII. Numbers keep every digit they were
//! received with (serde_json's `arbitrary_precision`), so a big id such as `12345678901234567890` or a
//! decimal such as `1.10` survives unchanged; the one normalization is that an exponent is written
//! with its sign (`1e5` → `1e+5`). Control characters are escaped as JSON requires (`\u0001`).

use serde_json::Value;

use crate::error::Error;

/// Canonical text of a JSON value (see the module docs).
pub fn canonical_value(value: &Value) -> String {
    // serde_json's Map is a BTreeMap here (the crate never enables `preserve_order`), so pretty
    // printing already sorts keys; the test below guards that assumption.
    let mut text = serde_json::to_string_pretty(value).unwrap_or_else(|_| String::from("null"));
    text.push('\n');
    text
}

/// Canonical text of any JSON text.
pub fn canonical_json(text: &str) -> Result<String, Error> {
    let value: Value = serde_json::from_str(text).map_err(|e| Error::input("JSON", e))?;
    Ok(canonical_value(&value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_keys_recursively_and_keeps_array_order() {
        let out = canonical_json(r#"{"b":1,"a":{"d":[3,1,2],"c":"é"}}"#);
        assert_eq!(
            out,
            Ok("{\n  \"a\": {\n    \"c\": \"é\",\n    \"d\": [\n      3,\n      1,\n      2\n    ]\n  },\n  \"b\": 1\n}\n".to_owned())
        );
    }

    #[test]
    fn keeps_numbers_exactly() {
        let out = canonical_json(r#"{"big":12345678901234567890,"dec":1.10,"exp":1e5}"#);
        assert_eq!(
            out,
            Ok("{\n  \"big\": 12345678901234567890,\n  \"dec\": 1.10,\n  \"exp\": 1e+5\n}\n".to_owned())
        );
    }

    #[test]
    fn is_idempotent() {
        let once = canonical_json(r#"{"z":[{"y":null,"x":true}],"a":"\u0001"}"#).unwrap_or_default();
        assert_eq!(canonical_json(&once), Ok(once.clone()));
    }
}
