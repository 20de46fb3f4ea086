//! The body of hark's record-message extension (`POST /applications/{a}/conversations/{c}/
//! messages/{m}`), read in the contract's style: a body that is not a JSON object, or a member of
//! the wrong JSON type, is `CANNOT_PARSE`; every broken constraint is listed as a field problem.
//!
//! ```json
//! {"role": "assistant", "text": "…", "userId": "u1", "createdAt": 1714979289,
//!  "sources": [{"title": "…", "url": "…", "snippet": "…"}]}
//! ```

use super::{Operation, ResourcePath};
use crate::aws::AwsError;
use hark_core::chat::{
    ApplicationId, ChatMessage, CitedSource, ConversationId, MessageId, MessageRef, MessageRole,
};
use hark_core::validate::chat::{FieldProblem, MAX_USER_ID_CHARS};
use hark_core::Timestamp;
use regex::Regex;
use serde_json::{Map, Value};
use std::sync::LazyLock;

/// Most characters of `text`.
pub const MAX_TEXT_CHARS: usize = 20_000;
/// Most entries of `sources`.
pub const MAX_SOURCES: usize = 50;
/// Most characters of a source's `title`.
pub const MAX_SOURCE_TITLE_CHARS: usize = 1_000;
/// Most characters of a source's `url`.
pub const MAX_SOURCE_URL_CHARS: usize = 2_048;
/// Most characters of a source's `snippet`.
pub const MAX_SOURCE_SNIPPET_CHARS: usize = 5_000;
/// Latest accepted `createdAt`: 9999-12-31T23:59:59Z, as for `PutFeedback` timestamps.
const MAX_EPOCH_SECONDS: f64 = 253_402_300_799.0;

/// `userId`'s pattern, as in `PutFeedback`: no control, format or unassigned characters.
static NO_OTHER_CHARS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\P{C}*$").expect("the pattern is a valid constant regex"));

const FIELDS: &[&str] = &["role", "text", "userId", "createdAt", "sources"];
const SOURCE_FIELDS: &[&str] = &["title", "url", "snippet"];

/// hark's record-message extension; `createdAt` defaults to the time of parsing.
impl Operation for ChatMessage {
    fn parse(path: &ResourcePath, _query: Option<&str>, body: &[u8]) -> Result<Self, AwsError> {
        parse_message(path, body, Timestamp::now())
    }

    fn application_id(&self) -> &ApplicationId {
        &self.message.application_id
    }
}

/// Validates a record-message call; `now` is the `createdAt` of a body without one.
pub fn parse_message(
    path: &ResourcePath,
    body: &[u8],
    now: Timestamp,
) -> Result<ChatMessage, AwsError> {
    let value: Value = hark_core::json::from_slice_strict(body)
        .map_err(|e| AwsError::cannot_parse(format!("body is not valid JSON: {e}")))?;
    let Value::Object(obj) = value else {
        return Err(AwsError::cannot_parse("body must be a JSON object"));
    };
    let mut problems = Vec::new();
    let mut problem = |name: &str, message: String| {
        problems.push(FieldProblem {
            name: name.into(),
            message,
        })
    };
    const ID_RULE: &str = "must be 36 characters matching ^[a-zA-Z0-9][a-zA-Z0-9-]{35}$";
    let app = ApplicationId::parse(&path.application_id);
    let conv = ConversationId::parse(&path.conversation_id);
    let msg = MessageId::parse(&path.message_id);
    for (name, ok) in [
        ("applicationId", app.is_some()),
        ("conversationId", conv.is_some()),
        ("messageId", msg.is_some()),
    ] {
        if !ok {
            problem(name, ID_RULE.into());
        }
    }
    for key in obj.keys().filter(|k| !FIELDS.contains(&k.as_str())) {
        problem(key, "is not a known field".into());
    }

    let role = match string(&obj, "role")? {
        None => {
            problem("role", "is required".into());
            None
        }
        Some("user") => Some(MessageRole::User),
        Some("assistant") => Some(MessageRole::Assistant),
        Some(_) => {
            problem("role", "must be one of user, assistant".into());
            None
        }
    };
    let text = string(&obj, "text")?;
    match text.map(|t| t.chars().count()) {
        None => problem("text", "is required".into()),
        Some(0) => problem("text", "must be at least 1 character".into()),
        Some(n) if n > MAX_TEXT_CHARS => problem(
            "text",
            format!("must be at most {MAX_TEXT_CHARS} characters"),
        ),
        Some(_) => {}
    }
    let user_id = string(&obj, "userId")?;
    if let Some(u) = user_id {
        let n = u.chars().count();
        if n == 0 || n > MAX_USER_ID_CHARS {
            problem(
                "userId",
                format!("must be 1 to {MAX_USER_ID_CHARS} characters"),
            );
        } else if !NO_OTHER_CHARS.is_match(u) {
            problem(
                "userId",
                "must not contain control, format or unassigned characters".into(),
            );
        }
    }
    let created_at = match obj.get("createdAt") {
        None | Some(Value::Null) => now,
        Some(v) => timestamp(v)?,
    };
    let sources = sources(&obj, &mut problem)?;

    match (app, conv, msg, role, text) {
        (Some(application_id), Some(conversation_id), Some(message_id), Some(role), Some(text))
            if problems.is_empty() =>
        {
            Ok(ChatMessage {
                message: MessageRef {
                    application_id,
                    conversation_id,
                    message_id,
                },
                role,
                text: text.to_owned(),
                user_id: user_id.map(str::to_owned),
                created_at,
                sources,
            })
        }
        _ => Err(AwsError::fields(problems)),
    }
}

/// An optional string member; another JSON type is `CANNOT_PARSE`.
fn string<'a>(obj: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>, AwsError> {
    match obj.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(AwsError::cannot_parse(format!("{name} must be a string"))),
    }
}

/// `sources`: an array of objects with optional string members.
fn sources(
    obj: &Map<String, Value>,
    problem: &mut impl FnMut(&str, String),
) -> Result<Vec<CitedSource>, AwsError> {
    let items = match obj.get("sources") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(AwsError::cannot_parse("sources must be an array")),
    };
    if items.len() > MAX_SOURCES {
        problem(
            "sources",
            format!("must have at most {MAX_SOURCES} entries"),
        );
    }
    let mut out = Vec::with_capacity(items.len().min(MAX_SOURCES));
    for (i, item) in items.iter().enumerate() {
        let Value::Object(source) = item else {
            return Err(AwsError::cannot_parse(format!(
                "sources[{i}] must be an object"
            )));
        };
        for key in source
            .keys()
            .filter(|k| !SOURCE_FIELDS.contains(&k.as_str()))
        {
            problem(
                &format!("sources[{i}].{key}"),
                "is not a known field".into(),
            );
        }
        let mut field = |name: &str, max: usize| -> Result<Option<String>, AwsError> {
            let value = string(source, name).map_err(|_| {
                AwsError::cannot_parse(format!("sources[{i}].{name} must be a string"))
            })?;
            if value.is_some_and(|v| v.chars().count() > max) {
                problem(
                    &format!("sources[{i}].{name}"),
                    format!("must be at most {max} characters"),
                );
            }
            Ok(value.map(str::to_owned))
        };
        out.push(CitedSource {
            title: field("title", MAX_SOURCE_TITLE_CHARS)?,
            url: field("url", MAX_SOURCE_URL_CHARS)?,
            snippet: field("snippet", MAX_SOURCE_SNIPPET_CHARS)?,
        });
    }
    Ok(out)
}

/// `createdAt`: epoch seconds, integer or fractional, as restJson1 timestamps.
fn timestamp(v: &Value) -> Result<Timestamp, AwsError> {
    let secs = v
        .as_f64()
        .filter(|s| s.is_finite() && (0.0..=MAX_EPOCH_SECONDS).contains(s))
        .ok_or_else(|| {
            AwsError::cannot_parse("createdAt must be epoch seconds between 0 and 253402300799")
        })?;
    let micros = match v.as_i64() {
        Some(i) => i * 1_000_000,
        None => (secs * 1e6).round() as i64,
    };
    Ok(Timestamp::from_micros(micros))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::error::ValidationReason;
    use serde_json::json;

    fn path() -> ResourcePath {
        ResourcePath {
            application_id: "a".repeat(36),
            conversation_id: "c".repeat(36),
            message_id: "m".repeat(36),
        }
    }

    fn parse(body: Value) -> Result<ChatMessage, AwsError> {
        parse_message(
            &path(),
            body.to_string().as_bytes(),
            Timestamp::from_micros(7),
        )
    }

    fn field_names(e: AwsError) -> Vec<String> {
        match e {
            AwsError::Validation {
                reason: ValidationReason::FieldValidationFailed,
                fields,
                ..
            } => fields.into_iter().map(|f| f.name).collect(),
            other => panic!("expected field problems, got {other:?}"),
        }
    }

    #[test]
    fn a_full_message_parses() {
        let m = parse(json!({
            "role": "assistant", "text": "Use the export menu.\nThen CSV.", "userId": "u@x",
            "createdAt": 1714979289.5,
            "sources": [{"title": "Docs", "url": "https://x", "snippet": "…"}, {}]
        }))
        .expect("valid");
        assert_eq!(m.role, MessageRole::Assistant);
        assert_eq!(m.user_id.as_deref(), Some("u@x"));
        assert_eq!(m.created_at, Timestamp::from_micros(1_714_979_289_500_000));
        assert_eq!(m.sources.len(), 2);
        assert_eq!(m.sources[1].title, None);
        let m = parse(json!({"role": "user", "text": "How?"})).expect("valid");
        assert_eq!(m.created_at, Timestamp::from_micros(7), "defaults to now");
        assert!(m.sources.is_empty());
    }

    #[test]
    fn every_problem_is_listed() {
        let names = field_names(
            parse(json!({
                "role": "bot", "text": "x".repeat(MAX_TEXT_CHARS + 1), "userId": "a\u{0007}",
                "sources": [{"title": "t".repeat(1001), "colour": "red"}], "extra": 1
            }))
            .expect_err("invalid"),
        );
        assert_eq!(
            names,
            [
                "extra",
                "role",
                "text",
                "userId",
                "sources[0].colour",
                "sources[0].title"
            ]
        );
        let names = field_names(parse(json!({})).expect_err("invalid"));
        assert_eq!(names, ["role", "text"]);
        let bad_path = ResourcePath {
            application_id: "short".into(),
            ..path()
        };
        let e = parse_message(
            &bad_path,
            br#"{"role":"user","text":"t"}"#,
            Timestamp::now(),
        );
        assert_eq!(field_names(e.expect_err("invalid")), ["applicationId"]);
    }

    #[test]
    fn wrong_types_cannot_be_parsed() {
        for body in [
            json!([]),
            json!({"role": 1, "text": "t"}),
            json!({"role": "user", "text": "t", "createdAt": "yesterday"}),
            json!({"role": "user", "text": "t", "createdAt": -1}),
            json!({"role": "user", "text": "t", "sources": {}}),
            json!({"role": "user", "text": "t", "sources": ["x"]}),
            json!({"role": "user", "text": "t", "sources": [{"url": 3}]}),
        ] {
            match parse(body.clone()) {
                Err(AwsError::Validation {
                    reason: ValidationReason::CannotParse,
                    ..
                }) => {}
                other => panic!("{body}: {other:?}"),
            }
        }
    }
}
