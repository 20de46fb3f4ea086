//! The webhook admin commands through the real binary: `create-webhook`, `list-webhooks`,
//! `rotate-webhook-secret`, `disable-webhook`, `enable-webhook`, `delete-webhook` (the API's
//! JSON shapes, errors as exit 1 with a message), and secrets sealed by the CLI opened by
//! `hark serve`'s delivery worker: its deliveries verify with the printed secrets.

mod common;
mod webhook_receiver;

use common::{admin, db_url, hark, run_failing, str_field, Server};
use hark_webhooks::WebhookSecret;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;
use webhook_receiver::{Received, Receiver};

/// A data directory with a configuration file that lets endpoints reach loopback receivers.
struct Setup {
    dir: tempfile::TempDir,
    config: PathBuf,
}

impl Setup {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("hark.toml");
        std::fs::write(
            &config,
            "[webhooks]\nallow_private_networks = true\npoll_ms = 100\n",
        )
        .expect("write config");
        Self { dir, config }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The flags every command of this setup takes.
    fn flags(&self) -> [String; 4] {
        [
            "--data-dir".into(),
            self.path().display().to_string(),
            "--config".into(),
            self.config.display().to_string(),
        ]
    }

    /// `hark admin ARGS` in this setup, which must succeed; its JSON output.
    fn admin(&self, args: &[&str]) -> Value {
        let flags = self.flags();
        let mut all = args.to_vec();
        all.extend(flags.iter().map(String::as_str));
        admin(&db_url(self.path()), &all)
    }

    /// `hark admin ARGS` in this setup, which must fail; its stderr.
    fn admin_failing(&self, args: &[&str]) -> String {
        let out = run_failing(hark().arg("admin").args(args).args(self.flags()));
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        stderr
    }
}

fn keys_of(v: &Value) -> Vec<String> {
    let mut keys: Vec<String> = v
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    keys.sort();
    keys
}

const ENDPOINT_KEYS: [&str; 11] = [
    "created_at",
    "description",
    "disabled_reason",
    "events",
    "failing_since",
    "filter",
    "id",
    "kind",
    "state",
    "updated_at",
    "url",
];

#[test]
fn webhooks_are_created_listed_rotated_disabled_and_deleted() {
    let s = Setup::new();
    let pid = str_field(&s.admin(&["create-project", "p"]), "project_id");
    let created = s.admin(&[
        "create-webhook",
        "--project",
        &pid,
        "--url",
        "https://hooks.example.com/hark",
        "--events",
        "theme.rising,chat_feedback.received,theme.rising",
        "--kind",
        "slack",
        "--filter-json",
        r#"{"categories":["bug"],"min_mentions":3}"#,
        "--description",
        "team channel",
    ]);
    let mut expected: Vec<&str> = ENDPOINT_KEYS.to_vec();
    expected.push("secret");
    expected.sort();
    assert_eq!(keys_of(&created), expected);
    let id = str_field(&created, "id");
    assert!(id.starts_with("whk_"), "{created}");
    let secret = str_field(&created, "secret");
    WebhookSecret::parse(&secret).expect("a whsec_ secret");
    assert_eq!(created["kind"], "slack");
    assert_eq!(
        created["events"],
        serde_json::json!(["theme.rising", "chat_feedback.received"])
    );
    assert_eq!(
        created["filter"],
        serde_json::json!({"categories": ["bug"], "min_mentions": 3})
    );
    assert_eq!(created["description"], "team channel");
    assert_eq!(created["state"], "enabled");

    let listed = s.admin(&["list-webhooks", "--project", &pid]);
    let listed = listed.as_array().expect("an array");
    assert_eq!(listed.len(), 1);
    assert_eq!(keys_of(&listed[0]), ENDPOINT_KEYS);
    assert_eq!(listed[0]["id"], id.as_str());
    assert!(!listed[0].to_string().contains(&secret), "no secret listed");

    let rotated = s.admin(&["rotate-webhook-secret", "--project", &pid, "--webhook", &id]);
    assert_eq!(keys_of(&rotated), ["previous_secret_expires_at", "secret"]);
    let new_secret = str_field(&rotated, "secret");
    assert_ne!(new_secret, secret);
    WebhookSecret::parse(&new_secret).expect("a whsec_ secret");
    let until =
        chrono::DateTime::parse_from_rfc3339(&str_field(&rotated, "previous_secret_expires_at"))
            .expect("an RFC 3339 time");
    let overlap = until.signed_duration_since(chrono::Utc::now());
    assert!(
        overlap > chrono::Duration::hours(23) && overlap <= chrono::Duration::hours(24),
        "{rotated}"
    );

    let disabled = s.admin(&["disable-webhook", "--project", &pid, "--webhook", &id]);
    assert_eq!(disabled["state"], "disabled");
    assert_eq!(
        s.admin(&["list-webhooks", "--project", &pid])[0]["state"],
        "disabled"
    );
    let enabled = s.admin(&["enable-webhook", "--project", &pid, "--webhook", &id]);
    assert_eq!(enabled["state"], "enabled");

    let deleted = s.admin(&["delete-webhook", "--project", &pid, "--webhook", &id]);
    assert_eq!(deleted, serde_json::json!({ "deleted": id }));
    assert_eq!(
        s.admin(&["list-webhooks", "--project", &pid]),
        serde_json::json!([])
    );
    let stderr = s.admin_failing(&["delete-webhook", "--project", &pid, "--webhook", &id]);
    assert!(stderr.contains("webhook endpoint not found"), "{stderr}");
}

#[test]
fn bad_webhook_input_is_exit_1_with_a_message() {
    let s = Setup::new();
    let pid = str_field(&s.admin(&["create-project", "p"]), "project_id");
    let other = str_field(&s.admin(&["create-project", "q"]), "project_id");
    let theirs = str_field(
        &s.admin(&[
            "create-webhook",
            "--project",
            &other,
            "--url",
            "https://hooks.example.com/q",
            "--events",
            "theme.created",
        ]),
        "id",
    );
    let create = |url: &str, events: &str, extra: &[&str]| {
        let mut args = vec![
            "create-webhook".to_string(),
            "--project".into(),
            pid.clone(),
            "--url".into(),
            url.into(),
            "--events".into(),
            events.into(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };
    let ok_url = "https://hooks.example.com/h";
    for (args, needles) in [
        (
            create(ok_url, "theme.rising,theme.exploded", &[]),
            vec![
                "--events",
                "unknown event type \"theme.exploded\"",
                "feedback.analyzed",
            ],
        ),
        (
            create(ok_url, "webhook.test", &[]),
            vec!["unknown event type \"webhook.test\""],
        ),
        (
            create("ftp://example.com/x", "theme.rising", &[]),
            vec!["--url", "ftp"],
        ),
        (
            create("not a url", "theme.rising", &[]),
            vec!["--url", "not a valid URL"],
        ),
        (
            create("https://user:pw@example.com/", "theme.rising", &[]),
            vec!["user name or password"],
        ),
        (
            create(ok_url, "theme.rising", &["--filter-json", "{categories"]),
            vec!["--filter-json", "not valid JSON"],
        ),
        (
            create(
                ok_url,
                "theme.rising",
                &["--filter-json", r#"{"categories":["nope"],"colour":1}"#],
            ),
            vec!["categories[0]", "colour"],
        ),
        (
            // Every problem at once.
            create("gopher://x", "nope", &["--filter-json", "[]"]),
            vec!["--url", "--events", "--filter-json"],
        ),
        (
            vec![
                "create-webhook".into(),
                "--project".into(),
                "prj_missing".into(),
                "--url".into(),
                ok_url.into(),
                "--events".into(),
                "theme.rising".into(),
            ],
            vec!["project not found"],
        ),
        (
            vec![
                "list-webhooks".into(),
                "--project".into(),
                "prj_missing".into(),
            ],
            vec!["project not found"],
        ),
        (
            vec![
                "rotate-webhook-secret".into(),
                "--project".into(),
                pid.clone(),
                "--webhook".into(),
                "whk_missing".into(),
            ],
            vec!["webhook endpoint not found"],
        ),
        (
            // Another project's endpoint is not found either.
            vec![
                "disable-webhook".into(),
                "--project".into(),
                pid.clone(),
                "--webhook".into(),
                theirs.clone(),
            ],
            vec!["webhook endpoint not found"],
        ),
        (
            vec![
                "delete-webhook".into(),
                "--project".into(),
                pid.clone(),
                "--webhook".into(),
                theirs.clone(),
            ],
            vec!["webhook endpoint not found"],
        ),
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let stderr = s.admin_failing(&args);
        for needle in needles {
            assert!(stderr.contains(needle), "{args:?}: {stderr}");
        }
    }
    // Nothing was created by the failures; the other project's endpoint is intact.
    assert_eq!(
        s.admin(&["list-webhooks", "--project", &pid]),
        serde_json::json!([])
    );
    assert_eq!(
        s.admin(&["list-webhooks", "--project", &other])[0]["state"],
        "enabled"
    );
}

#[test]
fn a_loopback_url_needs_allow_private_networks() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir_flag = dir.path().display().to_string();
    let db = db_url(dir.path());
    let pid = str_field(&admin(&db, &["create-project", "p"]), "project_id");
    let out = run_failing(hark().args([
        "admin",
        "create-webhook",
        "--project",
        &pid,
        "--url",
        "http://127.0.0.1:9/h",
        "--events",
        "theme.rising",
        "--data-dir",
        &dir_flag,
    ]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("allow_private_networks"), "{stderr}");
    let out = hark()
        .args([
            "admin",
            "create-webhook",
            "--project",
            &pid,
            "--url",
            "http://127.0.0.1:9/h",
            "--events",
            "theme.rising",
            "--data-dir",
            &dir_flag,
        ])
        .env("HARK_WEBHOOKS__ALLOW_PRIVATE_NETWORKS", "true")
        .output()
        .expect("run hark");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Whether `r` is signed by `secret`.
fn signed_by(r: &Received, secret: &str) -> bool {
    let secret = WebhookSecret::parse(secret).expect("a whsec_ secret");
    hark_webhooks::verify(&secret, &r.webhook_id, r.timestamp, &r.body, &r.signature)
}

/// `POST /api/1/webhooks/{id}/test` on the server; its status.
async fn test_send(server: &Server, auth: (&str, &str), id: &str) -> u16 {
    common::client()
        .post(format!("{}/api/1/webhooks/{id}/test", server.base))
        .basic_auth(auth.0, Some(auth.1))
        .send()
        .await
        .expect("POST test")
        .status()
        .as_u16()
}

#[tokio::test]
async fn the_server_signs_with_the_secrets_the_cli_printed() {
    let s = Setup::new();
    let project = s.admin(&["create-project", "p"]);
    let pid = str_field(&project, "project_id");
    let (api_key, secret_key) = (
        str_field(&project, "api_key"),
        str_field(&project, "secret_key"),
    );
    let auth = (api_key.as_str(), secret_key.as_str());
    let receiver = Receiver::accepting().await;
    let created = s.admin(&[
        "create-webhook",
        "--project",
        &pid,
        "--url",
        &format!("{}/hook", receiver.base),
        "--events",
        "chat_feedback.received",
    ]);
    let (id, first) = (str_field(&created, "id"), str_field(&created, "secret"));
    let config = s.config.display().to_string();
    let server = Server::start("serve", s.path(), &["--config", &config]);
    let wait = Duration::from_secs(30);

    assert_eq!(test_send(&server, auth, &id).await, 202, "{}", server.log());
    let got = receiver.wait_for(wait, |rs| !rs.is_empty()).await;
    assert_eq!(got[0].json()["type"], "webhook.test");
    assert!(signed_by(&got[0], &first), "{}", server.log());

    // Rotated by the CLI: both the new and the previous secret sign.
    let rotated = s.admin(&["rotate-webhook-secret", "--project", &pid, "--webhook", &id]);
    let second = str_field(&rotated, "secret");
    assert_eq!(test_send(&server, auth, &id).await, 202);
    let got = receiver.wait_for(wait, |rs| rs.len() >= 2).await;
    assert!(signed_by(&got[1], &second) && signed_by(&got[1], &first));

    // Disabled by the CLI: the server sees it at once.
    s.admin(&["disable-webhook", "--project", &pid, "--webhook", &id]);
    assert_eq!(test_send(&server, auth, &id).await, 409);
    s.admin(&["enable-webhook", "--project", &pid, "--webhook", &id]);
    assert_eq!(test_send(&server, auth, &id).await, 202);
    receiver.wait_for(wait, |rs| rs.len() >= 3).await;
}
