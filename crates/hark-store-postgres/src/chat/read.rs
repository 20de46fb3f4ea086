//! Reading chat feedback back: the filtered listing and whole conversations.

use crate::row::{self, Cols};
use crate::Error;
use deadpool_postgres::ClientWrapper;
use hark_core::chat::{
    ApplicationId, Conversation, ConversationId, FeedbackCursor, FeedbackFilter, FeedbackPage,
};
use hark_core::ProjectId;
use hark_store::backend::row::{chat_message, FEEDBACK_COLUMNS};
use tokio_postgres::types::ToSql;

/// A query argument that may be held across an `.await`.
type Arg = Box<dyn ToSql + Sync + Send>;

/// Appends ` AND {condition} $n` to `sql`, `value` becoming argument `n`.
fn and(sql: &mut String, args: &mut Vec<Arg>, condition: &str, value: Arg) {
    args.push(value);
    sql.push_str(&format!(" AND {condition} ${}", args.len()));
}

/// A page of the project's feedback matching `filter`, newest event first, after `cursor`.
pub(crate) async fn list_feedback(
    client: &ClientWrapper,
    project: &ProjectId,
    filter: &FeedbackFilter,
    cursor: Option<FeedbackCursor>,
    limit: u32,
) -> Result<FeedbackPage, Error> {
    let mut sql = format!("SELECT {FEEDBACK_COLUMNS} FROM chat_feedback f WHERE project_id = $1");
    let mut args: Vec<Arg> = vec![Box::new(project.as_str().to_string())];
    if let Some(a) = &filter.application_id {
        and(
            &mut sql,
            &mut args,
            "application_id =",
            Box::new(a.as_str().to_string()),
        );
    }
    if let Some(u) = filter.usefulness {
        and(&mut sql, &mut args, "usefulness =", Box::new(u.as_str()));
    }
    if let Some(r) = filter.reason {
        and(&mut sql, &mut args, "reason =", Box::new(r.as_str()));
    }
    if let Some(u) = &filter.user_id {
        and(&mut sql, &mut args, "user_key =", Box::new(u.clone()));
    }
    if let Some(t) = filter.from {
        and(&mut sql, &mut args, "event_at >=", Box::new(t.as_micros()));
    }
    if let Some(t) = filter.to {
        and(&mut sql, &mut args, "event_at <", Box::new(t.as_micros()));
    }
    match filter.has_comment {
        Some(true) => sql.push_str(" AND comment <> ''"),
        Some(false) => sql.push_str(" AND COALESCE(comment, '') = ''"),
        None => {}
    }
    if let Some(c) = cursor {
        args.push(Box::new(c.event_at));
        args.push(Box::new(c.id));
        let n = args.len();
        sql.push_str(&format!(" AND (event_at, id) < (${}, ${n})", n - 1));
    }
    args.push(Box::new(i64::from(limit) + 1));
    sql.push_str(&format!(
        " ORDER BY event_at DESC, id DESC LIMIT ${}",
        args.len()
    ));
    // Cached: the filters make a bounded set of statement texts per connection.
    let stmt = client.prepare_cached(&sql).await?;
    let params: Vec<&(dyn ToSql + Sync)> = args.iter().map(|a| &**a as _).collect();
    let mut rows = client
        .query(&stmt, &params)
        .await?
        .iter()
        .map(row::feedback)
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
/// The three queries go out pipelined on the one connection.
pub(crate) async fn get_conversation(
    client: &ClientWrapper,
    project: &ProjectId,
    application: &ApplicationId,
    conversation: &ConversationId,
) -> Result<Option<Conversation>, Error> {
    let (p, a, c) = (
        project.as_str(),
        application.as_str(),
        conversation.as_str(),
    );
    let feedback_sql = format!(
        "SELECT {FEEDBACK_COLUMNS}
         FROM chat_messages m JOIN chat_feedback f ON f.message_row = m.id
         WHERE m.application_id = $1 AND m.conversation_id = $2 AND m.project_id = $3
         ORDER BY f.event_at, f.id"
    );
    let (exists, messages, feedback) = tokio::try_join!(
        client.prepare_cached(
            "SELECT 1 FROM chat_messages
             WHERE application_id = $1 AND conversation_id = $2 AND project_id = $3 LIMIT 1",
        ),
        client.prepare_cached(
            "SELECT application_id, conversation_id, message_id, role, text, user_id, created_at,
                    sources
             FROM chat_messages
             WHERE application_id = $1 AND conversation_id = $2 AND project_id = $3
               AND role IS NOT NULL
             ORDER BY created_at, id",
        ),
        client.prepare_cached(&feedback_sql),
    )?;
    let params: [&(dyn ToSql + Sync); 3] = [&a, &c, &p];
    let (exists, messages, feedback) = tokio::try_join!(
        client.query_opt(&exists, &params),
        client.query(&messages, &params),
        client.query(&feedback, &params),
    )?;
    if exists.is_none() {
        return Ok(None);
    }
    Ok(Some(Conversation {
        application_id: application.clone(),
        conversation_id: conversation.clone(),
        messages: messages
            .iter()
            .map(|r| chat_message(&Cols(r)))
            .collect::<Result<_, _>>()?,
        feedback: feedback
            .iter()
            .map(|r| row::feedback(r).map(|(f, _)| f))
            .collect::<Result<_, _>>()?,
    }))
}
