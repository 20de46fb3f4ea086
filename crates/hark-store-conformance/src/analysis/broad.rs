//! The broad-theme part of the analysis story: the hierarchy replaced with a discovery,
//! children resolved against the themes, metrics and listings per broad theme, isolation.

use super::themes::four_bug_mentions;
use super::{project_with_source, theme, vector};
use crate::feedback::{body, item};
use hark_core::analysis::{BroadTheme, Category, MentionFilter, ThemeGranularity, ThemeId};
use hark_core::{ProjectId, Timestamp};
use hark_store::{Store, StoreError, ThemeUpdate};
use std::collections::HashMap;
use std::sync::Arc;

fn broad(id: &ThemeId, children: &[&ThemeId], now: Timestamp) -> BroadTheme {
    BroadTheme {
        id: id.clone(),
        project: ProjectId::new("ignored"),
        label: "export, login".into(),
        key_phrases: vec!["export".into(), "login".into()],
        children: children.iter().map(|c| (*c).clone()).collect(),
        centroid: vector(1, 0.2),
        created_at: now,
        updated_at: now,
    }
}

/// Broad themes stored with a discovery, read back with children and parents, measured, listed
/// by, and forgotten as people merge and delete their themes; another project sees none of it.
/// The project's own theme granularity alongside.
pub async fn broad_themes_group_themes(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let (p, _, ids) = four_bug_mentions(s, "broad").await;

    let now = Timestamp::now();
    let (a, b, c) = (
        theme("export", now),
        theme("login", super::plus_secs(now, 1)),
        theme("darkmode", super::plus_secs(now, 2)),
    );
    let top = ThemeId::generate_broad();
    // Children listed out of theme order, with an id the project has no theme of.
    let ghost = ThemeId::generate();
    let update = ThemeUpdate {
        upsert: vec![a.clone(), b.clone(), c.clone()],
        remove: vec![],
        links: vec![
            (ids["export crashes"], Some(a.id.clone()), 0.9),
            (ids["export is slow"], Some(a.id.clone()), 0.9),
            (ids["login fails"], Some(b.id.clone()), 0.9),
            (ids["dark mode please"], Some(c.id.clone()), 0.9),
        ],
        broad: Some(vec![broad(&top, &[&b.id, &ghost, &a.id], now)]),
    };
    s.apply_themes(&p, update).await.unwrap();

    let listed = s.broad_themes(&p).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, top);
    // Stored order kept (a computation lists the largest first), unknown ids skipped.
    assert_eq!(listed[0].children, vec![b.id.clone(), a.id.clone()]);
    assert_eq!(listed[0].key_phrases, ["export", "login"]);
    assert_eq!(listed[0].centroid, vector(1, 0.2));
    let parents: HashMap<ThemeId, Option<ThemeId>> = s
        .themes(&p)
        .await
        .unwrap()
        .into_iter()
        .map(|t| (t.id, t.parent_id))
        .collect();
    assert_eq!(parents[&a.id], Some(top.clone()));
    assert_eq!(parents[&b.id], Some(top.clone()));
    assert_eq!(parents[&c.id], None);
    let one = s.theme(&p, &b.id).await.unwrap().unwrap();
    assert_eq!(one.parent_id, Some(top.clone()));

    // Metrics per broad theme: its children's mentions together, the rest as in none.
    let metrics = s
        .broad_theme_metrics(&p, &MentionFilter::default())
        .await
        .unwrap();
    let count: HashMap<Option<ThemeId>, u64> = metrics
        .iter()
        .map(|m| (m.theme_id.clone(), m.mentions))
        .collect();
    assert_eq!(count.len(), 2, "{metrics:?}");
    assert_eq!(count[&Some(top.clone())], 3);
    assert_eq!(count[&None], 1);
    assert_eq!(metrics[0].theme_id, Some(top.clone()));
    let bugs = metrics[0]
        .categories
        .iter()
        .find(|(k, _)| *k == Category::Bug);
    assert_eq!(bugs.map(|(_, n)| *n), Some(3));

    // Listing and per-theme metrics within one broad theme.
    let within = MentionFilter {
        broad: Some(top.clone()),
        ..MentionFilter::default()
    };
    let mut texts: Vec<String> = s
        .list_mentions(&p, &within, None, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.text)
        .collect();
    texts.sort();
    assert_eq!(texts, ["export crashes", "export is slow", "login fails"]);
    let per_theme = s.theme_metrics(&p, &within).await.unwrap();
    let themed: Vec<_> = per_theme.iter().map(|m| m.theme_id.clone()).collect();
    assert_eq!(themed, vec![Some(a.id.clone()), Some(b.id.clone())]);

    // An update without a hierarchy keeps it; a theme deleted by hand leaves it.
    let keep = ThemeUpdate {
        upsert: vec![c.clone()],
        ..ThemeUpdate::default()
    };
    s.apply_themes(&p, keep).await.unwrap();
    assert_eq!(s.broad_themes(&p).await.unwrap().len(), 1);
    assert!(s.delete_theme(&p, &b.id).await.unwrap());
    let listed = s.broad_themes(&p).await.unwrap();
    assert_eq!(listed[0].children, vec![a.id.clone()]);
    s.merge_themes(&p, &a.id, &c.id).await.unwrap();
    assert!(s.broad_themes(&p).await.unwrap().is_empty());
    let metrics = s
        .broad_theme_metrics(&p, &MentionFilter::default())
        .await
        .unwrap();
    assert!(metrics.iter().all(|m| m.theme_id.is_none()));

    // Another project: sees nothing of it, cannot take its id, filters by it to nothing.
    let (q, q_src) = project_with_source(s, "broad-other").await;
    s.ingest(&q_src, vec![item("q1", body("export crashes"), vec![])])
        .await
        .unwrap();
    let d = theme("other", now);
    let again = ThemeUpdate {
        upsert: vec![a.clone(), d.clone()],
        broad: Some(vec![broad(&top, &[&a.id], now)]),
        ..ThemeUpdate::default()
    };
    s.apply_themes(&p, again).await.unwrap();
    assert_eq!(s.broad_themes(&p).await.unwrap().len(), 1);
    assert!(s.broad_themes(&q).await.unwrap().is_empty());
    let steal = ThemeUpdate {
        upsert: vec![d.clone()],
        broad: Some(vec![broad(&top, &[&d.id], now)]),
        ..ThemeUpdate::default()
    };
    let err = s.apply_themes(&q, steal).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(
        s.broad_themes(&p).await.unwrap()[0].children,
        vec![a.id.clone()]
    );
    let theirs = MentionFilter {
        broad: Some(top.clone()),
        ..MentionFilter::default()
    };
    assert!(s
        .list_mentions(&q, &theirs, None, 100)
        .await
        .unwrap()
        .is_empty());

    // A project's own theme granularity, set, kept apart from the other project's, cleared.
    assert_eq!(s.theme_granularity(&p).await.unwrap(), None);
    s.set_theme_granularity(&p, Some(ThemeGranularity::Finer))
        .await
        .unwrap();
    s.set_theme_granularity(&q, Some(ThemeGranularity::Coarser))
        .await
        .unwrap();
    assert_eq!(
        s.theme_granularity(&p).await.unwrap(),
        Some(ThemeGranularity::Finer)
    );
    s.set_theme_granularity(&q, None).await.unwrap();
    assert_eq!(s.theme_granularity(&q).await.unwrap(), None);
    assert_eq!(
        s.theme_granularity(&p).await.unwrap(),
        Some(ThemeGranularity::Finer)
    );

    // An empty hierarchy clears it.
    let clear = ThemeUpdate {
        broad: Some(vec![]),
        ..ThemeUpdate::default()
    };
    s.apply_themes(&p, clear).await.unwrap();
    assert!(s.broad_themes(&p).await.unwrap().is_empty());
    assert!(s
        .themes(&p)
        .await
        .unwrap()
        .iter()
        .all(|t| t.parent_id.is_none()));
}
