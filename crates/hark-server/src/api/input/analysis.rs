//! Bodies of the analysis API: a category set by hand and labelled examples, parsed at the edge
//! with every problem reported by its path.

use super::{FromJson, ObjectReader};
use crate::api::ApiError;
use hark_core::analysis::{Category, LabelledExample, ThemeGranularity};
use hark_core::limits::MAX_BODY_CHARS;
use serde_json::Value;

/// Most labelled examples accepted in one request.
pub const MAX_EXAMPLES: usize = 1000;

/// The message for a category that is not one of [`Category::ALL`].
pub fn category_message() -> String {
    let names: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
    format!("must be one of {}", names.join(", "))
}

/// A category from its wire name; `None` (and an issue at `path`) for anything else.
pub(super) fn category(r: &mut ObjectReader<'_>, key: &str) -> Option<Category> {
    let name = r.string(key, 64, true)?;
    let parsed = name.parse().ok();
    if parsed.is_none() {
        r.issue(key, category_message());
    }
    parsed
}

/// `{"category": "bug"}` of `PUT /api/1/items/{id}/category`: a category set by a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewCategory(pub Category);

impl FromJson for NewCategory {
    fn from_json(body: &Value) -> Result<Self, ApiError> {
        let mut r = ObjectReader::new(body, &["category"]);
        let parsed = category(&mut r, "category");
        r.finish(parsed.map(Self))
    }
}

/// `{"examples": [{"text": "…", "category": "bug"}, …]}` of `POST /api/1/analysis/examples`:
/// 1–1000 examples, each text 1–20,000 characters. Any problem refuses the whole request,
/// listing every bad example by its path.
#[derive(Debug, Clone)]
pub struct Examples(pub Vec<LabelledExample>);

impl FromJson for Examples {
    fn from_json(body: &Value) -> Result<Self, ApiError> {
        parse_examples(body).map(Self)
    }
}

fn parse_examples(body: &Value) -> Result<Vec<LabelledExample>, ApiError> {
    let mut r = ObjectReader::new(body, &["examples"]);
    let list = match r.value("examples") {
        Some(Value::Array(list)) if (1..=MAX_EXAMPLES).contains(&list.len()) => Some(list),
        Some(Value::Array(_)) => {
            r.issue(
                "examples",
                format!("must hold 1 to {MAX_EXAMPLES} examples"),
            );
            None
        }
        None | Some(Value::Null) => {
            // A body that is not an object already has its issue.
            if body.is_object() {
                r.issue("examples", "is required");
            }
            None
        }
        Some(_) => {
            r.issue("examples", "must be an array");
            None
        }
    };
    let mut issues = r.into_issues();
    let mut examples = Vec::new();
    for (i, value) in list.into_iter().flatten().enumerate() {
        let mut e = ObjectReader::at(format!("examples[{i}]"), value, &["text", "category"]);
        let text = e.string("text", MAX_BODY_CHARS, true);
        let category = category(&mut e, "category");
        issues.extend(e.into_issues());
        if let (Some(text), Some(category)) = (text, category) {
            examples.push(LabelledExample {
                text,
                category,
                origin: "import",
                embedding: None,
            });
        }
    }
    if issues.is_empty() {
        Ok(examples)
    } else {
        Err(ApiError::invalid_body(issues))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn paths(e: ApiError) -> Vec<String> {
        match e {
            ApiError::Invalid { issues, .. } => issues.into_iter().map(|i| i.path).collect(),
            other => panic!("expected a 400, got {other}"),
        }
    }

    #[test]
    fn categories_parse_and_unknown_ones_list_the_valid_names() {
        assert_eq!(
            NewCategory::from_json(&json!({"category": "feature_request"}))
                .expect("valid")
                .0,
            Category::FeatureRequest
        );
        let Err(ApiError::Invalid { issues, .. }) =
            NewCategory::from_json(&json!({"category": "x"}))
        else {
            panic!("expected a 400");
        };
        assert_eq!(issues[0].path, "category");
        assert!(issues[0].message.contains("feature_request"), "{issues:?}");
        assert_eq!(
            paths(NewCategory::from_json(&json!({})).expect_err("missing")),
            ["category"]
        );
    }

    #[test]
    fn examples_report_every_bad_entry_by_path() {
        let ok = parse_examples(&json!({"examples": [{"text": "t", "category": "bug"}]}))
            .expect("valid");
        assert_eq!(ok[0].origin, "import");
        let bad = json!({"examples": [
            {"text": "fine", "category": "bug"},
            {"text": "", "category": "bug"},
            {"text": "t", "category": "nope"},
            {"text": "t", "category": "bug", "extra": 1},
            "not an object",
            {"text": "x".repeat(MAX_BODY_CHARS + 1), "category": "praise"},
        ]});
        assert_eq!(
            paths(parse_examples(&bad).expect_err("invalid")),
            [
                "examples[1].text",
                "examples[2].category",
                "examples[3].extra",
                "examples[4]",
                "examples[5].text"
            ]
        );
        for (body, want) in [
            (json!({}), "examples"),
            (json!({"examples": []}), "examples"),
            (json!({"examples": {}}), "examples"),
            (json!([]), ""),
        ] {
            assert_eq!(paths(parse_examples(&body).expect_err("invalid")), [want]);
        }
        let many: Vec<Value> = (0..=MAX_EXAMPLES)
            .map(|_| json!({"text": "t", "category": "bug"}))
            .collect();
        let too_many = parse_examples(&json!({ "examples": many })).expect_err("too many");
        assert_eq!(paths(too_many), ["examples"]);
    }
}

/// `{"theme_granularity": "coarser" | "normal" | "finer" | null}` of
/// `PATCH /api/1/analysis/settings`; absent keeps it, `null` clears the project's own choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettingsPatch {
    /// `Some(None)`: back to the deployment's granularity.
    pub theme_granularity: Option<Option<ThemeGranularity>>,
}

impl FromJson for SettingsPatch {
    fn from_json(body: &Value) -> Result<Self, ApiError> {
        let mut r = ObjectReader::new(body, &["theme_granularity"]);
        let theme_granularity = match r.nullable_string("theme_granularity", 16) {
            Some(Some(name)) => match ThemeGranularity::parse(&name) {
                Some(g) => Some(Some(g)),
                None => {
                    r.issue(
                        "theme_granularity",
                        "must be coarser, normal, finer or null",
                    );
                    None
                }
            },
            other => other.map(|_| None),
        };
        r.finish(Some(Self { theme_granularity }))
    }
}
