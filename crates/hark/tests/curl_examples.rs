//! The README's first journey with the real `curl`: `hark demo` on a fresh data dir prints
//! credentials; the four spec examples are sent exactly as written (only the source id, the
//! base URL and the credentials changed); the documented answers come back; the stored items
//! read back through the items API (also with curl).

mod common;

use common::Server;
use serde_json::Value;
use std::process::Command;

const EXAMPLES: [(&str, u64); 4] = [
    ("1-simple-feedback.json", 2),
    ("2-support-ticket.json", 1),
    ("3-call-transcript.json", 1),
    ("4-add-replies.json", 1),
];

fn examples_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/specs/ingest-examples")
}

/// Runs curl with `args`, returning (HTTP status, body as JSON).
fn curl(args: &[&str]) -> (u16, Value) {
    let out = Command::new("curl")
        .args(["-sS", "-w", "\n%{http_code}"])
        .args(args)
        .output()
        .expect("curl must be installed (.ci/run installs it)");
    assert!(
        out.status.success(),
        "curl failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8 answer");
    let (body, code) = text.rsplit_once('\n').expect("status line");
    let json = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(body).expect("JSON body")
    };
    (code.trim().parse().expect("status code"), json)
}

#[test]
fn spec_examples_work_verbatim_with_curl() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Server::start("demo", dir.path(), &[]);
    let user = format!(
        "{}:{}",
        server.preamble_value("api_key"),
        server.preamble_value("secret_key")
    );
    let source_id = server.preamble_value("source_id");
    let ingest_url = format!("{}/api/1/ai-feedback/ingest", server.base);

    for (file, ingested) in EXAMPLES {
        let text = std::fs::read_to_string(examples_dir().join(file)).expect("example file");
        let body_path = dir.path().join(file);
        std::fs::write(&body_path, text.replace("YOUR_SOURCE_ID", &source_id)).expect("write body");
        let data = format!("@{}", body_path.display());
        let (status, answer) = curl(&[
            "-u",
            &user,
            "-H",
            "Content-Type: application/json",
            "-d",
            &data,
            &ingest_url,
        ]);
        assert_eq!(status, 200, "{file}: {answer}\n{}", server.log());
        assert_eq!(
            answer,
            serde_json::json!({"ingested": ingested, "failed": 0, "errors": []}),
            "{file}"
        );
    }

    let (status, page) = curl(&[
        "-u",
        &user,
        &format!("{}/api/1/items?limit=10", server.base),
    ]);
    assert_eq!(status, 200);
    let items = page["items"].as_array().expect("items");
    assert_eq!(items.len(), 4, "{page}");
    let find = |uid: &str| {
        items
            .iter()
            .find(|i| i["unique_id"] == uid)
            .cloned()
            .expect(uid)
    };
    let ticket = find("ticket-456");
    let (status, ticket) = curl(&[
        "-u",
        &user,
        &format!("{}/api/1/items/{}", server.base, ticket["id"]),
    ]);
    assert_eq!(status, 200);
    assert_eq!(
        ticket["body"],
        "I need to export my dashboard data to Excel but I cannot find the option"
    );
    let parts: Vec<_> = ticket["conversation_parts"]
        .as_array()
        .expect("parts")
        .iter()
        .map(|p| p["unique_id"].clone())
        .collect();
    assert_eq!(parts, ["ticket-456-1", "ticket-456-2", "ticket-456-3"]);
    let call = find("call-123");
    assert_eq!(call["body"], Value::Null);
    assert_eq!(call["parts_count"], 2);
    assert_eq!(find("review-789")["created_at"], "2026-03-15T10:30:00Z");

    // The same example without credentials or with a wrong secret: the documented errors.
    let body_path = dir.path().join("1-simple-feedback.json");
    let data = format!("@{}", body_path.display());
    let (status, answer) = curl(&[
        "-H",
        "Content-Type: application/json",
        "-d",
        &data,
        &ingest_url,
    ]);
    assert_eq!(status, 401, "{answer}");
    let wrong = format!("{}:hs_wrong", server.preamble_value("api_key"));
    let (status, answer) = curl(&[
        "-u",
        &wrong,
        "-H",
        "Content-Type: application/json",
        "-d",
        &data,
        &ingest_url,
    ]);
    assert_eq!(status, 403, "{answer}");
}
