//! Writing chat feedback and recorded messages (runs on the writer thread).
//!
//! Rules (shared/specs/chat-feedback-api.md and its hark decisions):
//! - message ids are unique per conversation: (application, conversation, message) names a
//!   message, so the same message id in two conversations is two messages;
//! - one feedback record per (application, conversation, message, user); no `userId` is its
//!   own user (stored as `user_key = ''`, never a valid `userId`, which is 1–1024 chars);
//! - a sent `messageUsefulness` replaces the stored vote (usefulness, reason and comment
//!   together) when its `submittedAt` is at or after the stored one; an older one keeps the
//!   stored vote. A sent `messageCopiedAt` overwrites; an absent one keeps the stored value;
//! - a submission with neither (`{}`, what an SDK sends with no fields) is valid: it creates the
//!   record (and, when lenient, the conversation and message) or touches `updated_at`;
//! - `event_at` = `submittedAt`, else `messageCopiedAt`, else the time hark first received the
//!   record; listing and stats use it;
//! - a conversation exists when one of its messages does (no table of its own, see the schema);
//! - strict: the message must have been recorded through `record_message` (a message row made
//!   by feedback while the application was lenient has no role and does not count); otherwise
//!   nothing is written, and the outcome says whether the conversation is known at all.
//!   Lenient: the message (and so the conversation) is created on first feedback, without text;
//! - a vote that is applied queues the feedback for analysis when it carries a comment (or
//!   replaced an analysed one), in the same transaction.

use super::tenancy::check_application;
use crate::analysis::queue::enqueue_feedback;
use crate::Error;
use hark_core::chat::{ChatMessage, FeedbackInput, MessageRole};
use hark_core::{ProjectId, Timestamp};
use hark_store::backend::codec::encode_sources;
use hark_store::PutFeedbackOutcome;
use rusqlite::{params, Connection, OptionalExtension};

/// Stores one `PutFeedback` call.
pub(crate) fn put_feedback(
    conn: &Connection,
    project: &ProjectId,
    strict: bool,
    input: &FeedbackInput,
) -> Result<PutFeedbackOutcome, Error> {
    let m = &input.message;
    let (app, conv, msg) = (
        m.application_id.as_str(),
        m.conversation_id.as_str(),
        m.message_id.as_str(),
    );
    check_application(conn, project, &m.application_id)?;
    let now = Timestamp::now().as_micros();
    let found: Option<(i64, bool)> = conn
        .prepare_cached(
            "SELECT id, role IS NOT NULL FROM chat_messages
             WHERE application_id = ?1 AND conversation_id = ?2 AND message_id = ?3",
        )?
        .query_row(params![app, conv, msg], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let message_row = match found {
        Some((row, recorded)) if recorded || !strict => row,
        // Strict, and the message was never recorded: say which part is unknown.
        Some(_) => return Ok(PutFeedbackOutcome::UnknownMessage),
        None if strict => {
            return Ok(if conversation_exists(conn, app, conv)? {
                PutFeedbackOutcome::UnknownMessage
            } else {
                PutFeedbackOutcome::UnknownConversation
            })
        }
        None => {
            // No RETURNING (see `ingest`): the row id of the insert is asked for instead.
            conn.prepare_cached(
                "INSERT INTO chat_messages (project_id, application_id, conversation_id,
                                            message_id, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![project.as_str(), app, conv, msg, now])?;
            conn.last_insert_rowid()
        }
    };
    let u = input.usefulness.as_ref();
    // One statement for insert-or-merge; in the UPDATE, bare column names are the stored values
    // and `?6` (the sent submittedAt) decides whether the sent vote wins. `updated_at` moves only
    // when something changed: the sent vote won, or a new copy time came.
    conn.prepare_cached(
        "INSERT INTO chat_feedback (message_row, project_id, application_id, conversation_id,
                                    message_id, user_key, usefulness, reason, comment,
                                    submitted_at, copied_at, event_at, received_at, updated_at)
         VALUES (?12, ?1, ?2, ?3, ?4, ?5, ?7, ?8, ?9, ?6, ?10, coalesce(?6, ?10, ?11), ?11, ?11)
         ON CONFLICT (message_row, user_key) DO UPDATE SET
             usefulness   = CASE WHEN ?6 >= coalesce(submitted_at, ?6) THEN ?7 ELSE usefulness END,
             reason       = CASE WHEN ?6 >= coalesce(submitted_at, ?6) THEN ?8 ELSE reason END,
             comment      = CASE WHEN ?6 >= coalesce(submitted_at, ?6) THEN ?9 ELSE comment END,
             submitted_at = max(coalesce(?6, submitted_at), coalesce(submitted_at, ?6)),
             copied_at    = coalesce(?10, copied_at),
             event_at     = coalesce(max(coalesce(?6, submitted_at), coalesce(submitted_at, ?6)),
                                     ?10, copied_at, received_at),
             updated_at   = CASE WHEN ?6 >= coalesce(submitted_at, ?6)
                                   OR (?10 IS NOT NULL AND copied_at IS NOT ?10)
                                 THEN ?11 ELSE updated_at END",
    )?
    .execute(params![
        project.as_str(),
        app,
        conv,
        msg,
        input.user_id.as_deref().unwrap_or(""),
        u.map(|u| u.submitted_at.as_micros()),
        u.map(|u| u.usefulness.as_str()),
        u.and_then(|u| u.reason).map(|r| r.as_str()),
        u.and_then(|u| u.comment.as_deref()),
        input.message_copied_at.map(Timestamp::as_micros),
        now,
        message_row
    ])?;
    if let Some(u) = u {
        enqueue_feedback(
            conn,
            message_row,
            input.user_id.as_deref().unwrap_or(""),
            u.submitted_at.as_micros(),
            now,
        )?;
    }
    crate::webhooks::causes::feedback_stored(conn, project, input, message_row)?;
    Ok(PutFeedbackOutcome::Stored)
}

/// Records (or updates) a message (and so its conversation). Text, role and `created_at` are
/// overwritten; `user_id` and sources are overwritten when sent (a user id / a non-empty list)
/// and kept otherwise. `NotFound` unless the application belongs to `project`.
pub(crate) fn record_message(
    conn: &Connection,
    project: &ProjectId,
    message: &ChatMessage,
) -> Result<(), Error> {
    let m = &message.message;
    check_application(conn, project, &m.application_id)?;
    let (app, conv) = (m.application_id.as_str(), m.conversation_id.as_str());
    let created = message.created_at.as_micros();
    let sources = encode_sources(&message.sources)?;
    conn.prepare_cached(
        "INSERT INTO chat_messages (project_id, application_id, conversation_id, message_id,
                                    role, text, user_id, created_at, sources)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (application_id, conversation_id, message_id) DO UPDATE SET
             role = ?5, text = ?6, user_id = coalesce(?7, user_id), created_at = ?8,
             sources = coalesce(?9, sources)",
    )?
    .execute(params![
        project.as_str(),
        app,
        conv,
        m.message_id.as_str(),
        role_name(message.role),
        message.text,
        message.user_id,
        created,
        sources
    ])?;
    Ok(())
}

/// The stored name of a role.
pub(crate) fn role_name(role: MessageRole) -> &'static str {
    match role {
        MessageRole::User => "user",
        MessageRole::Assistant => "assistant",
    }
}

/// A conversation exists when a message of it does (see the schema).
fn conversation_exists(conn: &Connection, app: &str, conv: &str) -> Result<bool, Error> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM chat_messages WHERE application_id = ?1 AND conversation_id = ?2
             LIMIT 1",
        )?
        .query_row(params![app, conv], |_| Ok(()))
        .optional()?
        .is_some())
}
