//! The load loop shared by every measurement: `workers` concurrent tasks each take the next job
//! index until the jobs run out.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Errors of a measurement, sendable across tasks.
pub type BenchError = Box<dyn std::error::Error + Send + Sync>;

/// Runs `work(jobs, n)` once for every job index `n` from `workers` concurrent tasks; returns
/// every result (in no particular order) and the wall time from the first job to the last.
pub async fn drive<J, R, F, Fut>(
    workers: usize,
    jobs: Arc<Vec<J>>,
    work: F,
) -> Result<(Vec<R>, Duration), BenchError>
where
    J: Send + Sync + 'static,
    R: Send + 'static,
    F: Fn(Arc<Vec<J>>, usize) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Result<R, BenchError>> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(workers);
    for _ in 0..workers {
        let (jobs, next, work) = (jobs.clone(), next.clone(), work.clone());
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= jobs.len() {
                    return Ok::<_, BenchError>(out);
                }
                out.push(work(jobs.clone(), n).await?);
            }
        }));
    }
    let mut results = Vec::with_capacity(jobs.len());
    for t in tasks {
        results.extend(t.await??);
    }
    Ok((results, start.elapsed()))
}
