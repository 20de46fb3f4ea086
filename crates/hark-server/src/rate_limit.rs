//! Request rate limiting: one token bucket per authenticated caller, consulted by the auth
//! extractors once the caller is known. [`crate::api::ProjectKey`] keys buckets by project
//! (a refusal is [`crate::ApiError::RateLimited`], 429 with `Retry-After`); the AWS surface's
//! [`crate::aws::ChatCaller`] keys them by access key (`ThrottlingException`).
//!
//! Written by hand rather than with the `governor` crate: the bucket is a few lines, needs no
//! new dependency, and taking the clock as an argument ([`RateLimiter::try_acquire_at`]) keeps
//! the unit tests exact without a fake-clock type. A plain mutex over a map is enough: the
//! critical section is a few float operations, and the map only holds projects that passed
//! authentication, so its size is bounded by the number of projects, not by the callers.

use crate::config::RateLimit;
use hark_core::ProjectId;
use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

/// A refused request: the bucket of its project is empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimited {
    /// Whole seconds until the bucket holds a token again; at least 1.
    pub retry_after_secs: u64,
}

/// Token buckets keyed by caller (`K`: a project by default): each holds up to `burst` tokens,
/// starts full, refills at `requests_per_second`, and every admitted request takes one token.
#[derive(Debug)]
pub struct RateLimiter<K = ProjectId> {
    rate: f64,
    burst: f64,
    buckets: Mutex<HashMap<K, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl<K: Hash + Eq> RateLimiter<K> {
    /// A limiter for `limit`. The rate is expected finite and positive (the binary's
    /// configuration checks it); a burst of 0 counts as 1 so that a request can ever pass.
    pub fn new(limit: RateLimit) -> Self {
        Self {
            rate: limit.requests_per_second,
            burst: f64::from(limit.burst.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token from `key`'s bucket now, or says how long to wait for one.
    pub fn try_acquire<Q>(&self, key: &Q) -> Result<(), RateLimited>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        self.try_acquire_at(key, Instant::now())
    }

    /// [`RateLimiter::try_acquire`] at the given instant (tests inject the clock). An instant
    /// earlier than the bucket's last update refills nothing.
    pub fn try_acquire_at<Q>(&self, key: &Q, now: Instant) -> Result<(), RateLimited>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        // No code in the critical section can panic, so a poisoned lock still guards a
        // consistent map; keep serving rather than failing every request.
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        // Looked up before inserting, so a known caller costs no allocation.
        if !buckets.contains_key(key) {
            let full = Bucket {
                tokens: self.burst,
                updated: now,
            };
            buckets.insert(key.to_owned(), full);
        }
        let Some(bucket) = buckets.get_mut(key) else {
            return Ok(()); // just inserted: unreachable, and admitting is the safe answer
        };
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.rate).min(self.burst);
        bucket.updated = bucket.updated.max(now);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            // `as` saturates (and maps NaN to 0), so a degenerate rate cannot panic here.
            let wait = ((1.0 - bucket.tokens) / self.rate).ceil() as u64;
            Err(RateLimited {
                retry_after_secs: wait.max(1),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn limiter(requests_per_second: f64, burst: u32) -> RateLimiter {
        RateLimiter::new(RateLimit {
            requests_per_second,
            burst,
        })
    }

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    #[test]
    fn a_full_bucket_admits_a_burst_then_refuses() {
        let l = limiter(1.0, 3);
        let (p, t0) = (ProjectId::new("prj_a"), Instant::now());
        for _ in 0..3 {
            assert_eq!(l.try_acquire_at(&p, t0), Ok(()));
        }
        assert_eq!(
            l.try_acquire_at(&p, t0),
            Err(RateLimited {
                retry_after_secs: 1
            })
        );
    }

    #[test]
    fn tokens_refill_at_the_rate_up_to_the_burst() {
        let l = limiter(2.0, 2);
        let (p, t0) = (ProjectId::new("prj_a"), Instant::now());
        assert!(l.try_acquire_at(&p, t0).is_ok());
        assert!(l.try_acquire_at(&p, t0).is_ok());
        assert!(l.try_acquire_at(&p, t0).is_err());
        // Half a second at 2/s is one token.
        assert!(l.try_acquire_at(&p, t0 + secs(0.5)).is_ok());
        assert!(l.try_acquire_at(&p, t0 + secs(0.5)).is_err());
        // A long pause refills to the burst, not beyond.
        let later = t0 + secs(3600.0);
        assert!(l.try_acquire_at(&p, later).is_ok());
        assert!(l.try_acquire_at(&p, later).is_ok());
        assert!(l.try_acquire_at(&p, later).is_err());
    }

    #[test]
    fn retry_after_is_the_refill_time_rounded_up() {
        // 0.25/s: every figure below is exact in binary floating point.
        let l = limiter(0.25, 1);
        let (p, t0) = (ProjectId::new("prj_a"), Instant::now());
        assert!(l.try_acquire_at(&p, t0).is_ok());
        let wait = |at| l.try_acquire_at(&p, at).map_err(|r| r.retry_after_secs);
        assert_eq!(wait(t0), Err(4));
        assert_eq!(wait(t0 + secs(1.0)), Err(3));
        assert_eq!(wait(t0 + secs(2.5)), Err(2), "1.5 s left, rounded up");
        assert_eq!(wait(t0 + secs(4.0)), Ok(()));
        assert_eq!(wait(t0 + secs(7.9)), Err(1), "never below one second");
        // A fast rate still answers at least one second.
        let fast = limiter(1000.0, 1);
        assert!(fast.try_acquire_at(&p, t0).is_ok());
        assert_eq!(
            fast.try_acquire_at(&p, t0).map_err(|r| r.retry_after_secs),
            Err(1)
        );
    }

    #[test]
    fn projects_have_independent_buckets() {
        let l = limiter(0.001, 1);
        let (a, b, t0) = (
            ProjectId::new("prj_a"),
            ProjectId::new("prj_b"),
            Instant::now(),
        );
        assert!(l.try_acquire_at(&a, t0).is_ok());
        assert!(l.try_acquire_at(&a, t0).is_err());
        assert!(l.try_acquire_at(&b, t0).is_ok(), "b is not charged for a");
        assert!(l.try_acquire_at(&b, t0).is_err());
    }

    #[test]
    fn string_keys_are_looked_up_by_str() {
        let l: RateLimiter<String> = RateLimiter::new(RateLimit {
            requests_per_second: 0.001,
            burst: 1,
        });
        let t0 = Instant::now();
        assert!(l.try_acquire_at("HKIAONE", t0).is_ok());
        assert!(l.try_acquire_at("HKIAONE", t0).is_err());
        assert!(l.try_acquire_at("HKIATWO", t0).is_ok());
    }

    #[test]
    fn a_clock_going_backwards_refills_nothing_and_zero_burst_counts_as_one() {
        let l = limiter(1.0, 0);
        let (p, t0) = (ProjectId::new("prj_a"), Instant::now());
        let t1 = t0 + secs(5.0);
        assert!(l.try_acquire_at(&p, t1).is_ok());
        assert!(l.try_acquire_at(&p, t0).is_err());
        assert!(l.try_acquire_at(&p, t1).is_err());
        assert!(l.try_acquire_at(&p, t1 + secs(1.0)).is_ok());
    }
}
