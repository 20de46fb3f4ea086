//! The binary's one error type: every command returns it, `main` prints it and exits non-zero.

use std::io;
use std::path::PathBuf;
use thiserror::Error;

/// Everything a `hark` command can fail with. Causes are kept as sources; the message already
/// includes the cause, so printing the top-level error is enough.
#[derive(Debug, Error)]
pub enum Error {
    /// The configuration file named by `--config`/`HARK_CONFIG` could not be read.
    #[error("configuration file {}: {source}", path.display())]
    ConfigFile {
        /// The file.
        path: PathBuf,
        /// Why it could not be read.
        #[source]
        source: io::Error,
    },
    /// A configuration source could not be parsed: bad syntax, an unknown key, a wrong type.
    #[error("configuration: {0}")]
    Config(#[source] Box<figment::Error>),
    /// A configuration value parsed but cannot work.
    #[error("configuration: {0}")]
    InvalidConfig(String),
    /// The log filter (`log_level`) is not valid `EnvFilter` syntax.
    #[error("configuration: log_level: {0}")]
    LogFilter(#[source] tracing_subscriber::filter::ParseError),
    /// A built-in log directive does not parse (a bug of hark's, reported rather than a panic).
    #[error("built-in log directive is invalid")]
    LogDirective(#[source] tracing_subscriber::filter::ParseError),
    /// The master key file could not be read or created.
    #[error("master key file {}: {source}", path.display())]
    MasterKeyFile {
        /// The file (or the directory that could not be created).
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: io::Error,
    },
    /// The master key file exists but cannot be used.
    #[error("master key file {}: {problem}", path.display())]
    InvalidMasterKeyFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },
    /// A command-line argument is not acceptable (beyond what the parser checks).
    #[error("{0}")]
    Usage(String),
    /// The database URL names no supported backend (the URL is shown without its password).
    #[error("unsupported database URL {0:?} (expected sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/DB)")]
    UnsupportedDatabaseUrl(String),
    /// The store failed (this includes "project not found").
    #[error(transparent)]
    Store(#[from] hark_store::StoreError),
    /// The embedding model could not be loaded or run.
    #[error(transparent)]
    Model(#[from] hark_analysis::embed::EmbedError),
    /// The analysis pipeline failed.
    #[error(transparent)]
    Pipeline(#[from] hark_analysis::worker::PipelineError),
    /// A labelled data file could not be used.
    #[error(transparent)]
    Data(#[from] hark_analysis::eval::data::DataError),
    /// The TLS certificate or key could not be used.
    #[error(transparent)]
    Tls(#[from] hark_server::TlsError),
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The configured address.
        addr: String,
        /// The operating system's reason.
        #[source]
        source: io::Error,
    },
    /// Signal handlers could not be installed.
    #[error("cannot install signal handlers: {0}")]
    Signal(#[source] io::Error),
    /// The HTTP server stopped with an error.
    #[error("server failed: {0}")]
    Serve(#[source] io::Error),
    /// An export or import file could not be opened, written or put in place.
    #[error("{}: {source}", path.display())]
    TransferFile {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: io::Error,
    },
    /// A CSV file could not be opened or read (a row with the wrong number of fields is a
    /// failed row, not this).
    #[error("{}: {source}", path.display())]
    CsvFile {
        /// The file.
        path: PathBuf,
        /// The reader's reason.
        #[source]
        source: csv::Error,
    },
    /// A CSV file's header cannot be imported (no text column, an ambiguous name, …).
    #[error("{}: {problem}", path.display())]
    CsvHeader {
        /// The file.
        path: PathBuf,
        /// What is wrong, and how to fix it.
        problem: String,
    },
    /// A layer answered against its contract (a bug, reported rather than panicking on).
    #[error("internal error: {0}")]
    Internal(String),
    /// Serving MCP over stdio failed.
    #[error(transparent)]
    Mcp(#[from] hark_mcp::stdio::StdioError),
    /// A file a command writes (e.g. `hark eval --write-sentiment-head`) could not be written.
    #[error("cannot write {}: {source}", path.display())]
    WriteFile {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: io::Error,
    },
    /// Writing to stdout failed (e.g. a closed pipe).
    #[error("cannot write output: {0}")]
    Output(#[source] io::Error),
    /// The async runtime could not be started.
    #[error("cannot start the async runtime: {0}")]
    Runtime(#[source] io::Error),
}
