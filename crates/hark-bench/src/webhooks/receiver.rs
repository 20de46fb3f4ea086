//! The local webhook receiver: an axum server on 127.0.0.1 that answers every `POST /r/{n}`
//! with 204 and counts it, per endpoint `n`. It checks only what costs nothing (a
//! `webhook-id` header and a non-empty body): the benchmark measures the sender.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Most endpoints one receiver counts separately.
const MAX_ENDPOINTS: usize = 64;

/// What the receiver has seen.
pub struct Counts {
    started: Instant,
    total: AtomicU64,
    malformed: AtomicU64,
    per_endpoint: Vec<AtomicU64>,
    /// Nanoseconds from `started` to the latest request.
    last_nanos: AtomicU64,
}

impl Counts {
    /// Requests received so far.
    pub fn total(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }

    /// Requests without a `webhook-id` header or with an empty body.
    pub fn malformed(&self) -> u64 {
        self.malformed.load(Ordering::Relaxed)
    }

    /// Requests received for endpoint `n`.
    pub fn of(&self, n: usize) -> u64 {
        self.per_endpoint
            .get(n)
            .map_or(0, |c| c.load(Ordering::Relaxed))
    }

    /// When the latest request arrived.
    pub fn last(&self) -> Instant {
        self.started + Duration::from_nanos(self.last_nanos.load(Ordering::Relaxed))
    }
}

/// A running receiver; stops when dropped.
pub struct Receiver {
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    counts: Arc<Counts>,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    /// Binds 127.0.0.1 port 0 and serves in the background.
    pub async fn start() -> Result<Self, crate::drive::BenchError> {
        let counts = Arc::new(Counts {
            started: Instant::now(),
            total: AtomicU64::new(0),
            malformed: AtomicU64::new(0),
            per_endpoint: (0..MAX_ENDPOINTS).map(|_| AtomicU64::new(0)).collect(),
            last_nanos: AtomicU64::new(0),
        });
        let app = Router::new()
            .route("/r/{n}", post(receive))
            .with_state(counts.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                eprintln!("receiver stopped: {e}");
            }
        });
        Ok(Self {
            base_url,
            counts,
            task,
        })
    }

    /// The URL of endpoint `n`.
    pub fn url(&self, n: usize) -> String {
        format!("{}/r/{n}", self.base_url)
    }

    /// The counters.
    pub fn counts(&self) -> &Counts {
        &self.counts
    }

    /// Waits until `target` requests in all have arrived, or `timeout` passes; returns
    /// whether they did.
    pub async fn wait_for(&self, target: u64, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while self.counts.total() < target {
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        true
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn receive(
    State(counts): State<Arc<Counts>>,
    Path(n): Path<usize>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    if !headers.contains_key("webhook-id") || body.is_empty() {
        counts.malformed.fetch_add(1, Ordering::Relaxed);
    }
    if let Some(c) = counts.per_endpoint.get(n) {
        c.fetch_add(1, Ordering::Relaxed);
    }
    let nanos = u64::try_from(counts.started.elapsed().as_nanos()).unwrap_or(u64::MAX);
    counts.last_nanos.fetch_max(nanos, Ordering::Relaxed);
    counts.total.fetch_add(1, Ordering::Relaxed);
    StatusCode::NO_CONTENT
}
