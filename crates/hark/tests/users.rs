//! `hark admin create-user | list-users | set-role | delete-user` through the real binary, and
//! the demo's dashboard admin signing in to a real `hark demo`.

mod common;

use common::{admin, db_url, hark, run_failing, str_field, Server};
use std::io::Write;
use std::process::Stdio;

fn project(db: &str) -> String {
    str_field(&admin(db, &["create-project", "p"]), "project_id")
}

#[test]
fn create_user_prints_a_one_time_password_and_list_users_never_shows_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = db_url(dir.path());
    let p = project(&db);
    let created = admin(
        &db,
        &[
            "create-user",
            "--project",
            &p,
            "--email",
            "Ana@Example.com",
            "--role",
            "editor",
        ],
    );
    let mut keys: Vec<&str> = created
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["email", "password", "role", "user_id"]);
    assert_eq!(created["email"], "ana@example.com");
    assert_eq!(created["role"], "editor");
    assert!(str_field(&created, "user_id").starts_with("usr_"));
    let password = str_field(&created, "password");
    assert!(password.len() >= 20, "{password}");
    let listed = admin(&db, &["list-users", "--project", &p]);
    let listed = listed.as_array().expect("array");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["user_id"], created["user_id"]);
    assert!(!listed[0].to_string().contains(&password));
    assert!(!listed[0].to_string().contains("argon2"));
}

#[test]
fn a_password_can_come_from_stdin() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = db_url(dir.path());
    let p = project(&db);
    let run = |password: &str| {
        let mut child = hark()
            .args([
                "admin",
                "create-user",
                "--project",
                &p,
                "--email",
                "b@x.io",
                "--role",
                "viewer",
                "--password-stdin",
                "--database",
                &db,
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(password.as_bytes())
            .expect("write");
        child.wait_with_output().expect("wait")
    };
    let short = run("short\n");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 12 characters"));
    let out = run("a chosen password\n");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let created: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(
        created.get("password").is_none(),
        "a chosen password is not printed"
    );
}

#[test]
fn roles_change_users_are_deleted_and_mistakes_are_clear_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = db_url(dir.path());
    let p = project(&db);
    let other = project(&db);
    let user = str_field(
        &admin(
            &db,
            &[
                "create-user",
                "--project",
                &p,
                "--email",
                "a@x.io",
                "--role",
                "viewer",
            ],
        ),
        "user_id",
    );
    let changed = admin(
        &db,
        &[
            "set-role",
            "--project",
            &p,
            "--user",
            &user,
            "--role",
            "admin",
        ],
    );
    assert_eq!(changed["role"], "admin");
    let fail = |args: &[&str]| {
        let out = run_failing(hark().arg("admin").args(args).args(["--database", &db]));
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    let taken = fail(&[
        "create-user",
        "--project",
        &other,
        "--email",
        "A@x.io",
        "--role",
        "viewer",
    ]);
    assert!(taken.contains("already exists"), "{taken}");
    let bad_role = fail(&[
        "create-user",
        "--project",
        &p,
        "--email",
        "c@x.io",
        "--role",
        "owner",
    ]);
    assert!(bad_role.contains("viewer, editor, admin"), "{bad_role}");
    let bad_email = fail(&[
        "create-user",
        "--project",
        &p,
        "--email",
        "nope",
        "--role",
        "viewer",
    ]);
    assert!(bad_email.contains("email"), "{bad_email}");
    let no_project = fail(&[
        "create-user",
        "--project",
        "prj_missing",
        "--email",
        "d@x.io",
        "--role",
        "viewer",
    ]);
    assert!(no_project.contains("project not found"), "{no_project}");
    let foreign = fail(&["delete-user", "--project", &other, "--user", &user]);
    assert!(foreign.contains("user not found"), "{foreign}");
    let deleted = admin(&db, &["delete-user", "--project", &p, "--user", &user]);
    assert_eq!(deleted["deleted"], user.as_str());
    assert!(admin(&db, &["list-users", "--project", &p])
        .as_array()
        .expect("array")
        .is_empty());
}

#[tokio::test]
async fn the_demo_admin_signs_in_with_the_printed_password() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Server::start("demo", dir.path(), &[]);
    let email = server.preamble_value("email");
    let password = server.preamble_value("password");
    assert_eq!(email, "demo-admin@hark.local");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let form = http
        .get(format!("{}/login", server.base))
        .send()
        .await
        .expect("GET");
    let cookie = form
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("hark_login="))
        .and_then(|c| c.split(';').next())
        .expect("login cookie")
        .to_string();
    let html = form.text().await.expect("body");
    let at = html.find("name=\"csrf\" value=\"").expect("csrf field") + 19;
    let csrf = &html[at..at + 32];
    let r = http
        .post(format!("{}/login", server.base))
        .header("cookie", cookie)
        .form(&[
            ("csrf", csrf),
            ("email", email.as_str()),
            ("password", password.as_str()),
        ])
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status(), 303, "{}", server.log());
    assert_eq!(r.headers()["location"], "/");
}
