//! The PostgreSQL server killed (`pg_ctl stop -m immediate`: no checkpoint, as a crash) and
//! restarted under ingest load, with one `hark serve` running throughout on its own durable
//! cluster: while the database is down every refusal is a 503 with `Retry-After` (no 500, no
//! reset connection), every acknowledged item is stored, and ingest works again after the
//! restart without restarting hark. Needs PostgreSQL's server binaries (and, as root, the
//! `postgres` user `scripts/pg-test-server.sh` runs them as); skipped with a message otherwise.

mod common;

use common::{all_items, client, ingest, Server, Tenant};
use serde_json::json;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The workspace's `scripts/pg-test-server.sh`.
fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/pg-test-server.sh")
}

/// A cluster of its own in `dir`, durable (fsync on); stopped when dropped.
struct Cluster {
    dir: PathBuf,
}

impl Cluster {
    /// Starts (or restarts) the cluster; `None`, after saying why, when it cannot run here.
    fn start(dir: &Path, port: u16) -> Option<String> {
        let out = Command::new("bash")
            .arg(script())
            .env("HARK_PG_PORT", port.to_string())
            .env("HARK_PG_DIR", dir)
            .env("HARK_PG_DURABLE", "1")
            .output()
            .ok()?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let url = stdout
            .lines()
            .find_map(|l| l.strip_prefix("export HARK_TEST_POSTGRES_URL="));
        match url {
            Some(url) if out.status.success() => Some(url.trim().to_string()),
            _ => {
                eprintln!(
                    "skipped: cannot start a PostgreSQL cluster: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                None
            }
        }
    }

    /// `pg_ctl ARGS` on the cluster, as its owner.
    fn pg_ctl(&self, args: &[&str]) -> bool {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()
            .and_then(|d| d.flatten().map(|e| e.path().join("bin/pg_ctl")).max());
        let Some(bin) = bin else { return false };
        let mut cmd = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(bin);
            c
        } else {
            Command::new(bin)
        };
        cmd.arg("-D")
            .arg(&self.dir)
            .args(args)
            .status()
            .is_ok_and(|s| s.success())
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.pg_ctl(&["stop", "-m", "immediate", "-w"]);
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A free TCP port on loopback (bound then released).
fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// What the load saw.
#[derive(Default)]
struct Seen {
    acknowledged: BTreeSet<String>,
    refused: u64,
    other: Vec<String>,
    after_restart: u64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_and_restarted_postgres_loses_nothing_and_needs_no_hark_restart() {
    let outer = tempfile::tempdir().expect("tempdir");
    let pg_dir = outer.path().join("pg");
    let port = free_port();
    let Some(url) = Cluster::start(&pg_dir, port) else {
        return;
    };
    let cluster = Cluster {
        dir: pg_dir.clone(),
    };
    let tenant = Tenant::create(&url);
    let mut server = Server::start("serve", &outer.path().join("hark"), &["--database", &url]);
    let http = client();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let restarted = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let load = {
        let (seen, restarted, stop, http) =
            (seen.clone(), restarted.clone(), stop.clone(), http.clone());
        let (base, key, secret, source) = (
            server.base.clone(),
            tenant.api_key.clone(),
            tenant.secret_key.clone(),
            tenant.source_id.clone(),
        );
        tokio::spawn(async move {
            let mut batch = 0;
            while !stop.load(std::sync::atomic::Ordering::Acquire) {
                let ids: Vec<String> = (0..10).map(|i| format!("r{batch}-{i}")).collect();
                let items: Vec<_> = ids
                    .iter()
                    .map(|u| json!({"unique_id": u, "body": "x"}))
                    .collect();
                let body = json!({"source_id": source, "items": items});
                let answer = ingest(&http, &base, (&key, &secret), &body).await;
                {
                    let mut s = seen.lock().expect("seen");
                    match answer {
                        Ok(r) if r.status() == 200 => {
                            s.acknowledged.extend(ids);
                            if restarted.load(std::sync::atomic::Ordering::Acquire) {
                                s.after_restart += 1;
                            }
                        }
                        Ok(r) if r.status() == 503 && r.headers().contains_key("retry-after") => {
                            s.refused += 1;
                        }
                        Ok(r) => s.other.push(format!("{}", r.status())),
                        Err(e) => s.other.push(e.to_string()),
                    }
                }
                batch += 1;
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
    };
    let wait_for = |what: &str, check: &dyn Fn(&Seen) -> bool| {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if check(&seen.lock().expect("seen")) {
                return;
            }
            assert!(Instant::now() < deadline, "{what} did not happen in 60 s");
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    wait_for("some acknowledged ingest", &|s| s.acknowledged.len() >= 100);
    // The database crashes; the load goes on.
    assert!(
        cluster.pg_ctl(&["stop", "-m", "immediate", "-w"]),
        "pg_ctl stop"
    );
    wait_for("503s while the database is down", &|s| s.refused >= 5);
    assert!(Cluster::start(&pg_dir, port).is_some(), "restart");
    restarted.store(true, std::sync::atomic::Ordering::Release);
    wait_for("ingest after the restart", &|s| s.after_restart >= 10);
    stop.store(true, std::sync::atomic::Ordering::Release);
    load.await.expect("load task");

    let seen = std::mem::take(&mut *seen.lock().expect("seen"));
    let log = server.log();
    let internal: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("internal error"))
        .collect();
    assert!(
        seen.other.is_empty(),
        "answers other than 200 or 503: {:?}; internal errors logged: {:#?}",
        &seen.other[..seen.other.len().min(5)],
        &internal[..internal.len().min(3)]
    );
    let stored: BTreeSet<String> = all_items(&http, &server.base, &tenant)
        .await
        .iter()
        .filter_map(|i| i["unique_id"].as_str().map(str::to_string))
        .collect();
    let lost: Vec<_> = seen.acknowledged.difference(&stored).take(5).collect();
    assert!(lost.is_empty(), "acknowledged but not stored: {lost:?}");
    eprintln!(
        "acknowledged {} items, {} refusals while down, {} batches after the restart",
        seen.acknowledged.len(),
        seen.refused,
        seen.after_restart
    );
    assert!(server.terminate().success());
    drop(cluster);
}
