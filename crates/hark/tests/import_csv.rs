//! `hark import-csv` end to end through the real binary: a CSV written here (quoted commas,
//! newlines in fields, UTF-8, blank text, rows that break the ingest rules) is imported into a
//! source and read back through the HTTP read API; a second import adds nothing; bad files and
//! unknown projects or sources are clear errors.

mod common;

use common::{admin, all_items, client, db_url, hark, run_failing, str_field, Server, Tenant};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// `hark import-csv --project P --source S --database DB FILE EXTRA…`.
fn import_csv(db: &str, tenant: &Tenant, source: &str, file: &Path, extra: &[&str]) -> Command {
    let mut cmd = hark();
    cmd.arg("import-csv")
        .args(["--project", &tenant.project_id, "--source", source])
        .args(["--database", db])
        .args(extra)
        .arg(file);
    cmd
}

/// Runs the command, which must succeed; its summary and its stderr.
fn summary(cmd: &mut Command) -> (Value, String) {
    let out = cmd.output().expect("run hark import-csv");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "import-csv failed: {stderr}");
    let summary = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON summary ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    (summary, stderr)
}

/// An `import`-type source of the tenant's project.
fn import_source(db: &str, tenant: &Tenant) -> String {
    let source = admin(
        db,
        &[
            "create-source",
            "--project",
            &tenant.project_id,
            "--name",
            "csv",
            "--type",
            "import",
        ],
    );
    str_field(&source, "source_id")
}

/// The stored item with this unique_id.
fn by_unique_id<'a>(items: &'a [Value], unique_id: &str) -> &'a Value {
    items
        .iter()
        .find(|i| i["unique_id"] == unique_id)
        .unwrap_or_else(|| panic!("no item {unique_id}"))
}

#[tokio::test]
async fn rows_are_imported_by_the_ingest_rules_and_a_second_import_adds_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = db_url(dir.path());
    let tenant = Tenant::create(&db);
    let source = import_source(&db, &tenant);
    let exactly_max = "é".repeat(20_000);
    let too_long = "é".repeat(20_001);
    // Line numbers: the header is line 1; row 2 spans lines 3 and 4.
    let csv = format!(
        "Text,AUTHOR,user,created_at,url,score\n\
         \"Export to Excel, please\",Zoë Ångström,u-1,2026-03-15T10:30:00Z,https://example.com/r/1,5\n\
         \"Line one\nline two, with \"\"quotes\"\"\",Bob,,,,1\n\
         ,Nobody,,,,3\n\
         {too_long},Long,,,,2\n\
         日本語のフィードバック 👍,,u-2,2026-03-16T08:00:00+02:00,,4\n\
         bad url,Eve,,,not a url,1\n\
         unix seconds,Sam,,1773570600,,1\n\
         {exactly_max},Max,,,,2\n"
    );
    let file = dir.path().join("feedback.csv");
    std::fs::write(&file, csv).expect("write csv");

    let (first, stderr) = summary(&mut import_csv(&db, &tenant, &source, &file, &[]));
    assert_eq!(first["rows"], 8, "{first}");
    assert_eq!(first["stored"], 4, "{first}");
    assert_eq!(first["created"], 4, "{first}");
    assert_eq!(first["failed"], 3, "{first}");
    assert_eq!(first["skipped_empty"], 1, "{first}");
    assert!(
        stderr.contains("ignoring columns not imported: score"),
        "{stderr}"
    );
    let errors = first["errors"].as_array().expect("errors array");
    let at: Vec<(u64, u64)> = errors
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap_or(0),
                e["row"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(at, [(6, 4), (8, 6), (9, 7)], "{first}");
    let messages: Vec<&str> = errors.iter().filter_map(|e| e["error"].as_str()).collect();
    assert!(
        messages[0].contains("column \"Text\"")
            && messages[0].contains("exceeds maximum length of 20000 characters"),
        "{}",
        messages[0]
    );
    assert!(messages[1].contains("column \"url\""), "{}", messages[1]);
    assert!(
        messages[2].contains("column \"created_at\"") && messages[2].contains("ISO 8601"),
        "{}",
        messages[2]
    );
    assert_eq!(errors[0]["unique_id"], "feedback.csv#4");

    let (second, _) = summary(&mut import_csv(&db, &tenant, &source, &file, &[]));
    assert_eq!(second["stored"], 4, "{second}");
    assert_eq!(second["created"], 0, "the same rows update, {second}");
    assert_eq!(second["failed"], 3, "{second}");

    let server = Server::start("serve", dir.path(), &[]);
    let items = all_items(&client(), &server.base, &tenant).await;
    assert_eq!(items.len(), 4, "no duplicates after two imports");
    let excel = by_unique_id(&items, "feedback.csv#1");
    assert_eq!(excel["body"], "Export to Excel, please");
    assert_eq!(excel["author"], "Zoë Ångström");
    assert_eq!(excel["user_id"], "u-1");
    assert_eq!(excel["url"], "https://example.com/r/1");
    assert_eq!(excel["created_at"], "2026-03-15T10:30:00Z");
    assert_eq!(excel["source_id"], source.as_str());
    assert_eq!(excel["parts_count"], 0);
    let quoted = by_unique_id(&items, "feedback.csv#2");
    assert_eq!(quoted["body"], "Line one\nline two, with \"quotes\"");
    assert_eq!(quoted["url"], Value::Null);
    let japanese = by_unique_id(&items, "feedback.csv#5");
    assert_eq!(japanese["body"], "日本語のフィードバック 👍");
    assert_eq!(japanese["created_at"], "2026-03-16T06:00:00Z");
    assert_eq!(japanese["author"], Value::Null);
    let longest = by_unique_id(&items, "feedback.csv#8");
    assert_eq!(
        longest["body"].as_str().map(|b| b.chars().count()),
        Some(20_000)
    );
}

#[tokio::test]
async fn renamed_columns_own_unique_ids_batches_and_malformed_rows() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = db_url(dir.path());
    let tenant = Tenant::create(&db);
    let mut csv = String::from("id,review,when\n");
    for n in 1..=250 {
        csv.push_str(&format!("r-{n},review number {n},2026-01-01T00:00:00Z\n"));
        if n == 120 {
            // Three fields expected: this row has two.
            csv.push_str("r-bad,too few fields\n");
        }
    }
    let file = dir.path().join("reviews.csv");
    std::fs::write(&file, csv).expect("write csv");
    let columns = [
        "--text-column",
        "REVIEW",
        "--unique-id-column",
        "id",
        "--created-at-column",
        "when",
        "--batch-size",
        "100",
    ];
    let (s, stderr) = summary(&mut import_csv(
        &db,
        &tenant,
        &tenant.source_id,
        &file,
        &columns,
    ));
    assert_eq!(s["rows"], 251, "{s}");
    assert_eq!(s["stored"], 250, "{s}");
    assert_eq!(s["failed"], 1, "{s}");
    assert_eq!(s["errors"][0]["line"], 122, "{s}");
    assert_eq!(s["errors"][0]["row"], 121, "{s}");
    assert!(
        s["errors"][0]["error"]
            .as_str()
            .is_some_and(|e| e.contains("2 fields")),
        "{s}"
    );
    assert!(
        !stderr.contains("ignoring"),
        "every column is used: {stderr}"
    );

    let server = Server::start("serve", dir.path(), &[]);
    let items = all_items(&client(), &server.base, &tenant).await;
    assert_eq!(items.len(), 250);
    let r7 = by_unique_id(&items, "r-7");
    assert_eq!(r7["body"], "review number 7");
    assert_eq!(r7["created_at"], "2026-01-01T00:00:00Z");
}

#[test]
fn a_file_without_its_text_column_is_an_error_before_the_database_is_opened() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("reviews.csv");
    std::fs::write(&file, "review,score\ngreat,5\n").expect("write csv");
    let db = db_url(&dir.path().join("never"));
    let out = run_failing(
        hark()
            .args(["import-csv", "--project", "prj_x", "--source", "src_x"])
            .args(["--database", &db])
            .arg(&file),
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no column \"text\"") && stderr.contains("review, score"),
        "{stderr}"
    );
    assert!(stderr.contains("--text-column"), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(!dir.path().join("never").exists(), "no database created");

    let missing = run_failing(
        hark()
            .args(["import-csv", "--project", "prj_x", "--source", "src_x"])
            .args(["--database", &db])
            .arg(dir.path().join("absent.csv")),
    );
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(stderr.contains("absent.csv"), "{stderr}");

    let json = dir.path().join("items.json");
    std::fs::write(&json, "[\n  {\"text\": \"a\"}\n]\n").expect("write json");
    let not_csv = run_failing(
        hark()
            .args(["import-csv", "--project", "prj_x", "--source", "src_x"])
            .args(["--database", &db])
            .arg(&json),
    );
    let stderr = String::from_utf8_lossy(&not_csv.stderr);
    assert!(stderr.contains("no column \"text\""), "{stderr}");
}

#[test]
fn unknown_projects_and_sources_of_other_projects_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = db_url(dir.path());
    let tenant = Tenant::create(&db);
    let other = Tenant::create(&db);
    let file = dir.path().join("f.csv");
    std::fs::write(&file, "text\nhello\n").expect("write csv");

    let out = run_failing(&mut import_csv(&db, &tenant, "src_missing", &file, &[]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("has no source src_missing"), "{stderr}");
    assert!(out.stdout.is_empty());

    let out = run_failing(&mut import_csv(&db, &tenant, &other.source_id, &file, &[]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("has no source {}", other.source_id)),
        "{stderr}"
    );

    let out = run_failing(
        hark()
            .args(["import-csv", "--project", "prj_missing", "--source"])
            .arg(&tenant.source_id)
            .args(["--database", &db])
            .arg(&file),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no project prj_missing"), "{stderr}");
}
