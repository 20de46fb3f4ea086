//! [`ObjectReader`]: the small JSON object bodies of the hark and admin APIs, read field by
//! field so that every problem is reported with its path.

use crate::api::ApiError;
use hark_core::validate::Issue;
use serde_json::{Map, Value};

/// Reads the fields of a small JSON object body, collecting every issue. Keys not in `known`
/// are issues too, so a misspelt field is reported instead of silently ignored.
pub struct ObjectReader<'a> {
    object: Option<&'a Map<String, Value>>,
    prefix: String,
    issues: Vec<Issue>,
}

impl<'a> ObjectReader<'a> {
    /// Starts reading `body`, which must be an object whose keys are all in `known`.
    pub fn new(body: &'a Value, known: &[&str]) -> Self {
        Self::at("", body, known)
    }

    /// Like [`ObjectReader::new`] for an object nested at `prefix` (`examples[3]`): every issue
    /// path starts with it.
    pub fn at(prefix: impl Into<String>, body: &'a Value, known: &[&str]) -> Self {
        let mut reader = Self {
            object: None,
            prefix: prefix.into(),
            issues: Vec::new(),
        };
        match body {
            Value::Object(map) => {
                for key in map.keys().filter(|k| !known.contains(&k.as_str())) {
                    reader.issue(key.as_str(), "unknown field");
                }
                reader.object = Some(map);
            }
            _ if reader.prefix.is_empty() => reader.issue("", "request body must be a JSON object"),
            _ => reader.issue("", "must be a JSON object"),
        }
        reader
    }

    /// The raw value of `key`; `None` when absent or when the body is not an object.
    pub fn value(&self, key: &str) -> Option<&'a Value> {
        self.object?.get(key)
    }

    /// A non-empty string of at most `max` characters; `null` counts as absent. A missing
    /// `required` field is an issue.
    pub fn string(&mut self, key: &str, max: usize, required: bool) -> Option<String> {
        let value = self.object?.get(key);
        match value {
            None | Some(Value::Null) => {
                if required {
                    self.issue(key, "is required");
                }
                None
            }
            Some(Value::String(s)) if s.is_empty() => {
                self.issue(key, "must not be empty");
                None
            }
            Some(Value::String(s)) if s.chars().count() > max => {
                self.issue(key, format!("exceeds maximum length of {max} characters"));
                None
            }
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                self.issue(key, "must be a string");
                None
            }
        }
    }

    /// Like [`ObjectReader::string`] (never required), but tells `null` from absent: `None`
    /// when absent or invalid, `Some(None)` for `null`, `Some(Some(s))` for a valid string.
    pub fn nullable_string(&mut self, key: &str, max: usize) -> Option<Option<String>> {
        match self.value(key)? {
            Value::Null => Some(None),
            _ => self.string(key, max, false).map(Some),
        }
    }

    /// An optional boolean; `null` counts as absent, another type is an issue.
    pub fn boolean(&mut self, key: &str) -> Option<bool> {
        match self.object?.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => {
                self.issue(key, "must be true or false");
                None
            }
        }
    }

    /// Records a problem found by the caller (e.g. a rule spanning several fields); `path` is
    /// relative to the object read.
    pub fn issue(&mut self, path: impl Into<String>, message: impl Into<String>) {
        let path = path.into();
        let full = match (self.prefix.is_empty(), path.is_empty()) {
            (true, _) => path,
            (false, true) => self.prefix.clone(),
            (false, false) => format!("{}.{path}", self.prefix),
        };
        self.issues.push(Issue::new(full, message));
    }

    /// True when no problem was found so far.
    pub fn is_clean(&self) -> bool {
        self.issues.is_empty()
    }

    /// Every issue found, for a caller that collects them over several objects.
    pub fn into_issues(self) -> Vec<Issue> {
        self.issues
    }

    /// The parsed value when nothing was wrong, else a 400 listing every issue.
    pub fn finish<T>(self, parsed: Option<T>) -> Result<T, ApiError> {
        match parsed {
            Some(v) if self.issues.is_empty() => Ok(v),
            _ => Err(ApiError::invalid_body(self.issues)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_strings_and_collects_every_issue() {
        let body = json!({"name": "", "kind": 3, "extra": true});
        let mut r = ObjectReader::new(&body, &["name", "kind", "missing"]);
        assert_eq!(r.string("name", 10, true), None);
        assert_eq!(r.string("kind", 10, false), None);
        assert_eq!(r.string("missing", 10, true), None);
        let Err(ApiError::Invalid { issues, .. }) = r.finish(Some(())) else {
            panic!("expected a 400");
        };
        let paths: Vec<_> = issues.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(paths, ["extra", "name", "kind", "missing"]);
    }

    #[test]
    fn a_clean_object_parses() {
        let body = json!({"name": "ok", "opt": null});
        let mut r = ObjectReader::new(&body, &["name", "opt"]);
        let name = r.string("name", 10, true);
        assert_eq!(r.string("opt", 10, false), None);
        assert_eq!(r.finish(name).expect("valid"), "ok");
    }

    #[test]
    fn non_objects_are_refused() {
        let body = json!([1]);
        let mut r = ObjectReader::new(&body, &["name"]);
        assert_eq!(r.string("name", 10, true), None);
        assert!(r.finish(Some(())).is_err());
    }

    #[test]
    fn nested_objects_prefix_their_paths_and_null_is_not_absent() {
        let body = json!({"name": null, "text": "", "x": 1});
        let mut r = ObjectReader::at("examples[2]", &body, &["name", "text", "pinned"]);
        assert_eq!(r.nullable_string("name", 10), Some(None));
        assert_eq!(r.nullable_string("pinned", 10), None);
        assert_eq!(r.string("text", 10, true), None);
        let paths: Vec<_> = r.into_issues().into_iter().map(|i| i.path).collect();
        assert_eq!(paths, ["examples[2].x", "examples[2].text"]);
        let five = json!(5);
        let mut r = ObjectReader::at("examples[0]", &five, &[]);
        assert_eq!(r.string("text", 10, true), None);
        assert_eq!(r.into_issues()[0].path, "examples[0]");
    }

    #[test]
    fn length_is_counted_in_characters() {
        let body = json!({"name": "ééé"});
        let mut r = ObjectReader::new(&body, &["name"]);
        assert_eq!(r.string("name", 3, true).as_deref(), Some("ééé"));
    }
}
