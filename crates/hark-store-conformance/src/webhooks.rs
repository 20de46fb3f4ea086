//! The scripted story of the [`hark_store::WebhookStore`] part every backend must pass:
//! endpoints scoped to their project, events written to the outbox by the writes that cause
//! them (and only for endpoints that want them), claims with leases and a per-endpoint bound,
//! attempts and their consequences, resends and once-keys.

#![allow(clippy::unwrap_used)]

use crate::analysis::{claim_mine, item_id, mention, plus_secs, project_with_source, result};
use crate::chat::{at, rate, vote, vote_why};
use crate::feedback::{body, item};
use hark_core::analysis::{Category, Subject, Theme, ThemeId};
use hark_core::chat::Usefulness::{NotUseful, Useful};
use hark_core::chat::UsefulnessReason;
use hark_core::webhooks::{
    Attempt, AttemptResult, ClaimedDelivery, DeliveryStatus, Endpoint, EndpointFilter,
    EndpointKind, EndpointState, EventFacts, EventType, OutboxEvent,
};
use hark_core::{EndpointId, ProjectId, Timestamp};
use hark_store::{create_application, create_project, ClaimLimits, Store, StoreError, ThemeUpdate};
use std::sync::Arc;

/// Every webhook story, in order, each on the given store.
pub async fn run_all(store: Arc<dyn Store>) {
    endpoints_are_scoped_to_their_project(store.clone()).await;
    writes_emit_their_events(store.clone()).await;
    claims_attempts_and_resends(store).await;
}

/// A new endpoint of `p` for `events` (not stored).
fn endpoint(p: &ProjectId, events: Vec<EventType>, filter: EndpointFilter) -> Endpoint {
    let now = Timestamp::now();
    Endpoint {
        id: EndpointId::generate(),
        project_id: p.clone(),
        url: "https://receiver.example.com/hooks".into(),
        kind: EndpointKind::Standard,
        events,
        filter,
        description: Some("ops".into()),
        state: EndpointState::Enabled,
        disabled_reason: None,
        failing_since: None,
        created_at: now,
        updated_at: now,
    }
}

/// Claims everything due at `now` (all projects) and keeps the deliveries of `e`.
async fn claim_for(s: &dyn Store, e: &EndpointId, now: Timestamp) -> Vec<ClaimedDelivery> {
    let limits = ClaimLimits {
        batch: 1_000,
        per_endpoint: 1_000,
    };
    let all = s
        .claim_deliveries(now, plus_secs(now, 60), limits)
        .await
        .unwrap();
    all.into_iter().filter(|d| &d.endpoint.id == e).collect()
}

fn attempt(number: u32, status: Option<u16>) -> Attempt {
    Attempt {
        number,
        at: Timestamp::now(),
        status,
        latency_ms: 12,
        response: "ok".into(),
    }
}

pub async fn endpoints_are_scoped_to_their_project(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let p = create_project(s, "hooks").await.unwrap().project.project_id;
    let other = create_project(s, "other").await.unwrap().project.project_id;
    let e = endpoint(&p, vec![EventType::ThemeCreated], EndpointFilter::default());
    s.insert_endpoint(&e, b"sealed-1").await.unwrap();
    assert!(matches!(
        s.insert_endpoint(&e, b"x").await,
        Err(StoreError::Conflict(_))
    ));
    let orphan = endpoint(&ProjectId::new("prj_missing"), vec![], Default::default());
    assert!(matches!(
        s.insert_endpoint(&orphan, b"x").await,
        Err(StoreError::NotFound("project"))
    ));
    assert_eq!(s.list_endpoints(&p).await.unwrap(), vec![e.clone()]);
    assert_eq!(s.endpoint(&p, &e.id).await.unwrap(), Some(e.clone()));
    assert_eq!(s.endpoint(&other, &e.id).await.unwrap(), None);
    assert!(s.list_endpoints(&other).await.unwrap().is_empty());

    let changed = Endpoint {
        url: "https://receiver.example.com/v2".into(),
        events: vec![EventType::ThemeCreated, EventType::ThemeRising],
        filter: EndpointFilter {
            min_mentions: Some(5),
            ..Default::default()
        },
        state: EndpointState::Disabled,
        ..e.clone()
    };
    s.update_endpoint(&changed).await.unwrap();
    let stored = s.endpoint(&p, &e.id).await.unwrap().unwrap();
    assert_eq!(stored.url, changed.url);
    assert_eq!(stored.events, changed.events);
    assert_eq!(stored.filter.min_mentions, Some(5));
    assert_eq!(stored.state, EndpointState::Disabled);
    assert!(stored.disabled_reason.is_some());
    let enabled = Endpoint {
        state: EndpointState::Enabled,
        ..stored
    };
    s.update_endpoint(&enabled).await.unwrap();
    let stored = s.endpoint(&p, &e.id).await.unwrap().unwrap();
    assert_eq!(
        (stored.state, stored.disabled_reason),
        (EndpointState::Enabled, None)
    );
    // Another project's id is unknown to every write.
    let theirs = Endpoint {
        project_id: other.clone(),
        ..enabled.clone()
    };
    assert!(matches!(
        s.update_endpoint(&theirs).await,
        Err(StoreError::NotFound("endpoint"))
    ));
    assert!(matches!(
        s.rotate_endpoint_secret(&other, &e.id, b"x", Timestamp::now())
            .await,
        Err(StoreError::NotFound("endpoint"))
    ));
    assert!(!s.delete_endpoint(&other, &e.id).await.unwrap());
    let subscribed = s.endpoints_for(EventType::ThemeRising).await.unwrap();
    assert!(subscribed.iter().any(|x| x.id == e.id));
    assert!(!s
        .endpoints_for(EventType::FeedbackAnalyzed)
        .await
        .unwrap()
        .iter()
        .any(|x| x.id == e.id));

    // Rotation keeps the previous secret beside the new one until it expires.
    let until = plus_secs(Timestamp::now(), 86_400);
    s.rotate_endpoint_secret(&p, &e.id, b"sealed-2", until)
        .await
        .unwrap();
    let n = s
        .emit_events(&p, vec![test_event()], Some(&e.id))
        .await
        .unwrap();
    assert_eq!(n, 1);
    let claimed = claim_for(s, &e.id, Timestamp::now()).await;
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].secrets.current, b"sealed-2");
    assert_eq!(
        claimed[0].secrets.previous,
        Some((b"sealed-1".to_vec(), until))
    );
    assert!(s.delete_endpoint(&p, &e.id).await.unwrap());
    assert!(s.list_endpoints(&p).await.unwrap().is_empty());
    assert!(claim_for(s, &e.id, plus_secs(Timestamp::now(), 120))
        .await
        .is_empty());
}

fn test_event() -> OutboxEvent {
    OutboxEvent::new(
        EventType::ThemeCreated,
        EventFacts::default(),
        &serde_json::json!({"test": true}),
    )
}

pub async fn writes_emit_their_events(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let (p, src) = project_with_source(s, "emit").await;
    let bugs = endpoint(
        &p,
        vec![EventType::FeedbackAnalyzed],
        EndpointFilter {
            categories: vec![Category::Bug],
            ..Default::default()
        },
    );
    let themes = endpoint(
        &p,
        vec![EventType::ThemeCreated, EventType::ThemeUpdated],
        Default::default(),
    );
    let chat = endpoint(
        &p,
        vec![
            EventType::ChatFeedbackReceived,
            EventType::ChatFeedbackNotUseful,
        ],
        Default::default(),
    );
    for e in [&bugs, &themes, &chat] {
        s.insert_endpoint(e, b"sealed").await.unwrap();
    }

    // Analysis: a bug and a praise; only the bug passes the filter.
    s.ingest(
        &src,
        vec![
            item("crash", body("It crashes on start"), vec![]),
            item("love", body("Love it"), vec![]),
        ],
    )
    .await
    .unwrap();
    let now = Timestamp::now();
    let texts = claim_mine(s, &p, now).await;
    let crash = item_id(s, &p, "crash").await;
    let results = texts
        .iter()
        .map(|t| {
            let category = if t.subject == Subject::Item(crash) {
                Category::Bug
            } else {
                Category::Praise
            };
            result(
                t,
                vec![mention(t, 0, "It crashes", category, -0.6)],
                category,
            )
        })
        .collect();
    s.save_analysis(results).await.unwrap();
    let analysed = claim_for(s, &bugs.id, Timestamp::now()).await;
    assert_eq!(analysed.len(), 1, "{analysed:?}");
    let d = &analysed[0];
    assert_eq!(d.event_type, EventType::FeedbackAnalyzed);
    assert_eq!(d.data["item_id"], crash);
    assert_eq!(d.data["unique_id"], "crash");
    assert_eq!(d.data["category"], "bug");
    assert_eq!(d.data["source_id"], src.source_id.as_str());
    assert!(d.event_id.as_str().starts_with("msg_"));
    assert_eq!(d.attempts, 0);

    // Themes: created by a discovery, then renamed, merged and deleted by a person.
    let theme = |id: &str, label: &str| Theme {
        id: ThemeId(id.into()),
        project: p.clone(),
        label: label.into(),
        name: None,
        key_phrases: vec![label.into()],
        pinned: false,
        quotes: vec![],
        centroid: vec![1.0, 0.0, 0.0, 0.0],
        parent_id: None,
        created_at: now,
        updated_at: now,
    };
    let (a, b) = (
        theme(&format!("th_a{}", p.as_str()), "login"),
        theme(&format!("th_b{}", p.as_str()), "crash"),
    );
    let update = ThemeUpdate {
        upsert: vec![a.clone(), b.clone()],
        ..Default::default()
    };
    s.apply_themes(&p, update.clone()).await.unwrap();
    // Applying the same themes again creates nothing new.
    s.apply_themes(&p, update).await.unwrap();
    s.rename_theme(&p, &a.id, Some("Sign-in".into()))
        .await
        .unwrap();
    s.merge_themes(&p, &a.id, &b.id).await.unwrap();
    assert!(s.delete_theme(&p, &b.id).await.unwrap());
    let events: Vec<(EventType, serde_json::Value)> = claim_for(s, &themes.id, Timestamp::now())
        .await
        .into_iter()
        .map(|d| (d.event_type, d.data))
        .collect();
    let summary: Vec<(EventType, &str, Option<&str>)> = events
        .iter()
        .map(|(t, d)| {
            (
                *t,
                d["theme"]["name"].as_str().unwrap(),
                d["change"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (EventType::ThemeCreated, "login", None),
            (EventType::ThemeCreated, "crash", None),
            (EventType::ThemeUpdated, "Sign-in", Some("renamed")),
            (EventType::ThemeUpdated, "Sign-in", Some("merged")),
            (EventType::ThemeUpdated, "crash", Some("deleted")),
        ]
    );
    assert_eq!(events[3].1["into"]["id"], b.id.0);

    // Chat feedback: a NOT_USEFUL vote is received and not useful; an older vote arriving
    // late is received but does not win, so it is not announced as not useful.
    let app = create_application(s, &p, "assistant", false)
        .await
        .unwrap()
        .application_id;
    let t0 = Timestamp::parse_iso8601("2026-05-01T10:00:00Z").unwrap();
    let why = vote_why(
        NotUseful,
        Some(UsefulnessReason::NotFactuallyCorrect),
        Some("Wrong refund window"),
        t0,
    );
    s.put_feedback(&p, false, rate(at(&app, 1, 1), Some("u1"), why))
        .await
        .unwrap();
    s.put_feedback(
        &p,
        false,
        rate(
            at(&app, 1, 1),
            Some("u1"),
            vote(NotUseful, plus_secs(t0, -60)),
        ),
    )
    .await
    .unwrap();
    s.put_feedback(
        &p,
        false,
        rate(at(&app, 1, 2), Some("u2"), vote(Useful, t0)),
    )
    .await
    .unwrap();
    let chat_events: Vec<(EventType, serde_json::Value)> = claim_for(s, &chat.id, Timestamp::now())
        .await
        .into_iter()
        .map(|d| (d.event_type, d.data))
        .collect();
    let types: Vec<EventType> = chat_events.iter().map(|(t, _)| *t).collect();
    assert_eq!(
        types,
        [
            EventType::ChatFeedbackReceived,
            EventType::ChatFeedbackNotUseful,
            EventType::ChatFeedbackReceived,
            EventType::ChatFeedbackReceived,
        ]
    );
    let d = &chat_events[1].1;
    assert_eq!(d["reason"], "NOT_FACTUALLY_CORRECT");
    assert_eq!(d["comment"], "Wrong refund window");
    assert_eq!(d["application_id"], app.as_str());
    assert_eq!(d["user_id"], "u1");

    // A project without endpoints gets no outbox rows; a failed write emits nothing.
    let (q, qsrc) = project_with_source(s, "quiet").await;
    s.ingest(&qsrc, vec![item("x", body("It crashes"), vec![])])
        .await
        .unwrap();
    let texts = claim_mine(s, &q, Timestamp::now()).await;
    let results = texts
        .iter()
        .map(|t| result(t, vec![], Category::Bug))
        .collect();
    s.save_analysis(results).await.unwrap();
    assert!(s
        .put_feedback(
            &q,
            false,
            rate(at(&app, 2, 1), Some("u1"), vote(NotUseful, t0))
        )
        .await
        .is_err());
    assert_eq!(
        s.list_deliveries(&p, &chat.id, None, 100)
            .await
            .unwrap()
            .len(),
        4
    );
    assert!(s.list_endpoints(&q).await.unwrap().is_empty());
}

pub async fn claims_attempts_and_resends(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let p = create_project(s, "deliveries")
        .await
        .unwrap()
        .project
        .project_id;
    let other = create_project(s, "nosy").await.unwrap().project.project_id;
    let e = endpoint(&p, vec![EventType::ThemeCreated], Default::default());
    s.insert_endpoint(&e, b"sealed").await.unwrap();
    let n = s
        .emit_events(&p, (0..5).map(|_| test_event()).collect(), None)
        .await
        .unwrap();
    assert_eq!(n, 5);
    assert!(s.pending_deliveries().await.unwrap() >= 5);

    // At most `per_endpoint` in flight; a claimed delivery is not claimed again during its
    // lease.
    let now = Timestamp::now();
    let limits = ClaimLimits {
        batch: 100,
        per_endpoint: 2,
    };
    let first: Vec<ClaimedDelivery> = s
        .claim_deliveries(now, plus_secs(now, 30), limits)
        .await
        .unwrap()
        .into_iter()
        .filter(|d| d.endpoint.id == e.id)
        .collect();
    assert_eq!(first.len(), 2);
    let again: Vec<_> = s
        .claim_deliveries(now, plus_secs(now, 30), limits)
        .await
        .unwrap()
        .into_iter()
        .filter(|d| d.endpoint.id == e.id)
        .collect();
    assert!(again.is_empty(), "{again:?}");

    // A failure to retry later: pending again at that time, the endpoint failing.
    let retry_at = plus_secs(now, 300);
    s.finish_attempt(
        first[0].id,
        &attempt(1, Some(500)),
        AttemptResult::RetryAt(retry_at),
    )
    .await
    .unwrap();
    let (d, attempts) = s.delivery(&p, first[0].id).await.unwrap().unwrap();
    assert_eq!(d.status, DeliveryStatus::Pending);
    assert_eq!(d.attempts, 1);
    assert_eq!(d.next_attempt_at, Some(retry_at));
    assert_eq!(d.last_status, Some(500));
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].status, Some(500));
    let stored = s.endpoint(&p, &e.id).await.unwrap().unwrap();
    assert_eq!(stored.state, EndpointState::Failing);
    assert!(stored.failing_since.is_some());
    // A success: delivered, the endpoint enabled again.
    s.finish_attempt(
        first[1].id,
        &attempt(1, Some(204)),
        AttemptResult::Delivered,
    )
    .await
    .unwrap();
    let (d, _) = s.delivery(&p, first[1].id).await.unwrap().unwrap();
    assert_eq!(d.status, DeliveryStatus::Delivered);
    let stored = s.endpoint(&p, &e.id).await.unwrap().unwrap();
    assert_eq!(
        (stored.state, stored.failing_since),
        (EndpointState::Enabled, None)
    );
    // The retry is due at its time, with its attempt count.
    let later = claim_for(s, &e.id, plus_secs(now, 301)).await;
    let retried = later.iter().find(|d| d.id == first[0].id).unwrap();
    assert_eq!(retried.attempts, 1);
    assert_eq!(retried.event_id, first[0].event_id);

    // 410: the endpoint is disabled and its pending deliveries fail.
    s.finish_attempt(
        retried.id,
        &attempt(2, Some(410)),
        AttemptResult::DisableEndpoint("the receiver answered 410 Gone".into()),
    )
    .await
    .unwrap();
    let stored = s.endpoint(&p, &e.id).await.unwrap().unwrap();
    assert_eq!(stored.state, EndpointState::Disabled);
    assert_eq!(
        stored.disabled_reason.as_deref(),
        Some("the receiver answered 410 Gone")
    );
    let listed = s.list_deliveries(&p, &e.id, None, 100).await.unwrap();
    assert_eq!(listed.len(), 5);
    assert!(listed.windows(2).all(|w| w[0].id > w[1].id), "newest first");
    assert!(listed.iter().all(|d| d.status != DeliveryStatus::Pending));
    let page = s
        .list_deliveries(&p, &e.id, Some(listed[1].id), 100)
        .await
        .unwrap();
    assert_eq!(page.len(), 3);
    assert!(claim_for(s, &e.id, plus_secs(now, 400)).await.is_empty());

    // A resend: pending again, same event id, once the endpoint is enabled.
    assert!(s.resend_delivery(&p, retried.id).await.unwrap());
    assert!(!s.resend_delivery(&other, retried.id).await.unwrap());
    s.update_endpoint(&Endpoint {
        state: EndpointState::Enabled,
        ..stored
    })
    .await
    .unwrap();
    let resent = claim_for(s, &e.id, plus_secs(Timestamp::now(), 1)).await;
    assert_eq!(resent.len(), 1);
    assert_eq!(resent[0].event_id, retried.event_id);

    // Another project sees none of it.
    assert!(s.delivery(&other, retried.id).await.unwrap().is_none());
    assert!(s
        .list_deliveries(&other, &e.id, None, 100)
        .await
        .unwrap()
        .is_empty());

    // Once-keys: an endpoint gets one event per key, whoever emits it.
    let once = |key: &str| OutboxEvent {
        once_key: Some(key.into()),
        ..test_event()
    };
    let emit = |key: &'static str| s.emit_events(&p, vec![once(key)], None);
    assert_eq!(emit("rising:th_1:2026-05-04").await.unwrap(), 1);
    assert_eq!(emit("rising:th_1:2026-05-04").await.unwrap(), 0);
    assert_eq!(emit("rising:th_1:2026-05-11").await.unwrap(), 1);
}
