//! The webhooks section of `/settings`: the project's endpoints with their state and last
//! deliveries, the form that adds one (its signing secret shown once), and per endpoint a
//! test send, enable/disable, a secret rotation (the new secret shown once, the old one
//! signing beside it for 24 h) and a delete behind a `<details>` confirmation. The same store
//! calls as the webhooks API (`/api/1/webhooks`); URLs pass the same address policy.

pub(crate) mod deliveries;
pub(crate) mod form;
mod view;

use super::{require_admin, shown_once};
use crate::auth::{DashboardUser, Posted};
use crate::view::format::segment;
use crate::{WebError, WebState};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use form::{EndpointForm, Problem};
use hark_core::webhooks::{Delivery, Endpoint, EndpointState};
use hark_core::{EndpointId, Timestamp};
use hark_webhooks::WebhookSecret;
use maud::{html, Markup};
use serde::Deserialize;

pub(crate) use view::section;

/// Deliveries shown per endpoint on the settings page.
pub(crate) const RECENT_DELIVERIES: u32 = 5;
/// Longest endpoint id looked up (hark makes ids of about 30 characters).
const MAX_ID_CHARS: usize = 128;

/// An endpoint with its latest deliveries, as the section shows it.
pub(crate) struct Listed {
    pub endpoint: Endpoint,
    pub recent: Vec<Delivery>,
}

/// The add form as the section shows it: empty, or as posted with its problems.
#[derive(Debug, Default)]
pub(crate) struct FormState {
    pub values: EndpointForm,
    pub problems: Vec<Problem>,
}

/// The project's endpoints with their last [`RECENT_DELIVERIES`] deliveries.
pub(crate) async fn load(state: &WebState, user: &DashboardUser) -> Result<Vec<Listed>, WebError> {
    let store = state.store();
    let mut out = Vec::new();
    for endpoint in store.list_endpoints(user.project()).await? {
        let recent = store
            .list_deliveries(user.project(), &endpoint.id, None, RECENT_DELIVERIES)
            .await?;
        out.push(Listed { endpoint, recent });
    }
    Ok(out)
}

/// The endpoint of the path, when it is the project's.
pub(crate) async fn owned(
    state: &WebState,
    user: &DashboardUser,
    id: &str,
) -> Result<Endpoint, WebError> {
    if id.is_empty() || id.chars().count() > MAX_ID_CHARS {
        return Err(WebError::NotFound("webhook endpoint"));
    }
    state
        .store()
        .endpoint(user.project(), &EndpointId::new(id))
        .await?
        .ok_or(WebError::NotFound("webhook endpoint"))
}

/// The endpoint's secret sealed with the master key (bound to the endpoint's id), as the
/// delivery worker opens it.
fn seal(state: &WebState, id: &EndpointId, secret: &WebhookSecret) -> Result<Vec<u8>, WebError> {
    let master = state.master_key().ok_or_else(|| {
        WebError::BadRequest(
            "this server cannot create webhook secrets from the dashboard; use hark admin".into(),
        )
    })?;
    Ok(hark_webhooks::manage::seal(master, id, secret))
}

/// POST `/settings/webhooks`: adds an endpoint and shows its secret once; a refused form
/// comes back on the settings page with its problems (400).
pub(crate) async fn create(
    State(state): State<WebState>,
    headers: HeaderMap,
    Posted { user, form }: Posted<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    require_admin(&user)?;
    let values = EndpointForm::from_pairs(form);
    let new = match form::validate(&values, state.allow_private_networks()).await {
        Ok(new) => new,
        Err(problems) => {
            let form = FormState { values, problems };
            let page = super::render(&state, &user, &headers, form).await?;
            return Ok((StatusCode::BAD_REQUEST, page).into_response());
        }
    };
    let now = Timestamp::now();
    let endpoint = Endpoint {
        id: EndpointId::generate(),
        project_id: user.project().clone(),
        url: new.url,
        kind: new.kind,
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
    let sealed = seal(&state, &endpoint.id, &secret)?;
    state.store().insert_endpoint(&endpoint, &sealed).await?;
    let intro = html! {
        p {
            "Events for " code { (endpoint.url) } " are signed with this secret (Standard Webhooks: "
            "verify the " code { "webhook-signature" } " header with it)."
        }
    };
    Ok(shown_once(
        &user,
        "New webhook endpoint",
        intro,
        &[("Signing secret", "webhook-secret", &secret.expose())],
    )
    .into_response())
}

/// A form with only its CSRF field.
#[derive(Debug, Deserialize)]
pub(crate) struct Empty {}

/// Where an endpoint's card is on the settings page.
fn back_to(e: &Endpoint) -> Redirect {
    Redirect::to(&format!("/settings#webhook-{}", segment(e.id.as_str())))
}

/// POST `/settings/webhooks/{id}/test`: queues a `webhook.test` event for this endpoint only
/// and shows its deliveries.
pub(crate) async fn test_send(
    State(state): State<WebState>,
    Path(id): Path<String>,
    Posted { user, .. }: Posted<Empty>,
) -> Result<Redirect, WebError> {
    require_admin(&user)?;
    let e = owned(&state, &user, &id).await?;
    if e.state == EndpointState::Disabled {
        return Err(WebError::BadRequest(
            "The endpoint is disabled: enable it first.".into(),
        ));
    }
    let event = hark_webhooks::manage::test_event(&e.id);
    state
        .store()
        .emit_events(user.project(), vec![event], Some(&e.id))
        .await?;
    Ok(Redirect::to(&format!(
        "/settings/webhooks/{}?sent=1",
        segment(e.id.as_str())
    )))
}

/// POST `/settings/webhooks/{id}/enable`: deliveries resume (a failing or disabled state
/// ends).
pub(crate) async fn enable(
    state: State<WebState>,
    id: Path<String>,
    posted: Posted<Empty>,
) -> Result<Redirect, WebError> {
    set_state(state, id, posted, EndpointState::Enabled).await
}

/// POST `/settings/webhooks/{id}/disable`: no deliveries until enabled again.
pub(crate) async fn disable(
    state: State<WebState>,
    id: Path<String>,
    posted: Posted<Empty>,
) -> Result<Redirect, WebError> {
    set_state(state, id, posted, EndpointState::Disabled).await
}

async fn set_state(
    State(state): State<WebState>,
    Path(id): Path<String>,
    Posted { user, .. }: Posted<Empty>,
    to: EndpointState,
) -> Result<Redirect, WebError> {
    require_admin(&user)?;
    let mut e = owned(&state, &user, &id).await?;
    e.state = to;
    state.store().update_endpoint(&e).await?;
    Ok(back_to(&e))
}

/// POST `/settings/webhooks/{id}/rotate-secret`: a new secret, shown once; the previous one
/// signs beside it for 24 h.
pub(crate) async fn rotate_secret(
    State(state): State<WebState>,
    Path(id): Path<String>,
    Posted { user, .. }: Posted<Empty>,
) -> Result<Markup, WebError> {
    require_admin(&user)?;
    let e = owned(&state, &user, &id).await?;
    let secret = WebhookSecret::generate();
    let sealed = seal(&state, &e.id, &secret)?;
    let until = hark_webhooks::manage::rotation_deadline(Timestamp::now());
    state
        .store()
        .rotate_endpoint_secret(user.project(), &e.id, &sealed, until)
        .await?;
    let intro = html! {
        p {
            "The new secret of " code { (e.url) } ". Until "
            (crate::view::format::time(until)) " UTC deliveries carry a signature with the previous "
            "secret too, so the receiver can switch without losing any."
        }
    };
    Ok(shown_once(
        &user,
        "New webhook secret",
        intro,
        &[("Signing secret", "webhook-secret", &secret.expose())],
    ))
}

/// POST `/settings/webhooks/{id}/delete`: the endpoint and its deliveries.
pub(crate) async fn delete(
    State(state): State<WebState>,
    Path(id): Path<String>,
    Posted { user, .. }: Posted<Empty>,
) -> Result<Redirect, WebError> {
    require_admin(&user)?;
    let e = owned(&state, &user, &id).await?;
    if !state.store().delete_endpoint(user.project(), &e.id).await? {
        return Err(WebError::NotFound("webhook endpoint"));
    }
    Ok(Redirect::to("/settings#webhooks"))
}
