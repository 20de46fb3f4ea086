//! The listener: accepts TCP connections (optionally TLS, [`super::tls`]) and serves each with
//! HTTP/1.1 or HTTP/2 on the same port. HTTP/2 is cleartext with prior knowledge (h2c, what the AWS SDK for JavaScript v3 sends
//! to an `http://` endpoint): hyper-util's auto builder reads the connection preface and picks
//! the protocol. Hand-written around that builder (rather than `axum::serve`) because the limits
//! of [`ConnectionLimits`] — header-read timeout, HTTP/2 streams, header list size, keep-alive
//! pings — and a bounded graceful shutdown are not configurable there.

use super::tls::TlsSettings;
use crate::config::ConnectionLimits;
use axum::extract::ConnectInfo;
use axum::http::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use hyper_util::service::TowerToHyperService;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// The connection builder with every limit set: one per server, cloned into each connection.
fn builder(limits: &ConnectionLimits) -> auto::Builder<TokioExecutor> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
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
    S: tower::Service<
            Request<Incoming>,
            Response = axum::response::Response,
            Error = std::convert::Infallible,
        > + Clone
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

/// The router with each request told its connection's peer address
/// (`ConnectInfo<SocketAddr>`, read by the dashboard's sign-in throttle).
fn with_peer(
    app: Router,
    peer: SocketAddr,
) -> impl tower::Service<
    Request<Incoming>,
    Response = axum::response::Response,
    Error = std::convert::Infallible,
    Future = impl Send,
> + Clone
       + Send
       + 'static {
    tower::ServiceExt::map_request(app, move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        request
    })
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
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of descriptors, or a connection reset before it was accepted: the
                    // listener itself is fine. A short pause keeps an EMFILE from spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = shutdown.cancelled() => break,
        };
        // Small answers go out at once instead of waiting for Nagle's timer.
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(with_peer(app.clone(), peer));
        let (builder, watcher, tls) = (builder.clone(), graceful.watcher(), tls.clone());
        let handshake_timeout = limits.header_read_timeout;
        tokio::spawn(async move {
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
