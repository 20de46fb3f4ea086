//! `/themes`: the project's themes, one tab per category, ranked by mentions, distinct users or
//! growth; `/themes/{id}` ([`detail`]), the editors' changes to a theme ([`edit`]), and the
//! broad themes that group them ([`broad`]).

pub(crate) mod broad;
pub(crate) mod detail;
pub(crate) mod edit;
pub(crate) mod granularity;
mod sort;

use crate::auth::DashboardUser;
use crate::view::chips::score;
use crate::view::filters::{self, category_label, Fields, Filters};
use crate::view::format::{count, segment};
use crate::view::layout::{self, Section};
use crate::{WebError, WebState};
use axum::extract::{Query, State};
use hark_core::analysis::Category;
use hark_core::theme_view::{current_week, listing, MetricsView, ThemeView};
use hark_core::Timestamp;
use maud::{html, Markup};
use sort::Sort;

/// The range shown when the URL names none.
pub(crate) const DEFAULT_RANGE: &str = "90d";
/// Themes per page.
const PAGE: usize = 50;
/// The category tabs, after "All".
const TABS: [Category; 5] = [
    Category::Bug,
    Category::FeatureRequest,
    Category::Complaint,
    Category::Praise,
    Category::Question,
];

/// The sources a filter form offers: the project's sources and applications (a mention's
/// source is either), as (id, name).
pub(crate) async fn source_choices(
    state: &WebState,
    user: &DashboardUser,
) -> Result<Vec<(String, String)>, WebError> {
    let store = state.store();
    let mut out: Vec<(String, String)> = store
        .list_sources(user.project())
        .await?
        .into_iter()
        .map(|s| (s.source_id.to_string(), s.name))
        .collect();
    out.extend(
        store
            .list_applications(user.project())
            .await?
            .into_iter()
            .map(|a| {
                (
                    a.application_id.to_string(),
                    format!("{} (AI answers)", a.name),
                )
            }),
    );
    Ok(out)
}

/// The shown name of a theme: the name a person gave it, else its generated label.
pub(crate) fn theme_label(t: &hark_core::analysis::Theme) -> &str {
    t.name.as_deref().unwrap_or(&t.label)
}

/// The link of a theme's page.
pub(crate) fn theme_href(id: &hark_core::analysis::ThemeId) -> String {
    format!("/themes/{}", segment(&id.0))
}

/// `+50%`, `new` (nothing last week), `–` (nothing either week).
pub(crate) fn change(m: &MetricsView) -> String {
    match m.wow_change {
        Some(c) => format!("{:+.0}%", c * 100.0),
        None if m.this_week > 0 => "new".to_string(),
        None => "–".to_string(),
    }
}

/// GET `/themes`.
pub(crate) async fn page(
    State(state): State<WebState>,
    user: DashboardUser,
    Query(f): Query<Filters>,
) -> Result<Markup, WebError> {
    let store = state.store();
    let now = Timestamp::now();
    let filter = f.mention_filter(DEFAULT_RANGE, now);
    let themes = store.themes(user.project()).await?;
    let metrics = store.theme_metrics(user.project(), &filter).await?;
    let sources = source_choices(&state, &user).await?;
    let mut all = listing(themes, metrics, current_week(None, now), usize::MAX);
    let sort = Sort::parse(f.sort.as_deref());
    let mut views: Vec<ThemeView> = std::mem::take(&mut all.themes);
    // Within a category tab, themes without a mention of that category are noise.
    if filter.category.is_some() {
        views.retain(|v| v.metrics.mentions > 0);
    }
    sort.apply(&mut views);
    let offset = f
        .after
        .as_deref()
        .and_then(|a| a.parse::<usize>().ok())
        .unwrap_or(0)
        .min(views.len());
    let total = views.len();
    let shown = &views[offset..(offset + PAGE).min(total)];
    let next = (offset + PAGE < total).then(|| (offset + PAGE).to_string());
    let content = html! {
        h1 { "Themes" }
        nav aria-label="Categories" {
            ul.tabs {
                li { (tab(&f, None)) }
                @for c in TABS { li { (tab(&f, Some(c))) } }
            }
        }
        (filters::form("/themes", &f, DEFAULT_RANGE, &sources, Fields::default()))
        p { a href=(format!("/broad-themes{}", f.with("after", None))) { "Broad themes" } ": nearby themes grouped." }
        p {
            "Rank by: "
            @for s in Sort::ALL {
                @if s == sort {
                    strong aria-current="true" { (s.label()) }
                } @else {
                    a href=(format!("/themes{}", f.with("sort", Some(s.as_str())))) { (s.label()) }
                }
                " "
            }
        }
        @if shown.is_empty() {
            p.muted { "No themes here yet: they appear once feedback has been analysed and grouped." }
        } @else {
            div.table-wrap role="region" aria-label="Themes" tabindex="0" {
                table {
                    caption.sr-only { "Themes, " (sort.label()) }
                    thead {
                        tr {
                            th scope="col" { "Theme" }
                            th.num scope="col" { "Mentions" }
                            th.num scope="col" { "Users" }
                            th.num scope="col" { "This week" }
                            th.num.hide-narrow scope="col" { "Last week" }
                            th.num scope="col" { "Change" }
                            th.num.hide-narrow scope="col" { "Sentiment" }
                        }
                    }
                    tbody {
                        @for v in shown {
                            tr {
                                td {
                                    a.label href=(theme_href(&v.theme.id)) { (theme_label(&v.theme)) }
                                    @if v.theme.pinned { " " span.chip title="Pinned: kept when themes are regrouped" { "pinned" } }
                                }
                                td.num { (count(v.metrics.mentions)) }
                                td.num { (count(v.metrics.distinct_users)) }
                                td.num { (count(v.metrics.this_week)) }
                                td.num.hide-narrow { (count(v.metrics.last_week)) }
                                td.num { (change(&v.metrics)) }
                                td.num.hide-narrow {
                                    @if v.metrics.mentions > 0 { (score(v.metrics.avg_sentiment)) } @else { "–" }
                                }
                            }
                        }
                    }
                }
            }
            p.muted { "Themes " (offset + 1) "–" (offset + shown.len()) " of " (total) ". Sentiment: −1 very negative … +1 very positive." }
        }
        @if let Some(u) = &all.unthemed {
            p.muted { (count(u.mentions)) " mentions in this view are in no theme yet." }
        }
        nav.pager aria-label="Pages" {
            @if offset > 0 {
                a href=(format!("/themes{}", f.with("after", Some(&offset.saturating_sub(PAGE).to_string())))) { "Previous themes" }
            }
            @if let Some(n) = &next {
                a href=(format!("/themes{}", f.with("after", Some(n)))) { "More themes" }
            }
        }
    };
    Ok(layout::page("Themes", &user, Section::Themes, content))
}

/// One category tab, the current one marked.
fn tab(f: &Filters, c: Option<Category>) -> Markup {
    let href = format!("/themes{}", f.with("category", c.map(Category::as_str)));
    let label = c.map_or("All", category_label);
    html! {
        @if f.category() == c {
            a href=(href) aria-current="page" { (label) }
        } @else {
            a href=(href) { (label) }
        }
    }
}
