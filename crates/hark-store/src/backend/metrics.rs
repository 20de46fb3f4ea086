//! Theme metrics, the part both backends share: the three grouped reads over the project's
//! mentions within a filter ([`TOTALS`], [`CATEGORIES`], [`WEEKS`]: columns and `GROUP BY`),
//! and [`MetricsFold`], which folds their rows into [`ThemeMetrics`] in one order.

use super::codec::parse_category;
use super::row::Columns;
use hark_core::analysis::{Category, ThemeId, ThemeMetrics, WeekCount};
use hark_core::Timestamp;
use std::collections::BTreeMap;

/// The Monday 00:00 UTC starting the week of `created_at`, that is
/// `floor((t - 4 days) / 7 days) * 7 days + 4 days`, written with a double modulo because SQL's
/// `%` truncates toward zero (in PostgreSQL as in SQLite, so both bucket the same).
pub const WEEK_SQL: &str = week_sql!();

/// [`WEEK_SQL`] as a literal, for `concat!`.
macro_rules! week_sql {
    () => {
        "(created_at - (((created_at - 345600000000) % 604800000000) + 604800000000) \
         % 604800000000)"
    };
}
use week_sql;

/// One grouped read: `SELECT {columns} FROM mentions WHERE … GROUP BY {group}`.
#[derive(Debug, Clone, Copy)]
pub struct Grouped {
    /// The select list.
    pub columns: &'static str,
    /// The `GROUP BY` list (and any `ORDER BY`).
    pub group: &'static str,
}

/// Totals per theme, for [`MetricsFold::total`].
pub const TOTALS: Grouped = Grouped {
    columns: "theme_id, count(*), count(DISTINCT user_key), count(DISTINCT source_id), \
              avg(sentiment)",
    group: "theme_id",
};

/// Counts per theme and category, for [`MetricsFold::category`].
pub const CATEGORIES: Grouped = Grouped {
    columns: "theme_id, category, count(*)",
    group: "theme_id, category",
};

/// Counts per theme and week (oldest first), for [`MetricsFold::week`].
pub const WEEKS: Grouped = Grouped {
    columns: concat!("theme_id, ", week_sql!(), " AS week, count(*)"),
    group: "theme_id, week ORDER BY week",
};

/// Per-theme metrics being assembled from the grouped reads (totals first).
#[derive(Debug, Default)]
pub struct MetricsFold {
    by_theme: BTreeMap<Option<String>, ThemeMetrics>,
}

fn count(n: i64) -> u64 {
    n.max(0) as u64
}

impl MetricsFold {
    /// A [`TOTALS`] row.
    pub fn total<R: Columns>(&mut self, r: &R) -> Result<(), R::Error> {
        let theme = r.opt_text(0)?;
        let m = ThemeMetrics {
            theme_id: theme.clone().map(ThemeId),
            mentions: count(r.int(1)?),
            distinct_users: count(r.int(2)?),
            sources: count(r.int(3)?),
            avg_sentiment: r.opt_real(4)?.unwrap_or(0.0) as f32,
            categories: Category::ALL.iter().map(|c| (*c, 0)).collect(),
            weekly: Vec::new(),
        };
        self.by_theme.insert(theme, m);
        Ok(())
    }

    /// A [`CATEGORIES`] row.
    pub fn category<R: Columns>(&mut self, r: &R) -> Result<(), R::Error> {
        let theme = r.opt_text(0)?;
        let category = parse_category(&r.text(1)?).map_err(|_| r.corrupt(1, "category"))?;
        if let Some(m) = self.by_theme.get_mut(&theme) {
            m.categories[category.index()].1 = count(r.int(2)?);
        }
        Ok(())
    }

    /// A [`WEEKS`] row (rows come oldest week first).
    pub fn week<R: Columns>(&mut self, r: &R) -> Result<(), R::Error> {
        let theme = r.opt_text(0)?;
        if let Some(m) = self.by_theme.get_mut(&theme) {
            m.weekly.push(WeekCount {
                week: Timestamp::from_micros(r.int(1)?),
                mentions: count(r.int(2)?),
            });
        }
        Ok(())
    }

    /// Per-theme metrics (the unlinked mentions as `theme_id: None`), most mentioned first,
    /// then by theme id; only groups with mentions in the filter appear. Categories are listed
    /// in [`Category::ALL`] order, zeros included; weeks oldest first, only weeks with mentions.
    pub fn finish(self) -> Vec<ThemeMetrics> {
        let mut out: Vec<ThemeMetrics> = self.by_theme.into_values().collect();
        out.sort_by(|a, b| {
            b.mentions
                .cmp(&a.mentions)
                .then_with(|| a.theme_id.is_none().cmp(&b.theme_id.is_none()))
                .then_with(|| a.theme_id.cmp(&b.theme_id))
        });
        out
    }
}
