//! The binary's configuration, loaded once at start-up from layered sources:
//! built-in defaults < optional TOML file < `HARK_*` environment < command-line flags.
//!
//! Unknown keys are errors in every layer, so a misspelt setting is reported instead of being
//! silently ignored. Environment values are taken as raw strings (a token such as `0123` keeps
//! its leading zero); the numeric `[limits]` accept numbers or numeric strings.

use crate::error::Error;
use figment::providers::{Format, Serialized, Toml};
use figment::value::{Dict, Map, Value};
use figment::{Figment, Metadata, Profile, Provider};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Prefix of the environment variables read as configuration.
pub const ENV_PREFIX: &str = "HARK_";
/// The variable naming the configuration file; it is not itself a configuration key.
pub const CONFIG_FILE_ENV: &str = "HARK_CONFIG";

/// Everything the binary can be configured with.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address the HTTP server binds (`host:port`; port 0 picks a free port).
    pub listen: String,
    /// Directory of the default SQLite database.
    pub data_dir: PathBuf,
    /// Database URL; when unset, `sqlite://<data_dir>/hark.db` (see [`Config::database_url`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    /// Bearer token of the admin HTTP API; unset disables that API. Redacted in `Debug`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_token: Option<String>,
    /// Shape of log lines (written to stderr).
    pub log_format: LogFormat,
    /// Log filter in `tracing` `EnvFilter` syntax, e.g. `info` or `hark=debug,info`.
    pub log_level: String,
    /// Server limits.
    pub limits: Limits,
}

/// The `[limits]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Longest a request may take, in seconds.
    #[serde(deserialize_with = "lenient_number")]
    pub request_timeout_secs: u64,
    /// Requests processed at once; beyond it the server answers 503.
    #[serde(deserialize_with = "lenient_number")]
    pub max_concurrent_requests: usize,
    /// Largest accepted request body in bytes.
    #[serde(deserialize_with = "lenient_number")]
    pub max_body_bytes: usize,
    /// Requests per second each project may make to the ingest and read APIs (fractions
    /// allowed); 0 means unlimited, and then `rate_limit_burst` is not used.
    #[serde(deserialize_with = "lenient_float")]
    pub rate_limit_per_second: f64,
    /// Requests a project may make back to back; 0 means the rate rounded up, at least 1.
    #[serde(deserialize_with = "lenient_number")]
    pub rate_limit_burst: u32,
}

/// Shape of log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:7070".into(),
            data_dir: PathBuf::from("./hark-data"),
            database_url: None,
            admin_token: None,
            log_format: LogFormat::Text,
            log_level: "info".into(),
            limits: Limits::default(),
        }
    }
}

// The HTTP layer owns its defaults; the configuration only mirrors them.
impl Default for Limits {
    fn default() -> Self {
        let server = hark_server::ServerConfig::default();
        Self {
            request_timeout_secs: server.request_timeout.as_secs(),
            max_concurrent_requests: server.max_concurrent_requests,
            max_body_bytes: server.max_body_bytes,
            // The server's default is no rate limit, which these zeros stand for.
            rate_limit_per_second: 0.0,
            rate_limit_burst: 0,
        }
    }
}

// Hand-written so that neither the admin token nor a database password reaches a log line.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &self.database_url.as_deref().map(hark_store::redact_url),
            )
            .field(
                "admin_token",
                &self.admin_token.as_ref().map(|_| "<redacted>"),
            )
            .field("log_format", &self.log_format)
            .field("log_level", &self.log_level)
            .field("limits", &self.limits)
            .finish()
    }
}

impl Config {
    /// Loads the configuration: defaults, then `file` (which must exist when given), then the
    /// `HARK_*` variables of `env`, then `overrides` (the command-line flags). Fails on unknown
    /// keys, wrong types and values [`Config::validate`] refuses.
    pub fn load(
        file: Option<&Path>,
        env: EnvProvider,
        overrides: &Overrides,
    ) -> Result<Self, Error> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            // figment treats a missing file as empty; a file the user named must exist.
            std::fs::metadata(path).map_err(|source| Error::ConfigFile {
                path: path.to_path_buf(),
                source,
            })?;
            figment = figment.merge(Toml::file_exact(path));
        }
        let config: Config = figment
            .merge(env)
            .merge(Serialized::defaults(overrides))
            .extract()
            .map_err(|e| Error::Config(Box::new(e)))?;
        config.validate()?;
        Ok(config)
    }

    /// Refuses values that parse but cannot work (an empty token, a zero limit, a negative,
    /// infinite or NaN rate).
    pub fn validate(&self) -> Result<(), Error> {
        let problem = if self.listen.trim().is_empty() {
            "listen must not be empty"
        } else if self.admin_token.as_deref().is_some_and(str::is_empty) {
            "admin_token must not be empty (leave it unset to disable the admin API)"
        } else if self.database_url.as_deref().is_some_and(str::is_empty) {
            "database_url must not be empty"
        } else if self.limits.request_timeout_secs == 0 {
            "limits.request_timeout_secs must be at least 1"
        } else if self.limits.max_concurrent_requests == 0 {
            "limits.max_concurrent_requests must be at least 1"
        } else if self.limits.max_body_bytes == 0 {
            "limits.max_body_bytes must be at least 1"
        } else if !(self.limits.rate_limit_per_second.is_finite()
            && self.limits.rate_limit_per_second >= 0.0)
        {
            "limits.rate_limit_per_second must be a finite number of at least 0 (0: unlimited)"
        } else {
            return Ok(());
        };
        Err(Error::InvalidConfig(problem.into()))
    }

    /// The database URL: `database_url` if set, else `sqlite://<data_dir>/hark.db`.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("hark.db").display()),
        }
    }

    /// The settings of the HTTP layer.
    pub fn server_config(&self) -> hark_server::ServerConfig {
        hark_server::ServerConfig {
            request_timeout: Duration::from_secs(self.limits.request_timeout_secs),
            max_concurrent_requests: self.limits.max_concurrent_requests,
            admin_token: self.admin_token.clone(),
            max_body_bytes: self.limits.max_body_bytes,
            rate_limit: self.rate_limit(),
        }
    }

    /// The per-project rate limit: none for a rate of 0; a burst of 0 becomes the rate rounded
    /// up, at least 1.
    fn rate_limit(&self) -> Option<hark_server::RateLimit> {
        let rate = self.limits.rate_limit_per_second;
        (rate > 0.0).then(|| hark_server::RateLimit {
            requests_per_second: rate,
            burst: match self.limits.rate_limit_burst {
                // `as` saturates: a huge rate gets the largest burst.
                0 => (rate.ceil() as u32).max(1),
                burst => burst,
            },
        })
    }
}

/// Settings given on the command line; `None` leaves the lower layers' value.
#[derive(Default, Serialize)]
pub struct Overrides {
    /// `--listen`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
    /// `--data-dir`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    /// `--database`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    /// `--admin-token`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_token: Option<String>,
    /// `--log-format`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_format: Option<LogFormat>,
    /// `--log-level`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_level: Option<String>,
}

/// The `HARK_*` environment variables as a figment provider. `HARK_LIMITS__MAX_BODY_BYTES`
/// names `limits.max_body_bytes`; `HARK_CONFIG` is skipped and so are empty values (unset).
pub struct EnvProvider {
    vars: Vec<(String, String)>,
    config_file: Option<PathBuf>,
}

impl EnvProvider {
    /// The process environment.
    pub fn from_process() -> Self {
        Self::new(std::env::vars_os().map(|(k, v)| {
            (
                k.to_string_lossy().into_owned(),
                v.to_string_lossy().into_owned(),
            )
        }))
    }

    /// Explicit variables (tests); names without the `HARK_` prefix are ignored.
    pub fn new(env: impl IntoIterator<Item = (String, String)>) -> Self {
        let (mut vars, mut config_file) = (Vec::new(), None);
        for (name, value) in env {
            if !name.starts_with(ENV_PREFIX) || value.is_empty() {
                continue;
            }
            if name == CONFIG_FILE_ENV {
                config_file = Some(PathBuf::from(value));
            } else {
                vars.push((name, value));
            }
        }
        Self { vars, config_file }
    }

    /// The file named by `HARK_CONFIG`, if set and not empty.
    pub fn config_file(&self) -> Option<&Path> {
        self.config_file.as_deref()
    }
}

impl Provider for EnvProvider {
    fn metadata(&self) -> Metadata {
        Metadata::named("HARK_* environment variables")
            .interpolater(|_, keys| format!("{ENV_PREFIX}{}", keys.join("__").to_ascii_uppercase()))
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        let mut dict = Dict::new();
        for (name, value) in &self.vars {
            let key = name[ENV_PREFIX.len()..].to_ascii_lowercase();
            let path: Vec<&str> = key.split("__").collect();
            if path.iter().any(|p| p.is_empty()) {
                return Err(
                    format!("environment variable {name} names no configuration key").into(),
                );
            }
            insert(&mut dict, &path, value.clone());
        }
        Ok(Profile::Default.collect(dict))
    }
}

/// Sets `path` (non-empty) in `dict` to the string `value`, creating tables on the way.
fn insert(dict: &mut Dict, path: &[&str], value: String) {
    match path {
        [] => {}
        [last] => {
            dict.insert((*last).to_string(), Value::from(value));
        }
        [head, rest @ ..] => {
            let entry = dict
                .entry((*head).to_string())
                .or_insert_with(|| Value::from(Dict::new()));
            if !matches!(entry, Value::Dict(..)) {
                // `HARK_LIMITS=x` and `HARK_LIMITS__Y=z` together: the table wins.
                *entry = Value::from(Dict::new());
            }
            if let Value::Dict(_, table) = entry {
                insert(table, rest, value);
            }
        }
    }
}

/// Deserialises a non-negative integer given as a number (TOML) or as a string (environment).
fn lenient_number<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<u64>,
{
    struct NumberVisitor<T>(PhantomData<T>);

    impl<T: TryFrom<u64>> Visitor<'_> for NumberVisitor<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a non-negative integer")
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
            T::try_from(v).map_err(|_| E::custom(format!("{v} is too large")))
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
            match u64::try_from(v) {
                Ok(v) => self.visit_u64(v),
                Err(_) => Err(E::invalid_value(de::Unexpected::Signed(v), &self)),
            }
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            match v.trim().parse::<u64>() {
                Ok(n) => self.visit_u64(n),
                Err(_) => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
            }
        }
    }

    deserializer.deserialize_any(NumberVisitor(PhantomData))
}

/// Deserialises a number given as a float or integer (TOML) or as a string (environment). The
/// sign and finiteness are checked by [`Config::validate`], which names the key.
fn lenient_float<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    struct FloatVisitor;

    impl Visitor<'_> for FloatVisitor {
        type Value = f64;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a number")
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
            Ok(v)
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
            Ok(v as f64)
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
            Ok(v as f64)
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
            v.trim()
                .parse()
                .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
        }
    }

    deserializer.deserialize_any(FloatVisitor)
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
