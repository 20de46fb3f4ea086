//! Unit tests of configuration loading: precedence of the layers, unknown keys, validation.
//! The environment is passed explicitly, so tests never touch the process environment.

use super::*;
use std::io::Write;

fn env(vars: &[(&str, &str)]) -> EnvProvider {
    EnvProvider::new(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())))
}

fn toml_file(text: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new()
        .suffix(".toml")
        .tempfile()
        .expect("temp file");
    file.write_all(text.as_bytes()).expect("write temp file");
    file
}

fn load(file: Option<&Path>, vars: &[(&str, &str)], overrides: &Overrides) -> Config {
    match Config::load(file, env(vars), overrides) {
        Ok(config) => config,
        Err(e) => panic!("config should load: {e}"),
    }
}

fn load_err(file: Option<&Path>, vars: &[(&str, &str)], overrides: &Overrides) -> String {
    match Config::load(file, env(vars), overrides) {
        Ok(config) => panic!("config should fail, got {config:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn defaults_apply_without_any_source() {
    let config = load(None, &[], &Overrides::default());
    assert_eq!(config, Config::default());
    assert_eq!(config.listen, "127.0.0.1:7070");
    assert_eq!(config.database_url(), "sqlite://./hark-data/hark.db");
    assert_eq!(config.log_format, LogFormat::Text);
    assert_eq!(config.log_level, "info");
    assert_eq!(config.limits.request_timeout_secs, 30);
    assert_eq!(config.limits.max_concurrent_requests, 1024);
    assert_eq!(config.limits.max_body_bytes, 5_242_880);
    assert_eq!(config.limits.rate_limit_per_second, 0.0);
    assert_eq!(config.limits.rate_limit_burst, 0);
    assert_eq!(
        config.server_config(MasterKey::generate()).rate_limit,
        None,
        "unlimited by default"
    );
}

#[test]
fn file_beats_defaults_env_beats_file_flags_beat_env() {
    let file = toml_file(
        r#"
        listen = "0.0.0.0:1"
        data_dir = "/from/file"
        log_level = "warn"
        log_format = "json"
        [limits]
        request_timeout_secs = 5
        max_body_bytes = 1000
        "#,
    );
    let vars = [
        ("HARK_LISTEN", "0.0.0.0:2"),
        ("HARK_LOG_LEVEL", "debug"),
        ("HARK_LIMITS__MAX_BODY_BYTES", "2000"),
    ];
    let flags = Overrides {
        listen: Some("0.0.0.0:3".into()),
        ..Overrides::default()
    };
    let config = load(Some(file.path()), &vars, &flags);
    assert_eq!(config.listen, "0.0.0.0:3", "flag beats env and file");
    assert_eq!(config.log_level, "debug", "env beats file");
    assert_eq!(config.limits.max_body_bytes, 2000, "nested env beats file");
    assert_eq!(config.limits.request_timeout_secs, 5, "file beats default");
    assert_eq!(
        config.limits.max_concurrent_requests, 1024,
        "default kept for keys no layer sets"
    );
    assert_eq!(config.log_format, LogFormat::Json);
    assert_eq!(config.data_dir, PathBuf::from("/from/file"));
    assert_eq!(config.database_url(), "sqlite:///from/file/hark.db");
}

#[test]
fn explicit_database_url_wins_over_data_dir() {
    let flags = Overrides {
        data_dir: Some("/d".into()),
        database_url: Some("sqlite:///elsewhere.db".into()),
        ..Overrides::default()
    };
    let config = load(None, &[], &flags);
    assert_eq!(config.database_url(), "sqlite:///elsewhere.db");
}

#[test]
fn env_values_stay_strings() {
    let config = load(
        None,
        &[("HARK_ADMIN_TOKEN", "000123"), ("HARK_LOG_LEVEL", "true")],
        &Overrides::default(),
    );
    assert_eq!(config.admin_token.as_deref(), Some("000123"));
    assert_eq!(config.log_level, "true");
}

#[test]
fn config_file_variable_and_empty_values_are_not_keys() {
    let config = load(
        None,
        &[
            ("HARK_CONFIG", "/some/file.toml"),
            ("HARK_ADMIN_TOKEN", ""),
            ("PATH", "/bin"),
        ],
        &Overrides::default(),
    );
    assert_eq!(config.admin_token, None);
}

#[test]
fn config_file_variable_names_the_file_unless_empty() {
    let named = env(&[("HARK_CONFIG", "/etc/hark.toml")]);
    assert_eq!(named.config_file(), Some(Path::new("/etc/hark.toml")));
    assert_eq!(env(&[("HARK_CONFIG", "")]).config_file(), None);
    assert_eq!(env(&[]).config_file(), None);
}

#[test]
fn unknown_env_keys_are_ignored_and_named() {
    let config = load(
        None,
        &[
            ("HARK_NOPE", "1"),
            ("HARK_BIN", "/usr/bin/hark"),
            ("HARK_LIMITS__MAX_BODY", "1"),
            ("HARK_A____B", "1"),
            ("HARK_LIMITS__MAX_BODY_BYTES", "1234"),
            ("HARK_LISTEN", "127.0.0.1:9"),
        ],
        &Overrides::default(),
    );
    assert_eq!(
        config.ignored_env,
        [
            "HARK_A____B",
            "HARK_BIN",
            "HARK_LIMITS__MAX_BODY",
            "HARK_NOPE"
        ]
    );
    // The known ones still apply.
    assert_eq!(config.limits.max_body_bytes, 1234);
    assert_eq!(config.listen, "127.0.0.1:9");
    assert!(load(None, &[], &Overrides::default())
        .ignored_env
        .is_empty());
}

#[test]
fn a_known_env_key_with_a_bad_value_is_still_an_error() {
    let msg = load_err(
        None,
        &[("HARK_LIMITS__MAX_BODY_BYTES", "lots")],
        &Overrides::default(),
    );
    assert!(msg.contains("HARK_LIMITS__MAX_BODY_BYTES"), "{msg}");
}

#[test]
fn unknown_file_key_is_an_error_naming_it_and_the_file() {
    let file = toml_file("listen = \"127.0.0.1:1\"\nlisten_port = 9\n");
    let msg = load_err(Some(file.path()), &[], &Overrides::default());
    assert!(msg.contains("listen_port"), "{msg}");
    assert!(msg.contains(&file.path().display().to_string()), "{msg}");

    let file = toml_file("[limits]\nmax_bodies = 9\n");
    let msg = load_err(Some(file.path()), &[], &Overrides::default());
    assert!(msg.contains("max_bodies"), "{msg}");
}

#[test]
fn missing_config_file_is_an_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("absent.toml");
    let msg = load_err(Some(&path), &[], &Overrides::default());
    assert!(msg.contains("absent.toml"), "{msg}");
}

#[test]
fn wrong_types_and_bad_values_are_errors() {
    let msg = load_err(
        None,
        &[("HARK_LIMITS__REQUEST_TIMEOUT_SECS", "soon")],
        &Overrides::default(),
    );
    assert!(msg.contains("soon"), "{msg}");
    let msg = load_err(None, &[("HARK_LOG_FORMAT", "xml")], &Overrides::default());
    assert!(msg.contains("xml"), "{msg}");
    let file = toml_file("[limits]\nmax_concurrent_requests = 0\n");
    let msg = load_err(Some(file.path()), &[], &Overrides::default());
    assert!(msg.contains("max_concurrent_requests"), "{msg}");
    let file = toml_file("[limits]\nmax_body_bytes = -5\n");
    let msg = load_err(Some(file.path()), &[], &Overrides::default());
    assert!(msg.contains("-5"), "{msg}");
}

#[test]
fn debug_redacts_secrets() {
    let config = Config {
        admin_token: Some("very-secret-token".into()),
        database_url: Some("postgres://hark:s3cret@db/hark".into()),
        ..Config::default()
    };
    let shown = format!("{config:?}");
    assert!(!shown.contains("very-secret-token"), "{shown}");
    assert!(!shown.contains("s3cret"), "{shown}");
}

#[test]
fn server_config_carries_the_limits() {
    let config = Config {
        admin_token: Some("t".into()),
        limits: Limits {
            request_timeout_secs: 7,
            max_concurrent_requests: 8,
            max_body_bytes: 9,
            rate_limit_per_second: 2.5,
            rate_limit_burst: 10,
            header_read_timeout_secs: 3,
            http2_max_concurrent_streams: 4,
            shutdown_grace_secs: 5,
            idle_timeout_secs: 6,
            max_connections: 11,
            max_connections_per_address: 12,
            min_body_bytes_per_sec: 13,
            max_concurrent_requests_per_key: 14,
        },
        ..Config::default()
    };
    let server = config.server_config(MasterKey::generate());
    assert_eq!(server.connections.idle_timeout, Duration::from_secs(6));
    assert_eq!(
        (
            server.connections.max_connections,
            server.connections.max_connections_per_address
        ),
        (11, 12)
    );
    assert_eq!(server.body_pace.bytes_per_sec, 13);
    assert_eq!(server.max_concurrent_requests_per_key, 14);
    assert_eq!(
        server.connections.header_read_timeout,
        Duration::from_secs(3)
    );
    assert_eq!(server.connections.http2_max_concurrent_streams, 4);
    assert_eq!(server.connections.shutdown_grace, Duration::from_secs(5));
    assert_eq!(server.request_timeout, Duration::from_secs(7));
    assert_eq!(server.max_concurrent_requests, 8);
    assert_eq!(server.max_body_bytes, 9);
    assert_eq!(server.admin_token.as_deref(), Some("t"));
    assert_eq!(
        server.rate_limit,
        Some(hark_server::RateLimit {
            requests_per_second: 2.5,
            burst: 10
        })
    );
}

fn rate_limit_of(file: &str, vars: &[(&str, &str)]) -> Option<hark_server::RateLimit> {
    let file = toml_file(file);
    load(Some(file.path()), vars, &Overrides::default())
        .server_config(MasterKey::generate())
        .rate_limit
}

#[test]
fn rate_limit_comes_from_file_and_env() {
    let limit = |rps, burst| {
        Some(hark_server::RateLimit {
            requests_per_second: rps,
            burst,
        })
    };
    let file = "[limits]\nrate_limit_per_second = 0.5\nrate_limit_burst = 4\n";
    assert_eq!(rate_limit_of(file, &[]), limit(0.5, 4));
    // An integer rate in TOML is accepted as well as a float.
    let file_int = "[limits]\nrate_limit_per_second = 20\n";
    assert_eq!(rate_limit_of(file_int, &[]), limit(20.0, 20));
    let vars = [
        ("HARK_LIMITS__RATE_LIMIT_PER_SECOND", "12.5"),
        ("HARK_LIMITS__RATE_LIMIT_BURST", "3"),
    ];
    assert_eq!(rate_limit_of(file, &vars), limit(12.5, 3), "env beats file");
    // 0 from the environment switches off a limit set in the file.
    let off = [("HARK_LIMITS__RATE_LIMIT_PER_SECOND", "0")];
    assert_eq!(rate_limit_of(file, &off), None);
}

#[test]
fn rate_limit_burst_defaults_to_the_rate_rounded_up() {
    let of = |rps: &str| rate_limit_of("", &[("HARK_LIMITS__RATE_LIMIT_PER_SECOND", rps)]);
    let burst = |rps| of(rps).map(|l| l.burst);
    assert_eq!(burst("10"), Some(10));
    assert_eq!(burst("2.5"), Some(3));
    assert_eq!(burst("0.001"), Some(1), "at least 1");
    assert_eq!(burst("1e12"), Some(u32::MAX));
}

#[test]
fn negative_nan_and_infinite_rate_limits_are_errors() {
    for bad in ["-1", "-0.5", "NaN", "inf"] {
        let vars = [("HARK_LIMITS__RATE_LIMIT_PER_SECOND", bad)];
        let msg = load_err(None, &vars, &Overrides::default());
        assert!(msg.contains("rate_limit_per_second"), "{bad}: {msg}");
    }
    for file in [
        "[limits]\nrate_limit_per_second = -2\n",
        "[limits]\nrate_limit_per_second = nan\n",
    ] {
        let file = toml_file(file);
        let msg = load_err(Some(file.path()), &[], &Overrides::default());
        assert!(msg.contains("rate_limit_per_second"), "{msg}");
    }
    let msg = load_err(
        None,
        &[("HARK_LIMITS__RATE_LIMIT_PER_SECOND", "fast")],
        &Overrides::default(),
    );
    assert!(msg.contains("fast"), "{msg}");
    let msg = load_err(
        None,
        &[("HARK_LIMITS__RATE_LIMIT_BURST", "-1")],
        &Overrides::default(),
    );
    assert!(msg.contains("-1"), "{msg}");
    let file = toml_file("[limits]\nrate_limit_burst = 2.5\n");
    let msg = load_err(Some(file.path()), &[], &Overrides::default());
    assert!(msg.contains("rate_limit_burst"), "{msg}");
}

#[test]
fn sigv4_defaults_mirror_the_server() {
    let config = load(None, &[], &Overrides::default());
    assert_eq!(config.sigv4.regions, ["us-east-1"]);
    assert_eq!(config.sigv4.max_skew_secs, 900);
    assert_eq!(config.master_key, None);
    let server = config.server_config(MasterKey::from_bytes([1; 32]));
    assert_eq!(server.chat.regions, ["us-east-1"]);
    assert_eq!(server.chat.max_skew, Duration::from_secs(900));
    assert_eq!(server.chat.master_key, MasterKey::from_bytes([1; 32]));
    assert_eq!(server.chat.throttle, None, "unthrottled by default");
}

#[test]
fn sigv4_settings_come_from_file_then_env() {
    let file = toml_file(
        "[sigv4]\nregions = [\"eu-west-1\", \"us-east-1\"]\nmax_skew_secs = 60\n\
         throttle_per_second = 50\nthrottle_burst = 100\n",
    );
    let config = load(Some(file.path()), &[], &Overrides::default());
    assert_eq!(config.sigv4.regions, ["eu-west-1", "us-east-1"]);
    let server = config.server_config(MasterKey::generate());
    assert_eq!(server.chat.max_skew, Duration::from_secs(60));
    assert_eq!(
        server.chat.throttle,
        Some(hark_server::RateLimit {
            requests_per_second: 50.0,
            burst: 100
        })
    );
    let vars = [
        ("HARK_SIGV4__REGIONS", "ap-south-1, eu-central-1"),
        ("HARK_SIGV4__THROTTLE_PER_SECOND", "2.5"),
        ("HARK_SIGV4__THROTTLE_BURST", "0"),
    ];
    let config = load(Some(file.path()), &vars, &Overrides::default());
    assert_eq!(
        config.sigv4.regions,
        ["ap-south-1", "eu-central-1"],
        "env beats file"
    );
    assert_eq!(
        config.sigv4.max_skew_secs, 60,
        "file kept where env is silent"
    );
    let throttle = config.server_config(MasterKey::generate()).chat.throttle;
    assert_eq!(
        throttle.map(|t| t.burst),
        Some(3),
        "burst 0: the rate rounded up"
    );
}

#[test]
fn master_key_comes_from_file_or_env_and_is_redacted() {
    let key = MasterKey::from_bytes([9; 32]).to_base64();
    let other = MasterKey::from_bytes([8; 32]).to_base64();
    let file = toml_file(&format!("master_key = \"{other}\"\n"));
    let config = load(Some(file.path()), &[], &Overrides::default());
    assert_eq!(config.master_key.as_deref(), Some(other.as_str()));
    let config = load(
        Some(file.path()),
        &[("HARK_MASTER_KEY", &key)],
        &Overrides::default(),
    );
    assert_eq!(
        config.master_key.as_deref(),
        Some(key.as_str()),
        "env beats file"
    );
    let shown = format!("{config:?}");
    assert!(!shown.contains(&key), "{shown}");
    assert!(
        shown.contains("master_key: Some(\"<redacted>\")"),
        "{shown}"
    );
    let server_shown = format!("{:?}", config.server_config(MasterKey::from_bytes([9; 32])));
    assert!(!server_shown.contains(&key), "{server_shown}");
}

#[test]
fn bad_sigv4_values_and_unknown_keys_are_errors() {
    let msg = load_err(
        None,
        &[("HARK_MASTER_KEY", "c2hvcnQ=")],
        &Overrides::default(),
    );
    assert!(msg.contains("master_key"), "{msg}");
    assert!(!msg.contains("c2hvcnQ="), "the value is not echoed: {msg}");
    for (file, needle) in [
        ("[sigv4]\nregions = []\n", "sigv4.regions"),
        ("[sigv4]\nregions = [\"\"]\n", "sigv4.regions"),
        ("[sigv4]\nmax_skew_secs = 0\n", "max_skew_secs"),
        ("[sigv4]\nthrottle_per_second = -1\n", "throttle_per_second"),
        ("[sigv4]\nregion = \"us-east-1\"\n", "region"),
        ("[sigv4]\nmaster_key = \"x\"\n", "master_key"),
    ] {
        let file = toml_file(file);
        let msg = load_err(Some(file.path()), &[], &Overrides::default());
        assert!(msg.contains(needle), "{needle}: {msg}");
    }
    // An unknown variable in a known table is ignored (and named), like any other.
    let config = load(None, &[("HARK_SIGV4__SKEW", "5")], &Overrides::default());
    assert_eq!(config.ignored_env, ["HARK_SIGV4__SKEW"]);
    let msg = load_err(
        None,
        &[("HARK_SIGV4__REGIONS", " , ")],
        &Overrides::default(),
    );
    assert!(msg.contains("sigv4.regions"), "{msg}");
}

#[test]
fn theme_granularity_comes_from_file_or_env_and_scales_the_resolution() {
    use hark_core::analysis::ThemeGranularity;
    let defaults = load(None, &[], &Overrides::default());
    assert_eq!(
        defaults.analysis.theme_granularity,
        ThemeGranularity::Normal
    );
    assert_eq!(defaults.pipeline_config().discover.cluster.granularity, 1.0);
    let file = toml_file("[analysis]\ntheme_granularity = \"finer\"\n");
    let c = load(Some(file.path()), &[], &Overrides::default());
    assert_eq!(c.analysis.theme_granularity, ThemeGranularity::Finer);
    assert_eq!(c.pipeline_config().discover.cluster.granularity, 2.0);
    let c = load(
        Some(file.path()),
        &[("HARK_ANALYSIS__THEME_GRANULARITY", "coarser")],
        &Overrides::default(),
    );
    assert_eq!(c.pipeline_config().discover.cluster.granularity, 0.5);
    let msg = load_err(
        None,
        &[("HARK_ANALYSIS__THEME_GRANULARITY", "tiny")],
        &Overrides::default(),
    );
    assert!(msg.contains("tiny"), "{msg}");
}

#[test]
fn the_model_kind_picks_the_default_model_folder() {
    let c = load(
        None,
        &[("HARK_DATA_DIR", "/srv/hark")],
        &Overrides::default(),
    );
    assert_eq!(c.model_dir(), Path::new("/srv/hark/model"));
    let c = load(
        None,
        &[
            ("HARK_DATA_DIR", "/srv/hark"),
            ("HARK_ANALYSIS__MODEL", "multilingual"),
        ],
        &Overrides::default(),
    );
    assert_eq!(c.model_dir(), Path::new("/srv/hark/model-multilingual"));
    let c = load(
        None,
        &[
            ("HARK_DATA_DIR", "/srv/hark"),
            ("HARK_ANALYSIS__MODEL", "mpnet"),
        ],
        &Overrides::default(),
    );
    assert_eq!(c.model_dir(), Path::new("/srv/hark/model-mpnet"));
    let file = toml_file("[analysis]\nmodel = \"multilingual\"\nmodel_dir = \"/models/e5\"\n");
    let c = load(Some(file.path()), &[], &Overrides::default());
    assert_eq!(c.model_dir(), Path::new("/models/e5"));
    let msg = load_err(
        None,
        &[("HARK_ANALYSIS__MODEL", "gpt")],
        &Overrides::default(),
    );
    assert!(msg.contains("gpt"), "{msg}");
}
