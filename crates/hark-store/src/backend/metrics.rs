//! Theme metrics, the part both backends share: the three grouped reads over the project's
//! mentions within a filter ([`TOTALS`], [`CATEGORIES`], [`WEEKS`]: columns and `GROUP BY`),
//! and [`MetricsFold`], which folds their rows into [`ThemeMetrics`] in one order.

use super::codec::parse_category;
use super::row::Columns;
use hark_core::analysis::{Category, ThemeId, ThemeMetrics, WeekCount};
use hark_core::Timestamp;
use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{Hash, Hasher};

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
        most_mentioned_first(&mut out);
        out
    }
}

/// The order of [`MetricsFold::finish`] and [`ScanFold::finish`]: most mentioned first, the
/// unlinked mentions after themes of as many, then by theme id.
fn most_mentioned_first(out: &mut [ThemeMetrics]) {
    out.sort_by(|a, b| {
        b.mentions
            .cmp(&a.mentions)
            .then_with(|| a.theme_id.is_none().cmp(&b.theme_id.is_none()))
            .then_with(|| a.theme_id.cmp(&b.theme_id))
    });
}

/// The start (Monday 00:00 UTC, in microseconds) of the week holding `t`: [`WEEK_SQL`] in Rust.
pub fn week_start(t: i64) -> i64 {
    const DAY_US: i64 = 86_400_000_000;
    const WEEK_US: i64 = 7 * DAY_US;
    // 1970-01-01 was a Thursday: Mondays fall 4 days after a multiple of 7 days.
    const MONDAY_OFFSET_US: i64 = 4 * DAY_US;
    (t - MONDAY_OFFSET_US).div_euclid(WEEK_US) * WEEK_US + MONDAY_OFFSET_US
}

/// The columns [`ScanFold::add`] takes, in its argument order.
pub const SCAN_COLUMNS: &str = "theme_id, user_key, source_id, created_at, sentiment, category";

/// Per-theme metrics folded from one scan of the filtered mentions ([`SCAN_COLUMNS`]): the same
/// [`ThemeMetrics`] as [`MetricsFold`], for a backend where one pass over a covering index beats
/// three grouped reads (SQLite, where each `count(DISTINCT …)` builds a temporary b-tree).
/// Distinct users and sources are counted by 64-bit hashes of their keys: a collision among a
/// project's few million keys has a probability below 10⁻⁶.
#[derive(Debug, Default)]
pub struct ScanFold {
    themes: HashMap<String, Acc>,
    unthemed: Option<Acc>,
}

/// The running sums of one theme.
#[derive(Debug, Default)]
struct Acc {
    mentions: u64,
    sentiment: f64,
    users: HashSet<u64>,
    sources: HashSet<u64>,
    categories: [u64; Category::ALL.len()],
    weeks: BTreeMap<i64, u64>,
}

fn key_hash(key: &str) -> u64 {
    let mut h = DefaultHasher::new();
    key.hash(&mut h);
    h.finish()
}

impl ScanFold {
    /// One mention.
    pub fn add(
        &mut self,
        theme: Option<&str>,
        user: Option<&str>,
        source: &str,
        created_at: i64,
        sentiment: f64,
        category: Category,
    ) {
        let acc = match theme {
            Some(t) => match self.themes.get_mut(t) {
                Some(acc) => acc,
                None => self.themes.entry(t.to_owned()).or_default(),
            },
            None => self.unthemed.get_or_insert_with(Acc::default),
        };
        acc.mentions += 1;
        acc.sentiment += sentiment;
        if let Some(u) = user {
            acc.users.insert(key_hash(u));
        }
        acc.sources.insert(key_hash(source));
        acc.categories[category.index()] += 1;
        *acc.weeks.entry(week_start(created_at)).or_default() += 1;
    }

    /// The metrics, in [`MetricsFold::finish`]'s order and shape.
    pub fn finish(self) -> Vec<ThemeMetrics> {
        let one = |theme_id: Option<ThemeId>, a: Acc| ThemeMetrics {
            theme_id,
            mentions: a.mentions,
            distinct_users: a.users.len() as u64,
            sources: a.sources.len() as u64,
            avg_sentiment: (a.sentiment / a.mentions.max(1) as f64) as f32,
            categories: Category::ALL.iter().copied().zip(a.categories).collect(),
            weekly: a
                .weeks
                .into_iter()
                .map(|(week, mentions)| WeekCount {
                    week: Timestamp::from_micros(week),
                    mentions,
                })
                .collect(),
        };
        let mut out: Vec<ThemeMetrics> = self
            .themes
            .into_iter()
            .map(|(id, a)| one(Some(ThemeId(id)), a))
            .collect();
        if let Some(a) = self.unthemed {
            out.push(one(None, a));
        }
        most_mentioned_first(&mut out);
        out
    }
}
