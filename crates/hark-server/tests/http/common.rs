//! The test harness: a real server on port 0 over a real SQLite store in a temporary directory,
//! spoken to with reqwest, plus a raw TCP client for what reqwest cannot send (chunked bodies
//! held open, a `Content-Length` without its body). [`TestServer::start_analysing`] adds the
//! analysis pipeline with the real embedding model ([`analyzer`]).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hark_analysis::analyzer::Analyzer;
use hark_analysis::embed::Embedder;
use hark_analysis::worker::{Pipeline, PipelineConfig};
use hark_core::{ProjectId, SourceId, SourceKind};
use hark_server::{serve, AnalysisHandle, ServerConfig};
use hark_store::Store;
use reqwest::{RequestBuilder, StatusCode};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_util::sync::{CancellationToken, DropGuard};

/// Where the four request bodies of the spec live.
pub const EXAMPLES_DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/specs/ingest-examples"
);

pub const INGEST: &str = "/api/1/ai-feedback/ingest";

/// A running server and what it runs on.
pub struct TestServer {
    pub addr: SocketAddr,
    pub store: Arc<dyn Store>,
    pub http: reqwest::Client,
    pub shutdown: CancellationToken,
    pub task: JoinHandle<std::io::Result<()>>,
    /// Stops the analysis pipeline, if one runs, when the server is dropped.
    _pipeline: Option<DropGuard>,
    _dir: tempfile::TempDir,
}

/// The model directory: `HARK_MODEL_DIR` (which must exist when set: CI sets it), else
/// `<workspace>/hark-data/model` when it exists, else `None`.
pub fn model_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("HARK_MODEL_DIR") {
        let dir = PathBuf::from(dir);
        assert!(
            dir.is_dir(),
            "HARK_MODEL_DIR={} does not exist; run scripts/fetch-model.sh",
            dir.display()
        );
        return Some(dir);
    }
    let default = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../hark-data/model"
    ));
    default.is_dir().then_some(default)
}

/// The analyzer over the real model, loaded once per test binary (about a second); `None`
/// when there is no model (see [`model_dir`]).
pub fn analyzer() -> Option<Arc<Analyzer>> {
    static ANALYZER: OnceLock<Option<Arc<Analyzer>>> = OnceLock::new();
    ANALYZER
        .get_or_init(|| {
            let dir = model_dir()?;
            let embedder = Embedder::load(&dir).expect("the model in HARK_MODEL_DIR loads");
            Some(Arc::new(
                Analyzer::new(embedder).expect("the analyzer builds"),
            ))
        })
        .clone()
}

/// A project with one webhook source, and its credentials.
#[derive(Clone)]
pub struct Tenant {
    pub project_id: ProjectId,
    pub api_key: String,
    pub secret: String,
    pub source_id: SourceId,
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(ServerConfig::default()).await
    }

    pub async fn start_with(config: ServerConfig) -> Self {
        let (dir, store) = open_store().await;
        Self::serve_on(dir, store, config, None).await
    }

    /// A server whose analysis pipeline runs with the real model (polling every 50 ms, theme
    /// discovery only when asked for); `None`, after printing why, when there is no model.
    pub async fn start_analysing() -> Option<Self> {
        let Some(analyzer) = analyzer() else {
            eprintln!("skipped: model not found, run scripts/fetch-model.sh");
            return None;
        };
        let (dir, store) = open_store().await;
        let pipeline_config = PipelineConfig {
            poll: Duration::from_millis(50),
            discover_every: Duration::from_secs(3600),
            min_unlinked: 1,
            ..PipelineConfig::default()
        };
        let pipeline = Arc::new(Pipeline::new(store.clone(), analyzer, pipeline_config));
        let analysis = AnalysisHandle::default();
        analysis.set(pipeline.clone());
        let cancel = CancellationToken::new();
        tokio::spawn(pipeline.run(cancel.clone()));
        let config = ServerConfig {
            analysis,
            ..ServerConfig::default()
        };
        Some(Self::serve_on(dir, store, config, Some(cancel.drop_guard())).await)
    }

    async fn serve_on(
        dir: tempfile::TempDir,
        store: Arc<dyn Store>,
        config: ServerConfig,
        pipeline: Option<DropGuard>,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
        let addr = listener.local_addr().expect("bound address");
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(serve(listener, store.clone(), config, shutdown.clone()));
        Self {
            addr,
            store,
            http: reqwest::Client::new(),
            shutdown,
            task,
            _pipeline: pipeline,
            _dir: dir,
        }
    }

    /// Waits until the tenant's analysis queue is empty (polls `/api/1/analysis/status`; the
    /// bound only guards against a hang).
    pub async fn wait_analysed(&self, t: &Tenant) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let (status, body) = self.get(t, "/api/1/analysis/status").await;
            assert_eq!(status, StatusCode::OK, "{body}");
            if body["queue"] == json!({"ready": 0, "leased": 0}) {
                return;
            }
            assert!(Instant::now() < deadline, "analysis did not finish: {body}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A request as the tenant with an optional JSON body; returns status and JSON body.
    pub async fn call(
        &self,
        t: &Tenant,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.authed(method, path, t);
        if let Some(body) = body {
            req = req.json(&body);
        }
        send(req).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A new project with a webhook source, made through the store helpers.
    pub async fn tenant(&self, name: &str) -> Tenant {
        let created = hark_store::create_project(self.store.as_ref(), name)
            .await
            .expect("create project");
        let source = hark_store::create_source(
            self.store.as_ref(),
            &created.project.project_id,
            "webhook",
            SourceKind::Webhook,
        )
        .await
        .expect("create source");
        Tenant {
            project_id: created.project.project_id,
            api_key: created.project.api_key,
            secret: created.secret_key.expose().to_string(),
            source_id: source.source_id,
        }
    }

    /// A request with the tenant's Basic auth.
    pub fn authed(&self, method: reqwest::Method, path: &str, t: &Tenant) -> RequestBuilder {
        self.http
            .request(method, self.url(path))
            .basic_auth(&t.api_key, Some(&t.secret))
    }

    /// POSTs `body` to the ingest API as the tenant.
    pub async fn ingest(&self, t: &Tenant, body: &Value) -> (StatusCode, Value) {
        send(self.authed(reqwest::Method::POST, INGEST, t).json(body)).await
    }

    /// Ingests `items` into the tenant's source and expects all of them stored.
    pub async fn ingest_ok(&self, t: &Tenant, items: Value) {
        let n = items.as_array().map_or(0, Vec::len);
        let (status, body) = self
            .ingest(t, &json!({"source_id": t.source_id, "items": items}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body, json!({"ingested": n, "failed": 0, "errors": []}));
    }

    /// GET as the tenant.
    pub async fn get(&self, t: &Tenant, path: &str) -> (StatusCode, Value) {
        send(self.authed(reqwest::Method::GET, path, t)).await
    }

    /// Every item of the tenant (one page of up to 500).
    pub async fn all_items(&self, t: &Tenant) -> Vec<Value> {
        let (status, body) = self.get(t, "/api/1/items?limit=500").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["items"].as_array().cloned().unwrap_or_default()
    }

    /// The stored item with this `unique_id`, with its parts; `None` when there is none.
    pub async fn item_by_unique_id(&self, t: &Tenant, unique_id: &str) -> Option<Value> {
        let items = self.all_items(t).await;
        let found = items.iter().find(|i| i["unique_id"] == unique_id)?;
        let (status, item) = self.get(t, &format!("/api/1/items/{}", found["id"])).await;
        assert_eq!(status, StatusCode::OK, "{item}");
        Some(item)
    }

    /// The `unique_id`s of an item's parts, in order.
    pub async fn part_ids(&self, t: &Tenant, unique_id: &str) -> Vec<String> {
        let item = self
            .item_by_unique_id(t, unique_id)
            .await
            .expect("item exists");
        item["conversation_parts"]
            .as_array()
            .expect("parts are listed")
            .iter()
            .map(|p| p["unique_id"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// An admin-API call with `token` as Bearer; returns status and JSON body.
    pub async fn admin(
        &self,
        token: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.http.request(method, self.url(path)).bearer_auth(token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        send(req).await
    }

    /// The text of `/metrics`.
    pub async fn metrics(&self) -> String {
        let r = self
            .http
            .get(self.url("/metrics"))
            .send()
            .await
            .expect("metrics");
        assert_eq!(r.status(), StatusCode::OK);
        r.text().await.expect("metrics text")
    }

    /// Waits until `n` API requests hold a concurrency slot (polls `/metrics`, which is outside
    /// the limit). The timeout only guards against a hang; nothing here depends on timing.
    pub async fn wait_in_flight(&self, n: u64) {
        let want = format!("hark_http_requests_in_flight {n}\n");
        tokio::time::timeout(Duration::from_secs(60), async {
            while !self.metrics().await.contains(&want) {
                tokio::task::yield_now().await;
            }
        })
        .await
        .expect("requests in flight");
    }

    /// Stops the server and waits for it to finish.
    pub async fn stop(self) {
        self.shutdown.cancel();
        self.task
            .await
            .expect("server task")
            .expect("server stops cleanly");
    }
}

/// A new, empty store: a SQLite file in a new temporary directory, or a new PostgreSQL
/// database when `HARK_TEST_BACKEND=postgres` (`scripts/test.sh` runs this suite both ways).
async fn open_store() -> (tempfile::TempDir, Arc<dyn Store>) {
    hark_store_conformance::testing::fresh_store().await
}

/// Sends a request and reads its status and JSON body (`null` when the body is not JSON).
pub async fn send(req: RequestBuilder) -> (StatusCode, Value) {
    let response = req.send().await.expect("request sent");
    let status = response.status();
    let text = response.text().await.expect("response body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Asserts the JSON error shape: an `error` string, and when `issues` is present, each issue
/// with a string `path` and a non-empty `message`.
pub fn assert_error_shape(body: &Value) {
    assert!(body["error"].is_string(), "no error string in {body}");
    if let Some(issues) = body.get("issues") {
        let issues = issues.as_array().expect("issues is an array");
        assert!(!issues.is_empty(), "empty issues in {body}");
        for i in issues {
            assert!(i["path"].is_string(), "issue without path in {body}");
            assert!(
                i["message"].as_str().is_some_and(|m| !m.is_empty()),
                "issue without message in {body}"
            );
        }
    }
}

/// The paths of a 400's issues.
pub fn issue_paths(body: &Value) -> Vec<String> {
    body["issues"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|i| i["path"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// An HTTP/1.1 connection written by hand.
pub struct RawConn {
    stream: TcpStream,
}

impl RawConn {
    pub async fn connect(addr: SocketAddr) -> Self {
        Self {
            stream: TcpStream::connect(addr).await.expect("connect"),
        }
    }

    /// Sends the head of a chunked ingest request and a first chunk that is not yet a whole
    /// JSON document, so the server waits for the rest.
    pub async fn start_chunked_ingest(addr: SocketAddr, t: &Tenant) -> Self {
        let mut conn = Self::connect(addr).await;
        let head = format!(
            "POST {INGEST} HTTP/1.1\r\nHost: test\r\nAuthorization: {}\r\n\
             Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
            basic_header(&t.api_key, &t.secret)
        );
        conn.write(head.as_bytes()).await;
        conn.chunk(format!("{{\"source_id\": \"{}\",", t.source_id).as_bytes())
            .await;
        conn
    }

    /// Sends the rest of the body started by [`RawConn::start_chunked_ingest`].
    pub async fn finish_chunked_ingest(&mut self, unique_id: &str) {
        let rest = format!(r#""items": [{{"unique_id": "{unique_id}", "body": "held"}}]}}"#);
        self.chunk(rest.as_bytes()).await;
        self.write(b"0\r\n\r\n").await;
    }

    pub async fn write(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).await.expect("write");
    }

    pub async fn chunk(&mut self, data: &[u8]) {
        self.write(format!("{:x}\r\n", data.len()).as_bytes()).await;
        self.write(data).await;
        self.write(b"\r\n").await;
    }

    /// Reads one response: status, lower-cased head, and the body (by `Content-Length`).
    pub async fn read_response(&mut self) -> (u16, String, Value) {
        read_response(&mut self.stream).await
    }

    pub fn into_split(
        self,
    ) -> (
        tokio::net::tcp::OwnedReadHalf,
        tokio::net::tcp::OwnedWriteHalf,
    ) {
        self.stream.into_split()
    }
}

/// Reads one HTTP/1.1 response from `r`.
pub async fn read_response<R: AsyncReadExt + Unpin>(r: &mut R) -> (u16, String, Value) {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        let n = r.read(&mut byte).await.expect("read response head");
        assert!(n > 0, "connection closed before the response head");
        buf.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&buf).to_ascii_lowercase();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status code");
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    r.read_exact(&mut body).await.expect("read response body");
    (
        status,
        head,
        serde_json::from_slice(&body).unwrap_or(Value::Null),
    )
}

pub fn basic_header(user: &str, password: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{user}:{password}")))
}
