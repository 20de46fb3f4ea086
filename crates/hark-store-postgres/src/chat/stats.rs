//! Aggregates of chat feedback: counts per application and period, and the answers with the
//! most NOT_USEFUL votes.
//!
//! SQL reduces the rows to counts per (application, UTC day, vote, reason, copied) and the
//! shared [`fold_days`] folds them into periods, as in every backend.

use crate::Error;
use deadpool_postgres::ClientWrapper;
use hark_core::chat::{
    ApplicationId, ConversationId, FeedbackStats, MessageId, MessageRef, RatedAnswer, StatsBucket,
    StatsQuery,
};
use hark_core::ProjectId;
use hark_store::backend::stats::{day_counts_sql, fold_days, DayCounts};
use tokio_postgres::types::ToSql;

/// A query argument that may be held across an `.await`.
type Arg = Box<dyn ToSql + Sync + Send>;

/// The `WHERE` clause and its arguments shared by both queries (`$1`… in order).
fn scope(project: &ProjectId, q: &StatsQuery) -> (String, Vec<Arg>) {
    let mut sql = String::from("f.project_id = $1");
    let mut args: Vec<Arg> = vec![Box::new(project.as_str().to_string())];
    if let Some(a) = &q.application_id {
        args.push(Box::new(a.as_str().to_string()));
        sql.push_str(&format!(" AND f.application_id = ${}", args.len()));
    }
    if let Some(t) = q.from {
        args.push(Box::new(t.as_micros()));
        sql.push_str(&format!(" AND f.event_at >= ${}", args.len()));
    }
    if let Some(t) = q.to {
        args.push(Box::new(t.as_micros()));
        sql.push_str(&format!(" AND f.event_at < ${}", args.len()));
    }
    (sql, args)
}

/// The arguments as the driver takes them.
fn params(args: &[Arg]) -> Vec<&(dyn ToSql + Sync)> {
    args.iter().map(|a| &**a as _).collect()
}

/// The aggregates of `q` over the project's feedback; both queries go out pipelined.
pub(crate) async fn feedback_stats(
    client: &ClientWrapper,
    project: &ProjectId,
    q: &StatsQuery,
) -> Result<FeedbackStats, Error> {
    let (buckets, most_not_useful) = tokio::try_join!(
        buckets(client, project, q),
        most_not_useful(client, project, q)
    )?;
    Ok(FeedbackStats {
        buckets,
        most_not_useful,
    })
}

/// A count from SQL (never negative) as the `u64` the model holds.
fn count(n: i64) -> u64 {
    n.try_into().unwrap_or(0)
}

async fn buckets(
    client: &ClientWrapper,
    project: &ProjectId,
    q: &StatsQuery,
) -> Result<Vec<StatsBucket>, Error> {
    let (cond, args) = scope(project, q);
    let stmt = client.prepare_cached(&day_counts_sql(&cond)).await?;
    let rows = client.query(&stmt, &params(&args)).await?;
    let days = rows
        .iter()
        .map(|r| {
            Ok(DayCounts {
                application_id: r.try_get(0)?,
                day_start: r.try_get(1)?,
                usefulness: r.try_get(2)?,
                reason: r.try_get(3)?,
                copied: r.try_get(4)?,
                count: count(r.try_get(5)?),
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    Ok(fold_days(q.period, days)?)
}

async fn most_not_useful(
    client: &ClientWrapper,
    project: &ProjectId,
    q: &StatsQuery,
) -> Result<Vec<RatedAnswer>, Error> {
    if q.top == 0 {
        return Ok(Vec::new());
    }
    let (cond, mut args) = scope(project, q);
    args.push(Box::new(i64::from(q.top)));
    let limit = args.len();
    // Grouped by the message's row id (one per message, so every row of a group has the same
    // message id: `min` just names it); the text comes from that row. Message ids compare
    // bytewise (`COLLATE "C"`), as SQLite's BINARY does, whatever the database's collation.
    let sql = format!(
        "SELECT m.application_id, m.conversation_id, m.message_id, t.not_useful, t.useful, m.text
         FROM (SELECT f.message_row, min(f.message_id COLLATE \"C\") AS message_id,
                      count(*) FILTER (WHERE f.usefulness = 'NOT_USEFUL') AS not_useful,
                      count(*) FILTER (WHERE f.usefulness = 'USEFUL') AS useful
               FROM chat_feedback f WHERE {cond}
               GROUP BY f.message_row
               HAVING count(*) FILTER (WHERE f.usefulness = 'NOT_USEFUL') > 0
               ORDER BY not_useful DESC, min(f.message_id COLLATE \"C\"), f.message_row
               LIMIT ${limit}) t
         JOIN chat_messages m ON m.id = t.message_row
         ORDER BY t.not_useful DESC, t.message_id COLLATE \"C\", t.message_row"
    );
    let stmt = client.prepare_cached(&sql).await?;
    let rows = client.query(&stmt, &params(&args)).await?;
    rows.iter()
        .map(|r| {
            Ok(RatedAnswer {
                message: MessageRef {
                    application_id: ApplicationId::from_stored(r.try_get(0)?),
                    conversation_id: ConversationId::from_stored(r.try_get(1)?),
                    message_id: MessageId::from_stored(r.try_get(2)?),
                },
                not_useful: count(r.try_get(3)?),
                useful: count(r.try_get(4)?),
                text: r.try_get(5)?,
            })
        })
        .collect()
}
