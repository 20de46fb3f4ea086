//! Limits on a request's head — URI length, header count, header bytes — answered in the
//! contract's shape of the route (`{"error"}` on hark's routes, an AWS JSON error with
//! `x-amzn-errortype` on `/applications/…`). hyper's own parser limits are set above these
//! ([`HYPER_MAX_HEADERS`]) so that ordinary excess reaches this layer; hyper answers only what is
//! beyond its parser (a URI over 64 KiB, more than [`HYPER_MAX_HEADERS`] headers, a head over its
//! buffer, conflicting `Content-Length`), and then with a bare status line.

use crate::api::ApiError;
use crate::aws::AwsError;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Longest request target (path and query) answered: 414 beyond.
pub(crate) const MAX_URI_BYTES: usize = 8 * 1024;
/// Most headers a request may carry: 431 beyond.
pub(crate) const MAX_HEADERS: usize = 100;
/// Largest total of header names and values: 431 beyond (HTTP/2's header list bound too).
pub(crate) const MAX_HEADER_BYTES: usize = 64 * 1024;
/// hyper's HTTP/1.1 header count limit, above [`MAX_HEADERS`] so that this layer answers.
pub(crate) const HYPER_MAX_HEADERS: usize = 256;

/// What is wrong with a head, if anything: the status and the message.
fn check(req: &Request) -> Option<(StatusCode, String)> {
    let uri = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if uri > MAX_URI_BYTES {
        return Some((
            StatusCode::URI_TOO_LONG,
            format!("request URI is {uri} bytes; the maximum is {MAX_URI_BYTES}"),
        ));
    }
    let headers = req.headers();
    if headers.len() > MAX_HEADERS {
        return Some((
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            format!(
                "request has {} headers; the maximum is {MAX_HEADERS}",
                headers.len()
            ),
        ));
    }
    let bytes: usize = headers
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len())
        .sum();
    if bytes > MAX_HEADER_BYTES {
        return Some((
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            format!("request headers are {bytes} bytes; the maximum is {MAX_HEADER_BYTES}"),
        ));
    }
    None
}

/// Middleware: refuses a head over the limits in the shape of the route it was sent to.
pub(crate) async fn enforce(req: Request, next: Next) -> Response {
    let Some((status, message)) = check(&req) else {
        return next.run(req).await;
    };
    if crate::aws::owns_path(req.uri().path()) {
        AwsError::HeadTooLarge { status, message }.into_response()
    } else {
        ApiError::HeadTooLarge { status, message }.into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn request(uri: &str, headers: usize, value_len: usize) -> Request {
        let mut b = Request::builder().uri(uri);
        for i in 0..headers {
            b = b.header(format!("x-h{i}"), "v".repeat(value_len));
        }
        b.body(Body::empty()).expect("request")
    }

    #[test]
    fn each_limit_has_its_status() {
        assert_eq!(check(&request("/healthz", 10, 10)), None);
        let long = format!("/api/1/items?q={}", "a".repeat(MAX_URI_BYTES));
        assert_eq!(
            check(&request(&long, 0, 0)).map(|c| c.0),
            Some(StatusCode::URI_TOO_LONG)
        );
        let many = check(&request("/", MAX_HEADERS + 1, 1)).map(|c| c.0);
        assert_eq!(many, Some(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE));
        let big = check(&request("/", 2, MAX_HEADER_BYTES / 2)).map(|c| c.0);
        assert_eq!(big, Some(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE));
    }
}
