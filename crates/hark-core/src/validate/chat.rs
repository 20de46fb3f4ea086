//! Validation of a `PutFeedback` call (`shared/specs/chat-feedback-api.md`): path ids, the
//! `userId` query parameter and the JSON body, with AWS `ValidationException` semantics —
//! `CANNOT_PARSE` for bodies that are not the right JSON shape, `FIELD_VALIDATION_FAILED` with
//! every offending field for constraint violations.

use crate::chat::{
    is_valid_resource_id, ApplicationId, ConversationId, FeedbackInput, MessageId, MessageRef,
    MessageUsefulness, Usefulness, UsefulnessReason,
};
use crate::time::Timestamp;
use regex::Regex;
use serde::Serialize;
use serde_json::{Map, Value};
use std::sync::LazyLock;

/// Most characters of `userId`.
pub const MAX_USER_ID_CHARS: usize = 1024;
/// Most characters of `messageUsefulness.comment`.
pub const MAX_COMMENT_CHARS: usize = 1000;
/// Latest accepted timestamp: 9999-12-31T23:59:59Z.
const MAX_EPOCH_SECONDS: f64 = 253_402_300_799.0;

/// The contract's `^\P{C}*$`: no control, format, private-use or unassigned characters.
static NO_OTHER_CHARS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\P{C}*$").expect("the pattern is a valid constant regex"));

/// One entry of a `ValidationException`'s `fields`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    /// The member, e.g. `messageUsefulness.usefulness` or `applicationId`.
    pub name: String,
    /// What is wrong.
    pub message: String,
}

/// Why a call is invalid, in the contract's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChatValidationError {
    /// The body is not JSON of the expected shape (reason `CANNOT_PARSE`).
    CannotParse(String),
    /// Constraint violations (reason `FIELD_VALIDATION_FAILED`), every one of them.
    Fields(Vec<FieldProblem>),
}

/// The parts of a `PutFeedback` request, path segments and query already percent-decoded.
#[derive(Debug, Clone, Copy)]
pub struct PutFeedbackWire<'a> {
    /// `{applicationId}` path segment.
    pub application_id: &'a str,
    /// `{conversationId}` path segment.
    pub conversation_id: &'a str,
    /// `{messageId}` path segment.
    pub message_id: &'a str,
    /// The `userId` query parameter, if present.
    pub user_id: Option<&'a str>,
    /// The raw body (empty is taken as `{}`).
    pub body: &'a [u8],
}

/// Validates a whole call; the returned input is what the store needs.
pub fn validate_put_feedback(
    wire: PutFeedbackWire<'_>,
) -> Result<FeedbackInput, ChatValidationError> {
    let body: Value = if wire.body.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Map::new())
    } else {
        crate::json::from_slice_strict(wire.body)
            .map_err(|e| ChatValidationError::CannotParse(format!("body is not valid JSON: {e}")))?
    };
    let Value::Object(obj) = body else {
        return Err(ChatValidationError::CannotParse(
            "body must be a JSON object".into(),
        ));
    };
    let mut problems = Vec::new();
    let message = message_ref(wire, &mut problems);
    let user_id = wire.user_id.and_then(|u| user_id(u, &mut problems));
    let message_copied_at = match obj.get("messageCopiedAt") {
        None | Some(Value::Null) => None,
        Some(v) => Some(timestamp(v, "messageCopiedAt")?),
    };
    let usefulness = match obj.get("messageUsefulness") {
        None | Some(Value::Null) => None,
        Some(Value::Object(u)) => usefulness(u, &mut problems)?,
        Some(_) => {
            return Err(ChatValidationError::CannotParse(
                "messageUsefulness must be an object".into(),
            ))
        }
    };
    match message {
        Some(message) if problems.is_empty() => Ok(FeedbackInput {
            message,
            user_id,
            message_copied_at,
            usefulness,
        }),
        _ => Err(ChatValidationError::Fields(problems)),
    }
}

fn message_ref(wire: PutFeedbackWire<'_>, problems: &mut Vec<FieldProblem>) -> Option<MessageRef> {
    let mut check = |name: &str, value: &str| {
        let ok = is_valid_resource_id(value);
        if !ok {
            problems.push(FieldProblem {
                name: name.into(),
                message: "must be 36 characters matching ^[a-zA-Z0-9][a-zA-Z0-9-]{35}$".into(),
            });
        }
        ok
    };
    let a = check("applicationId", wire.application_id);
    let c = check("conversationId", wire.conversation_id);
    let m = check("messageId", wire.message_id);
    Some(MessageRef {
        application_id: ApplicationId::parse(wire.application_id).filter(|_| a)?,
        conversation_id: ConversationId::parse(wire.conversation_id).filter(|_| c)?,
        message_id: MessageId::parse(wire.message_id).filter(|_| m)?,
    })
}

fn user_id(u: &str, problems: &mut Vec<FieldProblem>) -> Option<String> {
    let n = u.chars().count();
    let problem = if n == 0 {
        Some("must be at least 1 character".to_string())
    } else if n > MAX_USER_ID_CHARS {
        Some(format!("must be at most {MAX_USER_ID_CHARS} characters"))
    } else if !NO_OTHER_CHARS.is_match(u) {
        Some("must not contain control, format or unassigned characters".to_string())
    } else {
        None
    };
    match problem {
        None => Some(u.to_string()),
        Some(message) => {
            problems.push(FieldProblem {
                name: "userId".into(),
                message,
            });
            None
        }
    }
}

fn usefulness(
    u: &Map<String, Value>,
    problems: &mut Vec<FieldProblem>,
) -> Result<Option<MessageUsefulness>, ChatValidationError> {
    let before = problems.len();
    let mut field = |name: &str, message: &str| {
        problems.push(FieldProblem {
            name: format!("messageUsefulness.{name}"),
            message: message.into(),
        })
    };
    let vote = match u.get("usefulness") {
        None | Some(Value::Null) => {
            field("usefulness", "is required");
            None
        }
        Some(Value::String(s)) => {
            let v = Usefulness::parse(s);
            if v.is_none() {
                field("usefulness", "must be one of USEFUL, NOT_USEFUL");
            }
            v
        }
        Some(_) => return Err(cannot_parse("messageUsefulness.usefulness", "a string")),
    };
    let submitted_at = match u.get("submittedAt") {
        None | Some(Value::Null) => {
            field("submittedAt", "is required");
            None
        }
        Some(v) => Some(timestamp(v, "messageUsefulness.submittedAt")?),
    };
    let reason = match u.get("reason") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => {
            let r = UsefulnessReason::parse(s);
            if r.is_none() {
                let names: Vec<_> = UsefulnessReason::ALL.iter().map(|r| r.as_str()).collect();
                field("reason", &format!("must be one of {}", names.join(", ")));
            }
            r
        }
        Some(_) => return Err(cannot_parse("messageUsefulness.reason", "a string")),
    };
    let comment = match u.get("comment") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => {
            if s.chars().count() > MAX_COMMENT_CHARS {
                field(
                    "comment",
                    &format!("must be at most {MAX_COMMENT_CHARS} characters"),
                );
            } else if !NO_OTHER_CHARS.is_match(s) {
                field(
                    "comment",
                    "must not contain control, format or unassigned characters",
                );
            }
            Some(s.clone())
        }
        Some(_) => return Err(cannot_parse("messageUsefulness.comment", "a string")),
    };
    if problems.len() > before {
        return Ok(None);
    }
    Ok(match (vote, submitted_at) {
        (Some(usefulness), Some(submitted_at)) => Some(MessageUsefulness {
            usefulness,
            reason,
            comment,
            submitted_at,
        }),
        _ => None,
    })
}

/// restJson1 timestamps: JSON numbers of epoch seconds, integer or fractional.
fn timestamp(v: &Value, name: &str) -> Result<Timestamp, ChatValidationError> {
    let secs = v
        .as_f64()
        .filter(|s| s.is_finite() && (0.0..=MAX_EPOCH_SECONDS).contains(s))
        .ok_or_else(|| cannot_parse(name, "epoch seconds between 0 and 253402300799"))?;
    // Integers are exact; fractions are rounded to the microsecond.
    let micros = match v.as_i64() {
        Some(i) => i * 1_000_000,
        None => (secs * 1e6).round() as i64,
    };
    Ok(Timestamp::from_micros(micros))
}

fn cannot_parse(name: &str, expected: &str) -> ChatValidationError {
    ChatValidationError::CannotParse(format!("{name} must be {expected}"))
}

#[cfg(test)]
mod tests;
