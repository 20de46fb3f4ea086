//! `hark admin create-webhook | list-webhooks | delete-webhook | rotate-webhook-secret |
//! enable-webhook | disable-webhook`: a project's webhook endpoints, printed as JSON in the
//! shapes of the HTTP API (`/api/1/webhooks`). `create-webhook` prints the endpoint with its
//! `secret` (shown only now); `list-webhooks` an array of endpoints; `rotate-webhook-secret`
//! `{"secret", "previous_secret_expires_at"}`; `enable-webhook` and `disable-webhook` the
//! changed endpoint; `delete-webhook` `{"deleted": "whk_…"}`.
//!
//! Secrets are sealed with the master key exactly as the API seals them (the endpoint id as
//! associated data), so every node's delivery worker opens them.

use super::admin::existing_project;
use super::{open_store, print_json};
use crate::cli::WebhookCommand;
use crate::config::Config;
use crate::error::Error;
use hark_core::limits::MAX_NAME_CHARS;
use hark_core::webhooks::{Endpoint, EndpointFilter, EndpointKind, EndpointState, EventType};
use hark_core::{EndpointId, ProjectId, Timestamp};
use hark_server::api::input::webhooks::EndpointPatch;
use hark_server::api::input::FromJson;
use hark_server::api::webhooks::{CreatedEndpoint, RotatedEndpointSecret};
use hark_server::ApiError;
use hark_store::{Store, StoreError};
use hark_webhooks::manage;
use hark_webhooks::WebhookSecret;

/// What `create-webhook` stores, once every flag has been checked.
struct NewWebhook {
    url: String,
    events: Vec<EventType>,
    filter: EndpointFilter,
    description: Option<String>,
}

/// Runs one webhook command. Input is checked before the database is opened.
pub(super) async fn run(config: &Config, command: WebhookCommand) -> Result<(), Error> {
    if let WebhookCommand::CreateWebhook {
        project,
        url,
        events,
        kind,
        filter_json,
        description,
    } = command
    {
        let new = checked(config, &url, &events, filter_json.as_deref(), description).await?;
        let store = open_store(config).await?;
        return create(config, store.as_ref(), project, kind, new).await;
    }
    let store = open_store(config).await?;
    let store = store.as_ref();
    match command {
        WebhookCommand::CreateWebhook { .. } => Err(Error::Internal(
            "create-webhook is handled before the store is opened".into(),
        )),
        WebhookCommand::ListWebhooks { project } => {
            let project = existing_project(store, project).await?;
            print_json(&store.list_endpoints(&project).await?)
        }
        WebhookCommand::DeleteWebhook { project, webhook } => {
            let (project, webhook) = (ProjectId::new(project), EndpointId::new(webhook));
            if !store.delete_endpoint(&project, &webhook).await? {
                return Err(StoreError::NotFound("webhook endpoint").into());
            }
            print_json(&serde_json::json!({ "deleted": webhook }))
        }
        WebhookCommand::RotateWebhookSecret { project, webhook } => {
            let endpoint = owned(store, project, webhook).await?;
            let master = crate::master_key::resolve(config)?;
            let secret = WebhookSecret::generate();
            let until = manage::rotation_deadline(Timestamp::now());
            store
                .rotate_endpoint_secret(
                    &endpoint.project_id,
                    &endpoint.id,
                    &manage::seal(&master, &endpoint.id, &secret),
                    until,
                )
                .await?;
            print_json(&RotatedEndpointSecret {
                secret: secret.expose(),
                previous_secret_expires_at: until,
            })
        }
        WebhookCommand::EnableWebhook { project, webhook } => {
            set_state(store, project, webhook, EndpointState::Enabled).await
        }
        WebhookCommand::DisableWebhook { project, webhook } => {
            set_state(store, project, webhook, EndpointState::Disabled).await
        }
    }
}

/// Stores the endpoint with a fresh secret and prints both.
async fn create(
    config: &Config,
    store: &dyn Store,
    project: String,
    kind: EndpointKind,
    new: NewWebhook,
) -> Result<(), Error> {
    let project_id = existing_project(store, project).await?;
    let master = crate::master_key::resolve(config)?;
    let now = Timestamp::now();
    let endpoint = Endpoint {
        id: EndpointId::generate(),
        project_id,
        url: new.url,
        kind,
        events: new.events,
        filter: new.filter,
        description: new.description,
        state: EndpointState::Enabled,
        disabled_reason: None,
        failing_since: None,
        created_at: now,
        updated_at: now,
    };
    let secret = WebhookSecret::generate();
    store
        .insert_endpoint(&endpoint, &manage::seal(&master, &endpoint.id, &secret))
        .await?;
    print_json(&CreatedEndpoint {
        endpoint,
        secret: secret.expose(),
    })
}

/// Every flag of `create-webhook` checked; all problems are reported together.
async fn checked(
    config: &Config,
    url: &str,
    events: &[String],
    filter_json: Option<&str>,
    description: Option<String>,
) -> Result<NewWebhook, Error> {
    let mut problems = Vec::new();
    let url = manage::saved_url(url, config.webhooks.allow_private_networks)
        .await
        .map_err(|e| problems.push(format!("--url: {e}")))
        .ok();
    let events = parse_events(events)
        .map_err(|e| problems.push(format!("--events: {e}")))
        .ok();
    let filter = parse_filter(filter_json)
        .map_err(|e| problems.push(format!("--filter-json: {e}")))
        .ok();
    let description = description.filter(|d| !d.trim().is_empty());
    if description
        .as_ref()
        .is_some_and(|d| d.chars().count() > MAX_NAME_CHARS)
    {
        problems.push(format!(
            "--description: exceeds maximum length of {MAX_NAME_CHARS} characters"
        ));
    }
    match (url, events, filter) {
        (Some(url), Some(events), Some(filter)) if problems.is_empty() => Ok(NewWebhook {
            url,
            events,
            filter,
            description,
        }),
        _ => Err(Error::Usage(problems.join("; "))),
    }
}

/// The subscribable event types named in `names`, without repeats.
fn parse_events(names: &[String]) -> Result<Vec<EventType>, String> {
    let mut events = Vec::new();
    let mut unknown = Vec::new();
    for name in names.iter().map(|n| n.trim()) {
        match EventType::parse(name).filter(|t| t.is_subscribable()) {
            Some(t) if !events.contains(&t) => events.push(t),
            Some(_) => {}
            None => unknown.push(format!("{name:?}")),
        }
    }
    if unknown.is_empty() && !events.is_empty() {
        return Ok(events);
    }
    let known: Vec<&str> = EventType::ALL
        .iter()
        .filter(|t| t.is_subscribable())
        .map(|t| t.as_str())
        .collect();
    let what = if unknown.is_empty() {
        "no event type given".to_string()
    } else {
        format!("unknown event type {}", unknown.join(", "))
    };
    Err(format!("{what}; use one or more of {}", known.join(", ")))
}

/// The filter object, checked by the API's own rules (unknown keys, categories, ranges).
fn parse_filter(json: Option<&str>) -> Result<EndpointFilter, String> {
    let Some(json) = json else {
        return Ok(EndpointFilter::default());
    };
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("not valid JSON: {e}"))?;
    if !value.is_object() {
        return Err("must be a JSON object, e.g. {\"categories\":[\"bug\"]}".into());
    }
    match EndpointPatch::from_json(&serde_json::json!({ "filter": value })) {
        Ok(EndpointPatch {
            filter: Some(filter),
            ..
        }) => Ok(filter),
        Ok(_) => Err("not a filter".into()),
        Err(ApiError::Invalid { issues, .. }) => Err(issues
            .iter()
            .map(|i| format!("{}: {}", i.path.trim_start_matches("filter."), i.message))
            .collect::<Vec<_>>()
            .join(", ")),
        Err(e) => Err(e.to_string()),
    }
}

/// The endpoint of the project, else "webhook endpoint not found" (also for another project's).
async fn owned(store: &dyn Store, project: String, webhook: String) -> Result<Endpoint, Error> {
    let project = existing_project(store, project).await?;
    store
        .endpoint(&project, &EndpointId::new(webhook))
        .await?
        .ok_or(StoreError::NotFound("webhook endpoint").into())
}

/// Enables or disables the endpoint (a person's decision) and prints it as stored.
async fn set_state(
    store: &dyn Store,
    project: String,
    webhook: String,
    state: EndpointState,
) -> Result<(), Error> {
    let mut endpoint = owned(store, project, webhook).await?;
    endpoint.state = state;
    store.update_endpoint(&endpoint).await?;
    let changed = store
        .endpoint(&endpoint.project_id, &endpoint.id)
        .await?
        .ok_or(StoreError::NotFound("webhook endpoint"))?;
    print_json(&changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn events_are_subscribable_types_without_repeats() {
        assert_eq!(
            parse_events(&names(&["theme.rising", " theme.rising", "theme.created"])),
            Ok(vec![EventType::ThemeRising, EventType::ThemeCreated])
        );
        let err = parse_events(&names(&["theme.rising", "theme.exploded", "webhook.test"]))
            .expect_err("unknown and test events are refused");
        assert!(
            err.contains("\"theme.exploded\", \"webhook.test\""),
            "{err}"
        );
        assert!(err.contains("feedback.analyzed"), "{err}");
        assert!(parse_events(&names(&[""])).is_err());
    }

    #[test]
    fn a_filter_is_checked_by_the_api_rules() {
        assert_eq!(parse_filter(None), Ok(EndpointFilter::default()));
        let f = parse_filter(Some(r#"{"categories":["bug"],"min_mentions":3}"#)).expect("valid");
        assert_eq!(f.min_mentions, Some(3));
        let err = parse_filter(Some(r#"{"min_mentions":-1,"colour":"red"}"#)).expect_err("bad");
        assert!(
            err.contains("min_mentions") && err.contains("colour"),
            "{err}"
        );
        assert!(parse_filter(Some("{nope")).is_err_and(|e| e.contains("not valid JSON")));
        assert!(parse_filter(Some("[1]")).is_err_and(|e| e.contains("JSON object")));
    }
}
