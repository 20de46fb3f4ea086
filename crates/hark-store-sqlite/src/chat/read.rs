//! Reading chat feedback back: the filtered listing and whole conversations.

use crate::row::{self, Cols};
use crate::Error;
use hark_core::chat::{
    ApplicationId, Conversation, ConversationId, FeedbackCursor, FeedbackFilter, FeedbackPage,
};
use hark_core::ProjectId;
use hark_store::backend::row::{chat_message, FEEDBACK_COLUMNS};
use rusqlite::types::ToSql;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension};

/// A page of the project's feedback matching `filter`, newest event first, after `cursor`.
pub(crate) fn list_feedback(
    conn: &Connection,
    project: &ProjectId,
    filter: &FeedbackFilter,
    cursor: Option<FeedbackCursor>,
    limit: u32,
) -> Result<FeedbackPage, Error> {
    let mut sql = format!("SELECT {FEEDBACK_COLUMNS} FROM chat_feedback f WHERE project_id = ?");
    let mut args: Vec<Box<dyn ToSql>> = vec![Box::new(project.as_str().to_string())];
    if let Some(a) = &filter.application_id {
        sql.push_str(" AND application_id = ?");
        args.push(Box::new(a.as_str().to_string()));
    }
    if let Some(u) = filter.usefulness {
        sql.push_str(" AND usefulness = ?");
        args.push(Box::new(u.as_str()));
    }
    if let Some(r) = filter.reason {
        sql.push_str(" AND reason = ?");
        args.push(Box::new(r.as_str()));
    }
    if let Some(u) = &filter.user_id {
        sql.push_str(" AND user_key = ?");
        args.push(Box::new(u.clone()));
    }
    if let Some(t) = filter.from {
        sql.push_str(" AND event_at >= ?");
        args.push(Box::new(t.as_micros()));
    }
    if let Some(t) = filter.to {
        sql.push_str(" AND event_at < ?");
        args.push(Box::new(t.as_micros()));
    }
    match filter.has_comment {
        Some(true) => sql.push_str(" AND comment <> ''"),
        Some(false) => sql.push_str(" AND coalesce(comment, '') = ''"),
        None => {}
    }
    if let Some(c) = cursor {
        sql.push_str(" AND (event_at, id) < (?, ?)");
        args.push(Box::new(c.event_at));
        args.push(Box::new(c.id));
    }
    sql.push_str(" ORDER BY event_at DESC, id DESC LIMIT ?");
    args.push(Box::new(i64::from(limit) + 1));
    let mut rows = conn
        .prepare(&sql)?
        .query_map(params_from_iter(args.iter()), row::feedback)?
        .collect::<Result<Vec<_>, _>>()?;
    let next = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last().map(|(_, c)| *c)
    } else {
        None
    };
    Ok(FeedbackPage {
        feedback: rows.into_iter().map(|(f, _)| f).collect(),
        next,
    })
}

/// A conversation of the project: its recorded messages (by `created_at`, then arrival) and
/// every feedback on it (oldest event first). `None` when the project has no such conversation.
pub(crate) fn get_conversation(
    conn: &Connection,
    project: &ProjectId,
    application: &ApplicationId,
    conversation: &ConversationId,
) -> Result<Option<Conversation>, Error> {
    let (p, a, c) = (
        project.as_str(),
        application.as_str(),
        conversation.as_str(),
    );
    let exists = conn
        .prepare_cached(
            "SELECT 1 FROM chat_messages
             WHERE application_id = ?1 AND conversation_id = ?2 AND project_id = ?3 LIMIT 1",
        )?
        .query_row(params![a, c, p], |_| Ok(()))
        .optional()?;
    if exists.is_none() {
        return Ok(None);
    }
    let messages = conn
        .prepare_cached(
            "SELECT application_id, conversation_id, message_id, role, text, user_id, created_at,
                    sources
             FROM chat_messages
             WHERE application_id = ?1 AND conversation_id = ?2 AND project_id = ?3
               AND role IS NOT NULL
             ORDER BY created_at, id",
        )?
        .query_map(params![a, c, p], |r| chat_message(&Cols(r)))?
        .collect::<Result<Vec<_>, _>>()?;
    let feedback = conn
        .prepare_cached(&format!(
            "SELECT {FEEDBACK_COLUMNS}
             FROM chat_messages m JOIN chat_feedback f ON f.message_row = m.id
             WHERE m.application_id = ?1 AND m.conversation_id = ?2 AND m.project_id = ?3
             ORDER BY f.event_at, f.id"
        ))?
        .query_map(params![a, c, p], row::feedback)?
        .map(|r| r.map(|(f, _)| f))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(Conversation {
        application_id: application.clone(),
        conversation_id: conversation.clone(),
        messages,
        feedback,
    }))
}
