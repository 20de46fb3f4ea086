//! Counts per key under a cap, each unit held by a guard that gives it back when dropped: the
//! connections open per client address ([`super::connection`]) and the requests in progress
//! per credential or project ([`super::caller_slots`]). A key with nothing held is removed, so
//! the map holds only what is open.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

/// The counts, at most `max` per key (0: no cap, nothing counted).
#[derive(Debug)]
pub(crate) struct KeyedCounts<K: Hash + Eq> {
    max: usize,
    held: Mutex<HashMap<K, usize>>,
}

/// One unit of a key, given back when dropped.
#[derive(Debug)]
pub(crate) struct Held<K: Hash + Eq> {
    counts: Arc<KeyedCounts<K>>,
    key: K,
}

impl<K: Hash + Eq + Clone> KeyedCounts<K> {
    /// Counts of at most `max` per key (0: no cap).
    pub(crate) fn new(max: usize) -> Arc<Self> {
        Arc::new(Self {
            max,
            held: Mutex::default(),
        })
    }

    /// The cap (0: none).
    pub(crate) fn max(&self) -> usize {
        self.max
    }

    /// A unit of `key`, or `None` when it has `max` held already.
    pub(crate) fn take(self: &Arc<Self>, key: K) -> Option<Held<K>> {
        if self.max > 0 {
            let mut held = self.held.lock().ok()?;
            let n = held.entry(key.clone()).or_insert(0);
            if *n >= self.max {
                return None;
            }
            *n += 1;
        }
        Some(Held {
            counts: self.clone(),
            key,
        })
    }

    /// Units of `key` held now.
    #[cfg(test)]
    pub(crate) fn held(&self, key: &K) -> usize {
        let held = self.held.lock().expect("not poisoned");
        held.get(key).copied().unwrap_or(0)
    }

    /// Keys with units held now.
    #[cfg(test)]
    pub(crate) fn keys(&self) -> usize {
        self.held.lock().expect("not poisoned").len()
    }
}

impl<K: Hash + Eq> Drop for Held<K> {
    fn drop(&mut self) {
        if let Ok(mut held) = self.counts.held.lock() {
            if let Some(n) = held.get_mut(&self.key) {
                *n -= 1;
                if *n == 0 {
                    held.remove(&self.key);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_holds_at_most_max_and_gets_them_back() {
        let counts = KeyedCounts::new(2);
        let a1 = counts.take("a").expect("first");
        let _a2 = counts.take("a").expect("second");
        assert!(counts.take("a").is_none());
        let _b = counts.take("b").expect("another key is not affected");
        drop(a1);
        assert_eq!(counts.held(&"a"), 1);
        let _a3 = counts.take("a").expect("room again");
        assert_eq!(counts.keys(), 2);
    }

    #[test]
    fn no_cap_counts_nothing() {
        let counts = KeyedCounts::new(0);
        let held: Vec<_> = (0..10).map(|_| counts.take("a").expect("no cap")).collect();
        assert_eq!(counts.keys(), 0);
        drop(held);
    }
}
