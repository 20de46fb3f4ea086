//! What the chat routes keep in memory: the SigV4 settings, a cache of access keys (opened
//! secret, project, revocation) and of applications, and the per-access-key throttle.
//!
//! Every signed request needs its key's secret and its application, and reading them from the
//! database on each request (plus an AES-GCM open) would cost more than the signature check.
//! Both are cached for [`crate::config::ChatConfig::cache_ttl`] (2 s by default): a key revoked
//! or an application created by another process (the `hark admin` CLI) is seen within that
//! time, and changes made through this server's admin API invalidate their entry at once.
//! Misses are cached too (an unknown key id is not looked up again on every request), and the
//! maps are bounded so that a flood of made-up ids cannot grow them without limit.

use crate::config::ChatConfig;
use crate::rate_limit::RateLimiter;
use hark_core::chat::{AccessKeyId, Application, ApplicationId};
use hark_core::crypto::MasterKey;
use hark_core::ProjectId;
use hark_store::{Store, StoreError};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

/// Most entries of each cache; past it expired entries are dropped, then all of them.
const MAX_CACHE_ENTRIES: usize = 100_000;
/// Access key ids longer than this are never looked up (hark issues 20-character ids).
const MAX_ACCESS_KEY_ID_LEN: usize = 128;

/// A usable access key: its project and opened secret.
#[derive(Debug)]
pub(crate) struct LiveKey {
    /// The owning project.
    pub project_id: ProjectId,
    /// The secret access key, opened with the master key.
    pub secret: String,
}

/// Why an access key id cannot authenticate a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyRefusal {
    /// Issued, then revoked.
    Revoked,
    /// Never issued.
    Unknown,
    /// Issued, but its secret does not open with this server's master key.
    Unusable,
}

/// What the cache knows about an access key id.
pub(crate) type KeyEntry = Result<Arc<LiveKey>, KeyRefusal>;

/// The chat routes' shared state, built once from [`ChatConfig`].
pub(crate) struct ChatState {
    /// Seals and opens access-key secrets.
    pub master: MasterKey,
    /// Regions a credential scope may name.
    pub regions: Vec<String>,
    /// Allowed clock skew of `X-Amz-Date`.
    pub max_skew: chrono::Duration,
    /// Per-access-key buckets (Basic-auth callers: per project id).
    pub throttle: Option<RateLimiter<String>>,
    keys: TtlCache<KeyEntry>,
    apps: TtlCache<Option<Arc<Application>>>,
}

impl ChatState {
    /// State for `config`; every cache starts empty and every bucket full.
    pub fn new(config: &ChatConfig) -> Self {
        Self {
            master: config.master_key.clone(),
            regions: config.regions.clone(),
            max_skew: chrono::Duration::from_std(config.max_skew).unwrap_or(chrono::Duration::MAX),
            throttle: config.throttle.map(RateLimiter::new),
            keys: TtlCache::new(config.cache_ttl),
            apps: TtlCache::new(config.cache_ttl),
        }
    }

    /// What is known about access key `id`: from the cache when fresh, else from the store
    /// (the secret opened with the master key). Store failures are passed on, not cached.
    pub async fn access_key(&self, store: &dyn Store, id: &str) -> Result<KeyEntry, StoreError> {
        if id.len() > MAX_ACCESS_KEY_ID_LEN {
            return Ok(Err(KeyRefusal::Unknown));
        }
        if let Some(entry) = self.keys.get(id) {
            return Ok(entry);
        }
        let generation = self.keys.generation();
        let key_id = AccessKeyId::new(id);
        let entry = match hark_store::access_key_secret(store, &self.master, &key_id).await {
            Ok(Some((key, _))) if key.revoked_at.is_some() => Err(KeyRefusal::Revoked),
            Ok(Some((key, secret))) => Ok(Arc::new(LiveKey {
                project_id: key.project_id,
                secret,
            })),
            Ok(None) => Err(KeyRefusal::Unknown),
            Err(StoreError::Crypto(e)) => {
                tracing::error!(
                    access_key_id = id,
                    error = %e,
                    "an access key's secret does not open with the configured master key"
                );
                Err(KeyRefusal::Unusable)
            }
            Err(e) => return Err(e),
        };
        self.keys.insert(generation, id, entry.clone());
        Ok(entry)
    }

    /// The application `id` (whichever project owns it), cached like access keys.
    pub async fn application(
        &self,
        store: &dyn Store,
        id: &ApplicationId,
    ) -> Result<Option<Arc<Application>>, StoreError> {
        if let Some(app) = self.apps.get(id.as_str()) {
            return Ok(app);
        }
        let generation = self.apps.generation();
        let app = store.get_application(id).await?.map(Arc::new);
        self.apps.insert(generation, id.as_str(), app.clone());
        Ok(app)
    }

    /// Forgets access key `id`, so its next use reads the store (after a revocation).
    pub fn forget_access_key(&self, id: &str) {
        self.keys.remove(id);
    }

    /// Forgets application `id` (after it was created: a cached miss must not linger).
    pub fn forget_application(&self, id: &str) {
        self.apps.remove(id);
    }
}

/// A map whose entries are fresh for `ttl` after they were loaded.
///
/// A generation counter closes the race between a load and an invalidation: a load that began
/// before [`TtlCache::remove`] may have read the old state, so its result is not stored.
struct TtlCache<V> {
    ttl: Duration,
    generation: AtomicU64,
    map: RwLock<HashMap<String, (V, Instant)>>,
}

impl<V: Clone> TtlCache<V> {
    fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            generation: AtomicU64::new(0),
            map: RwLock::new(HashMap::new()),
        }
    }

    /// The value of `key` if it was loaded less than `ttl` ago.
    fn get(&self, key: &str) -> Option<V> {
        // Nothing panics while a lock is held, so a poisoned map is still consistent.
        let map = self.map.read().unwrap_or_else(PoisonError::into_inner);
        let (value, loaded) = map.get(key)?;
        (loaded.elapsed() < self.ttl).then(|| value.clone())
    }

    /// The generation to pass to [`TtlCache::insert`]; read it before loading.
    fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Stores a value loaded since `generation`, unless an invalidation happened meanwhile.
    fn insert(&self, generation: u64, key: &str, value: V) {
        let mut map = self.map.write().unwrap_or_else(PoisonError::into_inner);
        if self.generation.load(Ordering::Acquire) != generation {
            return;
        }
        if map.len() >= MAX_CACHE_ENTRIES && !map.contains_key(key) {
            let ttl = self.ttl;
            map.retain(|_, (_, loaded)| loaded.elapsed() < ttl);
            if map.len() >= MAX_CACHE_ENTRIES {
                map.clear();
            }
        }
        map.insert(key.to_owned(), (value, Instant::now()));
    }

    /// Drops `key` and makes loads already under way not store their result.
    fn remove(&self, key: &str) {
        let mut map = self.map.write().unwrap_or_else(PoisonError::into_inner);
        self.generation.fetch_add(1, Ordering::AcqRel);
        map.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_after_the_ttl() {
        let cache = TtlCache::new(Duration::from_secs(60));
        cache.insert(cache.generation(), "a", 1);
        assert_eq!(cache.get("a"), Some(1));
        assert_eq!(cache.get("b"), None);
        let never = TtlCache::new(Duration::ZERO);
        never.insert(never.generation(), "a", 1);
        assert_eq!(never.get("a"), None, "a zero TTL caches nothing");
    }

    #[test]
    fn removal_discards_loads_already_under_way() {
        let cache = TtlCache::new(Duration::from_secs(60));
        let before = cache.generation();
        cache.remove("a");
        cache.insert(before, "a", "stale");
        assert_eq!(cache.get("a"), None);
        cache.insert(cache.generation(), "a", "fresh");
        assert_eq!(cache.get("a"), Some("fresh"));
    }

    #[test]
    fn the_map_stays_bounded() {
        let cache = TtlCache::new(Duration::from_secs(60));
        for i in 0..MAX_CACHE_ENTRIES + 10 {
            cache.insert(cache.generation(), &i.to_string(), i);
        }
        let len = cache.map.read().map(|m| m.len()).unwrap_or(usize::MAX);
        assert!(len <= MAX_CACHE_ENTRIES, "{len}");
        assert_eq!(
            cache.get(&(MAX_CACHE_ENTRIES + 9).to_string()),
            Some(MAX_CACHE_ENTRIES + 9)
        );
    }
}
