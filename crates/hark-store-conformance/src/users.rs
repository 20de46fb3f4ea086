//! The scripted story of the [`hark_store::UserStore`] part every backend must pass: dashboard
//! users (emails unique on the server, scoped to their project) and their sessions. Each
//! function takes a store (fresh or shared: each story makes its own projects and emails) and
//! panics on the first deviation from the contract.

#![allow(clippy::unwrap_used)]

use hark_core::users::{Email, Password, PasswordHash, Role, Session, SessionHash, User, UserId};
use hark_core::{ProjectId, Timestamp};
use hark_store::{create_project, create_user, start_session, verify_sign_in, Store, StoreError};
use std::sync::Arc;

/// Every user story, in order, each on the given store.
pub async fn run_all(store: Arc<dyn Store>) {
    users_and_roles(store.clone()).await;
    password_changes_end_other_sessions(store.clone()).await;
    deleting_a_user_ends_its_sessions(store.clone()).await;
    sessions_lifecycle(store.clone()).await;
    expired_sessions_are_deleted(store).await;
}

fn ts(s: &str) -> Timestamp {
    Timestamp::parse_iso8601(s).unwrap()
}

/// A new project; its id also makes the story's emails unique on a shared store.
async fn project(s: &dyn Store, name: &str) -> ProjectId {
    create_project(s, name).await.unwrap().project.project_id
}

/// `name@<project>.example.com`, normalised.
fn email(name: &str, p: &ProjectId) -> Email {
    Email::parse(&format!(
        "{name}@{}.example.com",
        p.as_str().replace('_', "-")
    ))
    .unwrap()
}

/// A user of `p` created at `at` (not yet stored).
fn user(p: &ProjectId, name: &str, role: Role, at: &str) -> User {
    User {
        user_id: UserId::generate(),
        project_id: p.clone(),
        email: email(name, p),
        role,
        created_at: ts(at),
    }
}

/// A stored hash the stories do not verify (the store keeps it as text).
fn some_hash() -> PasswordHash {
    PasswordHash("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into())
}

/// A session of `user` with a fresh hash.
fn session(user: &UserId, created: Timestamp, seen: Timestamp) -> Session {
    Session {
        hash: hark_core::users::SessionToken::generate().hash(),
        user_id: user.clone(),
        created_at: created,
        last_seen_at: seen,
    }
}

fn is_conflict(r: &Result<(), StoreError>) -> bool {
    matches!(r, Err(StoreError::Conflict(_)))
}

/// Users: insert (emails unique on the whole server, whatever their case), list oldest first
/// and scoped, get scoped, look up by email, change roles within the project only.
pub async fn users_and_roles(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let p = project(s, "users").await;
    let other = project(s, "other users").await;

    let ana = user(&p, "ana", Role::Admin, "2026-05-01T10:00:00Z");
    let bob = user(&p, "bob", Role::Viewer, "2026-05-01T09:00:00Z");
    // Same time as bob: ties go by id.
    let mut cy = user(&p, "cy", Role::Editor, "2026-05-01T09:00:00Z");
    cy.user_id = UserId::new(format!("{}~", bob.user_id));
    for u in [&ana, &bob, &cy] {
        s.insert_user(u, &some_hash()).await.unwrap();
    }
    let dee = user(&other, "dee", Role::Admin, "2026-05-01T08:00:00Z");
    s.insert_user(&dee, &some_hash()).await.unwrap();

    // The email is taken: in this project, in another one, and in any case (Email normalises).
    // Both backends say it is the email (the dashboard shows the message).
    let r = s
        .insert_user(
            &user(&p, "ana", Role::Viewer, "2026-05-02T00:00:00Z"),
            &some_hash(),
        )
        .await;
    assert!(
        matches!(&r, Err(StoreError::Conflict(m)) if m.contains("email")),
        "{r:?}"
    );
    let elsewhere = User {
        project_id: other.clone(),
        ..user(&p, "ana", Role::Viewer, "2026-05-02T00:00:00Z")
    };
    let r = s.insert_user(&elsewhere, &some_hash()).await;
    assert!(is_conflict(&r), "{r:?}");
    let shouted = Email::parse(&ana.email.as_str().to_uppercase()).unwrap();
    assert_eq!(shouted, ana.email);
    let r = create_user(s, &other, shouted, Role::Viewer, None).await;
    assert!(matches!(r, Err(StoreError::Conflict(_))), "{r:?}");
    // The id is taken.
    let same_id = User {
        email: email("new", &p),
        ..ana.clone()
    };
    let r = s.insert_user(&same_id, &some_hash()).await;
    assert!(is_conflict(&r), "{r:?}");
    // No such project, even with a free email.
    let nowhere = ProjectId::new("prj_missing");
    let r = s
        .insert_user(
            &user(&nowhere, "x", Role::Admin, "2026-05-02T00:00:00Z"),
            &some_hash(),
        )
        .await;
    assert!(matches!(r, Err(StoreError::NotFound("project"))), "{r:?}");

    assert_eq!(
        s.list_users(&p).await.unwrap(),
        [bob.clone(), cy.clone(), ana.clone()]
    );
    assert_eq!(
        s.list_users(&other).await.unwrap(),
        std::slice::from_ref(&dee)
    );
    assert!(s.list_users(&nowhere).await.unwrap().is_empty());

    assert_eq!(
        s.get_user(&p, &ana.user_id).await.unwrap(),
        Some(ana.clone())
    );
    assert_eq!(s.get_user(&p, &dee.user_id).await.unwrap(), None);
    assert_eq!(s.get_user(&other, &ana.user_id).await.unwrap(), None);
    assert_eq!(
        s.get_user(&p, &UserId::new("usr_nobody")).await.unwrap(),
        None
    );

    let (found, hash) = s.user_by_email(&dee.email).await.unwrap().unwrap();
    assert_eq!(found, dee);
    assert_eq!(hash.0, some_hash().0);
    assert!(s
        .user_by_email(&email("nobody", &p))
        .await
        .unwrap()
        .is_none());

    // Sign-in through the tenancy helpers: the stored hash verifies only its password.
    let password = Password::new("correct horse battery staple");
    let (eve, _) = create_user(
        s,
        &p,
        email("Eve", &p),
        Role::Editor,
        Some(password.clone()),
    )
    .await
    .unwrap();
    assert_eq!(eve.email, email("eve", &p));
    let (_, stored) = s.user_by_email(&eve.email).await.unwrap().unwrap();
    assert!(stored.0.starts_with("$argon2id$"));
    assert!(stored.verify(&password));
    let signed_in = verify_sign_in(s, &eve.email, &password).await.unwrap();
    assert_eq!(signed_in, Some(eve.clone()));
    let wrong = Password::new("correct horse battery stapler");
    assert_eq!(verify_sign_in(s, &eve.email, &wrong).await.unwrap(), None);
    let unknown = verify_sign_in(s, &email("nobody", &p), &password).await;
    assert_eq!(unknown.unwrap(), None);

    s.set_user_role(&p, &bob.user_id, Role::Editor)
        .await
        .unwrap();
    let bob_now = s.get_user(&p, &bob.user_id).await.unwrap().unwrap();
    assert_eq!(bob_now.role, Role::Editor);
    // Another project's user is not found through this project, and keeps its role.
    let r = s.set_user_role(&p, &dee.user_id, Role::Viewer).await;
    assert!(matches!(r, Err(StoreError::NotFound("user"))), "{r:?}");
    assert_eq!(s.get_user(&other, &dee.user_id).await.unwrap(), Some(dee));
    let r = s
        .set_user_role(&p, &UserId::new("usr_nobody"), Role::Viewer)
        .await;
    assert!(matches!(r, Err(StoreError::NotFound("user"))), "{r:?}");
}

/// A password change replaces the hash and ends every other session of the user (all of them
/// without `keep`), leaving other users' sessions alone; scoped to the project.
pub async fn password_changes_end_other_sessions(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let p = project(s, "passwords").await;
    let other = project(s, "other passwords").await;
    let old = Password::new("the old password here");
    let (ana, _) = create_user(s, &p, email("ana", &p), Role::Admin, Some(old.clone()))
        .await
        .unwrap();
    let (bob, _) = create_user(s, &p, email("bob", &p), Role::Viewer, None)
        .await
        .unwrap();
    let (dee, _) = create_user(s, &other, email("dee", &other), Role::Admin, None)
        .await
        .unwrap();
    let mine: Vec<SessionHash> = [
        start_session(s, &ana).await.unwrap(),
        start_session(s, &ana).await.unwrap(),
        start_session(s, &ana).await.unwrap(),
    ]
    .iter()
    .map(|t| t.hash())
    .collect();
    let bobs = start_session(s, &bob).await.unwrap().hash();

    let new = Password::new("the new password here");
    let new_hash = hark_store::hash_password(&new).await.unwrap();
    s.set_user_password(&p, &ana.user_id, &new_hash, Some(&mine[1]))
        .await
        .unwrap();
    let (_, stored) = s.user_by_email(&ana.email).await.unwrap().unwrap();
    assert!(stored.verify(&new));
    assert!(!stored.verify(&old));
    assert!(s.session(&mine[0]).await.unwrap().is_none());
    assert!(s.session(&mine[1]).await.unwrap().is_some(), "kept");
    assert!(s.session(&mine[2]).await.unwrap().is_none());
    assert!(s.session(&bobs).await.unwrap().is_some(), "another user's");

    // Without `keep`, every session ends.
    s.set_user_password(&p, &ana.user_id, &some_hash(), None)
        .await
        .unwrap();
    assert!(s.session(&mine[1]).await.unwrap().is_none());
    assert!(s.session(&bobs).await.unwrap().is_some());

    // Another project's user: not found, and nothing of it changes.
    let deesession = start_session(s, &dee).await.unwrap().hash();
    let (_, dee_hash) = s.user_by_email(&dee.email).await.unwrap().unwrap();
    let r = s
        .set_user_password(&p, &dee.user_id, &some_hash(), None)
        .await;
    assert!(matches!(r, Err(StoreError::NotFound("user"))), "{r:?}");
    let (_, still) = s.user_by_email(&dee.email).await.unwrap().unwrap();
    assert_eq!(still.0, dee_hash.0);
    assert!(s.session(&deesession).await.unwrap().is_some());
}

/// Deleting a user deletes its sessions; a second deletion, or one through another project,
/// finds nothing.
pub async fn deleting_a_user_ends_its_sessions(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let p = project(s, "deletions").await;
    let other = project(s, "other deletions").await;
    let (ana, _) = create_user(s, &p, email("ana", &p), Role::Editor, None)
        .await
        .unwrap();
    let (dee, _) = create_user(s, &other, email("dee", &other), Role::Editor, None)
        .await
        .unwrap();
    let a1 = start_session(s, &ana).await.unwrap().hash();
    let a2 = start_session(s, &ana).await.unwrap().hash();
    let d1 = start_session(s, &dee).await.unwrap().hash();

    assert!(!s.delete_user(&p, &dee.user_id).await.unwrap());
    assert!(s.get_user(&other, &dee.user_id).await.unwrap().is_some());
    assert!(s.delete_user(&p, &ana.user_id).await.unwrap());
    assert!(s.get_user(&p, &ana.user_id).await.unwrap().is_none());
    assert!(s.user_by_email(&ana.email).await.unwrap().is_none());
    assert!(s.session(&a1).await.unwrap().is_none());
    assert!(s.session(&a2).await.unwrap().is_none());
    assert!(
        !s.delete_session(&a1).await.unwrap(),
        "deleted with its user"
    );
    assert!(s.session(&d1).await.unwrap().is_some());
    assert!(!s.delete_user(&p, &ana.user_id).await.unwrap());
    // The email is free again.
    create_user(s, &other, ana.email.clone(), Role::Viewer, None)
        .await
        .unwrap();
}

/// Sessions: stored for known users only, read with the user's current role, touched forward
/// only, deleted once.
pub async fn sessions_lifecycle(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let p = project(s, "sessions").await;
    let (ana, _) = create_user(s, &p, email("ana", &p), Role::Viewer, None)
        .await
        .unwrap();
    let (t0, t1, t2) = (
        ts("2026-06-01T10:00:00Z"),
        ts("2026-06-01T10:05:00Z"),
        ts("2026-06-01T10:10:00Z"),
    );

    let r = s
        .insert_session(&session(&UserId::new("usr_nobody"), t0, t0))
        .await;
    assert!(matches!(r, Err(StoreError::NotFound("user"))), "{r:?}");

    let one = session(&ana.user_id, t0, t0);
    s.insert_session(&one).await.unwrap();
    let r = s.insert_session(&one).await;
    assert!(is_conflict(&r), "{r:?}");
    assert_eq!(
        s.session(&one.hash).await.unwrap(),
        Some((one.clone(), ana.clone()))
    );
    let nobody = SessionHash("0".repeat(64));
    assert_eq!(s.session(&nobody).await.unwrap(), None);

    // The session reads the user as it is now.
    s.set_user_role(&p, &ana.user_id, Role::Admin)
        .await
        .unwrap();
    let (_, user) = s.session(&one.hash).await.unwrap().unwrap();
    assert_eq!(user.role, Role::Admin);
    assert_eq!(user.user_id, ana.user_id);

    // Touching moves last_seen_at forward, never back, and keeps created_at.
    s.touch_session(&one.hash, t2).await.unwrap();
    s.touch_session(&one.hash, t1).await.unwrap();
    let (seen, _) = s.session(&one.hash).await.unwrap().unwrap();
    assert_eq!((seen.created_at, seen.last_seen_at), (t0, t2));
    // A session that is gone is no error.
    s.touch_session(&nobody, t2).await.unwrap();
    assert_eq!(s.session(&nobody).await.unwrap(), None);

    let two = start_session(s, &ana).await.unwrap().hash();
    assert!(s.delete_session(&one.hash).await.unwrap());
    assert!(!s.delete_session(&one.hash).await.unwrap());
    assert_eq!(s.session(&one.hash).await.unwrap(), None);
    assert!(
        s.session(&two).await.unwrap().is_some(),
        "logout ends one session"
    );
    s.touch_session(&one.hash, t2).await.unwrap();
}

/// Expiry deletes the sessions idle too long and those too old, whatever their activity, and
/// counts them.
pub async fn expired_sessions_are_deleted(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let p = project(s, "expiry").await;
    let (ana, _) = create_user(s, &p, email("ana", &p), Role::Viewer, None)
        .await
        .unwrap();
    // Times long before any other story's, so a shared store's other sessions stay.
    let t = |day: u32| ts(&format!("2001-01-{day:02}T00:00:00Z"));
    let idle = session(&ana.user_id, t(10), t(11));
    let old_but_active = session(&ana.user_id, t(1), t(20));
    let fresh = session(&ana.user_id, t(10), t(20));
    let edge = session(&ana.user_id, t(5), t(15));
    for x in [&idle, &old_but_active, &fresh, &edge] {
        s.insert_session(x).await.unwrap();
    }
    // Idle since before the 15th, or begun before the 5th: the bounds themselves are kept.
    assert_eq!(s.delete_expired_sessions(t(15), t(5)).await.unwrap(), 2);
    assert!(s.session(&idle.hash).await.unwrap().is_none());
    assert!(s.session(&old_but_active.hash).await.unwrap().is_none());
    assert!(s.session(&fresh.hash).await.unwrap().is_some());
    assert!(s.session(&edge.hash).await.unwrap().is_some());
    assert_eq!(s.delete_expired_sessions(t(15), t(5)).await.unwrap(), 0);
    // A touch saves a session from idle expiry.
    s.touch_session(&edge.hash, t(25)).await.unwrap();
    assert_eq!(s.delete_expired_sessions(t(21), t(1)).await.unwrap(), 1);
    assert!(s.session(&fresh.hash).await.unwrap().is_none());
    assert!(s.session(&edge.hash).await.unwrap().is_some());
    assert_eq!(s.delete_expired_sessions(t(1), t(6)).await.unwrap(), 1);
    assert!(s.session(&edge.hash).await.unwrap().is_none());
}
