//! A webhook receiver for the integration tests: an axum server on 127.0.0.1:0 that records
//! every request (its Standard Webhooks headers and body) and answers with the status its
//! script picks, e.g. 500 for some first attempts so that retries happen.
#![allow(dead_code)] // each test crate uses a different subset

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    /// `webhook-id`: the event's id, the same on every attempt.
    pub webhook_id: String,
    /// `webhook-timestamp`, in seconds.
    pub timestamp: i64,
    /// `webhook-signature`.
    pub signature: String,
    /// The raw body.
    pub body: Bytes,
    /// The status answered.
    pub status: u16,
}

impl Received {
    /// The body as JSON (`Null` if it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

/// Picks the status of a request: given its `webhook-id` and how many requests with that id
/// came before it.
pub type Script = Arc<dyn Fn(&str, usize) -> u16 + Send + Sync>;

#[derive(Clone)]
struct Shared {
    log: Arc<Mutex<Vec<Received>>>,
    script: Script,
}

/// A running receiver, stopped when dropped.
pub struct Receiver {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    log: Arc<Mutex<Vec<Received>>>,
    task: JoinHandle<()>,
}

impl Receiver {
    /// Starts a receiver answering every request as `script` says.
    pub async fn start(script: Script) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the receiver");
        let base = format!("http://{}", listener.local_addr().expect("local address"));
        let log = Arc::new(Mutex::new(Vec::new()));
        let shared = Shared {
            log: log.clone(),
            script,
        };
        let app = axum::Router::new().fallback(record).with_state(shared);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { base, log, task }
    }

    /// Starts a receiver that answers 200 to everything.
    pub async fn accepting() -> Self {
        Self::start(Arc::new(|_, _| 200)).await
    }

    /// Every request so far, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        self.log.lock().expect("receiver log lock").clone()
    }

    /// Waits (up to `timeout`) until `done` holds for the requests so far; returns them.
    pub async fn wait_for(
        &self,
        timeout: Duration,
        done: impl Fn(&[Received]) -> bool,
    ) -> Vec<Received> {
        let deadline = Instant::now() + timeout;
        loop {
            let got = self.received();
            if done(&got) {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "the receiver did not get what was expected within {timeout:?}; it got {} requests",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn record(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let webhook_id = header("webhook-id");
    let mut log = shared.log.lock().expect("receiver log lock");
    let before = log.iter().filter(|r| r.webhook_id == webhook_id).count();
    let status = (shared.script)(&webhook_id, before);
    log.push(Received {
        timestamp: header("webhook-timestamp").parse().unwrap_or(0),
        signature: header("webhook-signature"),
        webhook_id,
        body,
        status,
    });
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}
