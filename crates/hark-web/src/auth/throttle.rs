//! [`SignInThrottle`]: failed sign-ins counted per account and per client address over a
//! sliding window; past either limit, sign-in is refused (without checking the password) until
//! the oldest failure leaves the window.
//!
//! Written by hand because the rate-limit crates limit *requests*; this counts only
//! *failures* and must tell the person how long to wait. Counts are per node (in memory): with
//! N nodes an attacker gets at most N times the limit, still a few guesses a minute.

use crate::state::WebSettings;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Most keys remembered; beyond it the stalest are forgotten (bounded memory under a spray).
const MAX_KEYS: usize = 100_000;

/// Failure counts of one node.
pub(crate) struct SignInThrottle {
    window: Duration,
    per_account: u32,
    per_address: u32,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl SignInThrottle {
    pub(crate) fn new(settings: &WebSettings) -> Self {
        Self {
            window: settings.sign_in_window,
            per_account: settings.sign_in_failures_per_account.max(1),
            per_address: settings.sign_in_failures_per_address.max(1),
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// How long until `account` (or `address`) may try again; `None` when it may now.
    pub(crate) fn wait(&self, account: &str, address: &str, now: Instant) -> Option<Duration> {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let a = self.wait_for(&mut map, &format!("a:{account}"), self.per_account, now);
        let b = self.wait_for(&mut map, &format!("i:{address}"), self.per_address, now);
        a.max(b)
    }

    /// Records a failed sign-in.
    pub(crate) fn failed(&self, account: &str, address: &str, now: Instant) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_KEYS {
            let window = self.window;
            map.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        for key in [format!("a:{account}"), format!("i:{address}")] {
            map.entry(key).or_default().push_back(now);
        }
    }

    /// Forgets an account's failures after it signs in.
    pub(crate) fn succeeded(&self, account: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(&format!("a:{account}"));
    }

    fn wait_for(
        &self,
        map: &mut HashMap<String, VecDeque<Instant>>,
        key: &str,
        limit: u32,
        now: Instant,
    ) -> Option<Duration> {
        let q = map.get_mut(key)?;
        while q
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            q.pop_front();
        }
        if q.is_empty() {
            map.remove(key);
            return None;
        }
        if q.len() < limit as usize {
            return None;
        }
        let oldest = q[q.len() - limit as usize];
        Some(self.window.saturating_sub(now.duration_since(oldest)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle() -> SignInThrottle {
        SignInThrottle::new(&WebSettings {
            sign_in_failures_per_account: 3,
            sign_in_failures_per_address: 5,
            sign_in_window: Duration::from_secs(60),
            ..WebSettings::default()
        })
    }

    #[test]
    fn an_account_is_held_after_its_limit_until_the_window_passes() {
        let t = throttle();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(t.wait("ana@x.io", "1.2.3.4", t0), None);
            t.failed("ana@x.io", "1.2.3.4", t0);
        }
        let wait = t.wait("ana@x.io", "9.9.9.9", t0 + Duration::from_secs(10));
        assert_eq!(wait, Some(Duration::from_secs(50)));
        assert_eq!(
            t.wait("bob@x.io", "9.9.9.9", t0),
            None,
            "other accounts are free"
        );
        assert_eq!(
            t.wait("ana@x.io", "1.2.3.4", t0 + Duration::from_secs(60)),
            None
        );
    }

    #[test]
    fn an_address_is_held_across_accounts() {
        let t = throttle();
        let t0 = Instant::now();
        for i in 0..5 {
            t.failed(&format!("u{i}@x.io"), "1.2.3.4", t0);
        }
        assert!(t.wait("new@x.io", "1.2.3.4", t0).is_some());
        assert_eq!(t.wait("new@x.io", "5.6.7.8", t0), None);
    }

    #[test]
    fn success_clears_the_account() {
        let t = throttle();
        let t0 = Instant::now();
        for _ in 0..3 {
            t.failed("ana@x.io", "1.2.3.4", t0);
        }
        t.succeeded("ana@x.io");
        assert_eq!(t.wait("ana@x.io", "5.6.7.8", t0), None);
    }
}
