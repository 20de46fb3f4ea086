//! The Streamable HTTP transport, statelessly: each request is a fresh service (no session id
//! is issued or needed), answered as JSON; the tools are listed with their input schemas and
//! called without an earlier `initialize` on the same "connection".

#![allow(clippy::unwrap_used)]

mod common;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use serde_json::{json, Value};

const VERSION: &str = "2025-06-18";

async fn post(w: &common::World, body: Value) -> (http::StatusCode, http::HeaderMap, Value) {
    let request = http::Request::post("/mcp")
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", VERSION)
        .header("host", "hark.example.com")
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap();
    let response = hark_mcp::http::handle(w.mcp_a(), request, 1 << 20).await;
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (parts.status, parts.headers, value)
}

#[tokio::test]
async fn initialize_list_and_call_each_stand_alone() {
    let w = common::world().await;
    let (status, headers, v) = post(
        &w,
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": VERSION, "capabilities": {},
            "clientInfo": {"name": "test", "version": "1"}}}),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert!(
        headers.get("mcp-session-id").is_none(),
        "stateless: no session"
    );
    assert_eq!(v["result"]["serverInfo"]["name"], "hark");
    assert!(v["result"]["capabilities"]["tools"].is_object(), "{v}");

    let (status, _, v) = post(
        &w,
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let tools = v["result"]["tools"].as_array().unwrap();
    let mut names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "answer_quality",
            "get_item",
            "get_theme",
            "list_themes",
            "rising_themes",
            "search_feedback"
        ]
    );
    for t in tools {
        assert_eq!(t["inputSchema"]["type"], "object", "{t}");
        assert_eq!(t["annotations"]["readOnlyHint"], true, "{t}");
    }
    let search = tools
        .iter()
        .find(|t| t["name"] == "search_feedback")
        .unwrap();
    assert_eq!(search["inputSchema"]["required"], json!(["query"]));

    let (status, _, v) = post(
        &w,
        json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
            "name": "search_feedback", "arguments": {"query": "login"}}}),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let result = &v["result"];
    assert_eq!(result["isError"], false, "{v}");
    let found = &result["structuredContent"]["results"];
    assert_eq!(found[0]["excerpt"], "Login is slow in the morning", "{v}");

    // Arguments of the wrong type are a tool error too, not a protocol error.
    let (_, _, v) = post(
        &w,
        json!({"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {
            "name": "list_themes", "arguments": {"limit": "ten"}}}),
    )
    .await;
    assert_eq!(v["result"]["isError"], true, "{v}");
    let message = v["result"]["content"][0]["text"].as_str().unwrap();
    assert!(message.contains("`limit`: invalid type"), "{message}");
}

#[tokio::test]
async fn a_get_stream_is_not_offered() {
    let w = common::world().await;
    let request = http::Request::get("/mcp")
        .header("accept", "text/event-stream")
        .header("host", "hark.example.com")
        .header("mcp-protocol-version", VERSION)
        .body(Full::new(Bytes::new()))
        .unwrap();
    let response = hark_mcp::http::handle(w.mcp_a(), request, 1 << 20).await;
    assert_eq!(response.status(), 405);
}
