//! Webhooks for both backends: the column lists and decoders of endpoints, deliveries and
//! attempts, which endpoint gets which event ([`route`]), and the events a write causes, built
//! from what the write had in hand ([`feedback_analyzed`], [`chat_feedback`], [`theme_event`]).

use super::row::Columns;
use hark_core::analysis::{SubjectAnalysis, Theme, ThemeId};
use hark_core::chat::{FeedbackInput, Usefulness};
use hark_core::webhooks::{
    Attempt, ChatFeedbackEvent, Delivery, DeliveryStatus, Endpoint, EndpointFilter, EndpointKind,
    EndpointState, EventFacts, EventType, FeedbackAnalyzed, OutboxEvent, ThemeChange, ThemeEvent,
    ThemeRef,
};
use hark_core::{EndpointId, EventId, ItemId, ProjectId, Timestamp};

/// Columns read by [`endpoint`].
pub const ENDPOINT_COLUMNS: &str = "id, project_id, url, kind, events, filter, description, \
                                    state, disabled_reason, failing_since, created_at, updated_at";

/// An endpoint from the first 12 columns of `r` ([`ENDPOINT_COLUMNS`] order).
pub fn endpoint<R: Columns>(r: &R) -> Result<Endpoint, R::Error> {
    let kind = r.text(3)?;
    let events: Vec<EventType> =
        serde_json::from_str(&r.text(4)?).map_err(|_| r.corrupt(4, "event types"))?;
    let filter: EndpointFilter =
        serde_json::from_str(&r.text(5)?).map_err(|_| r.corrupt(5, "endpoint filter"))?;
    let state = r.text(7)?;
    Ok(Endpoint {
        id: EndpointId::new(r.text(0)?),
        project_id: ProjectId::new(r.text(1)?),
        url: r.text(2)?,
        kind: EndpointKind::parse(&kind).ok_or_else(|| r.corrupt(3, "endpoint kind"))?,
        events,
        filter,
        description: r.opt_text(6)?,
        state: EndpointState::parse(&state).ok_or_else(|| r.corrupt(7, "endpoint state"))?,
        disabled_reason: r.opt_text(8)?,
        failing_since: r.opt_int(9)?.map(Timestamp::from_micros),
        created_at: Timestamp::from_micros(r.int(10)?),
        updated_at: Timestamp::from_micros(r.int(11)?),
    })
}

/// The stored form of an endpoint's event types and filter.
pub fn endpoint_json(e: &Endpoint) -> (String, String) {
    let events = serde_json::to_string(&e.events).unwrap_or_else(|_| "[]".into());
    let filter = serde_json::to_string(&e.filter).unwrap_or_else(|_| "{}".into());
    (events, filter)
}

/// Columns read by [`delivery`], from `webhook_deliveries d JOIN webhook_events e`.
pub const DELIVERY_COLUMNS: &str = "d.id, d.endpoint_id, e.event_id, e.event_type, d.status, \
                                    d.attempts, d.next_attempt_at, e.occurred_at, d.last_status";

/// A delivery from the first 9 columns of `r` ([`DELIVERY_COLUMNS`] order).
pub fn delivery<R: Columns>(r: &R) -> Result<Delivery, R::Error> {
    let event_type = r.text(3)?;
    let status = r.text(4)?;
    Ok(Delivery {
        id: r.int(0)?,
        endpoint_id: EndpointId::new(r.text(1)?),
        event_id: EventId::new(r.text(2)?),
        event_type: EventType::parse(&event_type).ok_or_else(|| r.corrupt(3, "event type"))?,
        status: DeliveryStatus::parse(&status).ok_or_else(|| r.corrupt(4, "delivery status"))?,
        attempts: u32::try_from(r.int(5)?).map_err(|_| r.corrupt(5, "attempts"))?,
        next_attempt_at: r.opt_int(6)?.map(Timestamp::from_micros),
        created_at: Timestamp::from_micros(r.int(7)?),
        last_status: r
            .opt_int(8)?
            .map(|s| u16::try_from(s).map_err(|_| r.corrupt(8, "HTTP status")))
            .transpose()?,
    })
}

/// Columns read by [`attempt`].
pub const ATTEMPT_COLUMNS: &str = "number, at, status, latency_ms, response";

/// An attempt from the first 5 columns of `r` ([`ATTEMPT_COLUMNS`] order).
pub fn attempt<R: Columns>(r: &R) -> Result<Attempt, R::Error> {
    Ok(Attempt {
        number: u32::try_from(r.int(0)?).map_err(|_| r.corrupt(0, "attempt number"))?,
        at: Timestamp::from_micros(r.int(1)?),
        status: r
            .opt_int(2)?
            .map(|s| u16::try_from(s).map_err(|_| r.corrupt(2, "HTTP status")))
            .transpose()?,
        latency_ms: u64::try_from(r.int(3)?).map_err(|_| r.corrupt(3, "latency"))?,
        response: r.text(4)?,
    })
}

/// Which endpoint gets which event: `(index in events, endpoint)` for every endpoint that wants
/// the event (only `to`, when given).
pub fn route<'a>(
    endpoints: &'a [Endpoint],
    events: &[OutboxEvent],
    to: Option<&EndpointId>,
) -> Vec<(usize, &'a Endpoint)> {
    let mut out = Vec::new();
    for (i, event) in events.iter().enumerate() {
        for e in endpoints {
            let chosen = match to {
                Some(id) => &e.id == id && e.state != EndpointState::Disabled,
                None => e.wants(event.event_type, &event.facts),
            };
            if chosen {
                out.push((i, e));
            }
        }
    }
    out
}

/// Whether any of the endpoints is subscribed to one of `types` (so a write can skip building
/// events nobody wants).
pub fn anyone_wants(endpoints: &[Endpoint], types: &[EventType]) -> bool {
    endpoints
        .iter()
        .any(|e| e.state != EndpointState::Disabled && types.iter().any(|t| e.events.contains(t)))
}

/// `feedback.analyzed` for an analysed item (`None` for chat feedback). `theme_name` gives the
/// name (or label) of a theme the mentions link to.
pub fn feedback_analyzed(
    r: &SubjectAnalysis,
    unique_id: String,
    theme_name: impl Fn(&ThemeId) -> Option<String>,
) -> Option<OutboxEvent> {
    let hark_core::analysis::Subject::Item(id) = r.subject else {
        return None;
    };
    let mut themes: Vec<ThemeRef> = Vec::new();
    for (theme, _) in r.mentions.iter().filter_map(|m| m.theme.as_ref()) {
        if themes.iter().all(|t| &t.id != theme) {
            if let Some(name) = theme_name(theme) {
                themes.push(ThemeRef {
                    id: theme.clone(),
                    name,
                });
            }
        }
    }
    let facts = EventFacts {
        category: Some(r.category),
        source: Some(r.source.clone()),
        ..EventFacts::default()
    };
    let data = FeedbackAnalyzed {
        item_id: ItemId(id),
        unique_id,
        source_id: r.source.clone(),
        category: r.category,
        sentiment: r.sentiment,
        themes,
        mentions: r.mentions.len(),
    };
    Some(OutboxEvent::new(EventType::FeedbackAnalyzed, facts, &data))
}

/// `chat_feedback.received`, and `chat_feedback.not_useful` when the stored vote is now this
/// call's NOT_USEFUL (`won`: the call's `submittedAt` was not older than the stored one).
pub fn chat_feedback(input: &FeedbackInput, won: bool) -> Vec<OutboxEvent> {
    let m = &input.message;
    let vote = input.usefulness.as_ref();
    let data = ChatFeedbackEvent {
        application_id: m.application_id.clone(),
        conversation_id: m.conversation_id.clone(),
        message_id: m.message_id.clone(),
        user_id: input.user_id.clone(),
        usefulness: vote.map(|v| v.usefulness),
        reason: vote.and_then(|v| v.reason),
        comment: vote.and_then(|v| v.comment.clone()),
        message_copied_at: input.message_copied_at,
    };
    let facts = EventFacts {
        source: Some(m.application_id.as_str().to_owned()),
        ..EventFacts::default()
    };
    let mut events = vec![OutboxEvent::new(
        EventType::ChatFeedbackReceived,
        facts.clone(),
        &data,
    )];
    if won && vote.is_some_and(|v| v.usefulness == Usefulness::NotUseful) {
        events.push(OutboxEvent::new(
            EventType::ChatFeedbackNotUseful,
            facts,
            &data,
        ));
    }
    events
}

/// A theme as events name it: its name if a person gave one, else its label.
pub fn theme_ref(t: &Theme) -> ThemeRef {
    ThemeRef {
        id: t.id.clone(),
        name: t.name.clone().unwrap_or_else(|| t.label.clone()),
    }
}

/// `theme.created` (no `change`) or `theme.updated` for `theme`, which has `mentions`.
pub fn theme_event(
    theme: &Theme,
    change: Option<ThemeChange>,
    into: Option<&Theme>,
    mentions: u64,
) -> OutboxEvent {
    let event_type = match change {
        None => EventType::ThemeCreated,
        Some(_) => EventType::ThemeUpdated,
    };
    let facts = EventFacts {
        mentions: Some(mentions),
        ..EventFacts::default()
    };
    let data = ThemeEvent {
        theme: theme_ref(theme),
        key_phrases: theme.key_phrases.clone(),
        change,
        into: into.map(theme_ref),
        mentions,
    };
    OutboxEvent::new(event_type, facts, &data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hark_core::analysis::Category;

    fn endpoint(id: &str, events: Vec<EventType>, filter: EndpointFilter) -> Endpoint {
        Endpoint {
            id: EndpointId::new(id),
            project_id: ProjectId::new("prj_1"),
            url: "https://example.com/hook".into(),
            kind: EndpointKind::Standard,
            events,
            filter,
            description: None,
            state: EndpointState::Enabled,
            disabled_reason: None,
            failing_since: None,
            created_at: Timestamp::from_micros(0),
            updated_at: Timestamp::from_micros(0),
        }
    }

    #[test]
    fn events_go_to_the_endpoints_that_want_them() {
        let bugs = EndpointFilter {
            categories: vec![Category::Bug],
            ..Default::default()
        };
        let mut off = endpoint("whk_c", vec![EventType::FeedbackAnalyzed], bugs.clone());
        off.state = EndpointState::Disabled;
        let endpoints = vec![
            endpoint("whk_a", vec![EventType::FeedbackAnalyzed], bugs),
            endpoint("whk_b", vec![EventType::ThemeCreated], Default::default()),
            off,
        ];
        let event = |category| OutboxEvent {
            facts: EventFacts {
                category: Some(category),
                ..Default::default()
            },
            ..OutboxEvent::new(EventType::FeedbackAnalyzed, EventFacts::default(), &())
        };
        let events = vec![event(Category::Bug), event(Category::Praise)];
        let routed: Vec<(usize, &str)> = route(&endpoints, &events, None)
            .into_iter()
            .map(|(i, e)| (i, e.id.as_str()))
            .collect();
        assert_eq!(routed, [(0, "whk_a")]);
        let test_send = route(&endpoints, &events[1..], Some(&EndpointId::new("whk_b")));
        assert_eq!(test_send.len(), 1);
        assert!(route(&endpoints, &events, Some(&EndpointId::new("whk_c"))).is_empty());
        assert!(anyone_wants(&endpoints, &[EventType::ThemeCreated]));
        assert!(!anyone_wants(&endpoints, &[EventType::ThemeRising]));
    }
}
