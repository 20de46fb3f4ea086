//! [`WebState`]: what the dashboard's handlers reach — the store, its settings, the sign-in
//! throttle and a view of the analysis pipeline.

use crate::auth::throttle::SignInThrottle;
use hark_analysis::worker::Pipeline;
use hark_core::crypto::MasterKey;
use hark_store::Store;
use std::sync::Arc;
use std::time::Duration;

/// How the dashboard behaves; the binary fills it from the `[web]` configuration.
#[derive(Debug, Clone)]
pub struct WebSettings {
    /// A session unused this long ends (sign in again).
    pub session_idle: Duration,
    /// A session ends this long after sign-in, however busy.
    pub session_absolute: Duration,
    /// Session cookies carry `Secure` (and the `__Host-` prefix): set when hark serves TLS
    /// itself or sits behind an https proxy.
    pub secure_cookies: bool,
    /// Failed sign-ins one account may have per [`WebSettings::sign_in_window`].
    pub sign_in_failures_per_account: u32,
    /// Failed sign-ins one client address may have per window.
    pub sign_in_failures_per_address: u32,
    /// The window the sign-in limits count over.
    pub sign_in_window: Duration,
}

impl Default for WebSettings {
    /// 12 h idle, 7 days absolute, cookies without `Secure`, 5 failures per account and 20 per
    /// address in 15 minutes.
    fn default() -> Self {
        Self {
            session_idle: Duration::from_secs(12 * 3600),
            session_absolute: Duration::from_secs(7 * 24 * 3600),
            secure_cookies: false,
            sign_in_failures_per_account: 5,
            sign_in_failures_per_address: 20,
            sign_in_window: Duration::from_secs(15 * 60),
        }
    }
}

/// The analysis pipeline once the model has loaded (`None` before, or without a model).
pub type ModelProbe = Arc<dyn Fn() -> Option<Arc<Pipeline>> + Send + Sync>;

/// Shared by every dashboard handler; cloning is cheap.
#[derive(Clone)]
pub struct WebState {
    inner: Arc<Inner>,
    master: Option<Arc<MasterKey>>,
    allow_private_networks: bool,
}

struct Inner {
    store: Arc<dyn Store>,
    settings: WebSettings,
    throttle: SignInThrottle,
    model: ModelProbe,
}

impl WebState {
    /// State over `store`; `model` tells whether (and which) analysis pipeline runs.
    pub fn new(store: Arc<dyn Store>, settings: WebSettings, model: ModelProbe) -> Self {
        let throttle = SignInThrottle::new(&settings);
        Self {
            inner: Arc::new(Inner {
                store,
                settings,
                throttle,
                model,
            }),
            master: None,
            allow_private_networks: false,
        }
    }

    /// The same state with the deployment's master key, which seals the SigV4 access keys and the
    /// webhook secrets the settings page makes. Without it the page lists and revokes keys but
    /// cannot issue one, nor add an endpoint.
    pub fn with_master_key(mut self, master: MasterKey) -> Self {
        self.master = Some(Arc::new(master));
        self
    }

    /// The master key, when the server gave it.
    pub(crate) fn master_key(&self) -> Option<&MasterKey> {
        self.master.as_deref()
    }

    /// The same state accepting webhook endpoint URLs on loopback, private, link-local or
    /// metadata addresses (the server's `webhooks.allow_private_networks`); refused without it.
    pub fn with_private_networks(mut self, allow: bool) -> Self {
        self.allow_private_networks = allow;
        self
    }

    /// Whether webhook endpoints may be on private networks.
    pub(crate) fn allow_private_networks(&self) -> bool {
        self.allow_private_networks
    }

    /// The store.
    pub fn store(&self) -> &dyn Store {
        self.inner.store.as_ref()
    }

    /// The settings.
    pub fn settings(&self) -> &WebSettings {
        &self.inner.settings
    }

    /// The per-account and per-address sign-in throttle of this node.
    pub(crate) fn throttle(&self) -> &SignInThrottle {
        &self.inner.throttle
    }

    /// The analysis pipeline, once the model has loaded.
    pub fn pipeline(&self) -> Option<Arc<Pipeline>> {
        (self.inner.model)()
    }
}
