//! Project export/import across backends. A rich project, written through the store's normal
//! API on SQLite, goes SQLite → PostgreSQL → SQLite: every export of it is the same text once
//! integer ids are normalised, and it reads back the same through the trait. Importing twice
//! is a `Conflict` that changes nothing; a garbled or truncated file fails and leaves no
//! project behind. The PostgreSQL halves need `HARK_TEST_POSTGRES_URL` (see
//! `scripts/pg-test-server.sh`) and are skipped without it.

#![allow(clippy::unwrap_used)]

use hark_core::analysis::{
    BroadTheme, Category, LabelledExample, MentionFilter, MentionRecord, MentionView, Sentiment,
    StoredAnalysis, Subject, SubjectAnalysis, Theme, ThemeGranularity, ThemeId,
};
use hark_core::chat::Usefulness::{NotUseful, Useful};
use hark_core::chat::{
    AccessKeyId, ApplicationId, ChatMessage, CitedSource, FeedbackFilter, MessageRole,
    UsefulnessReason,
};
use hark_core::crypto::MasterKey;
use hark_core::users::{Email, Password, Role, SessionHash};
use hark_core::{Fields, ItemFilter, ItemId, PartInput, ProjectId, SourceKind, Timestamp};
use hark_store::{
    access_key_secret, create_access_key, create_application, create_project, create_source,
    create_user, normalise_export, start_session, verify_sign_in, Store, StoreError, StoreOptions,
    ThemeUpdate, TransferSummary,
};
use hark_store_conformance::chat::{at, copy, message, rate, vote_why};
use hark_store_conformance::feedback::{body, item, part};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

fn ts(s: &str) -> Timestamp {
    Timestamp::parse_iso8601(s).unwrap()
}

fn plus_secs(t: Timestamp, s: i64) -> Timestamp {
    Timestamp::from_micros(t.as_micros() + s * 1_000_000)
}

/// An 8-dimensional vector of floats with long decimal expansions.
fn vector(seed: usize) -> Vec<f32> {
    (0..8)
        .map(|i| ((i + seed) as f32 * 0.137_931_03).sin() / 3.0)
        .collect()
}

/// A fresh SQLite store (and the directory holding it).
async fn sqlite() -> (tempfile::TempDir, Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let store =
        hark_store_sqlite::SqliteStore::open(dir.path().join("hark.db"), StoreOptions::default())
            .await
            .unwrap();
    (dir, Arc::new(store))
}

/// A fresh PostgreSQL store, or `None` (the test is skipped) without a test server.
async fn postgres() -> Option<Arc<dyn Store>> {
    if std::env::var(hark_store_conformance::testing::POSTGRES_URL_VAR).is_err() {
        eprintln!(
            "skipped: {} is not set",
            hark_store_conformance::testing::POSTGRES_URL_VAR
        );
        return None;
    }
    let url = hark_store_conformance::testing::fresh_postgres_url().await;
    Some(Arc::new(
        hark_store_postgres::PgStore::open(&url, StoreOptions::default())
            .await
            .unwrap(),
    ))
}

async fn export(s: &dyn Store, p: &ProjectId) -> String {
    let mut out = Vec::new();
    s.export_project(p, &mut out).await.unwrap();
    String::from_utf8(out).unwrap()
}

async fn import(s: &dyn Store, text: &str) -> Result<TransferSummary, StoreError> {
    s.import_project(&mut text.as_bytes()).await
}

/// What the populated project is, to read it back.
struct Fixture {
    project: ProjectId,
    api_key: String,
    master: MasterKey,
    keys: Vec<AccessKeyId>,
    app: ApplicationId,
    /// Dashboard users of the project, with their passwords.
    users: Vec<(Email, Password)>,
    /// Their sessions in the source store (which do not move).
    sessions: Vec<SessionHash>,
}

/// A project with everything a project can hold, written through the store's API, beside
/// another project that must stay out of its export.
async fn populate(s: &dyn Store) -> Fixture {
    let other = create_project(s, "stays").await.unwrap().project.project_id;
    let other_source = create_source(s, &other, "web", SourceKind::Webhook)
        .await
        .unwrap();
    s.ingest(&other_source, vec![item("o1", body("not mine"), vec![])])
        .await
        .unwrap();

    let created = create_project(s, "moving").await.unwrap();
    let p = created.project.project_id.clone();
    let web = create_source(s, &p, "web", SourceKind::Webhook)
        .await
        .unwrap();
    let csv = create_source(s, &p, "csv", SourceKind::Import)
        .await
        .unwrap();
    let full = Fields {
        body: Some("The export button is broken: \"é\" \u{1F600}\nsecond line".into()),
        author: Some("Ana".into()),
        email: Some("ana@example.com".into()),
        user_id: Some("u1".into()),
        url: Some("https://example.com/a".into()),
        created_at: Some(ts("2026-04-01T10:00:00Z")),
    };
    let staff_reply = PartInput {
        unique_id: "a-1".into(),
        fields: Fields {
            body: Some("Thanks, we are on it".into()),
            author: Some("Staff".into()),
            email: Some("staff@example.com".into()),
            user_id: Some("staff-1".into()),
            url: Some("https://example.com/a#1".into()),
            created_at: Some(ts("2026-04-01T11:00:00Z")),
        },
    };
    s.ingest(
        &web,
        vec![
            item("a", full, vec![staff_reply, part("a-2", "still broken")]),
            item("b", body("I love the new dashboard"), vec![]),
            item("c", Fields::default(), vec![part("c-1", "only parts here")]),
        ],
    )
    .await
    .unwrap();
    s.ingest(&csv, vec![item("d", body("How do I export?"), vec![])])
        .await
        .unwrap();

    let app = create_application(s, &p, "assistant", false)
        .await
        .unwrap()
        .application_id;
    let strict = create_application(s, &p, "strict one", true)
        .await
        .unwrap()
        .application_id;
    let master = MasterKey::generate();
    let (k1, _) = create_access_key(s, &master, &p).await.unwrap();
    let (k2, _) = create_access_key(s, &master, &p).await.unwrap();
    s.revoke_access_key(&p, &k2.access_key_id).await.unwrap();
    let mut users = Vec::new();
    let mut sessions = Vec::new();
    for (address, role) in [
        ("ana@example.com", Role::Admin),
        ("bo@example.com", Role::Viewer),
    ] {
        let email = Email::parse(address).unwrap();
        let (user, password) = create_user(s, &p, email.clone(), role, None).await.unwrap();
        sessions.push(start_session(s, &user).await.unwrap().hash());
        users.push((email, password));
    }
    let stays = Email::parse("stays@example.com").unwrap();
    let (user, _) = create_user(s, &other, stays, Role::Admin, None)
        .await
        .unwrap();
    start_session(s, &user).await.unwrap();
    let t = ts("2026-04-02T09:00:00Z");
    let cited = CitedSource {
        title: Some("Exporting".into()),
        url: Some("https://docs.example.com/export".into()),
        snippet: Some("Click *Export*".into()),
    };
    s.record_message(
        &p,
        ChatMessage {
            sources: vec![cited],
            ..message(at(&app, 1, 1), MessageRole::Assistant, "Click export.", t)
        },
    )
    .await
    .unwrap();
    s.record_message(
        &p,
        message(at(&strict, 2, 1), MessageRole::User, "hello", t),
    )
    .await
    .unwrap();
    let why = |usefulness, reason, comment: &str, at| {
        vote_why(usefulness, Some(reason), Some(comment), at)
    };
    let not_there = why(
        NotUseful,
        UsefulnessReason::NotFactuallyCorrect,
        "The button is not there",
        t,
    );
    s.put_feedback(&p, false, rate(at(&app, 1, 1), Some("u1"), not_there))
        .await
        .unwrap();
    s.put_feedback(&p, false, copy(at(&app, 1, 1), Some("u2"), plus_secs(t, 5)))
        .await
        .unwrap();
    let great = why(Useful, UsefulnessReason::Helpful, "great answer", t);
    s.put_feedback(&p, false, rate(at(&app, 1, 2), None, great))
        .await
        .unwrap();

    // Analysis of every subject but item d, which stays queued under a lease.
    let now = Timestamp::now();
    let claimed = s
        .claim_analysis(1000, now, plus_secs(now, 3600))
        .await
        .unwrap();
    let results: Vec<SubjectAnalysis> = claimed
        .iter()
        .filter(|t| t.project == p && t.units[0].text != "How do I export?")
        .enumerate()
        .map(|(n, t)| SubjectAnalysis {
            project: t.project.clone(),
            subject: t.subject,
            generation: t.generation,
            source: t.source.clone(),
            mentions: t
                .units
                .iter()
                .enumerate()
                .map(|(i, u)| MentionRecord {
                    part_id: u.part_id,
                    ordinal: i as u32,
                    text: u.text.clone(),
                    user_key: u.user_key.clone(),
                    created_at: u.created_at,
                    sentiment: Sentiment::from_score(-0.123_456_79 * (n + i) as f32),
                    category: Category::Bug,
                    confidence: 0.876_543_2,
                    theme: None,
                    embedding: vector(n * 10 + i),
                })
                .collect(),
            sentiment: Sentiment::from_score(0.333_333_34),
            category: Category::Bug,
            confidence: 0.7,
        })
        .collect();
    assert_eq!(results.len(), 5, "items a, b, c and two commented feedback");
    assert_eq!(s.save_analysis(results).await.unwrap(), 5);
    // A comment after the claim: queued, no lease.
    let late = why(NotUseful, UsefulnessReason::NotHelpful, "too slow", t);
    s.put_feedback(&p, false, rate(at(&app, 1, 1), Some("u3"), late))
        .await
        .unwrap();

    // Themes: discovered, then one renamed and pinned by a person.
    let vectors = s.mention_vectors(&p, false).await.unwrap();
    let theme = |label: &str, seed| Theme {
        id: ThemeId::generate(),
        project: p.clone(),
        label: label.into(),
        name: None,
        key_phrases: vec![label.into(), format!("{label} issue")],
        pinned: false,
        quotes: vec![format!("about {label}")],
        centroid: vector(seed),
        parent_id: None,
        created_at: now,
        updated_at: now,
    };
    let (exporting, praise) = (theme("export", 1), theme("dashboard", 2));
    let links = vectors
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let t = if i % 2 == 0 { &exporting } else { &praise };
            (v.id, Some(t.id.clone()), 0.912_345_7)
        })
        .collect();
    let broad = BroadTheme {
        id: ThemeId::generate_broad(),
        project: p.clone(),
        label: "export, dashboard".into(),
        key_phrases: vec!["export".into(), "dashboard".into()],
        children: vec![exporting.id.clone(), praise.id.clone()],
        centroid: vector(3),
        created_at: now,
        updated_at: now,
    };
    let update = ThemeUpdate {
        upsert: vec![exporting.clone(), praise.clone()],
        remove: Vec::new(),
        links,
        broad: Some(vec![broad]),
    };
    s.apply_themes(&p, update).await.unwrap();
    s.set_theme_granularity(&p, Some(ThemeGranularity::Coarser))
        .await
        .unwrap();
    s.rename_theme(&p, &exporting.id, Some("Export trouble".into()))
        .await
        .unwrap();
    s.pin_theme(&p, &exporting.id, true).await.unwrap();

    // Labelled examples, and a correction by hand.
    let examples = vec![
        LabelledExample {
            text: "refund please".into(),
            category: Category::Complaint,
            origin: "import",
            embedding: Some(vector(7)),
        },
        LabelledExample {
            text: "what is this".into(),
            category: Category::Question,
            origin: "import",
            embedding: None,
        },
    ];
    s.add_examples(&p, examples).await.unwrap();
    let b = item_ids(s, &p).await[1];
    s.set_category(&p, Subject::Item(b), Category::FeatureRequest)
        .await
        .unwrap();

    Fixture {
        project: p,
        api_key: created.project.api_key,
        master,
        keys: vec![k1.access_key_id, k2.access_key_id],
        app,
        users,
        sessions,
    }
}

/// The project's item ids, oldest first.
async fn item_ids(s: &dyn Store, p: &ProjectId) -> Vec<i64> {
    let page = s
        .list_items(p, &ItemFilter::default(), None, 100)
        .await
        .unwrap();
    let mut ids: Vec<i64> = page.items.iter().map(|i| i.id.0).collect();
    ids.sort_unstable();
    ids
}

/// The ids of an export's rows of `table`, in export order.
fn ids(export: &str, table: &str) -> Vec<i64> {
    export
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["table"] == table)
        .map(|v| v["row"]["id"].as_i64().unwrap())
        .collect()
}

/// Mention ids differ between stores: blanked.
fn blank_mentions(mentions: Vec<MentionView>) -> Vec<MentionView> {
    mentions
        .into_iter()
        .map(|m| MentionView { id: 0, ..m })
        .collect()
}

fn blank_analysis(a: Option<StoredAnalysis>) -> Option<StoredAnalysis> {
    a.map(|a| StoredAnalysis {
        mentions: blank_mentions(a.mentions),
        ..a
    })
}

/// Everything of the project reads back the same from `b` (imported) as from `a`; the
/// exports give the row-id correspondence.
async fn assert_reads_same(
    (a, a_export): (&dyn Store, &str),
    (b, b_export): (&dyn Store, &str),
    fx: &Fixture,
) {
    let p = &fx.project;
    assert_eq!(
        b.get_project(p).await.unwrap(),
        a.get_project(p).await.unwrap()
    );
    let (id, secret) = b.project_by_api_key(&fx.api_key).await.unwrap().unwrap();
    let (a_id, a_secret) = a.project_by_api_key(&fx.api_key).await.unwrap().unwrap();
    assert_eq!((&id, &secret.0), (&a_id, &a_secret.0));
    assert_eq!(
        b.list_sources(p).await.unwrap(),
        a.list_sources(p).await.unwrap()
    );

    let (a_items, b_items) = (ids(a_export, "items"), ids(b_export, "items"));
    assert_eq!(a_items.len(), 4);
    assert_eq!(b_items.len(), 4);
    for (x, y) in a_items.iter().zip(&b_items) {
        let from = a.get_item(p, ItemId(*x)).await.unwrap().unwrap();
        let to = b.get_item(p, ItemId(*y)).await.unwrap().unwrap();
        assert_eq!(to.id, ItemId(*y));
        assert_eq!(hark_core::StoredItem { id: from.id, ..to }, from);
        let (from, to) = (
            a.analysis(p, Subject::Item(*x)).await.unwrap(),
            b.analysis(p, Subject::Item(*y)).await.unwrap(),
        );
        assert_eq!(blank_analysis(to), blank_analysis(from));
    }
    let (a_feedback, b_feedback) = (
        ids(a_export, "chat_feedback"),
        ids(b_export, "chat_feedback"),
    );
    assert_eq!(a_feedback.len(), b_feedback.len());
    let mut analysed = 0;
    for (x, y) in a_feedback.iter().zip(&b_feedback) {
        let from = a.analysis(p, Subject::Chat(*x)).await.unwrap();
        analysed += usize::from(from.is_some());
        let to = b.analysis(p, Subject::Chat(*y)).await.unwrap();
        assert_eq!(blank_analysis(to), blank_analysis(from));
    }
    assert_eq!(analysed, 2);

    let all = FeedbackFilter::default();
    assert_eq!(
        b.list_feedback(p, &all, None, 100).await.unwrap().feedback,
        a.list_feedback(p, &all, None, 100).await.unwrap().feedback
    );
    let conversation = at(&fx.app, 1, 1).conversation_id;
    assert_eq!(
        b.get_conversation(p, &fx.app, &conversation).await.unwrap(),
        a.get_conversation(p, &fx.app, &conversation).await.unwrap()
    );
    assert_eq!(
        b.list_applications(p).await.unwrap(),
        a.list_applications(p).await.unwrap()
    );
    assert_eq!(
        b.list_access_keys(p).await.unwrap(),
        a.list_access_keys(p).await.unwrap()
    );
    for key in &fx.keys {
        // The sealed secret opens under the same master key.
        let (_, secret) = access_key_secret(b, &fx.master, key)
            .await
            .unwrap()
            .unwrap();
        let (_, expected) = access_key_secret(a, &fx.master, key)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(secret, expected);
    }

    // Dashboard users move with their password hashes and sign in on the target; their
    // sessions stay behind.
    assert_eq!(
        b.list_users(p).await.unwrap(),
        a.list_users(p).await.unwrap()
    );
    assert_eq!(b.list_users(p).await.unwrap().len(), 2);
    for (email, password) in &fx.users {
        let (_, hash) = b.user_by_email(email).await.unwrap().unwrap();
        let (_, expected) = a.user_by_email(email).await.unwrap().unwrap();
        assert_eq!(hash.0, expected.0);
        assert!(verify_sign_in(b, email, password).await.unwrap().is_some());
    }
    for session in &fx.sessions {
        assert!(b.session(session).await.unwrap().is_none());
    }

    let themes = b.themes(p).await.unwrap();
    assert_eq!(themes, a.themes(p).await.unwrap());
    let broad = b.broad_themes(p).await.unwrap();
    assert_eq!(broad, a.broad_themes(p).await.unwrap());
    assert_eq!(broad.len(), 1);
    assert_eq!(
        b.theme_granularity(p).await.unwrap(),
        Some(ThemeGranularity::Coarser)
    );
    assert!(themes
        .iter()
        .all(|t| t.parent_id.as_ref() == Some(&broad[0].id)));
    assert!(themes
        .iter()
        .any(|t| t.pinned && t.name.as_deref() == Some("Export trouble")));
    assert_eq!(b.examples(p).await.unwrap(), a.examples(p).await.unwrap());
    assert_eq!(
        b.examples(p).await.unwrap().len(),
        3,
        "two imported, one correction"
    );
    assert_eq!(
        b.examples_stamp(p).await.unwrap().0,
        a.examples_stamp(p).await.unwrap().0
    );
    assert_eq!(
        b.queue_depth(Some(p)).await.unwrap(),
        a.queue_depth(Some(p)).await.unwrap()
    );
    let filter = MentionFilter::default();
    assert_eq!(
        b.theme_metrics(p, &filter).await.unwrap(),
        a.theme_metrics(p, &filter).await.unwrap()
    );
    assert_eq!(
        blank_mentions(b.list_mentions(p, &filter, None, 100).await.unwrap()),
        blank_mentions(a.list_mentions(p, &filter, None, 100).await.unwrap())
    );
}

/// The export holds the project's rows, every kind of them, and nothing of the other project.
fn assert_complete(export: &str, summary: &TransferSummary) {
    for (table, rows) in [
        ("projects", 1),
        ("sources", 2),
        ("items", 4),
        ("parts", 3),
        ("applications", 2),
        ("access_keys", 2),
        ("users", 2),
        ("chat_messages", 3),
        ("chat_feedback", 4),
        ("analysis_queue_items", 1),
        ("analysis_queue_chat", 1),
        ("themes", 2),
        ("subject_analysis", 5),
        ("labelled_examples", 3),
    ] {
        assert_eq!(summary.rows_of(table), rows, "{table}");
        assert_eq!(row_lines(export, table), rows, "{table}");
    }
    assert_eq!(summary.rows_of("mentions"), 7);
    assert!(!export.contains("not mine"));
    assert!(!export.contains("\"stays\""));
    assert!(!export.contains("stays@example.com"));
    assert_eq!(row_lines(export, "sessions"), 0);
    assert_eq!(summary.rows_of("sessions"), 0);
}

fn row_lines(export: &str, table: &str) -> u64 {
    export
        .lines()
        .filter(|l| l.starts_with(&format!("{{\"table\":\"{table}\",")))
        .count() as u64
}

#[tokio::test]
async fn sqlite_to_sqlite_round_trip() {
    let (_a_dir, a) = sqlite().await;
    let fx = populate(a.as_ref()).await;
    let first = export(a.as_ref(), &fx.project).await;
    let (_b_dir, b) = sqlite().await;
    let summary = import(b.as_ref(), &first).await.unwrap();
    assert_complete(&first, &summary);
    let second = export(b.as_ref(), &fx.project).await;
    assert_eq!(
        normalise_export(&second).unwrap(),
        normalise_export(&first).unwrap()
    );
    assert_reads_same((a.as_ref(), &first), (b.as_ref(), &second), &fx).await;
    assert_eq!(b.list_projects().await.unwrap().len(), 1);
}

#[tokio::test]
async fn sqlite_to_postgres_to_sqlite_round_trip() {
    let Some(pg) = postgres().await else { return };
    let (_a_dir, a) = sqlite().await;
    let fx = populate(a.as_ref()).await;
    let first = export(a.as_ref(), &fx.project).await;
    let summary = import(pg.as_ref(), &first).await.unwrap();
    assert_complete(&first, &summary);
    let second = export(pg.as_ref(), &fx.project).await;
    let (_c_dir, c) = sqlite().await;
    import(c.as_ref(), &second).await.unwrap();
    let third = export(c.as_ref(), &fx.project).await;
    let normal = normalise_export(&first).unwrap();
    assert_eq!(normalise_export(&second).unwrap(), normal);
    assert_eq!(normalise_export(&third).unwrap(), normal);
    assert_reads_same((a.as_ref(), &first), (c.as_ref(), &third), &fx).await;
    assert_reads_same((a.as_ref(), &first), (pg.as_ref(), &second), &fx).await;
}

/// A second import of the same project is refused and leaves the target as it was.
async fn importing_twice_changes_nothing(target: &dyn Store) {
    let (_a_dir, a) = sqlite().await;
    let fx = populate(a.as_ref()).await;
    let first = export(a.as_ref(), &fx.project).await;
    import(target, &first).await.unwrap();
    let before = export(target, &fx.project).await;
    let again = import(target, &first).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    assert_eq!(export(target, &fx.project).await, before);
    // Into the store it came from, too.
    let back = import(a.as_ref(), &first).await;
    assert!(matches!(back, Err(StoreError::Conflict(_))), "{back:?}");
}

#[tokio::test]
async fn importing_twice_is_a_conflict_on_sqlite() {
    let (_dir, target) = sqlite().await;
    importing_twice_changes_nothing(target.as_ref()).await;
}

#[tokio::test]
async fn importing_twice_is_a_conflict_on_postgres() {
    let Some(target) = postgres().await else {
        return;
    };
    importing_twice_changes_nothing(target.as_ref()).await;
}

/// An import whose user's email another project of the target has (emails are unique on the
/// server) is a `Conflict` that writes nothing; once the email is free, it succeeds.
async fn a_taken_email_refuses_the_import(target: &dyn Store) {
    let (_a_dir, a) = sqlite().await;
    let fx = populate(a.as_ref()).await;
    let text = export(a.as_ref(), &fx.project).await;
    let squatter = create_project(target, "squatter")
        .await
        .unwrap()
        .project
        .project_id;
    let email = fx.users[1].0.clone();
    let (user, _) = create_user(target, &squatter, email.clone(), Role::Viewer, None)
        .await
        .unwrap();
    let r = import(target, &text).await;
    match &r {
        Err(StoreError::Conflict(message)) => assert!(message.contains("users"), "{message}"),
        other => panic!("{other:?}"),
    }
    let mut out = Vec::new();
    let left = target.export_project(&fx.project, &mut out).await;
    assert!(matches!(left, Err(StoreError::NotFound(_))), "{left:?}");
    assert!(out.is_empty());
    assert_eq!(target.list_projects().await.unwrap().len(), 1);
    let (owner, _) = target.user_by_email(&email).await.unwrap().unwrap();
    assert_eq!(owner, user);
    assert!(target
        .user_by_email(&fx.users[0].0)
        .await
        .unwrap()
        .is_none());

    assert!(target.delete_user(&squatter, &user.user_id).await.unwrap());
    let summary = import(target, &text).await.unwrap();
    assert_eq!(summary.rows_of("users"), 2);
}

#[tokio::test]
async fn a_taken_email_refuses_the_import_on_sqlite() {
    let (_dir, target) = sqlite().await;
    a_taken_email_refuses_the_import(target.as_ref()).await;
}

#[tokio::test]
async fn a_taken_email_refuses_the_import_on_postgres() {
    let Some(target) = postgres().await else {
        return;
    };
    a_taken_email_refuses_the_import(target.as_ref()).await;
}

/// `export` with the row of `table` number `n` (from 0) changed by `change`.
fn with_row_changed(
    export: &str,
    table: &str,
    n: usize,
    change: impl Fn(&mut serde_json::Value),
) -> String {
    let mut seen = 0;
    let mut out = String::new();
    for line in export.lines() {
        let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
        if v["table"] == table {
            if seen == n {
                change(&mut v["row"]);
            }
            seen += 1;
        }
        out.push_str(&v.to_string());
        out.push('\n');
    }
    out
}

/// Broken streams fail with a message naming the problem and leave no project behind, so a
/// sound import afterwards succeeds.
async fn broken_exports_leave_nothing(target: &dyn Store) {
    let (_a_dir, a) = sqlite().await;
    let fx = populate(a.as_ref()).await;
    let good = export(a.as_ref(), &fx.project).await;
    let lines: Vec<&str> = good.lines().collect();
    let cut_at_line = lines[..lines.len() - 4].join("\n") + "\n";
    let cut_mid_line = &good[..good.len() - 40];
    let mut garbled = lines.clone();
    garbled[5] = "{\"table\":\"items\",\"row\":{\"id\":";
    let garbled = garbled.join("\n");
    let dangling = with_row_changed(&good, "parts", 1, |row| row["item_id"] = 999_999.into());
    let null_key = with_row_changed(&good, "items", 3, |row| {
        row["unique_id"] = serde_json::Value::Null
    });
    let other_project = with_row_changed(&good, "mentions", 2, |row| {
        row["project_id"] = "prj_someone_else".into()
    });
    for (case, text, expected) in [
        ("cut at a line", cut_at_line.as_str(), "cut short"),
        ("cut mid-line", cut_mid_line, "not JSON"),
        ("garbled line", garbled.as_str(), "line 6: not JSON"),
        ("dangling reference", dangling.as_str(), "does not hold"),
        ("null key", null_key.as_str(), "items row"),
        (
            "another project's row",
            other_project.as_str(),
            "not the exported project",
        ),
        ("empty", "", "empty input"),
        (
            "not an export",
            "{\"hello\":1}\n",
            "not a hark project export",
        ),
    ] {
        let r = import(target, text).await;
        match r {
            Err(StoreError::BadExport(message)) => {
                assert!(message.contains(expected), "{case}: {message}");
            }
            other => panic!("{case}: {other:?}"),
        }
        let mut out = Vec::new();
        let left = target.export_project(&fx.project, &mut out).await;
        assert!(
            matches!(left, Err(StoreError::NotFound(_))),
            "{case}: {left:?}"
        );
        assert!(out.is_empty(), "{case}");
    }
    import(target, &good).await.unwrap();
}

#[tokio::test]
async fn broken_exports_leave_nothing_on_sqlite() {
    let (_dir, target) = sqlite().await;
    broken_exports_leave_nothing(target.as_ref()).await;
    assert_eq!(target.list_projects().await.unwrap().len(), 1);
}

#[tokio::test]
async fn broken_exports_leave_nothing_on_postgres() {
    let Some(target) = postgres().await else {
        return;
    };
    broken_exports_leave_nothing(target.as_ref()).await;
}

/// `export` as a hark from before the `users` table wrote it: no `users` in the header's
/// schema, no users rows, no `users` count in the end record.
fn without_users_table(export: &str) -> String {
    let mut out = String::new();
    for line in export.lines() {
        let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
        if v["table"] == "users" {
            continue;
        }
        for key in ["schema", "end"] {
            if let Some(tables) = v.get_mut(key).and_then(|t| t.as_object_mut()) {
                assert!(tables.remove("users").is_some(), "{key} lists users");
            }
        }
        out.push_str(&v.to_string());
        out.push('\n');
    }
    out
}

/// An export from before the `users` table imports, with no users and everything else; one
/// lacking an older table is still refused, and leaves nothing.
async fn an_export_without_users_imports(target: &dyn Store) {
    let (_a_dir, a) = sqlite().await;
    let fx = populate(a.as_ref()).await;
    let good = export(a.as_ref(), &fx.project).await;
    let old = without_users_table(&good);
    assert_eq!(row_lines(&old, "users"), 0);
    assert!(!old.contains("\"users\""));

    let no_themes = with_header_changed(&old, |schema| {
        schema.remove("themes");
    });
    let r = import(target, &no_themes).await;
    match r {
        Err(StoreError::BadExport(message)) => {
            assert!(message.contains("lacks table themes"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(target.list_projects().await.unwrap().is_empty());

    let summary = import(target, &old).await.unwrap();
    assert_eq!(summary.rows_of("users"), 0);
    let (_b_dir, b) = sqlite().await;
    let full = import(b.as_ref(), &good).await.unwrap();
    for (table, rows) in &full.rows {
        let expected = if *table == "users" { 0 } else { *rows };
        assert_eq!(summary.rows_of(table), expected, "{table}");
    }
    for (email, _) in &fx.users {
        assert!(target.user_by_email(email).await.unwrap().is_none());
    }
    // What it holds exports again as the original did, users aside.
    let again = export(target, &fx.project).await;
    assert_eq!(
        normalise_export(&without_users_table(&again)).unwrap(),
        normalise_export(&old).unwrap()
    );
}

/// `export` with its header's schema changed by `change`.
fn with_header_changed(
    export: &str,
    change: impl Fn(&mut serde_json::Map<String, serde_json::Value>),
) -> String {
    let (header, rest) = export.split_once('\n').unwrap();
    let mut v: serde_json::Value = serde_json::from_str(header).unwrap();
    change(v["schema"].as_object_mut().unwrap());
    format!("{v}\n{rest}")
}

#[tokio::test]
async fn an_export_without_users_imports_on_sqlite() {
    let (_dir, target) = sqlite().await;
    an_export_without_users_imports(target.as_ref()).await;
}

#[tokio::test]
async fn an_export_without_users_imports_on_postgres() {
    let Some(target) = postgres().await else {
        return;
    };
    an_export_without_users_imports(target.as_ref()).await;
}

#[tokio::test]
async fn an_unknown_project_exports_nothing() {
    let (_dir, s) = sqlite().await;
    let mut out = Vec::new();
    let r = s
        .export_project(&ProjectId::new("prj_nobody"), &mut out)
        .await;
    assert!(matches!(r, Err(StoreError::NotFound(_))), "{r:?}");
    assert!(out.is_empty());
}

/// Tables and their columns.
type Schema = BTreeMap<String, BTreeSet<String>>;

/// A live schema without the one table an export leaves out on purpose: dashboard `sessions`
/// are bearer credentials of one deployment, so a moved project's users sign in again. (The
/// `users` table, password hashes included, is exported.)
/// Nor is the webhook outbox (events, deliveries, attempts): delivery state of one deployment.
fn without_sessions(mut schema: Schema) -> Schema {
    for table in [
        "sessions",
        "webhook_events",
        "webhook_deliveries",
        "webhook_attempts",
    ] {
        assert!(schema.remove(table).is_some(), "the schema has {table}");
    }
    schema
}

/// The export covers every table and column of both backends' schemas: a migration that adds
/// one must add it to the export too, or exports would lose it.
#[tokio::test]
async fn exports_cover_every_column_of_both_schemas() {
    let (dir, s) = sqlite().await;
    let p = create_project(s.as_ref(), "x")
        .await
        .unwrap()
        .project
        .project_id;
    let text = export(s.as_ref(), &p).await;
    let header: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    let exported: Schema = header["schema"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(table, columns)| {
            let columns = columns.as_array().unwrap().iter();
            let columns = columns.map(|c| c.as_str().unwrap().to_string()).collect();
            (table.clone(), columns)
        })
        .collect();

    let conn = rusqlite::Connection::open(dir.path().join("hark.db")).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut sqlite = Schema::new();
    for table in tables {
        let columns = conn
            .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        sqlite.insert(table, columns);
    }
    assert_eq!(without_sessions(sqlite), exported);

    if std::env::var(hark_store_conformance::testing::POSTGRES_URL_VAR).is_err() {
        eprintln!(
            "PostgreSQL half skipped: {} is not set",
            hark_store_conformance::testing::POSTGRES_URL_VAR
        );
        return;
    }
    let url = hark_store_conformance::testing::fresh_postgres_url().await;
    drop(
        hark_store_postgres::PgStore::open(&url, StoreOptions::default())
            .await
            .unwrap(),
    );
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    let connection = tokio::spawn(connection);
    let rows = client
        .query(
            "SELECT table_name::text, column_name::text FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name <> 'hark_schema'",
            &[],
        )
        .await
        .unwrap();
    let mut postgres = Schema::new();
    for row in rows {
        postgres.entry(row.get(0)).or_default().insert(row.get(1));
    }
    assert_eq!(without_sessions(postgres), exported);
    drop(client);
    let _ = connection.await;
}
