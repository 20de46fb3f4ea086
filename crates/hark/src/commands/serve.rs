//! `hark serve` (and the serving half of `hark demo`): bind, load the TLS files, open the store,
//! resolve the master key, announce the address on stdout, and run the HTTP server until SIGINT/SIGTERM, then shut
//! down gracefully (in-flight requests finish).

use super::open_store;
use crate::config::Config;
use crate::error::Error;
use hark_core::crypto::MasterKey;
use hark_store::Store;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// `hark serve`.
pub async fn serve(config: &Config) -> Result<(), Error> {
    // What writes nothing comes first (the address, the TLS files), then the store: nothing
    // (no database file, no master key file) is written before the rest of the configuration
    // is known to work.
    let listener = bind(config).await?;
    let tls = tls(config)?;
    let store = open_store(config).await?;
    let master = crate::master_key::resolve(config)?;
    run(listener, tls, store, config, master).await
}

/// The TLS settings of `tls.cert_file` and `tls.key_file`, read and checked; `None` without.
pub(super) fn tls(config: &Config) -> Result<Option<hark_server::TlsSettings>, Error> {
    match (&config.tls.cert_file, &config.tls.key_file) {
        (Some(cert), Some(key)) => Ok(Some(hark_server::TlsSettings::from_pem_files(cert, key)?)),
        _ => Ok(None),
    }
}

pub(super) async fn bind(config: &Config) -> Result<TcpListener, Error> {
    TcpListener::bind(&config.listen)
        .await
        .map_err(|source| Error::Bind {
            addr: config.listen.clone(),
            source,
        })
}

pub(super) fn local_addr(listener: &TcpListener, config: &Config) -> Result<SocketAddr, Error> {
    listener.local_addr().map_err(|source| Error::Bind {
        addr: config.listen.clone(),
        source,
    })
}

/// Installs the signal handlers, announces the address and serves until a signal arrives.
pub(super) async fn run(
    listener: TcpListener,
    tls: Option<hark_server::TlsSettings>,
    store: Arc<dyn Store>,
    config: &Config,
    master: MasterKey,
) -> Result<(), Error> {
    let addr = local_addr(&listener, config)?;
    let database = crate::database::redact_url(&config.database_url());
    let shutdown = CancellationToken::new();
    // Installed before the address is announced, so a signal sent by whoever read the
    // announcement is always handled gracefully rather than killing the process.
    watch_signals(shutdown.clone())?;
    tracing::info!(%database, "serving");
    let mut server_config = config.server_config(master);
    server_config.tls = tls;
    let scheme = if server_config.tls.is_some() {
        "https"
    } else {
        "http"
    };
    super::analysis::spawn_background(
        config,
        store.clone(),
        server_config.analysis.clone(),
        shutdown.clone(),
    );
    writeln!(
        std::io::stdout().lock(),
        "hark listening on {scheme}://{addr}"
    )
    .map_err(Error::Output)?;
    hark_server::serve(listener, store, server_config, shutdown)
        .await
        .map_err(Error::Serve)?;
    tracing::info!("stopped");
    Ok(())
}

/// Cancels `shutdown` on the first SIGINT or SIGTERM; a second one exits at once (status 130),
/// which is safe because every acknowledged write is already committed.
#[cfg(unix)]
fn watch_signals(shutdown: CancellationToken) -> Result<(), Error> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).map_err(Error::Signal)?;
    let mut int = signal(SignalKind::interrupt()).map_err(Error::Signal)?;
    tokio::spawn(async move {
        let name = tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = int.recv() => "SIGINT",
        };
        tracing::info!(
            signal = name,
            "shutting down; waiting for in-flight requests (signal again to stop now)"
        );
        shutdown.cancel();
        tokio::select! {
            _ = term.recv() => {},
            _ = int.recv() => {},
        }
        tracing::warn!("second signal: stopping without waiting");
        std::process::exit(130);
    });
    Ok(())
}

/// Cancels `shutdown` on Ctrl-C.
#[cfg(not(unix))]
fn watch_signals(shutdown: CancellationToken) -> Result<(), Error> {
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            tracing::info!("shutting down; waiting for in-flight requests");
            shutdown.cancel();
        }
    });
    Ok(())
}
