//! The events found by looking at the data rather than caused by one write: `theme.rising` (a
//! theme's mentions this week against last week) and `chat_quality.dropped` (an application's
//! useful rate today). Every node may run the watcher: each event carries a once-key (theme and
//! week; application and day) and the store gives an endpoint at most one event per key, so the
//! nodes agree without talking and a restart announces nothing twice.

use hark_core::analysis::MentionFilter;
use hark_core::chat::{Period, StatsQuery};
use hark_core::theme_view::{current_week, MetricsView, RISING_MIN_MENTIONS};
use hark_core::webhooks::{
    ChatQualityDropped, Endpoint, EventFacts, EventType, OutboxEvent, ThemeRef, ThemeRising,
    DEFAULT_USEFUL_RATE_BELOW,
};
use hark_core::{ProjectId, Timestamp};
use hark_store::{Store, StoreError};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Votes an application needs in a day before its useful rate is judged.
pub const MIN_DAILY_VOTES: u64 = 5;

const DAY_MICROS: i64 = 86_400 * 1_000_000;

/// Looks at every subscribed project's themes and ratings every `every`.
pub struct Watcher {
    store: Arc<dyn Store>,
    every: Duration,
}

impl Watcher {
    /// A watcher of `store` looking every `every`.
    pub fn new(store: Arc<dyn Store>, every: Duration) -> Self {
        Self { store, every }
    }

    /// Looks until `cancel` is cancelled; a failing store is logged and tried again next time.
    pub async fn run(self, cancel: CancellationToken) {
        loop {
            if let Err(e) = self.step(Timestamp::now()).await {
                tracing::warn!(error = %e, "webhook events: looking for rising themes and quality drops failed");
            }
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tokio::time::sleep(self.every) => {}
            }
        }
    }

    /// One look at `now`; returns the deliveries created.
    pub async fn step(&self, now: Timestamp) -> Result<u64, StoreError> {
        let mut created = 0;
        for project in projects(&self.store.endpoints_for(EventType::ThemeRising).await?) {
            let events = self.rising(&project, now).await?;
            created += self.store.emit_events(&project, events, None).await?;
        }
        let watching = self
            .store
            .endpoints_for(EventType::ChatQualityDropped)
            .await?;
        for project in projects(&watching) {
            let endpoints: Vec<&Endpoint> = watching
                .iter()
                .filter(|e| e.project_id == project)
                .collect();
            created += self.quality(&project, &endpoints, now).await?;
        }
        Ok(created)
    }

    /// `theme.rising` candidates: themes with at least [`RISING_MIN_MENTIONS`] mentions this
    /// week; each endpoint's growth threshold picks among them.
    async fn rising(
        &self,
        project: &ProjectId,
        now: Timestamp,
    ) -> Result<Vec<OutboxEvent>, StoreError> {
        let week = current_week(None, now);
        let themes = self.store.themes(project).await?;
        let metrics = self
            .store
            .theme_metrics(project, &MentionFilter::default())
            .await?;
        let mut events = Vec::new();
        for m in metrics {
            let Some(theme) = m
                .theme_id
                .as_ref()
                .and_then(|id| themes.iter().find(|t| &t.id == id))
            else {
                continue;
            };
            let category = m.categories.iter().max_by_key(|(_, n)| *n).map(|(c, _)| *c);
            let view = MetricsView::new(m, week);
            if view.this_week < RISING_MIN_MENTIONS {
                continue;
            }
            let growth = view.this_week as f64 / view.last_week.max(1) as f64;
            let data = ThemeRising {
                theme: ThemeRef {
                    id: theme.id.clone(),
                    name: theme.name.clone().unwrap_or_else(|| theme.label.clone()),
                },
                week,
                this_week: view.this_week,
                last_week: view.last_week,
                growth,
            };
            let facts = EventFacts {
                category,
                mentions: Some(view.this_week),
                growth: Some(growth),
                ..EventFacts::default()
            };
            let mut event = OutboxEvent::new(EventType::ThemeRising, facts, &data);
            event.once_key = Some(format!("theme.rising:{}:{week}", theme.id));
            events.push(event);
        }
        Ok(events)
    }

    /// `chat_quality.dropped` for applications with at least [`MIN_DAILY_VOTES`] votes today
    /// and a useful rate below an endpoint's threshold: one event per endpoint, since the event
    /// names the threshold it fell below. Returns the deliveries created.
    async fn quality(
        &self,
        project: &ProjectId,
        endpoints: &[&Endpoint],
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        let day = Timestamp::from_micros(now.as_micros().div_euclid(DAY_MICROS) * DAY_MICROS);
        let query = StatsQuery {
            application_id: None,
            from: Some(day),
            to: None,
            period: Period::Day,
            top: 0,
        };
        let stats = self.store.feedback_stats(project, &query).await?;
        let mut created = 0;
        for b in stats.buckets.into_iter().filter(|b| b.period_start == day) {
            let votes = b.useful + b.not_useful;
            let Some(rate) = b.useful_rate.filter(|_| votes >= MIN_DAILY_VOTES) else {
                continue;
            };
            let facts = EventFacts {
                source: Some(b.application_id.as_str().to_owned()),
                useful_rate: Some(rate),
                ..EventFacts::default()
            };
            for e in endpoints
                .iter()
                .filter(|e| e.wants(EventType::ChatQualityDropped, &facts))
            {
                let data = ChatQualityDropped {
                    application_id: b.application_id.clone(),
                    day,
                    useful_rate: rate,
                    threshold: e
                        .filter
                        .useful_rate_below
                        .unwrap_or(DEFAULT_USEFUL_RATE_BELOW),
                    votes,
                };
                let mut event =
                    OutboxEvent::new(EventType::ChatQualityDropped, facts.clone(), &data);
                event.once_key = Some(format!("chat_quality.dropped:{}:{day}", b.application_id));
                created += self
                    .store
                    .emit_events(project, vec![event], Some(&e.id))
                    .await?;
            }
        }
        Ok(created)
    }
}

/// The distinct projects of `endpoints`.
fn projects(endpoints: &[Endpoint]) -> BTreeSet<ProjectId> {
    endpoints.iter().map(|e| e.project_id.clone()).collect()
}
