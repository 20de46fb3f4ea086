//! Log set-up: `tracing` lines on stderr (stdout carries command output and the "listening"
//! line), as text or JSON, filtered by the configured `log_level` — with the third-party crates
//! that would log user text or secrets at debug/trace capped at `info` whatever it says
//! ([`QUIET`]).

use crate::config::{Config, LogFormat};
use crate::error::Error;
use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// Crates whose debug and trace output carries what hark must never log, capped at `info` after
/// the configured filter (a later directive for the same target replaces an earlier one):
/// the tokenizer (a line per character of every analysed text), tokio-postgres (statement
/// parameters: feedback text, emails), hyper, h2 and rustls (frames and headers, `Authorization`
/// included), reqwest (request URLs and bodies it sends).
const QUIET: [&str; 7] = [
    "tokenizers=info",
    "tokio_postgres=info",
    "hyper=info",
    "hyper_util=info",
    "h2=info",
    "rustls=info",
    "reqwest=info",
];

/// The filter of `log_level` with [`QUIET`] applied.
fn filter(log_level: &str) -> Result<EnvFilter, Error> {
    let mut filter = EnvFilter::try_new(log_level).map_err(Error::LogFilter)?;
    for directive in QUIET {
        filter = filter.add_directive(directive.parse().map_err(Error::LogDirective)?);
    }
    Ok(filter)
}

/// Installs the global subscriber described by `config`. Call once, before logging anything.
pub fn init(config: &Config) -> Result<(), Error> {
    let filter = filter(&config.log_level)?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        // A log line that cannot be written (stderr on a full disk) is dropped. Otherwise the
        // subscriber reports it with `eprintln!`, which panics when stderr fails too: every
        // request that logs would then reset its connection.
        .log_internal_errors(false);
    // `try_init` fails only when a subscriber is already set, which is harmless here.
    let _ = match config.log_format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_carrying_crates_stay_at_info_whatever_the_level() {
        for level in ["trace", "tokenizers=trace,h2=trace,debug", "info"] {
            let shown = filter(level).expect("valid").to_string();
            for quiet in QUIET {
                assert!(shown.contains(quiet), "{level}: {shown}");
            }
            for noisy in ["tokenizers=trace", "h2=trace"] {
                assert!(!shown.contains(noisy), "{level}: {shown}");
            }
        }
        assert!(filter("hark=[").is_err());
    }
}
