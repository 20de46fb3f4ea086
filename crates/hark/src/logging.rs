//! Log set-up: `tracing` lines on stderr (stdout carries command output and the "listening"
//! line), as text or JSON, filtered by the configured `log_level`.

use crate::config::{Config, LogFormat};
use crate::error::Error;
use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber described by `config`. Call once, before logging anything.
pub fn init(config: &Config) -> Result<(), Error> {
    let filter = EnvFilter::try_new(&config.log_level).map_err(Error::LogFilter)?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    // `try_init` fails only when a subscriber is already set, which is harmless here.
    let _ = match config.log_format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
    Ok(())
}
