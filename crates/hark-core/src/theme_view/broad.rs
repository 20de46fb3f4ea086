//! The broad-theme listing and detail as the API and the dashboard show them: each broad theme
//! with its metrics (its children's mentions together), a few quotes from its largest children,
//! and which broad themes are rising.

use super::{rising, take_metrics, take_unthemed, MetricsView, ThemeView};
use crate::analysis::{BroadTheme, MentionView, Theme, ThemeId, ThemeMetrics};
use crate::Timestamp;
use serde::Serialize;

/// Quotes shown for a broad theme: the first quote of each of its first children.
const QUOTES: usize = 3;

/// A broad theme with its metrics.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BroadThemeView {
    /// The broad theme's own fields.
    #[serde(flatten)]
    pub broad: BroadTheme,
    /// The first quote of each of its largest children.
    pub quotes: Vec<String>,
    /// Its metrics within the filter (its children's mentions together).
    pub metrics: MetricsView,
}

/// `GET /api/1/broad-themes`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BroadThemeListing {
    /// Broad themes, most mentions first.
    pub broad_themes: Vec<BroadThemeView>,
    /// Metrics of the mentions in no broad theme (unthemed, or in a theme of its own); `null`
    /// when there are none.
    pub ungrouped: Option<MetricsView>,
    /// Ids of the listed broad themes that are rising, fastest growing first.
    pub rising: Vec<ThemeId>,
}

/// `GET /api/1/broad-themes/{id}`: the broad theme, its themes with their metrics, and its
/// newest mentions.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BroadThemeDetail {
    /// The broad theme and its metrics.
    #[serde(flatten)]
    pub view: BroadThemeView,
    /// Its themes with their metrics, most mentions first.
    pub themes: Vec<ThemeView>,
    /// Its newest mentions within the filter.
    pub mentions: Vec<MentionView>,
}

fn quotes(broad: &BroadTheme, themes: &[Theme]) -> Vec<String> {
    broad
        .children
        .iter()
        .filter_map(|c| themes.iter().find(|t| &t.id == c))
        .filter_map(|t| t.quotes.first().cloned())
        .take(QUOTES)
        .collect()
}

/// Joins each broad theme with its metrics (`metrics` per broad theme, as
/// `broad_theme_metrics` gives them) and quotes from `themes`, sorts by mentions (then oldest
/// first), keeps the first `limit` and picks the rising ones among them.
pub fn broad_listing(
    broad: Vec<BroadTheme>,
    themes: &[Theme],
    mut metrics: Vec<ThemeMetrics>,
    current_week: Timestamp,
    limit: usize,
) -> BroadThemeListing {
    let ungrouped = take_unthemed(&mut metrics, current_week);
    let mut views: Vec<BroadThemeView> = broad
        .into_iter()
        .map(|b| BroadThemeView {
            metrics: take_metrics(&mut metrics, &b.id, current_week),
            quotes: quotes(&b, themes),
            broad: b,
        })
        .collect();
    views.sort_by(|a, b| {
        b.metrics
            .mentions
            .cmp(&a.metrics.mentions)
            .then_with(|| a.broad.created_at.cmp(&b.broad.created_at))
            .then_with(|| a.broad.id.cmp(&b.broad.id))
    });
    views.truncate(limit);
    let rising = rising(&views, |v| (&v.broad.id, &v.metrics));
    BroadThemeListing {
        broad_themes: views,
        ungrouped,
        rising,
    }
}

/// The detail of `broad`: its own metrics (from `broad_metrics`), its children among `themes`
/// with theirs (from `theme_metrics`, most mentions first), and `mentions`.
pub fn broad_detail(
    broad: BroadTheme,
    themes: Vec<Theme>,
    mut broad_metrics: Vec<ThemeMetrics>,
    mut theme_metrics: Vec<ThemeMetrics>,
    current_week: Timestamp,
    mentions: Vec<MentionView>,
) -> BroadThemeDetail {
    let quotes = quotes(&broad, &themes);
    let mut children: Vec<ThemeView> = themes
        .into_iter()
        .filter(|t| broad.children.contains(&t.id))
        .map(|theme| ThemeView {
            metrics: take_metrics(&mut theme_metrics, &theme.id, current_week),
            theme,
        })
        .collect();
    children.sort_by(|a, b| {
        b.metrics
            .mentions
            .cmp(&a.metrics.mentions)
            .then_with(|| a.theme.created_at.cmp(&b.theme.created_at))
            .then_with(|| a.theme.id.cmp(&b.theme.id))
    });
    BroadThemeDetail {
        view: BroadThemeView {
            metrics: take_metrics(&mut broad_metrics, &broad.id, current_week),
            quotes,
            broad,
        },
        themes: children,
        mentions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Category, WeekCount};
    use crate::ProjectId;

    fn at(s: &str) -> Timestamp {
        Timestamp::parse_iso8601(s).expect("valid date-time")
    }

    fn theme(id: &str, quote: &str) -> Theme {
        Theme {
            id: ThemeId(id.into()),
            project: ProjectId::new("p"),
            label: id.into(),
            name: None,
            key_phrases: vec![],
            pinned: false,
            quotes: vec![quote.into(), "second".into()],
            centroid: vec![],
            parent_id: None,
            created_at: at("2026-03-01T00:00:00Z"),
            updated_at: at("2026-03-01T00:00:00Z"),
        }
    }

    fn broad(id: &str, children: &[&str]) -> BroadTheme {
        BroadTheme {
            id: ThemeId(id.into()),
            project: ProjectId::new("p"),
            label: id.into(),
            key_phrases: vec![],
            children: children.iter().map(|c| ThemeId((*c).into())).collect(),
            centroid: vec![],
            created_at: at("2026-03-01T00:00:00Z"),
            updated_at: at("2026-03-01T00:00:00Z"),
        }
    }

    fn metrics(id: Option<&str>, last: u64, this: u64) -> ThemeMetrics {
        ThemeMetrics {
            theme_id: id.map(|i| ThemeId(i.into())),
            mentions: last + this,
            distinct_users: 1,
            sources: 1,
            avg_sentiment: 0.0,
            categories: Category::ALL.iter().map(|c| (*c, 0)).collect(),
            weekly: vec![
                WeekCount {
                    week: at("2026-03-02T00:00:00Z"),
                    mentions: last,
                },
                WeekCount {
                    week: at("2026-03-09T00:00:00Z"),
                    mentions: this,
                },
            ],
        }
    }

    #[test]
    fn listing_joins_metrics_quotes_and_rising() {
        let themes = [
            theme("th_a", "qa"),
            theme("th_b", "qb"),
            theme("th_c", "qc"),
        ];
        let list = broad_listing(
            vec![
                broad("bt_small", &["th_c"]),
                broad("bt_big", &["th_b", "th_a"]),
            ],
            &themes,
            vec![
                metrics(Some("bt_big"), 1, 8),
                metrics(Some("bt_small"), 2, 2),
                metrics(None, 0, 1),
            ],
            at("2026-03-09T00:00:00Z"),
            10,
        );
        let ids: Vec<_> = list
            .broad_themes
            .iter()
            .map(|v| v.broad.id.0.as_str())
            .collect();
        assert_eq!(ids, ["bt_big", "bt_small"]);
        assert_eq!(list.broad_themes[0].quotes, ["qb", "qa"]);
        assert_eq!(list.ungrouped.as_ref().map(|u| u.mentions), Some(1));
        assert_eq!(list.rising, vec![ThemeId("bt_big".into())]);
        let json = serde_json::to_value(&list).expect("serialises");
        assert_eq!(json["broad_themes"][0]["children"][0], "th_b");
        assert_eq!(json["broad_themes"][0]["metrics"]["this_week"], 8);
        assert!(json["broad_themes"][0].get("centroid").is_none());
    }

    #[test]
    fn detail_lists_the_children_with_their_metrics() {
        let themes = vec![
            theme("th_a", "qa"),
            theme("th_b", "qb"),
            theme("th_x", "qx"),
        ];
        let d = broad_detail(
            broad("bt_1", &["th_a", "th_b"]),
            themes,
            vec![metrics(Some("bt_1"), 3, 4)],
            vec![metrics(Some("th_a"), 0, 1), metrics(Some("th_b"), 3, 3)],
            at("2026-03-09T00:00:00Z"),
            vec![],
        );
        assert_eq!(d.view.metrics.mentions, 7);
        let children: Vec<_> = d.themes.iter().map(|t| t.theme.id.0.as_str()).collect();
        assert_eq!(children, ["th_b", "th_a"]);
        assert_eq!(d.themes[0].metrics.mentions, 6);
        let json = serde_json::to_value(&d).expect("serialises");
        assert_eq!(json["id"], "bt_1");
        assert_eq!(json["themes"][1]["id"], "th_a");
    }
}
