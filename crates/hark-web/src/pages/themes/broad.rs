//! `/broad-themes`: the upper level of the theme hierarchy — each broad theme with its themes
//! and metrics — and `/broad-themes/{id}`: one broad theme, its themes compared, its quotes and
//! mentions. Read only: broad themes are recomputed with every theme discovery.

use super::detail::{mention_list, summary, ThemeQuery, MAX_ID_CHARS, MENTIONS};
use super::{change, source_choices, theme_href, theme_label, DEFAULT_RANGE};
use crate::auth::DashboardUser;
use crate::view::chips::score;
use crate::view::filters::{self, Fields, Filters};
use crate::view::format::{count, segment};
use crate::view::layout::{self, Section};
use crate::{WebError, WebState};
use axum::extract::{Path, Query, State};
use hark_core::analysis::{MentionFilter, Theme, ThemeId};
use hark_core::theme_view::{broad_detail, broad_listing, current_week, MetricsView};
use hark_core::Timestamp;
use maud::{html, Markup};
use std::collections::HashMap;

/// Themes named under a broad theme in the listing before "and N more".
const CHILDREN_SHOWN: usize = 4;

/// The link of a broad theme's page.
pub(crate) fn broad_href(id: &ThemeId) -> String {
    format!("/broad-themes/{}", segment(&id.0))
}

/// The number cells of a metrics row (mentions, users, this week, change, sentiment).
fn metric_cells(m: &MetricsView) -> Markup {
    html! {
        td.num { (count(m.mentions)) }
        td.num { (count(m.distinct_users)) }
        td.num { (count(m.this_week)) }
        td.num { (change(m)) }
        td.num.hide-narrow {
            @if m.mentions > 0 { (score(m.avg_sentiment)) } @else { "–" }
        }
    }
}

fn metric_headers() -> Markup {
    html! {
        th.num scope="col" { "Mentions" }
        th.num scope="col" { "Users" }
        th.num scope="col" { "This week" }
        th.num scope="col" { "Change" }
        th.num.hide-narrow scope="col" { "Sentiment" }
    }
}

/// GET `/broad-themes`.
pub(crate) async fn page(
    State(state): State<WebState>,
    user: DashboardUser,
    Query(f): Query<Filters>,
) -> Result<Markup, WebError> {
    let store = state.store();
    let project = user.project();
    let now = Timestamp::now();
    let filter = f.mention_filter(DEFAULT_RANGE, now);
    let broad = store.broad_themes(project).await?;
    let themes = store.themes(project).await?;
    let metrics = store.broad_theme_metrics(project, &filter).await?;
    let sources = source_choices(&state, &user).await?;
    let listing = broad_listing(broad, &themes, metrics, current_week(None, now), usize::MAX);
    let by_id: HashMap<&ThemeId, &Theme> = themes.iter().map(|t| (&t.id, t)).collect();
    let granularity = if user.role().can_edit() {
        Some(store.theme_granularity(project).await?)
    } else {
        None
    };
    let content = html! {
        p { a href=(format!("/themes{}", f.with("after", None))) { "All themes" } }
        h1 { "Broad themes" }
        p.muted { "Nearby themes grouped: each broad theme counts the mentions of its themes together." }
        (filters::form("/broad-themes", &f, DEFAULT_RANGE, &sources, Fields::default()))
        @if listing.broad_themes.is_empty() {
            p.muted { "No broad themes yet: they appear once there are enough themes to group." }
        } @else {
            div.table-wrap role="region" aria-label="Broad themes" tabindex="0" {
                table {
                    caption.sr-only { "Broad themes, most mentions first" }
                    thead { tr { th scope="col" { "Broad theme" } (metric_headers()) } }
                    tbody {
                        @for v in &listing.broad_themes {
                            @let children: Vec<&Theme> = v.broad.children.iter().filter_map(|c| by_id.get(c).copied()).collect();
                            tr {
                                td {
                                    a.label href=(broad_href(&v.broad.id)) { (v.broad.label) }
                                    br;
                                    span.muted {
                                        (children.len()) " themes: "
                                        @for (i, t) in children.iter().take(CHILDREN_SHOWN).enumerate() {
                                            @if i > 0 { "; " }
                                            a.label href=(theme_href(&t.id)) { (theme_label(t)) }
                                        }
                                        @if children.len() > CHILDREN_SHOWN { "; and " (children.len() - CHILDREN_SHOWN) " more" }
                                    }
                                }
                                (metric_cells(&v.metrics))
                            }
                        }
                    }
                }
            }
        }
        @if let Some(u) = &listing.ungrouped {
            p.muted { (count(u.mentions)) " mentions in this view are in no broad theme (in no theme, or in a theme of its own)." }
        }
        @if let Some(current) = granularity {
            (super::granularity::form(&user, current))
        }
    };
    Ok(layout::page(
        "Broad themes",
        &user,
        Section::Themes,
        content,
    ))
}

/// GET `/broad-themes/{id}`.
pub(crate) async fn detail_page(
    State(state): State<WebState>,
    user: DashboardUser,
    Path(id): Path<String>,
    Query(q): Query<ThemeQuery>,
) -> Result<Markup, WebError> {
    if id.is_empty() || id.chars().count() > MAX_ID_CHARS {
        return Err(WebError::NotFound("broad theme"));
    }
    let store = state.store();
    let project = user.project();
    let broad = store
        .broad_themes(project)
        .await?
        .into_iter()
        .find(|b| b.id.0 == id)
        .ok_or(WebError::NotFound("broad theme"))?;
    let now = Timestamp::now();
    let f = &q.filters;
    let filter = MentionFilter {
        broad: Some(broad.id.clone()),
        ..f.mention_filter(DEFAULT_RANGE, now)
    };
    let before = q.before.as_deref().and_then(|b| b.parse::<i64>().ok());
    let themes = store.themes(project).await?;
    let broad_metrics = store.broad_theme_metrics(project, &filter).await?;
    let theme_metrics = store.theme_metrics(project, &filter).await?;
    let mentions = store
        .list_mentions(project, &filter, before, MENTIONS)
        .await?;
    let sources = source_choices(&state, &user).await?;
    let week = current_week(None, now);
    let d = broad_detail(broad, themes, broad_metrics, theme_metrics, week, mentions);
    let next_before = (d.mentions.len() == MENTIONS as usize)
        .then(|| d.mentions.last().map(|m| m.id))
        .flatten();
    let title = d.view.broad.label.clone();
    let here = broad_href(&d.view.broad.id);
    let content = html! {
        p { a href="/broad-themes" { "All broad themes" } " · " a href="/themes" { "All themes" } }
        h1.label { (title) }
        p.muted { "A broad theme: " (d.themes.len()) " nearby themes, their mentions counted together." }
        (filters::form(&here, f, DEFAULT_RANGE, &sources, Fields::default()))
        (summary(&d.view.metrics))
        section aria-labelledby="children" {
            h2 #children { "Its themes" }
            div.table-wrap role="region" aria-label="Themes of this broad theme" tabindex="0" {
                table {
                    thead { tr { th scope="col" { "Theme" } (metric_headers()) } }
                    tbody {
                        @for v in &d.themes {
                            tr {
                                td { a.label href=(theme_href(&v.theme.id)) { (theme_label(&v.theme)) } }
                                (metric_cells(&v.metrics))
                            }
                        }
                    }
                }
            }
        }
        div.grid {
            section.card aria-labelledby="phrases" {
                h2 #phrases { "Key phrases" }
                @if d.view.broad.key_phrases.is_empty() { p.muted { "None." } }
                ul.tabs {
                    @for p in &d.view.broad.key_phrases { li { span.chip { (p) } } }
                }
            }
            section.card aria-labelledby="quotes" {
                h2 #quotes { "Representative quotes" }
                @if d.view.quotes.is_empty() { p.muted { "None yet." } }
                @for quote in &d.view.quotes { blockquote.quote { (quote) } }
            }
        }
        (mention_list(&d.mentions, f, &here, before.is_some(), next_before))
    };
    Ok(layout::page(&title, &user, Section::Themes, content))
}
