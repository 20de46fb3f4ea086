//! Aggregates of chat feedback: counts per application and period, and the answers with the
//! most NOT_USEFUL votes.
//!
//! As in SQLite, SQL reduces the rows to counts per (application, UTC day, vote, reason,
//! copied) and Rust folds days into periods with [`Period::start_of`](hark_core::chat::Period),
//! so both backends bucket identically: the day floor is the same integer arithmetic
//! (PostgreSQL's `%` truncates towards zero like SQLite's), not a date function.

use crate::Error;
use deadpool_postgres::ClientWrapper;
use hark_core::chat::{
    ApplicationId, ConversationId, FeedbackStats, MessageId, MessageRef, RatedAnswer, StatsBucket,
    StatsQuery,
};
use hark_core::{ProjectId, Timestamp};
use hark_store::StoreError;
use std::collections::BTreeMap;
use tokio_postgres::types::ToSql;

/// A query argument that may be held across an `.await`.
type Arg = Box<dyn ToSql + Sync + Send>;

/// Microseconds in a day.
const DAY_US: i64 = 86_400_000_000;

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
    // The double modulo floors for instants before 1970 too.
    let sql = format!(
        "SELECT f.application_id,
                f.event_at - ((f.event_at % {DAY_US}) + {DAY_US}) % {DAY_US} AS day,
                f.usefulness, f.reason, f.copied_at IS NOT NULL AS copied, count(*)
         FROM chat_feedback f WHERE {cond}
         GROUP BY 1, 2, 3, 4, 5"
    );
    let stmt = client.prepare_cached(&sql).await?;
    let rows = client.query(&stmt, &params(&args)).await?;
    let mut by_key: BTreeMap<(i64, String), StatsBucket> = BTreeMap::new();
    for r in &rows {
        let application_id: String = r.try_get(0)?;
        let day_start: i64 = r.try_get(1)?;
        let usefulness: Option<&str> = r.try_get(2)?;
        let reason: Option<String> = r.try_get(3)?;
        let copied: bool = r.try_get(4)?;
        let n = count(r.try_get(5)?);
        let start = q.period.start_of(Timestamp::from_micros(day_start));
        let b = by_key
            .entry((start.as_micros(), application_id.clone()))
            .or_insert_with(|| StatsBucket {
                application_id: ApplicationId::from_stored(application_id),
                period_start: start,
                feedback: 0,
                useful: 0,
                not_useful: 0,
                useful_rate: None,
                copied: 0,
                copy_rate: None,
                reasons: BTreeMap::new(),
            });
        b.feedback += n;
        match usefulness {
            Some("USEFUL") => b.useful += n,
            Some("NOT_USEFUL") => b.not_useful += n,
            Some(_) => return Err(StoreError::Corrupt("usefulness").into()),
            None => {}
        }
        if copied {
            b.copied += n;
        }
        if let Some(r) = reason {
            *b.reasons.entry(r).or_insert(0) += n;
        }
    }
    // Keyed by (period start, application): oldest period first, applications in id order.
    Ok(by_key
        .into_values()
        .map(|mut b| {
            let votes = b.useful + b.not_useful;
            b.useful_rate = (votes > 0).then(|| b.useful as f64 / votes as f64);
            b.copy_rate = (b.feedback > 0).then(|| b.copied as f64 / b.feedback as f64);
            b
        })
        .collect())
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
