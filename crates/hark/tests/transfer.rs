//! `hark export`, `hark import` and `hark migrate` through the real binary: a project moves
//! from one SQLite database to another (a file, and a pipe) and to PostgreSQL (with
//! `HARK_TEST_POSTGRES_URL`), where it reads back the same with its old credentials.

mod common;

use common::{admin, all_items, client, db_url, hark, ingest, run_failing, Server, Tenant};
use serde_json::{json, Value};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Runs `cmd`, which must succeed, and parses its stdout as JSON.
fn json_output(cmd: &mut Command) -> Value {
    let out = cmd.output().expect("run hark");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{cmd:?} printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

fn export_to(db: &str, project: &str, file: &Path) -> Value {
    json_output(
        hark()
            .args(["export", "--database", db, "--project", project, "--out"])
            .arg(file),
    )
}

fn import_from(db: &str, file: &Path) -> Value {
    json_output(hark().args(["import", "--database", db, "--in"]).arg(file))
}

/// Items as a client sees them, without hark's own ids (an import gives new ones).
fn without_ids(mut items: Vec<Value>) -> Vec<Value> {
    for item in &mut items {
        if let Some(object) = item.as_object_mut() {
            object.remove("id");
        }
    }
    items
}

/// Ingests three items (one with parts) through a server on `dir` and returns the listing.
async fn fill(dir: &Path, tenant: &Tenant) -> Vec<Value> {
    let server = Server::start("serve", dir, &[]);
    let http = client();
    let body = json!({
        "source_id": tenant.source_id,
        "items": [
            {
                "unique_id": "t-1",
                "body": "The export button is hard to find.",
                "email": "ada@example.com",
                "user_id": "u-1",
                "conversation_parts": [
                    { "unique_id": "r-1", "body": "Thanks, noted!" },
                    { "unique_id": "r-2", "body": "Fixed in 2.1" }
                ]
            },
            { "unique_id": "t-2", "body": "Love it" },
            { "unique_id": "t-3", "body": "Prices \"doubled\" é" }
        ]
    });
    let auth = (tenant.api_key.as_str(), tenant.secret_key.as_str());
    let response = ingest(&http, &server.base, auth, &body)
        .await
        .expect("POST ingest");
    assert_eq!(response.status(), 200, "{}", server.log());
    all_items(&http, &server.base, tenant).await
}

#[tokio::test]
async fn a_project_moves_between_sqlite_databases() {
    let from = tempfile::tempdir().expect("temp dir");
    let db = db_url(from.path());
    let tenant = Tenant::create(&db);
    let stays = admin(&db, &["create-project", "stays"]);
    let items = fill(from.path(), &tenant).await;
    assert_eq!(items.len(), 3);

    let file = from.path().join("project.jsonl");
    let exported = export_to(&db, &tenant.project_id, &file);
    assert_eq!(exported["project"], tenant.project_id.as_str());
    assert_eq!(exported["exported"]["items"], 3);
    assert_eq!(exported["exported"]["parts"], 2);
    assert!(!from.path().join("project.jsonl.partial").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).expect("stat").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the export holds secret hashes and PII");
    }
    let text = std::fs::read_to_string(&file).expect("read the export");
    assert!(text.starts_with("{\"hark_export\":1,"), "{text}");
    assert!(!text.contains(stays["project_id"].as_str().expect("id")));

    let to = tempfile::tempdir().expect("temp dir");
    let target = db_url(to.path());
    let imported = import_from(&target, &file);
    assert_eq!(imported["imported"], exported["exported"]);
    assert_eq!(imported["rows"], exported["rows"]);
    let projects = admin(&target, &["list-projects"]);
    assert_eq!(projects.as_array().map(Vec::len), Some(1), "{projects}");
    assert_eq!(projects[0]["project_id"], tenant.project_id.as_str());
    let sources = admin(&target, &["list-sources", "--project", &tenant.project_id]);
    assert_eq!(sources[0]["source_id"], tenant.source_id.as_str());

    // The same credentials read the same items from a server on the target.
    let server = Server::start("serve", to.path(), &[]);
    let moved = all_items(&client(), &server.base, &tenant).await;
    assert_eq!(without_ids(moved), without_ids(items));

    // A second import is refused and changes nothing.
    let again = run_failing(
        hark()
            .args(["import", "--database", &target, "--in"])
            .arg(&file),
    );
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("conflict"), "{stderr}");
    let listed = admin(&target, &["list-projects"]);
    assert_eq!(listed, projects);
}

#[tokio::test]
async fn export_pipes_into_import() {
    let from = tempfile::tempdir().expect("temp dir");
    let db = db_url(from.path());
    let tenant = Tenant::create(&db);
    fill(from.path(), &tenant).await;
    let export = hark()
        .args(["export", "--database", &db, "--project", &tenant.project_id])
        .output()
        .expect("run hark export");
    assert!(export.status.success());
    let to = tempfile::tempdir().expect("temp dir");
    let mut import = hark()
        .args(["import", "--database", &db_url(to.path())])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn hark import");
    import
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(&export.stdout)
        .expect("write the export");
    let out = import.wait_with_output().expect("wait for hark import");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Value = serde_json::from_slice(&out.stdout).expect("JSON summary");
    assert_eq!(summary["imported"]["items"], 3);
}

#[test]
fn broken_files_and_unknown_projects_fail_cleanly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = db_url(dir.path());
    let tenant = Tenant::create(&db);
    let file = dir.path().join("p.jsonl");
    export_to(&db, &tenant.project_id, &file);
    let text = std::fs::read_to_string(&file).expect("read the export");
    let cut = dir.path().join("cut.jsonl");
    std::fs::write(&cut, &text[..text.len() - 10]).expect("write");

    let target = tempfile::tempdir().expect("temp dir");
    let target_db = db_url(target.path());
    let out = run_failing(
        hark()
            .args(["import", "--database", &target_db, "--in"])
            .arg(&cut),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 4: not JSON"), "{stderr}");
    assert_eq!(admin(&target_db, &["list-projects"]), json!([]));

    let missing = dir.path().join("nope.jsonl");
    let out = run_failing(
        hark()
            .args(["import", "--database", &target_db, "--in"])
            .arg(&missing),
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope.jsonl"));

    let out_file = dir.path().join("nobody.jsonl");
    let out = run_failing(
        hark()
            .args([
                "export",
                "--database",
                &db,
                "--project",
                "prj_nobody",
                "--out",
            ])
            .arg(&out_file),
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("project not found"));
    assert!(!out_file.exists());
    assert!(!dir.path().join("nobody.jsonl.partial").exists());
}

#[test]
fn migrate_reports_the_schema_version() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = db_url(dir.path());
    let first = json_output(hark().args(["migrate", "--database", &db]));
    assert_eq!(first["backend"], "sqlite");
    let version = first["schema_version"].as_i64().expect("version");
    assert!(version >= 1, "{first}");
    assert_eq!(first["applied"], version);
    let again = json_output(hark().args(["migrate", "--database", &db]));
    assert_eq!(again["schema_version"], version);
    assert_eq!(again["applied"], 0);
}

#[tokio::test]
async fn a_project_moves_to_postgres_and_back() {
    if std::env::var(hark_store_conformance::testing::POSTGRES_URL_VAR).is_err() {
        eprintln!(
            "skipped: {} is not set",
            hark_store_conformance::testing::POSTGRES_URL_VAR
        );
        return;
    }
    let pg = hark_store_conformance::testing::fresh_postgres_url().await;
    let migrated = json_output(hark().args(["migrate", "--database", &pg]));
    assert_eq!(migrated["backend"], "postgres");
    assert!(migrated["applied"].as_i64() > Some(0), "{migrated}");
    assert!(!migrated["database"]
        .as_str()
        .unwrap_or("")
        .contains(":hark@"));

    let from = tempfile::tempdir().expect("temp dir");
    let db = db_url(from.path());
    let tenant = Tenant::create(&db);
    let items = fill(from.path(), &tenant).await;
    let file = from.path().join("project.jsonl");
    export_to(&db, &tenant.project_id, &file);
    let imported = import_from(&pg, &file);
    assert_eq!(imported["imported"]["items"], 3);

    // Back out of PostgreSQL: the same export, but for the ids PostgreSQL gave.
    let back = from.path().join("back.jsonl");
    export_to(&pg, &tenant.project_id, &back);
    let read = |p: &Path| std::fs::read_to_string(p).expect("read an export");
    assert_eq!(
        hark_store::normalise_export(&read(&back)).expect("normalise"),
        hark_store::normalise_export(&read(&file)).expect("normalise")
    );

    // A server on PostgreSQL serves the items with the project's old credentials.
    let sources = admin(&pg, &["list-sources", "--project", &tenant.project_id]);
    assert_eq!(sources[0]["source_id"], tenant.source_id.as_str());
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Server::start("serve", dir.path(), &["--database", &pg]);
    let moved = all_items(&client(), &server.base, &tenant).await;
    assert_eq!(without_ids(moved), without_ids(items));
}
