//! A webhook endpoint of a project: where events are pushed, which ones, and its state.

use super::event::{EventFacts, EventType};
use crate::analysis::Category;
use crate::{EndpointId, ProjectId, Timestamp};
use serde::{Deserialize, Serialize};

/// How events are posted to the endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum EndpointKind {
    /// The event as JSON, signed per Standard Webhooks.
    Standard,
    /// A readable message for a Slack incoming-webhook URL (text and blocks).
    Slack,
}

impl EndpointKind {
    /// The wire and stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::Slack => "slack",
        }
    }

    /// The kind named `s`.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Standard, Self::Slack]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// Whether deliveries are attempted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum EndpointState {
    /// Deliveries are attempted.
    Enabled,
    /// Deliveries are attempted; the last ones failed (since `failing_since`).
    Failing,
    /// No deliveries: disabled by a person, by a 410 answer, or after 5 days of failures.
    Disabled,
}

impl EndpointState {
    /// The wire and stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enabled => "enabled",
            Self::Failing => "failing",
            Self::Disabled => "disabled",
        }
    }

    /// The state named `s`.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Enabled, Self::Failing, Self::Disabled]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// Which events of the subscribed types an endpoint receives; an empty list matches all.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EndpointFilter {
    /// Only feedback and themes of these categories.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<Category>,
    /// Only feedback from these sources (source ids) or applications (application ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// Only themes with at least this many mentions (`theme.*` events).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_mentions: Option<u64>,
    /// `theme.rising` when this week's mentions are at least this many times last week's
    /// (default 2.0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub growth_threshold: Option<f64>,
    /// `chat_quality.dropped` when an application's daily useful rate falls below this
    /// (default 0.5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub useful_rate_below: Option<f64>,
}

/// `theme.rising` threshold when the filter sets none.
pub const DEFAULT_GROWTH_THRESHOLD: f64 = 2.0;
/// `chat_quality.dropped` threshold when the filter sets none.
pub const DEFAULT_USEFUL_RATE_BELOW: f64 = 0.5;

impl EndpointFilter {
    /// Whether an event with these facts passes the filter. A fact the event does not have
    /// does not exclude it (a `chat_feedback.*` event has no category).
    pub fn matches(&self, facts: &EventFacts) -> bool {
        let category = self.categories.is_empty()
            || facts.category.is_none_or(|c| self.categories.contains(&c));
        let source = self.sources.is_empty()
            || facts
                .source
                .as_ref()
                .is_none_or(|s| self.sources.iter().any(|f| f == s));
        let mentions = match (self.min_mentions, facts.mentions) {
            (Some(min), Some(n)) => n >= min,
            _ => true,
        };
        let growth = match facts.growth {
            Some(g) => g >= self.growth_threshold.unwrap_or(DEFAULT_GROWTH_THRESHOLD),
            None => true,
        };
        let rate = match facts.useful_rate {
            Some(r) => r < self.useful_rate_below.unwrap_or(DEFAULT_USEFUL_RATE_BELOW),
            None => true,
        };
        category && source && mentions && growth && rate
    }
}

/// A webhook endpoint as stored and shown (never with its secret).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Endpoint {
    /// Its id.
    pub id: EndpointId,
    /// The owning project.
    #[serde(skip)]
    pub project_id: ProjectId,
    /// Where events are posted (http or https).
    pub url: String,
    /// `standard` (signed JSON) or `slack`.
    pub kind: EndpointKind,
    /// The event types it receives.
    pub events: Vec<EventType>,
    /// Which of those events it receives.
    pub filter: EndpointFilter,
    /// A note for people.
    pub description: Option<String>,
    /// Whether deliveries are attempted.
    pub state: EndpointState,
    /// Why it was disabled, when it is.
    pub disabled_reason: Option<String>,
    /// Since when deliveries fail, while it is failing.
    pub failing_since: Option<Timestamp>,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

impl Endpoint {
    /// Whether an event of this type and these facts is delivered to the endpoint.
    pub fn wants(&self, event_type: EventType, facts: &EventFacts) -> bool {
        self.state != EndpointState::Disabled
            && self.events.contains(&event_type)
            && self.filter.matches(facts)
    }
}

/// The sealed signing secrets of an endpoint, as the store keeps them: the current one and,
/// during a rotation, the previous one until it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedSecrets {
    /// The current secret, sealed with the master key.
    pub current: Vec<u8>,
    /// The previous secret and when it stops being used.
    pub previous: Option<(Vec<u8>, Timestamp)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_filter_matches_everything() {
        let facts = EventFacts {
            category: Some(Category::Bug),
            source: Some("src_1".into()),
            mentions: Some(1),
            ..EventFacts::default()
        };
        assert!(EndpointFilter::default().matches(&facts));
        assert!(EndpointFilter::default().matches(&EventFacts::default()));
    }

    #[test]
    fn each_filter_excludes_what_it_names() {
        let facts = EventFacts {
            category: Some(Category::Bug),
            source: Some("src_1".into()),
            mentions: Some(3),
            growth: None,
            useful_rate: None,
        };
        let only = |f: EndpointFilter| f.matches(&facts);
        assert!(only(EndpointFilter {
            categories: vec![Category::Bug],
            ..Default::default()
        }));
        assert!(!only(EndpointFilter {
            categories: vec![Category::Praise],
            ..Default::default()
        }));
        assert!(!only(EndpointFilter {
            sources: vec!["src_2".into()],
            ..Default::default()
        }));
        assert!(!only(EndpointFilter {
            min_mentions: Some(4),
            ..Default::default()
        }));
        // Growth 1.5 is under the default threshold 2.0, over a threshold of 1.2.
        let rising = EventFacts {
            growth: Some(1.5),
            ..facts.clone()
        };
        assert!(!EndpointFilter::default().matches(&rising));
        let low = EndpointFilter {
            growth_threshold: Some(1.2),
            ..Default::default()
        };
        assert!(low.matches(&rising));
    }

    #[test]
    fn a_useful_rate_matches_under_the_threshold() {
        let facts = |r| EventFacts {
            useful_rate: Some(r),
            ..EventFacts::default()
        };
        assert!(EndpointFilter::default().matches(&facts(0.4)));
        assert!(!EndpointFilter::default().matches(&facts(0.5)));
    }
}
