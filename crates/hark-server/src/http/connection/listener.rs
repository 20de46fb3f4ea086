//! The listener: accepts TCP connections within the caps of [`Admission`] (optionally TLS,
//! [`crate::http::tls`]) and serves each with HTTP/1.1 or HTTP/2 on the same port. HTTP/2 is
//! cleartext with prior knowledge (h2c, what the AWS SDK for JavaScript v3 sends to an `http://`
//! endpoint): hyper-util's auto builder reads the connection preface and picks the protocol.
//! Hand-written around that builder (rather than `axum::serve`) because the limits of
//! [`ConnectionLimits`] — header-read, first-request and idle timeouts, connection caps, HTTP/2
//! streams, header list size, keep-alive pings — and a bounded graceful shutdown are not
//! configurable there.

use super::activity::{Activity, Deadline, Guarded};
use super::admission::{Admission, Admitted};
use crate::config::ConnectionLimits;
use crate::http::tls::TlsSettings;
use axum::extract::ConnectInfo;
use axum::http::Request;
use axum::response::Response;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use hyper_util::service::TowerToHyperService;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

/// The connection builder with every limit set: one per server, cloned into each connection.
fn builder(limits: &ConnectionLimits) -> auto::Builder<TokioExecutor> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        // Above the limit answered in the routes' shapes (`head_limits`), so that it answers.
        .max_headers(crate::http::head_limits::HYPER_MAX_HEADERS)
        .keep_alive(true);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(limits.http2_max_concurrent_streams)
        .max_header_list_size(limits.max_header_list_bytes)
        .keep_alive_interval(Some(limits.http2_keep_alive_interval))
        .keep_alive_timeout(limits.http2_keep_alive_timeout)
        // Clients resetting streams as fast as they open them ("rapid reset") get a GOAWAY.
        .max_pending_accept_reset_streams(Some(20));
    builder
}

/// Serves one connection until it ends; a graceful shutdown lets its requests in flight finish.
async fn serve_io<I, S>(
    builder: &auto::Builder<TokioExecutor>,
    watcher: Watcher,
    io: TokioIo<I>,
    service: TowerToHyperService<S>,
) where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    S: tower::Service<Request<Incoming>, Response = Response, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    let connection = builder.serve_connection(io, service).into_owned();
    if let Err(e) = watcher.watch(connection).await {
        // A client that resets or times out is routine, not an error of the server.
        tracing::debug!(error = %e, "connection ended with an error");
    }
}

/// The router as one connection's service: each request is told the peer address
/// (`ConnectInfo<SocketAddr>`, read by the dashboard's sign-in throttle) and counted in flight in
/// the connection's [`Activity`] until its response body ends.
fn connection_service(
    app: Router,
    peer: SocketAddr,
    activity: Arc<Activity>,
) -> impl tower::Service<
    Request<Incoming>,
    Response = Response,
    Error = Infallible,
    Future = impl Send,
> + Clone
       + Send
       + 'static {
    tower::service_fn(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        let in_flight = activity.begin();
        let app = app.clone();
        async move {
            let response = app.oneshot(request).await?;
            Ok(response.map(|body| Guarded::wrap(body, in_flight)))
        }
    })
}

/// How long the listener pauses after a failed `accept` (out of descriptors, or a connection
/// reset before it was accepted): doubling from 10 ms to 1 s while failures go on, so an EMFILE
/// neither spins nor floods the log.
#[derive(Debug, Default)]
struct Backoff {
    failures: u32,
}

impl Backoff {
    async fn after(&mut self, error: &std::io::Error) {
        if self.failures == 0 {
            tracing::warn!(%error, "accept failed; backing off");
        } else {
            tracing::debug!(%error, failures = self.failures, "accept failed again");
        }
        let pause = Duration::from_millis(10 << self.failures.min(7)).min(Duration::from_secs(1));
        self.failures = self.failures.saturating_add(1);
        tokio::time::sleep(pause).await;
    }

    fn reset(&mut self) {
        if self.failures > 0 {
            tracing::info!(failures = self.failures, "accepting connections again");
            self.failures = 0;
        }
    }
}

/// Accepts the next connection that fits the caps; `None` once `shutdown` is cancelled.
async fn accept(
    listener: &TcpListener,
    admission: &Admission,
    backoff: &mut Backoff,
    shutdown: &CancellationToken,
) -> Option<(TcpStream, SocketAddr, Admitted)> {
    loop {
        // At the total cap, wait here: new connections queue in the kernel's backlog.
        let slot = tokio::select! {
            slot = admission.slot() => slot?,
            () = shutdown.cancelled() => return None,
        };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = shutdown.cancelled() => return None,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                backoff.after(&e).await;
                continue;
            }
        };
        backoff.reset();
        match admission.admit(peer.ip(), slot) {
            Some(admitted) => return Some((stream, peer, admitted)),
            None => tracing::debug!(%peer, "connection refused: its address has too many open"),
        }
    }
}

/// Serves `app` on `listener` (through TLS when `tls` is set) until `shutdown` is cancelled;
/// then stops accepting, lets the requests in flight finish (idle connections close at once)
/// and returns, at the latest after [`ConnectionLimits::shutdown_grace`].
pub(crate) async fn run(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    tls: Option<TlsSettings>,
    shutdown: CancellationToken,
) {
    let builder = builder(&limits);
    let graceful = GracefulShutdown::new();
    let admission = Admission::new(&limits);
    let mut backoff = Backoff::default();
    while let Some((stream, peer, admitted)) =
        accept(&listener, &admission, &mut backoff, &shutdown).await
    {
        // Small answers go out at once instead of waiting for Nagle's timer.
        let _ = stream.set_nodelay(true);
        let activity = Activity::new();
        let stream = Deadline::new(
            stream,
            activity.clone(),
            limits.header_read_timeout,
            limits.idle_timeout,
        );
        let service = TowerToHyperService::new(connection_service(app.clone(), peer, activity));
        let (builder, watcher, tls) = (builder.clone(), graceful.watcher(), tls.clone());
        let handshake_timeout = limits.header_read_timeout;
        tokio::spawn(async move {
            // Holds the connection's slots until it ends.
            let _admitted = admitted;
            let Some(tls) = tls else {
                return serve_io(&builder, watcher, TokioIo::new(stream), service).await;
            };
            // A handshake is bounded like a request's headers: a silent peer is cut off.
            let accepted =
                tokio::time::timeout(handshake_timeout, tls.acceptor().accept(stream)).await;
            match accepted {
                Ok(Ok(stream)) => serve_io(&builder, watcher, TokioIo::new(stream), service).await,
                Ok(Err(e)) => tracing::debug!(error = %e, "TLS handshake failed"),
                Err(_) => tracing::debug!("TLS handshake timed out"),
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(limits.shutdown_grace) => {
            tracing::warn!(
                grace = ?limits.shutdown_grace,
                "connections still open after the shutdown grace period are dropped"
            );
        }
    }
}
