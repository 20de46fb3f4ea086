//! Crash safety: a 200 from the ingest API means the items are durable. Clients stream batches
//! at `hark serve`, the server is stopped mid-stream (SIGKILL, or SIGTERM for a graceful stop),
//! restarted on the same data directory, and every acknowledged item must be there.

mod common;

use common::{all_items, client, db_url, ingest, ingest_body, Server, Tenant, DEADLINE};
use serde_json::Value;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

/// Concurrent clients.
const CLIENTS: usize = 4;
/// Items per request.
const BATCH: usize = 10;
/// Most batches one client sends; bounds the test if the signal never comes.
const MAX_BATCHES: usize = 2_000;
/// Acknowledged items after which the server is stopped.
const STOP_AFTER_ACKED: usize = 1_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_items_survive_sigkill() {
    stream_then_stop(Signal::Kill).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_under_load_exits_0_and_keeps_acknowledged_items() {
    stream_then_stop(Signal::Term).await;
}

/// How the server is stopped.
#[derive(Debug, Clone, Copy)]
enum Signal {
    /// SIGKILL: no clean-up at all.
    Kill,
    /// SIGTERM: graceful shutdown, which must exit 0.
    Term,
}

async fn stream_then_stop(signal: Signal) {
    let dir = tempfile::tempdir().expect("temp dir");
    let tenant = Arc::new(Tenant::create(&db_url(dir.path())));
    let mut server = Server::start("serve", dir.path(), &[]);

    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let (count_tx, mut count_rx) = watch::channel(0usize);
    let count_tx = Arc::new(count_tx);
    let mut clients = Vec::new();
    for c in 0..CLIENTS {
        let (tenant, acked, count_tx) = (tenant.clone(), acked.clone(), count_tx.clone());
        let base = server.base.clone();
        clients.push(tokio::spawn(async move {
            stream_batches(c, &base, &tenant, &acked, &count_tx).await
        }));
    }

    let reached = tokio::time::timeout(DEADLINE, count_rx.wait_for(|n| *n >= STOP_AFTER_ACKED))
        .await
        .map(|r| r.is_ok())
        .unwrap_or(false);
    assert!(
        reached,
        "only {} items acknowledged before the deadline; log:\n{}",
        *count_rx.borrow(),
        server.log()
    );
    match signal {
        Signal::Kill => server.kill(),
        Signal::Term => {
            let status = server.terminate();
            assert!(status.success(), "{status:?}; log:\n{}", server.log());
        }
    }

    let mut cut_off = 0;
    for client in clients {
        let outcome = tokio::time::timeout(DEADLINE, client)
            .await
            .expect("client stops after the signal")
            .expect("client task did not panic");
        if let Err(unexpected) = outcome {
            panic!("client saw an unexpected answer: {unexpected}");
        }
        cut_off += usize::from(outcome == Ok(Stop::ServerGone));
    }
    assert!(
        cut_off > 0,
        "the signal must land mid-stream (raise MAX_BATCHES if clients finished first)"
    );

    let acked = acked.lock().expect("ack list").clone();
    assert!(acked.len() >= STOP_AFTER_ACKED);
    let server = Server::start("serve", dir.path(), &[]);
    let stored: HashSet<String> = all_items(&client(), &server.base, &tenant)
        .await
        .iter()
        .filter_map(|item| item["unique_id"].as_str().map(str::to_string))
        .collect();
    eprintln!(
        "{signal:?}: {} items acknowledged, {cut_off} of {CLIENTS} clients cut off, {} stored",
        acked.len(),
        stored.len()
    );
    let missing: Vec<&String> = acked.iter().filter(|id| !stored.contains(*id)).collect();
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged items lost after {signal:?}, e.g. {:?}",
        missing.len(),
        acked.len(),
        &missing[..missing.len().min(5)]
    );
}

/// Why a client stopped sending.
#[derive(Debug, PartialEq)]
enum Stop {
    /// It sent all its batches.
    Done,
    /// The connection failed or the server said it is shutting down (503).
    ServerGone,
}

/// Sends up to [`MAX_BATCHES`] batches of unique items, recording the ids of every item the
/// server acknowledged with 200. Any answer but 200 or a shutdown's 503 is an error.
async fn stream_batches(
    c: usize,
    base: &str,
    tenant: &Tenant,
    acked: &Mutex<Vec<String>>,
    count: &watch::Sender<usize>,
) -> Result<Stop, String> {
    let http = client();
    let auth = (tenant.api_key.as_str(), tenant.secret_key.as_str());
    for b in 0..MAX_BATCHES {
        let ids: Vec<String> = (0..BATCH).map(|i| format!("c{c}-b{b}-i{i}")).collect();
        let body = ingest_body(&tenant.source_id, &ids);
        let response = match ingest(&http, base, auth, &body).await {
            Ok(response) => response,
            Err(_) => return Ok(Stop::ServerGone),
        };
        let status = response.status();
        if status == 503 {
            return Ok(Stop::ServerGone);
        }
        let answer: Value = match response.json().await {
            Ok(answer) => answer,
            // The connection broke while the answer was read: not acknowledged.
            Err(_) => return Ok(Stop::ServerGone),
        };
        if status != 200 || answer["ingested"] != BATCH || answer["failed"] != 0 {
            return Err(format!("status {status}: {answer}"));
        }
        acked.lock().map_err(|e| e.to_string())?.extend(ids);
        count.send_modify(|n| *n += BATCH);
    }
    Ok(Stop::Done)
}
