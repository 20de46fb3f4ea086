//! Theme metrics: the shared grouped reads ([`hark_store::backend::metrics`]) over the project's
//! mentions within a filter, and that filter clause, which the mention listing shares.

use crate::row::Cols;
use crate::Error;
use hark_core::analysis::{MentionFilter, ThemeMetrics};
use hark_core::ProjectId;
use hark_store::backend::metrics::{Grouped, MetricsFold, CATEGORIES, TOTALS, WEEKS};
use rusqlite::params_from_iter;
use rusqlite::types::{ToSql, Value};
use rusqlite::Connection;

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
    if let Some(k) = f.kind {
        sql.push_str(" AND subject_kind = ?");
        args.push(Value::Text(k.as_str().to_string()));
    }
    (sql, args)
}

/// Runs the grouped read `g` over the filtered mentions and feeds each row to `fold`.
fn grouped(
    conn: &Connection,
    project: &ProjectId,
    filter: &MentionFilter,
    g: Grouped,
    mut fold: impl FnMut(&Cols<'_, '_>) -> rusqlite::Result<()>,
) -> Result<(), Error> {
    let (cond, args) = filter_clause(project, filter);
    let sql = format!(
        "SELECT {} FROM mentions WHERE {cond} GROUP BY {}",
        g.columns, g.group
    );
    let args: Vec<&dyn ToSql> = args.iter().map(|a| a as &dyn ToSql).collect();
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params_from_iter(args))?;
    while let Some(r) = rows.next()? {
        fold(&Cols(r))?;
    }
    Ok(())
}

/// Per-theme metrics within `filter` (see [`MetricsFold::finish`] for the order).
pub(crate) fn theme_metrics(
    conn: &Connection,
    project: &ProjectId,
    filter: &MentionFilter,
) -> Result<Vec<ThemeMetrics>, Error> {
    let mut fold = MetricsFold::default();
    grouped(conn, project, filter, TOTALS, |r| fold.total(r))?;
    grouped(conn, project, filter, CATEGORIES, |r| fold.category(r))?;
    grouped(conn, project, filter, WEEKS, |r| fold.week(r))?;
    Ok(fold.finish())
}

#[cfg(test)]
mod tests {
    use hark_core::Timestamp;
    use hark_store::backend::metrics::WEEK_SQL;
    use rusqlite::Connection;

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
