//! The single writer thread and its group commit.
//!
//! Every write is a job sent to one thread that owns the write connection. The thread takes all
//! jobs waiting (up to a weight budget), runs them in one transaction, commits once (one fsync
//! for all), and only then answers each job. If any job fails, the whole transaction is rolled
//! back and every job of the batch is run again alone, in its own transaction, so a failing job
//! never takes the others down with it. (Savepoints per job would do the same but cost ~15 % of
//! the writer's time in the benchmark; failures are rare, so the retry path is the cheap one.)
//! Durability is unchanged — nobody is answered before the commit that holds their write —
//! while the fsync cost is shared.

use crate::error::{writer_gone, Error};
use hark_store::StoreError;
use rusqlite::Connection;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// One unit of work for the writer.
pub(crate) trait Job: Send {
    /// Rows this job writes, to bound the size of one transaction.
    fn weight(&self) -> usize;
    /// Runs inside a transaction; false means it failed and its writes must be rolled back.
    /// May be called again (alone) after a rolled-back group attempt.
    fn run(&mut self, conn: &Connection) -> bool;
    /// Delivers the outcome once the transaction is over (`commit` is its result).
    fn finish(self: Box<Self>, commit: Result<(), Error>);
}

/// A job from a closure; its result is delivered through a oneshot channel.
struct FnJob<T, F> {
    weight: usize,
    f: F,
    result: Option<Result<T, Error>>,
    reply: oneshot::Sender<Result<T, StoreError>>,
}

impl<T, F> Job for FnJob<T, F>
where
    T: Send,
    F: FnMut(&Connection) -> Result<T, Error> + Send,
{
    fn weight(&self) -> usize {
        self.weight
    }

    fn run(&mut self, conn: &Connection) -> bool {
        let r = (self.f)(conn);
        let ok = r.is_ok();
        self.result = Some(r);
        ok
    }

    fn finish(self: Box<Self>, commit: Result<(), Error>) {
        let out = match (self.result, commit) {
            (Some(Err(e)), _) => Err(e.into()),
            (Some(Ok(v)), Ok(())) => Ok(v),
            (_, Err(e)) => Err(e.into()),
            (None, Ok(())) => Err(writer_gone()),
        };
        // The caller may have gone away (request cancelled); its write is committed anyway.
        let _ = self.reply.send(out);
    }
}

/// Handle used by the store to submit writes.
#[derive(Clone)]
pub(crate) struct Writer {
    tx: SyncSender<Box<dyn Job>>,
    /// Whether writes are failing for a reason that passes (the disk is full, the writer is
    /// gone): what readiness reports.
    health: Arc<Health>,
}

/// How long after a write failed for want of space readiness says "not ready" before it tries
/// a write of its own. A small probe can commit while requests' writes still do not fit (a
/// rolled-back transaction leaves its room in the log), so without this pause a node would
/// flap between ready and refusing.
const UNREADY_AFTER_FAILURE: Duration = Duration::from_secs(5);

/// The writer's recent failures (see [`Writer::unavailable`]).
#[derive(Default)]
struct Health {
    /// The last failure of a passing kind and when, until a write commits.
    failed: Mutex<Option<(&'static str, Instant)>>,
}

impl Health {
    fn note<T>(&self, result: &Result<T, StoreError>) {
        let Ok(mut failed) = self.failed.lock() else {
            return;
        };
        match result {
            Ok(_) => *failed = None,
            Err(StoreError::Unavailable { what, .. }) => *failed = Some((what, Instant::now())),
            Err(_) => {}
        }
    }
}

impl Writer {
    /// Starts the writer thread on `conn`.
    pub(crate) fn spawn(conn: Connection, max_batch: usize) -> Result<Self, Error> {
        // Bounded so a flood of requests waits (back-pressure) instead of growing memory.
        let (tx, rx) = std::sync::mpsc::sync_channel::<Box<dyn Job>>(4096);
        std::thread::Builder::new()
            .name("hark-sqlite-writer".into())
            .spawn(move || run_writer(conn, rx, max_batch))?;
        Ok(Self {
            tx,
            health: Arc::default(),
        })
    }

    /// `Some(cause)` when the last write failed for want of disk space (or a stopped writer),
    /// none has committed since, and either the failure is recent ([`UNREADY_AFTER_FAILURE`])
    /// or a probe write fails too; `None` when writes work.
    pub(crate) async fn unavailable(&self) -> Option<StoreError> {
        let failed = *self.health.failed.lock().ok()?;
        let (what, at) = failed?;
        if at.elapsed() < UNREADY_AFTER_FAILURE {
            return Some(StoreError::Unavailable { what, source: None });
        }
        self.probe().await.err()
    }

    /// A write of nothing that still needs a page written and synced (the header's
    /// `user_version`, rewritten with its own value): whether writes commit again.
    async fn probe(&self) -> Result<(), StoreError> {
        self.write(1, |c| {
            let v: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            c.execute_batch(&format!("PRAGMA user_version = {v}"))?;
            Ok(())
        })
        .await
    }

    /// Runs `f` in the next group transaction and returns its result once committed.
    pub(crate) async fn write<T, F>(&self, weight: usize, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnMut(&Connection) -> Result<T, Error> + Send + 'static,
    {
        let result = self.submit(weight, f).await;
        self.health.note(&result);
        result
    }

    /// Queues `f` for the writer thread and waits for its outcome.
    async fn submit<T, F>(&self, weight: usize, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnMut(&Connection) -> Result<T, Error> + Send + 'static,
    {
        let (reply, rx) = oneshot::channel();
        let mut job: Box<dyn Job> = Box::new(FnJob {
            weight,
            f,
            result: None,
            reply,
        });
        loop {
            match self.tx.try_send(job) {
                Ok(()) => break,
                Err(TrySendError::Full(j)) => {
                    job = j;
                    tokio::task::yield_now().await;
                    tokio::time::sleep(std::time::Duration::from_micros(200)).await;
                }
                Err(TrySendError::Disconnected(_)) => return Err(writer_gone()),
            }
        }
        rx.await.map_err(|_| writer_gone())?
    }
}

fn run_writer(conn: Connection, rx: Receiver<Box<dyn Job>>, max_batch: usize) {
    while let Ok(first) = rx.recv() {
        let mut weight = first.weight();
        let mut batch = vec![first];
        while weight < max_batch {
            match rx.try_recv() {
                Ok(job) => {
                    weight += job.weight();
                    batch.push(job);
                }
                Err(_) => break,
            }
        }
        match run_together(&conn, &mut batch) {
            Ok(true) => batch.into_iter().for_each(|j| j.finish(Ok(()))),
            Ok(false) => {
                for mut job in batch {
                    let commit = run_alone(&conn, job.as_mut());
                    job.finish(commit);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, jobs = batch.len(), "group commit failed");
                let e = Arc::new(e);
                for j in batch {
                    j.finish(Err(Error::GroupCommit(e.clone())));
                }
            }
        }
    }
}

/// Runs every job in one transaction. `Ok(false)`: a job failed and everything was rolled back.
fn run_together(conn: &Connection, batch: &mut [Box<dyn Job>]) -> Result<bool, rusqlite::Error> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    for job in batch.iter_mut() {
        if !job.run(conn) {
            // Ignored: some errors end the transaction by themselves.
            let _ = conn.execute_batch("ROLLBACK");
            return Ok(false);
        }
    }
    commit_or_rollback(conn).map(|()| true)
}

/// Runs one job in its own transaction; a failed job is rolled back (its error is its result).
fn run_alone(conn: &Connection, job: &mut dyn Job) -> Result<(), Error> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    if job.run(conn) {
        commit_or_rollback(conn)?;
    } else {
        let _ = conn.execute_batch("ROLLBACK");
    }
    Ok(())
}

fn commit_or_rollback(conn: &Connection) -> Result<(), rusqlite::Error> {
    if let Err(e) = conn.execute_batch("COMMIT") {
        let _ = conn.execute_batch("ROLLBACK");
        return Err(e);
    }
    Ok(())
}
