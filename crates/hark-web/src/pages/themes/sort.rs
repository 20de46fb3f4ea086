//! The orders of the theme list (`sort=mentions|users|growth`).

use hark_core::theme_view::ThemeView;
use std::cmp::Reverse;

/// How the theme list is ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sort {
    /// Most mentions first (the listing's own order: then pinned, then oldest).
    Mentions,
    /// Most distinct users first, then most mentions.
    Users,
    /// Largest rise from last week to this week first, then most mentions.
    Growth,
}

impl Sort {
    /// Every order, as the page offers them.
    pub const ALL: [Sort; 3] = [Sort::Mentions, Sort::Users, Sort::Growth];

    /// The order named in the URL; mentions for none or an unknown name.
    pub fn parse(s: Option<&str>) -> Sort {
        Sort::ALL
            .into_iter()
            .find(|o| Some(o.as_str()) == s)
            .unwrap_or(Sort::Mentions)
    }

    /// The URL's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Mentions => "mentions",
            Sort::Users => "users",
            Sort::Growth => "growth",
        }
    }

    /// As people read it.
    pub fn label(self) -> &'static str {
        match self {
            Sort::Mentions => "most mentions",
            Sort::Users => "most users",
            Sort::Growth => "fastest growing",
        }
    }

    /// Sorts `views`, which come in the listing's order (most mentions first); the sort is
    /// stable, so ties keep that order.
    pub fn apply(self, views: &mut [ThemeView]) {
        match self {
            Sort::Mentions => {}
            Sort::Users => views.sort_by_key(|v| Reverse(v.metrics.distinct_users)),
            Sort::Growth => views.sort_by_key(|v| {
                let rise = v.metrics.this_week as i128 - v.metrics.last_week as i128;
                Reverse(rise)
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hark_core::analysis::{Theme, ThemeId};
    use hark_core::theme_view::MetricsView;
    use hark_core::{ProjectId, Timestamp};

    fn view(id: &str, mentions: u64, users: u64, this: u64, last: u64) -> ThemeView {
        ThemeView {
            theme: Theme {
                id: ThemeId(id.into()),
                project: ProjectId::new("p"),
                label: id.into(),
                name: None,
                key_phrases: vec![],
                pinned: false,
                quotes: vec![],
                centroid: vec![],
                parent_id: None,
                created_at: Timestamp::from_micros(0),
                updated_at: Timestamp::from_micros(0),
            },
            metrics: MetricsView {
                mentions,
                distinct_users: users,
                this_week: this,
                last_week: last,
                ..MetricsView::empty()
            },
        }
    }

    fn ids(v: &[ThemeView]) -> Vec<&str> {
        v.iter().map(|v| v.theme.id.0.as_str()).collect()
    }

    #[test]
    fn orders_and_ties_keep_the_listing_order() {
        let listing = vec![
            view("a", 30, 2, 1, 5),
            view("b", 20, 9, 8, 1),
            view("c", 10, 9, 3, 0),
            view("d", 5, 1, 7, 0),
        ];
        let mut v = listing.clone();
        Sort::Mentions.apply(&mut v);
        assert_eq!(ids(&v), ["a", "b", "c", "d"]);
        let mut v = listing.clone();
        Sort::Users.apply(&mut v);
        assert_eq!(ids(&v), ["b", "c", "a", "d"]);
        let mut v = listing;
        Sort::Growth.apply(&mut v);
        assert_eq!(ids(&v), ["b", "d", "c", "a"], "a fell: last");
    }

    #[test]
    fn unknown_orders_are_mentions() {
        assert_eq!(Sort::parse(None), Sort::Mentions);
        assert_eq!(Sort::parse(Some("growth")), Sort::Growth);
        assert_eq!(Sort::parse(Some("GROWTH")), Sort::Mentions);
    }
}
