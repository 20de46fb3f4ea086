//! Dashboard users and sign-in, built on the trait: ids, password hashing and session tokens
//! are made here, so the CLI, the admin API and the dashboard do it the same way and no backend
//! ever sees a plain password or session token.

use crate::{Store, StoreError};
use hark_core::users::{Email, Password, PasswordHash, Role, Session, SessionToken, User, UserId};
use hark_core::{ProjectId, Timestamp};

/// Creates a user of `project` with `password`, or a generated one-time password when `None`;
/// returns the user and the password (shown once). `NotFound("project")` for an unknown
/// project, `Conflict` when the email is taken.
pub async fn create_user(
    store: &dyn Store,
    project: &ProjectId,
    email: Email,
    role: Role,
    password: Option<Password>,
) -> Result<(User, Password), StoreError> {
    let password = password.unwrap_or_else(Password::generate);
    let user = User {
        user_id: UserId::generate(),
        project_id: project.clone(),
        email,
        role,
        created_at: Timestamp::now(),
    };
    // argon2 is deliberately slow (tens of milliseconds): off the async threads.
    let hash = hash_password(&password).await?;
    store.insert_user(&user, &hash).await?;
    Ok((user, password))
}

/// Hashes a password on a blocking thread.
pub async fn hash_password(password: &Password) -> Result<PasswordHash, StoreError> {
    let p = password.clone();
    tokio::task::spawn_blocking(move || p.hash())
        .await
        .map_err(StoreError::Task)
}

/// Checks an email and password: the user when they match. An unknown email costs the same
/// hashing time as a wrong password, so timing does not tell which addresses have accounts.
pub async fn verify_sign_in(
    store: &dyn Store,
    email: &Email,
    password: &Password,
) -> Result<Option<User>, StoreError> {
    let found = store.user_by_email(email).await?;
    let p = password.clone();
    tokio::task::spawn_blocking(move || match found {
        Some((user, hash)) => hash.verify(&p).then_some(user),
        None => {
            PasswordHash::verify_nothing(&p);
            None
        }
    })
    .await
    .map_err(StoreError::Task)
}

/// Starts a session for `user`: stores its hash and returns the token for the cookie.
pub async fn start_session(store: &dyn Store, user: &User) -> Result<SessionToken, StoreError> {
    let token = SessionToken::generate();
    let now = Timestamp::now();
    store
        .insert_session(&Session {
            hash: token.hash(),
            user_id: user.user_id.clone(),
            created_at: now,
            last_seen_at: now,
        })
        .await?;
    Ok(token)
}
