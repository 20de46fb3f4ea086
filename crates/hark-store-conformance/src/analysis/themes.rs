//! The theme, metrics and isolation parts of the analysis story.

use super::{
    claim_mine, depth, item_id, plus_secs, project_with_source, result, simple, theme, ts, vector,
};
use crate::feedback::{body, item};
use hark_core::analysis::{
    Category, MentionFilter, MentionRecord, Sentiment, Subject, SubjectKind, SubjectText, Theme,
    ThemeId, ThemeMetrics, WeekCount,
};
use hark_core::{ProjectId, Source, SourceKind, Timestamp};
use hark_store::{create_source, Store, StoreError, ThemeUpdate};
use std::collections::HashMap;
use std::sync::Arc;

/// Ids of the project's mentions by text.
async fn mention_ids(s: &dyn Store, p: &ProjectId) -> HashMap<String, i64> {
    let all = s
        .list_mentions(p, &MentionFilter::default(), None, 1000)
        .await;
    all.unwrap().into_iter().map(|m| (m.text, m.id)).collect()
}

/// The theme of each mention of the project, by id.
async fn links(s: &dyn Store, p: &ProjectId) -> HashMap<i64, Option<ThemeId>> {
    let all = s.mention_vectors(p, false).await.unwrap();
    all.into_iter().map(|v| (v.id, v.theme)).collect()
}

/// A project with four items ("export crashes", "export is slow", "login fails", "dark mode
/// please") analysed as bugs, one mention each: the project, its source and the mention ids by
/// text.
pub(super) async fn four_bug_mentions(
    s: &dyn Store,
    name: &str,
) -> (ProjectId, Source, HashMap<String, i64>) {
    let (p, src) = project_with_source(s, name).await;
    let texts = [
        "export crashes",
        "export is slow",
        "login fails",
        "dark mode please",
    ];
    let items = texts.iter().map(|t| item(t, body(t), vec![])).collect();
    s.ingest(&src, items).await.unwrap();
    let claimed = claim_mine(s, &p, Timestamp::now()).await;
    let saved = s.save_analysis(claimed.iter().map(|t| simple(t, Category::Bug)).collect());
    assert_eq!(saved.await.unwrap(), 4);
    let ids = mention_ids(s, &p).await;
    (p, src, ids)
}

fn link(id: i64, theme: &ThemeId, similarity: f32) -> (i64, Option<ThemeId>, f32) {
    (id, Some(theme.clone()), similarity)
}

/// Discovery results applied, hand edits kept, pinned themes kept, merges and deletions.
pub async fn themes_lifecycle(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let (p, src, ids) = four_bug_mentions(s, "themes").await;
    let m = |t: &str| ids[t];
    assert_eq!(s.mention_vectors(&p, true).await.unwrap().len(), 4);
    let vectors = s.mention_vectors(&p, false).await.unwrap();
    assert!(vectors
        .iter()
        .all(|v| v.embedding.len() == 4 && v.theme.is_none()));
    let unlinked = s.projects_with_unlinked().await.unwrap();
    assert!(unlinked.contains(&(p.clone(), 4)), "{unlinked:?}");

    let now = Timestamp::now();
    let a = theme("export", now);
    let b = theme("login", plus_secs(now, 1));
    let update = ThemeUpdate {
        upsert: vec![a.clone(), b.clone()],
        remove: vec![],
        links: vec![
            link(m("export crashes"), &a.id, 0.9),
            link(m("export is slow"), &a.id, 0.8),
            link(m("login fails"), &b.id, 0.95),
        ],
        broad: None,
    };
    s.apply_themes(&p, update).await.unwrap();
    let listed: Vec<_> = s
        .themes(&p)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(listed, [a.id.clone(), b.id.clone()]);
    let stored = s.theme(&p, &a.id).await.unwrap().unwrap();
    assert_eq!(stored.project, p);
    assert_eq!(
        (&stored.label, &stored.key_phrases, &stored.quotes),
        (&a.label, &a.key_phrases, &a.quotes)
    );
    assert_eq!(
        (&stored.centroid, stored.pinned, &stored.name),
        (&a.centroid, false, &None)
    );
    let unlinked = s.mention_vectors(&p, true).await.unwrap();
    assert_eq!(
        unlinked.iter().map(|v| v.id).collect::<Vec<_>>(),
        [m("dark mode please")]
    );
    assert_eq!(links(s, &p).await[&m("export is slow")], Some(a.id.clone()));
    assert!(s
        .projects_with_unlinked()
        .await
        .unwrap()
        .contains(&(p.clone(), 1)));

    // Hand edits survive the next discovery; a pinned theme survives its removal.
    s.rename_theme(&p, &a.id, Some("Export problems".into()))
        .await
        .unwrap();
    s.pin_theme(&p, &b.id, true).await.unwrap();
    let mut a2 = theme("export crash", plus_secs(now, 5));
    a2.id = a.id.clone();
    let update = ThemeUpdate {
        upsert: vec![a2.clone()],
        remove: vec![b.id.clone()],
        links: vec![],
        broad: None,
    };
    s.apply_themes(&p, update).await.unwrap();
    let stored = s.theme(&p, &a.id).await.unwrap().unwrap();
    assert_eq!(
        (stored.name.as_deref(), stored.label.as_str()),
        (Some("Export problems"), "export crash")
    );
    assert_eq!(stored.created_at, now);
    assert_eq!(stored.key_phrases, a2.key_phrases);
    assert!(s.theme(&p, &b.id).await.unwrap().unwrap().pinned);
    assert_eq!(links(s, &p).await[&m("login fails")], Some(b.id.clone()));
    s.pin_theme(&p, &b.id, false).await.unwrap();
    let update = ThemeUpdate {
        remove: vec![b.id.clone()],
        ..ThemeUpdate::default()
    };
    s.apply_themes(&p, update).await.unwrap();
    assert!(s.theme(&p, &b.id).await.unwrap().is_none());
    assert_eq!(links(s, &p).await[&m("login fails")], None);

    // A link to a theme the project does not have leaves the mention unlinked.
    let unknown = ThemeId("th_unknown_theme_0".into());
    let update = ThemeUpdate {
        links: vec![link(m("dark mode please"), &unknown, 0.5)],
        ..ThemeUpdate::default()
    };
    s.apply_themes(&p, update).await.unwrap();
    assert_eq!(links(s, &p).await[&m("dark mode please")], None);

    // Merge: every mention of `c` moves into `a`, and `c` is gone.
    let c = theme("misc", plus_secs(now, 2));
    let update = ThemeUpdate {
        upsert: vec![c.clone()],
        remove: vec![],
        links: vec![
            link(m("login fails"), &c.id, 0.6),
            link(m("dark mode please"), &c.id, 0.6),
        ],
        broad: None,
    };
    s.apply_themes(&p, update).await.unwrap();
    s.merge_themes(&p, &c.id, &a.id).await.unwrap();
    assert!(s.theme(&p, &c.id).await.unwrap().is_none());
    assert!(links(s, &p)
        .await
        .values()
        .all(|t| t.as_ref() == Some(&a.id)));
    s.merge_themes(&p, &a.id, &a.id).await.unwrap();
    assert!(s.theme(&p, &a.id).await.unwrap().is_some());
    let not_found = |r: Result<(), StoreError>| matches!(r, Err(StoreError::NotFound(_)));
    assert!(not_found(s.merge_themes(&p, &unknown, &a.id).await));
    assert!(not_found(s.merge_themes(&p, &a.id, &unknown).await));
    assert!(not_found(s.rename_theme(&p, &unknown, None).await));
    assert!(not_found(s.pin_theme(&p, &unknown, true).await));
    s.rename_theme(&p, &a.id, None).await.unwrap();
    assert_eq!(s.theme(&p, &a.id).await.unwrap().unwrap().name, None);

    assert!(s.delete_theme(&p, &a.id).await.unwrap());
    assert!(!s.delete_theme(&p, &a.id).await.unwrap());
    assert!(s.themes(&p).await.unwrap().is_empty());
    assert_eq!(s.mention_vectors(&p, true).await.unwrap().len(), 4);

    // A result may link its mentions to an existing theme of the project.
    let d = theme("dark", plus_secs(now, 3));
    let update = ThemeUpdate {
        upsert: vec![d.clone()],
        ..ThemeUpdate::default()
    };
    s.apply_themes(&p, update).await.unwrap();
    s.ingest(
        &src,
        vec![item("dark mode please", body("dark mode please!"), vec![])],
    )
    .await
    .unwrap();
    let t = claim_mine(s, &p, now).await.remove(0);
    let mut r = simple(&t, Category::FeatureRequest);
    r.mentions[0].theme = Some((d.id.clone(), 0.7));
    s.save_analysis(vec![r]).await.unwrap();
    let a = s.analysis(&p, t.subject).await.unwrap().unwrap();
    assert_eq!(a.mentions[0].theme_id, Some(d.id.clone()));
}

/// One mention of `t` said by `user` at `when`, optionally in `theme`.
fn said(
    t: &SubjectText,
    user: Option<&str>,
    when: &str,
    category: Category,
    score: f32,
    theme: Option<&ThemeId>,
) -> MentionRecord {
    MentionRecord {
        part_id: None,
        ordinal: 0,
        text: t.units[0].text.clone(),
        user_key: user.map(str::to_string),
        created_at: ts(when),
        sentiment: Sentiment::from_score(score),
        category,
        confidence: 0.9,
        theme: theme.map(|id| (id.clone(), 0.9)),
        embedding: vector(0, score),
    }
}

fn categories(counts: &[(Category, u64)]) -> Vec<(Category, u64)> {
    Category::ALL
        .iter()
        .map(|c| {
            (
                *c,
                counts.iter().find(|(k, _)| k == c).map_or(0, |(_, n)| *n),
            )
        })
        .collect()
}

fn weeks(counts: &[(&str, u64)]) -> Vec<WeekCount> {
    counts
        .iter()
        .map(|(w, n)| WeekCount {
            week: ts(w),
            mentions: *n,
        })
        .collect()
}

/// Counts, distinct users and sources, mean sentiment, categories, weeks; filters; listing.
pub async fn metrics_and_mention_listing(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let (p, web) = project_with_source(s, "metrics").await;
    let app = create_source(s, &p, "app", SourceKind::Webhook)
        .await
        .unwrap();
    let t = ThemeId::generate();
    let update = ThemeUpdate {
        upsert: vec![Theme {
            id: t.clone(),
            ..theme("export", Timestamp::now())
        }],
        ..ThemeUpdate::default()
    };
    s.apply_themes(&p, update).await.unwrap();
    let texts = [
        "m1 export crashes",
        "m2 export again",
        "m3 export to pdf",
        "m4 love it",
    ];
    let on = |i: usize| item(texts[i], body(texts[i]), vec![]);
    s.ingest(&web, vec![on(0), on(1)]).await.unwrap();
    s.ingest(&app, vec![on(2), on(3)]).await.unwrap();
    let claimed = claim_mine(s, &p, Timestamp::now()).await;
    let mut results: Vec<_> = claimed
        .iter()
        .map(|c| {
            let m = match &c.units[0].text[..2] {
                "m1" => said(
                    c,
                    Some("a"),
                    "2026-03-02T09:00:00Z",
                    Category::Bug,
                    -0.5,
                    Some(&t),
                ),
                "m2" => said(
                    c,
                    Some("b"),
                    "2026-03-08T23:59:59Z",
                    Category::Bug,
                    -0.7,
                    Some(&t),
                ),
                "m3" => said(
                    c,
                    Some("a"),
                    "2026-03-10T12:00:00Z",
                    Category::FeatureRequest,
                    0.2,
                    Some(&t),
                ),
                _ => said(c, None, "2026-03-11T08:00:00Z", Category::Praise, 0.8, None),
            };
            result(c, vec![m], Category::Other)
        })
        .collect();
    results.sort_by(|a, b| a.mentions[0].text.cmp(&b.mentions[0].text));
    assert_eq!(s.save_analysis(results).await.unwrap(), 4);

    let all = s
        .theme_metrics(&p, &MentionFilter::default())
        .await
        .unwrap();
    assert_eq!(all.len(), 2, "{all:?}");
    let themed = &all[0];
    assert_eq!(themed.theme_id, Some(t.clone()));
    assert_eq!(
        (themed.mentions, themed.distinct_users, themed.sources),
        (3, 2, 2)
    );
    assert!(
        (themed.avg_sentiment - (-1.0 / 3.0)).abs() < 1e-4,
        "{}",
        themed.avg_sentiment
    );
    assert_eq!(
        themed.categories,
        categories(&[(Category::Bug, 2), (Category::FeatureRequest, 1)])
    );
    assert_eq!(
        themed.weekly,
        weeks(&[("2026-03-02T00:00:00Z", 2), ("2026-03-09T00:00:00Z", 1)])
    );
    let loose = ThemeMetrics {
        theme_id: None,
        mentions: 1,
        distinct_users: 0,
        sources: 1,
        avg_sentiment: all[1].avg_sentiment,
        categories: categories(&[(Category::Praise, 1)]),
        weekly: weeks(&[("2026-03-09T00:00:00Z", 1)]),
    };
    assert_eq!(all[1], loose);
    assert!((all[1].avg_sentiment - 0.8).abs() < 1e-4);

    let pr = &p;
    let counts = |f: MentionFilter| async move {
        let m = s.theme_metrics(pr, &f).await.unwrap();
        m.into_iter()
            .map(|m| (m.theme_id, m.mentions))
            .collect::<Vec<_>>()
    };
    let since = MentionFilter {
        from: Some(ts("2026-03-09T00:00:00Z")),
        ..MentionFilter::default()
    };
    assert_eq!(
        counts(since.clone()).await,
        [(Some(t.clone()), 1), (None, 1)]
    );
    let until = MentionFilter {
        to: Some(ts("2026-03-09T00:00:00Z")),
        ..MentionFilter::default()
    };
    assert_eq!(counts(until).await, [(Some(t.clone()), 2)]);
    let from_web = MentionFilter {
        source: Some(web.source_id.as_str().to_string()),
        ..MentionFilter::default()
    };
    assert_eq!(counts(from_web.clone()).await, [(Some(t.clone()), 2)]);
    let praise = MentionFilter {
        category: Some(Category::Praise),
        ..MentionFilter::default()
    };
    assert_eq!(counts(praise.clone()).await, [(None, 1)]);
    let in_theme = MentionFilter {
        theme: Some(t.clone()),
        ..MentionFilter::default()
    };
    assert_eq!(counts(in_theme.clone()).await, [(Some(t.clone()), 3)]);
    let nothing = MentionFilter {
        category: Some(Category::Praise),
        ..in_theme.clone()
    };
    assert!(counts(nothing).await.is_empty());
    let items_only = MentionFilter {
        kind: Some(SubjectKind::Item),
        ..in_theme.clone()
    };
    assert_eq!(counts(items_only).await, [(Some(t.clone()), 3)]);
    let comments_only = MentionFilter {
        kind: Some(SubjectKind::Chat),
        ..MentionFilter::default()
    };
    assert!(counts(comments_only).await.is_empty());

    // Listing: newest first, paged by id, with the same filters.
    let list = |f: MentionFilter, before: Option<i64>, limit: u32| async move {
        let m = s.list_mentions(pr, &f, before, limit).await.unwrap();
        m.into_iter()
            .map(|m| m.text[..2].to_string())
            .collect::<Vec<_>>()
    };
    let all = MentionFilter::default();
    assert_eq!(list(all.clone(), None, 2).await, ["m4", "m3"]);
    let page = s.list_mentions(&p, &all, None, 2).await.unwrap();
    assert_eq!(list(all.clone(), Some(page[1].id), 10).await, ["m2", "m1"]);
    assert_eq!(list(in_theme, None, 10).await, ["m3", "m2", "m1"]);
    assert_eq!(list(praise, None, 10).await, ["m4"]);
    assert_eq!(list(from_web, None, 10).await, ["m2", "m1"]);
    assert_eq!(list(since, None, 10).await, ["m4", "m3"]);
    let m4 = &page[0];
    assert_eq!((m4.user_key.as_deref(), m4.theme_id.as_ref()), (None, None));
    assert_eq!(
        (m4.created_at, m4.category),
        (ts("2026-03-11T08:00:00Z"), Category::Praise)
    );
    assert_eq!(page[1].user_key.as_deref(), Some("a"));
}

/// Nothing of one project's analysis is read or changed through another project.
pub async fn analysis_projects_are_isolated(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let (a, src) = project_with_source(s, "analysis-a").await;
    let (b, _) = project_with_source(s, "analysis-b").await;
    s.ingest(
        &src,
        vec![item("i1", body("secret roadmap complaint"), vec![])],
    )
    .await
    .unwrap();
    let subject = Subject::Item(item_id(s, &a, "i1").await);
    let th = theme("roadmap", Timestamp::now());
    let update = ThemeUpdate {
        upsert: vec![th.clone()],
        ..ThemeUpdate::default()
    };
    s.apply_themes(&a, update).await.unwrap();
    let claimed = claim_mine(s, &a, Timestamp::now()).await.remove(0);
    // A result naming another project is not applied.
    let mut wrong = simple(&claimed, Category::Complaint);
    wrong.project = b.clone();
    assert_eq!(s.save_analysis(vec![wrong]).await.unwrap(), 0);
    let mut r = simple(&claimed, Category::Complaint);
    r.mentions[0].theme = Some((th.id.clone(), 0.8));
    assert_eq!(s.save_analysis(vec![r]).await.unwrap(), 1);
    s.set_category(&a, subject, Category::Bug).await.unwrap();
    let mention = s
        .list_mentions(&a, &MentionFilter::default(), None, 1)
        .await;
    let mention = mention.unwrap()[0].id;

    assert!(s.analysis(&b, subject).await.unwrap().is_none());
    let r = s.set_category(&b, subject, Category::Praise).await;
    assert!(matches!(r, Err(StoreError::NotFound(_))), "{r:?}");
    assert!(s.examples(&b).await.unwrap().is_empty());
    assert!(s.themes(&b).await.unwrap().is_empty());
    assert!(s.theme(&b, &th.id).await.unwrap().is_none());
    assert!(s.rename_theme(&b, &th.id, Some("x".into())).await.is_err());
    assert!(s.pin_theme(&b, &th.id, true).await.is_err());
    assert!(s.merge_themes(&b, &th.id, &th.id).await.is_err());
    assert!(!s.delete_theme(&b, &th.id).await.unwrap());
    assert!(s.mention_vectors(&b, false).await.unwrap().is_empty());
    assert!(s.mention_texts(&b, &[mention]).await.unwrap().is_empty());
    let texts = s.mention_texts(&a, &[i64::MAX, mention]).await.unwrap();
    assert_eq!(texts, [(mention, "secret roadmap complaint".to_string())]);
    assert!(s
        .list_mentions(&b, &MentionFilter::default(), None, 10)
        .await
        .unwrap()
        .is_empty());
    assert!(s
        .theme_metrics(&b, &MentionFilter::default())
        .await
        .unwrap()
        .is_empty());
    assert_eq!(s.queue_depth(Some(&b)).await.unwrap(), depth(0, 0));
    assert_eq!(s.requeue_project(&b).await.unwrap(), 0);
    assert!(!s
        .projects_with_unlinked()
        .await
        .unwrap()
        .iter()
        .any(|(p, _)| p == &b));
    // Another project's discovery cannot unlink, remove or take over this project's themes.
    let update = ThemeUpdate {
        remove: vec![th.id.clone()],
        links: vec![(mention, None, 0.0)],
        ..ThemeUpdate::default()
    };
    s.apply_themes(&b, update).await.unwrap();
    let mut stolen = theme("stolen", Timestamp::now());
    stolen.id = th.id.clone();
    let taken = ThemeUpdate {
        upsert: vec![stolen],
        ..ThemeUpdate::default()
    };
    assert!(s.apply_themes(&b, taken).await.is_err());
    let kept = s.theme(&a, &th.id).await.unwrap().unwrap();
    assert_eq!(kept.label, "roadmap");
    let stored = s.analysis(&a, subject).await.unwrap().unwrap();
    assert_eq!(stored.mentions[0].theme_id, Some(th.id.clone()));
    assert_eq!(stored.category, Category::Bug);
    assert_eq!(s.requeue_project(&a).await.unwrap(), 1);
    assert_eq!(s.queue_depth(Some(&a)).await.unwrap(), depth(1, 0));
    let all = s.queue_depth(None).await.unwrap();
    assert!(all.ready >= 1);
}
