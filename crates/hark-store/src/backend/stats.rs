//! Chat-feedback aggregates, the part both backends share: SQL reduces the rows to counts per
//! (application, UTC day, vote, reason, copied) with [`day_counts_sql`], and [`fold_days`] folds
//! the days into periods with [`Period::start_of`](hark_core::chat::Period::start_of), so the
//! period rule lives (and is tested) in one place and SQL only needs the day floor, the same
//! integer arithmetic in both dialects (`%` truncates towards zero in each).

use crate::StoreError;
use hark_core::chat::{ApplicationId, Period, StatsBucket};
use hark_core::Timestamp;
use std::collections::BTreeMap;

/// Microseconds in a day.
const DAY_US: i64 = 86_400_000_000;

/// The grouping query over `chat_feedback f` rows matching `condition`; its columns are those
/// of [`DayCounts`], in order (`copied` as a boolean expression).
pub fn day_counts_sql(condition: &str) -> String {
    // The double modulo floors for instants before 1970 too.
    format!(
        "SELECT f.application_id,
                f.event_at - ((f.event_at % {DAY_US}) + {DAY_US}) % {DAY_US} AS day,
                f.usefulness, f.reason, f.copied_at IS NOT NULL AS copied, count(*)
         FROM chat_feedback f WHERE {condition}
         GROUP BY 1, 2, 3, 4, 5"
    )
}

/// Counts of one (application, day, vote, reason, copied) group.
pub struct DayCounts {
    /// The application.
    pub application_id: String,
    /// Midnight UTC starting the day, in microseconds.
    pub day_start: i64,
    /// The vote's stored name, if any.
    pub usefulness: Option<String>,
    /// The reason's stored name, if any.
    pub reason: Option<String>,
    /// Whether the message was copied.
    pub copied: bool,
    /// Rows in the group.
    pub count: u64,
}

/// The per-(period, application) buckets of the day groups: oldest period first, applications
/// in id order, rates computed. A vote name hark did not write is `Corrupt`.
pub fn fold_days(
    period: Period,
    days: impl IntoIterator<Item = DayCounts>,
) -> Result<Vec<StatsBucket>, StoreError> {
    let mut by_key: BTreeMap<(i64, String), StatsBucket> = BTreeMap::new();
    for d in days {
        let start = period.start_of(Timestamp::from_micros(d.day_start));
        let b = by_key
            .entry((start.as_micros(), d.application_id.clone()))
            .or_insert_with(|| StatsBucket {
                application_id: ApplicationId::from_stored(d.application_id),
                period_start: start,
                feedback: 0,
                useful: 0,
                not_useful: 0,
                useful_rate: None,
                copied: 0,
                copy_rate: None,
                reasons: BTreeMap::new(),
            });
        b.feedback += d.count;
        match d.usefulness.as_deref() {
            Some("USEFUL") => b.useful += d.count,
            Some("NOT_USEFUL") => b.not_useful += d.count,
            Some(_) => return Err(StoreError::Corrupt("usefulness")),
            None => {}
        }
        if d.copied {
            b.copied += d.count;
        }
        if let Some(r) = d.reason {
            *b.reasons.entry(r).or_insert(0) += d.count;
        }
    }
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
