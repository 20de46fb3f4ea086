//! The dashboard over HTTP: sign-in, sessions, CSRF, roles and the security headers, on the
//! real server and store (both backends, like the rest of this suite). What only a browser can
//! show (scripts not running, layout) is tested in `tests/browser` with Chromium.

use crate::common::{Tenant, TestServer};
use hark_core::users::{Email, Password, Role};
use reqwest::header::{HeaderMap, CONTENT_TYPE, COOKIE, LOCATION, ORIGIN, SET_COOKIE};
use reqwest::{redirect, Client, Response, StatusCode};
use serde_json::json;

const PASSWORD: &str = "correct horse battery";

/// A browser-like client that follows nothing and keeps cookies by hand.
fn client() -> Client {
    Client::builder()
        .redirect(redirect::Policy::none())
        .build()
        .expect("client")
}

/// `name=value` of each `Set-Cookie`.
fn set_cookies(h: &HeaderMap) -> Vec<String> {
    h.get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::to_string)
        .collect()
}

fn cookie_value(h: &HeaderMap, name: &str) -> Option<String> {
    set_cookies(h).iter().find_map(|c| {
        let first = c.split(';').next()?;
        let (n, v) = first.split_once('=')?;
        (n == name).then(|| v.to_string())
    })
}

/// The value of the hidden `csrf` input of a page.
fn csrf_of(html: &str) -> String {
    let at = html
        .find("name=\"csrf\" value=\"")
        .expect("page has a csrf field");
    let rest = &html[at + "name=\"csrf\" value=\"".len()..];
    rest[..rest.find('"').expect("closing quote")].to_string()
}

async fn user(s: &TestServer, t: &Tenant, email: &str, role: Role) {
    hark_store::create_user(
        s.store.as_ref(),
        &t.project_id,
        Email::parse(email).expect("email"),
        role,
        Some(Password::new(PASSWORD)),
    )
    .await
    .expect("create user");
}

/// Signs in through the form; returns the session cookie (`hark_session=…`).
async fn sign_in(s: &TestServer, email: &str, password: &str) -> Result<String, Response> {
    let c = client();
    let form = c.get(s.url("/login")).send().await.expect("GET /login");
    assert_eq!(form.status(), StatusCode::OK);
    let login = cookie_value(form.headers(), "hark_login").expect("double-submit cookie");
    let csrf = csrf_of(&form.text().await.expect("body"));
    let r = c
        .post(s.url("/login"))
        .header(COOKIE, format!("hark_login={login}"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", email),
            ("password", password),
        ])
        .send()
        .await
        .expect("POST /login");
    if r.status() != StatusCode::SEE_OTHER {
        return Err(r);
    }
    let session = cookie_value(r.headers(), "hark_session").expect("session cookie");
    Ok(format!("hark_session={session}"))
}

async fn get(s: &TestServer, path: &str, cookie: &str) -> Response {
    client()
        .get(s.url(path))
        .header(COOKIE, cookie)
        .send()
        .await
        .expect("GET")
}

#[tokio::test]
async fn pages_without_a_session_redirect_to_the_sign_in_page() {
    let s = TestServer::start().await;
    for (path, location) in [
        ("/", "/login"),
        ("/account/password", "/login?next=%2Faccount%2Fpassword"),
        ("/?range=7d", "/login?next=%2F%3Frange%3D7d"),
    ] {
        let r = get(&s, path, "hark_session=forged").await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(r.headers()[LOCATION], location, "{path}");
    }
}

#[tokio::test]
async fn sign_in_gives_a_hardened_session_cookie_and_the_overview() {
    let s = TestServer::start().await;
    let t = s.tenant("acme").await;
    user(&s, &t, "Ana@Example.com", Role::Viewer).await;
    let c = client();
    let form = c.get(s.url("/login")).send().await.expect("GET /login");
    let login = cookie_value(form.headers(), "hark_login").expect("login cookie");
    let html = form.text().await.expect("body");
    assert!(html.contains("name=\"email\"") && html.contains("name=\"password\""));
    let r = c
        .post(s.url("/login"))
        .header(COOKIE, format!("hark_login={login}"))
        .form(&[
            ("csrf", csrf_of(&html).as_str()),
            ("email", " ana@example.COM "),
            ("password", PASSWORD),
            ("next", "/account/password"),
        ])
        .send()
        .await
        .expect("POST /login");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], "/account/password");
    let cookie = set_cookies(r.headers())
        .into_iter()
        .find(|c| c.starts_with("hark_session="))
        .expect("session cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain http: {cookie}");
    let session = cookie.split(';').next().expect("pair").to_string();
    let page = get(&s, "/", &session).await;
    assert_eq!(page.status(), StatusCode::OK);
    let h = page.headers().clone();
    let csp = h["content-security-policy"].to_str().expect("ascii");
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "same-origin");
    assert_eq!(h["cache-control"], "no-store");
    assert!(h[CONTENT_TYPE]
        .to_str()
        .expect("ascii")
        .starts_with("text/html"));
    let body = page.text().await.expect("body");
    assert!(
        body.contains("ana@example.com") && body.contains("Overview"),
        "{body}"
    );
    // Signed in already: the sign-in page sends you on.
    let again = get(&s, "/login?next=/account/password", &session).await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    assert_eq!(again.headers()[LOCATION], "/account/password");
}

#[tokio::test]
async fn only_local_paths_are_followed_after_sign_in() {
    let s = TestServer::start().await;
    let t = s.tenant("acme").await;
    user(&s, &t, "ana@x.io", Role::Viewer).await;
    for next in [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
    ] {
        let c = client();
        let form = c.get(s.url("/login")).send().await.expect("GET");
        let login = cookie_value(form.headers(), "hark_login").expect("cookie");
        let csrf = csrf_of(&form.text().await.expect("body"));
        let r = c
            .post(s.url("/login"))
            .header(COOKIE, format!("hark_login={login}"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("email", "ana@x.io"),
                ("password", PASSWORD),
                ("next", next),
            ])
            .send()
            .await
            .expect("POST");
        assert_eq!(r.headers()[LOCATION], "/", "{next}");
    }
}

#[tokio::test]
async fn wrong_passwords_are_refused_then_throttled_per_account() {
    let s = TestServer::start().await;
    let t = s.tenant("acme").await;
    user(&s, &t, "ana@x.io", Role::Viewer).await;
    for _ in 0..5 {
        let r = sign_in(&s, "ana@x.io", "wrong password!")
            .await
            .expect_err("refused");
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let body = r.text().await.expect("body");
        assert!(body.contains("Email or password is wrong."), "{body}");
    }
    // An unknown account is refused the same way.
    let r = sign_in(&s, "nobody@x.io", PASSWORD)
        .await
        .expect_err("refused");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // Past the limit even the right password waits, with a clear message.
    let r = sign_in(&s, "ana@x.io", PASSWORD)
        .await
        .expect_err("throttled");
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));
    let body = r.text().await.expect("body");
    assert!(body.contains("Too many failed sign-ins"), "{body}");
}

#[tokio::test]
async fn a_sign_in_form_without_its_double_submit_token_is_refused() {
    let s = TestServer::start().await;
    let t = s.tenant("acme").await;
    user(&s, &t, "ana@x.io", Role::Viewer).await;
    let r = client()
        .post(s.url("/login"))
        .header(COOKIE, "hark_login=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
        .form(&[
            ("csrf", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"),
            ("email", "ana@x.io"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(cookie_value(r.headers(), "hark_session").is_none());
}

#[tokio::test]
async fn state_changing_forms_need_the_session_csrf_token_and_our_origin() {
    let s = TestServer::start().await;
    let t = s.tenant("acme").await;
    user(&s, &t, "ana@x.io", Role::Viewer).await;
    let session = sign_in(&s, "ana@x.io", PASSWORD).await.expect("signed in");
    let csrf = csrf_of(&get(&s, "/", &session).await.text().await.expect("body"));
    let post = |fields: Vec<(&'static str, String)>, origin: Option<&'static str>| {
        let mut r = client()
            .post(s.url("/logout"))
            .header(COOKIE, &session)
            .form(&fields);
        if let Some(o) = origin {
            r = r.header(ORIGIN, o);
        }
        r.send()
    };
    let none = post(vec![], None).await.expect("POST");
    assert_eq!(none.status(), StatusCode::FORBIDDEN);
    let wrong = post(vec![("csrf", "0".repeat(64))], None)
        .await
        .expect("POST");
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    let foreign = post(vec![("csrf", csrf.clone())], Some("https://evil.example"))
        .await
        .expect("POST");
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    // None of them ended the session.
    assert_eq!(get(&s, "/", &session).await.status(), StatusCode::OK);
    let origin = format!("http://{}", s.addr);
    let ok = client()
        .post(s.url("/logout"))
        .header(COOKIE, &session)
        .header(ORIGIN, origin)
        .form(&[("csrf", csrf)])
        .send()
        .await
        .expect("POST");
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    assert_eq!(ok.headers()[LOCATION], "/login");
}

#[tokio::test]
async fn logout_ends_the_session_in_the_store() {
    let s = TestServer::start().await;
    let t = s.tenant("acme").await;
    user(&s, &t, "ana@x.io", Role::Viewer).await;
    let session = sign_in(&s, "ana@x.io", PASSWORD).await.expect("signed in");
    let other = sign_in(&s, "ana@x.io", PASSWORD)
        .await
        .expect("second session");
    let csrf = csrf_of(&get(&s, "/", &session).await.text().await.expect("body"));
    let r = client()
        .post(s.url("/logout"))
        .header(COOKIE, &session)
        .form(&[("csrf", csrf)])
        .send()
        .await
        .expect("logout");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let token = session.trim_start_matches("hark_session=");
    let hash = hark_core::users::SessionToken::new(token).hash();
    assert!(
        s.store.session(&hash).await.expect("read").is_none(),
        "row deleted"
    );
    assert_eq!(get(&s, "/", &session).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        get(&s, "/", &other).await.status(),
        StatusCode::OK,
        "only this session ends"
    );
}

#[tokio::test]
async fn changing_the_password_ends_the_other_sessions() {
    let s = TestServer::start().await;
    let t = s.tenant("acme").await;
    user(&s, &t, "ana@x.io", Role::Editor).await;
    let here = sign_in(&s, "ana@x.io", PASSWORD).await.expect("signed in");
    let elsewhere = sign_in(&s, "ana@x.io", PASSWORD).await.expect("second");
    let page = get(&s, "/account/password", &here)
        .await
        .text()
        .await
        .expect("body");
    let change = |current: &str, new: &str, confirm: &str| {
        client()
            .post(s.url("/account/password"))
            .header(COOKIE, &here)
            .form(&[
                ("csrf", csrf_of(&page)),
                ("current", current.into()),
                ("new", new.into()),
                ("confirm", confirm.into()),
            ])
            .send()
    };
    let r = change("not it", "a brand new password", "a brand new password")
        .await
        .expect("POST");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r
        .text()
        .await
        .expect("body")
        .contains("current password is wrong"));
    let r = change(PASSWORD, "short", "short").await.expect("POST");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = change(PASSWORD, "a brand new password", "a brand new password")
        .await
        .expect("POST");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        get(&s, "/", &here).await.status(),
        StatusCode::OK,
        "this session stays"
    );
    assert_eq!(
        get(&s, "/", &elsewhere).await.status(),
        StatusCode::SEE_OTHER,
        "others end"
    );
    sign_in(&s, "ana@x.io", PASSWORD)
        .await
        .expect_err("old password refused");
    sign_in(&s, "ana@x.io", "a brand new password")
        .await
        .expect("new password works");
}

#[tokio::test]
async fn a_role_change_holds_from_the_next_request_and_a_deleted_user_is_signed_out() {
    let s = TestServer::start().await;
    let t = s.tenant("acme").await;
    user(&s, &t, "ana@x.io", Role::Admin).await;
    let session = sign_in(&s, "ana@x.io", PASSWORD).await.expect("signed in");
    let page = get(&s, "/", &session).await.text().await.expect("body");
    assert!(page.contains("href=\"/settings\""), "admins see settings");
    let (u, _) = s
        .store
        .user_by_email(&Email::parse("ana@x.io").expect("email"))
        .await
        .expect("read")
        .expect("user");
    s.store
        .set_user_role(&t.project_id, &u.user_id, Role::Viewer)
        .await
        .expect("role");
    let page = get(&s, "/", &session).await.text().await.expect("body");
    assert!(!page.contains("href=\"/settings\""), "viewers do not");
    assert!(s
        .store
        .delete_user(&t.project_id, &u.user_id)
        .await
        .expect("delete"));
    assert_eq!(get(&s, "/", &session).await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn user_input_is_escaped_on_the_overview() {
    let s = TestServer::start().await;
    let t = s.tenant("acme").await;
    hark_store::create_source(
        s.store.as_ref(),
        &t.project_id,
        "<script>alert(1)</script>",
        hark_core::SourceKind::Webhook,
    )
    .await
    .expect("source");
    user(&s, &t, "ana@x.io", Role::Viewer).await;
    let session = sign_in(&s, "ana@x.io", PASSWORD).await.expect("signed in");
    let body = get(&s, "/", &session).await.text().await.expect("body");
    assert!(!body.contains("<script>alert"), "{body}");
    assert!(
        body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{body}"
    );
}

#[tokio::test]
async fn assets_are_embedded_and_cacheable() {
    let s = TestServer::start().await;
    let login = client()
        .get(s.url("/login"))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    let assets: Vec<&str> = login
        .match_indices("\"/assets/")
        .map(|(i, _)| &login[i + 1..])
        .map(|rest| &rest[..rest.find('"').expect("closing quote")])
        .collect();
    assert_eq!(assets.len(), 3, "stylesheet, icon and script: {assets:?}");
    for path in assets {
        let r = client().get(s.url(path)).send().await.expect("asset");
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert!(r.headers()["cache-control"]
            .to_str()
            .expect("ascii")
            .contains("max-age"));
        assert!(!r.text().await.expect("body").is_empty(), "{path}");
    }
}

#[tokio::test]
async fn the_admin_api_manages_dashboard_users() {
    let config = hark_server::ServerConfig {
        admin_token: Some("admin-token".into()),
        ..hark_server::ServerConfig::default()
    };
    let s = TestServer::start_with(config).await;
    let t = s.tenant("acme").await;
    let other = s.tenant("other").await;
    let path = format!("/admin/projects/{}/users", t.project_id);
    let (status, created) = s
        .admin(
            "admin-token",
            reqwest::Method::POST,
            &path,
            Some(json!({"email": "Ana@X.io", "role": "editor"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["email"], "ana@x.io");
    assert_eq!(created["role"], "editor");
    let password = created["password"]
        .as_str()
        .expect("one-time password")
        .to_string();
    assert!(password.len() >= 20);
    sign_in(&s, "ana@x.io", &password)
        .await
        .expect("the password signs in");
    // The address is taken on the whole server.
    let (status, body) = s
        .admin(
            "admin-token",
            reqwest::Method::POST,
            &format!("/admin/projects/{}/users", other.project_id),
            Some(json!({"email": "ana@x.io", "role": "viewer"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, body) = s
        .admin(
            "admin-token",
            reqwest::Method::POST,
            &path,
            Some(json!({"email": "b@x.io", "role": "owner", "password": "short"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, chosen) = s
        .admin(
            "admin-token",
            reqwest::Method::POST,
            &path,
            Some(json!({"email": "b@x.io", "role": "viewer", "password": "chosen password 1"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{chosen}");
    assert!(
        chosen.get("password").is_none(),
        "a chosen password is not echoed"
    );
    let (status, list) = s
        .admin("admin-token", reqwest::Method::GET, &path, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let users = list["users"].as_array().expect("users");
    assert_eq!(users.len(), 2);
    assert!(!list.to_string().contains("argon2"), "no hashes: {list}");
    let user = format!("{path}/{}", created["user_id"].as_str().expect("id"));
    let (status, changed) = s
        .admin(
            "admin-token",
            reqwest::Method::PATCH,
            &user,
            Some(json!({"role": "admin"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["role"], "admin");
    // Another project's path does not reach the user.
    let foreign = format!(
        "/admin/projects/{}/users/{}",
        other.project_id,
        created["user_id"].as_str().expect("id")
    );
    let (status, _) = s
        .admin("admin-token", reqwest::Method::DELETE, &foreign, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let r = s
        .http
        .delete(s.url(&user))
        .bearer_auth("admin-token")
        .send()
        .await
        .expect("DELETE");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (status, _) = s
        .admin("admin-token", reqwest::Method::DELETE, &user, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    sign_in(&s, "ana@x.io", &password)
        .await
        .expect_err("deleted users cannot sign in");
}
