//! Writing chat feedback and recorded messages, each call one statement (see the module above).
//!
//! The rules are SQLite's (`sqlite/chat_write.rs` lists them); what differs is how they hold
//! when several nodes write at once:
//! - the message row is found with `FOR KEY SHARE`, so an erasure deleting it either finishes
//!   first (the row is then not found and, when lenient, made again) or waits for the vote;
//! - a message that another transaction creates between this statement's snapshot and its
//!   insert is taken over by `ON CONFLICT DO UPDATE` (a no-op update returns the row; `DO
//!   NOTHING` would return nothing the snapshot can see);
//! - the feedback upsert runs its merge rules in `ON CONFLICT DO UPDATE`, which in READ
//!   COMMITTED waits for a concurrent writer of the same (message, user) and merges into the
//!   latest committed row, so concurrent votes end in one row with the latest `submittedAt`.

use crate::webhooks::causes;
use crate::Error;
use crate::{backoff, retryable, PgStore, MAX_ATTEMPTS};
use hark_core::chat::{ChatMessage, FeedbackInput, MessageRole};
use hark_core::{ProjectId, Timestamp};
use hark_store::backend::codec::encode_sources;
use hark_store::{PutFeedbackOutcome, StoreError};
use tokio_postgres::types::ToSql;

/// Runs `$attempt` (an expression giving `Result<T, Error>`) again after a deadlock or
/// serialization failure, like `in_tx!` does for whole transactions. A single statement is its
/// own transaction, so a failed attempt has written nothing.
macro_rules! retrying {
    ($attempt:expr) => {{
        let mut attempt = 1u32;
        loop {
            match $attempt {
                Err(e) if retryable(&e) && attempt < MAX_ATTEMPTS => {
                    attempt += 1;
                    backoff(attempt).await;
                }
                other => break other,
            }
        }
    }};
}

/// PutFeedback in one statement. Parameters: `$1` project, `$2` application, `$3`
/// conversation, `$4` message, `$5` user key, `$6` sent submittedAt, `$7` usefulness, `$8`
/// reason, `$9` comment, `$10` sent messageCopiedAt, `$11` now, `$12` strict.
///
/// - `app`: the application belongs to the project; nothing is written otherwise.
/// - `found` / `created`: the message row; lenient calls create it (without role or text).
/// - `target`: the row feedback may land on: a recorded message, or any message when lenient.
/// - `stored`: the upsert; in `DO UPDATE`, `chat_feedback.*` is the stored row and `$6`
///   decides whether the sent vote wins (ties go to the later arrival). `GREATEST` is SQLite's
///   `max` here: no argument is NULL unless both are.
/// - `queued`: the analysis queue entry, when the vote was applied (the stored `submitted_at`
///   is the sent one) and there is a comment to analyse or an analysis to forget. The analysis
///   is looked up with a scalar subquery (one primary-key probe), not `EXISTS`: the planner
///   may run an `EXISTS` under `OR` as a hashed subplan, which reads every chat analysis row.
/// - The result: whether the application matched, whether feedback was stored, whether the
///   message row exists, and (strict and no message row only) whether the conversation does.
const PUT_FEEDBACK: &str = "
WITH app AS (
    SELECT 1 FROM applications WHERE id = $2::text AND project_id = $1::text
),
found AS (
    SELECT id, role IS NOT NULL AS recorded FROM chat_messages
    WHERE application_id = $2::text AND conversation_id = $3::text AND message_id = $4::text
    FOR KEY SHARE
),
created AS (
    INSERT INTO chat_messages (project_id, application_id, conversation_id, message_id,
                               created_at)
    SELECT $1::text, $2::text, $3::text, $4::text, $11::bigint
    WHERE NOT $12::boolean AND EXISTS (SELECT 1 FROM app) AND NOT EXISTS (SELECT 1 FROM found)
    ON CONFLICT (application_id, conversation_id, message_id)
        DO UPDATE SET project_id = chat_messages.project_id
    RETURNING id
),
target AS (
    SELECT id FROM found WHERE (recorded OR NOT $12::boolean) AND EXISTS (SELECT 1 FROM app)
    UNION ALL
    SELECT id FROM created
),
stored AS (
    INSERT INTO chat_feedback (message_row, project_id, application_id, conversation_id,
                               message_id, user_key, usefulness, reason, comment,
                               submitted_at, copied_at, event_at, received_at, updated_at)
    SELECT id, $1::text, $2::text, $3::text, $4::text, $5::text, $7::text, $8::text, $9::text,
           $6::bigint, $10::bigint, COALESCE($6::bigint, $10::bigint, $11::bigint),
           $11::bigint, $11::bigint
    FROM target
    ON CONFLICT (message_row, user_key) DO UPDATE SET
        usefulness   = CASE WHEN $6::bigint >= COALESCE(chat_feedback.submitted_at, $6::bigint)
                            THEN EXCLUDED.usefulness ELSE chat_feedback.usefulness END,
        reason       = CASE WHEN $6::bigint >= COALESCE(chat_feedback.submitted_at, $6::bigint)
                            THEN EXCLUDED.reason ELSE chat_feedback.reason END,
        comment      = CASE WHEN $6::bigint >= COALESCE(chat_feedback.submitted_at, $6::bigint)
                            THEN EXCLUDED.comment ELSE chat_feedback.comment END,
        submitted_at = GREATEST(COALESCE($6::bigint, chat_feedback.submitted_at),
                                COALESCE(chat_feedback.submitted_at, $6::bigint)),
        copied_at    = COALESCE(EXCLUDED.copied_at, chat_feedback.copied_at),
        event_at     = COALESCE(GREATEST(COALESCE($6::bigint, chat_feedback.submitted_at),
                                         COALESCE(chat_feedback.submitted_at, $6::bigint)),
                                EXCLUDED.copied_at, chat_feedback.copied_at,
                                chat_feedback.received_at),
        -- Moves only when something changed: the sent vote won, or a new copy time came.
        updated_at   = CASE WHEN $6::bigint >= COALESCE(chat_feedback.submitted_at, $6::bigint)
                              OR (EXCLUDED.copied_at IS NOT NULL
                                  AND chat_feedback.copied_at IS DISTINCT FROM EXCLUDED.copied_at)
                            THEN EXCLUDED.updated_at ELSE chat_feedback.updated_at END
    RETURNING id, project_id, submitted_at, comment
),
queued AS (
    INSERT INTO analysis_queue_chat (subject_id, project_id, generation, lease_until)
    SELECT s.id, s.project_id, $11::bigint, NULL FROM stored s
    WHERE s.submitted_at = $6::bigint
      AND (s.comment <> '' OR COALESCE((SELECT true FROM subject_analysis a
                                        WHERE a.subject_kind = 'chat' AND a.subject_id = s.id),
                                       false))
    ON CONFLICT (subject_id) DO UPDATE SET
        generation = GREATEST(analysis_queue_chat.generation + 1, EXCLUDED.generation),
        lease_until = NULL, project_id = EXCLUDED.project_id
)
SELECT EXISTS (SELECT 1 FROM app),
       EXISTS (SELECT 1 FROM stored),
       EXISTS (SELECT 1 FROM found),
       CASE WHEN $12::boolean AND NOT EXISTS (SELECT 1 FROM found)
            THEN EXISTS (SELECT 1 FROM chat_messages
                         WHERE application_id = $2::text AND conversation_id = $3::text)
            ELSE false END,
       (SELECT submitted_at FROM stored)";

/// Stores one `PutFeedback` call; returns once it is committed.
pub(crate) async fn put_feedback(
    store: &PgStore,
    project: &ProjectId,
    strict: bool,
    input: &FeedbackInput,
) -> Result<PutFeedbackOutcome, Error> {
    let m = &input.message;
    let u = input.usefulness.as_ref();
    let now = Timestamp::now().as_micros();
    let (submitted, copied) = (
        u.map(|u| u.submitted_at.as_micros()),
        input.message_copied_at.map(Timestamp::as_micros),
    );
    let (usefulness, reason, comment) = (
        u.map(|u| u.usefulness.as_str()),
        u.and_then(|u| u.reason).map(|r| r.as_str()),
        u.and_then(|u| u.comment.as_deref()),
    );
    let user_key = input.user_id.as_deref().unwrap_or("");
    let params: [&(dyn ToSql + Sync); 12] = [
        &project.as_str(),
        &m.application_id.as_str(),
        &m.conversation_id.as_str(),
        &m.message_id.as_str(),
        &user_key,
        &submitted,
        &usefulness,
        &reason,
        &comment,
        &copied,
        &now,
        &strict,
    ];
    // With an endpoint that wants chat-feedback events, the statement and its outbox rows
    // commit together; otherwise the statement is its own transaction (one round trip).
    let row = retrying!({
        let once = async {
            let mut client = store.client().await?;
            if let Some(endpoints) = causes::wants_feedback(&client, project).await? {
                let tx = client.transaction().await?;
                let stmt = tx.prepare_cached(PUT_FEEDBACK).await?;
                let row = tx.query_one(&stmt, &params).await?;
                if row.try_get::<_, bool>(1)? {
                    let submitted = row.try_get(4)?;
                    causes::feedback_stored(&tx, project, &endpoints, input, submitted).await?;
                }
                tx.commit().await?;
                Ok::<_, Error>(row)
            } else {
                let stmt = client.prepare_cached(PUT_FEEDBACK).await?;
                Ok::<_, Error>(client.query_one(&stmt, &params).await?)
            }
        };
        once.await
    })?;
    let (app_ok, stored, message_known, conversation_known): (bool, bool, bool, bool) = (
        row.try_get(0)?,
        row.try_get(1)?,
        row.try_get(2)?,
        row.try_get(3)?,
    );
    if !app_ok {
        return Err(StoreError::NotFound("application").into());
    }
    if stored {
        return Ok(PutFeedbackOutcome::Stored);
    }
    if strict {
        // Nothing was written; say which part is unknown.
        return Ok(if message_known || conversation_known {
            PutFeedbackOutcome::UnknownMessage
        } else {
            PutFeedbackOutcome::UnknownConversation
        });
    }
    // Lenient with a known application always finds or creates the message row, so the
    // upsert always has a target; reaching here means the database did not do what it says.
    Err(StoreError::Corrupt("chat message row for feedback").into())
}

/// Records (or updates) a message. Text, role and `created_at` are overwritten; `user_id` and
/// sources are overwritten when sent and kept otherwise. `NotFound` unless the application
/// belongs to `project` (checked by the same statement: no row to insert otherwise).
pub(crate) async fn record_message(
    store: &PgStore,
    project: &ProjectId,
    message: &ChatMessage,
) -> Result<(), Error> {
    let m = &message.message;
    let sources = encode_sources(&message.sources)?;
    let n = retrying!({
        let once = async {
            let client = store.client().await?;
            let stmt = client
                .prepare_cached(
                    "INSERT INTO chat_messages (project_id, application_id, conversation_id,
                                                message_id, role, text, user_id, created_at,
                                                sources)
                     SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::text,
                            $7::text, $8::bigint, $9::text
                     FROM applications WHERE id = $2::text AND project_id = $1::text
                     ON CONFLICT (application_id, conversation_id, message_id) DO UPDATE SET
                         role = EXCLUDED.role, text = EXCLUDED.text,
                         user_id = COALESCE(EXCLUDED.user_id, chat_messages.user_id),
                         created_at = EXCLUDED.created_at,
                         sources = COALESCE(EXCLUDED.sources, chat_messages.sources)",
                )
                .await?;
            let n = client
                .execute(
                    &stmt,
                    &[
                        &project.as_str(),
                        &m.application_id.as_str(),
                        &m.conversation_id.as_str(),
                        &m.message_id.as_str(),
                        &role_name(message.role),
                        &message.text,
                        &message.user_id,
                        &message.created_at.as_micros(),
                        &sources,
                    ],
                )
                .await?;
            Ok::<_, Error>(n)
        };
        once.await
    })?;
    if n == 0 {
        return Err(StoreError::NotFound("application").into());
    }
    Ok(())
}

/// The stored name of a role (the same names SQLite stores).
pub(crate) fn role_name(role: MessageRole) -> &'static str {
    match role {
        MessageRole::User => "user",
        MessageRole::Assistant => "assistant",
    }
}
