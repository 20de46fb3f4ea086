//! Theme metrics: SQL aggregates over the project's mentions within a filter, per theme, with
//! per-category and weekly counts. Also the filter clause the mention listing shares.

use crate::Error;
use hark_core::analysis::{Category, MentionFilter, ThemeId, ThemeMetrics, WeekCount};
use hark_core::{ProjectId, Timestamp};
use hark_store::backend::codec::parse_category;
use rusqlite::params_from_iter;
use rusqlite::types::{ToSql, Value};
use rusqlite::Connection;
use std::collections::BTreeMap;

/// The Monday 00:00 UTC starting the week of `created_at`: `floor((t - 4 days) / 7 days) * 7 days
/// + 4 days`, written with a double modulo because SQL's `%` truncates toward zero.
const WEEK_SQL: &str = "(created_at - (((created_at - 345600000000) % 604800000000) \
                        + 604800000000) % 604800000000)";

/// `WHERE` conditions of the filter on `mentions`, scoped to the project, with their arguments.
pub(crate) fn filter_clause(project: &ProjectId, f: &MentionFilter) -> (String, Vec<Value>) {
    let mut sql = String::from("project_id = ?");
    let mut args = vec![Value::Text(project.as_str().to_string())];
    if let Some(t) = f.from {
        sql.push_str(" AND created_at >= ?");
        args.push(Value::Integer(t.as_micros()));
    }
    if let Some(t) = f.to {
        sql.push_str(" AND created_at < ?");
        args.push(Value::Integer(t.as_micros()));
    }
    if let Some(s) = &f.source {
        sql.push_str(" AND source_id = ?");
        args.push(Value::Text(s.clone()));
    }
    if let Some(c) = f.category {
        sql.push_str(" AND category = ?");
        args.push(Value::Text(c.as_str().to_string()));
    }
    if let Some(t) = &f.theme {
        sql.push_str(" AND theme_id = ?");
        args.push(Value::Text(t.0.clone()));
    }
    (sql, args)
}

/// Runs `SELECT {columns} FROM mentions WHERE {filter} GROUP BY {group}` and maps each row.
fn grouped<T>(
    conn: &Connection,
    project: &ProjectId,
    filter: &MentionFilter,
    columns: &str,
    group: &str,
    map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>, Error> {
    let (cond, args) = filter_clause(project, filter);
    let sql = format!("SELECT {columns} FROM mentions WHERE {cond} GROUP BY {group}");
    let args: Vec<&dyn ToSql> = args.iter().map(|a| a as &dyn ToSql).collect();
    let rows = conn
        .prepare_cached(&sql)?
        .query_map(params_from_iter(args), map)?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

fn count(n: i64) -> u64 {
    n.max(0) as u64
}

/// Per-theme metrics (the unlinked mentions as `theme_id: None`), most mentioned first, then by
/// theme id; only groups with mentions in the filter appear. Categories are listed in
/// [`Category::ALL`] order, zeros included; weeks oldest first, only weeks with mentions.
pub(crate) fn theme_metrics(
    conn: &Connection,
    project: &ProjectId,
    filter: &MentionFilter,
) -> Result<Vec<ThemeMetrics>, Error> {
    type Totals = (Option<String>, i64, i64, i64, Option<f64>);
    let totals: Vec<Totals> = grouped(
        conn,
        project,
        filter,
        "theme_id, count(*), count(DISTINCT user_key), count(DISTINCT source_id), avg(sentiment)",
        "theme_id",
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
    )?;
    let mut by_theme: BTreeMap<Option<String>, ThemeMetrics> = totals
        .into_iter()
        .map(|(theme, mentions, users, sources, avg)| {
            let m = ThemeMetrics {
                theme_id: theme.clone().map(ThemeId),
                mentions: count(mentions),
                distinct_users: count(users),
                sources: count(sources),
                avg_sentiment: avg.unwrap_or(0.0) as f32,
                categories: Category::ALL.iter().map(|c| (*c, 0)).collect(),
                weekly: Vec::new(),
            };
            (theme, m)
        })
        .collect();
    let categories: Vec<(Option<String>, String, i64)> = grouped(
        conn,
        project,
        filter,
        "theme_id, category, count(*)",
        "theme_id, category",
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    for (theme, category, n) in categories {
        let category = parse_category(&category)?;
        if let Some(m) = by_theme.get_mut(&theme) {
            m.categories[category.index()].1 = count(n);
        }
    }
    let weeks: Vec<(Option<String>, i64, i64)> = grouped(
        conn,
        project,
        filter,
        &format!("theme_id, {WEEK_SQL} AS week, count(*)"),
        "theme_id, week ORDER BY week",
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    for (theme, week, n) in weeks {
        if let Some(m) = by_theme.get_mut(&theme) {
            m.weekly.push(WeekCount {
                week: Timestamp::from_micros(week),
                mentions: count(n),
            });
        }
    }
    let mut out: Vec<ThemeMetrics> = by_theme.into_values().collect();
    out.sort_by(|a, b| {
        b.mentions
            .cmp(&a.mentions)
            .then_with(|| a.theme_id.is_none().cmp(&b.theme_id.is_none()))
            .then_with(|| a.theme_id.cmp(&b.theme_id))
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY_US: i64 = 86_400_000_000;
    const WEEK_US: i64 = 7 * DAY_US;
    /// 1970-01-01 was a Thursday: Mondays fall 4 days after a multiple of 7 days.
    const MONDAY_OFFSET_US: i64 = 4 * DAY_US;

    /// The week start computed in Rust, to check the SQL against.
    fn week_start(t: i64) -> i64 {
        (t - MONDAY_OFFSET_US).div_euclid(WEEK_US) * WEEK_US + MONDAY_OFFSET_US
    }

    #[test]
    fn weeks_start_on_monday_midnight_utc() {
        let ts = |s: &str| Timestamp::parse_iso8601(s).unwrap().as_micros();
        let monday = ts("2026-03-16T00:00:00Z");
        assert_eq!(week_start(monday), monday);
        assert_eq!(week_start(ts("2026-03-22T23:59:59Z")), monday);
        assert_eq!(
            week_start(ts("2026-03-15T23:59:59Z")),
            ts("2026-03-09T00:00:00Z")
        );
        assert_eq!(week_start(0), ts("1969-12-29T00:00:00Z"));
        assert_eq!(week_start(-1), ts("1969-12-29T00:00:00Z"));
    }

    #[test]
    fn the_sql_week_matches_the_rust_one() {
        let conn = Connection::open_in_memory().unwrap();
        for t in [
            0,
            -1,
            1,
            345_600_000_000,
            1_773_619_200_000_000,
            -999_999_999_999,
        ] {
            let sql: i64 = conn
                .query_row(
                    &format!("SELECT {WEEK_SQL} FROM (SELECT ?1 AS created_at)"),
                    [t],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(sql, week_start(t), "{t}");
        }
    }
}
