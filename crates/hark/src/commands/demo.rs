//! `hark demo`: zero-setup first run. Makes sure a "demo" project exists with a webhook source,
//! a (lenient) chat application and a SigV4 access key, prints how to send feedback with curl
//! and with boto3, then serves like `hark serve`.
//!
//! Reused on every start: the project (with a fresh secret key, since only its hash is stored),
//! the source, the application, and the newest live access key whose secret the master key
//! opens (a new key is issued when there is none).

use super::open_store;
use super::serve::{bind, local_addr, run, tls};
use crate::config::Config;
use crate::error::Error;
use hark_core::chat::{AccessKeyId, Application};
use hark_core::credentials::Secret;
use hark_core::crypto::MasterKey;
use hark_core::users::{Email, Password, Role};
use hark_core::{Project, ProjectId, Source, SourceKind};
use hark_store::Store;
use std::io::Write;
use std::net::SocketAddr;

/// Name of the project `hark demo` creates or reuses.
const DEMO_PROJECT: &str = "demo";
/// Name of the webhook source `hark demo` creates or reuses.
const DEMO_SOURCE: &str = "demo-webhook";
/// Name of the chat application `hark demo` creates or reuses.
const DEMO_APP: &str = "demo-assistant";
/// Sign-in address of the dashboard user `hark demo` creates or reuses (an admin).
const DEMO_USER: &str = "demo-admin@hark.local";
/// Conversation and message ids of the boto3 example (36 characters, as the contract wants).
const DEMO_CONVERSATION: &str = "00000000-0000-4000-8000-000000000001";
const DEMO_MESSAGE: &str = "00000000-0000-4000-8000-000000000002";

/// Everything `hark demo` prints.
struct Demo {
    project: Project,
    secret: Secret,
    source: Source,
    app: Application,
    access_key_id: AccessKeyId,
    secret_access_key: String,
    region: String,
    user_password: Password,
}

/// `hark demo`.
pub async fn demo(config: &Config) -> Result<(), Error> {
    // As `serve`: nothing is written before the address, the TLS files and the database are
    // known to work.
    let listener = bind(config).await?;
    let tls = tls(config)?;
    let store = open_store(config).await?;
    let master = crate::master_key::resolve(config)?;
    let addr = local_addr(&listener, config)?;
    let demo = demo_tenancy(store.as_ref(), &master, config).await?;
    std::io::stdout()
        .lock()
        .write_all(demo_instructions(&demo, addr).as_bytes())
        .map_err(Error::Output)?;
    run(listener, tls, store, config, master).await
}

/// Creates or reuses the demo project, source, application and access key.
async fn demo_tenancy(
    store: &dyn Store,
    master: &MasterKey,
    config: &Config,
) -> Result<Demo, Error> {
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
    let pid = &project.project_id;
    let existing = store
        .list_sources(pid)
        .await?
        .into_iter()
        .find(|s| s.name == DEMO_SOURCE && s.kind == SourceKind::Webhook);
    let source = match existing {
        Some(source) => source,
        None => hark_store::create_source(store, pid, DEMO_SOURCE, SourceKind::Webhook).await?,
    };
    let existing = store
        .list_applications(pid)
        .await?
        .into_iter()
        .find(|a| a.name == DEMO_APP);
    let app = match existing {
        Some(app) => app,
        None => hark_store::create_application(store, pid, DEMO_APP, false).await?,
    };
    let (access_key_id, secret_access_key) = demo_key(store, master, pid).await?;
    let user_password = demo_user(store, pid).await?;
    Ok(Demo {
        user_password,
        project,
        secret,
        source,
        app,
        access_key_id,
        secret_access_key,
        region: config
            .sigv4
            .regions
            .first()
            .cloned()
            .unwrap_or_else(|| "us-east-1".into()),
    })
}

/// The demo admin's password: a new one-time password at every start (only its hash is
/// stored), which also ends the sessions of the previous run.
async fn demo_user(store: &dyn Store, project: &ProjectId) -> Result<Password, Error> {
    let email = Email::parse(DEMO_USER).map_err(|m| Error::Usage(m.into()))?;
    match store.user_by_email(&email).await? {
        Some((user, _)) if &user.project_id == project => {
            let password = Password::generate();
            let hash = hark_store::hash_password(&password).await?;
            store
                .set_user_password(project, &user.user_id, &hash, None)
                .await?;
            Ok(password)
        }
        Some(_) => Err(Error::Usage(format!(
            "{DEMO_USER} is a user of another project; delete it to run the demo"
        ))),
        None => {
            let (_, password) =
                hark_store::create_user(store, project, email, Role::Admin, None).await?;
            Ok(password)
        }
    }
}

/// The newest live key of the project whose secret opens, or a new key.
async fn demo_key(
    store: &dyn Store,
    master: &MasterKey,
    project: &ProjectId,
) -> Result<(AccessKeyId, String), Error> {
    let keys = store.list_access_keys(project).await?;
    for key in keys.iter().rev().filter(|k| k.revoked_at.is_none()) {
        // A key sealed under another master key cannot be shown; try the next one.
        if let Ok(Some((key, secret))) =
            hark_store::access_key_secret(store, master, &key.access_key_id).await
        {
            return Ok((key.access_key_id, secret));
        }
    }
    let (key, secret) = hark_store::create_access_key(store, master, project).await?;
    Ok((key.access_key_id, secret))
}

/// The credentials block, ready-to-paste curl commands and the boto3 snippet.
fn demo_instructions(d: &Demo, addr: SocketAddr) -> String {
    let base = format!("http://{}", connectable(addr));
    let auth = format!("{}:{}", d.project.api_key, d.secret.expose());
    let body = format!(
        r#"{{"source_id":"{}","items":[{{"unique_id":"demo-1","body":"Exporting to CSV is slow and the button is hard to find."}}]}}"#,
        d.source.source_id
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
         Dashboard (a new password at every `hark demo` start): {base}/\n\
         \n\
         \x20 email:    {DEMO_USER}\n\
         \x20 password: {user_password}\n\
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
         \n\
         Chat-answer feedback (Amazon Q Business PutFeedback, signed with AWS SigV4):\n\
         \n\
         \x20 application_id:        {app_id}\n\
         \x20 aws_access_key_id:     {key_id}\n\
         \x20 aws_secret_access_key: {key_secret}\n\
         \x20 region:                {region}\n\
         \n\
         \x20 import time, boto3\n\
         \x20 q = boto3.client(\"qbusiness\", endpoint_url=\"{base}\", region_name=\"{region}\",\n\
         \x20                  aws_access_key_id=\"{key_id}\",\n\
         \x20                  aws_secret_access_key=\"{key_secret}\")\n\
         \x20 q.put_feedback(applicationId=\"{app_id}\",\n\
         \x20                conversationId=\"{DEMO_CONVERSATION}\",\n\
         \x20                messageId=\"{DEMO_MESSAGE}\", userId=\"demo-user\",\n\
         \x20                messageUsefulness={{\"usefulness\": \"USEFUL\", \"submittedAt\": time.time()}})\n\
         \n\
         Read it back:\n\
         \n\
         \x20 curl -u '{auth}' {base}/api/1/chat/feedback\n\
         \n",
        name = d.project.name,
        project_id = d.project.project_id,
        api_key = d.project.api_key,
        secret_key = d.secret.expose(),
        source_id = d.source.source_id,
        app_id = d.app.application_id,
        key_id = d.access_key_id,
        key_secret = d.secret_access_key,
        region = d.region,
        user_password = d.user_password.expose(),
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
    use hark_core::chat::ApplicationId;
    use hark_core::{SourceId, Timestamp};

    #[test]
    fn wildcard_addresses_are_shown_as_loopback() {
        let v4: SocketAddr = "0.0.0.0:7070".parse().expect("addr");
        assert_eq!(connectable(v4).to_string(), "127.0.0.1:7070");
        let v6: SocketAddr = "[::]:7070".parse().expect("addr");
        assert_eq!(connectable(v6).to_string(), "[::1]:7070");
        let fixed: SocketAddr = "10.0.0.1:80".parse().expect("addr");
        assert_eq!(connectable(fixed), fixed);
    }

    fn demo() -> Demo {
        let project = Project {
            project_id: ProjectId::new("prj_1"),
            name: "demo".into(),
            api_key: "hk_key".into(),
            created_at: Timestamp::now(),
        };
        Demo {
            source: Source {
                source_id: SourceId::new("src_1"),
                project_id: project.project_id.clone(),
                name: DEMO_SOURCE.into(),
                kind: SourceKind::Webhook,
                created_at: Timestamp::now(),
            },
            app: Application {
                application_id: ApplicationId::from_stored("a".repeat(36)),
                project_id: project.project_id.clone(),
                name: DEMO_APP.into(),
                strict: false,
                created_at: Timestamp::now(),
            },
            project,
            secret: Secret::new("hs_secret"),
            access_key_id: AccessKeyId::new("HKIAEXAMPLE"),
            secret_access_key: "s3cr3t".into(),
            region: "us-east-1".into(),
            user_password: Password::new("demo-password-1"),
        }
    }

    #[test]
    fn demo_instructions_carry_credentials_and_a_valid_body() {
        let addr = "0.0.0.0:9".parse().expect("addr");
        let text = demo_instructions(&demo(), addr);
        assert!(text.contains("curl -u 'hk_key:hs_secret'"), "{text}");
        assert!(text.contains("start): http://127.0.0.1:9/"), "{text}");
        assert!(
            text.contains(DEMO_USER) && text.contains("demo-password-1"),
            "{text}"
        );
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

    #[test]
    fn demo_instructions_carry_a_boto3_snippet() {
        let addr = "127.0.0.1:9".parse().expect("addr");
        let text = demo_instructions(&demo(), addr);
        for needle in [
            "boto3.client(\"qbusiness\", endpoint_url=\"http://127.0.0.1:9\"",
            "region_name=\"us-east-1\"",
            "aws_access_key_id=\"HKIAEXAMPLE\"",
            "aws_secret_access_key=\"s3cr3t\"",
            &format!("applicationId=\"{}\"", "a".repeat(36)),
            "aws_access_key_id:     HKIAEXAMPLE",
        ] {
            assert!(text.contains(needle), "{needle:?} not in:\n{text}");
        }
        assert_eq!(DEMO_CONVERSATION.len(), 36);
        assert!(hark_core::chat::is_valid_resource_id(DEMO_MESSAGE));
    }
}
