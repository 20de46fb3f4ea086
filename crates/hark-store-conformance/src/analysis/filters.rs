//! The item listing filtered by the analysis: by category (a manual one winning) and by
//! sentiment label (the bands of `Sentiment::from_score`, edges included), paged.

use super::{claim_mine, plus_secs, project_with_source, simple, ts};
use crate::feedback::{body, item};
use hark_core::analysis::{Category, Sentiment, SentimentLabel, Subject};
use hark_core::{Fields, ItemFilter, ItemId, ProjectId, Timestamp};
use hark_store::Store;
use std::collections::HashMap;
use std::sync::Arc;

/// The `f32` next to `x`, away from zero (`out`) or toward it.
fn ulp(x: f32, out: bool) -> f32 {
    f32::from_bits(if out {
        x.to_bits() + 1
    } else {
        x.to_bits() - 1
    })
}

/// How one item of the story ends up: its final category and score, `None` if not analysed.
struct Planned {
    unique_id: String,
    outcome: Option<(Category, f32)>,
}

/// The ids of every page of the filtered listing, pages of `limit`, in order.
async fn paged(s: &dyn Store, p: &ProjectId, filter: &ItemFilter, limit: u32) -> Vec<ItemId> {
    let mut ids = Vec::new();
    let mut cursor = None;
    loop {
        let page = s.list_items(p, filter, cursor, limit).await.unwrap();
        assert!(page.items.len() <= limit as usize);
        ids.extend(page.items.iter().map(|i| i.id));
        match page.next {
            Some(c) => cursor = Some(c),
            None => return ids,
        }
    }
}

/// Items filtered by category and sentiment: only analysed ones match, a manual category
/// wins (set before or after the analysis), the band edges fall as `from_score` puts them,
/// and the cursor pages through filtered listings without gaps or repeats.
pub async fn items_filtered_by_analysis(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let (p, src) = project_with_source(s, "item-filters").await;
    let band = Sentiment::NEUTRAL_BAND;
    // (model category, score): None is never analysed.
    let model: Vec<Option<(Category, f32)>> = vec![
        Some((Category::Bug, -1.0)),
        Some((Category::Complaint, -band)),
        Some((Category::Complaint, -ulp(band, true))),
        Some((Category::Praise, band)),
        Some((Category::Praise, ulp(band, true))),
        Some((Category::Question, ulp(band, false))),
        Some((Category::Bug, 0.0)),
        Some((Category::FeatureRequest, 0.9)),
        Some((Category::Bug, -0.5)),
        Some((Category::Bug, 0.3)),
        None,
        None,
        Some((Category::Bug, 0.5)),
        Some((Category::Other, -ulp(band, false))),
    ];
    let start = ts("2026-03-01T00:00:00Z");
    let batch = (0..model.len())
        .map(|i| {
            // Items 4 and 5 share an instant: the cursor's id tie-break is exercised.
            let hour = if i == 5 { 4 } else { i as i64 };
            let fields = Fields {
                created_at: Some(plus_secs(start, hour * 3600)),
                ..body(&format!("feedback number {i}"))
            };
            item(&format!("f{i}"), fields, vec![])
        })
        .collect();
    s.ingest(&src, batch).await.unwrap();
    let all = paged(s, &p, &ItemFilter::default(), 100).await;
    assert_eq!(all.len(), model.len());
    let ids: HashMap<String, ItemId> = s
        .list_items(&p, &ItemFilter::default(), None, 100)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|i| (i.unique_id, i.id))
        .collect();
    let subject = |n: usize| Subject::Item(ids[&format!("f{n}")].0);

    // Manual categories before any analysis: f10 stays unanalysed, f12 is analysed after.
    s.set_category(&p, subject(10), Category::Bug)
        .await
        .unwrap();
    s.set_category(&p, subject(12), Category::Question)
        .await
        .unwrap();
    let texts = claim_mine(s, &p, Timestamp::now()).await;
    let results = texts
        .iter()
        .filter_map(|t| {
            let n = (0..model.len()).find(|&n| t.subject == subject(n))?;
            let (category, score) = model[n]?;
            let mut r = simple(t, category);
            r.sentiment = Sentiment::from_score(score);
            Some(r)
        })
        .collect::<Vec<_>>();
    assert_eq!(results.len(), 12);
    assert_eq!(s.save_analysis(results).await.unwrap(), 12);
    // And after: the person's category replaces the model's.
    s.set_category(&p, subject(6), Category::Praise)
        .await
        .unwrap();

    let mut plan: Vec<Planned> = model
        .iter()
        .enumerate()
        .map(|(n, m)| Planned {
            unique_id: format!("f{n}"),
            outcome: m.map(|(c, score)| match n {
                6 => (Category::Praise, score),
                12 => (Category::Question, score),
                _ => (c, score),
            }),
        })
        .collect();
    // What the store reads back agrees with the plan (the filters must agree with it too).
    for (n, planned) in plan.iter().enumerate() {
        let a = s.analysis(&p, subject(n)).await.unwrap();
        let read = a.map(|a| (a.category, a.sentiment.label));
        let expected = planned
            .outcome
            .map(|(c, score)| (c, Sentiment::from_score(score).label));
        assert_eq!(read, expected, "f{n}");
    }
    // The plan in listing order (newest first), to compare pages with.
    plan.sort_by_key(|pl| {
        let id = ids[&pl.unique_id];
        all.iter().position(|a| *a == id)
    });

    let categories = Category::ALL.into_iter().map(Some).chain([None]);
    for category in categories {
        let labels = SentimentLabel::ALL.into_iter().map(Some).chain([None]);
        for sentiment in labels {
            if category.is_none() && sentiment.is_none() {
                continue;
            }
            let filter = ItemFilter {
                category,
                sentiment,
                ..ItemFilter::default()
            };
            let expected: Vec<ItemId> = plan
                .iter()
                .filter(|pl| match pl.outcome {
                    Some((c, score)) => {
                        category.is_none_or(|want| want == c)
                            && sentiment
                                .is_none_or(|want| want == Sentiment::from_score(score).label)
                    }
                    None => false,
                })
                .map(|pl| ids[&pl.unique_id])
                .collect();
            for limit in [1, 2, 100] {
                assert_eq!(
                    paged(s, &p, &filter, limit).await,
                    expected,
                    "{category:?} {sentiment:?} in pages of {limit}"
                );
            }
        }
    }
    // The edges by name: exactly ±NEUTRAL_BAND is neutral, one step beyond is not.
    let neutral = ItemFilter {
        sentiment: Some(SentimentLabel::Neutral),
        ..ItemFilter::default()
    };
    let names = |got: Vec<ItemId>| {
        let mut names: Vec<String> = got
            .iter()
            .map(|id| ids.iter().find(|(_, v)| *v == id).unwrap().0.clone())
            .collect();
        names.sort();
        names
    };
    assert_eq!(
        names(paged(s, &p, &neutral, 3).await),
        ["f1", "f13", "f3", "f5", "f6"]
    );
    // With the other filters, every condition must hold.
    let narrowed = ItemFilter {
        text: Some("NUMBER 1".into()),
        created_from: Some(plus_secs(start, 3600)),
        ..neutral.clone()
    };
    assert_eq!(names(paged(s, &p, &narrowed, 1).await), ["f1", "f13"]);
    let manual = ItemFilter {
        category: Some(Category::Bug),
        ..ItemFilter::default()
    };
    assert_eq!(names(paged(s, &p, &manual, 2).await), ["f0", "f8", "f9"]);
}
