//! `hark serve` and `hark demo`: open the store, bind, announce the address on stdout, and run
//! the HTTP server until SIGINT/SIGTERM, then shut down gracefully (in-flight requests finish).

use super::open_store;
use crate::config::Config;
use crate::error::Error;
use hark_core::credentials::Secret;
use hark_core::{Project, Source, SourceKind};
use hark_store::Store;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// Name of the project `hark demo` creates or reuses.
const DEMO_PROJECT: &str = "demo";
/// Name of the webhook source `hark demo` creates or reuses.
const DEMO_SOURCE: &str = "demo-webhook";

/// `hark serve`.
pub async fn serve(config: &Config) -> Result<(), Error> {
    let store = open_store(config).await?;
    let listener = bind(config).await?;
    run(listener, store, config).await
}

/// `hark demo`: like `serve`, after making sure the demo project exists and printing how to
/// send it feedback.
pub async fn demo(config: &Config) -> Result<(), Error> {
    let store = open_store(config).await?;
    let listener = bind(config).await?;
    let addr = local_addr(&listener, config)?;
    let (project, secret, source) = demo_tenancy(store.as_ref()).await?;
    let text = demo_instructions(&project, &secret, &source, addr);
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(Error::Output)?;
    run(listener, store, config).await
}

async fn bind(config: &Config) -> Result<TcpListener, Error> {
    TcpListener::bind(&config.listen)
        .await
        .map_err(|source| Error::Bind {
            addr: config.listen.clone(),
            source,
        })
}

fn local_addr(listener: &TcpListener, config: &Config) -> Result<SocketAddr, Error> {
    listener.local_addr().map_err(|source| Error::Bind {
        addr: config.listen.clone(),
        source,
    })
}

/// Installs the signal handlers, announces the address and serves until a signal arrives.
async fn run(listener: TcpListener, store: Arc<dyn Store>, config: &Config) -> Result<(), Error> {
    let addr = local_addr(&listener, config)?;
    let database = hark_store::redact_url(&config.database_url());
    let shutdown = CancellationToken::new();
    // Installed before the address is announced, so a signal sent by whoever read the
    // announcement is always handled gracefully rather than killing the process.
    watch_signals(shutdown.clone())?;
    tracing::info!(%database, "serving");
    writeln!(std::io::stdout().lock(), "hark listening on http://{addr}").map_err(Error::Output)?;
    hark_server::serve(listener, store, config.server_config(), shutdown)
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

/// The demo project (created, or reused with a fresh secret since only its hash is stored)
/// and its webhook source (created if missing).
async fn demo_tenancy(store: &dyn Store) -> Result<(Project, Secret, Source), Error> {
    let existing = store
        .list_projects()
        .await?
        .into_iter()
        .find(|p| p.name == DEMO_PROJECT);
    let (project, secret) = match existing {
        Some(project) => {
            let secret = hark_store::rotate_secret(store, &project.project_id).await?;
            (project, secret)
        }
        None => {
            let created = hark_store::create_project(store, DEMO_PROJECT).await?;
            (created.project, created.secret_key)
        }
    };
    let existing = store
        .list_sources(&project.project_id)
        .await?
        .into_iter()
        .find(|s| s.name == DEMO_SOURCE && s.kind == SourceKind::Webhook);
    let source = match existing {
        Some(source) => source,
        None => {
            hark_store::create_source(store, &project.project_id, DEMO_SOURCE, SourceKind::Webhook)
                .await?
        }
    };
    Ok((project, secret, source))
}

/// The credentials block and ready-to-paste curl commands printed by `hark demo`.
fn demo_instructions(
    project: &Project,
    secret: &Secret,
    source: &Source,
    addr: SocketAddr,
) -> String {
    let base = format!("http://{}", connectable(addr));
    let auth = format!("{}:{}", project.api_key, secret.expose());
    let body = format!(
        r#"{{"source_id":"{}","items":[{{"unique_id":"demo-1","body":"Exporting to CSV is slow and the button is hard to find."}}]}}"#,
        source.source_id
    );
    format!(
        "hark demo: project \"{name}\" is ready. The secret key is shown only now; \
         every `hark demo` start issues a new one.\n\
         \n\
         \x20 project_id: {project_id}\n\
         \x20 api_key:    {api_key}\n\
         \x20 secret_key: {secret_key}\n\
         \x20 source_id:  {source_id}\n\
         \n\
         Send feedback:\n\
         \n\
         \x20 curl -u '{auth}' -H 'Content-Type: application/json' \\\n\
         \x20   -d '{body}' \\\n\
         \x20   {base}/api/1/ai-feedback/ingest\n\
         \n\
         Read it back:\n\
         \n\
         \x20 curl -u '{auth}' {base}/api/1/items\n\
         \n",
        name = project.name,
        project_id = project.project_id,
        api_key = project.api_key,
        secret_key = secret.expose(),
        source_id = source.source_id,
    )
}

/// The address a local client should use: a wildcard bind is reached through loopback.
fn connectable(addr: SocketAddr) -> SocketAddr {
    let mut addr = addr;
    if addr.ip().is_unspecified() {
        addr.set_ip(match addr {
            SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    addr
}

#[cfg(test)]
mod tests {
    use super::*;
    use hark_core::{ProjectId, SourceId, Timestamp};

    #[test]
    fn wildcard_addresses_are_shown_as_loopback() {
        let v4: SocketAddr = "0.0.0.0:7070".parse().expect("addr");
        assert_eq!(connectable(v4).to_string(), "127.0.0.1:7070");
        let v6: SocketAddr = "[::]:7070".parse().expect("addr");
        assert_eq!(connectable(v6).to_string(), "[::1]:7070");
        let fixed: SocketAddr = "10.0.0.1:80".parse().expect("addr");
        assert_eq!(connectable(fixed), fixed);
    }

    #[test]
    fn demo_instructions_carry_credentials_and_a_valid_body() {
        let project = Project {
            project_id: ProjectId::new("prj_1"),
            name: "demo".into(),
            api_key: "hk_key".into(),
            created_at: Timestamp::now(),
        };
        let source = Source {
            source_id: SourceId::new("src_1"),
            project_id: project.project_id.clone(),
            name: DEMO_SOURCE.into(),
            kind: SourceKind::Webhook,
            created_at: Timestamp::now(),
        };
        let addr = "0.0.0.0:9".parse().expect("addr");
        let text = demo_instructions(&project, &Secret::new("hs_secret"), &source, addr);
        assert!(text.contains("curl -u 'hk_key:hs_secret'"), "{text}");
        assert!(
            text.contains("http://127.0.0.1:9/api/1/ai-feedback/ingest"),
            "{text}"
        );
        let body = text
            .split("-d '")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .expect("a -d body");
        let body: serde_json::Value = serde_json::from_str(body).expect("body is JSON");
        assert_eq!(body["source_id"], "src_1");
    }
}
