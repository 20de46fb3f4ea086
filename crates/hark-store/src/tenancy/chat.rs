//! Applications and SigV4 access keys, built on the trait: they generate ids and secrets and
//! seal secrets under the master key, so every caller (CLI, admin API, tests) does it the same
//! way and no backend ever sees a plain secret.

use crate::{Store, StoreError};
use hark_core::chat::{AccessKey, AccessKeyId, Application, ApplicationId};
use hark_core::crypto::{generate_secret_access_key, CryptoError, MasterKey};
use hark_core::{ProjectId, Timestamp};

/// Registers an application of `project` with a generated id; `NotFound` for an unknown project.
/// A `strict` application answers 404 to feedback on conversations and messages never recorded.
pub async fn create_application(
    store: &dyn Store,
    project: &ProjectId,
    name: &str,
    strict: bool,
) -> Result<Application, StoreError> {
    let app = Application {
        application_id: ApplicationId::generate(),
        project_id: project.clone(),
        name: name.to_string(),
        strict,
        created_at: Timestamp::now(),
    };
    store.insert_application(&app).await?;
    Ok(app)
}

/// Issues an access key of `project`: the stored record and its secret access key (40 chars),
/// which is returned only here. The secret is stored sealed under `master`, bound to the key id.
/// `NotFound` for an unknown project.
pub async fn create_access_key(
    store: &dyn Store,
    master: &MasterKey,
    project: &ProjectId,
) -> Result<(AccessKey, String), StoreError> {
    let key = AccessKey {
        access_key_id: AccessKeyId::generate(),
        project_id: project.clone(),
        created_at: Timestamp::now(),
        revoked_at: None,
    };
    let secret = generate_secret_access_key();
    let sealed = master.seal_with(key.access_key_id.as_str().as_bytes(), secret.as_bytes());
    store.insert_access_key(&key, &sealed).await?;
    Ok((key, secret))
}

/// A key and its opened secret, for signature verification (revoked keys included: the caller
/// refuses them). `StoreError::Crypto` when the secret does not open under `master` (another
/// master key, or the sealed value was moved or altered).
pub async fn access_key_secret(
    store: &dyn Store,
    master: &MasterKey,
    id: &AccessKeyId,
) -> Result<Option<(AccessKey, String)>, StoreError> {
    let Some((key, sealed)) = store.access_key(id).await? else {
        return Ok(None);
    };
    let plain = master.open_with(id.as_str().as_bytes(), &sealed)?;
    // Authenticated, so it is what `create_access_key` sealed: ASCII. Anything else is not ours.
    let secret = String::from_utf8(plain).map_err(|_| CryptoError::Open)?;
    Ok(Some((key, secret)))
}
