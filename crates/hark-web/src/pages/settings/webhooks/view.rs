//! The markup of the webhooks section: one card per endpoint (facts, last deliveries, the
//! action forms) and the add form. Every value from the store or the form is interpolated,
//! so maud escapes it.

use super::{FormState, Listed};
use crate::auth::DashboardUser;
use crate::view::format::{segment, time};
use crate::view::layout;
use hark_core::analysis::Category;
use hark_core::limits::{MAX_NAME_CHARS, MAX_URL_CHARS};
use hark_core::webhooks::{Delivery, DeliveryStatus, Endpoint, EndpointState, EventType};
use maud::{html, Markup};

/// What each subscribable event is, for the checkboxes.
fn event_hint(t: EventType) -> &'static str {
    match t {
        EventType::FeedbackAnalyzed => "an item was analysed",
        EventType::ThemeCreated => "a new theme was found",
        EventType::ThemeUpdated => "a theme was renamed, merged or deleted",
        EventType::ThemeRising => "a theme's mentions grew week over week",
        EventType::ChatFeedbackReceived => "a vote on an AI answer",
        EventType::ChatFeedbackNotUseful => "a not-useful vote on an AI answer",
        EventType::ChatQualityDropped => "an application's daily useful rate dropped",
        EventType::Test => "a test event",
    }
}

/// The endpoint's state in words: why it is disabled, since when it fails.
pub(crate) fn state_text(e: &Endpoint) -> Markup {
    html! {
        @match e.state {
            EndpointState::Enabled => span.good { "enabled" },
            EndpointState::Failing => {
                span.bad { "failing" }
                @if let Some(since) = e.failing_since { " since " (time(since)) " UTC" }
            },
            EndpointState::Disabled => {
                span.bad { "disabled" }
                @if let Some(reason) = &e.disabled_reason { ": " span.body { (reason) } }
            },
        }
    }
}

/// A delivery's status in words.
pub(crate) fn status_text(d: &Delivery) -> Markup {
    html! {
        @match d.status {
            DeliveryStatus::Delivered => span.good { "delivered" },
            DeliveryStatus::Failed => span.bad { "failed" },
            DeliveryStatus::Pending => {
                "pending"
                @if let Some(at) = d.next_attempt_at { " (next attempt " (time(at)) ")" }
            },
        }
    }
}

/// A table of deliveries; `link` makes each one a link to its attempts.
pub(crate) fn deliveries_table(e: &Endpoint, deliveries: &[Delivery], link: bool) -> Markup {
    let endpoint = segment(e.id.as_str());
    html! {
        div.table-wrap role="region" aria-label=(format!("Deliveries to {}", e.url)) tabindex="0" {
            table {
                thead { tr {
                    th scope="col" { "Event" }
                    th scope="col" { "Status" }
                    th.num scope="col" { "Attempts" }
                    th.num scope="col" { "Last HTTP status" }
                    th.hide-narrow scope="col" { "Created" }
                } }
                tbody {
                    @for d in deliveries {
                        tr {
                            td {
                                @if link {
                                    a href=(format!("/settings/webhooks/{endpoint}/deliveries/{}", d.id)) {
                                        code { (d.event_type.as_str()) }
                                        span.sr-only { " delivery " (d.id) }
                                    }
                                } @else {
                                    code { (d.event_type.as_str()) }
                                }
                            }
                            td { (status_text(d)) }
                            td.num { (d.attempts) }
                            td.num { @match d.last_status { Some(s) => (s), None => "–" } }
                            td.hide-narrow { (time(d.created_at)) }
                        }
                    }
                }
            }
        }
    }
}

fn endpoint_card(user: &DashboardUser, l: &Listed) -> Markup {
    let e = &l.endpoint;
    let base = format!("/settings/webhooks/{}", segment(e.id.as_str()));
    let heading = format!("webhook-{}-h", e.id.as_str());
    html! {
        article.card id=(format!("webhook-{}", e.id.as_str())) aria-labelledby=(heading) {
            h3 id=(heading) { span.body { (e.url) } }
            dl.facts {
                dt { "Kind" } dd { (e.kind.as_str()) }
                dt { "Events" } dd {
                    @for (n, t) in e.events.iter().enumerate() {
                        @if n > 0 { ", " }
                        code { (t.as_str()) }
                    }
                }
                dt { "Categories" } dd {
                    @if e.filter.categories.is_empty() { "all" }
                    @for (n, c) in e.filter.categories.iter().enumerate() {
                        @if n > 0 { ", " }
                        (c.as_str())
                    }
                }
                @if let Some(d) = &e.description {
                    dt { "Description" } dd.body { (d) }
                }
                dt { "State" } dd { (state_text(e)) }
                dt { "Created" } dd { (time(e.created_at)) " UTC" }
            }
            h4 { "Last deliveries" }
            @if l.recent.is_empty() {
                p.muted { "No deliveries yet." }
            } @else {
                (deliveries_table(e, &l.recent, false))
            }
            p { a href=(base) { "All deliveries and their attempts" span.sr-only { " for " (e.url) } } }
            div.actions {
                @if e.state != EndpointState::Disabled {
                    form.inline method="post" action=(format!("{base}/test")) {
                        (layout::csrf_field(user))
                        button.secondary type="submit" { "Send a test event" span.sr-only { " to " (e.url) } }
                    }
                    form.inline method="post" action=(format!("{base}/disable")) {
                        (layout::csrf_field(user))
                        button.secondary type="submit" { "Disable" span.sr-only { " " (e.url) } }
                    }
                } @else {
                    form.inline method="post" action=(format!("{base}/enable")) {
                        (layout::csrf_field(user))
                        button.secondary type="submit" { "Enable" span.sr-only { " " (e.url) } }
                    }
                }
                form.inline method="post" action=(format!("{base}/rotate-secret")) {
                    (layout::csrf_field(user))
                    button.secondary type="submit" { "Rotate the secret" span.sr-only { " of " (e.url) } }
                }
                details.confirm {
                    summary { "Delete…" span.sr-only { " " (e.url) } }
                    form.inline method="post" action=(format!("{base}/delete")) {
                        (layout::csrf_field(user))
                        span { "The endpoint and its deliveries are deleted for good." }
                        button.danger type="submit" { "Delete this endpoint" span.sr-only { " " (e.url) } }
                    }
                }
            }
        }
    }
}

/// `aria-describedby` of a field that has a problem.
fn problem_id(form: &FormState, field: &str) -> Option<String> {
    form.problems
        .iter()
        .any(|p| p.field == field)
        .then(|| format!("webhook-problem-{field}"))
}

fn add_form(user: &DashboardUser, form: &FormState) -> Markup {
    let v = &form.values;
    let kind = if v.kind.is_empty() {
        "standard"
    } else {
        &v.kind
    };
    html! {
        h3 #webhook-add-h { "Add an endpoint" }
        @if !form.problems.is_empty() {
            div #webhook-problems role="alert" {
                p.problem { "The endpoint was not added:" }
                ul {
                    @for p in &form.problems {
                        li.problem id=(format!("webhook-problem-{}", p.field)) { (p.message) }
                    }
                }
            }
        }
        form.stack method="post" action="/settings/webhooks" aria-labelledby="webhook-add-h" {
            (layout::csrf_field(user))
            label for="webhook-url" { "URL" }
            input #webhook-url type="url" name="url" required maxlength=(MAX_URL_CHARS)
                placeholder="https://example.com/hark-events" value=(v.url)
                aria-invalid=[problem_id(form, "url").map(|_| "true")]
                aria-describedby=[problem_id(form, "url")];
            label for="webhook-kind" { "Kind" }
            select #webhook-kind name="kind" {
                option value="standard" selected[kind == "standard"] { "standard: signed JSON (Standard Webhooks)" }
                option value="slack" selected[kind == "slack"] { "slack: a message for a Slack incoming webhook" }
            }
            fieldset aria-describedby=[problem_id(form, "events")] {
                legend { "Events (at least one)" }
                @for t in EventType::ALL.into_iter().filter(|t| t.is_subscribable()) {
                    label {
                        input type="checkbox" name="event" value=(t.as_str()) checked[v.has_event(t)];
                        " " code { (t.as_str()) } " — " (event_hint(t))
                    }
                }
            }
            fieldset aria-describedby=[problem_id(form, "categories")] {
                legend { "Only these categories (none checked: all)" }
                @for c in Category::ALL {
                    label {
                        input type="checkbox" name="category" value=(c.as_str()) checked[v.has_category(c)];
                        " " (c.as_str())
                    }
                }
            }
            label for="webhook-description" { "Description (optional)" }
            input #webhook-description type="text" name="description" maxlength=(MAX_NAME_CHARS) value=(v.description)
                aria-invalid=[problem_id(form, "description").map(|_| "true")]
                aria-describedby=[problem_id(form, "description")];
            button type="submit" { "Add endpoint" }
        }
        p.hint { "The endpoint's signing secret is shown once, right after it is added." }
    }
}

/// The webhooks section of `/settings`; `can_create` is false when the server gave the
/// dashboard no master key (secrets could not be sealed).
pub(crate) fn section(
    user: &DashboardUser,
    endpoints: &[Listed],
    form: &FormState,
    can_create: bool,
) -> Markup {
    html! {
        section #webhooks aria-labelledby="webhooks-h" {
            h2 #webhooks-h { "Webhooks" }
            p.hint {
                "hark posts events to these URLs as they happen, signed per Standard Webhooks; "
                "failed deliveries are retried for up to about 5 days."
            }
            @if endpoints.is_empty() { p.muted { "No webhook endpoints yet." } }
            @for l in endpoints { (endpoint_card(user, l)) }
            @if can_create {
                (add_form(user, form))
            } @else {
                p.muted { "Adding endpoints here needs the server's master key; use the webhooks API." }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hark_core::webhooks::{EndpointFilter, EndpointKind};
    use hark_core::{EndpointId, EventId, ProjectId, Timestamp};

    fn endpoint(state: EndpointState) -> Endpoint {
        Endpoint {
            id: EndpointId::new("whk_1"),
            project_id: ProjectId::new("prj_1"),
            url: "https://x.example/<script>".into(),
            kind: EndpointKind::Standard,
            events: vec![EventType::ThemeCreated],
            filter: EndpointFilter::default(),
            description: Some("<script>alert(1)</script>".into()),
            state,
            disabled_reason: Some("<img src=x onerror=alert(1)>".into()),
            failing_since: None,
            created_at: Timestamp::from_micros(0),
            updated_at: Timestamp::from_micros(0),
        }
    }

    #[test]
    fn user_text_is_escaped() {
        let e = endpoint(EndpointState::Disabled);
        let html = state_text(&e).into_string();
        assert!(html.contains("&lt;img src=x"), "{html}");
        let delivery = Delivery {
            id: 7,
            endpoint_id: e.id.clone(),
            event_id: EventId::new("msg_1"),
            event_type: EventType::Test,
            status: DeliveryStatus::Delivered,
            attempts: 1,
            next_attempt_at: None,
            created_at: Timestamp::from_micros(0),
            last_status: Some(204),
        };
        let table = deliveries_table(&e, &[delivery], true).into_string();
        assert!(!table.contains("<script>"), "{table}");
        assert!(
            table.contains("/settings/webhooks/whk_1/deliveries/7"),
            "{table}"
        );
        assert!(table.contains(">204<"), "{table}");
    }

    #[test]
    fn a_failing_endpoint_says_since_when() {
        let e = Endpoint {
            failing_since: Some(Timestamp::from_micros(0)),
            ..endpoint(EndpointState::Failing)
        };
        let html = state_text(&e).into_string();
        assert!(html.contains("failing"), "{html}");
        assert!(html.contains("since 1970-01-01 00:00 UTC"), "{html}");
    }
}
