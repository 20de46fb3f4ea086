//! Which connections are taken: at most [`ConnectionLimits::max_connections`] open at once
//! (kept below the process's file-descriptor limit, which is raised to its hard maximum first),
//! and at most [`ConnectionLimits::max_connections_per_address`] from one client address. At
//! the total cap the listener stops accepting (new connections wait in the kernel's backlog)
//! instead of failing `accept` with EMFILE; over its address's cap a connection is closed at
//! once.

use crate::config::ConnectionLimits;
use crate::http::keyed_counts::{Held, KeyedCounts};
use std::net::IpAddr;
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// File descriptors left for everything but connections: database files and pool, the model,
/// outgoing requests, the listener itself.
const RESERVED_FDS: u64 = 256;

/// The connection caps of one listener.
#[derive(Debug)]
pub(crate) struct Admission {
    total: Arc<Semaphore>,
    per_address: Arc<KeyedCounts<IpAddr>>,
}

/// An admitted connection: its slots are given back when it is dropped.
#[derive(Debug)]
pub(crate) struct Admitted {
    _address: Held<IpAddr>,
    _slot: OwnedSemaphorePermit,
}

impl Admission {
    /// The caps of `limits`, the total lowered to fit the descriptor limit.
    pub(crate) fn new(limits: &ConnectionLimits) -> Self {
        let total = effective_total(limits.max_connections, descriptor_limit());
        tracing::debug!(
            total,
            per_address = limits.max_connections_per_address,
            "connection caps"
        );
        Self {
            total: Arc::new(Semaphore::new(total)),
            per_address: KeyedCounts::new(limits.max_connections_per_address),
        }
    }

    /// Waits for a free connection slot (the listener accepts only with one in hand).
    pub(crate) async fn slot(&self) -> Option<OwnedSemaphorePermit> {
        self.total.clone().acquire_owned().await.ok()
    }

    /// Admits a connection from `address` holding `slot`, or `None` when its address has its
    /// cap already (0: no cap).
    pub(crate) fn admit(&self, address: IpAddr, slot: OwnedSemaphorePermit) -> Option<Admitted> {
        Some(Admitted {
            _address: self.per_address.take(address)?,
            _slot: slot,
        })
    }

    /// Connections open from `address`.
    #[cfg(test)]
    fn open_from(&self, address: IpAddr) -> usize {
        self.per_address.held(&address)
    }
}

/// The soft limit on open files, raised to the hard limit first (a server's usual start-up
/// step); `None` when the platform does not say.
fn descriptor_limit() -> Option<u64> {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(n) => Some(n),
        Err(e) => {
            tracing::debug!(error = %e, "cannot read the open-files limit");
            None
        }
    }
}

/// `configured`, lowered to leave [`RESERVED_FDS`] of `fds` (at least half of them) free.
fn effective_total(configured: usize, fds: Option<u64>) -> usize {
    let Some(fds) = fds else {
        return configured.max(1);
    };
    let room = fds.saturating_sub(RESERVED_FDS).max(fds / 2).max(1);
    let room = usize::try_from(room).unwrap_or(usize::MAX);
    if configured > room {
        tracing::warn!(
            configured,
            capped = room,
            open_files_limit = fds,
            "limits.max_connections is above what the open-files limit allows; lowered"
        );
    }
    configured.min(room).clamp(1, Semaphore::MAX_PERMITS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_total_fits_the_descriptor_limit() {
        assert_eq!(effective_total(10_000, Some(1_048_576)), 10_000);
        assert_eq!(effective_total(10_000, Some(1_024)), 768);
        assert_eq!(effective_total(10_000, Some(300)), 150);
        assert_eq!(effective_total(10_000, None), 10_000);
        assert_eq!(effective_total(0, Some(1_024)), 1);
    }

    #[tokio::test]
    async fn an_address_over_its_cap_is_refused_and_slots_come_back() {
        let limits = ConnectionLimits {
            max_connections: 3,
            max_connections_per_address: 2,
            ..ConnectionLimits::default()
        };
        let admission = Admission::new(&limits);
        let (a, b): (IpAddr, IpAddr) = ("127.0.0.2".parse().unwrap(), "::1".parse().unwrap());
        let slot = || async { admission.slot().await.expect("open") };
        let a1 = admission.admit(a, slot().await).expect("first");
        let a2 = admission.admit(a, slot().await).expect("second");
        assert!(admission.admit(a, slot().await).is_none(), "third from a");
        let b1 = admission.admit(b, slot().await).expect("b has its own cap");
        // All three slots are taken: the next waits.
        let waiting = tokio::time::timeout(std::time::Duration::from_millis(50), slot()).await;
        assert!(waiting.is_err());
        drop((a1, b1));
        assert_eq!(admission.open_from(a), 1);
        assert_eq!(admission.open_from(b), 0);
        let _a3 = admission.admit(a, slot().await).expect("room again");
        drop(a2);
    }
}
