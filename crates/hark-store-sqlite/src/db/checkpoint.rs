//! WAL checkpoints on a thread of their own.
//!
//! SQLite's automatic checkpoint runs inside the committing writer and stalls every request
//! waiting on that commit (tens of ms for a large WAL, seen as the benchmark's p99). Here the
//! writer never checkpoints (`wal_autocheckpoint=0`); this thread runs PASSIVE checkpoints,
//! which copy committed pages into the database file beside the writer without blocking it.

use crate::schema::configure;
use crate::Error;
use rusqlite::Connection;
use std::path::Path;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

/// How often the WAL is checkpointed.
const INTERVAL: Duration = Duration::from_millis(250);
/// Under sustained writes a PASSIVE checkpoint never catches up fully, so the log is never
/// restarted and keeps growing; past this many frames (~256 MB) a TRUNCATE checkpoint briefly
/// waits for the writer and resets it.
const MAX_WAL_FRAMES: i64 = 65_536;

/// Stops the checkpoint thread when dropped (after a last checkpoint).
pub(crate) struct Checkpointer {
    _stop: Sender<()>,
}

impl Checkpointer {
    /// Starts the thread on its own connection to `path`.
    pub(crate) fn spawn(path: &Path) -> Result<Self, Error> {
        let conn = Connection::open(path)?;
        configure(&conn)?;
        let (stop, rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("hark-sqlite-checkpoint".into())
            .spawn(move || run(conn, rx))?;
        Ok(Self { _stop: stop })
    }
}

fn run(conn: Connection, stop: Receiver<()>) {
    let mut failures = Failures::default();
    loop {
        let done = matches!(
            stop.recv_timeout(INTERVAL),
            Err(RecvTimeoutError::Disconnected) | Ok(())
        );
        let frames = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get::<_, i64>(1));
        let result = match frames {
            Ok(n) if n > MAX_WAL_FRAMES => {
                conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            }
            other => other.map(drop),
        };
        failures.note(result);
        if done {
            return;
        }
    }
}

/// Checkpoint failures, logged without flooding: one warning when they start or change, then at
/// most one a minute while the same error repeats (a full disk fails every 250 ms), and one line
/// when checkpoints work again.
#[derive(Default)]
struct Failures {
    count: u64,
    last: Option<(String, Instant)>,
}

/// Longest a repeated failure goes unlogged.
const REPEAT_WARNING: Duration = Duration::from_secs(60);

impl Failures {
    fn note(&mut self, result: rusqlite::Result<()>) {
        match result {
            Ok(()) => {
                if self.count > 0 {
                    tracing::info!(failures = self.count, "WAL checkpoints succeed again");
                }
                *self = Self::default();
            }
            Err(e) => {
                self.count += 1;
                let text = e.to_string();
                let due = match &self.last {
                    Some((last, at)) => *last != text || at.elapsed() >= REPEAT_WARNING,
                    None => true,
                };
                if due {
                    tracing::warn!(error = %text, failures = self.count, "WAL checkpoint failed");
                    self.last = Some((text, Instant::now()));
                }
            }
        }
    }
}
