//! Deletes expired dashboard sessions from the store now and then, so the table holds only
//! live ones (expiry itself is checked on every request; this only reclaims rows). Every node
//! runs it; deleting what another node already deleted is harmless.

use hark_core::Timestamp;
use hark_store::Store;
use hark_web::WebSettings;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How often expired sessions are swept.
const EVERY: Duration = Duration::from_secs(600);

/// Sweeps until `shutdown`.
pub(crate) async fn sweep_expired(
    store: Arc<dyn Store>,
    settings: WebSettings,
    shutdown: CancellationToken,
) {
    let micros = |d: Duration| i64::try_from(d.as_micros()).unwrap_or(i64::MAX);
    loop {
        let now = Timestamp::now().as_micros();
        let idle_before = Timestamp::from_micros(now.saturating_sub(micros(settings.session_idle)));
        let created_before =
            Timestamp::from_micros(now.saturating_sub(micros(settings.session_absolute)));
        match store
            .delete_expired_sessions(idle_before, created_before)
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::debug!(sessions = n, "expired dashboard sessions deleted"),
            Err(e) => tracing::warn!(error = %e, "could not delete expired sessions"),
        }
        tokio::select! {
            () = tokio::time::sleep(EVERY) => {}
            () = shutdown.cancelled() => return,
        }
    }
}
