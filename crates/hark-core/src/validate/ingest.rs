//! Validation of an ingest request body (`POST /api/1/ai-feedback/ingest`).
//!
//! Envelope problems (not an object, `source_id`, `items`) fail the whole request; problems
//! inside one item fail only that item, and the other items go on to the store.

use super::rules::{join, opt_datetime, opt_email, opt_string, opt_url, req_string, type_name};
use super::Issue;
use crate::ids::SourceId;
use crate::limits::*;
use crate::model::{Fields, ItemInput, PartInput};
use serde_json::{Map, Value};

/// A request whose envelope is valid: the items that passed validation and those that did not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestRequest {
    /// The source named by the client (not yet checked against the store).
    pub source_id: SourceId,
    /// Valid items, in request order.
    pub items: Vec<ItemInput>,
    /// Invalid items, in request order.
    pub rejected: Vec<ItemRejection>,
}

/// An item that failed validation, with every problem found in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRejection {
    /// Position in `items`.
    pub index: usize,
    /// Its `unique_id`, when one could be read.
    pub unique_id: Option<String>,
    /// Every problem, with absolute paths (`items[2].email`).
    pub issues: Vec<Issue>,
}

impl ItemRejection {
    /// All problems in one line, as the `error` string of the response.
    pub fn summary(&self) -> String {
        self.issues
            .iter()
            .map(Issue::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Validates a parsed body. `Err` carries every envelope problem (a 400); `Ok` may still hold
/// rejected items (reported in the 200's `errors`).
pub fn validate_ingest(body: &Value) -> Result<IngestRequest, Vec<Issue>> {
    let Value::Object(obj) = body else {
        return Err(vec![Issue::new(
            "",
            format!(
                "request body must be a JSON object, not {}",
                type_name(body)
            ),
        )]);
    };
    let mut issues = Vec::new();
    let source_id = req_string(obj, "source_id", "", MAX_SOURCE_ID_CHARS, &mut issues);
    let items = match obj.get("items") {
        None | Some(Value::Null) => {
            issues.push(Issue::new("items", "is required"));
            None
        }
        Some(Value::Array(a)) if a.is_empty() => {
            issues.push(Issue::new("items", "must contain at least 1 item"));
            None
        }
        Some(Value::Array(a)) if a.len() > MAX_ITEMS => {
            issues.push(Issue::new(
                "items",
                format!("must contain at most {MAX_ITEMS} items (got {})", a.len()),
            ));
            None
        }
        Some(Value::Array(a)) => Some(a),
        Some(other) => {
            issues.push(Issue::new(
                "items",
                format!("must be an array, not {}", type_name(other)),
            ));
            None
        }
    };
    let (Some(source_id), Some(items), true) = (source_id, items, issues.is_empty()) else {
        return Err(issues);
    };
    let mut out = IngestRequest {
        source_id: SourceId::new(source_id),
        items: Vec::with_capacity(items.len()),
        rejected: Vec::new(),
    };
    for (index, v) in items.iter().enumerate() {
        match validate_item(index, v) {
            Ok(item) => out.items.push(item),
            Err(rejection) => out.rejected.push(rejection),
        }
    }
    Ok(out)
}

fn validate_item(index: usize, v: &Value) -> Result<ItemInput, ItemRejection> {
    let path = format!("items[{index}]");
    let Value::Object(obj) = v else {
        return Err(ItemRejection {
            index,
            unique_id: None,
            issues: vec![Issue::new(
                path,
                format!("item must be an object, not {}", type_name(v)),
            )],
        });
    };
    let mut issues = Vec::new();
    let unique_id = req_string(obj, "unique_id", &path, MAX_UNIQUE_ID_CHARS, &mut issues);
    let body = opt_string(obj, "body", &path, MAX_BODY_CHARS, &mut issues);
    let fields = common_fields(obj, &path, body, &mut issues);
    let parts = validate_parts(obj, &path, &mut issues);
    match unique_id {
        Some(unique_id) if issues.is_empty() => Ok(ItemInput {
            index,
            unique_id,
            fields,
            parts,
        }),
        unique_id => Err(ItemRejection {
            index,
            unique_id,
            issues,
        }),
    }
}

fn validate_parts(obj: &Map<String, Value>, path: &str, issues: &mut Vec<Issue>) -> Vec<PartInput> {
    let key_path = join(path, "conversation_parts");
    let parts = match obj.get("conversation_parts") {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Array(a)) if a.len() > MAX_PARTS => {
            issues.push(Issue::new(
                key_path,
                format!("must contain at most {MAX_PARTS} parts (got {})", a.len()),
            ));
            return Vec::new();
        }
        Some(Value::Array(a)) => a,
        Some(other) => {
            issues.push(Issue::new(
                key_path,
                format!("must be an array, not {}", type_name(other)),
            ));
            return Vec::new();
        }
    };
    let mut out = Vec::with_capacity(parts.len());
    for (i, v) in parts.iter().enumerate() {
        let ppath = format!("{key_path}[{i}]");
        let Value::Object(p) = v else {
            issues.push(Issue::new(
                ppath,
                format!("conversation part must be an object, not {}", type_name(v)),
            ));
            continue;
        };
        let unique_id = req_string(p, "unique_id", &ppath, MAX_UNIQUE_ID_CHARS, issues);
        let body = req_string(p, "body", &ppath, MAX_BODY_CHARS, issues);
        let fields = common_fields(p, &ppath, body, issues);
        if p.contains_key("conversation_parts") {
            issues.push(Issue::new(
                join(&ppath, "conversation_parts"),
                "conversation parts cannot be nested",
            ));
        }
        if let (Some(unique_id), Some(_)) = (unique_id, &fields.body) {
            out.push(PartInput { unique_id, fields });
        }
    }
    out
}

fn common_fields(
    obj: &Map<String, Value>,
    path: &str,
    body: Option<String>,
    issues: &mut Vec<Issue>,
) -> Fields {
    Fields {
        body,
        author: opt_string(obj, "author", path, MAX_AUTHOR_CHARS, issues),
        email: opt_email(obj, path, MAX_EMAIL_CHARS, issues),
        user_id: opt_string(obj, "user_id", path, MAX_USER_ID_CHARS, issues),
        url: opt_url(obj, path, MAX_URL_CHARS, issues),
        created_at: opt_datetime(obj, path, issues),
    }
}

#[cfg(test)]
mod tests;
