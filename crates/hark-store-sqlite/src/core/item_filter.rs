//! The conditions of an [`ItemFilter`] on SQLite, shared by the item listing and the feedback
//! summary. Columns are qualified with `items.`, so the conditions also hold in a join.
//!
//! The analysis filters look up the item's roll-up by `subject_analysis`'s primary key
//! (`subject_kind`, `subject_id`): one index probe per candidate item. Only a roll-up that
//! was analysed counts (a manual category set before any analysis is not one yet).

use hark_core::analysis::Subject;
use hark_core::{ItemFilter, ProjectId};
use hark_store::backend::filters::ScoreBand;
use rusqlite::types::ToSql;

/// `items.project_id = ?` and the filter's conditions (each ` AND …`), with their arguments
/// in placeholder order.
pub(crate) fn conditions(
    project: &ProjectId,
    filter: &ItemFilter,
) -> (String, Vec<Box<dyn ToSql>>) {
    let mut sql = String::from("items.project_id = ?");
    let mut args: Vec<Box<dyn ToSql>> = vec![Box::new(project.as_str().to_string())];
    if let Some(s) = &filter.source_id {
        sql.push_str(" AND items.source_id = ?");
        args.push(Box::new(s.as_str().to_string()));
    }
    if let Some(u) = &filter.user_id {
        sql.push_str(" AND items.user_id = ?");
        args.push(Box::new(u.clone()));
    }
    if let Some(e) = &filter.email {
        sql.push_str(" AND items.email = ? COLLATE NOCASE");
        args.push(Box::new(e.clone()));
    }
    if let Some(t) = filter.created_from {
        sql.push_str(" AND items.created_at >= ?");
        args.push(Box::new(t.as_micros()));
    }
    if let Some(t) = filter.created_to {
        sql.push_str(" AND items.created_at < ?");
        args.push(Box::new(t.as_micros()));
    }
    if let Some(q) = &filter.text {
        sql.push_str(
            " AND (instr(lower(items.body), lower(?)) > 0 OR EXISTS (SELECT 1 FROM parts p \
             WHERE p.item_id = items.id AND instr(lower(p.body), lower(?)) > 0))",
        );
        args.push(Box::new(q.clone()));
        args.push(Box::new(q.clone()));
    }
    if let Some(ids) = &filter.ids {
        // One JSON array argument however many ids (SQLite's json_each), not one placeholder
        // each: the statement stays one cached shape and under the variable limit.
        let list: Vec<i64> = ids.iter().map(|i| i.0).collect();
        sql.push_str(" AND items.id IN (SELECT value FROM json_each(?))");
        args.push(Box::new(
            serde_json::to_string(&list).unwrap_or_else(|_| "[]".into()),
        ));
    }
    if filter.category.is_some() || filter.sentiment.is_some() {
        sql.push_str(
            " AND EXISTS (SELECT 1 FROM subject_analysis fa WHERE fa.subject_kind = ? \
             AND fa.subject_id = items.id AND fa.analyzed_at IS NOT NULL \
             AND fa.sentiment IS NOT NULL",
        );
        args.push(Box::new(Subject::Item(0).kind()));
        if let Some(c) = filter.category {
            sql.push_str(" AND fa.category = ?");
            args.push(Box::new(c.as_str()));
        }
        match filter.sentiment.map(ScoreBand::of) {
            Some(ScoreBand::Below(b)) => {
                sql.push_str(" AND fa.sentiment < ?");
                args.push(Box::new(b));
            }
            Some(ScoreBand::Within(lo, hi)) => {
                sql.push_str(" AND fa.sentiment >= ? AND fa.sentiment <= ?");
                args.push(Box::new(lo));
                args.push(Box::new(hi));
            }
            Some(ScoreBand::Above(b)) => {
                sql.push_str(" AND fa.sentiment > ?");
                args.push(Box::new(b));
            }
            None => {}
        }
        sql.push(')');
    }
    (sql, args)
}
