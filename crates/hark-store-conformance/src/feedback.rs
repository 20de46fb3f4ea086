//! The scripted story of the [`hark_store::Store`] part every backend must pass. Each function
//! takes a fresh, empty store and panics on the first deviation from the contract.

#![allow(clippy::unwrap_used)]

use hark_core::credentials::Secret;
use hark_core::{
    ErasureSubject, Fields, ItemFilter, ItemInput, ItemOutcome, PartInput, ProjectId, Source,
    SourceKind, StoredItem, Timestamp,
};
use hark_store::{create_project, create_source, rotate_secret, Store};
use std::sync::Arc;

/// Every story, in order, each on the given store (they use distinct projects).
pub async fn run_all(store: Arc<dyn Store>) {
    tenancy(store.clone()).await;
    upsert_merges(store.clone()).await;
    parts_order_and_append(store.clone()).await;
    item_failures_write_nothing(store.clone()).await;
    concurrent_upserts_of_one_item(store.clone()).await;
    failing_writes_do_not_disturb_others(store.clone()).await;
    listing_filters_and_pages(store.clone()).await;
    projects_are_isolated(store.clone()).await;
    delete_and_erase(store).await;
}

/// Builds fields with a body.
pub fn body(text: &str) -> Fields {
    Fields {
        body: Some(text.into()),
        ..Fields::default()
    }
}

/// An item input.
pub fn item(unique_id: &str, fields: Fields, parts: Vec<PartInput>) -> ItemInput {
    ItemInput {
        index: 0,
        unique_id: unique_id.into(),
        fields,
        parts,
    }
}

/// A part input.
pub fn part(unique_id: &str, text: &str) -> PartInput {
    PartInput {
        unique_id: unique_id.into(),
        fields: body(text),
    }
}

fn ts(s: &str) -> Timestamp {
    Timestamp::parse_iso8601(s).unwrap()
}

async fn project_with_source(store: &dyn Store, name: &str) -> (ProjectId, Source) {
    let p = create_project(store, name).await.unwrap();
    let s = create_source(store, &p.project.project_id, "web", SourceKind::Webhook)
        .await
        .unwrap();
    (p.project.project_id, s)
}

async fn only_item(store: &dyn Store, project: &ProjectId) -> StoredItem {
    let page = store
        .list_items(project, &ItemFilter::default(), None, 10)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1, "{page:?}");
    store
        .get_item(project, page.items[0].id)
        .await
        .unwrap()
        .unwrap()
}

/// Projects, credentials and sources.
pub async fn tenancy(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let a = create_project(s, "Acme").await.unwrap();
    let id = &a.project.project_id;
    assert!(s
        .list_projects()
        .await
        .unwrap()
        .iter()
        .any(|p| &p.project_id == id));
    assert_eq!(s.get_project(id).await.unwrap().unwrap().name, "Acme");
    let (found, hash) = s
        .project_by_api_key(&a.project.api_key)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&found, id);
    assert!(hash.verify(&a.secret_key));
    assert!(s.project_by_api_key("hk_nope").await.unwrap().is_none());

    let new_secret = rotate_secret(s, id).await.unwrap();
    let (_, hash) = s
        .project_by_api_key(&a.project.api_key)
        .await
        .unwrap()
        .unwrap();
    assert!(hash.verify(&new_secret) && !hash.verify(&a.secret_key));
    assert!(rotate_secret(s, &ProjectId::new("prj_missing"))
        .await
        .is_err());

    let web = create_source(s, id, "web", SourceKind::Webhook)
        .await
        .unwrap();
    let imp = create_source(s, id, "csv", SourceKind::Import)
        .await
        .unwrap();
    let listed = s.list_sources(id).await.unwrap();
    assert_eq!(listed, vec![web.clone(), imp.clone()]);
    assert_eq!(
        s.get_source(id, &web.source_id).await.unwrap(),
        Some(web.clone())
    );
    assert!(
        create_source(s, &ProjectId::new("prj_missing"), "x", SourceKind::Webhook)
            .await
            .is_err()
    );
    let b = create_project(s, "Other").await.unwrap();
    assert_eq!(
        s.get_source(&b.project.project_id, &web.source_id)
            .await
            .unwrap(),
        None
    );
    assert!(s
        .get_project(&ProjectId::new("prj_missing"))
        .await
        .unwrap()
        .is_none());
    let _ = Secret::generate();
}

/// Re-sending merges: present fields overwrite, absent ones keep, no duplicates.
pub async fn upsert_merges(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let (p, src) = project_with_source(s, "merge").await;
    let first = Fields {
        body: Some("Search is broken".into()),
        author: Some("Jane".into()),
        user_id: Some("u1".into()),
        created_at: Some(ts("2026-03-15T10:30:00Z")),
        ..Fields::default()
    };
    let out = s
        .ingest(&src, vec![item("r1", first, vec![])])
        .await
        .unwrap();
    assert_eq!(out, vec![ItemOutcome::Stored { created: true }]);
    let stored = only_item(s, &p).await;
    assert_eq!(stored.created_at, ts("2026-03-15T10:30:00Z"));

    let second = Fields {
        author: Some("Jane Doe".into()),
        email: Some("jane@example.com".into()),
        ..Fields::default()
    };
    let out = s
        .ingest(&src, vec![item("r1", second, vec![])])
        .await
        .unwrap();
    assert_eq!(out, vec![ItemOutcome::Stored { created: false }]);
    let again = only_item(s, &p).await;
    assert_eq!(again.id, stored.id);
    assert_eq!(again.body.as_deref(), Some("Search is broken"));
    assert_eq!(again.author.as_deref(), Some("Jane Doe"));
    assert_eq!(again.email.as_deref(), Some("jane@example.com"));
    assert_eq!(again.user_id.as_deref(), Some("u1"));
    assert_eq!(again.created_at, stored.created_at);
    assert_eq!(again.received_at, stored.received_at);
    assert!(again.updated_at >= stored.updated_at);

    let third = Fields {
        created_at: Some(ts("2026-03-16T00:00:00+02:00")),
        ..body("Search works now")
    };
    s.ingest(&src, vec![item("r1", third, vec![])])
        .await
        .unwrap();
    let last = only_item(s, &p).await;
    assert_eq!(last.body.as_deref(), Some("Search works now"));
    assert_eq!(last.created_at, ts("2026-03-15T22:00:00Z"));
    // Same unique_id in another source is another item.
    let other = create_source(s, &p, "other", SourceKind::Webhook)
        .await
        .unwrap();
    s.ingest(&other, vec![item("r1", body("x"), vec![])])
        .await
        .unwrap();
    let page = s
        .list_items(&p, &ItemFilter::default(), None, 10)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 2);
}

/// Parts are ordered by created_at then arrival, appended, updated in place, never deleted.
pub async fn parts_order_and_append(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let (p, src) = project_with_source(s, "parts").await;
    let mut late = part("t-2", "second");
    late.fields.created_at = Some(ts("2026-03-10T09:20:00Z"));
    let mut early = part("t-1", "first");
    early.fields.created_at = Some(ts("2026-03-10T09:15:00Z"));
    s.ingest(&src, vec![item("t", body("ticket"), vec![late, early])])
        .await
        .unwrap();
    let it = only_item(s, &p).await;
    let ids: Vec<_> = it
        .conversation_parts
        .unwrap()
        .into_iter()
        .map(|p| p.unique_id)
        .collect();
    assert_eq!(ids, ["t-1", "t-2"]);

    // Append with no body: body kept, new part added, old part re-sent is updated in place.
    let mut newer = part("t-3", "third");
    newer.fields.created_at = Some(ts("2026-03-11T10:00:00Z"));
    let resent = part("t-1", "first, edited");
    let out = s
        .ingest(
            &src,
            vec![item("t", Fields::default(), vec![newer, resent])],
        )
        .await
        .unwrap();
    assert_eq!(out, vec![ItemOutcome::Stored { created: false }]);
    let it = only_item(s, &p).await;
    assert_eq!(it.body.as_deref(), Some("ticket"));
    assert_eq!(it.parts_count, 3);
    let parts = it.conversation_parts.unwrap();
    let ids: Vec<_> = parts.iter().map(|p| p.unique_id.as_str()).collect();
    assert_eq!(ids, ["t-1", "t-2", "t-3"]);
    assert_eq!(parts[0].body, "first, edited");
    assert_eq!(parts[0].created_at, ts("2026-03-10T09:15:00Z"));

    // Parts without created_at keep arrival order; a repeated part within one request is one part.
    s.ingest(
        &src,
        vec![item(
            "call",
            Fields::default(),
            vec![part("c1", "a"), part("c2", "b"), part("c1", "a2")],
        )],
    )
    .await
    .unwrap();
    let page = s
        .list_items(
            &p,
            &ItemFilter {
                text: Some("a2".into()),
                ..ItemFilter::default()
            },
            None,
            10,
        )
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    let call = s.get_item(&p, page.items[0].id).await.unwrap().unwrap();
    assert_eq!(call.body, None);
    let parts = call.conversation_parts.unwrap();
    let got: Vec<_> = parts
        .iter()
        .map(|p| (p.unique_id.as_str(), p.body.as_str()))
        .collect();
    assert_eq!(got, [("c1", "a2"), ("c2", "b")]);
}

/// A failing item writes nothing and does not stop the rest of the batch.
pub async fn item_failures_write_nothing(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let (p, src) = project_with_source(s, "fail").await;
    s.ingest(
        &src,
        vec![item("a", body("owner"), vec![part("shared", "mine")])],
    )
    .await
    .unwrap();
    let out = s
        .ingest(
            &src,
            vec![
                item(
                    "b",
                    body("thief"),
                    vec![part("b-1", "ok"), part("shared", "stolen")],
                ),
                item("c", Fields::default(), vec![]),
                item("d", body("fine"), vec![]),
                item(
                    "a",
                    Fields {
                        author: Some("kept".into()),
                        ..Fields::default()
                    },
                    vec![],
                ),
            ],
        )
        .await
        .unwrap();
    assert!(
        matches!(&out[0], ItemOutcome::Failed { field: Some(f), .. } if f == "conversation_parts[1].unique_id"),
        "{out:?}"
    );
    assert!(
        matches!(&out[1], ItemOutcome::Failed { field: Some(f), .. } if f == "body"),
        "{out:?}"
    );
    assert_eq!(out[2], ItemOutcome::Stored { created: true });
    assert_eq!(out[3], ItemOutcome::Stored { created: false });
    let page = s
        .list_items(&p, &ItemFilter::default(), None, 10)
        .await
        .unwrap();
    let mut ids: Vec<_> = page.items.iter().map(|i| i.unique_id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["a", "d"]);
    let a = page.items.iter().find(|i| i.unique_id == "a").unwrap();
    let a = s.get_item(&p, a.id).await.unwrap().unwrap();
    assert_eq!(a.author.as_deref(), Some("kept"));
    assert_eq!(a.conversation_parts.unwrap()[0].body, "mine");
    // b-1 was not written either: it can now go to another item.
    let out = s
        .ingest(&src, vec![item("e", body("e"), vec![part("b-1", "e's")])])
        .await
        .unwrap();
    assert_eq!(out, vec![ItemOutcome::Stored { created: true }]);
}

/// Concurrent upserts of the same item and parts: one item, the union of parts, no duplicates.
pub async fn concurrent_upserts_of_one_item(store: Arc<dyn Store>) {
    let (p, src) = project_with_source(store.as_ref(), "race").await;
    let mut tasks = Vec::new();
    for n in 0..16 {
        let (store, src) = (store.clone(), src.clone());
        tasks.push(tokio::spawn(async move {
            let parts = vec![part("shared-part", "same"), part(&format!("p{n}"), "own")];
            store
                .ingest(&src, vec![item("same", body("x"), parts)])
                .await
        }));
    }
    let mut created = 0;
    for t in tasks {
        let out = t.await.unwrap().unwrap();
        if out == vec![ItemOutcome::Stored { created: true }] {
            created += 1;
        } else {
            assert_eq!(out, vec![ItemOutcome::Stored { created: false }]);
        }
    }
    assert_eq!(created, 1);
    let it = only_item(store.as_ref(), &p).await;
    assert_eq!(it.parts_count, 17);
    assert_eq!(it.conversation_parts.unwrap().len(), 17);
}

/// Writes that fail, racing with writes that succeed: each gets its own answer (with a group
/// commit, a failing job must not take its batch down).
pub async fn failing_writes_do_not_disturb_others(store: Arc<dyn Store>) {
    let (p, src) = project_with_source(store.as_ref(), "mixed").await;
    let mut tasks = Vec::new();
    for n in 0..24 {
        let (store, src) = (store.clone(), src.clone());
        tasks.push(tokio::spawn(async move {
            if n % 2 == 0 {
                let out = store
                    .ingest(&src, vec![item(&format!("m{n}"), body("ok"), vec![])])
                    .await;
                out.map(|o| o == vec![ItemOutcome::Stored { created: true }])
            } else {
                let missing = ProjectId::new(format!("prj_missing{n}"));
                let r = create_source(store.as_ref(), &missing, "x", SourceKind::Webhook).await;
                Ok(matches!(r, Err(hark_store::StoreError::NotFound(_))))
            }
        }));
    }
    for t in tasks {
        assert!(t.await.unwrap().unwrap());
    }
    let page = store
        .list_items(&p, &ItemFilter::default(), None, 100)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 12);
}

/// Filters, text search (in bodies and parts) and cursor pagination.
pub async fn listing_filters_and_pages(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let (p, src) = project_with_source(s, "list").await;
    let other = create_source(s, &p, "other", SourceKind::Webhook)
        .await
        .unwrap();
    let mut batch = Vec::new();
    for n in 0..25 {
        let f = Fields {
            user_id: Some(format!("u{}", n % 3)),
            email: (n % 5 == 0).then(|| format!("User{n}@Example.com")),
            created_at: Some(Timestamp::from_micros(
                1_700_000_000_000_000 + n * 1_000_000,
            )),
            ..body(&format!("item number {n}"))
        };
        batch.push(item(&format!("i{n}"), f, vec![]));
    }
    batch[7]
        .parts
        .push(part("needle-part", "a NeedLe in a part"));
    s.ingest(&src, batch).await.unwrap();
    s.ingest(&other, vec![item("o", body("other source"), vec![])])
        .await
        .unwrap();

    let all = ItemFilter::default();
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = s.list_items(&p, &all, cursor, 7).await.unwrap();
        seen.extend(page.items.iter().map(|i| i.unique_id.clone()));
        match page.next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(seen.len(), 26);
    let mut dedup = seen.clone();
    dedup.sort();
    dedup.dedup();
    assert_eq!(dedup.len(), 26, "pages overlap");
    assert_eq!(seen[1], "i24", "newest first (after 'o', created now)");

    let p = &p;
    let count =
        |f: ItemFilter| async move { s.list_items(p, &f, None, 100).await.unwrap().items.len() };
    assert_eq!(
        count(ItemFilter {
            source_id: Some(other.source_id.clone()),
            ..all.clone()
        })
        .await,
        1
    );
    assert_eq!(
        count(ItemFilter {
            user_id: Some("u1".into()),
            ..all.clone()
        })
        .await,
        8
    );
    assert_eq!(
        count(ItemFilter {
            email: Some("user10@example.COM".into()),
            ..all.clone()
        })
        .await,
        1
    );
    let from = Some(Timestamp::from_micros(
        1_700_000_000_000_000 + 10 * 1_000_000,
    ));
    let to = Some(Timestamp::from_micros(
        1_700_000_000_000_000 + 20 * 1_000_000,
    ));
    assert_eq!(
        count(ItemFilter {
            created_from: from,
            created_to: to,
            ..all.clone()
        })
        .await,
        10
    );
    assert_eq!(
        count(ItemFilter {
            text: Some("needle".into()),
            ..all.clone()
        })
        .await,
        1
    );
    assert_eq!(
        count(ItemFilter {
            text: Some("NUMBER 1".into()),
            ..all.clone()
        })
        .await,
        11
    );
    assert_eq!(
        count(ItemFilter {
            text: Some("%".into()),
            ..all.clone()
        })
        .await,
        0
    );
}

/// Nothing of one project is visible or changeable through another.
pub async fn projects_are_isolated(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let (a, src) = project_with_source(s, "iso-a").await;
    let (b, _) = project_with_source(s, "iso-b").await;
    s.ingest(
        &src,
        vec![item(
            "x",
            Fields {
                user_id: Some("u".into()),
                ..body("secret")
            },
            vec![],
        )],
    )
    .await
    .unwrap();
    let it = only_item(s, &a).await;
    assert!(s
        .list_items(&b, &ItemFilter::default(), None, 10)
        .await
        .unwrap()
        .items
        .is_empty());
    assert!(s.get_item(&b, it.id).await.unwrap().is_none());
    assert!(!s.delete_item(&b, it.id).await.unwrap());
    let r = s
        .erase_subject(&b, &ErasureSubject::UserId("u".into()))
        .await
        .unwrap();
    assert_eq!(r.items_deleted + r.parts_deleted, 0);
    assert!(s.get_item(&a, it.id).await.unwrap().is_some());
}

/// Deleting one item, and erasing everything of a user id or an email.
pub async fn delete_and_erase(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let (p, src) = project_with_source(s, "erase").await;
    let jane = |t: &str| Fields {
        user_id: Some("jane".into()),
        ..body(t)
    };
    let mut reply = part("t1-2", "jane replies");
    reply.fields.user_id = Some("jane".into());
    let mut mail = part("t2-1", "by mail");
    mail.fields.email = Some("Jane@Example.com".into());
    s.ingest(
        &src,
        vec![
            item(
                "t1",
                body("agent ticket"),
                vec![part("t1-1", "agent"), reply],
            ),
            item("t2", jane("jane ticket"), vec![mail, part("t2-2", "x")]),
            item("t3", jane("jane again"), vec![]),
            item(
                "t4",
                Fields {
                    email: Some("jane@example.com".into()),
                    ..body("mail")
                },
                vec![],
            ),
            item("t5", body("keep"), vec![]),
        ],
    )
    .await
    .unwrap();
    let r = s
        .erase_subject(&p, &ErasureSubject::UserId("jane".into()))
        .await
        .unwrap();
    assert_eq!((r.items_deleted, r.parts_deleted), (2, 3));
    let page = s
        .list_items(&p, &ItemFilter::default(), None, 10)
        .await
        .unwrap();
    let mut left: Vec<_> = page.items.iter().map(|i| i.unique_id.as_str()).collect();
    left.sort_unstable();
    assert_eq!(left, ["t1", "t4", "t5"]);
    let t1 = page.items.iter().find(|i| i.unique_id == "t1").unwrap();
    let t1 = s.get_item(&p, t1.id).await.unwrap().unwrap();
    assert_eq!(t1.parts_count, 1);
    assert_eq!(t1.conversation_parts.unwrap().len(), 1);

    let r = s
        .erase_subject(&p, &ErasureSubject::Email("JANE@example.com".into()))
        .await
        .unwrap();
    assert_eq!((r.items_deleted, r.parts_deleted), (1, 0));
    let t5 = s
        .list_items(&p, &ItemFilter::default(), None, 10)
        .await
        .unwrap()
        .items;
    let t5 = t5.iter().find(|i| i.unique_id == "t5").unwrap().id;
    assert!(s.delete_item(&p, t5).await.unwrap());
    assert!(!s.delete_item(&p, t5).await.unwrap());
    assert!(s.get_item(&p, t5).await.unwrap().is_none());
    // The deleted item's unique_id can be ingested again as a new item.
    let out = s
        .ingest(&src, vec![item("t5", body("again"), vec![])])
        .await
        .unwrap();
    assert_eq!(out, vec![ItemOutcome::Stored { created: true }]);
}
