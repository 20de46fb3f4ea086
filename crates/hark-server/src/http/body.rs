//! Reading a request body within a cap, for every surface: the size announced by
//! `Content-Length` is checked before anything is read, the cap is enforced while reading
//! (chunked bodies too), and so is a minimum pace ([`BodyPace`]): a body trickled a byte at a time
//! does not hold a request slot until the request timeout. The hark API's [`crate::api::input::JsonBody`] and the AWS surface's
//! [`crate::aws::ChatCaller`] map the failures to their own error shapes.

use crate::config::BodyPace;
use axum::body::{Body, Bytes};
use axum::http::header::CONTENT_LENGTH;
use axum::http::HeaderMap;
use http_body_util::{BodyExt, LengthLimitError, Limited};
#[cfg(test)]
use std::time::Duration;
use tokio::time::Instant;

/// True when `Content-Length` announces more than `limit` bytes.
pub(crate) fn declared_too_large(headers: &HeaderMap, limit: usize) -> bool {
    headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .is_some_and(|n| n > limit as u64)
}

/// Why a body could not be collected within its cap.
#[derive(Debug)]
pub(crate) enum BodyReadError {
    /// It grew past the cap.
    TooLarge,
    /// The client went away or sent a broken chunked encoding.
    Broken(String),
    /// It arrived slower than its [`BodyPace`].
    TooSlow,
}

/// Collects at most `limit` bytes of `body` at `pace` at least; stops reading as soon as it
/// grows past them or falls behind.
pub(crate) async fn collect_capped(
    body: Body,
    limit: usize,
    pace: BodyPace,
) -> Result<Bytes, BodyReadError> {
    let start = Instant::now();
    let mut body = Limited::new(body, limit);
    let mut out = Vec::new();
    loop {
        let next = body.frame();
        let frame = match pace.due(start, out.len()) {
            Some(due) => tokio::time::timeout_at(due, next)
                .await
                .map_err(|_| BodyReadError::TooSlow)?,
            None => next.await,
        };
        match frame {
            None => return Ok(Bytes::from(out)),
            Some(Ok(frame)) => {
                if let Some(data) = frame.data_ref() {
                    out.extend_from_slice(data);
                }
            }
            Some(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => {
                return Err(BodyReadError::TooLarge)
            }
            Some(Err(e)) => return Err(BodyReadError::Broken(e.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use http_body_util::StreamBody;

    fn trickle(chunks: Vec<&'static [u8]>, every: Duration) -> Body {
        let stream = futures_util::stream::unfold(chunks.into_iter(), move |mut it| async move {
            let chunk = it.next()?;
            tokio::time::sleep(every).await;
            Some((
                Ok::<_, std::io::Error>(hyper::body::Frame::data(Bytes::from_static(chunk))),
                it,
            ))
        });
        Body::new(StreamBody::new(stream))
    }

    const PACE: BodyPace = BodyPace {
        bytes_per_sec: 100,
        grace: Duration::from_secs(5),
    };

    #[tokio::test(start_paused = true)]
    async fn a_trickled_body_is_cut_once_behind_its_pace() {
        // One byte every 2 s: owed 100 B/s after 5 s.
        let body = trickle(vec![b"x"; 100], Duration::from_secs(2));
        let started = Instant::now();
        let e = collect_capped(body, 1024, PACE)
            .await
            .expect_err("too slow");
        assert!(matches!(e, BodyReadError::TooSlow), "{e:?}");
        assert!(
            started.elapsed() < Duration::from_secs(8),
            "{:?}",
            started.elapsed()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_at_pace_is_read_whole() {
        // 200 bytes a second, in 20-byte chunks: ahead of 100 B/s.
        let body = trickle(vec![&[b'y'; 20]; 50], Duration::from_millis(100));
        let bytes = collect_capped(body, 1024, PACE).await.expect("read");
        assert_eq!(bytes.len(), 1000);
        let slow = trickle(vec![b"z"; 3], Duration::from_secs(60));
        let no_minimum = BodyPace {
            bytes_per_sec: 0,
            ..PACE
        };
        assert_eq!(
            collect_capped(slow, 1024, no_minimum)
                .await
                .expect("read")
                .len(),
            3
        );
    }

    #[tokio::test]
    async fn the_cap_still_holds() {
        let e = collect_capped(Body::from(vec![b'x'; 11]), 10, PACE).await;
        assert!(matches!(e, Err(BodyReadError::TooLarge)));
    }
}
