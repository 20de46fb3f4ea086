//! The chat-feedback aggregates story: buckets per day and week, rates, reasons, and the
//! answers with the most NOT_USEFUL votes.

use super::*;

fn bucket<'a>(buckets: &'a [StatsBucket], app: &ApplicationId, start: &str) -> &'a StatsBucket {
    let start = ts(start);
    let found = buckets
        .iter()
        .find(|b| &b.application_id == app && b.period_start == start);
    found.unwrap()
}

/// Buckets per day and per ISO week (Monday), rates, reasons and the most NOT_USEFUL answers.
pub async fn feedback_stats(store: Arc<dyn Store>) {
    let c = Ctx::new(store.as_ref(), "stats", false).await;
    let (a1, a2) = (c.app.clone(), c.another_app().await);
    let wrong = Some(UsefulnessReason::NotFactuallyCorrect);
    let (helpful, other) = (
        Some(UsefulnessReason::Helpful),
        Some(UsefulnessReason::Other),
    );
    // Message m of conversation 1 rated by `user` at `when`, with the answer copied then or not.
    let e = |app: &ApplicationId, m, user, v: Option<(Usefulness, _)>, when, copied: bool| {
        let t = ts(when);
        FeedbackInput {
            message_copied_at: copied.then_some(t),
            usefulness: v.map(|(u, r)| vote_why(u, r, None, t)),
            ..empty(at(app, 1, m), Some(user))
        }
    };
    // 2026-03-09 and 03-16 are Mondays, 03-15 a Sunday.
    let events = [
        e(
            &a1,
            5,
            "u1",
            Some((Useful, None)),
            "2026-03-09T00:00:00Z",
            false,
        ),
        e(
            &a1,
            1,
            "u1",
            Some((Useful, helpful)),
            "2026-03-15T10:00:00Z",
            true,
        ),
        e(
            &a1,
            1,
            "u2",
            Some((NotUseful, wrong)),
            "2026-03-15T23:59:59Z",
            false,
        ),
        e(
            &a1,
            2,
            "u1",
            Some((NotUseful, wrong)),
            "2026-03-16T00:00:00Z",
            false,
        ),
        e(
            &a1,
            2,
            "u2",
            Some((NotUseful, other)),
            "2026-03-16T09:00:00Z",
            false,
        ),
        e(&a1, 2, "u3", None, "2026-03-16T10:00:00Z", true),
        e(
            &a1,
            4,
            "u1",
            Some((Useful, None)),
            "2026-03-17T08:00:00Z",
            false,
        ),
        e(
            &a2,
            3,
            "u1",
            Some((NotUseful, None)),
            "2026-03-16T11:00:00Z",
            false,
        ),
    ];
    for f in events {
        c.put(f).await;
    }
    c.answer(at(&a1, 1, 2), "The answer", "2026-03-15T00:00:00Z")
        .await;

    let q = StatsQuery {
        application_id: None,
        from: None,
        to: None,
        period: Period::Day,
        top: 2,
    };
    let days = c.s.feedback_stats(&c.p, &q).await.unwrap();
    let keys = |b: &[StatsBucket]| -> Vec<(String, ApplicationId, u64)> {
        let key = |b: &StatsBucket| {
            (
                b.period_start.to_rfc3339(),
                b.application_id.clone(),
                b.feedback,
            )
        };
        b.iter().map(key).collect()
    };
    let (first, second) = if a1 < a2 { (&a1, &a2) } else { (&a2, &a1) };
    let (first_n, second_n) = if a1 < a2 { (3, 1) } else { (1, 3) };
    let day = |d: &str| format!("2026-03-{d}T00:00:00Z");
    let expect = [
        (day("09"), a1.clone(), 1),
        (day("15"), a1.clone(), 2),
        (day("16"), first.clone(), first_n),
        (day("16"), second.clone(), second_n),
        (day("17"), a1.clone(), 1),
    ];
    assert_eq!(
        keys(&days.buckets),
        expect,
        "oldest period first, then by application"
    );
    let sunday = bucket(&days.buckets, &a1, "2026-03-15T00:00:00Z");
    assert_eq!((sunday.useful, sunday.not_useful, sunday.copied), (1, 1, 1));
    assert_eq!(
        (sunday.useful_rate, sunday.copy_rate),
        (Some(0.5), Some(0.5))
    );
    assert_eq!(sunday.reasons.get("HELPFUL"), Some(&1));
    assert_eq!(sunday.reasons.get("NOT_FACTUALLY_CORRECT"), Some(&1));
    let monday = bucket(&days.buckets, &a1, "2026-03-16T00:00:00Z");
    assert_eq!((monday.useful, monday.not_useful, monday.copied), (0, 2, 1));
    assert_eq!(
        (monday.useful_rate, monday.copy_rate),
        (Some(0.0), Some(1.0 / 3.0))
    );
    assert_eq!(monday.reasons.len(), 2);

    let by_week = StatsQuery {
        period: Period::Week,
        ..q.clone()
    };
    let weeks = c.s.feedback_stats(&c.p, &by_week).await.unwrap();
    let (first_n, second_n) = if a1 < a2 { (4, 1) } else { (1, 4) };
    let expect = [
        (day("09"), a1.clone(), 3),
        (day("16"), first.clone(), first_n),
        (day("16"), second.clone(), second_n),
    ];
    let boundary = "Sunday 23:59:59 closes a week, Monday 00:00 opens one";
    assert_eq!(keys(&weeks.buckets), expect, "{boundary}");
    let w = bucket(&weeks.buckets, &a1, "2026-03-16T00:00:00Z");
    assert_eq!(
        (w.useful, w.not_useful, w.useful_rate),
        (1, 2, Some(1.0 / 3.0))
    );
    assert_eq!(weeks.buckets[0].useful_rate, Some(2.0 / 3.0));

    // Top NOT_USEFUL: message 2 (2 votes, recorded text), then the tie of 1 and 3 by message id.
    let top = &days.most_not_useful;
    assert_eq!(top.len(), 2);
    assert_eq!(
        (&top[0].message, top[0].not_useful, top[0].useful),
        (&at(&a1, 1, 2), 2, 0)
    );
    assert_eq!(top[0].text.as_deref(), Some("The answer"));
    assert_eq!(
        (&top[1].message, top[1].not_useful, top[1].useful),
        (&at(&a1, 1, 1), 1, 1)
    );
    assert_eq!(top[1].text, None);

    // Scoped by application and by time.
    let only_a2 = StatsQuery {
        application_id: Some(a2.clone()),
        top: 10,
        ..q.clone()
    };
    let st = c.s.feedback_stats(&c.p, &only_a2).await.unwrap();
    assert_eq!(st.buckets.len(), 1);
    let rated: Vec<_> = st
        .most_not_useful
        .iter()
        .map(|r| r.message.clone())
        .collect();
    assert_eq!(rated, [at(&a2, 1, 3)]);
    let (from, to) = (Some(ts(&day("16"))), Some(ts(&day("17"))));
    let monday_only = StatsQuery {
        from,
        to,
        top: 10,
        ..q.clone()
    };
    let st = c.s.feedback_stats(&c.p, &monday_only).await.unwrap();
    assert_eq!(st.buckets.iter().map(|b| b.feedback).sum::<u64>(), 4);
    let ids: Vec<_> = st
        .most_not_useful
        .iter()
        .map(|r| (r.message.message_id.clone(), r.not_useful))
        .collect();
    assert_eq!(ids, [(msg(2), 2), (msg(3), 1)]);
    let none =
        c.s.feedback_stats(&c.p, &StatsQuery { top: 0, ..q })
            .await
            .unwrap();
    assert!(none.most_not_useful.is_empty());
}
