//! Theme metrics: SQL aggregates over the project's mentions within a filter, per theme, with
//! per-category and weekly counts. Also the filter clause the mention listing shares.

use super::{count, query};
use crate::Error;
use deadpool_postgres::GenericClient;
use hark_core::analysis::{Category, MentionFilter, ThemeId, ThemeMetrics, WeekCount};
use hark_core::{ProjectId, Timestamp};
use hark_store::backend::codec::parse_category;
use std::collections::BTreeMap;
use std::fmt::Write;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

/// The Monday 00:00 UTC starting the week of `created_at`, that is
/// `floor((t - 4 days) / 7 days) * 7 days + 4 days`, written with a double modulo because SQL's
/// `%` truncates toward zero (in PostgreSQL as in SQLite, so the buckets are the same).
const WEEK_SQL: &str = "(created_at - (((created_at - 345600000000) % 604800000000) \
                        + 604800000000) % 604800000000)";

/// `WHERE` conditions on `mentions`, scoped to the project, with their numbered arguments.
pub(super) struct Filter {
    /// The conditions, joined by `AND`.
    pub(super) sql: String,
    args: Vec<Box<dyn ToSql + Sync + Send>>,
}

impl Filter {
    /// The project's mentions within `f`.
    pub(super) fn new(project: &ProjectId, f: &MentionFilter) -> Self {
        let mut filter = Self {
            sql: String::from("project_id = $1"),
            args: vec![Box::new(project.as_str().to_string())],
        };
        if let Some(t) = f.from {
            filter.and("created_at >=", t.as_micros());
        }
        if let Some(t) = f.to {
            filter.and("created_at <", t.as_micros());
        }
        if let Some(s) = &f.source {
            filter.and("source_id =", s.clone());
        }
        if let Some(c) = f.category {
            filter.and("category =", c.as_str().to_string());
        }
        if let Some(t) = &f.theme {
            filter.and("theme_id =", t.0.clone());
        }
        filter
    }

    /// Adds an argument and returns its placeholder (`$n`).
    pub(super) fn arg(&mut self, value: impl ToSql + Sync + Send + 'static) -> String {
        self.args.push(Box::new(value));
        format!("${}", self.args.len())
    }

    /// Adds the condition `{lhs} $n` on a new argument.
    pub(super) fn and(&mut self, lhs: &str, value: impl ToSql + Sync + Send + 'static) {
        let at = self.arg(value);
        // Writing to a String cannot fail.
        let _ = write!(self.sql, " AND {lhs} {at}");
    }

    /// The arguments, for a query.
    pub(super) fn params(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.args
            .iter()
            .map(|a| a.as_ref() as &(dyn ToSql + Sync))
            .collect()
    }
}

/// Runs `SELECT {columns} FROM mentions WHERE {filter} GROUP BY {group}`.
async fn grouped(
    c: &impl GenericClient,
    project: &ProjectId,
    filter: &MentionFilter,
    columns: &str,
    group: &str,
) -> Result<Vec<Row>, Error> {
    let f = Filter::new(project, filter);
    let sql = format!(
        "SELECT {columns} FROM mentions WHERE {} GROUP BY {group}",
        f.sql
    );
    query(c, &sql, &f.params()).await
}

/// Per-theme metrics (the unlinked mentions as `theme_id: None`), most mentioned first, then by
/// theme id; only groups with mentions in the filter appear. Categories are listed in
/// [`Category::ALL`] order, zeros included; weeks oldest first, only weeks with mentions. The
/// three reads should share a snapshot (the caller's transaction).
pub(super) async fn theme_metrics(
    c: &impl GenericClient,
    project: &ProjectId,
    filter: &MentionFilter,
) -> Result<Vec<ThemeMetrics>, Error> {
    let totals = grouped(
        c,
        project,
        filter,
        "theme_id, count(*), count(DISTINCT user_key), count(DISTINCT source_id), avg(sentiment)",
        "theme_id",
    )
    .await?;
    let mut by_theme: BTreeMap<Option<String>, ThemeMetrics> = BTreeMap::new();
    for r in totals {
        let theme: Option<String> = r.try_get(0)?;
        let avg: Option<f64> = r.try_get(4)?;
        let m = ThemeMetrics {
            theme_id: theme.clone().map(ThemeId),
            mentions: count(r.try_get(1)?),
            distinct_users: count(r.try_get(2)?),
            sources: count(r.try_get(3)?),
            avg_sentiment: avg.unwrap_or(0.0) as f32,
            categories: Category::ALL.iter().map(|c| (*c, 0)).collect(),
            weekly: Vec::new(),
        };
        by_theme.insert(theme, m);
    }
    let categories = grouped(
        c,
        project,
        filter,
        "theme_id, category, count(*)",
        "theme_id, category",
    )
    .await?;
    for r in categories {
        let theme: Option<String> = r.try_get(0)?;
        let category = parse_category(&r.try_get::<_, String>(1)?)?;
        if let Some(m) = by_theme.get_mut(&theme) {
            m.categories[category.index()].1 = count(r.try_get(2)?);
        }
    }
    let weeks = grouped(
        c,
        project,
        filter,
        &format!("theme_id, {WEEK_SQL} AS week, count(*)"),
        "theme_id, week ORDER BY week",
    )
    .await?;
    for r in weeks {
        let theme: Option<String> = r.try_get(0)?;
        if let Some(m) = by_theme.get_mut(&theme) {
            m.weekly.push(WeekCount {
                week: Timestamp::from_micros(r.try_get(1)?),
                mentions: count(r.try_get(2)?),
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
