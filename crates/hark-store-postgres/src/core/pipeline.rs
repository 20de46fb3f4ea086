//! Several statements sent together: tokio-postgres writes a query to the connection when its
//! future is first polled and the server runs them in the order they arrive, so polling every
//! future once, in order, sends them all in one flight and costs one round trip instead of one
//! each. A later statement sees what the earlier ones wrote (same transaction, run one after
//! the other).

use crate::Error;
use deadpool_postgres::Transaction;
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Row, Statement};

/// One statement of a pipeline and its parameters.
pub(super) struct Step<'a> {
    /// The prepared statement.
    pub stmt: Statement,
    /// Its parameters, `$1` first.
    pub params: Vec<&'a (dyn ToSql + Sync)>,
}

impl<'a> Step<'a> {
    /// A step of `stmt` with `params`.
    pub fn new(stmt: Statement, params: Vec<&'a (dyn ToSql + Sync)>) -> Self {
        Self { stmt, params }
    }
}

type Query<'a> = Pin<Box<dyn Future<Output = Result<Vec<Row>, tokio_postgres::Error>> + Send + 'a>>;

/// Runs `steps` as one pipeline in `tx`; returns each step's rows, in order. On failure the
/// error is the first failing step's: once a statement fails, the transaction is aborted and the
/// later ones only report that, which would hide the cause (and whether a retry can help).
pub(super) async fn run(tx: &Transaction<'_>, steps: &[Step<'_>]) -> Result<Vec<Vec<Row>>, Error> {
    let mut queries: Vec<Query<'_>> = steps
        .iter()
        .map(|s| Box::pin(tx.query(&s.stmt, &s.params)) as Query<'_>)
        .collect();
    let mut results: Vec<Option<Result<Vec<Row>, tokio_postgres::Error>>> =
        steps.iter().map(|_| None).collect();
    // Polled in order, so the first poll sends the statements in order.
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (query, result) in queries.iter_mut().zip(results.iter_mut()) {
            if result.is_none() {
                match query.as_mut().poll(cx) {
                    Poll::Ready(r) => *result = Some(r),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    results
        .into_iter()
        .flatten()
        .map(|r| r.map_err(Error::from))
        .collect()
}
