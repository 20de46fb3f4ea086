//! The scripted analysis story every backend must pass , beside
//! [`crate::feedback`]. Each function takes a store (fresh or shared: each story makes its own
//! projects, and only looks at its own subjects in claims, which span every project) and panics
//! on the first deviation from the contract.

#![allow(clippy::unwrap_used)]

use crate::chat::{at, copy, rate, vote_why};
use crate::feedback::{body, item, part};
use hark_core::analysis::{
    Category, LabelledExample, MentionFilter, MentionRecord, Sentiment, Speaker, Subject,
    SubjectAnalysis, SubjectKind, SubjectText, Theme, ThemeId,
};
use hark_core::chat::Usefulness::NotUseful;
use hark_core::chat::UsefulnessReason;
use hark_core::{ErasureSubject, Fields, ItemFilter, ProjectId, Source, SourceKind, Timestamp};
use hark_store::{
    create_application, create_project, create_source, QueueDepth, Store, StoreError, ThemeUpdate,
};
use std::sync::Arc;

mod filters;
mod themes;
pub use filters::items_filtered_by_analysis;
mod broad;
pub use broad::broad_themes_group_themes;
pub use themes::{analysis_projects_are_isolated, metrics_and_mention_listing, themes_lifecycle};

/// Every analysis story, in order, each on the given store.
pub async fn run_all(store: Arc<dyn Store>) {
    queue_claims_texts_with_speakers_and_leases(store.clone()).await;
    results_apply_only_at_the_current_generation(store.clone()).await;
    manual_categories_and_examples(store.clone()).await;
    deletion_and_erasure_forget_the_analysis(store.clone()).await;
    chat_feedback_comments_are_analysed(store.clone()).await;
    themes_lifecycle(store.clone()).await;
    metrics_and_mention_listing(store.clone()).await;
    analysis_projects_are_isolated(store.clone()).await;
    broad_themes_group_themes(store.clone()).await;
    items_filtered_by_analysis(store).await;
}

fn ts(s: &str) -> Timestamp {
    Timestamp::parse_iso8601(s).unwrap()
}

pub(crate) fn plus_secs(t: Timestamp, s: i64) -> Timestamp {
    Timestamp::from_micros(t.as_micros() + s * 1_000_000)
}

pub(crate) async fn project_with_source(s: &dyn Store, name: &str) -> (ProjectId, Source) {
    let p = create_project(s, name).await.unwrap().project.project_id;
    let src = create_source(s, &p, "web", SourceKind::Webhook).await;
    (p, src.unwrap())
}

/// Claims everything ready (leasing it for a minute after `now`) and keeps this project's.
pub(crate) async fn claim_mine(s: &dyn Store, p: &ProjectId, now: Timestamp) -> Vec<SubjectText> {
    let all = s.claim_analysis(10_000, now, plus_secs(now, 60)).await;
    let mut mine: Vec<_> = all
        .unwrap()
        .into_iter()
        .filter(|t| &t.project == p)
        .collect();
    mine.sort_by_key(|t| t.subject);
    mine
}

/// The item of the project with this unique id.
pub(crate) async fn item_id(s: &dyn Store, p: &ProjectId, unique_id: &str) -> i64 {
    let page = s.list_items(p, &ItemFilter::default(), None, 100).await;
    let page = page.unwrap();
    page.items
        .iter()
        .find(|i| i.unique_id == unique_id)
        .unwrap()
        .id
        .0
}

/// A unit vector along `axis` of 4 dimensions, tilted by `tilt` toward the next axis.
pub(crate) fn vector(axis: usize, tilt: f32) -> Vec<f32> {
    let mut v = vec![0.0; 4];
    v[axis % 4] = 1.0;
    v[(axis + 1) % 4] = tilt;
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.into_iter().map(|x| x / n).collect()
}

/// A mention of the first unit of `t`.
pub(crate) fn mention(
    t: &SubjectText,
    ordinal: u32,
    text: &str,
    category: Category,
    score: f32,
) -> MentionRecord {
    let unit = &t.units[0];
    MentionRecord {
        part_id: unit.part_id,
        ordinal,
        text: text.into(),
        user_key: unit.user_key.clone(),
        created_at: unit.created_at,
        sentiment: Sentiment::from_score(score),
        category,
        confidence: 0.9,
        theme: None,
        embedding: vector(ordinal as usize, 0.1),
    }
}

/// The result of analysing `t` into `mentions`.
pub(crate) fn result(
    t: &SubjectText,
    mentions: Vec<MentionRecord>,
    category: Category,
) -> SubjectAnalysis {
    SubjectAnalysis {
        project: t.project.clone(),
        subject: t.subject,
        generation: t.generation,
        source: t.source.clone(),
        mentions,
        sentiment: Sentiment::from_score(-0.4),
        category,
        confidence: 0.8,
    }
}

/// A result with one mention per unit, all of `category`.
fn simple(t: &SubjectText, category: Category) -> SubjectAnalysis {
    let mentions = (0..t.units.len())
        .map(|i| MentionRecord {
            part_id: t.units[i].part_id,
            text: t.units[i].text.clone(),
            user_key: t.units[i].user_key.clone(),
            created_at: t.units[i].created_at,
            ..mention(t, i as u32, "", category, -0.4)
        })
        .collect();
    result(t, mentions, category)
}

fn depth(ready: u64, leased: u64) -> QueueDepth {
    QueueDepth { ready, leased }
}

/// Ingest queues items; a claim loads the texts with their speakers and leases them; a lease
/// keeps others off until it runs out.
pub async fn queue_claims_texts_with_speakers_and_leases(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let (p, src) = project_with_source(s, "queue").await;
    let jane = |t: &str, at: &str| Fields {
        user_id: Some("user-123".into()),
        author: Some("Jane Doe".into()),
        created_at: Some(ts(at)),
        ..body(t)
    };
    let mut agent = part("t1-1", "Thanks, we are looking into it");
    agent.fields.email = Some("agent@company.com".into());
    agent.fields.author = Some("Support Agent".into());
    agent.fields.created_at = Some(ts("2026-03-02T10:05:00Z"));
    let mut follow_up = part("t1-2", "Still broken after the update");
    follow_up.fields = jane("Still broken after the update", "2026-03-02T10:10:00Z");
    let mut anonymous = part("t1-3", "also the CSV is empty");
    anonymous.fields.created_at = Some(ts("2026-03-02T10:15:00Z"));
    let ticket = jane("The export button crashes the app", "2026-03-02T10:00:00Z");
    let mut rep = part("c1-1", "Hi, this is Sam from sales");
    rep.fields.author = Some("Sales Rep".into());
    let mut buyer = part("c1-2", "We need SSO before we buy");
    buyer.fields.user_id = Some("user-456".into());
    let call = Fields {
        author: Some("Sales Rep".into()),
        ..Fields::default()
    };
    let items = vec![
        item("t1", ticket, vec![agent, follow_up, anonymous]),
        item("c1", call, vec![rep, buyer]),
    ];
    s.ingest(&src, items).await.unwrap();
    assert_eq!(s.queue_depth(Some(&p)).await.unwrap(), depth(2, 0));

    let now = Timestamp::now();
    let claimed = claim_mine(s, &p, now).await;
    assert_eq!(claimed.len(), 2, "{claimed:?}");
    let (t1, c1) = (item_id(s, &p, "t1").await, item_id(s, &p, "c1").await);
    let ticket = claimed
        .iter()
        .find(|t| t.subject == Subject::Item(t1))
        .unwrap();
    assert_eq!(ticket.source, src.source_id.as_str());
    assert_eq!(
        (ticket.reason.as_deref(), ticket.user_category),
        (None, None)
    );
    let units: Vec<_> = ticket
        .units
        .iter()
        .map(|u| {
            (
                u.text.as_str(),
                u.speaker,
                u.user_key.as_deref(),
                u.part_id.is_some(),
            )
        })
        .collect();
    assert_eq!(
        units,
        [
            (
                "The export button crashes the app",
                Speaker::Customer,
                Some("user-123"),
                false
            ),
            (
                "Thanks, we are looking into it",
                Speaker::Staff,
                Some("agent@company.com"),
                true
            ),
            (
                "Still broken after the update",
                Speaker::Customer,
                Some("user-123"),
                true
            ),
            (
                "also the CSV is empty",
                Speaker::Customer,
                Some("user-123"),
                true
            ),
        ]
    );
    assert_eq!(ticket.units[0].created_at, ts("2026-03-02T10:00:00Z"));
    assert_eq!(ticket.units[1].created_at, ts("2026-03-02T10:05:00Z"));
    let call = claimed
        .iter()
        .find(|t| t.subject == Subject::Item(c1))
        .unwrap();
    let speakers: Vec<_> = call
        .units
        .iter()
        .map(|u| (u.speaker, u.user_key.as_deref()))
        .collect();
    assert_eq!(
        speakers,
        [
            (Speaker::Staff, Some("Sales Rep")),
            (Speaker::Customer, Some("user-456"))
        ]
    );
    assert_eq!(s.queue_depth(Some(&p)).await.unwrap(), depth(0, 2));

    // Leased: a second claim before the lease runs out gets nothing of them.
    assert!(claim_mine(s, &p, plus_secs(now, 30)).await.is_empty());
    // The worker died: once the lease ran out, they are claimed again, same generation.
    let again = claim_mine(s, &p, plus_secs(now, 61)).await;
    let generations = |v: &[SubjectText]| {
        v.iter()
            .map(|t| (t.subject, t.generation))
            .collect::<Vec<_>>()
    };
    assert_eq!(generations(&again), generations(&claimed));
    let saved = s.save_analysis(again.iter().map(|t| simple(t, Category::Bug)).collect());
    assert_eq!(saved.await.unwrap(), 2);
    assert_eq!(s.queue_depth(Some(&p)).await.unwrap(), depth(0, 0));
    assert!(claim_mine(s, &p, plus_secs(now, 200)).await.is_empty());
    assert!(s.claim_analysis(0, now, now).await.unwrap().is_empty());
}

/// A result claimed before a re-ingest is dropped; the newer generation is analysed and saved,
/// replacing the previous mentions.
pub async fn results_apply_only_at_the_current_generation(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let (p, src) = project_with_source(s, "generations").await;
    s.ingest(&src, vec![item("r1", body("Search is slow"), vec![])])
        .await
        .unwrap();
    let subject = Subject::Item(item_id(s, &p, "r1").await);
    let now = Timestamp::now();
    let old = claim_mine(s, &p, now).await.remove(0);
    // Re-ingested while being analysed: a new generation, ready at once.
    s.ingest(
        &src,
        vec![item("r1", body("Search is slow and wrong"), vec![])],
    )
    .await
    .unwrap();
    assert_eq!(s.queue_depth(Some(&p)).await.unwrap(), depth(1, 0));
    let stale = s.save_analysis(vec![simple(&old, Category::Bug)]).await;
    assert_eq!(stale.unwrap(), 0);
    assert!(s.analysis(&p, subject).await.unwrap().is_none());

    let new = claim_mine(s, &p, now).await.remove(0);
    assert!(new.generation > old.generation);
    assert_eq!(new.units[0].text, "Search is slow and wrong");
    let two = vec![
        mention(&new, 0, "Search is slow", Category::Complaint, -0.5),
        mention(&new, 1, "and wrong", Category::Bug, -0.6),
    ];
    let saved = s
        .save_analysis(vec![result(&new, two, Category::Bug)])
        .await;
    assert_eq!(saved.unwrap(), 1);
    // Saving the same generation twice applies nothing more.
    assert_eq!(
        s.save_analysis(vec![simple(&new, Category::Bug)])
            .await
            .unwrap(),
        0
    );
    let a = s.analysis(&p, subject).await.unwrap().unwrap();
    assert_eq!((a.category, a.category_source), (Category::Bug, "model"));
    let texts: Vec<_> = a.mentions.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["Search is slow", "and wrong"]);
    assert_eq!(a.mentions[0].category, Category::Complaint);
    assert_eq!(a.mentions[1].sentiment, Sentiment::from_score(-0.6));
    assert_eq!(a.sentiment, Sentiment::from_score(-0.4));

    // Analysed again: the mentions are replaced, not added to.
    s.ingest(&src, vec![item("r1", body("Search is fine now"), vec![])])
        .await
        .unwrap();
    let third = claim_mine(s, &p, now).await.remove(0);
    let one = vec![mention(
        &third,
        0,
        "Search is fine now",
        Category::Praise,
        0.7,
    )];
    s.save_analysis(vec![result(&third, one, Category::Praise)])
        .await
        .unwrap();
    let a = s.analysis(&p, subject).await.unwrap().unwrap();
    assert_eq!(a.mentions.len(), 1);
    assert_eq!(
        (a.mentions[0].text.as_str(), a.category),
        ("Search is fine now", Category::Praise)
    );
    let listed = s
        .list_mentions(&p, &MentionFilter::default(), None, 10)
        .await;
    assert_eq!(listed.unwrap().len(), 1);
}

/// A category set by a person survives re-analysis and becomes a labelled example.
pub async fn manual_categories_and_examples(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let (p, src) = project_with_source(s, "categories").await;
    let mut agent = part("m1-1", "Have you tried restarting?");
    agent.fields.email = Some("agent@company.com".into());
    let mut follow_up = part("m1-2", "Yes, still no invoice");
    follow_up.fields.user_id = Some("u1".into());
    let ticket = Fields {
        user_id: Some("u1".into()),
        ..body("Invoices are missing")
    };
    s.ingest(&src, vec![item("m1", ticket, vec![agent, follow_up])])
        .await
        .unwrap();
    let subject = Subject::Item(item_id(s, &p, "m1").await);
    let now = Timestamp::now();
    let t = claim_mine(s, &p, now).await.remove(0);
    s.save_analysis(vec![simple(&t, Category::Question)])
        .await
        .unwrap();
    s.set_category(&p, subject, Category::Bug).await.unwrap();
    let a = s.analysis(&p, subject).await.unwrap().unwrap();
    assert_eq!((a.category, a.category_source), (Category::Bug, "user"));
    let examples = s.examples(&p).await.unwrap();
    assert_eq!(examples.len(), 1);
    assert_eq!(
        (
            examples[0].text.as_str(),
            examples[0].category,
            examples[0].origin
        ),
        (
            "Invoices are missing\nYes, still no invoice",
            Category::Bug,
            "correction"
        )
    );
    let stamp = s.examples_stamp(&p).await.unwrap();
    assert_eq!(stamp.0, 1);

    // Re-analysed: the claim carries the person's category, and the save keeps it.
    s.ingest(
        &src,
        vec![item("m1", body("Invoices are still missing"), vec![])],
    )
    .await
    .unwrap();
    let t = claim_mine(s, &p, now).await.remove(0);
    assert_eq!(t.user_category, Some(Category::Bug));
    let mut r = simple(&t, Category::Question);
    r.sentiment = Sentiment::from_score(-0.9);
    s.save_analysis(vec![r]).await.unwrap();
    let a = s.analysis(&p, subject).await.unwrap().unwrap();
    assert_eq!((a.category, a.category_source), (Category::Bug, "user"));
    assert_eq!(a.sentiment, Sentiment::from_score(-0.9));
    // Corrected again: the newer correction replaces the older one.
    s.set_category(&p, subject, Category::Complaint)
        .await
        .unwrap();
    let a = s.analysis(&p, subject).await.unwrap().unwrap();
    assert_eq!(a.category, Category::Complaint);
    let examples = s.examples(&p).await.unwrap();
    assert_eq!(examples.len(), 1);
    assert_eq!(examples[0].category, Category::Complaint);
    // The replaced correction changed the examples' stamp (the learned model's cache key).
    assert_ne!(s.examples_stamp(&p).await.unwrap(), stamp);

    let imported = |text: &str, category, embedding| LabelledExample {
        text: text.into(),
        category,
        origin: "import",
        embedding,
    };
    let added = s.add_examples(
        &p,
        vec![
            imported(
                "Love the new editor",
                Category::Praise,
                Some(vector(2, 0.5)),
            ),
            imported("Can you add dark mode?", Category::FeatureRequest, None),
        ],
    );
    assert_eq!(added.await.unwrap(), 2);
    let examples = s.examples(&p).await.unwrap();
    let listed: Vec<_> = examples.iter().map(|e| (e.origin, e.category)).collect();
    assert_eq!(
        listed,
        [
            ("correction", Category::Complaint),
            ("import", Category::Praise),
            ("import", Category::FeatureRequest)
        ]
    );
    assert_eq!(examples[1].embedding, Some(vector(2, 0.5)));
    assert_eq!(examples[2].embedding, None);

    let missing = s
        .set_category(&p, Subject::Item(i64::MAX), Category::Bug)
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound(_))),
        "{missing:?}"
    );
    let missing = s
        .set_category(&p, Subject::Chat(i64::MAX), Category::Bug)
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound(_))),
        "{missing:?}"
    );
    let nowhere = ProjectId::new("prj_missing");
    assert!(s
        .add_examples(&nowhere, vec![imported("x", Category::Other, None)])
        .await
        .is_err());
}

/// Deleting an item or erasing a person removes the mentions, roll-ups, queue rows, corrections
/// and theme quotes made from their text; an item that only loses some parts is analysed again.
pub async fn deletion_and_erasure_forget_the_analysis(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let (p, src) = project_with_source(s, "forget").await;
    let jane = |t: &str| Fields {
        user_id: Some("jane".into()),
        ..body(t)
    };
    let mut reply = part("a1-2", "jane says the export is broken");
    reply.fields.user_id = Some("jane".into());
    let mut agent = part("a1-1", "agent answer");
    agent.fields.email = Some("agent@company.com".into());
    let items = vec![
        item("j1", jane("jane hates the export"), vec![]),
        item("a1", body("agent ticket"), vec![agent, reply]),
        item("k1", body("keep this one"), vec![]),
        item("d1", body("deleted while analysed"), vec![]),
    ];
    s.ingest(&src, items).await.unwrap();
    let [j1, a1, k1, d1] = [
        item_id(s, &p, "j1").await,
        item_id(s, &p, "a1").await,
        item_id(s, &p, "k1").await,
        item_id(s, &p, "d1").await,
    ];
    let now = Timestamp::now();
    let claimed = claim_mine(s, &p, now).await;
    let (doomed, rest): (Vec<_>, Vec<_>) = claimed
        .into_iter()
        .partition(|t| t.subject == Subject::Item(d1));
    let saved = s.save_analysis(rest.iter().map(|t| simple(t, Category::Bug)).collect());
    assert_eq!(saved.await.unwrap(), 3);
    s.set_category(&p, Subject::Item(j1), Category::Complaint)
        .await
        .unwrap();
    // A theme quoting jane's words.
    let mentions = s
        .list_mentions(&p, &MentionFilter::default(), None, 100)
        .await;
    let jane_mention = mentions
        .unwrap()
        .into_iter()
        .find(|m| m.text == "jane hates the export")
        .unwrap();
    let mut th = theme("export", now);
    th.quotes = vec!["jane hates the export".into(), "keep this one".into()];
    let links = vec![(jane_mention.id, Some(th.id.clone()), 0.9)];
    let update = ThemeUpdate {
        upsert: vec![th.clone()],
        remove: vec![],
        links,
        broad: None,
    };
    s.apply_themes(&p, update).await.unwrap();

    // Deleted while a worker analysed it: its result is not written back.
    assert!(s.delete_item(&p, hark_core::ItemId(d1)).await.unwrap());
    assert_eq!(
        s.save_analysis(vec![simple(&doomed[0], Category::Bug)])
            .await
            .unwrap(),
        0
    );
    assert!(s.analysis(&p, Subject::Item(d1)).await.unwrap().is_none());

    let r = s
        .erase_subject(&p, &ErasureSubject::UserId("jane".into()))
        .await;
    assert_eq!((r.unwrap().items_deleted), 1);
    assert!(s.analysis(&p, Subject::Item(j1)).await.unwrap().is_none());
    assert!(s.analysis(&p, Subject::Item(a1)).await.unwrap().is_none());
    assert!(s.analysis(&p, Subject::Item(k1)).await.unwrap().is_some());
    assert!(s.examples(&p).await.unwrap().is_empty());
    let quotes = s.theme(&p, &th.id).await.unwrap().unwrap().quotes;
    assert_eq!(quotes, ["keep this one"]);
    let left = s
        .list_mentions(&p, &MentionFilter::default(), None, 100)
        .await;
    let left: Vec<_> = left.unwrap().into_iter().map(|m| m.text).collect();
    assert_eq!(left, ["keep this one"]);
    // The agent ticket is analysed again without jane's part.
    assert_eq!(s.queue_depth(Some(&p)).await.unwrap(), depth(1, 0));
    let again = claim_mine(s, &p, now).await;
    assert_eq!(again.len(), 1);
    let texts: Vec<_> = again[0].units.iter().map(|u| u.text.as_str()).collect();
    assert_eq!(texts, ["agent ticket", "agent answer"]);

    assert!(s.delete_item(&p, hark_core::ItemId(k1)).await.unwrap());
    assert!(s.analysis(&p, Subject::Item(k1)).await.unwrap().is_none());
    assert!(s
        .list_mentions(&p, &MentionFilter::default(), None, 100)
        .await
        .unwrap()
        .is_empty());
    // The agent ticket's claim is still under lease; its save still applies.
    assert_eq!(
        s.save_analysis(vec![simple(&again[0], Category::Other)])
            .await
            .unwrap(),
        1
    );
    assert!(s.delete_item(&p, hark_core::ItemId(a1)).await.unwrap());
    assert_eq!(s.queue_depth(Some(&p)).await.unwrap(), depth(0, 0));
    assert!(s.mention_vectors(&p, false).await.unwrap().is_empty());
}

/// Feedback carrying a comment is queued with its reason; a withdrawn comment's analysis goes.
pub async fn chat_feedback_comments_are_analysed(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let p = create_project(s, "chat-analysis")
        .await
        .unwrap()
        .project
        .project_id;
    let app = create_application(s, &p, "assistant", false)
        .await
        .unwrap()
        .application_id;
    let t = ts("2026-05-01T10:00:00Z");
    let why = |comment: Option<&str>, at| {
        vote_why(
            NotUseful,
            Some(UsefulnessReason::NotFactuallyCorrect),
            comment,
            at,
        )
    };
    // A vote without a comment, a copy, and anonymous feedback: nothing to analyse.
    s.put_feedback(&p, false, rate(at(&app, 1, 1), Some("u1"), why(None, t)))
        .await
        .unwrap();
    s.put_feedback(&p, false, copy(at(&app, 1, 2), Some("u1"), t))
        .await
        .unwrap();
    assert_eq!(s.queue_depth(Some(&p)).await.unwrap(), depth(0, 0));
    let comment = "The price it quoted is wrong";
    s.put_feedback(
        &p,
        false,
        rate(at(&app, 1, 3), Some("u1"), why(Some(comment), t)),
    )
    .await
    .unwrap();
    s.put_feedback(
        &p,
        false,
        rate(at(&app, 1, 3), None, why(Some("anonymous says hi"), t)),
    )
    .await
    .unwrap();
    assert_eq!(s.queue_depth(Some(&p)).await.unwrap(), depth(2, 0));
    let now = Timestamp::now();
    let claimed = claim_mine(s, &p, now).await;
    assert_eq!(claimed.len(), 2);
    let named = claimed.iter().find(|c| c.units[0].text == comment).unwrap();
    assert!(matches!(named.subject, Subject::Chat(_)));
    assert_eq!(named.source, app.as_str());
    assert_eq!(named.reason.as_deref(), Some("NOT_FACTUALLY_CORRECT"));
    let unit = &named.units[0];
    assert_eq!(
        (unit.speaker, unit.user_key.as_deref(), unit.created_at),
        (Speaker::Customer, Some("u1"), t)
    );
    let anonymous = claimed.iter().find(|c| c.subject != named.subject).unwrap();
    assert_eq!(anonymous.units[0].user_key, None);
    let saved = s.save_analysis(
        claimed
            .iter()
            .map(|c| simple(c, Category::Complaint))
            .collect(),
    );
    assert_eq!(saved.await.unwrap(), 2);
    // The comments' mentions are told apart from items' by their kind.
    let of_kind = |kind| MentionFilter {
        kind: Some(kind),
        ..MentionFilter::default()
    };
    let in_chat = s.theme_metrics(&p, &of_kind(SubjectKind::Chat)).await;
    let in_chat: Vec<_> = in_chat.unwrap().iter().map(|m| m.mentions).collect();
    assert_eq!(in_chat, [2]);
    let in_items = s.theme_metrics(&p, &of_kind(SubjectKind::Item)).await;
    assert!(in_items.unwrap().is_empty());
    let chat = named.subject;
    assert!(s.analysis(&p, chat).await.unwrap().is_some());

    // A copy of the message later does not change the comment: not queued again.
    s.put_feedback(&p, false, copy(at(&app, 1, 3), Some("u1"), plus_secs(t, 5)))
        .await
        .unwrap();
    assert_eq!(s.queue_depth(Some(&p)).await.unwrap(), depth(0, 0));
    // The vote is replaced by one without a comment: its analysis is forgotten.
    s.put_feedback(
        &p,
        false,
        rate(at(&app, 1, 3), Some("u1"), why(None, plus_secs(t, 10))),
    )
    .await
    .unwrap();
    assert_eq!(s.queue_depth(Some(&p)).await.unwrap(), depth(1, 0));
    assert!(claim_mine(s, &p, now).await.is_empty());
    assert!(s.analysis(&p, chat).await.unwrap().is_none());
    assert_eq!(s.queue_depth(Some(&p)).await.unwrap(), depth(0, 0));
    // A new comment: queued again; the person's erasure removes it, queued or analysed.
    s.put_feedback(
        &p,
        false,
        rate(
            at(&app, 1, 3),
            Some("u1"),
            why(Some("still wrong"), plus_secs(t, 20)),
        ),
    )
    .await
    .unwrap();
    let claimed = claim_mine(s, &p, now).await;
    s.save_analysis(vec![simple(&claimed[0], Category::Bug)])
        .await
        .unwrap();
    assert!(s.analysis(&p, chat).await.unwrap().is_some());
    assert_eq!(s.requeue_project(&p).await.unwrap(), 2);
    s.erase_subject(&p, &ErasureSubject::UserId("u1".into()))
        .await
        .unwrap();
    assert!(s.analysis(&p, chat).await.unwrap().is_none());
    assert_eq!(s.queue_depth(Some(&p)).await.unwrap(), depth(1, 0));
    let left = s
        .list_mentions(&p, &MentionFilter::default(), None, 10)
        .await
        .unwrap();
    let left: Vec<_> = left.into_iter().map(|m| m.text).collect();
    assert_eq!(left, ["anonymous says hi"]);
}

/// A theme as discovery makes it.
fn theme(label: &str, now: Timestamp) -> Theme {
    Theme {
        id: ThemeId::generate(),
        project: ProjectId::new("ignored"),
        label: label.into(),
        name: None,
        key_phrases: vec![label.into(), format!("{label} issue")],
        pinned: false,
        quotes: vec![format!("about {label}")],
        centroid: vector(label.len(), 0.3),
        parent_id: None,
        created_at: now,
        updated_at: now,
    }
}
