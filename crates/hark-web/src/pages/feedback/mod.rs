//! `/feedback`: the project's items, newest first, 25 a page, with their category and
//! sentiment; filtered by time, source, category, sentiment and keyword, all in the URL.
//! `/feedback/{id}` is [`item`], the downloads of the same rows are [`export`].

pub(crate) mod export;
mod highlight;
pub(crate) mod item;
mod scan;
pub(crate) mod search;

use crate::auth::DashboardUser;
use crate::view::chips;
use crate::view::filters::{self, Fields, Filters};
use crate::view::format::{snippet, time};
use crate::view::layout::{self, Section};
use crate::{WebError, WebState};
use axum::extract::{Query, State};
use hark_core::{ItemCursor, Source, StoredItem, Timestamp};
use maud::{html, Markup};
use scan::{fetch_page, scan, Keep};

/// The range shown when the URL names none.
pub(crate) const DEFAULT_RANGE: &str = "all";
/// Rows per page.
const PAGE: usize = 25;
/// Store pages one list page reads at most while filtering by category or sentiment.
const MAX_STORE_PAGES: u32 = 10;

/// The analysis filters of `f`.
pub(crate) fn keep(f: &Filters) -> Keep {
    Keep {
        category: f.category(),
        sentiment: f.sentiment(),
    }
}

/// Who wrote an item: author, else email, else user id.
pub(crate) fn who(item: &StoredItem) -> Option<&str> {
    item.author
        .as_deref()
        .or(item.email.as_deref())
        .or(item.user_id.as_deref())
}

/// The name of a source id among `sources` (the id itself when unknown).
pub(crate) fn source_name<'a>(sources: &'a [Source], id: &'a str) -> &'a str {
    sources
        .iter()
        .find(|s| s.source_id.as_str() == id)
        .map_or(id, |s| s.name.as_str())
}

/// The filter form of `/feedback`, with search.
fn form(f: &Filters, sources: &[Source]) -> Markup {
    let choices: Vec<(String, String)> = sources
        .iter()
        .map(|s| (s.source_id.to_string(), s.name.clone()))
        .collect();
    let fields = Fields {
        category: true,
        sentiment: true,
        search: true,
    };
    filters::form("/feedback", f, DEFAULT_RANGE, &choices, fields)
}

/// Links that download the view (every row matching the filters; the words of a search as a
/// literal text filter).
fn downloads(f: &Filters) -> Markup {
    let query = f.with("after", None);
    html! {
        p {
            "Download this view: "
            a href=(format!("/feedback/export.csv{query}")) { "CSV" }
            " · "
            a href=(format!("/feedback/export.jsonl{query}")) { "JSON Lines" }
        }
    }
}

/// GET `/feedback`: the listing, or search results when the view has search text.
pub(crate) async fn page(
    State(state): State<WebState>,
    user: DashboardUser,
    Query(f): Query<Filters>,
) -> Result<Markup, WebError> {
    let project = user.project();
    let filter = f.item_filter(DEFAULT_RANGE, Timestamp::now());
    if let Some(text) = f.q() {
        let text = text.to_string();
        let (found, results, offset) = search::run(&state, project, &f, filter, &text).await?;
        let sources = state.store().list_sources(project).await?;
        let content = html! {
            h1 { "Feedback" }
            (form(&f, &sources))
            (downloads(&f))
            (search::section(&f, &found, &results, offset, &sources))
        };
        return Ok(layout::page("Feedback", &user, Section::Feedback, content));
    }
    let start = f.after.as_deref().and_then(ItemCursor::decode);
    let keep = keep(&f);
    let result = scan(
        |cursor| fetch_page(&state, project, &filter, cursor, PAGE as u32),
        keep,
        start,
        PAGE,
        MAX_STORE_PAGES,
    )
    .await?;
    let sources = state.store().list_sources(project).await?;
    let content = html! {
        h1 { "Feedback" }
        (form(&f, &sources))
        (downloads(&f))
        @if result.rows.is_empty() {
            p.muted {
                @if result.bounded { "No matching feedback among the items read so far." }
                @else { "No feedback matches this view." }
            }
        } @else {
            div.table-wrap role="region" aria-label="Feedback" tabindex="0" {
                table {
                    caption.sr-only { "Feedback, newest first" }
                    thead {
                        tr {
                            th scope="col" { "When" }
                            th scope="col" { "Feedback" }
                            th.hide-narrow scope="col" { "Source" }
                            th.hide-narrow scope="col" { "From" }
                            th scope="col" { "Category" }
                            th scope="col" { "Sentiment" }
                        }
                    }
                    tbody {
                        @for row in &result.rows {
                            @let item = &row.item;
                            tr {
                                td { (time(item.created_at)) }
                                td {
                                    a href=(format!("/feedback/{}", item.id.0)) {
                                        @match item.body.as_deref().map(|b| snippet(b, 140)).filter(|s| !s.is_empty()) {
                                            Some(s) => (s),
                                            None => { "Item " (item.id.0) " (no text of its own)" },
                                        }
                                    }
                                    @if item.parts_count > 0 {
                                        " " span.muted { "+" (item.parts_count) " replies" }
                                    }
                                }
                                td.hide-narrow { (source_name(&sources, item.source_id.as_str())) }
                                td.hide-narrow { (who(item).unwrap_or("–")) }
                                td {
                                    @if let Some(a) = &row.analysis { (chips::category(a.category)) }
                                    @else { span.muted { "not analysed yet" } }
                                }
                                td {
                                    @if let Some(a) = &row.analysis { (chips::sentiment(a.sentiment)) }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if result.bounded {
            p.muted { "Read " (result.pages * PAGE as u32) " items to find these; more may match further on." }
        }
        nav.pager aria-label="Pages" {
            @if f.after.is_some() {
                a href=(format!("/feedback{}", f.with("after", None))) { "Newest feedback" }
            }
            @if let Some(next) = result.next {
                a href=(format!("/feedback{}", f.with("after", Some(&next.encode())))) { "Older feedback" }
            }
        }
    };
    Ok(layout::page("Feedback", &user, Section::Feedback, content))
}
