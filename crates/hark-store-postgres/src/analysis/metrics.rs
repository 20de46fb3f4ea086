//! Theme metrics: the shared grouped reads ([`hark_store::backend::metrics`]) over the project's
//! mentions within a filter, and that filter clause, which the mention listing shares.

use super::query;
use crate::row::Cols;
use crate::Error;
use deadpool_postgres::GenericClient;
use hark_core::analysis::{MentionFilter, ThemeMetrics};
use hark_core::ProjectId;
use hark_store::backend::codec::parse_category;
use hark_store::backend::metrics::{
    Grouped, MetricsFold, ScanFold, CATEGORIES, SCAN_COLUMNS, TOTALS, WEEKS,
};
use std::collections::HashMap;
use std::fmt::Write;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

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
        if let Some(b) = &f.broad {
            let at = filter.arg(b.0.clone());
            // Writing to a String cannot fail.
            let _ = write!(
                filter.sql,
                " AND theme_id IN (SELECT json_array_elements_text(children::json)
                                   FROM broad_themes WHERE id = {at} AND project_id = $1)"
            );
        }
        if let Some(k) = f.kind {
            filter.and("subject_kind =", k.as_str().to_string());
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

/// Runs the grouped read `g` over the filtered mentions.
async fn grouped(
    c: &impl GenericClient,
    project: &ProjectId,
    filter: &MentionFilter,
    g: Grouped,
) -> Result<Vec<Row>, Error> {
    let f = Filter::new(project, filter);
    let sql = format!(
        "SELECT {} FROM mentions WHERE {} GROUP BY {}",
        g.columns, f.sql, g.group
    );
    query(c, &sql, &f.params()).await
}

/// Per-theme metrics within `filter` (see [`MetricsFold::finish`] for the order). The three
/// reads should share a snapshot (the caller's transaction).
pub(super) async fn theme_metrics(
    c: &impl GenericClient,
    project: &ProjectId,
    filter: &MentionFilter,
) -> Result<Vec<ThemeMetrics>, Error> {
    let mut fold = MetricsFold::default();
    for r in grouped(c, project, filter, TOTALS).await? {
        fold.total(&Cols(&r))?;
    }
    for r in grouped(c, project, filter, CATEGORIES).await? {
        fold.category(&Cols(&r))?;
    }
    for r in grouped(c, project, filter, WEEKS).await? {
        fold.week(&Cols(&r))?;
    }
    Ok(fold.finish())
}

/// Per-broad-theme metrics within `filter`: the filtered mentions scanned once and folded by
/// the broad theme of their theme (`groups`: theme id → broad theme id), as the SQLite backend
/// does for every metric. Grouping in SQL would need the map joined into three reads.
pub(super) async fn broad_theme_metrics(
    c: &impl GenericClient,
    project: &ProjectId,
    filter: &MentionFilter,
    groups: &HashMap<String, String>,
) -> Result<Vec<ThemeMetrics>, Error> {
    let f = Filter::new(project, filter);
    let sql = format!("SELECT {SCAN_COLUMNS} FROM mentions WHERE {}", f.sql);
    let mut fold = ScanFold::default();
    for r in query(c, &sql, &f.params()).await? {
        let theme: Option<String> = r.try_get(0)?;
        let user: Option<String> = r.try_get(1)?;
        let source: Option<String> = r.try_get(2)?;
        let category: String = r.try_get(5)?;
        fold.add(
            theme.and_then(|t| groups.get(&t)).map(String::as_str),
            user.as_deref(),
            source.as_deref().unwrap_or_default(),
            r.try_get(3)?,
            r.try_get(4)?,
            parse_category(&category)?,
        );
    }
    Ok(fold.finish())
}
