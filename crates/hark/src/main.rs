//! `hark`: the self-hosted AI feedback server's binary. It parses the command line, loads the
//! configuration once, and runs one command: `serve`, `admin …`, `demo`, `export`, `import`,
//! `migrate`, ….

mod cli;
mod commands;
mod config;
mod config_de;
mod database;
mod error;
mod logging;
mod master_key;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(error::Error::Runtime)
        .and_then(|runtime| runtime.block_on(commands::run(cli)));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hark: error: {e}");
            ExitCode::FAILURE
        }
    }
}
