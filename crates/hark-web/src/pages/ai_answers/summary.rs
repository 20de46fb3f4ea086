//! The figures of the AI-answers page, computed from the store's aggregates: useful rate per
//! period, per application, the reasons given and the copy rate.

use hark_core::chat::FeedbackStats;
use std::collections::BTreeMap;

/// Counts of feedback records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    /// Feedback records.
    pub feedback: u64,
    /// Voted useful.
    pub useful: u64,
    /// Voted not useful.
    pub not_useful: u64,
    /// Answer copied.
    pub copied: u64,
}

impl Counts {
    fn add(&mut self, feedback: u64, useful: u64, not_useful: u64, copied: u64) {
        self.feedback += feedback;
        self.useful += useful;
        self.not_useful += not_useful;
        self.copied += copied;
    }

    /// Votes cast (useful or not).
    pub fn votes(&self) -> u64 {
        self.useful + self.not_useful
    }
}

/// The page's figures.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Summary {
    /// Every application together.
    pub total: Counts,
    /// Per period start (microseconds), oldest first.
    pub periods: BTreeMap<i64, Counts>,
    /// Per application id.
    pub applications: BTreeMap<String, Counts>,
    /// Reasons (wire names) with their votes, most first, then by name.
    pub reasons: Vec<(String, u64)>,
}

/// Sums the buckets of `stats` by period, by application and by reason.
pub(crate) fn summarise(stats: &FeedbackStats) -> Summary {
    let mut s = Summary::default();
    let mut reasons: BTreeMap<String, u64> = BTreeMap::new();
    for b in &stats.buckets {
        let n = (b.feedback, b.useful, b.not_useful, b.copied);
        s.total.add(n.0, n.1, n.2, n.3);
        s.periods
            .entry(b.period_start.as_micros())
            .or_default()
            .add(n.0, n.1, n.2, n.3);
        s.applications
            .entry(b.application_id.to_string())
            .or_default()
            .add(n.0, n.1, n.2, n.3);
        for (r, c) in &b.reasons {
            *reasons.entry(r.clone()).or_default() += c;
        }
    }
    let mut reasons: Vec<(String, u64)> = reasons.into_iter().collect();
    // Stable over the name order of the map: ties stay alphabetical.
    reasons.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    s.reasons = reasons;
    s
}

/// `NOT_FACTUALLY_CORRECT` as `Not factually correct`.
pub(crate) fn reason_label(wire: &str) -> String {
    let lower = wire.replace('_', " ").to_lowercase();
    let mut chars = lower.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hark_core::chat::{ApplicationId, StatsBucket};
    use hark_core::Timestamp;

    fn bucket(
        app: &str,
        day: i64,
        useful: u64,
        not_useful: u64,
        reasons: &[(&str, u64)],
    ) -> StatsBucket {
        StatsBucket {
            application_id: ApplicationId::from_stored(app.to_string()),
            period_start: Timestamp::from_micros(day),
            feedback: useful + not_useful + 1,
            useful,
            not_useful,
            useful_rate: None,
            copied: 1,
            copy_rate: None,
            reasons: reasons.iter().map(|(r, n)| (r.to_string(), *n)).collect(),
        }
    }

    #[test]
    fn sums_by_period_application_and_reason() {
        let stats = FeedbackStats {
            buckets: vec![
                bucket("a", 1, 3, 1, &[("NOT_HELPFUL", 1)]),
                bucket("b", 1, 0, 2, &[("NOT_HELPFUL", 1), ("NOT_COMPLETE", 1)]),
                bucket("a", 2, 1, 0, &[("HELPFUL", 1)]),
            ],
            most_not_useful: vec![],
        };
        let s = summarise(&stats);
        assert_eq!(s.total.votes(), 7);
        assert_eq!(s.total.copied, 3);
        assert_eq!(s.periods[&1].useful, 3);
        assert_eq!(s.periods[&1].not_useful, 3);
        assert_eq!(s.applications["a"].feedback, 7);
        assert_eq!(
            s.reasons,
            vec![
                ("NOT_HELPFUL".to_string(), 2),
                ("HELPFUL".to_string(), 1),
                ("NOT_COMPLETE".to_string(), 1)
            ]
        );
    }

    #[test]
    fn reasons_read_as_words() {
        assert_eq!(
            reason_label("NOT_FACTUALLY_CORRECT"),
            "Not factually correct"
        );
        assert_eq!(reason_label(""), "");
    }
}
