//! The commands: each loads the configuration, opens the store and does one thing.

mod admin;
mod analysis;
mod csv_rows;
mod demo;
mod eval;
mod import_csv;
mod mcp;
mod migrate;
mod progress;
mod serve;
mod transfer;
mod users;
mod webhooks;

use crate::cli::{Cli, Command};
use crate::config::{Config, EnvProvider, Overrides};
use crate::error::Error;
use hark_store::{Store, StoreOptions};
use serde::Serialize;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

/// Runs the parsed command line to completion.
pub async fn run(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Serve(args) => {
            let config = load(args.store.config.as_deref(), &args.overrides())?;
            serve::serve(&config).await
        }
        Command::Demo(args) => {
            let config = load(args.store.config.as_deref(), &args.overrides())?;
            demo::demo(&config).await
        }
        Command::Eval(args) => eval::run(&args),
        Command::Analyze(args) => {
            let config = load(args.store.config.as_deref(), &args.store.overrides())?;
            analysis::analyze(&config, &args.project).await
        }
        Command::Train(args) => {
            let config = load(args.store.config.as_deref(), &args.store.overrides())?;
            analysis::train(&config, &args.project, &args.file).await
        }
        Command::Admin(args) => {
            let config = load(args.store.config.as_deref(), &args.store.overrides())?;
            admin::run(&config, args.command).await
        }
        Command::Export(args) => {
            let config = load(args.store.config.as_deref(), &args.store.overrides())?;
            transfer::export(&config, &args.project, args.out.as_deref()).await
        }
        Command::Import(args) => {
            let config = load(args.store.config.as_deref(), &args.store.overrides())?;
            transfer::import(&config, args.input.as_deref()).await
        }
        Command::ImportCsv(args) => {
            let config = load(args.store.config.as_deref(), &args.store.overrides())?;
            import_csv::run(&config, &args).await
        }
        Command::Migrate(args) => {
            let config = load(args.store.config.as_deref(), &args.store.overrides())?;
            migrate::migrate(&config).await
        }
        Command::Mcp(args) => {
            let config = load(args.store.config.as_deref(), &args.store.overrides())?;
            mcp::stdio(&config, &args.project).await
        }
    }
}

/// Loads the configuration from the process environment and starts logging. The file is the
/// one named by `--config`, else by `HARK_CONFIG`.
fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Config, Error> {
    let env = EnvProvider::from_process();
    let file = file.or(env.config_file()).map(Path::to_path_buf);
    let config = Config::load(file.as_deref(), env, overrides)?;
    crate::logging::init(&config)?;
    if !config.ignored_env.is_empty() {
        tracing::warn!(
            variables = ?config.ignored_env,
            "ignoring HARK_* environment variables that name no configuration key"
        );
    }
    // `Debug` redacts the admin token and any database password.
    tracing::debug!(?config, "configuration loaded");
    Ok(config)
}

/// Opens the configured store; the URL is logged only in redacted form.
async fn open_store(config: &Config) -> Result<Arc<dyn Store>, Error> {
    let url = config.database_url();
    let options = StoreOptions {
        max_connections: config.database_pool_size,
        ..StoreOptions::default()
    };
    let store = crate::database::open(&url, options).await?;
    tracing::debug!(database = %crate::database::redact_url(&url), "store opened");
    Ok(store)
}

/// Writes `value` as pretty JSON and a newline to stdout; a closed pipe is an error, not a panic.
fn print_json(value: &impl Serialize) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value).map_err(|e| Error::Output(e.into()))?;
    writeln!(out).map_err(Error::Output)
}
