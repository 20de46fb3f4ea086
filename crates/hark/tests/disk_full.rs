//! A full disk under a real `hark serve`: the data directory is a small tmpfs (needs root, as in
//! CI; skipped with a message elsewhere), and the server's log (stderr) is written there too, so
//! log lines fail as well (they are dropped; requests go on). Ingest until the disk is full, then: the refusal is a
//! 503 with `Retry-After` and the JSON error shape (not a 500), `/readyz` says not ready, the
//! refusals are counted in `/metrics`, the checkpoint thread's failures are not logged every
//! 250 ms, every acknowledged item is still there; once space is freed `/readyz` is ready again
//! by itself and the same request succeeds, without a restart.

mod common;

use common::{all_items, client, db_url, ingest, ingest_body, Server, Tenant};
use std::path::Path;
use std::process::Command;

/// Mounts a tmpfs of `size` on `dir`; `false` (after saying why) when that is not possible.
fn mount_tmpfs(dir: &Path, size: &str) -> bool {
    let out = Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
        .arg(dir)
        .output();
    match out {
        Ok(o) if o.status.success() => true,
        Ok(o) => {
            eprintln!(
                "skipped: cannot mount a tmpfs (root needed): {}",
                String::from_utf8_lossy(&o.stderr)
            );
            false
        }
        Err(e) => {
            eprintln!("skipped: no mount command: {e}");
            false
        }
    }
}

/// Asserts that `error` is hark's error shape saying the disk is full.
fn says_disk_is_full(error: &serde_json::Value) {
    let message = error["error"].as_str().unwrap_or("");
    assert!(message.contains("disk is full"), "{error}");
}

/// Unmounts on drop, so a failed assertion does not leave the mount behind.
struct Mounted<'a>(&'a Path);

impl Drop for Mounted<'_> {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(self.0).status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_is_a_503_that_loses_nothing_and_recovers() {
    let outer = tempfile::tempdir().expect("tempdir");
    let dir = outer.path().join("data");
    std::fs::create_dir_all(&dir).expect("data dir");
    if !mount_tmpfs(&dir, "6m") {
        return;
    }
    let _mounted = Mounted(&dir);
    let db = db_url(&dir);
    let tenant = Tenant::create(&db);
    let mut server = Server::start("serve", &dir, &[]);
    let http = client();
    let creds = (tenant.api_key.as_str(), tenant.secret_key.as_str());
    // Fill most of the disk with a file we can delete later, then ingest until refused.
    let filler = dir.join("filler");
    let mut acknowledged = 0usize;
    std::fs::write(&filler, vec![0u8; 4 * 1024 * 1024]).expect("filler");
    let padding = "x".repeat(4_000);
    let mut refused = None;
    for batch in 0..2_000 {
        let ids: Vec<String> = (0..20).map(|i| format!("b{batch}-{i}")).collect();
        let mut body = ingest_body(&tenant.source_id, &ids);
        for item in body["items"].as_array_mut().expect("items") {
            item["body"] = format!("{padding} {}", item["unique_id"]).into();
        }
        let r = ingest(&http, &server.base, creds, &body)
            .await
            .expect("answered");
        if r.status().is_success() {
            acknowledged += ids.len();
            continue;
        }
        refused = Some((
            r.status(),
            r.headers().clone(),
            r.text().await.unwrap_or_default(),
            body,
        ));
        break;
    }
    let (status, headers, text, body) = refused.expect("the disk filled up");
    assert_eq!(status, 503, "{text}");
    assert!(headers.contains_key("retry-after"), "{headers:?}");
    let error: serde_json::Value = serde_json::from_str(&text).expect("JSON error body");
    says_disk_is_full(&error);
    assert!(acknowledged > 0, "some items fit before the disk filled up");

    // Nothing acknowledged was lost; the refused batch wrote nothing.
    let stored = all_items(&http, &server.base, &tenant).await;
    assert_eq!(stored.len(), acknowledged);

    // Not ready while writes fail: load balancers send the traffic elsewhere.
    let ready = http.get(format!("{}/readyz", server.base)).send().await;
    let ready = ready.expect("readyz answered");
    assert_eq!(ready.status(), 503);
    assert!(ready.headers().contains_key("retry-after"));
    let error: serde_json::Value = ready.json().await.expect("JSON error body");
    says_disk_is_full(&error);
    let metrics = http.get(format!("{}/metrics", server.base)).send().await;
    let metrics = match metrics {
        Ok(r) => r.text().await.expect("text"),
        Err(e) => panic!("GET /metrics: {e}; log:\n{}", server.log()),
    };
    let counted = metrics
        .lines()
        .find_map(|l| l.strip_prefix("hark_storage_unavailable_total "))
        .and_then(|v| v.trim().parse::<f64>().ok());
    assert!(counted.is_some_and(|n| n >= 2.0), "{metrics}");
    // The disk stays full for a while (the checkpoint thread fails every 250 ms meanwhile).
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let warnings = server.log().matches("WAL checkpoint failed").count();
    assert!(warnings <= 2, "{warnings} checkpoint warnings in 3 s");

    // Space comes back: ready again by itself (its probe write commits), and the same request
    // now succeeds, with no restart.
    std::fs::remove_file(&filler).expect("free space");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let ready = http.get(format!("{}/readyz", server.base)).send().await;
        if ready.expect("readyz answered").status() == 200 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "not ready again");
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    let r = ingest(&http, &server.base, creds, &body)
        .await
        .expect("answered");
    assert!(
        r.status().is_success(),
        "{}",
        r.text().await.unwrap_or_default()
    );
    assert_eq!(
        all_items(&http, &server.base, &tenant).await.len(),
        acknowledged + 20
    );
    assert!(server.terminate().success());
}
