//! Field rules shared by items and parts: types, lengths in characters, formats.

use super::Issue;
use crate::time::Timestamp;
use serde_json::{Map, Value};

/// Reads field `key` of `obj` as an optional string of at most `max` characters.
/// JSON `null` counts as absent. Problems are pushed to `issues` under `path.key`.
pub(crate) fn opt_string(
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
    max: usize,
    issues: &mut Vec<Issue>,
) -> Option<String> {
    match obj.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => {
            let n = s.chars().count();
            if n > max {
                issues.push(Issue::new(
                    join(path, key),
                    format!("exceeds maximum length of {max} characters (got {n})"),
                ));
                None
            } else {
                Some(s.clone())
            }
        }
        Some(other) => {
            issues.push(Issue::new(
                join(path, key),
                format!("must be a string, not {}", type_name(other)),
            ));
            None
        }
    }
}

/// Like [`opt_string`] but the field must be present and hold at least one character.
pub(crate) fn req_string(
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
    max: usize,
    issues: &mut Vec<Issue>,
) -> Option<String> {
    let before = issues.len();
    let v = opt_string(obj, key, path, max, issues);
    match v {
        Some(s) if s.is_empty() => {
            issues.push(Issue::new(join(path, key), "must not be empty"));
            None
        }
        Some(s) => Some(s),
        None if issues.len() == before => {
            issues.push(Issue::new(join(path, key), "is required"));
            None
        }
        None => None,
    }
}

/// An optional email: a string of at most `max` characters that parses as an address.
pub(crate) fn opt_email(
    obj: &Map<String, Value>,
    path: &str,
    max: usize,
    issues: &mut Vec<Issue>,
) -> Option<String> {
    let s = opt_string(obj, "email", path, max, issues)?;
    if email_address::EmailAddress::is_valid(&s) {
        Some(s)
    } else {
        issues.push(Issue::new(
            join(path, "email"),
            "must be a valid email address",
        ));
        None
    }
}

/// An optional URL: absolute, with a scheme and a host (`https://…`).
pub(crate) fn opt_url(
    obj: &Map<String, Value>,
    path: &str,
    max: usize,
    issues: &mut Vec<Issue>,
) -> Option<String> {
    let s = opt_string(obj, "url", path, max, issues)?;
    match url::Url::parse(&s) {
        Ok(u) if u.has_host() => Some(s),
        _ => {
            issues.push(Issue::new(
                join(path, "url"),
                "must be a valid absolute URL (scheme and host)",
            ));
            None
        }
    }
}

/// An optional ISO 8601 date-time.
pub(crate) fn opt_datetime(
    obj: &Map<String, Value>,
    path: &str,
    issues: &mut Vec<Issue>,
) -> Option<Timestamp> {
    let s = opt_string(obj, "created_at", path, 64, issues)?;
    let t = Timestamp::parse_iso8601(&s);
    if t.is_none() {
        issues.push(Issue::new(
            join(path, "created_at"),
            "must be an ISO 8601 date-time such as 2026-03-15T10:30:00Z",
        ));
    }
    t
}

/// `path.key`, or `key` at the top level.
pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// The JSON type of a value, for messages.
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
