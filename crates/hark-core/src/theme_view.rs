//! The theme listing as the API and the dashboard show it: each theme with its metrics, the week-over-week
//! change of its mentions, and which themes are rising. Pure functions of what the store
//! returned and of the "current week", so they are tested here without a server.

use crate::analysis::{Category, MentionView, Theme, ThemeId, ThemeMetrics, WeekCount};
use crate::Timestamp;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

mod broad;
pub use broad::{broad_detail, broad_listing, BroadThemeDetail, BroadThemeListing, BroadThemeView};

const DAY_MICROS: i64 = 86_400_000_000;
const WEEK_MICROS: i64 = 7 * DAY_MICROS;
/// A theme is rising when it has at least this many mentions in the current week, and more
/// than in the week before.
pub const RISING_MIN_MENTIONS: u64 = 3;

/// Monday 00:00 UTC of the week containing `t` (weeks as the store counts them).
pub fn week_start(t: Timestamp) -> Timestamp {
    let days = t.as_micros().div_euclid(DAY_MICROS);
    // 1970-01-01 was a Thursday: three days after a Monday.
    let monday = days - (days + 3).rem_euclid(7);
    Timestamp::from_micros(monday * DAY_MICROS)
}

/// The start of the "current week": the week of the last instant before `to` (an exclusive
/// bound) when given, else the week of `now`.
pub fn current_week(to: Option<Timestamp>, now: Timestamp) -> Timestamp {
    week_start(to.map_or(now, |t| Timestamp::from_micros(t.as_micros() - 1)))
}

/// Mentions per category, written as a JSON object in [`Category::ALL`] order.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryCounts(pub Vec<(Category, u64)>);

impl Serialize for CategoryCounts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (category, n) in &self.0 {
            map.serialize_entry(category.as_str(), n)?;
        }
        map.end()
    }
}

/// In OpenAPI: an object from category names to counts (how it serialises).
impl utoipa::PartialSchema for CategoryCounts {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder};
        ObjectBuilder::new()
            .description(Some("Mentions per category, by category name"))
            .additional_properties(Some(AdditionalProperties::from(
                <u64 as utoipa::PartialSchema>::schema(),
            )))
            .into()
    }
}

impl utoipa::ToSchema for CategoryCounts {}

/// A theme's (or the unthemed mentions') metrics with the week-over-week change.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MetricsView {
    /// Mentions within the filter.
    pub mentions: u64,
    /// Distinct speakers.
    pub distinct_users: u64,
    /// Distinct sources.
    pub sources: u64,
    /// Mean sentiment score in [-1, 1].
    pub avg_sentiment: f32,
    /// Mentions per category, every category listed.
    pub categories: CategoryCounts,
    /// Mentions per week (Monday 00:00 UTC), oldest first, weeks without mentions left out.
    pub weekly: Vec<WeekCount>,
    /// Mentions in the current week.
    pub this_week: u64,
    /// Mentions in the week before it.
    pub last_week: u64,
    /// `(this_week - last_week) / last_week`; `null` when `last_week` is 0.
    pub wow_change: Option<f64>,
}

impl MetricsView {
    /// The view of `m` with "this week" starting at `current_week`.
    pub fn new(m: ThemeMetrics, current_week: Timestamp) -> Self {
        let count = |week: Timestamp| {
            m.weekly
                .iter()
                .filter(|w| w.week == week)
                .map(|w| w.mentions)
                .sum::<u64>()
        };
        let this_week = count(current_week);
        let last_week = count(Timestamp::from_micros(
            current_week.as_micros() - WEEK_MICROS,
        ));
        let wow_change =
            (last_week > 0).then(|| (this_week as f64 - last_week as f64) / last_week as f64);
        Self {
            mentions: m.mentions,
            distinct_users: m.distinct_users,
            sources: m.sources,
            avg_sentiment: m.avg_sentiment,
            categories: CategoryCounts(m.categories),
            weekly: m.weekly,
            this_week,
            last_week,
            wow_change,
        }
    }

    /// Metrics of a theme without mentions in the filter.
    pub fn empty() -> Self {
        Self {
            mentions: 0,
            distinct_users: 0,
            sources: 0,
            avg_sentiment: 0.0,
            categories: CategoryCounts(Category::ALL.iter().map(|c| (*c, 0)).collect()),
            weekly: Vec::new(),
            this_week: 0,
            last_week: 0,
            wow_change: None,
        }
    }

    fn is_rising(&self) -> bool {
        self.this_week >= RISING_MIN_MENTIONS && self.this_week > self.last_week
    }
}

/// A theme with its metrics.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ThemeView {
    /// The theme's own fields.
    #[serde(flatten)]
    pub theme: Theme,
    /// Its metrics within the filter.
    pub metrics: MetricsView,
}

/// `GET /api/1/themes`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ThemeListing {
    /// Themes, most mentions first.
    pub themes: Vec<ThemeView>,
    /// Metrics of the mentions in no theme; `null` when there are none.
    pub unthemed: Option<MetricsView>,
    /// Ids of the listed themes that are rising, fastest growing first.
    pub rising: Vec<ThemeId>,
}

/// `GET /api/1/themes/{id}`: the theme, its metrics and its newest mentions.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ThemeDetail {
    /// The theme and its metrics.
    #[serde(flatten)]
    pub view: ThemeView,
    /// Its newest mentions within the filter.
    pub mentions: Vec<MentionView>,
}

/// Takes the entry of `id` out of `metrics` as a view (zeros when absent).
fn take_metrics(metrics: &mut Vec<ThemeMetrics>, id: &ThemeId, week: Timestamp) -> MetricsView {
    match metrics.iter().position(|m| m.theme_id.as_ref() == Some(id)) {
        Some(i) => MetricsView::new(metrics.swap_remove(i), week),
        None => MetricsView::empty(),
    }
}

/// Takes the entry of the mentions in no group (`theme_id: None`) out of `metrics`.
fn take_unthemed(metrics: &mut Vec<ThemeMetrics>, week: Timestamp) -> Option<MetricsView> {
    let i = metrics.iter().position(|m| m.theme_id.is_none())?;
    Some(MetricsView::new(metrics.swap_remove(i), week))
}

/// The ids of the rising views among `views`, fastest growing first (equal growth keeps the
/// listing's order); `parts` gives a view's id and metrics.
fn rising<T>(views: &[T], parts: impl Fn(&T) -> (&ThemeId, &MetricsView)) -> Vec<ThemeId> {
    let mut rising: Vec<(&ThemeId, &MetricsView)> = views
        .iter()
        .map(&parts)
        .filter(|(_, m)| m.is_rising())
        .collect();
    rising.sort_by_key(|(_, m)| std::cmp::Reverse(m.this_week - m.last_week));
    rising.into_iter().map(|(id, _)| id.clone()).collect()
}

/// Joins every theme with its metrics (zeros when it has no mentions in the filter), sorts by
/// mentions (then pinned first, then oldest first), keeps the first `limit`, and picks the
/// rising ones among them.
pub fn listing(
    themes: Vec<Theme>,
    mut metrics: Vec<ThemeMetrics>,
    current_week: Timestamp,
    limit: usize,
) -> ThemeListing {
    let unthemed = take_unthemed(&mut metrics, current_week);
    let mut views: Vec<ThemeView> = themes
        .into_iter()
        .map(|theme| ThemeView {
            metrics: take_metrics(&mut metrics, &theme.id, current_week),
            theme,
        })
        .collect();
    views.sort_by(|a, b| {
        (b.metrics.mentions, b.theme.pinned)
            .cmp(&(a.metrics.mentions, a.theme.pinned))
            .then_with(|| a.theme.created_at.cmp(&b.theme.created_at))
            .then_with(|| a.theme.id.cmp(&b.theme.id))
    });
    views.truncate(limit);
    let rising = rising(&views, |v| (&v.theme.id, &v.metrics));
    ThemeListing {
        themes: views,
        unthemed,
        rising,
    }
}

/// The detail of `theme`: its entry of `metrics` (zeros when absent) and `mentions`.
pub fn detail(
    theme: Theme,
    metrics: Vec<ThemeMetrics>,
    current_week: Timestamp,
    mentions: Vec<MentionView>,
) -> ThemeDetail {
    let mut metrics = metrics;
    let metrics = take_metrics(&mut metrics, &theme.id, current_week);
    ThemeDetail {
        view: ThemeView { theme, metrics },
        mentions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ProjectId;

    fn at(s: &str) -> Timestamp {
        Timestamp::parse_iso8601(s).expect("valid date-time")
    }

    fn theme(id: &str, pinned: bool) -> Theme {
        Theme {
            id: ThemeId(id.into()),
            project: ProjectId::new("p"),
            label: id.into(),
            name: None,
            key_phrases: vec![],
            pinned,
            quotes: vec![],
            centroid: vec![],
            parent_id: None,
            created_at: at("2026-03-01T00:00:00Z"),
            updated_at: at("2026-03-01T00:00:00Z"),
        }
    }

    fn metrics(id: Option<&str>, weeks: &[(&str, u64)]) -> ThemeMetrics {
        let weekly: Vec<WeekCount> = weeks
            .iter()
            .map(|(w, n)| WeekCount {
                week: at(w),
                mentions: *n,
            })
            .collect();
        ThemeMetrics {
            theme_id: id.map(|i| ThemeId(i.into())),
            mentions: weekly.iter().map(|w| w.mentions).sum(),
            distinct_users: 1,
            sources: 1,
            avg_sentiment: 0.5,
            categories: Category::ALL.iter().map(|c| (*c, 0)).collect(),
            weekly,
        }
    }

    #[test]
    fn weeks_start_on_monday_utc() {
        // 2026-03-09 is a Monday.
        let monday = at("2026-03-09T00:00:00Z");
        assert_eq!(week_start(at("2026-03-09T00:00:00Z")), monday);
        assert_eq!(week_start(at("2026-03-15T23:59:59.999999Z")), monday);
        assert_eq!(week_start(at("2026-03-12T13:00:00+05:00")), monday);
        assert_eq!(
            week_start(at("2026-03-08T23:59:59Z")),
            at("2026-03-02T00:00:00Z")
        );
        assert_eq!(
            week_start(at("1969-12-31T12:00:00Z")),
            at("1969-12-29T00:00:00Z")
        );
    }

    #[test]
    fn the_current_week_ends_just_before_to() {
        let now = at("2026-04-01T12:00:00Z");
        assert_eq!(current_week(None, now), at("2026-03-30T00:00:00Z"));
        let to = Some(at("2026-03-16T00:00:00Z"));
        assert_eq!(current_week(to, now), at("2026-03-09T00:00:00Z"));
    }

    #[test]
    fn week_over_week_change_is_relative_and_null_without_a_last_week() {
        let week = at("2026-03-09T00:00:00Z");
        let m = MetricsView::new(
            metrics(
                Some("a"),
                &[("2026-03-02T00:00:00Z", 4), ("2026-03-09T00:00:00Z", 6)],
            ),
            week,
        );
        assert_eq!((m.this_week, m.last_week, m.wow_change), (6, 4, Some(0.5)));
        let m = MetricsView::new(metrics(Some("a"), &[("2026-03-09T00:00:00Z", 2)]), week);
        assert_eq!((m.this_week, m.last_week, m.wow_change), (2, 0, None));
        let m = MetricsView::new(metrics(Some("a"), &[("2026-02-23T00:00:00Z", 5)]), week);
        assert_eq!(
            (m.this_week, m.last_week),
            (0, 0),
            "older weeks do not count"
        );
    }

    #[test]
    fn categories_serialise_as_an_object_in_order() {
        let json = serde_json::to_value(MetricsView::empty()).expect("serialises");
        let keys: Vec<_> = json["categories"]
            .as_object()
            .expect("an object")
            .keys()
            .cloned()
            .collect();
        assert_eq!(keys.len(), Category::ALL.len());
        assert_eq!(json["categories"]["feature_request"], 0);
        assert_eq!(json["wow_change"], serde_json::Value::Null);
    }

    #[test]
    fn listing_sorts_joins_and_picks_rising_themes() {
        let (w1, w2) = ("2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z");
        let themes = vec![
            theme("th_small", false),
            theme("th_big", false),
            theme("th_empty", true),
            theme("th_steady", false),
        ];
        let metrics = vec![
            metrics(Some("th_big"), &[(w1, 1), (w2, 9)]),
            metrics(Some("th_small"), &[(w1, 0), (w2, 3)]),
            metrics(Some("th_steady"), &[(w1, 4), (w2, 4)]),
            metrics(None, &[(w2, 2)]),
        ];
        let list = listing(themes, metrics, at(w2), 10);
        let ids: Vec<_> = list.themes.iter().map(|v| v.theme.id.0.as_str()).collect();
        assert_eq!(ids, ["th_big", "th_steady", "th_small", "th_empty"]);
        assert_eq!(list.themes[3].metrics, MetricsView::empty());
        assert_eq!(list.unthemed.as_ref().map(|u| u.mentions), Some(2));
        let rising: Vec<_> = list.rising.iter().map(|i| i.0.as_str()).collect();
        assert_eq!(rising, ["th_big", "th_small"]);
        let json = serde_json::to_value(&list).expect("serialises");
        assert_eq!(json["themes"][0]["id"], "th_big");
        assert_eq!(json["themes"][0]["metrics"]["this_week"], 9);
        assert!(json["themes"][0].get("centroid").is_none());

        let short = listing(vec![theme("th_a", false)], vec![], at(w2), 0);
        assert!(short.themes.is_empty() && short.unthemed.is_none());
    }

    #[test]
    fn detail_uses_the_themes_own_metrics() {
        let d = detail(
            theme("th_a", false),
            vec![metrics(Some("th_a"), &[("2026-03-09T00:00:00Z", 3)])],
            at("2026-03-09T00:00:00Z"),
            vec![],
        );
        assert_eq!(d.view.metrics.this_week, 3);
        let json = serde_json::to_value(&d).expect("serialises");
        assert_eq!(json["id"], "th_a");
        assert_eq!(json["metrics"]["mentions"], 3);
        assert_eq!(json["mentions"], serde_json::json!([]));
    }
}
