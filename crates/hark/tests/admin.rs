//! `hark admin …` end to end through the real binary: output shapes, errors, and configuration
//! layers (file, environment, flags) as the binary applies them.

mod common;

use common::{admin, db_url, hark, run_failing, str_field};
use serde_json::Value;

#[test]
fn create_project_prints_credentials_once_and_list_hides_the_secret() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = db_url(dir.path());
    let created = admin(&db, &["create-project", "Acme feedback"]);
    let object = created.as_object().expect("an object");
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["api_key", "name", "project_id", "secret_key"]);
    assert_eq!(created["name"], "Acme feedback");
    assert!(str_field(&created, "project_id").starts_with("prj_"));
    assert!(str_field(&created, "api_key").starts_with("hk_"));
    let secret = str_field(&created, "secret_key");
    assert!(secret.starts_with("hs_"));

    let listed = admin(&db, &["list-projects"]);
    let listed = listed.as_array().expect("an array");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["project_id"], created["project_id"]);
    assert_eq!(listed[0]["name"], "Acme feedback");
    assert!(listed[0].get("secret_key").is_none());
    assert!(
        !listed[0].to_string().contains(&secret),
        "the secret must not be listed"
    );
}

#[test]
fn sources_are_created_and_listed_per_project() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = db_url(dir.path());
    let project = str_field(&admin(&db, &["create-project", "p"]), "project_id");
    let other = str_field(&admin(&db, &["create-project", "q"]), "project_id");

    let hook = admin(
        &db,
        &["create-source", "--project", &project, "--name", "website"],
    );
    let mut keys: Vec<&str> = hook
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["created_at", "name", "project_id", "source_id", "type"]
    );
    assert_eq!(hook["type"], "webhook", "webhook is the default type");
    assert_eq!(hook["project_id"], project.as_str());
    assert_eq!(hook["name"], "website");
    assert!(str_field(&hook, "source_id").starts_with("src_"));

    let import = admin(
        &db,
        &[
            "create-source",
            "--project",
            &project,
            "--name",
            "csv",
            "--type",
            "import",
        ],
    );
    assert_eq!(import["type"], "import");

    let listed = admin(&db, &["list-sources", "--project", &project]);
    let ids: Vec<&Value> = listed
        .as_array()
        .expect("an array")
        .iter()
        .map(|s| &s["source_id"])
        .collect();
    assert_eq!(ids, [&hook["source_id"], &import["source_id"]]);
    let none = admin(&db, &["list-sources", "--project", &other]);
    assert_eq!(none, Value::Array(Vec::new()));
}

#[test]
fn rotate_secret_prints_a_new_secret() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = db_url(dir.path());
    let created = admin(&db, &["create-project", "p"]);
    let project = str_field(&created, "project_id");
    let rotated = admin(&db, &["rotate-secret", "--project", &project]);
    assert_eq!(rotated["project_id"], project.as_str());
    let secret = str_field(&rotated, "secret_key");
    assert!(secret.starts_with("hs_"));
    assert_ne!(secret, str_field(&created, "secret_key"));
    assert_eq!(rotated.as_object().map(|o| o.len()), Some(2));
}

#[test]
fn unknown_project_is_exit_1_with_a_message() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = db_url(dir.path());
    for args in [
        &["rotate-secret", "--project", "prj_missing"][..],
        &["list-sources", "--project", "prj_missing"][..],
        &["create-source", "--project", "prj_missing", "--name", "x"][..],
    ] {
        let out = run_failing(hark().arg("admin").args(args).args(["--database", &db]));
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("project not found"), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}: nothing on stdout");
    }
}

#[test]
fn bad_input_is_refused_without_a_panic() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = db_url(dir.path());
    let out = run_failing(hark().args(["admin", "create-project", " ", "--database", &db]));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("name"));

    let out = run_failing(hark().args(["admin", "list-projects", "--database", "mysql://x"]));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unsupported database URL"));

    let out = run_failing(hark().args(["admin", "create-source", "--name", "x"]));
    assert_eq!(out.status.code(), Some(2), "usage errors exit 2 (clap)");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

#[test]
fn unknown_key_in_the_config_file_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("hark.toml");
    std::fs::write(&file, "listen = \"127.0.0.1:0\"\nlisten_port = 7070\n").expect("write");
    let out = run_failing(
        hark()
            .args(["admin", "list-projects", "--config"])
            .arg(&file),
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("listen_port"), "{stderr}");

    // The same through HARK_CONFIG, and for `serve`.
    let out = run_failing(hark().args(["serve"]).env("HARK_CONFIG", &file));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("listen_port"), "{stderr}");
}

#[test]
fn unknown_environment_key_is_a_warning_naming_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = hark()
        .args(["admin", "list-projects", "--database", &db_url(dir.path())])
        .env("HARK_NOPE", "1")
        .output()
        .expect("run hark");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("HARK_NOPE") && stderr.contains("WARN"),
        "{stderr}"
    );
    // A file's unknown key stays an error.
    let file = dir.path().join("hark.toml");
    std::fs::write(&file, "listen_port = 9\n").expect("write config");
    let out = run_failing(
        hark()
            .args(["admin", "list-projects", "--database", &db_url(dir.path())])
            .arg("--config")
            .arg(&file),
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("listen_port"), "{stderr}");
}

#[test]
fn flags_beat_environment_which_beats_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (file_dir, env_dir, flag_dir) = (
        dir.path().join("file"),
        dir.path().join("env"),
        dir.path().join("flag"),
    );
    let file = dir.path().join("hark.toml");
    let toml = format!("data_dir = {:?}\n", file_dir.display().to_string());
    std::fs::write(&file, toml).expect("write config");
    let create_project = |extra: &[&str], env: Option<&std::path::Path>| {
        let mut cmd = hark();
        cmd.args(["admin", "create-project", "p", "--config"])
            .arg(&file)
            .args(extra);
        if let Some(env_dir) = env {
            cmd.env("HARK_DATA_DIR", env_dir);
        }
        let out = cmd.output().expect("run hark");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    create_project(&[], None);
    create_project(&[], Some(&env_dir));
    let flag = flag_dir.display().to_string();
    create_project(&["--data-dir", &flag], Some(&env_dir));
    for d in [&file_dir, &env_dir, &flag_dir] {
        let projects = admin(&db_url(d), &["list-projects"]);
        assert_eq!(
            projects.as_array().map(Vec::len),
            Some(1),
            "one project in {}",
            d.display()
        );
    }
}
