//! Request heads over the limits are answered in each route's error shape (not hyper's bare
//! status line): a URI over 8 KiB is 414, more than 100 headers or 64 KiB of them 431.

use crate::common::{assert_error_shape, RawConn, TestServer};

async fn send_head(
    srv: &TestServer,
    target: &str,
    extra_headers: usize,
) -> (u16, String, serde_json::Value) {
    let mut head = format!("GET {target} HTTP/1.1\r\nHost: t\r\n");
    for i in 0..extra_headers {
        head.push_str(&format!("x-extra-{i}: {i}\r\n"));
    }
    head.push_str("\r\n");
    let mut conn = RawConn::connect(srv.addr).await;
    conn.write(head.as_bytes()).await;
    conn.read_response().await
}

#[tokio::test]
async fn long_uris_and_many_headers_get_the_routes_error_shapes() {
    let srv = TestServer::start().await;
    let long = format!("/api/1/items?q={}", "a".repeat(9 * 1024));
    let (status, _, body) = send_head(&srv, &long, 0).await;
    assert_eq!(status, 414);
    assert_error_shape(&body);
    assert!(
        body["error"]
            .as_str()
            .unwrap_or("")
            .contains("maximum is 8192"),
        "{body}"
    );

    let (status, _, body) = send_head(&srv, "/api/1/items", 150).await;
    assert_eq!(status, 431);
    assert_error_shape(&body);

    // The AWS-shaped routes answer as AWS does: a ValidationException the SDKs can read.
    let aws = format!(
        "/applications/{}/conversations/c/messages/m/feedback",
        "a".repeat(36)
    );
    let (status, head, body) = send_head(&srv, &aws, 150).await;
    assert_eq!(status, 431);
    assert!(
        head.contains("\r\nx-amzn-errortype: validationexception"),
        "{head}"
    );
    assert_eq!(body["__type"], "ValidationException", "{body}");
    assert_eq!(body["reason"], "CANNOT_PARSE", "{body}");

    // Within the limits nothing changes.
    let (status, _, _) = send_head(&srv, "/healthz", 90).await;
    assert_eq!(status, 200);
    srv.stop().await;
}
