//! The connection limits that keep sockets from holding the server: the first-request and idle
//! timeouts (any protocol, before hyper has even told HTTP/1 from HTTP/2), the per-address cap
//! and the total cap, each against a real server with real sockets.

use crate::common::TestServer;
use hark_server::{ConnectionLimits, ServerConfig};
use reqwest::StatusCode;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// Bound on waiting for something the server must do by itself (guards against a hang only).
const HANG: Duration = Duration::from_secs(20);
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
/// An empty SETTINGS frame: length 0, type 4, no flags, stream 0.
const H2_SETTINGS: &[u8] = &[0, 0, 0, 4, 0, 0, 0, 0, 0];

fn with(limits: ConnectionLimits) -> ServerConfig {
    ServerConfig {
        connections: limits,
        ..ServerConfig::default()
    }
}

/// A socket to `to` from the loopback address `from` (127.0.0.x: another client address).
async fn connect_from(from: &str, to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("socket");
    socket
        .bind(format!("{from}:0").parse().expect("address"))
        .expect("bind");
    socket.connect(to).await.expect("connect")
}

/// Whether the server closes `socket` within `within` (EOF or reset), reading what it sends.
async fn closed_within(socket: &mut TcpStream, within: Duration) -> bool {
    let mut sink = Vec::new();
    tokio::time::timeout(within, socket.read_to_end(&mut sink))
        .await
        .is_ok()
}

async fn healthz(srv: &TestServer) -> StatusCode {
    reqwest::get(srv.url("/healthz"))
        .await
        .expect("healthz answered")
        .status()
}

#[tokio::test]
async fn sockets_that_start_no_request_are_closed_whatever_they_sent() {
    let srv = TestServer::start_with(with(ConnectionLimits {
        header_read_timeout: Duration::from_millis(300),
        ..ConnectionLimits::default()
    }))
    .await;
    let mut silent = TcpStream::connect(srv.addr).await.expect("connect");
    // Two bytes of the HTTP/2 preface: hyper-util waits for the rest to pick a protocol.
    let mut half_preface = TcpStream::connect(srv.addr).await.expect("connect");
    half_preface.write_all(b"PR").await.expect("write");
    // A whole HTTP/2 preface and SETTINGS, then never a request.
    let mut h2_no_request = TcpStream::connect(srv.addr).await.expect("connect");
    h2_no_request.write_all(H2_PREFACE).await.expect("write");
    h2_no_request.write_all(H2_SETTINGS).await.expect("write");
    for (name, socket) in [
        ("silent", &mut silent),
        ("half preface", &mut half_preface),
        ("h2 without a request", &mut h2_no_request),
    ] {
        assert!(closed_within(socket, HANG).await, "{name} socket held open");
    }
    assert_eq!(healthz(&srv).await, StatusCode::OK);
    srv.stop().await;
}

#[tokio::test]
async fn an_http2_connection_idle_after_its_requests_is_closed() {
    let srv = TestServer::start_with(with(ConnectionLimits {
        idle_timeout: Duration::from_millis(500),
        ..ConnectionLimits::default()
    }))
    .await;
    let tcp = TcpStream::connect(srv.addr).await.expect("connect");
    let (mut client, connection) = h2::client::handshake(tcp).await.expect("h2 handshake");
    let connection = tokio::spawn(connection);
    for _ in 0..3 {
        let request = http::Request::get(srv.url("/healthz"))
            .body(())
            .expect("request");
        client = client.ready().await.expect("ready");
        let (response, _) = client.send_request(request, true).expect("send");
        let response = response.await.expect("response");
        assert_eq!(response.status(), 200);
        let mut body = response.into_body();
        while let Some(chunk) = body.data().await {
            chunk.expect("body");
        }
    }
    // The client keeps its handle (it would use the connection again): the server ends it.
    let ended = tokio::time::timeout(HANG, connection).await;
    assert!(ended.is_ok(), "the idle HTTP/2 connection is still open");
    drop(client);
    srv.stop().await;
}

#[tokio::test]
async fn one_address_cannot_take_every_connection() {
    const CAP: usize = 20;
    let srv = TestServer::start_with(with(ConnectionLimits {
        max_connections_per_address: CAP,
        // Long enough that the admitted sockets stay open while the test looks.
        header_read_timeout: Duration::from_secs(30),
        ..ConnectionLimits::default()
    }))
    .await;
    let mut held = Vec::new();
    for _ in 0..CAP + 15 {
        held.push(connect_from("127.0.0.2", srv.addr).await);
    }
    let mut refused = 0;
    for socket in &mut held {
        if closed_within(socket, Duration::from_millis(300)).await {
            refused += 1;
        }
    }
    assert_eq!(
        refused, 15,
        "the sockets beyond the address's cap are closed at once"
    );
    // Everyone else is served.
    for _ in 0..5 {
        assert_eq!(healthz(&srv).await, StatusCode::OK);
    }
    drop(held);
    srv.stop().await;
}

#[tokio::test]
async fn at_the_total_cap_a_new_client_waits_for_a_slot_and_is_served() {
    let srv = TestServer::start_with(with(ConnectionLimits {
        max_connections: 10,
        max_connections_per_address: 0,
        header_read_timeout: Duration::from_millis(500),
        ..ConnectionLimits::default()
    }))
    .await;
    // 30 silent sockets: 10 take the slots, 20 wait in the backlog; each is cut after 500 ms.
    let mut silent = Vec::new();
    for _ in 0..30 {
        silent.push(TcpStream::connect(srv.addr).await.expect("connect"));
    }
    let answered = tokio::time::timeout(HANG, healthz(&srv)).await;
    assert_eq!(answered.expect("served once slots freed"), StatusCode::OK);
    drop(silent);
    srv.stop().await;
}
