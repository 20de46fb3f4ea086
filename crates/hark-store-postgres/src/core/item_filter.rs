//! The conditions of an [`ItemFilter`] on PostgreSQL, shared by the item listing and the
//! feedback summary. Columns are qualified with `items.`, so the conditions also hold in a
//! join. Case-insensitive matches fold ASCII letters only ([`fold!`]), as SQLite's `NOCASE`
//! and `lower()` do, so both backends find the same items whatever the database's locale.
//!
//! The analysis filters look up the item's roll-up by `subject_analysis`'s primary key
//! (`subject_kind`, `subject_id`): one index probe per candidate item. Only a roll-up that
//! was analysed counts (a manual category set before any analysis is not one yet).

use hark_core::analysis::Subject;
use hark_core::{ItemFilter, ProjectId};
use hark_store::backend::filters::ScoreBand;
use tokio_postgres::types::ToSql;

/// An argument of a statement.
pub(crate) type Arg = Box<dyn ToSql + Sync + Send>;

/// SQL folding the ASCII capitals of the text expression `$e` to lower case (and nothing else).
macro_rules! fold {
    ($e:literal) => {
        concat!(
            "translate(",
            $e,
            ", 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
        )
    };
}
pub(crate) use fold;

/// The conditions being built, and their arguments (`$1` is the first).
pub(crate) struct Conditions {
    /// `items.project_id = $1`, then ` AND …` for each filter.
    pub sql: String,
    /// The arguments, in placeholder order; more may be pushed after them.
    pub args: Vec<Arg>,
}

impl Conditions {
    /// Appends `template`, each `{}` in it the placeholder of the next argument in `args`.
    pub(crate) fn push(&mut self, template: &str, args: Vec<Arg>) {
        let mut parts = template.split("{}");
        if let Some(first) = parts.next() {
            self.sql.push_str(first);
        }
        let mut args = args.into_iter();
        for part in parts {
            if let Some(arg) = args.next() {
                self.args.push(arg);
            }
            self.sql.push_str(&format!("${}", self.args.len()));
            self.sql.push_str(part);
        }
    }

    /// The arguments as the driver takes them.
    pub(crate) fn params(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.args
            .iter()
            .map(|a| a.as_ref() as &(dyn ToSql + Sync))
            .collect()
    }
}

/// The project's condition and the filter's.
pub(crate) fn conditions(project: &ProjectId, filter: &ItemFilter) -> Conditions {
    let mut c = Conditions {
        sql: String::new(),
        args: Vec::new(),
    };
    c.push(
        "items.project_id = {}",
        vec![Box::new(project.as_str().to_string())],
    );
    if let Some(s) = &filter.source_id {
        c.push(
            " AND items.source_id = {}",
            vec![Box::new(s.as_str().to_string())],
        );
    }
    if let Some(u) = &filter.user_id {
        c.push(" AND items.user_id = {}", vec![Box::new(u.clone())]);
    }
    if let Some(e) = &filter.email {
        let template = concat!(" AND ", fold!("items.email"), " = ", fold!("{}::text"));
        c.push(template, vec![Box::new(e.clone())]);
    }
    if let Some(t) = filter.created_from {
        c.push(" AND items.created_at >= {}", vec![Box::new(t.as_micros())]);
    }
    if let Some(t) = filter.created_to {
        c.push(" AND items.created_at < {}", vec![Box::new(t.as_micros())]);
    }
    if let Some(q) = &filter.text {
        // The needle is found literally (`strpos`, no pattern characters), as SQLite's `instr`.
        let template = concat!(
            " AND (strpos(",
            fold!("items.body"),
            ", ",
            fold!("{}::text"),
            ") > 0 OR EXISTS (SELECT 1 FROM parts p WHERE p.item_id = items.id AND strpos(",
            fold!("p.body"),
            ", ",
            fold!("{}::text"),
            ") > 0))"
        );
        c.push(template, vec![Box::new(q.clone()), Box::new(q.clone())]);
    }
    if let Some(ids) = &filter.ids {
        let list: Vec<i64> = ids.iter().map(|i| i.0).collect();
        c.push(" AND items.id = ANY({})", vec![Box::new(list)]);
    }
    if filter.category.is_some() || filter.sentiment.is_some() {
        c.push(
            " AND EXISTS (SELECT 1 FROM subject_analysis fa WHERE fa.subject_kind = {} \
             AND fa.subject_id = items.id AND fa.analyzed_at IS NOT NULL \
             AND fa.sentiment IS NOT NULL",
            vec![Box::new(Subject::Item(0).kind())],
        );
        if let Some(category) = filter.category {
            c.push(" AND fa.category = {}", vec![Box::new(category.as_str())]);
        }
        match filter.sentiment.map(ScoreBand::of) {
            Some(ScoreBand::Below(b)) => c.push(" AND fa.sentiment < {}", vec![Box::new(b)]),
            Some(ScoreBand::Within(lo, hi)) => c.push(
                " AND fa.sentiment >= {} AND fa.sentiment <= {}",
                vec![Box::new(lo), Box::new(hi)],
            ),
            Some(ScoreBand::Above(b)) => c.push(" AND fa.sentiment > {}", vec![Box::new(b)]),
            None => {}
        }
        c.sql.push(')');
    }
    c
}
