//! Prometheus metrics of one server instance, in a registry owned by its [`crate::AppState`]
//! (no global recorder), and the middleware that fills them.

use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use prometheus::{
    HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};
use std::time::Instant;

/// The server's metrics. Cloning is cheap and shares the same series.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    duration: HistogramVec,
    in_flight: IntGauge,
    items_ingested: IntCounter,
    items_failed: IntCounter,
    storage_unavailable: IntCounter,
    webhook_attempts: IntCounterVec,
    webhook_pending: IntGauge,
}

/// A response extension set by the error shapes when the store was unavailable (a full disk,
/// the database down): [`track_requests`] counts it in `hark_storage_unavailable_total`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StorageUnavailable;

impl Metrics {
    /// A fresh registry holding hark's HTTP and ingest series.
    pub fn new() -> Self {
        let registry = Registry::new();
        // The names and label sets are constants of this file, so construction and
        // registration can only fail through a bug here.
        let requests = IntCounterVec::new(
            Opts::new("hark_http_requests_total", "HTTP requests answered"),
            &["route", "method", "status"],
        )
        .expect("valid metric definition");
        let duration = HistogramVec::new(
            HistogramOpts::new(
                "hark_http_request_duration_seconds",
                "Time from request to response head",
            ),
            &["route"],
        )
        .expect("valid metric definition");
        let in_flight = IntGauge::new(
            "hark_http_requests_in_flight",
            "API and admin requests holding a concurrency slot",
        )
        .expect("valid metric definition");
        let items_ingested = IntCounter::new(
            "hark_items_ingested_total",
            "Items stored by the ingest API",
        )
        .expect("valid metric definition");
        let items_failed = IntCounter::new(
            "hark_items_failed_total",
            "Items refused by the ingest API (validation or store)",
        )
        .expect("valid metric definition");
        let storage_unavailable = IntCounter::new(
            "hark_storage_unavailable_total",
            "Requests answered 503 because the store could not write or be reached (disk full, database down)",
        )
        .expect("valid metric definition");
        let webhook_attempts = IntCounterVec::new(
            Opts::new(
                "hark_webhook_attempts_total",
                "Webhook delivery attempts made by this node, by outcome (delivered, failed)",
            ),
            &["outcome"],
        )
        .expect("valid metric definition");
        let webhook_pending = IntGauge::new(
            "hark_webhook_outbox_pending",
            "Webhook deliveries waiting to be made, all nodes (read at scrape time)",
        )
        .expect("valid metric definition");
        for collector in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(duration.clone()),
            Box::new(in_flight.clone()),
            Box::new(items_ingested.clone()),
            Box::new(items_failed.clone()),
            Box::new(storage_unavailable.clone()),
            Box::new(webhook_attempts.clone()),
            Box::new(webhook_pending.clone()),
        ] {
            registry
                .register(collector)
                .expect("metric names are unique in a fresh registry");
        }
        Self {
            registry,
            requests,
            duration,
            in_flight,
            items_ingested,
            items_failed,
            storage_unavailable,
            webhook_attempts,
            webhook_pending,
        }
    }

    /// Counts one webhook delivery attempt.
    pub fn record_webhook_attempt(&self, delivered: bool) {
        let outcome = if delivered { "delivered" } else { "failed" };
        self.webhook_attempts.with_label_values(&[outcome]).inc();
    }

    /// Sets the outbox depth (pending deliveries).
    pub fn set_webhook_pending(&self, pending: u64) {
        self.webhook_pending
            .set(i64::try_from(pending).unwrap_or(i64::MAX));
    }

    /// The registry, for other components of the process to add their own series.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Counts the outcome of one ingest request.
    pub fn record_ingest(&self, ingested: u64, failed: u64) {
        self.items_ingested.inc_by(ingested);
        self.items_failed.inc_by(failed);
    }

    /// Every series in the Prometheus text exposition format.
    pub fn render(&self) -> Result<String, prometheus::Error> {
        TextEncoder::new().encode_to_string(&self.registry.gather())
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// Middleware: counts every request by route template (never the raw path, whose ids would
/// make unbounded series), method and status, and times it by route.
pub(crate) async fn track_requests(
    State(metrics): State<Metrics>,
    req: Request,
    next: Next,
) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();
    let method = method_label(req.method());
    let start = Instant::now();
    let response = next.run(req).await;
    metrics
        .duration
        .with_label_values(&[route.as_str()])
        .observe(start.elapsed().as_secs_f64());
    metrics
        .requests
        .with_label_values(&[route.as_str(), method, response.status().as_str()])
        .inc();
    if response.extensions().get::<StorageUnavailable>().is_some() {
        metrics.storage_unavailable.inc();
    }
    response
}

/// Middleware inside the concurrency limit: how many requests hold a slot right now.
pub(crate) async fn track_in_flight(
    State(metrics): State<Metrics>,
    req: Request,
    next: Next,
) -> Response {
    // A guard, so that a request cancelled by the timeout is uncounted too.
    struct InFlight(IntGauge);
    impl Drop for InFlight {
        fn drop(&mut self) {
            self.0.dec();
        }
    }
    metrics.in_flight.inc();
    let _guard = InFlight(metrics.in_flight.clone());
    next.run(req).await
}

/// The method as a label, with unusual methods folded so clients cannot mint series.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_series() {
        let m = Metrics::new();
        m.record_ingest(3, 1);
        m.requests
            .with_label_values(&["/healthz", "GET", "200"])
            .inc();
        let text = m.render().expect("encodes");
        assert!(text.contains("hark_items_ingested_total 3"), "{text}");
        assert!(text.contains("hark_items_failed_total 1"), "{text}");
        assert!(text.contains(
            "hark_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"
        ));
    }

    #[test]
    fn registries_are_independent() {
        let a = Metrics::new();
        let b = Metrics::new();
        a.record_ingest(1, 0);
        assert!(b
            .render()
            .expect("encodes")
            .contains("hark_items_ingested_total 0"));
    }
}
