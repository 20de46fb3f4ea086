//! `hark serve` and `hark demo` through the real binary over HTTP: ingest and read back, secret
//! rotation while the server runs, the demo's credentials, graceful shutdown on SIGTERM.

mod common;

use common::{admin, all_items, client, db_url, ingest, ingest_body, str_field, Server, Tenant};
use serde_json::Value;

#[tokio::test]
async fn ingested_items_are_read_back() {
    let dir = tempfile::tempdir().expect("temp dir");
    let tenant = Tenant::create(&db_url(dir.path()));
    let server = Server::start("serve", dir.path(), &[]);
    let http = client();
    let auth = (tenant.api_key.as_str(), tenant.secret_key.as_str());

    let body = serde_json::json!({
        "source_id": tenant.source_id,
        "items": [{
            "unique_id": "ticket-1",
            "body": "The export button is hard to find.",
            "email": "ada@example.com",
            "conversation_parts": [{ "unique_id": "reply-1", "body": "Thanks, noted!" }]
        }]
    });
    let response = ingest(&http, &server.base, auth, &body)
        .await
        .expect("POST ingest");
    assert_eq!(response.status(), 200, "{}", server.log());
    let answer: Value = response.json().await.expect("JSON answer");
    assert_eq!(answer["ingested"], 1, "{answer}");
    assert_eq!(answer["failed"], 0, "{answer}");

    let items = all_items(&http, &server.base, &tenant).await;
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["unique_id"], "ticket-1");
    assert_eq!(items[0]["body"], "The export button is hard to find.");
    assert_eq!(items[0]["source_id"], tenant.source_id.as_str());
    assert_eq!(items[0]["parts_count"], 1);

    let anonymous = http
        .get(format!("{}/api/1/items", server.base))
        .send()
        .await
        .expect("GET without auth");
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn rotating_the_secret_while_serving_disables_the_old_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = db_url(dir.path());
    let tenant = Tenant::create(&db);
    let server = Server::start("serve", dir.path(), &[]);
    let http = client();
    let body = ingest_body(&tenant.source_id, &["a".to_string()]);
    let old = (tenant.api_key.as_str(), tenant.secret_key.as_str());
    let response = ingest(&http, &server.base, old, &body).await.expect("POST");
    assert_eq!(response.status(), 200);

    // The admin CLI writes to the database the running server uses.
    let rotated = admin(&db, &["rotate-secret", "--project", &tenant.project_id]);
    let new_secret = str_field(&rotated, "secret_key");

    let response = ingest(&http, &server.base, old, &body).await.expect("POST");
    assert_eq!(response.status(), 403, "the old secret must stop working");
    let new = (tenant.api_key.as_str(), new_secret.as_str());
    let response = ingest(&http, &server.base, new, &body).await.expect("POST");
    assert_eq!(response.status(), 200, "the new secret works at once");

    // Other admin commands work beside the server too.
    let sources = admin(&db, &["list-sources", "--project", &tenant.project_id]);
    assert_eq!(sources.as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn sigterm_stops_the_server_with_exit_0_and_keeps_the_data() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = db_url(dir.path());
    let tenant = Tenant::create(&db);
    let mut server = Server::start("serve", dir.path(), &["--log-format", "json"]);
    let http = client();
    let auth = (tenant.api_key.as_str(), tenant.secret_key.as_str());
    let body = ingest_body(&tenant.source_id, &["kept".to_string()]);
    let response = ingest(&http, &server.base, auth, &body)
        .await
        .expect("POST");
    assert_eq!(response.status(), 200);

    let status = server.terminate();
    assert!(
        status.success(),
        "exit status {status:?}; log:\n{}",
        server.log()
    );
    let log = server.log();
    assert!(
        log.lines()
            .all(|l| serde_json::from_str::<Value>(l).is_ok()),
        "--log-format json writes JSON lines:\n{log}"
    );
    assert!(
        !log.contains(&tenant.secret_key),
        "secrets are never logged"
    );

    let server = Server::start("serve", dir.path(), &[]);
    let items = all_items(&http, &server.base, &tenant).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["unique_id"], "kept");
}

#[tokio::test]
async fn demo_prints_working_credentials_and_reuses_its_project() {
    let dir = tempfile::tempdir().expect("temp dir");
    let http = client();
    let mut first = Server::start("demo", dir.path(), &[]);
    let project_id = first.preamble_value("project_id");
    let api_key = first.preamble_value("api_key");
    let old_secret = first.preamble_value("secret_key");
    let source_id = first.preamble_value("source_id");
    let curl = first
        .preamble
        .iter()
        .find(|l| l.trim_start().starts_with("curl -u"))
        .expect("a curl command");
    assert!(
        curl.contains(&format!("'{api_key}:{old_secret}'")),
        "{curl}"
    );
    assert!(
        first
            .preamble
            .iter()
            .any(|l| l.contains(&format!("{}/api/1/ai-feedback/ingest", first.base))),
        "{:?}",
        first.preamble
    );

    let body = ingest_body(&source_id, &["demo-1".to_string()]);
    let response = ingest(&http, &first.base, (&api_key, &old_secret), &body)
        .await
        .expect("POST");
    assert_eq!(response.status(), 200, "{}", first.log());
    assert!(first.terminate().success());

    let second = Server::start("demo", dir.path(), &[]);
    assert_eq!(second.preamble_value("project_id"), project_id);
    assert_eq!(second.preamble_value("api_key"), api_key);
    assert_eq!(second.preamble_value("source_id"), source_id);
    let new_secret = second.preamble_value("secret_key");
    assert_ne!(new_secret, old_secret, "the secret is rotated on reuse");

    let response = ingest(&http, &second.base, (&api_key, &old_secret), &body)
        .await
        .expect("POST");
    assert_eq!(response.status(), 403);
    let response = ingest(&http, &second.base, (&api_key, &new_secret), &body)
        .await
        .expect("POST");
    assert_eq!(response.status(), 200);

    let projects = admin(&db_url(dir.path()), &["list-projects"]);
    assert_eq!(projects.as_array().map(Vec::len), Some(1), "{projects}");
    let sources = admin(
        &db_url(dir.path()),
        &["list-sources", "--project", &project_id],
    );
    assert_eq!(sources.as_array().map(Vec::len), Some(1), "{sources}");
}

#[test]
fn an_address_in_use_is_exit_1_with_a_message() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    let dir = tempfile::tempdir().expect("temp dir");
    let out = common::run_failing(
        common::hark()
            .args(["serve", "--listen", &addr, "--data-dir"])
            .arg(dir.path()),
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("cannot listen on {addr}")),
        "{stderr}"
    );
    // Nothing was written: no database, no master key.
    assert_nothing_in(dir.path());
}

/// Unreadable TLS files stop `hark serve` before it writes anything.
#[test]
fn missing_tls_files_write_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let config = dir.path().join("hark.toml");
    std::fs::write(
        &config,
        "[tls]\ncert_file = \"/nonexistent/cert.pem\"\nkey_file = \"/nonexistent/key.pem\"\n",
    )
    .expect("config");
    let out = common::run_failing(
        common::hark()
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(&data)
            .arg("--config")
            .arg(&config),
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_nothing_in(&data);
}

/// Asserts that `dir` is empty or does not exist.
fn assert_nothing_in(dir: &std::path::Path) {
    let written: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(written.is_empty(), "{written:?}");
}

/// An unreachable database stops `hark serve` before it writes anything: no master key file
/// appears in the data directory.
#[test]
fn an_unreachable_database_writes_no_master_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let out = common::run_failing(
        common::hark()
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(&data)
            .args(["--database", "postgres://hark:pw@127.0.0.1:1/hark"]),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        !data.join("master.key").exists(),
        "a master key was written"
    );
}

/// `tls.cert_file` and `tls.key_file` make the port HTTPS: `hark serve` announces `https://`,
/// and a client trusting the certificate gets HTTP/2 by ALPN. (Multi-threaded: the client's
/// connection task must keep running to answer the server's closing ping while this thread
/// waits for the process.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_files_make_the_port_https() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rcgen::CertifiedKey { cert, key_pair } =
        rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).expect("certificate");
    let (cert_file, key_file) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_file, cert.pem()).expect("write cert");
    std::fs::write(&key_file, key_pair.serialize_pem()).expect("write key");
    let config = dir.path().join("hark.toml");
    std::fs::write(
        &config,
        format!(
            "[tls]\ncert_file = {:?}\nkey_file = {:?}\n[analysis]\nenabled = false\n",
            cert_file.display().to_string(),
            key_file.display().to_string()
        ),
    )
    .expect("write config");
    let config_arg = config.display().to_string();
    let mut server = common::Server::start(
        "serve",
        &dir.path().join("data"),
        &["--config", &config_arg],
    );
    let base = server.base.clone();
    assert!(base.starts_with("https://"), "{base}");
    let port = base.rsplit(':').next().expect("port").to_string();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
    let client = reqwest::Client::builder()
        .use_rustls_tls()
        .add_root_certificate(reqwest::Certificate::from_pem(cert.pem().as_bytes()).expect("cert"))
        .resolve("localhost", addr)
        .build()
        .expect("client");
    let r = client
        .get(format!("https://localhost:{port}/healthz"))
        .send()
        .await
        .expect("https request");
    assert_eq!(r.status(), 200);
    assert_eq!(r.version(), reqwest::Version::HTTP_2);
    assert!(server.terminate().success());
}
