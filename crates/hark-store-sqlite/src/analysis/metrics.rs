//! Theme metrics: one scan of the project's mentions within a filter, folded by the shared
//! [`ScanFold`], and that filter clause, which the mention listing shares.

use crate::Error;
use hark_core::analysis::{MentionFilter, ThemeMetrics};
use hark_core::ProjectId;
use hark_store::backend::codec::parse_category;
use hark_store::backend::metrics::{ScanFold, SCAN_COLUMNS};
use rusqlite::params_from_iter;
use rusqlite::types::{ToSql, Value, ValueRef};
use rusqlite::Connection;
use std::collections::HashMap;

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
    if let Some(b) = &f.broad {
        sql.push_str(
            " AND theme_id IN (SELECT j.value FROM broad_themes b, json_each(b.children) j
                                WHERE b.id = ? AND b.project_id = ?)",
        );
        args.push(Value::Text(b.0.clone()));
        args.push(Value::Text(project.as_str().to_string()));
    }
    if let Some(k) = f.kind {
        sql.push_str(" AND subject_kind = ?");
        args.push(Value::Text(k.as_str().to_string()));
    }
    (sql, args)
}

/// Per-theme metrics within `filter` (see [`ScanFold::finish`] for the order): one pass over
/// the filtered mentions, read from a covering index (migration 6), folded in Rust. With
/// `groups` (theme id → broad theme id), per broad theme instead: a mention counts for the
/// broad theme of its theme, or as in none.
pub(crate) fn theme_metrics(
    conn: &Connection,
    project: &ProjectId,
    filter: &MentionFilter,
    groups: Option<&HashMap<String, String>>,
) -> Result<Vec<ThemeMetrics>, Error> {
    let (cond, args) = filter_clause(project, filter);
    let sql = format!("SELECT {SCAN_COLUMNS} FROM mentions WHERE {cond}");
    let args: Vec<&dyn ToSql> = args.iter().map(|a| a as &dyn ToSql).collect();
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params_from_iter(args))?;
    let mut fold = ScanFold::default();
    while let Some(r) = rows.next()? {
        let category = text(r.get_ref(5)?)?.unwrap_or_default();
        let category = parse_category(category)?;
        let source = text(r.get_ref(2)?)?.unwrap_or_default();
        let theme = text(r.get_ref(0)?)?;
        let theme = match groups {
            Some(g) => theme.and_then(|t| g.get(t)).map(String::as_str),
            None => theme,
        };
        fold.add(
            theme,
            text(r.get_ref(1)?)?,
            source,
            r.get(3)?,
            r.get(4)?,
            category,
        );
    }
    Ok(fold.finish())
}

/// A text column borrowed from its row (no allocation per mention); `None` for NULL.
fn text(v: ValueRef<'_>) -> Result<Option<&str>, Error> {
    match v {
        ValueRef::Null => Ok(None),
        v => Ok(Some(v.as_str().map_err(rusqlite::Error::from)?)),
    }
}

#[cfg(test)]
mod tests {
    use hark_core::Timestamp;
    use hark_store::backend::metrics::{week_start, WEEK_SQL};
    use rusqlite::Connection;

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
