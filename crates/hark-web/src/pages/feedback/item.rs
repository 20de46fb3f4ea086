//! `/feedback/{id}`: one item — its text and conversation as a thread (staff replies set
//! apart), each mention marked where it occurs with its theme, sentiment and category — and
//! the editors' category correction (POST `/feedback/{id}/category`).

use super::highlight::{locate, render};
use super::{source_name, who};
use crate::auth::{DashboardUser, Posted};
use crate::pages::themes::{theme_href, theme_label};
use crate::view::chips;
use crate::view::filters::category_label;
use crate::view::format::{time, user_url};
use crate::view::layout::{self, Section};
use crate::{WebError, WebState};
use axum::extract::{Path, State};
use axum::response::Redirect;
use hark_core::analysis::{Category, Speaker, StoredAnalysis, Subject, Theme};
use hark_core::speaker::{part_speaker, Identity};
use hark_core::users::Role;
use hark_core::{ItemId, StoredItem, StoredPart};
use maud::{html, Markup};
use serde::Deserialize;

/// The item of the path, if it is the project's; `NotFound` otherwise (ids that are not
/// numbers included).
async fn project_item(
    state: &WebState,
    user: &DashboardUser,
    id: &str,
) -> Result<StoredItem, WebError> {
    let id = id.parse::<i64>().map_err(|_| WebError::NotFound("item"))?;
    state
        .store()
        .get_item(user.project(), ItemId(id))
        .await?
        .ok_or(WebError::NotFound("item"))
}

/// Who wrote each part, as the analysis decides it.
fn speakers(item: &StoredItem, parts: &[StoredPart]) -> Vec<Speaker> {
    let owner = Identity {
        user_id: item.user_id.as_deref(),
        email: item.email.as_deref(),
        author: item.author.as_deref(),
    };
    let has_body = item.body.as_deref().is_some_and(|b| !b.trim().is_empty());
    parts
        .iter()
        .map(|p| {
            let who = Identity {
                user_id: p.user_id.as_deref(),
                email: p.email.as_deref(),
                author: p.author.as_deref(),
            };
            part_speaker(&owner, has_body, &who)
        })
        .collect()
}

/// Similar items shown on an item page.
const SIMILAR: usize = 5;

/// GET `/feedback/{id}`.
pub(crate) async fn page(
    State(state): State<WebState>,
    user: DashboardUser,
    Path(id): Path<String>,
) -> Result<Markup, WebError> {
    let item = project_item(&state, &user, &id).await?;
    let store = state.store();
    let project = user.project();
    let analysis = store.analysis(project, Subject::Item(item.id.0)).await?;
    let themes = store.themes(project).await?;
    let sources = store.list_sources(project).await?;
    let parts = item.conversation_parts.clone().unwrap_or_default();
    let body = item.body.as_deref().unwrap_or("");
    let mut units: Vec<&str> = vec![body];
    units.extend(parts.iter().map(|p| p.body.as_str()));
    let mention_texts: Vec<&str> = analysis
        .iter()
        .flat_map(|a| a.mentions.iter().map(|m| m.text.as_str()))
        .collect();
    let spans = locate(&units, &mention_texts);
    let speakers = speakers(&item, &parts);
    let similar = super::search::similar(&state, project, item.id, SIMILAR).await?;
    let title = format!("Feedback {}", item.id.0);
    let content = html! {
        p { a href="/feedback" { "All feedback" } }
        h1 { (title) }
        div.grid {
            section.card aria-labelledby="about" {
                h2 #about { "About" }
                dl.facts {
                    dt { "From" } dd { (who(&item).unwrap_or("unknown")) }
                    @if let Some(e) = &item.email { dt { "Email" } dd { (e) } }
                    @if let Some(u) = &item.user_id { dt { "User id" } dd { (u) } }
                    dt { "Source" } dd { (source_name(&sources, item.source_id.as_str())) }
                    @if let Some(u) = &item.url { dt { "URL" } dd { (user_url(u)) } }
                    dt { "Written" } dd { (time(item.created_at)) " UTC" }
                    dt { "Received" } dd { (time(item.received_at)) " UTC" }
                    dt { "Unique id" } dd { (item.unique_id) }
                }
            }
            section.card aria-labelledby="analysis" {
                h2 #analysis { "Analysis" }
                (analysis_facts(analysis.as_ref()))
                @if user.role().can_edit() {
                    (category_form(&user, &item, analysis.as_ref()))
                }
            }
        }
        section aria-labelledby="conversation" {
            h2 #conversation { "Conversation" }
            ol.thread {
                @if !body.trim().is_empty() {
                    li {
                        p.muted { bdi { (who(&item).unwrap_or("Customer")) } " · " (time(item.created_at)) }
                        div.body { (render(body, &spans[0])) }
                    }
                }
                @for (i, p) in parts.iter().enumerate() {
                    @let staff = speakers.get(i) == Some(&Speaker::Staff);
                    li class=[staff.then_some("staff")] {
                        p.muted {
                            bdi { (p.author.as_deref().or(p.email.as_deref()).or(p.user_id.as_deref()).unwrap_or("Unknown")) }
                            @if staff { " (staff)" }
                            " · " (time(p.created_at))
                        }
                        div.body { (render(&p.body, spans.get(i + 1).map_or(&[][..], Vec::as_slice))) }
                    }
                }
            }
        }
        (mention_table(analysis.as_ref(), &themes))
        section aria-labelledby="similar" {
            h2 #similar { "Similar feedback" }
            @match &similar {
                None => p.muted { "Shown once the model has loaded." },
                Some(found) if found.is_empty() => p.muted {
                    @if analysis.is_some() { "No other feedback says something close to this." }
                    @else { "Shown once this feedback has been analysed." }
                },
                Some(found) => (super::search::table(found, &sources, "Similar feedback, closest first")),
            }
        }
    };
    Ok(layout::page(&title, &user, Section::Feedback, content))
}

/// Category and sentiment of the item, or why there are none yet.
fn analysis_facts(analysis: Option<&StoredAnalysis>) -> Markup {
    html! {
        @if let Some(a) = analysis {
            dl.facts {
                dt { "Category" }
                dd {
                    (chips::category(a.category))
                    @if a.category_source == "user" { " set by a person" }
                    @else { " " span.muted { (format!("{:.0}%", a.confidence * 100.0)) " confidence" } }
                    " · "
                    a href=(format!("/themes?category={}", a.category.as_str())) {
                        (category_label(a.category)) " themes"
                    }
                }
                dt { "Sentiment" } dd { (chips::sentiment(a.sentiment)) }
                dt { "Analysed" } dd { (time(a.analyzed_at)) " UTC" }
            }
        } @else {
            p.muted { "Not analysed yet: it is in the analysis queue." }
        }
    }
}

/// The editors' category correction.
fn category_form(
    user: &DashboardUser,
    item: &StoredItem,
    analysis: Option<&StoredAnalysis>,
) -> Markup {
    let current = analysis.map(|a| a.category);
    html! {
        form.inline method="post" action=(format!("/feedback/{}/category", item.id.0)) {
            (layout::csrf_field(user))
            label for="category" { "Correct the category" }
            select #category name="category" {
                @for c in Category::ALL {
                    option value=(c.as_str()) selected[current == Some(c)] { (chips::category_name(c)) }
                }
            }
            button type="submit" { "Save" }
        }
        p.hint { "A corrected category is kept when the item is analysed again, and the model learns from it." }
    }
}

/// The mentions with their theme, sentiment and category.
fn mention_table(analysis: Option<&StoredAnalysis>, themes: &[Theme]) -> Markup {
    let Some(a) = analysis.filter(|a| !a.mentions.is_empty()) else {
        return html! {};
    };
    html! {
        section aria-labelledby="mentions" {
            h2 #mentions { "Mentions" }
            div.table-wrap role="region" aria-label="Mentions" tabindex="0" {
                table {
                    thead {
                        tr {
                            th scope="col" { "Mention" }
                            th scope="col" { "Theme" }
                            th scope="col" { "Sentiment" }
                            th scope="col" { "Category" }
                        }
                    }
                    tbody {
                        @for m in &a.mentions {
                            tr {
                                td.quote { (m.text) }
                                td {
                                    @match m.theme_id.as_ref().and_then(|id| themes.iter().find(|t| &t.id == id)) {
                                        Some(t) => a.label href=(theme_href(&t.id)) { (theme_label(t)) },
                                        None => span.muted { "no theme" },
                                    }
                                }
                                td { (chips::sentiment(m.sentiment)) }
                                td { (chips::category(m.category)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The category form.
#[derive(Debug, Deserialize)]
pub(crate) struct NewCategory {
    #[serde(default)]
    category: String,
}

/// POST `/feedback/{id}/category`: a person's category, kept on re-analysis and learned from.
pub(crate) async fn set_category(
    State(state): State<WebState>,
    Path(id): Path<String>,
    Posted { user, form }: Posted<NewCategory>,
) -> Result<Redirect, WebError> {
    user.require(Role::Editor)?;
    let category: Category = form
        .category
        .parse()
        .map_err(|e: hark_core::analysis::UnknownCategory| WebError::BadRequest(e.to_string()))?;
    let item = project_item(&state, &user, &id).await?;
    state
        .store()
        .set_category(user.project(), Subject::Item(item.id.0), category)
        .await?;
    Ok(Redirect::to(&format!("/feedback/{}", item.id.0)))
}
