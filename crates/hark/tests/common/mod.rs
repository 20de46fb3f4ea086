//! Helpers shared by the integration tests: run the real `hark` binary, start a server on a
//! free port and learn its address from the line it prints, speak HTTP to it.
#![allow(dead_code)] // each test crate uses a different subset

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Longest a server may take to start or stop; generous for slow CI machines.
pub const DEADLINE: Duration = Duration::from_secs(60);
/// What the server prints on stdout once it accepts connections.
const LISTENING: &str = "hark listening on ";

/// A `hark` command whose environment has no `HARK_*` variables of the test runner's.
pub fn hark() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hark"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("HARK_") {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// The SQLite URL of the database in `dir`.
pub fn db_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("hark.db").display())
}

/// Runs `hark admin ARGS --database DB`, which must succeed, and parses its JSON output.
pub fn admin(db: &str, args: &[&str]) -> Value {
    let out = hark()
        .arg("admin")
        .args(args)
        .args(["--database", db])
        .output()
        .expect("run hark admin");
    assert!(
        out.status.success(),
        "hark admin {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "hark admin {args:?} printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// Runs `hark ARGS` expecting failure; returns the output.
pub fn run_failing(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("run hark");
    assert!(
        !out.status.success(),
        "expected failure, got success: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    out
}

/// A project with a webhook source, created through the admin CLI.
pub struct Tenant {
    pub project_id: String,
    pub api_key: String,
    pub secret_key: String,
    pub source_id: String,
}

impl Tenant {
    /// Creates the project and its source in the database `db`.
    pub fn create(db: &str) -> Self {
        let project = admin(db, &["create-project", "test project"]);
        let project_id = str_field(&project, "project_id");
        let source = admin(
            db,
            &["create-source", "--project", &project_id, "--name", "hook"],
        );
        Self {
            api_key: str_field(&project, "api_key"),
            secret_key: str_field(&project, "secret_key"),
            source_id: str_field(&source, "source_id"),
            project_id,
        }
    }
}

/// A string field of a JSON object, which must be present.
pub fn str_field(v: &Value, key: &str) -> String {
    match v.get(key).and_then(Value::as_str) {
        Some(s) => s.to_string(),
        None => panic!("no string field {key:?} in {v}"),
    }
}

/// A running `hark serve`/`hark demo`, killed when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// What the process printed on stdout before the listening line.
    pub preamble: Vec<String>,
    log: PathBuf,
}

impl Server {
    /// Starts `hark SUBCOMMAND --listen 127.0.0.1:0 --data-dir DIR` (plus `extra`), logging to
    /// `DIR/<subcommand>.log`, and waits for its listening line.
    pub fn start(subcommand: &str, dir: &Path, extra: &[&str]) -> Self {
        let log = dir.join(format!("{subcommand}.log"));
        std::fs::create_dir_all(dir).expect("create data dir");
        let log_file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .expect("open log file");
        let mut child = hark()
            .arg(subcommand)
            .args(["--listen", "127.0.0.1:0", "--data-dir"])
            .arg(dir)
            .args(extra)
            .env("HARK_LOG_LEVEL", "info,hark=debug")
            .stdout(Stdio::piped())
            .stderr(log_file)
            .spawn()
            .expect("spawn hark");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + DEADLINE;
        let mut preamble = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => match line.strip_prefix(LISTENING) {
                    Some(base) => {
                        let base = base.trim().to_string();
                        return Self {
                            child,
                            base,
                            preamble,
                            log,
                        };
                    }
                    None => preamble.push(line),
                },
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!(
                        "hark {subcommand} did not announce its address; stdout: {preamble:?}; log:\n{}",
                        std::fs::read_to_string(&log).unwrap_or_default()
                    );
                }
            }
        }
    }

    /// The server's log (stderr) so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The value of a `key: value` line of the preamble (`hark demo` prints its credentials so).
    pub fn preamble_value(&self, key: &str) -> String {
        let prefix = format!("{key}:");
        self.preamble
            .iter()
            .find_map(|l| l.trim().strip_prefix(&prefix).map(|v| v.trim().to_string()))
            .unwrap_or_else(|| panic!("no {key:?} line in {:?}", self.preamble))
    }

    /// Kills the process with SIGKILL (no chance to clean up) and reaps it.
    pub fn kill(&mut self) {
        self.child.kill().expect("SIGKILL the server");
        self.child.wait().expect("reap the server");
    }

    /// Sends SIGTERM and waits (up to [`DEADLINE`]) for the process to exit.
    pub fn terminate(&mut self) -> ExitStatus {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -TERM failed");
        let deadline = Instant::now() + DEADLINE;
        loop {
            if let Some(status) = self.child.try_wait().expect("poll the server") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "server did not exit after SIGTERM; log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// An HTTP client with a per-request timeout, so that no test can hang on the network.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(DEADLINE)
        .build()
        .expect("build HTTP client")
}

/// An ingest body of simple items with the given unique ids.
pub fn ingest_body(source_id: &str, unique_ids: &[String]) -> Value {
    let items: Vec<Value> = unique_ids
        .iter()
        .map(|id| json!({ "unique_id": id, "body": format!("feedback {id}") }))
        .collect();
    json!({ "source_id": source_id, "items": items })
}

/// `POST /api/1/ai-feedback/ingest` with Basic auth.
pub async fn ingest(
    client: &reqwest::Client,
    base: &str,
    (user, password): (&str, &str),
    body: &Value,
) -> reqwest::Result<reqwest::Response> {
    client
        .post(format!("{base}/api/1/ai-feedback/ingest"))
        .basic_auth(user, Some(password))
        .json(body)
        .send()
        .await
}

/// Every item of the project through `GET /api/1/items`, following `next_cursor`.
pub async fn all_items(client: &reqwest::Client, base: &str, tenant: &Tenant) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    // Bounded: at most this many pages of 500.
    for _ in 0..1_000 {
        let mut request = client
            .get(format!("{base}/api/1/items"))
            .basic_auth(&tenant.api_key, Some(&tenant.secret_key))
            .query(&[("limit", "500")]);
        if let Some(c) = &cursor {
            request = request.query(&[("cursor", c)]);
        }
        let response = request.send().await.expect("GET /api/1/items");
        assert_eq!(response.status(), 200, "GET /api/1/items");
        let page: Value = response.json().await.expect("items page is JSON");
        let batch = page["items"].as_array().expect("items array").clone();
        items.extend(batch);
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => return items,
        }
    }
    panic!("item listing did not end after 1000 pages")
}

/// POSTs `body` to `path` (query included) on `base`, signed with SigV4 as botocore signs a
/// `qbusiness` call; returns the status.
pub async fn signed_post(base: &str, path: &str, body: &str, key_id: &str, secret: &str) -> u16 {
    let host = base.trim_start_matches("http://").to_string();
    let amz_date = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    let headers = vec![
        ("content-type".to_string(), "application/json".to_string()),
        ("host".to_string(), host),
        ("x-amz-date".to_string(), amz_date.clone()),
    ];
    let (p, q) = match path.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path, None),
    };
    let request = hark_core::sigv4::SignedRequest {
        method: "POST",
        path: p,
        query: q,
        headers: &headers,
        body: body.as_bytes(),
    };
    let names: Vec<String> = headers.iter().map(|(n, _)| n.clone()).collect();
    let auth = hark_core::sigv4::authorization_header(
        &request,
        &names,
        &amz_date,
        key_id,
        secret,
        "us-east-1",
        "qbusiness",
    )
    .expect("sign");
    client()
        .post(format!("{base}{path}"))
        .header("content-type", "application/json")
        .header("x-amz-date", amz_date)
        .header("authorization", auth)
        .body(body.to_string())
        .send()
        .await
        .expect("POST")
        .status()
        .as_u16()
}

/// The embedding model: `HARK_MODEL_DIR`, else `<workspace>/hark-data/model`
/// (`scripts/fetch-model.sh` fetches it; `scripts/test.sh` does so before the tests).
pub fn model_dir() -> std::path::PathBuf {
    let dir = std::env::var_os("HARK_MODEL_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/../../hark-data/model").into());
    assert!(
        dir.join("config.json").is_file(),
        "no model in {}: run scripts/fetch-model.sh",
        dir.display()
    );
    dir
}

/// The project's analysis queue as `GET /api/1/analysis/status` shows it: (ready, leased).
pub async fn queue(http: &reqwest::Client, base: &str, tenant: &Tenant) -> (u64, u64) {
    let status: Value = http
        .get(format!("{base}/api/1/analysis/status"))
        .basic_auth(&tenant.api_key, Some(&tenant.secret_key))
        .send()
        .await
        .expect("GET status")
        .json()
        .await
        .expect("status JSON");
    let n = |k: &str| status["queue"][k].as_u64().expect("queue count");
    (n("ready"), n("leased"))
}
