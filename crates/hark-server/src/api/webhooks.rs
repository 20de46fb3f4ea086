//! Webhook endpoints of the caller's project ([`ProjectKey`]); another project's endpoint and
//! delivery ids are 404:
//!
//! - `POST /api/1/webhooks` — `{"url", "kind"?, "events", "filter"?, "description"?}`: the
//!   endpoint with its signing secret (`whsec_…`), shown only now (201);
//! - `GET /api/1/webhooks`, `GET|PATCH|DELETE /api/1/webhooks/{id}`;
//! - `POST /api/1/webhooks/{id}/rotate-secret` — a new secret; the old one signs beside it for
//!   24 h;
//! - `POST /api/1/webhooks/{id}/test` — a `webhook.test` event to this endpoint (202);
//! - `GET /api/1/webhooks/{id}/deliveries?before=&limit=`, `GET
//!   /api/1/webhooks/{id}/deliveries/{delivery}` (with its attempts), `POST
//!   …/deliveries/{delivery}/resend` (202).
//!
//! A URL is refused when it is not http(s), or its host is (or resolves to) a loopback,
//! private, link-local or metadata address, unless `webhooks.allow_private_networks`; the
//! delivery worker checks the address again at every connection.

use super::input::webhooks::{DeliveriesQuery, EndpointPatch, NewEndpoint};
use super::input::{ValidJson, ValidQuery};
use super::{ApiError, ProjectKey};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use hark_core::validate::Issue;
use hark_core::webhooks::{Attempt, Delivery, Endpoint, EndpointState};
use hark_core::{EndpointId, ProjectId, Timestamp};
use hark_webhooks::manage;
use hark_webhooks::{UrlError, WebhookSecret};
use serde::Serialize;

/// A new endpoint with its secret.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedEndpoint {
    /// The endpoint.
    #[serde(flatten)]
    pub endpoint: Endpoint,
    /// Its signing secret (`whsec_` and base64), shown only now.
    pub secret: String,
}

/// The project's endpoints.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EndpointList {
    /// Oldest first.
    pub endpoints: Vec<Endpoint>,
}

/// A rotated secret.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RotatedEndpointSecret {
    /// The new signing secret, shown only now.
    pub secret: String,
    /// Until when the previous secret also signs (both signatures are sent).
    pub previous_secret_expires_at: Timestamp,
}

/// Deliveries queued.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Queued {
    /// How many.
    pub queued: u64,
}

/// One page of deliveries.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeliveryList {
    /// Newest first.
    pub deliveries: Vec<Delivery>,
    /// Pass as `before` for the next page; `null` at the end.
    pub next_before: Option<i64>,
}

/// A delivery with its attempts.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeliveryDetail {
    /// The delivery.
    #[serde(flatten)]
    pub delivery: Delivery,
    /// Its attempts, oldest first.
    pub attempts: Vec<Attempt>,
}

/// The URL checked against the address policy ([`manage::saved_url`]).
async fn checked_url(state: &AppState, url: &str) -> Result<String, ApiError> {
    let allow = state.config().webhooks.allow_private_networks;
    manage::saved_url(url, allow).await.map_err(url_problem)
}

fn url_problem(e: UrlError) -> ApiError {
    ApiError::invalid_body(vec![Issue::new("url", e.to_string())])
}

async fn owned(state: &AppState, project: &ProjectId, id: &str) -> Result<Endpoint, ApiError> {
    state
        .store()
        .endpoint(project, &EndpointId::new(id))
        .await?
        .ok_or(ApiError::NotFound("webhook endpoint"))
}

fn seal(state: &AppState, id: &EndpointId, secret: &WebhookSecret) -> Vec<u8> {
    manage::seal(&state.config().chat.master_key, id, secret)
}

#[utoipa::path(post, path = "/api/1/webhooks", tag = "webhooks", operation_id = "createWebhook", request_body = crate::openapi::bodies::NewEndpointBody, responses((status = 201, description = "Created; the secret is shown only now", body = CreatedEndpoint)))]
/// Creates an endpoint.
pub async fn create(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
    ValidJson(new): ValidJson<NewEndpoint>,
) -> Result<(StatusCode, Json<CreatedEndpoint>), ApiError> {
    let url = checked_url(&state, &new.url).await?;
    let now = Timestamp::now();
    let endpoint = Endpoint {
        id: EndpointId::generate(),
        project_id,
        url,
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
    let sealed = seal(&state, &endpoint.id, &secret);
    state.store().insert_endpoint(&endpoint, &sealed).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedEndpoint {
            endpoint,
            secret: secret.expose(),
        }),
    ))
}

#[utoipa::path(get, path = "/api/1/webhooks", tag = "webhooks", operation_id = "listWebhooks", responses((status = 200, description = "The project's endpoints", body = EndpointList)))]
/// Lists the project's endpoints.
pub async fn list(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
) -> Result<Json<EndpointList>, ApiError> {
    let endpoints = state.store().list_endpoints(&project_id).await?;
    Ok(Json(EndpointList { endpoints }))
}

#[utoipa::path(get, path = "/api/1/webhooks/{id}", tag = "webhooks", operation_id = "getWebhook", params(("id" = String, Path, description = "The endpoint's id (`whk_…`)")), responses((status = 200, description = "The endpoint", body = Endpoint)))]
/// One endpoint.
pub async fn get(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Endpoint>, ApiError> {
    Ok(Json(owned(&state, &project_id, &id).await?))
}

#[utoipa::path(patch, path = "/api/1/webhooks/{id}", tag = "webhooks", operation_id = "updateWebhook", params(("id" = String, Path, description = "The endpoint's id (`whk_…`)")), request_body = crate::openapi::bodies::EndpointPatchBody, responses((status = 200, description = "The endpoint as changed", body = Endpoint)))]
/// Changes an endpoint; `enabled: true` also clears a failing or disabled state.
pub async fn update(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ValidJson(patch): ValidJson<EndpointPatch>,
) -> Result<Json<Endpoint>, ApiError> {
    let mut e = owned(&state, &project_id, &id).await?;
    if let Some(url) = patch.url {
        e.url = checked_url(&state, &url).await?;
    }
    e.kind = patch.kind.unwrap_or(e.kind);
    e.events = patch.events.unwrap_or(e.events);
    e.filter = patch.filter.unwrap_or(e.filter);
    if let Some(d) = patch.description {
        e.description = d;
    }
    match patch.enabled {
        Some(true) => e.state = EndpointState::Enabled,
        Some(false) => e.state = EndpointState::Disabled,
        None if e.state == EndpointState::Failing => e.state = EndpointState::Enabled,
        None => {}
    }
    state.store().update_endpoint(&e).await?;
    Ok(Json(owned(&state, &project_id, &id).await?))
}

#[utoipa::path(delete, path = "/api/1/webhooks/{id}", tag = "webhooks", operation_id = "deleteWebhook", params(("id" = String, Path, description = "The endpoint's id (`whk_…`)")), responses((status = 204, description = "Deleted with its deliveries")))]
/// Deletes an endpoint and its deliveries.
pub async fn delete(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if state
        .store()
        .delete_endpoint(&project_id, &EndpointId::new(id))
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound("webhook endpoint"))
    }
}

#[utoipa::path(post, path = "/api/1/webhooks/{id}/rotate-secret", tag = "webhooks", operation_id = "rotateWebhookSecret", params(("id" = String, Path, description = "The endpoint's id (`whk_…`)")), responses((status = 200, description = "The new secret; the previous one signs beside it for 24 h", body = RotatedEndpointSecret)))]
/// Gives the endpoint a new secret; the previous one keeps signing beside it for 24 h.
pub async fn rotate_secret(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<RotatedEndpointSecret>, ApiError> {
    let e = owned(&state, &project_id, &id).await?;
    let secret = WebhookSecret::generate();
    let until = manage::rotation_deadline(Timestamp::now());
    let sealed = seal(&state, &e.id, &secret);
    state
        .store()
        .rotate_endpoint_secret(&project_id, &e.id, &sealed, until)
        .await?;
    Ok(Json(RotatedEndpointSecret {
        secret: secret.expose(),
        previous_secret_expires_at: until,
    }))
}

#[utoipa::path(post, path = "/api/1/webhooks/{id}/test", tag = "webhooks", operation_id = "testWebhook", params(("id" = String, Path, description = "The endpoint's id (`whk_…`)")), responses((status = 202, description = "A `webhook.test` event is queued for the endpoint", body = Queued)))]
/// Queues a `webhook.test` event for this endpoint only.
pub async fn test_send(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<Queued>), ApiError> {
    let e = owned(&state, &project_id, &id).await?;
    if e.state == EndpointState::Disabled {
        return Err(ApiError::Conflict(
            "the endpoint is disabled: enable it first".into(),
        ));
    }
    let event = manage::test_event(&e.id);
    let queued = state
        .store()
        .emit_events(&project_id, vec![event], Some(&e.id))
        .await?;
    Ok((StatusCode::ACCEPTED, Json(Queued { queued })))
}

#[utoipa::path(get, path = "/api/1/webhooks/{id}/deliveries", tag = "webhooks", operation_id = "listWebhookDeliveries", params(("id" = String, Path, description = "The endpoint's id (`whk_…`)"), crate::openapi::params::DeliveriesQuery), responses((status = 200, description = "One page of deliveries, newest first", body = DeliveryList)))]
/// The endpoint's deliveries, newest first.
pub async fn deliveries(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ValidQuery(q): ValidQuery<DeliveriesQuery>,
) -> Result<Json<DeliveryList>, ApiError> {
    let e = owned(&state, &project_id, &id).await?;
    let deliveries = state
        .store()
        .list_deliveries(&project_id, &e.id, q.before, q.limit)
        .await?;
    let next_before = (deliveries.len() == q.limit as usize)
        .then(|| deliveries.last().map(|d| d.id))
        .flatten();
    Ok(Json(DeliveryList {
        deliveries,
        next_before,
    }))
}

/// The `{id}` and `{delivery}` of a delivery's routes.
type DeliveryPath = Path<(String, i64)>;

#[utoipa::path(get, path = "/api/1/webhooks/{id}/deliveries/{delivery}", tag = "webhooks", operation_id = "getWebhookDelivery", params(("id" = String, Path, description = "The endpoint's id (`whk_…`)"), ("delivery" = i64, Path, description = "The delivery's id")), responses((status = 200, description = "The delivery and its attempts", body = DeliveryDetail)))]
/// One delivery of the endpoint, with its attempts.
pub async fn delivery(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
    path: Result<DeliveryPath, axum::extract::rejection::PathRejection>,
) -> Result<Json<DeliveryDetail>, ApiError> {
    let Ok(Path((id, delivery))) = path else {
        return Err(ApiError::NotFound("delivery"));
    };
    match state.store().delivery(&project_id, delivery).await? {
        Some((delivery, attempts)) if delivery.endpoint_id.as_str() == id => {
            Ok(Json(DeliveryDetail { delivery, attempts }))
        }
        _ => Err(ApiError::NotFound("delivery")),
    }
}

#[utoipa::path(post, path = "/api/1/webhooks/{id}/deliveries/{delivery}/resend", tag = "webhooks", operation_id = "resendWebhookDelivery", params(("id" = String, Path, description = "The endpoint's id (`whk_…`)"), ("delivery" = i64, Path, description = "The delivery's id")), responses((status = 202, description = "Pending again, due now, with the same `webhook-id`", body = Queued)))]
/// Makes a delivery pending again (same event id), due now.
pub async fn resend(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
    path: Result<DeliveryPath, axum::extract::rejection::PathRejection>,
) -> Result<(StatusCode, Json<Queued>), ApiError> {
    let Ok(Path((id, delivery))) = path else {
        return Err(ApiError::NotFound("delivery"));
    };
    let store = state.store();
    let ours = store
        .delivery(&project_id, delivery)
        .await?
        .is_some_and(|(d, _)| d.endpoint_id.as_str() == id);
    if !ours || !store.resend_delivery(&project_id, delivery).await? {
        return Err(ApiError::NotFound("delivery"));
    }
    Ok((StatusCode::ACCEPTED, Json(Queued { queued: 1 })))
}
