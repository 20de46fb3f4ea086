//! JSON request bodies parsed strictly: an object that names a key twice is an error.
//!
//! RFC 8259 leaves duplicate names undefined and parsers disagree (serde_json keeps the last,
//! others the first), so a body like `{"body": "a", "body": "b"}` can mean one thing to a proxy
//! or an audit log and another to hark. hark refuses it instead of choosing silently.
//! serde_json has no switch for this, hence the small visitor below, which builds the same
//! `Value` serde_json would.

use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

/// Parses `bytes` as one JSON value, refusing objects with a repeated key (the error names the
/// key and its position).
pub fn from_slice_strict(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = Strict.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// Deserializes one value with every object checked for repeated keys.
struct Strict;

impl<'de> DeserializeSeed<'de> for Strict {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        // serde_json never yields a non-finite float from JSON text.
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element_seed(Strict)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(A::Error::custom(format_args!("duplicate key {key:?}")));
            }
            let value = map.next_value_seed(Strict)?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_what_serde_json_parses() {
        let text = r#"{"a": [1, -2, 3.5, 18446744073709551615, "x\u00e9", null, true],
                       "b": {"c": {}, "d": []}, "e": "\ud83d\ude00"}"#;
        let strict = from_slice_strict(text.as_bytes()).expect("valid");
        let plain: Value = serde_json::from_str(text).expect("valid");
        assert_eq!(strict, plain);
        assert_eq!(from_slice_strict(b" 7 ").expect("valid"), json!(7));
    }

    #[test]
    fn a_repeated_key_at_any_depth_is_refused_with_its_name() {
        for text in [
            r#"{"body": "a", "body": "b"}"#,
            r#"{"items": [{"unique_id": "x", "unique_id": "y"}]}"#,
            r#"{"a": {"b": {"c": 1, "c": 1}}}"#,
        ] {
            let e = from_slice_strict(text.as_bytes()).expect_err(text);
            assert!(e.to_string().contains("duplicate key"), "{e}");
        }
        let e = from_slice_strict(br#"{"body": 1, "body": 2}"#).expect_err("dup");
        assert!(e.to_string().contains("\"body\""), "{e}");
        // The same key in sibling objects is fine.
        assert!(from_slice_strict(br#"[{"a": 1}, {"a": 2}]"#).is_ok());
    }

    #[test]
    fn trailing_text_and_bad_json_are_errors() {
        assert!(from_slice_strict(br#"{"a": 1} x"#).is_err());
        assert!(from_slice_strict(br#"{"a": }"#).is_err());
        assert!(from_slice_strict(b"").is_err());
    }
}
