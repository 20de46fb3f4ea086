//! The delivery worker: on every node, claims due deliveries from the store's outbox (with a
//! lease, so each attempt is made by one node), makes the attempts concurrently, and records
//! each outcome with what follows from it: delivered; retried on the schedule; given up when the
//! schedule runs out; the endpoint disabled on 410 Gone or after five days of failures.
//!
//! A worker that dies mid-attempt leaves its claims to be taken again when their lease ends:
//! delivery is at least once, and receivers de-duplicate on the stable `webhook-id`.

use crate::client::{Deliverer, Verdict};
use crate::event::{Event, EventType};
use crate::schedule::{should_disable, RetrySchedule};
use crate::signing::{webhook_headers, WebhookSecret};
use crate::slack;
use bytes::Bytes;
use hark_core::crypto::MasterKey;
use hark_core::webhooks::{Attempt, AttemptResult, ClaimedDelivery, EndpointKind};
use hark_core::Timestamp;
use hark_store::{ClaimLimits, Store, StoreError};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How the worker runs.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Sleep between claims when nothing was due.
    pub poll: Duration,
    /// How long a claim is held; longer than an attempt's timeout.
    pub lease: Duration,
    /// Deliveries claimed (and attempted at once) per round.
    pub batch: u32,
    /// Deliveries of one endpoint in flight at once, across nodes: a slow receiver cannot take
    /// every slot.
    pub per_endpoint: u32,
    /// When failed deliveries are tried again.
    pub schedule: RetrySchedule,
    /// The dashboard's public URL, for the links of Slack messages (none when empty).
    pub dashboard_url: String,
    /// How often rising themes and useful-rate drops are looked for ([`crate::Watcher`]).
    pub watch_every: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            poll: Duration::from_millis(500),
            lease: Duration::from_secs(60),
            batch: 64,
            per_endpoint: 4,
            schedule: RetrySchedule::default(),
            dashboard_url: String::new(),
            watch_every: Duration::from_secs(60),
        }
    }
}

/// The body and headers of one attempt.
type Request = (Bytes, Vec<(&'static str, String)>);

/// How one attempt ended, for the process's metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A 2xx answer.
    Delivered,
    /// Any other answer or failure.
    Failed,
}

/// Called once per attempt.
pub type Observer = Arc<dyn Fn(Outcome) + Send + Sync>;

/// The delivery worker of one node.
pub struct Worker {
    store: Arc<dyn Store>,
    deliverer: Deliverer,
    master_key: MasterKey,
    config: WorkerConfig,
    observer: Option<Observer>,
}

impl Worker {
    /// A worker delivering the outbox of `store` with `deliverer`; secrets are opened with
    /// `master_key`.
    pub fn new(
        store: Arc<dyn Store>,
        deliverer: Deliverer,
        master_key: MasterKey,
        config: WorkerConfig,
    ) -> Self {
        Self {
            store,
            deliverer,
            master_key,
            config,
            observer: None,
        }
    }

    /// Calls `observer` after every attempt.
    pub fn with_observer(mut self, observer: Observer) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Delivers until `cancel` is cancelled. A failing store is logged and retried after a
    /// pause; attempts in progress when cancelled are dropped, their claims expire and are
    /// taken again (by this node after a restart, or another).
    pub async fn run(self, cancel: CancellationToken) {
        let mut failing = false;
        loop {
            let pause = match self.step().await {
                Ok(0) => self.config.poll,
                Ok(_) => Duration::ZERO,
                Err(e) => {
                    if !failing {
                        tracing::warn!(error = %e, "webhook deliveries: the store failed; retrying");
                    }
                    failing = true;
                    self.config.poll.max(Duration::from_secs(1))
                }
            };
            if !pause.is_zero() || cancel.is_cancelled() {
                tokio::select! {
                    _ = cancel.cancelled() => return,
                    _ = tokio::time::sleep(pause) => {}
                }
            }
            if failing && pause.is_zero() {
                failing = false;
            }
        }
    }

    /// Claims due deliveries and attempts them all at once; returns how many were claimed.
    pub async fn step(&self) -> Result<usize, StoreError> {
        let now = Timestamp::now();
        let lease = Timestamp::from_micros(
            now.as_micros() + i64::try_from(self.config.lease.as_micros()).unwrap_or(i64::MAX),
        );
        let limits = ClaimLimits {
            batch: self.config.batch,
            per_endpoint: self.config.per_endpoint,
        };
        let claimed = self.store.claim_deliveries(now, lease, limits).await?;
        let count = claimed.len();
        let attempts = claimed.into_iter().map(|d| self.deliver(d));
        for result in futures_util::future::join_all(attempts).await {
            result?;
        }
        Ok(count)
    }

    /// Makes one attempt and records it.
    async fn deliver(&self, d: ClaimedDelivery) -> Result<(), StoreError> {
        let number = d.attempts.saturating_add(1);
        let at = Timestamp::now();
        let (attempt, result) = match self.request(&d, at) {
            Ok((body, headers)) => {
                let outcome = self
                    .deliverer
                    .attempt(&d.endpoint.url, &headers, body)
                    .await;
                let attempt = Attempt {
                    number,
                    at,
                    status: outcome.status,
                    latency_ms: u64::try_from(outcome.latency.as_millis()).unwrap_or(u64::MAX),
                    response: describe(&outcome.verdict, &outcome.excerpt),
                };
                (attempt, self.decide(&d, number, &outcome.verdict))
            }
            Err(why) => {
                let attempt = Attempt {
                    number,
                    at,
                    status: None,
                    latency_ms: 0,
                    response: why.clone(),
                };
                (attempt, AttemptResult::GiveUp)
            }
        };
        if let Some(observe) = &self.observer {
            observe(match result {
                AttemptResult::Delivered => Outcome::Delivered,
                _ => Outcome::Failed,
            });
        }
        self.store.finish_attempt(d.id, &attempt, result).await
    }

    /// The body and headers of an attempt: the signed event, or the Slack message. An error
    /// (a secret that cannot be opened) is not retried: nothing will change.
    fn request(&self, d: &ClaimedDelivery, at: Timestamp) -> Result<Request, String> {
        let event_type: EventType = d.event_type;
        let event = Event {
            event_type,
            timestamp: d.timestamp,
            data: d.data.clone(),
        };
        let body = match d.endpoint.kind {
            EndpointKind::Standard => event.to_body(),
            EndpointKind::Slack => slack::message(&event, &self.config.dashboard_url).to_body(),
        };
        let id = &d.endpoint.id;
        let open = |sealed: &[u8]| {
            crate::manage::open(&self.master_key, id, sealed).map_err(|e| e.to_string())
        };
        let mut secrets = vec![open(&d.secrets.current)?];
        if let Some((previous, until)) = &d.secrets.previous {
            if *until > at {
                secrets.push(open(previous)?);
            }
        }
        let refs: Vec<&WebhookSecret> = secrets.iter().collect();
        let ts = at.as_micros().div_euclid(1_000_000);
        let headers = webhook_headers(&refs, d.event_id.as_str(), ts, &body).to_vec();
        Ok((Bytes::from(body), headers))
    }

    /// What follows from an attempt's verdict.
    fn decide(&self, d: &ClaimedDelivery, number: u32, verdict: &Verdict) -> AttemptResult {
        let now = Timestamp::now();
        match verdict {
            Verdict::Delivered => AttemptResult::Delivered,
            Verdict::Gone => {
                AttemptResult::DisableEndpoint("the receiver answered 410 Gone".into())
            }
            Verdict::Refused(why) => AttemptResult::DisableEndpoint(format!("refused: {why}")),
            Verdict::Retry(_) => {
                if d.endpoint
                    .failing_since
                    .is_some_and(|since| should_disable(since, now))
                {
                    return AttemptResult::DisableEndpoint("deliveries failed for 5 days".into());
                }
                match self.config.schedule.delay_after(number) {
                    Some(delay) => AttemptResult::RetryAt(Timestamp::from_micros(
                        now.as_micros() + i64::try_from(delay.as_micros()).unwrap_or(i64::MAX),
                    )),
                    None => AttemptResult::GiveUp,
                }
            }
        }
    }
}

/// What an attempt's record says: the response excerpt, or what went wrong.
fn describe(verdict: &Verdict, excerpt: &str) -> String {
    match verdict {
        Verdict::Delivered | Verdict::Gone => excerpt.to_owned(),
        Verdict::Retry(reason) if excerpt.is_empty() => reason.to_string(),
        Verdict::Retry(_) => excerpt.to_owned(),
        Verdict::Refused(why) => why.to_string(),
    }
}
