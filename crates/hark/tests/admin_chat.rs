//! The chat-feedback admin commands through the real binary: `create-app`, `list-apps`,
//! `create-access-key`, `list-access-keys`, `revoke-access-key` (stable JSON shapes, errors,
//! the master key file), and keys issued by the CLI signing `PutFeedback` on `hark serve`.

mod common;

use common::{admin, db_url, hark, run_failing, signed_post, str_field, Server};
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};

fn keys_of(v: &Value) -> Vec<String> {
    let mut keys: Vec<String> = v
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    keys.sort();
    keys
}

/// `hark admin ARGS --data-dir DIR` (database and master key both in DIR), parsed.
fn admin_in(dir: &Path, args: &[&str]) -> Value {
    let dir_flag = dir.display().to_string();
    let mut all = args.to_vec();
    all.extend(["--data-dir", &dir_flag]);
    admin(&db_url(dir), &all)
}

fn project(dir: &Path) -> String {
    str_field(&admin_in(dir, &["create-project", "p"]), "project_id")
}

#[test]
fn applications_are_created_and_listed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pid = project(dir.path());
    let app = admin_in(
        dir.path(),
        &["create-app", "--project", &pid, "--name", "support bot"],
    );
    assert_eq!(
        keys_of(&app),
        [
            "application_id",
            "created_at",
            "name",
            "project_id",
            "strict"
        ]
    );
    assert_eq!(app["name"], "support bot");
    assert_eq!(app["project_id"], pid.as_str());
    assert_eq!(app["strict"], false);
    assert!(hark_core::chat::is_valid_resource_id(&str_field(
        &app,
        "application_id"
    )));
    let strict = admin_in(
        dir.path(),
        &["create-app", "--project", &pid, "--name", "s", "--strict"],
    );
    assert_eq!(strict["strict"], true);
    let listed = admin_in(dir.path(), &["list-apps", "--project", &pid]);
    let ids: Vec<&Value> = listed
        .as_array()
        .expect("an array")
        .iter()
        .map(|a| &a["application_id"])
        .collect();
    assert_eq!(ids, [&app["application_id"], &strict["application_id"]]);
}

#[test]
fn access_keys_are_issued_listed_and_revoked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pid = project(dir.path());
    let key = admin_in(dir.path(), &["create-access-key", "--project", &pid]);
    assert_eq!(
        keys_of(&key),
        ["access_key_id", "project_id", "secret_access_key"]
    );
    let key_id = str_field(&key, "access_key_id");
    let secret = str_field(&key, "secret_access_key");
    assert!(key_id.starts_with("HKIA") && key_id.len() == 20, "{key}");
    assert_eq!(secret.len(), 40);

    // The master key was generated in the data directory, private to its owner.
    let key_file = dir.path().join("master.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).expect("master.key exists");
        assert_eq!(mode.permissions().mode() & 0o777, 0o600);
    }

    let listed = admin_in(dir.path(), &["list-access-keys", "--project", &pid]);
    let listed = listed.as_array().expect("an array");
    assert_eq!(listed.len(), 1);
    assert_eq!(
        keys_of(&listed[0]),
        ["access_key_id", "created_at", "project_id", "revoked_at"]
    );
    assert_eq!(listed[0]["revoked_at"], Value::Null);
    assert!(!listed[0].to_string().contains(&secret));

    let revoked = admin_in(
        dir.path(),
        &["revoke-access-key", "--project", &pid, "--key", &key_id],
    );
    assert_eq!(revoked["access_key_id"], key_id.as_str());
    assert!(revoked["revoked_at"].is_string(), "{revoked}");
    let again = admin_in(
        dir.path(),
        &["revoke-access-key", "--project", &pid, "--key", &key_id],
    );
    assert_eq!(
        again["revoked_at"], revoked["revoked_at"],
        "the first time is kept"
    );
}

#[test]
fn chat_admin_errors_are_exit_1_with_a_message() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir_flag = dir.path().display().to_string();
    let pid = project(dir.path());
    for (args, needle) in [
        (
            vec!["list-apps", "--project", "prj_missing"],
            "project not found",
        ),
        (
            vec!["create-app", "--project", "prj_missing", "--name", "x"],
            "project not found",
        ),
        (
            vec!["create-access-key", "--project", "prj_missing"],
            "project not found",
        ),
        (
            vec!["list-access-keys", "--project", "prj_missing"],
            "project not found",
        ),
        (
            vec!["revoke-access-key", "--project", &pid, "--key", "HKIANOPE"],
            "access key not found",
        ),
        (vec!["create-app", "--project", &pid, "--name", " "], "name"),
    ] {
        let out = run_failing(
            hark()
                .arg("admin")
                .args(&args)
                .args(["--data-dir", &dir_flag]),
        );
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn the_master_key_setting_replaces_the_file_and_a_readable_file_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir_flag = dir.path().display().to_string();
    let pid = project(dir.path());
    let key = hark_core::crypto::MasterKey::from_bytes([5; 32]).to_base64();
    let out = hark()
        .args([
            "admin",
            "create-access-key",
            "--project",
            &pid,
            "--data-dir",
            &dir_flag,
        ])
        .env("HARK_MASTER_KEY", &key)
        .output()
        .expect("run hark");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !dir.path().join("master.key").exists(),
        "no file with HARK_MASTER_KEY"
    );

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        admin_in(dir.path(), &["create-access-key", "--project", &pid]);
        let file = dir.path().join("master.key");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        let out = run_failing(hark().args([
            "admin",
            "create-access-key",
            "--project",
            &pid,
            "--data-dir",
            &dir_flag,
        ]));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("chmod 600"), "{stderr}");
        let out =
            run_failing(hark().args(["serve", "--listen", "127.0.0.1:0", "--data-dir", &dir_flag]));
        assert!(String::from_utf8_lossy(&out.stderr).contains("master key file"));
    }
}

#[tokio::test]
async fn keys_issued_by_the_cli_sign_requests_until_revoked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pid = project(dir.path());
    let app = admin_in(
        dir.path(),
        &["create-app", "--project", &pid, "--name", "bot"],
    );
    let key = admin_in(dir.path(), &["create-access-key", "--project", &pid]);
    let (key_id, secret) = (
        str_field(&key, "access_key_id"),
        str_field(&key, "secret_access_key"),
    );
    let server = Server::start("serve", dir.path(), &[]);
    let path = format!(
        "/applications/{}/conversations/{}/messages/{}/feedback?userId=u%40x",
        str_field(&app, "application_id"),
        "c".repeat(36),
        "m".repeat(36)
    );
    let body = r#"{"messageUsefulness": {"usefulness": "USEFUL", "submittedAt": 1714979289}}"#;
    let status = signed_post(&server.base, &path, body, &key_id, &secret).await;
    assert_eq!(status, 200, "{}", server.log());

    // Revoked by the CLI (another process): refused once the server's 2 s cache expires.
    admin_in(
        dir.path(),
        &["revoke-access-key", "--project", &pid, "--key", &key_id],
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let status = signed_post(&server.base, &path, body, &key_id, &secret).await;
        if status == 403 {
            break;
        }
        assert_eq!(status, 200);
        assert!(Instant::now() < deadline, "the revoked key still works");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
