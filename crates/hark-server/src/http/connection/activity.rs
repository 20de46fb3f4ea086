//! What one connection is doing, shared by its service (which counts the requests in flight,
//! each until its response body ends) and its socket ([`Deadline`], which stops waiting for
//! bytes past a deadline). A connection that has not started a request within the first-request
//! timeout of opening, or has had none in flight for the idle timeout, is closed — whatever its
//! protocol. Hand-written because hyper's own header timer starts only after hyper-util has told
//! HTTP/1 from HTTP/2 (a socket that sends nothing is held for ever) and HTTP/2 has no idle
//! timeout at all.

use axum::body::{Body, Bytes, HttpBody};
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

/// The shared state of one connection.
#[derive(Debug)]
pub(crate) struct Activity {
    opened: Instant,
    in_flight: AtomicUsize,
    served: AtomicBool,
    /// Milliseconds from `opened` to the end of the last request.
    last_end_ms: AtomicU64,
    /// The socket's reader waiting for bytes: woken when the last request ends, so that the
    /// idle deadline is armed at once rather than at the next byte.
    reader: Mutex<Option<Waker>>,
}

impl Activity {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self {
            opened: Instant::now(),
            in_flight: AtomicUsize::new(0),
            served: AtomicBool::new(false),
            last_end_ms: AtomicU64::new(0),
            reader: Mutex::new(None),
        })
    }

    /// A request starts; it is in flight until the returned guard is dropped.
    pub(crate) fn begin(self: &Arc<Self>) -> InFlight {
        self.served.store(true, Ordering::Release);
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        InFlight(self.clone())
    }

    /// When the connection must close if nothing starts before: `None` while a request is in
    /// flight.
    fn deadline(&self, first: Duration, idle: Duration) -> Option<Instant> {
        if self.in_flight.load(Ordering::Acquire) > 0 {
            return None;
        }
        if !self.served.load(Ordering::Acquire) {
            return Some(self.opened + first);
        }
        let last = Duration::from_millis(self.last_end_ms.load(Ordering::Acquire));
        Some(self.opened + last + idle)
    }

    fn park_reader(&self, waker: &Waker) {
        if let Ok(mut slot) = self.reader.lock() {
            match slot.as_ref() {
                Some(w) if w.will_wake(waker) => {}
                _ => *slot = Some(waker.clone()),
            }
        }
    }
}

/// A request in flight (see [`Activity::begin`]).
#[derive(Debug)]
pub(crate) struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        let a = &self.0;
        let since_open = u64::try_from(a.opened.elapsed().as_millis()).unwrap_or(u64::MAX);
        a.last_end_ms.store(since_open, Ordering::Release);
        if a.in_flight.fetch_sub(1, Ordering::AcqRel) == 1 {
            let waker = a.reader.lock().ok().and_then(|mut slot| slot.take());
            if let Some(w) = waker {
                w.wake();
            }
        }
    }
}

/// A response body that keeps its request in flight until it is finished or dropped (a long
/// export is not idle).
pub(crate) struct Guarded {
    body: Body,
    _in_flight: InFlight,
}

impl Guarded {
    pub(crate) fn wrap(body: Body, in_flight: InFlight) -> Body {
        Body::new(Self {
            body,
            _in_flight: in_flight,
        })
    }
}

impl HttpBody for Guarded {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.body.size_hint()
    }
}

/// A socket whose reads fail with `TimedOut` once its connection's [`Activity`] deadline
/// passes; writes are untouched (an answer being written is never cut).
pub(crate) struct Deadline<I> {
    inner: I,
    activity: Arc<Activity>,
    first: Duration,
    idle: Duration,
    sleep: Pin<Box<Sleep>>,
}

impl<I> Deadline<I> {
    pub(crate) fn new(inner: I, activity: Arc<Activity>, first: Duration, idle: Duration) -> Self {
        let sleep = Box::pin(tokio::time::sleep_until(activity.opened + first));
        Self {
            inner,
            activity,
            first,
            idle,
            sleep,
        }
    }
}

impl<I: AsyncRead + Unpin> AsyncRead for Deadline<I> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        this.activity.park_reader(cx.waker());
        if let Some(at) = this.activity.deadline(this.first, this.idle) {
            if this.sleep.deadline() != at {
                this.sleep.as_mut().reset(at);
            }
            if this.sleep.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "no request on the connection in time",
                )));
            }
        }
        Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for Deadline<I> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    const FIRST: Duration = Duration::from_secs(10);
    const IDLE: Duration = Duration::from_secs(60);

    #[tokio::test(start_paused = true)]
    async fn a_silent_socket_times_out_after_the_first_request_timeout() {
        let (client, server) = tokio::io::duplex(64);
        let activity = Activity::new();
        let mut socket = Deadline::new(server, activity, FIRST, IDLE);
        let started = Instant::now();
        let mut buf = [0u8; 8];
        let e = socket.read(&mut buf).await.expect_err("times out");
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
        assert_eq!(started.elapsed(), FIRST);
        drop(client);
    }

    #[tokio::test(start_paused = true)]
    async fn requests_in_flight_hold_the_connection_and_idleness_then_counts() {
        let (mut client, server) = tokio::io::duplex(64);
        let activity = Activity::new();
        let mut socket = Deadline::new(server, activity.clone(), FIRST, IDLE);
        client.write_all(b"GET").await.expect("write");
        let mut buf = [0u8; 3];
        socket
            .read_exact(&mut buf)
            .await
            .expect("bytes before the deadline");
        let request = activity.begin();
        // In flight for longer than both timeouts: never cut.
        tokio::time::sleep(IDLE * 3).await;
        client.write_all(b"abc").await.expect("write");
        socket
            .read_exact(&mut buf)
            .await
            .expect("read while in flight");
        let ended = Instant::now();
        let reader = tokio::spawn(async move {
            let mut buf = [0u8; 1];
            socket.read(&mut buf).await
        });
        tokio::task::yield_now().await;
        drop(request);
        let e = reader.await.expect("join").expect_err("idle");
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
        assert_eq!(ended.elapsed(), IDLE);
    }
}
