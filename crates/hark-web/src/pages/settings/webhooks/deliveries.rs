//! An endpoint's deliveries (`/settings/webhooks/{id}`, the latest [`PAGE`]) and one
//! delivery with its attempts (`…/deliveries/{delivery}`: when, the HTTP status, how long,
//! and the first 1 KB of the answer or what went wrong). Admins only, as the rest of Settings.

use super::view::{deliveries_table, state_text, status_text};
use super::{owned, require_admin};
use crate::auth::DashboardUser;
use crate::view::format::{segment, time};
use crate::view::layout::{self, Section};
use crate::{WebError, WebState};
use axum::extract::{Path, Query, State};
use maud::{html, Markup};
use serde::Deserialize;

/// Deliveries shown on an endpoint's page.
const PAGE: u32 = 50;

/// `?sent=1` after a test send.
#[derive(Debug, Deserialize)]
pub(crate) struct Sent {
    #[serde(default)]
    sent: Option<String>,
}

/// GET `/settings/webhooks/{id}`.
pub(crate) async fn page(
    State(state): State<WebState>,
    user: DashboardUser,
    Path(id): Path<String>,
    Query(q): Query<Sent>,
) -> Result<Markup, WebError> {
    require_admin(&user)?;
    let e = owned(&state, &user, &id).await?;
    let deliveries = state
        .store()
        .list_deliveries(user.project(), &e.id, None, PAGE)
        .await?;
    let content = html! {
        p { a href=(format!("/settings#webhook-{}", segment(e.id.as_str()))) { "← Settings" } }
        h1 { "Webhook deliveries" }
        dl.facts {
            dt { "URL" } dd.body { (e.url) }
            dt { "Kind" } dd { (e.kind.as_str()) }
            dt { "State" } dd { (state_text(&e)) }
        }
        @if q.sent.is_some() {
            p.notice role="status" {
                "A test event was queued; it is usually delivered within seconds. Reload to see it."
            }
        }
        @if deliveries.is_empty() {
            p.muted { "No deliveries yet." }
        } @else {
            p.hint { "The latest " (PAGE) " at most, newest first; open one for its attempts." }
            (deliveries_table(&e, &deliveries, true))
        }
    };
    Ok(layout::page(
        "Webhook deliveries",
        &user,
        Section::Settings,
        content,
    ))
}

/// GET `/settings/webhooks/{id}/deliveries/{delivery}`.
pub(crate) async fn delivery(
    State(state): State<WebState>,
    user: DashboardUser,
    Path((id, delivery)): Path<(String, String)>,
) -> Result<Markup, WebError> {
    require_admin(&user)?;
    let e = owned(&state, &user, &id).await?;
    let number: i64 = delivery
        .parse()
        .map_err(|_| WebError::NotFound("delivery"))?;
    let (d, attempts) = match state.store().delivery(user.project(), number).await? {
        Some((d, a)) if d.endpoint_id == e.id => (d, a),
        _ => return Err(WebError::NotFound("delivery")),
    };
    let title = format!("Delivery {}", d.id);
    let content = html! {
        p { a href=(format!("/settings/webhooks/{}", segment(e.id.as_str()))) { "← Deliveries" } }
        h1 { (title) }
        dl.facts {
            dt { "Endpoint" } dd.body { (e.url) }
            dt { "Event" } dd { code { (d.event_type.as_str()) } }
            dt { "Event id" } dd { code { (d.event_id.as_str()) } }
            dt { "Status" } dd { (status_text(&d)) }
            dt { "Attempts" } dd { (d.attempts) }
            dt { "Created" } dd { (time(d.created_at)) " UTC" }
        }
        h2 { "Attempts" }
        @if attempts.is_empty() {
            p.muted { "No attempt yet." }
        } @else {
            div.table-wrap role="region" aria-label="Attempts" tabindex="0" {
                table {
                    thead { tr {
                        th.num scope="col" { "#" }
                        th scope="col" { "At" }
                        th.num scope="col" { "HTTP status" }
                        th.num scope="col" { "Took" }
                        th scope="col" { "Answer" }
                    } }
                    tbody {
                        @for a in &attempts {
                            tr {
                                td.num { (a.number) }
                                td { (time(a.at)) }
                                td.num { @match a.status { Some(s) => (s), None => "–" } }
                                td.num { (a.latency_ms) " ms" }
                                td.body { (a.response) }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(layout::page(&title, &user, Section::Settings, content))
}
