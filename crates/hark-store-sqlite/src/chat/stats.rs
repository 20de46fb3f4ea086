//! Aggregates of chat feedback: counts per application and period, and the answers with the
//! most NOT_USEFUL votes.
//!
//! SQL reduces the rows to counts per (application, UTC day, vote, reason, copied) and the
//! shared [`fold_days`] folds them into periods, as in every backend.

use crate::Error;
use hark_core::chat::{
    ApplicationId, ConversationId, FeedbackStats, MessageId, MessageRef, RatedAnswer, StatsBucket,
    StatsQuery,
};
use hark_core::ProjectId;
use hark_store::backend::stats::{day_counts_sql, fold_days, DayCounts};
use rusqlite::types::ToSql;
use rusqlite::{params_from_iter, Connection};

/// The `WHERE` clause and its arguments shared by both queries.
fn scope(project: &ProjectId, q: &StatsQuery) -> (String, Vec<Box<dyn ToSql>>) {
    let mut sql = String::from("f.project_id = ?");
    let mut args: Vec<Box<dyn ToSql>> = vec![Box::new(project.as_str().to_string())];
    if let Some(a) = &q.application_id {
        sql.push_str(" AND f.application_id = ?");
        args.push(Box::new(a.as_str().to_string()));
    }
    if let Some(t) = q.from {
        sql.push_str(" AND f.event_at >= ?");
        args.push(Box::new(t.as_micros()));
    }
    if let Some(t) = q.to {
        sql.push_str(" AND f.event_at < ?");
        args.push(Box::new(t.as_micros()));
    }
    (sql, args)
}

/// The aggregates of `q` over the project's feedback.
pub(crate) fn feedback_stats(
    conn: &Connection,
    project: &ProjectId,
    q: &StatsQuery,
) -> Result<FeedbackStats, Error> {
    Ok(FeedbackStats {
        buckets: buckets(conn, project, q)?,
        most_not_useful: most_not_useful(conn, project, q)?,
    })
}

fn buckets(
    conn: &Connection,
    project: &ProjectId,
    q: &StatsQuery,
) -> Result<Vec<StatsBucket>, Error> {
    let (cond, args) = scope(project, q);
    let days = conn
        .prepare(&day_counts_sql(&cond))?
        .query_map(params_from_iter(args.iter()), |r| {
            Ok(DayCounts {
                application_id: r.get(0)?,
                day_start: r.get(1)?,
                usefulness: r.get(2)?,
                reason: r.get(3)?,
                copied: r.get(4)?,
                count: r.get::<_, i64>(5)?.try_into().unwrap_or(0),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(fold_days(q.period, days)?)
}

fn most_not_useful(
    conn: &Connection,
    project: &ProjectId,
    q: &StatsQuery,
) -> Result<Vec<RatedAnswer>, Error> {
    if q.top == 0 {
        return Ok(Vec::new());
    }
    let (cond, mut args) = scope(project, q);
    // Grouped by the message's row id (one per message); the text comes from that row.
    let sql = format!(
        "SELECT m.application_id, m.conversation_id, m.message_id, t.not_useful, t.useful, m.text
         FROM (SELECT f.message_row, f.message_id,
                      sum(f.usefulness = 'NOT_USEFUL') AS not_useful,
                      sum(f.usefulness = 'USEFUL') AS useful
               FROM chat_feedback f WHERE {cond}
               GROUP BY f.message_row
               HAVING not_useful > 0
               ORDER BY not_useful DESC, f.message_id, f.message_row
               LIMIT ?) t
         JOIN chat_messages m ON m.id = t.message_row
         ORDER BY t.not_useful DESC, t.message_id, t.message_row"
    );
    args.push(Box::new(i64::from(q.top)));
    let v = conn
        .prepare(&sql)?
        .query_map(params_from_iter(args.iter()), |r| {
            Ok(RatedAnswer {
                message: MessageRef {
                    application_id: ApplicationId::from_stored(r.get(0)?),
                    conversation_id: ConversationId::from_stored(r.get(1)?),
                    message_id: MessageId::from_stored(r.get(2)?),
                },
                not_useful: r.get::<_, i64>(3)?.try_into().unwrap_or(0),
                useful: r.get::<_, i64>(4)?.try_into().unwrap_or(0),
                text: r.get(5)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}
