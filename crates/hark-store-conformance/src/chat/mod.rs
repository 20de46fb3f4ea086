//! The scripted chat-feedback story every backend must pass, beside
//! [`crate::feedback`]. Each function takes a store (fresh or shared: each story makes its own
//! projects) and panics on the first deviation from the contract.

#![allow(clippy::unwrap_used)]

mod stats;
pub use stats::feedback_stats;

use hark_core::chat::Usefulness::{NotUseful, Useful};
use hark_core::chat::{
    AccessKeyId, ApplicationId, ChatMessage, CitedSource, Conversation, ConversationId,
    FeedbackFilter, FeedbackInput, MessageId, MessageRef, MessageRole, MessageUsefulness, Period,
    StatsBucket, StatsQuery, StoredFeedback, Usefulness, UsefulnessReason,
};
use hark_core::crypto::MasterKey;
use hark_core::{ProjectId, Timestamp};
use hark_store::{
    access_key_secret, create_access_key, create_application, create_project, PutFeedbackOutcome,
    Store, StoreError,
};
use std::sync::Arc;
use PutFeedbackOutcome::{Stored, UnknownConversation, UnknownMessage};

/// Every chat story, in order, each on the given store.
pub async fn run_all(store: Arc<dyn Store>) {
    applications_and_keys(store.clone()).await;
    feedback_upsert_rules(store.clone()).await;
    strict_and_lenient_applications(store.clone()).await;
    concurrent_feedback_of_one_user(store.clone()).await;
    messages_and_conversations(store.clone()).await;
    feedback_listing_filters_and_pages(store.clone()).await;
    feedback_stats(store.clone()).await;
    erasure_removes_chat_data(store.clone()).await;
    chat_projects_are_isolated(store).await;
}

fn ts(s: &str) -> Timestamp {
    Timestamp::parse_iso8601(s).unwrap()
}

/// A conversation id (36 chars) numbered `n`.
pub fn conv(n: u32) -> ConversationId {
    ConversationId::parse(&format!("conv-{n:031}")).unwrap()
}

/// A message id (36 chars) numbered `n`.
pub fn msg(n: u32) -> MessageId {
    MessageId::parse(&format!("mesg-{n:031}")).unwrap()
}

/// Message `m` of conversation `c` of `app`.
pub fn at(app: &ApplicationId, c: u32, m: u32) -> MessageRef {
    MessageRef {
        application_id: app.clone(),
        conversation_id: conv(c),
        message_id: msg(m),
    }
}

/// A vote without reason or comment.
pub fn vote(usefulness: Usefulness, submitted_at: Timestamp) -> MessageUsefulness {
    MessageUsefulness {
        usefulness,
        reason: None,
        comment: None,
        submitted_at,
    }
}

/// A vote with a reason and a comment.
pub fn vote_why(
    usefulness: Usefulness,
    reason: Option<UsefulnessReason>,
    comment: Option<&str>,
    submitted_at: Timestamp,
) -> MessageUsefulness {
    MessageUsefulness {
        reason,
        comment: comment.map(str::to_string),
        ..vote(usefulness, submitted_at)
    }
}

/// A `PutFeedback` call with neither vote nor copy (`{}`).
pub fn empty(message: MessageRef, user: Option<&str>) -> FeedbackInput {
    FeedbackInput {
        message,
        user_id: user.map(str::to_string),
        message_copied_at: None,
        usefulness: None,
    }
}

/// A `PutFeedback` call with a vote.
pub fn rate(message: MessageRef, user: Option<&str>, v: MessageUsefulness) -> FeedbackInput {
    FeedbackInput {
        usefulness: Some(v),
        ..empty(message, user)
    }
}

/// A `PutFeedback` call with a copy.
pub fn copy(message: MessageRef, user: Option<&str>, at: Timestamp) -> FeedbackInput {
    FeedbackInput {
        message_copied_at: Some(at),
        ..empty(message, user)
    }
}

/// A message to record, of user `u1`.
pub fn message(at: MessageRef, role: MessageRole, text: &str, created: Timestamp) -> ChatMessage {
    ChatMessage {
        message: at,
        role,
        text: text.into(),
        user_id: Some("u1".into()),
        created_at: created,
        sources: Vec::new(),
    }
}

/// A project with one application, and short calls scoped to the project.
struct Ctx<'a> {
    s: &'a dyn Store,
    p: ProjectId,
    app: ApplicationId,
}

impl<'a> Ctx<'a> {
    async fn new(s: &'a dyn Store, name: &str, strict: bool) -> Self {
        let p = create_project(s, name).await.unwrap().project.project_id;
        let app = create_application(s, &p, "assistant", strict).await;
        let app = app.unwrap().application_id;
        Self { s, p, app }
    }

    async fn another_app(&self) -> ApplicationId {
        let a = create_application(self.s, &self.p, "second", false).await;
        a.unwrap().application_id
    }

    /// Feedback as to a lenient application.
    async fn put(&self, f: FeedbackInput) -> PutFeedbackOutcome {
        self.s.put_feedback(&self.p, false, f).await.unwrap()
    }

    async fn put_strict(&self, f: FeedbackInput) -> PutFeedbackOutcome {
        self.s.put_feedback(&self.p, true, f).await.unwrap()
    }

    async fn all(&self) -> Vec<StoredFeedback> {
        let all = FeedbackFilter::default();
        let page = self.s.list_feedback(&self.p, &all, None, 1000).await;
        page.unwrap().feedback
    }

    async fn count(&self, f: FeedbackFilter) -> usize {
        let page = self.s.list_feedback(&self.p, &f, None, 1000).await;
        page.unwrap().feedback.len()
    }

    /// Records an assistant answer.
    async fn answer(&self, at: MessageRef, text: &str, when: &str) {
        let m = message(at, MessageRole::Assistant, text, ts(when));
        self.s.record_message(&self.p, m).await.unwrap();
    }

    async fn conversation(&self, app: &ApplicationId, c: u32) -> Option<Conversation> {
        self.s
            .get_conversation(&self.p, app, &conv(c))
            .await
            .unwrap()
    }
}

/// A privacy request for a user id removes their chat feedback and recorded messages (and other
/// feedback on those messages), and nothing of anyone else.
pub async fn erasure_removes_chat_data(store: Arc<dyn Store>) {
    let c = Ctx::new(store.as_ref(), "chat-erase", false).await;
    let t = ts("2026-05-01T10:00:00Z");
    // u1's conversation 1: two recorded messages (user u1), rated by u1 and by a reviewer.
    c.answer(at(&c.app, 1, 1), "question", "2026-05-01T09:00:00Z")
        .await;
    c.answer(at(&c.app, 1, 2), "answer", "2026-05-01T09:00:01Z")
        .await;
    c.put(rate(at(&c.app, 1, 2), Some("u1"), vote(Useful, t)))
        .await;
    c.put(rate(at(&c.app, 1, 2), Some("reviewer"), vote(NotUseful, t)))
        .await;
    // u1's vote elsewhere, and someone else's feedback that must stay.
    c.put(rate(at(&c.app, 2, 3), Some("u1"), vote(NotUseful, t)))
        .await;
    c.put(rate(at(&c.app, 2, 3), Some("u2"), vote(Useful, t)))
        .await;
    let subject = hark_core::ErasureSubject::UserId("u1".into());
    let r = c.s.erase_subject(&c.p, &subject).await.unwrap();
    assert_eq!((r.chat_feedback_deleted, r.chat_messages_deleted), (3, 2));
    let left = c.all().await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].user_id.as_deref(), Some("u2"));
    assert!(c
        .conversation(&c.app, 1)
        .await
        .is_none_or(|v| v.messages.is_empty()));
    let r = c.s.erase_subject(&c.p, &subject).await.unwrap();
    assert_eq!((r.chat_feedback_deleted, r.chat_messages_deleted), (0, 0));
}

/// Applications and access keys: create, list, get, revoke; secrets sealed under the master key.
pub async fn applications_and_keys(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let p = create_project(s, "apps").await.unwrap().project.project_id;
    let a1 = create_application(s, &p, "support", false).await.unwrap();
    let a2 = create_application(s, &p, "docs", true).await.unwrap();
    assert_eq!(
        s.list_applications(&p).await.unwrap(),
        [a1.clone(), a2.clone()]
    );
    let got = s.get_application(&a2.application_id).await.unwrap();
    assert_eq!(got, Some(a2.clone()));
    assert!(got.unwrap().strict);
    let unknown = ApplicationId::parse(&"a".repeat(36)).unwrap();
    assert_eq!(s.get_application(&unknown).await.unwrap(), None);
    let missing = ProjectId::new("prj_missing");
    let r = create_application(s, &missing, "x", false).await;
    assert!(matches!(r, Err(StoreError::NotFound(_))), "{r:?}");
    let r = s.insert_application(&a1).await;
    assert!(matches!(r, Err(StoreError::Conflict(_))), "{r:?}");

    let master = MasterKey::generate();
    let (k1, secret1) = create_access_key(s, &master, &p).await.unwrap();
    let (k2, _) = create_access_key(s, &master, &p).await.unwrap();
    assert_eq!(secret1.len(), 40);
    assert_eq!(
        s.list_access_keys(&p).await.unwrap(),
        [k1.clone(), k2.clone()]
    );
    let opened = access_key_secret(s, &master, &k1.access_key_id).await;
    assert_eq!(opened.unwrap(), Some((k1.clone(), secret1.clone())));
    // What the store holds is sealed, not the secret.
    let (_, sealed) = s.access_key(&k1.access_key_id).await.unwrap().unwrap();
    assert!(!sealed.windows(40).any(|w| w == secret1.as_bytes()));
    let other_master = MasterKey::generate();
    let err = access_key_secret(s, &other_master, &k1.access_key_id).await;
    let err = err.unwrap_err();
    assert!(matches!(err, StoreError::Crypto(_)), "{err:?}");
    assert!(!format!("{err} {err:?}").contains(&secret1));
    let nobody = AccessKeyId::new("HKIANOSUCHKEY0000000");
    assert!(access_key_secret(s, &master, &nobody)
        .await
        .unwrap()
        .is_none());
    let r = create_access_key(s, &master, &missing).await;
    assert!(matches!(r, Err(StoreError::NotFound(_))), "{r:?}");

    s.revoke_access_key(&p, &k1.access_key_id).await.unwrap();
    let revoked = s.list_access_keys(&p).await.unwrap()[0].revoked_at;
    assert!(revoked.is_some());
    s.revoke_access_key(&p, &k1.access_key_id).await.unwrap();
    let keys = s.list_access_keys(&p).await.unwrap();
    assert_eq!(
        keys[0].revoked_at, revoked,
        "a second revocation keeps the first time"
    );
    assert_eq!(keys[1].revoked_at, None);
    // Revoked keys are still returned for verification; the caller refuses them.
    let found = access_key_secret(s, &master, &k1.access_key_id).await;
    assert!(found.unwrap().unwrap().0.revoked_at.is_some());
    let r = s.revoke_access_key(&p, &nobody).await;
    assert!(matches!(r, Err(StoreError::NotFound(_))), "{r:?}");
}

/// One record per (message, user); the later `submittedAt` wins; `messageCopiedAt` is kept.
pub async fn feedback_upsert_rules(store: Arc<dyn Store>) {
    let c = Ctx::new(store.as_ref(), "upsert", false).await;
    let m = || at(&c.app, 1, 1);
    let u1 = Some("u1");
    let t1 = ts("2026-03-15T10:00:00Z");
    let t2 = ts("2026-03-15T10:05:00.250Z");
    let good = vote_why(Useful, Some(UsefulnessReason::Helpful), Some("great"), t2);
    let bad = vote_why(
        NotUseful,
        Some(UsefulnessReason::NotComplete),
        Some("meh"),
        t1,
    );

    assert_eq!(c.put(rate(m(), u1, good.clone())).await, Stored);
    let stored_at = c.all().await[0].updated_at;
    // A delayed retry of an older vote keeps the newer one, and is still answered Stored; as
    // it changes nothing, the record's `updated_at` stays, as it does for an empty call.
    assert_eq!(c.put(rate(m(), u1, bad.clone())).await, Stored);
    assert_eq!(c.put(empty(m(), u1)).await, Stored);
    let f = c.all().await;
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].usefulness, Some(good.clone()));
    assert_eq!(f[0].updated_at, stored_at, "nothing changed");
    assert_eq!((&f[0].message, f[0].user_id.as_deref()), (&m(), u1));

    // A copy without a vote keeps the vote; then a vote without a copy keeps the copy.
    let copied = ts("2026-03-15T10:06:00Z");
    c.put(copy(m(), u1, copied)).await;
    assert_eq!(c.all().await[0].usefulness, Some(good.clone()));
    let t3 = ts("2026-03-15T11:00:00Z");
    c.put(rate(m(), u1, vote(NotUseful, t3))).await;
    let f = c.all().await;
    assert_eq!(f.len(), 1);
    let reason_and_comment_go_with_the_vote = Some(vote(NotUseful, t3));
    assert_eq!(f[0].usefulness, reason_and_comment_go_with_the_vote);
    assert_eq!(f[0].message_copied_at, Some(copied));
    assert!(f[0].updated_at >= f[0].received_at);
    // An equal submittedAt replaces (the later arrival wins a tie); `{}` keeps everything.
    let tie = vote_why(Useful, None, Some("changed my mind"), t3);
    c.put(rate(m(), u1, tie.clone())).await;
    assert_eq!(c.put(empty(m(), u1)).await, Stored);
    let f = c.all().await;
    assert_eq!(f.len(), 1);
    assert_eq!(
        (&f[0].usefulness, f[0].message_copied_at),
        (&Some(tie), Some(copied))
    );

    // No userId and another user are records of their own; so is the same message id in
    // another conversation (message ids are unique per conversation).
    c.put(rate(m(), None, bad.clone())).await;
    c.put(rate(m(), Some("u2"), bad.clone())).await;
    c.put(rate(at(&c.app, 2, 1), u1, bad.clone())).await;
    let f = c.all().await;
    assert_eq!(f.len(), 4);
    let anon: Vec<_> = f.iter().filter(|f| f.user_id.is_none()).collect();
    assert_eq!(anon.len(), 1);
    assert_eq!(anon[0].usefulness, Some(bad.clone()));
    // `{}` alone creates a record with neither vote nor copy.
    c.put(empty(at(&c.app, 3, 1), Some("u9"))).await;
    let f = c.all().await;
    let e = f
        .iter()
        .find(|f| f.message.conversation_id == conv(3))
        .unwrap();
    assert_eq!((&e.usefulness, e.message_copied_at), (&None, None));

    // Feedback through another project on this application is refused and writes nothing.
    let other = Ctx::new(store.as_ref(), "upsert-other", false).await;
    let r = other.s.put_feedback(&other.p, false, empty(m(), u1)).await;
    assert!(matches!(r, Err(StoreError::NotFound(_))), "{r:?}");
    assert!(other.all().await.is_empty());
}

/// Strict applications answer unknown conversation/message and write nothing; lenient ones
/// create both on first feedback.
pub async fn strict_and_lenient_applications(store: Arc<dyn Store>) {
    let c = Ctx::new(store.as_ref(), "strict", true).await;
    let (strict, lenient) = (c.app.clone(), c.another_app().await);
    let v = vote(Useful, ts("2026-03-15T10:00:00Z"));
    let f = |a: &ApplicationId, conv, m| rate(at(a, conv, m), Some("u1"), v.clone());

    assert_eq!(c.put_strict(f(&strict, 1, 1)).await, UnknownConversation);
    assert!(c.conversation(&strict, 1).await.is_none());
    c.answer(at(&strict, 1, 1), "hello", "2026-03-15T09:00:00Z")
        .await;
    assert_eq!(c.put_strict(f(&strict, 1, 2)).await, UnknownMessage);
    assert!(c.all().await.is_empty(), "nothing written");
    assert!(c.conversation(&strict, 2).await.is_none());
    assert_eq!(c.put_strict(f(&strict, 1, 1)).await, Stored);
    assert_eq!(c.all().await.len(), 1);
    let conv1 = c.conversation(&strict, 1).await.unwrap();
    assert_eq!((conv1.messages.len(), conv1.feedback.len()), (1, 1));

    // Lenient: conversation and message created by the feedback; the message has no text, so
    // it is not listed among the conversation's messages, but its feedback is.
    assert_eq!(c.put(f(&lenient, 7, 7)).await, Stored);
    let conv7 = c.conversation(&lenient, 7).await.unwrap();
    assert!(conv7.messages.is_empty());
    assert_eq!(conv7.feedback.len(), 1);
    assert_eq!(conv7.feedback[0].message, at(&lenient, 7, 7));
    // A message created by feedback is not recorded: a strict check still refuses it.
    assert_eq!(c.put_strict(f(&lenient, 7, 7)).await, UnknownMessage);
    // Recording it afterwards fills it in.
    c.answer(at(&lenient, 7, 7), "later", "2026-03-15T09:00:00Z")
        .await;
    let conv7 = c.conversation(&lenient, 7).await.unwrap();
    assert_eq!(conv7.messages.len(), 1);
    assert_eq!(conv7.messages[0].text, "later");
}

/// 16 concurrent submissions by one user on one message: one record, the latest vote.
pub async fn concurrent_feedback_of_one_user(store: Arc<dyn Store>) {
    let c = Ctx::new(store.as_ref(), "race-chat", false).await;
    let base = ts("2026-03-15T10:00:00Z").as_micros();
    let mut tasks = Vec::new();
    for n in 0..16i64 {
        let (store, p, m) = (store.clone(), c.p.clone(), at(&c.app, 1, 1));
        tasks.push(tokio::spawn(async move {
            let u = if n % 2 == 0 { Useful } else { NotUseful };
            let when = Timestamp::from_micros(base + n * 1_000_000);
            let v = vote_why(u, None, Some(&format!("n{n}")), when);
            store.put_feedback(&p, false, rate(m, Some("u"), v)).await
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap(), Stored);
    }
    let f = c.all().await;
    assert_eq!(f.len(), 1);
    let v = f[0].usefulness.clone().unwrap();
    assert_eq!(v.submitted_at, Timestamp::from_micros(base + 15_000_000));
    assert_eq!(
        (v.usefulness, v.comment.as_deref()),
        (NotUseful, Some("n15"))
    );
}

/// Recorded messages come back in order with their sources; re-recording updates them.
pub async fn messages_and_conversations(store: Arc<dyn Store>) {
    let c = Ctx::new(store.as_ref(), "messages", false).await;
    let (s, p, app) = (c.s, &c.p, &c.app);
    let t = |m: &str| ts(&format!("2026-03-15T10:{m}:00Z"));
    let question = message(at(app, 1, 1), MessageRole::User, "How to reset?", t("00"));
    let mut answer = message(at(app, 1, 2), MessageRole::Assistant, "Hold it.", t("01"));
    answer.sources = vec![CitedSource {
        title: Some("Manual".into()),
        url: Some("https://example.com/manual".into()),
        snippet: None,
    }];
    // Recorded out of order: listed by created_at, then by arrival.
    s.record_message(p, answer.clone()).await.unwrap();
    s.record_message(p, question.clone()).await.unwrap();
    let follow = message(at(app, 1, 3), MessageRole::User, "Thanks", t("01"));
    s.record_message(p, follow.clone()).await.unwrap();
    c.put(rate(at(app, 1, 2), Some("u1"), vote(Useful, t("02"))))
        .await;
    c.put(copy(at(app, 2, 9), Some("u1"), t("03"))).await;

    let conv1 = c.conversation(app, 1).await.unwrap();
    assert_eq!(
        (&conv1.application_id, &conv1.conversation_id),
        (app, &conv(1))
    );
    assert_eq!(conv1.messages, [question, answer.clone(), follow]);
    assert_eq!(conv1.feedback.len(), 1, "only this conversation's feedback");

    // Re-recording overwrites the text; sources and user id are kept when not sent.
    let mut edited = answer.clone();
    edited.text = "Hold it for 5 s.".into();
    edited.sources = Vec::new();
    edited.user_id = None;
    s.record_message(p, edited).await.unwrap();
    let conv1 = c.conversation(app, 1).await.unwrap();
    assert_eq!(conv1.messages.len(), 3);
    assert_eq!(conv1.messages[1].text, "Hold it for 5 s.");
    assert_eq!(conv1.messages[1].sources, answer.sources);
    assert_eq!(conv1.messages[1].user_id.as_deref(), Some("u1"));
    assert!(c.conversation(app, 3).await.is_none());

    let unknown = ApplicationId::parse(&"b".repeat(36)).unwrap();
    let m = message(at(&unknown, 1, 1), MessageRole::User, "x", t("00"));
    let r = s.record_message(p, m).await;
    assert!(matches!(r, Err(StoreError::NotFound(_))), "{r:?}");
}

/// Every filter of the feedback listing, and pages that neither overlap nor skip.
pub async fn feedback_listing_filters_and_pages(store: Arc<dyn Store>) {
    let c = Ctx::new(store.as_ref(), "list-chat", false).await;
    let (a1, a2) = (c.app.clone(), c.another_app().await);
    let base = ts("2026-03-15T00:00:00Z").as_micros();
    let minute = |n: u32| Timestamp::from_micros(base + i64::from(n) * 60_000_000);
    for n in 0..30u32 {
        let app = if n % 3 == 0 { &a2 } else { &a1 };
        let u = if n % 2 == 0 { Useful } else { NotUseful };
        let reason = (n % 5 == 0).then_some(UsefulnessReason::Other);
        let comment = [Some("has a comment"), Some(""), None][(n % 6).min(2) as usize];
        let v = vote_why(u, reason, comment, minute(n));
        c.put(rate(at(app, n / 10, n), Some(&format!("u{}", n % 4)), v))
            .await;
    }
    // A copy-only record: its event time is the copy time.
    c.put(copy(at(&a1, 9, 99), None, minute(100))).await;
    // Events at the same instant, to page through ties.
    for n in 0..3u32 {
        c.put(rate(
            at(&a1, 8, 200 + n),
            Some("tie"),
            vote(Useful, minute(200)),
        ))
        .await;
    }

    let all = FeedbackFilter::default();
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = c.s.list_feedback(&c.p, &all, cursor, 4).await.unwrap();
        assert!(page.feedback.len() <= 4);
        seen.extend(page.feedback.into_iter().map(|f| (f.message, f.user_id)));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen.len(), 34);
    let mut dedup: Vec<_> = seen.iter().map(|x| format!("{x:?}")).collect();
    dedup.sort();
    dedup.dedup();
    assert_eq!(dedup.len(), 34, "pages overlap");
    assert_eq!(
        seen[3].0,
        at(&a1, 9, 99),
        "newest event first: 3 ties, then the copy"
    );
    assert_eq!(seen[4].0, at(&a1, 2, 29));

    let app2 = FeedbackFilter {
        application_id: Some(a2.clone()),
        ..all.clone()
    };
    assert_eq!(c.count(app2).await, 10);
    let not_useful = FeedbackFilter {
        usefulness: Some(NotUseful),
        ..all.clone()
    };
    assert_eq!(c.count(not_useful).await, 15);
    let other = Some(UsefulnessReason::Other);
    assert_eq!(
        c.count(FeedbackFilter {
            reason: other,
            ..all.clone()
        })
        .await,
        6
    );
    let u1 = Some("u1".to_string());
    assert_eq!(
        c.count(FeedbackFilter {
            user_id: u1,
            ..all.clone()
        })
        .await,
        8
    );
    let commented = Some(true);
    assert_eq!(
        c.count(FeedbackFilter {
            has_comment: commented,
            ..all.clone()
        })
        .await,
        5
    );
    let uncommented = Some(false);
    assert_eq!(
        c.count(FeedbackFilter {
            has_comment: uncommented,
            ..all.clone()
        })
        .await,
        29
    );
    let (from, to) = (Some(minute(10)), Some(minute(20)));
    let range = FeedbackFilter {
        from,
        to,
        ..all.clone()
    };
    assert_eq!(c.count(range.clone()).await, 10);
    let combined = FeedbackFilter {
        application_id: Some(a1.clone()),
        usefulness: Some(Useful),
        ..range
    };
    // n in 10..20, n % 3 != 0, n even: 10, 14, 16.
    assert_eq!(c.count(combined).await, 3);
}

/// Nothing chat-related of one project is visible or changeable through another.
pub async fn chat_projects_are_isolated(store: Arc<dyn Store>) {
    let a = Ctx::new(store.as_ref(), "chat-iso-a", false).await;
    let b = Ctx::new(store.as_ref(), "chat-iso-b", false).await;
    let (s, app) = (a.s, &a.app);
    let master = MasterKey::generate();
    let (key, _) = create_access_key(s, &master, &a.p).await.unwrap();
    a.answer(at(app, 1, 1), "secret answer", "2026-03-15T10:00:00Z")
        .await;
    let v = vote_why(NotUseful, None, Some("private"), ts("2026-03-15T10:01:00Z"));
    a.put(rate(at(app, 1, 1), Some("u1"), v.clone())).await;

    assert_eq!(
        s.list_applications(&b.p).await.unwrap(),
        [s.get_application(&b.app).await.unwrap().unwrap()]
    );
    assert!(s.list_access_keys(&b.p).await.unwrap().is_empty());
    let r = s.revoke_access_key(&b.p, &key.access_key_id).await;
    assert!(matches!(r, Err(StoreError::NotFound(_))), "{r:?}");
    assert!(b.all().await.is_empty());
    assert!(b.conversation(app, 1).await.is_none());
    let q = StatsQuery {
        application_id: None,
        from: None,
        to: None,
        period: Period::Week,
        top: 10,
    };
    for q in [
        q.clone(),
        StatsQuery {
            application_id: Some(app.clone()),
            ..q
        },
    ] {
        let st = s.feedback_stats(&b.p, &q).await.unwrap();
        assert!(st.buckets.is_empty() && st.most_not_useful.is_empty());
    }
    // Writes through B into A's application are refused and leave A untouched.
    let r = s
        .put_feedback(&b.p, false, empty(at(app, 1, 1), Some("u1")))
        .await;
    assert!(matches!(r, Err(StoreError::NotFound(_))), "{r:?}");
    let overwrite = message(
        at(app, 1, 1),
        MessageRole::Assistant,
        "overwrite",
        ts("2026-03-15T10:00:00Z"),
    );
    let r = s.record_message(&b.p, overwrite).await;
    assert!(matches!(r, Err(StoreError::NotFound(_))), "{r:?}");
    let conv1 = a.conversation(app, 1).await.unwrap();
    assert_eq!(conv1.messages[0].text, "secret answer");
    assert_eq!(conv1.feedback[0].usefulness, Some(v));
    assert_eq!(s.list_access_keys(&a.p).await.unwrap()[0].revoked_at, None);
}
