//! `/themes/{id}`: one theme — its weekly mentions, this week against last, sentiment, sources,
//! key phrases, representative quotes and every mention (paged by mention id) — with the
//! editors' forms (rename, pin, merge, delete).

use super::{change, source_choices, theme_href, theme_label, DEFAULT_RANGE};
use crate::auth::DashboardUser;
use crate::charts::{bar_chart, Bar};
use crate::view::chips::{self, score};
use crate::view::filters::{self, Fields, Filters};
use crate::view::format::{count, snippet, time};
use crate::view::layout::{self, Section};
use crate::{WebError, WebState};
use axum::extract::{Path, Query, State};
use hark_core::analysis::{MentionFilter, MentionView, Theme, ThemeId};
use hark_core::theme_view::{current_week, detail, MetricsView};
use hark_core::users::Role;
use hark_core::Timestamp;
use maud::{html, Markup};
use serde::Deserialize;

/// Mentions per page.
pub(super) const MENTIONS: u32 = 25;
/// Per-source counts are shown when the project has at most this many sources and applications.
const MAX_SOURCE_BREAKDOWN: usize = 20;
/// Longest theme id looked up (hark's are 19 characters).
pub(super) const MAX_ID_CHARS: usize = 64;

/// The query of the theme page: the filters and the mention page.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ThemeQuery {
    #[serde(flatten)]
    pub(super) filters: Filters,
    /// Mentions with ids below this (the last id of the previous page).
    pub(super) before: Option<String>,
}

/// The theme of the path, if it is the project's; `NotFound` otherwise.
pub(crate) async fn project_theme(
    state: &WebState,
    user: &DashboardUser,
    id: &str,
) -> Result<Theme, WebError> {
    if id.is_empty() || id.chars().count() > MAX_ID_CHARS {
        return Err(WebError::NotFound("theme"));
    }
    state
        .store()
        .theme(user.project(), &ThemeId(id.to_string()))
        .await?
        .ok_or(WebError::NotFound("theme"))
}

/// GET `/themes/{id}`.
pub(crate) async fn page(
    State(state): State<WebState>,
    user: DashboardUser,
    Path(id): Path<String>,
    Query(q): Query<ThemeQuery>,
) -> Result<Markup, WebError> {
    let theme = project_theme(&state, &user, &id).await?;
    let store = state.store();
    let project = user.project();
    let now = Timestamp::now();
    let f = &q.filters;
    let filter = MentionFilter {
        theme: Some(theme.id.clone()),
        ..f.mention_filter(DEFAULT_RANGE, now)
    };
    let before = q.before.as_deref().and_then(|b| b.parse::<i64>().ok());
    let metrics = store.theme_metrics(project, &filter).await?;
    let mentions = store
        .list_mentions(project, &filter, before, MENTIONS)
        .await?;
    let sources = source_choices(&state, &user).await?;
    let breakdown = source_breakdown(&state, &user, &filter, &sources).await?;
    let others: Vec<Theme> = if user.role().can_edit() {
        let mut t: Vec<Theme> = store
            .themes(project)
            .await?
            .into_iter()
            .filter(|t| t.id != theme.id)
            .collect();
        t.sort_by_key(|t| theme_label(t).to_lowercase());
        t
    } else {
        Vec::new()
    };
    let parent = match &theme.parent_id {
        Some(p) => store
            .broad_themes(project)
            .await?
            .into_iter()
            .find(|b| &b.id == p),
        None => None,
    };
    let d = detail(theme, metrics, current_week(None, now), mentions);
    let next_before = (d.mentions.len() == MENTIONS as usize)
        .then(|| d.mentions.last().map(|m| m.id))
        .flatten();
    let title = theme_label(&d.view.theme).to_string();
    let here = theme_href(&d.view.theme.id);
    let content = html! {
        p { a href="/themes" { "All themes" } }
        h1.label { (title) }
        @if d.view.theme.name.is_some() {
            p.muted { "Generated label: " span.label { (d.view.theme.label) } }
        }
        @if d.view.theme.pinned { p { span.chip { "pinned" } " kept when themes are regrouped" } }
        @if let Some(parent) = &parent {
            p { "Part of the broad theme " a.label href=(super::broad::broad_href(&parent.id)) { (parent.label) } "." }
        }
        (filters::form(&here, f, DEFAULT_RANGE, &sources, Fields::default()))
        (summary(&d.view.metrics))
        div.grid {
            section.card aria-labelledby="phrases" {
                h2 #phrases { "Key phrases" }
                @if d.view.theme.key_phrases.is_empty() { p.muted { "None." } }
                ul.tabs {
                    @for p in &d.view.theme.key_phrases { li { span.chip { (p) } } }
                }
            }
            section.card aria-labelledby="sources" {
                h2 #sources { "Sources" }
                p { (count(d.view.metrics.sources)) " sources" }
                @if !breakdown.is_empty() {
                    ul {
                        @for (name, n) in &breakdown { li { (name) ": " (count(*n)) } }
                    }
                }
            }
        }
        section aria-labelledby="quotes" {
            h2 #quotes { "Representative quotes" }
            @if d.view.theme.quotes.is_empty() { p.muted { "None yet." } }
            @for quote in &d.view.theme.quotes { blockquote.quote { (quote) } }
        }
        (mention_list(&d.mentions, f, &here, before.is_some(), next_before))
        @if user.role().can_edit() {
            (super::edit::forms(&user, &d.view.theme, &others))
        }
    };
    Ok(layout::page(&title, &user, Section::Themes, content))
}

/// Mentions, weekly chart and the week-over-week numbers.
pub(super) fn summary(m: &MetricsView) -> Markup {
    let bars: Vec<Bar> = m
        .weekly
        .iter()
        .map(|w| Bar {
            label: time(w.week).chars().take(10).collect(),
            value: w.mentions as f64,
        })
        .collect();
    html! {
        div.grid {
            section.card aria-labelledby="weekly" {
                h2 #weekly { "Mentions per week" }
                (bar_chart("Mentions per week", &bars, ""))
            }
            section.card aria-labelledby="numbers" {
                h2 #numbers { "In this view" }
                dl.facts {
                    dt { "Mentions" } dd { (count(m.mentions)) }
                    dt { "Distinct users" } dd { (count(m.distinct_users)) }
                    dt { "This week" } dd { (count(m.this_week)) }
                    dt { "Last week" } dd { (count(m.last_week)) }
                    dt { "Change" } dd { (change(m)) }
                    dt { "Average sentiment" }
                    dd { @if m.mentions > 0 { (score(m.avg_sentiment)) " (−1 … +1)" } @else { "–" } }
                }
            }
        }
    }
}

/// The mentions of this page, newest first, each with a search for the feedback it came from.
pub(super) fn mention_list(
    mentions: &[MentionView],
    f: &Filters,
    here: &str,
    paged: bool,
    next_before: Option<i64>,
) -> Markup {
    html! {
        section aria-labelledby="mentions" {
            h2 #mentions { "Mentions" }
            @if mentions.is_empty() {
                p.muted { "No mentions in this view." }
            } @else {
                div.table-wrap role="region" aria-label="Mentions of this theme" tabindex="0" {
                    table {
                        thead {
                            tr {
                                th scope="col" { "When" }
                                th scope="col" { "Mention" }
                                th scope="col" { "Sentiment" }
                                th.hide-narrow scope="col" { "Category" }
                                th.hide-narrow scope="col" { "Said by" }
                            }
                        }
                        tbody {
                            @for m in mentions {
                                tr {
                                    td { (time(m.created_at)) }
                                    td {
                                        (m.text)
                                        br;
                                        a href=(find_href(m)) { "Find the feedback" span.sr-only { ": " (snippet(&m.text, 40)) } }
                                    }
                                    td { (chips::sentiment(m.sentiment)) }
                                    td.hide-narrow { (chips::category(m.category)) }
                                    td.hide-narrow { (m.user_key.as_deref().unwrap_or("–")) }
                                }
                            }
                        }
                    }
                }
            }
            nav.pager aria-label="Mention pages" {
                @if paged {
                    a href=(format!("{here}{}", f.with("after", None))) { "Newest mentions" }
                }
                @if let Some(b) = next_before {
                    a href=(format!("{here}{}", with_before(f, b))) { "Older mentions" }
                }
            }
        }
    }
}

/// The feedback search that finds a mention's item: the mention is a sentence of the item's
/// text or of one of its parts, so searching for it (all time) lists that item.
// The store's mentions do not carry their subject yet; once they do, this becomes a direct
// link to `/feedback/{item id}`.
fn find_href(m: &MentionView) -> String {
    let q: String = m.text.chars().take(120).collect();
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("range", "all")
        .append_pair("q", q.trim())
        .finish();
    format!("/feedback?{query}")
}

/// The filters' query with the mention page `before`.
fn with_before(f: &Filters, before: i64) -> String {
    let base = f.with("after", None);
    let sep = if base.is_empty() { '?' } else { '&' };
    format!("{base}{sep}before={before}")
}

/// Mentions of the theme per source and application of the project, most first, when the
/// project has few enough of them to ask for each.
async fn source_breakdown(
    state: &WebState,
    user: &DashboardUser,
    filter: &MentionFilter,
    sources: &[(String, String)],
) -> Result<Vec<(String, u64)>, WebError> {
    if sources.len() > MAX_SOURCE_BREAKDOWN {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for (id, name) in sources {
        let per = MentionFilter {
            source: Some(id.clone()),
            ..filter.clone()
        };
        let n: u64 = state
            .store()
            .theme_metrics(user.project(), &per)
            .await?
            .iter()
            .filter(|m| m.theme_id == filter.theme)
            .map(|m| m.mentions)
            .sum();
        if n > 0 {
            out.push((name.clone(), n));
        }
    }
    out.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    Ok(out)
}

/// Role needed to change a theme.
pub(crate) const EDIT_ROLE: Role = Role::Editor;

#[cfg(test)]
mod tests {
    use super::*;
    use hark_core::analysis::{Category, Sentiment};

    #[test]
    fn mention_pages_keep_the_filters() {
        let f = Filters {
            range: Some("7d".into()),
            after: Some("x".into()),
            ..Filters::default()
        };
        assert_eq!(with_before(&f, 41), "?range=7d&before=41");
        assert_eq!(with_before(&Filters::default(), 7), "?before=7");
    }

    #[test]
    fn a_mention_is_found_by_its_text() {
        let m = MentionView {
            id: 1,
            text: "Export & import are broken?".into(),
            sentiment: Sentiment::from_score(-0.5),
            category: Category::Bug,
            theme_id: None,
            user_key: None,
            created_at: Timestamp::from_micros(0),
        };
        assert_eq!(
            find_href(&m),
            "/feedback?range=all&q=Export+%26+import+are+broken%3F"
        );
    }
}
