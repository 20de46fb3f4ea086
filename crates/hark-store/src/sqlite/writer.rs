//! The single writer thread and its group commit.
//!
//! Every write is a job sent to one thread that owns the write connection. The thread takes all
//! jobs waiting (up to a weight budget), runs each inside its own savepoint of one transaction,
//! commits once (one fsync for all), and only then answers each job. A job that fails is rolled
//! back to its savepoint and does not disturb the others. Durability is unchanged — nobody is
//! answered before the commit that holds their write — while the fsync cost is shared.

use crate::StoreError;
use rusqlite::Connection;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::sync::Arc;
use tokio::sync::oneshot;

/// One unit of work for the writer.
pub(crate) trait Job: Send {
    /// Rows this job writes, to bound the size of one transaction.
    fn weight(&self) -> usize;
    /// Runs inside the group transaction; false means "roll my writes back".
    fn run(&mut self, conn: &Connection) -> bool;
    /// Delivers the outcome once the transaction is over (`commit` is its result).
    fn finish(self: Box<Self>, commit: Result<(), StoreError>);
}

/// A job from a closure; its result is delivered through a oneshot channel.
struct FnJob<T, F> {
    weight: usize,
    f: Option<F>,
    result: Option<Result<T, StoreError>>,
    reply: oneshot::Sender<Result<T, StoreError>>,
}

impl<T, F> Job for FnJob<T, F>
where
    T: Send,
    F: FnOnce(&Connection) -> Result<T, StoreError> + Send,
{
    fn weight(&self) -> usize {
        self.weight
    }

    fn run(&mut self, conn: &Connection) -> bool {
        let Some(f) = self.f.take() else { return false };
        let r = f(conn);
        let ok = r.is_ok();
        self.result = Some(r);
        ok
    }

    fn finish(self: Box<Self>, commit: Result<(), StoreError>) {
        let out = match (self.result, commit) {
            (Some(Err(e)), _) => Err(e),
            (Some(Ok(v)), Ok(())) => Ok(v),
            (_, Err(e)) => Err(e),
            (None, Ok(())) => Err(StoreError::WriterGone),
        };
        // The caller may have gone away (request cancelled); its write is committed anyway.
        let _ = self.reply.send(out);
    }
}

/// Handle used by the store to submit writes.
#[derive(Clone)]
pub(crate) struct Writer {
    tx: SyncSender<Box<dyn Job>>,
}

impl Writer {
    /// Starts the writer thread on `conn`.
    pub(crate) fn spawn(conn: Connection, max_batch: usize) -> Result<Self, StoreError> {
        // Bounded so a flood of requests waits (back-pressure) instead of growing memory.
        let (tx, rx) = std::sync::mpsc::sync_channel::<Box<dyn Job>>(4096);
        std::thread::Builder::new()
            .name("hark-sqlite-writer".into())
            .spawn(move || run_writer(conn, rx, max_batch))?;
        Ok(Self { tx })
    }

    /// Runs `f` in the next group transaction and returns its result once committed.
    pub(crate) async fn write<T, F>(&self, weight: usize, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (reply, rx) = oneshot::channel();
        let mut job: Box<dyn Job> = Box::new(FnJob {
            weight,
            f: Some(f),
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
                Err(TrySendError::Disconnected(_)) => return Err(StoreError::WriterGone),
            }
        }
        rx.await.map_err(|_| StoreError::WriterGone)?
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
        let commit = run_batch(&conn, &mut batch);
        match commit {
            Ok(()) => batch.into_iter().for_each(|j| j.finish(Ok(()))),
            Err(e) => {
                tracing::error!(error = %e, jobs = batch.len(), "group commit failed");
                let e = Arc::new(e);
                for j in batch {
                    j.finish(Err(StoreError::GroupCommit(e.clone())));
                }
            }
        }
    }
}

/// One transaction for the whole batch, a savepoint per job.
fn run_batch(conn: &Connection, batch: &mut [Box<dyn Job>]) -> Result<(), rusqlite::Error> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    for job in batch.iter_mut() {
        let step = conn.execute_batch("SAVEPOINT job").and_then(|()| {
            if job.run(conn) {
                conn.execute_batch("RELEASE job")
            } else {
                conn.execute_batch("ROLLBACK TO job; RELEASE job")
            }
        });
        if let Err(e) = step {
            let _ = conn.execute_batch("ROLLBACK");
            return Err(e);
        }
    }
    if let Err(e) = conn.execute_batch("COMMIT") {
        let _ = conn.execute_batch("ROLLBACK");
        return Err(e);
    }
    Ok(())
}
