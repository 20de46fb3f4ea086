//! Two hark nodes (two `PgStore`s, each with its own connection pool) on one database share
//! dashboard sessions: a session started on one node signs the user in on the other, a role
//! changed on one is the role the other reads, and a logout or password change on either ends
//! the session on both at once. Needs a test server (`HARK_TEST_POSTGRES_URL`, see
//! `scripts/pg-test-server.sh`).

#![allow(clippy::unwrap_used)]

use hark_core::users::{Email, Role};
use hark_store::{create_project, create_user, start_session, StoreOptions, UserStore};
use hark_store_conformance::testing::fresh_postgres_url;
use hark_store_postgres::PgStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_see_each_others_sessions_and_logouts() {
    let url = fresh_postgres_url().await;
    let a = PgStore::open(&url, StoreOptions::default()).await.unwrap();
    let b = PgStore::open(&url, StoreOptions::default()).await.unwrap();
    let p = create_project(&a, "nodes")
        .await
        .unwrap()
        .project
        .project_id;
    let email = Email::parse("ana@example.com").unwrap();
    let (ana, _) = create_user(&a, &p, email, Role::Viewer, None)
        .await
        .unwrap();

    // Signed in on a, served by b.
    let first = start_session(&a, &ana).await.unwrap().hash();
    let (session, user) = b.session(&first).await.unwrap().unwrap();
    assert_eq!((&session.user_id, &user), (&ana.user_id, &ana));
    b.set_user_role(&p, &ana.user_id, Role::Admin)
        .await
        .unwrap();
    assert_eq!(
        a.session(&first).await.unwrap().unwrap().1.role,
        Role::Admin
    );

    // Logout on b ends the session on a.
    assert!(b.delete_session(&first).await.unwrap());
    assert!(a.session(&first).await.unwrap().is_none());
    assert!(!a.delete_session(&first).await.unwrap());

    // A password change on b, keeping b's session, ends the one a started.
    let on_a = start_session(&a, &ana).await.unwrap().hash();
    let on_b = start_session(&b, &ana).await.unwrap().hash();
    let hash = hark_store::hash_password(&hark_core::users::Password::generate())
        .await
        .unwrap();
    b.set_user_password(&p, &ana.user_id, &hash, Some(&on_b))
        .await
        .unwrap();
    assert!(a.session(&on_a).await.unwrap().is_none());
    assert!(a.session(&on_b).await.unwrap().is_some());

    // Deleting the user on a signs it out on b.
    assert!(a.delete_user(&p, &ana.user_id).await.unwrap());
    assert!(b.session(&on_b).await.unwrap().is_none());
}
