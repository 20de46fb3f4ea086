//! `/`: feedback volume, category mix, top and rising themes, the AI-answer useful rate and
//! the analysis status with the language mix.

use crate::auth::DashboardUser;
use crate::charts::{bar_chart, Bar};
use crate::view::filters::{self, category_label, Fields, Filters};
use crate::view::format::{count, percent, time};
use crate::view::layout::{self, Section};
use crate::{WebError, WebState};
use axum::extract::{Query, State};
use hark_core::chat::{Period, StatsQuery};
use hark_core::theme_view::{current_week, listing};
use hark_core::Timestamp;
use maud::{html, Markup};
use std::collections::BTreeMap;

const DEFAULT_RANGE: &str = "90d";
/// Newest mentions the analysis card's language mix reads: the overview is the most visited
/// page, and detecting 5,000 (the API's sample) would cost it 100 ms or more.
const LANGUAGE_SAMPLE: u32 = 500;
/// Languages named in the analysis card (the rest are "others").
const LANGUAGES_SHOWN: usize = 3;

/// GET `/`.
pub(crate) async fn page(
    State(state): State<WebState>,
    user: DashboardUser,
    Query(f): Query<Filters>,
) -> Result<Markup, WebError> {
    let store = state.store();
    let project = user.project();
    let now = Timestamp::now();
    let filter = f.mention_filter(DEFAULT_RANGE, now);
    let (themes, metrics, depth, sources, stats) = (
        store.themes(project).await?,
        store.theme_metrics(project, &filter).await?,
        store.queue_depth(Some(project)).await?,
        store.list_sources(project).await?,
        store
            .feedback_stats(
                project,
                &StatsQuery {
                    application_id: None,
                    from: f.from(DEFAULT_RANGE, now),
                    to: None,
                    period: Period::Week,
                    top: 0,
                },
            )
            .await?,
    );
    let last_clustering = themes.iter().map(|t| t.updated_at).max();
    let (languages, _) =
        hark_analysis::language::project_mix(store, project, &filter, LANGUAGE_SAMPLE).await?;
    let told = languages.determined();
    // Volume and category mix over every mention in the range, themed or not.
    let mut weekly: BTreeMap<i64, u64> = BTreeMap::new();
    let mut categories = vec![0u64; hark_core::analysis::Category::ALL.len()];
    let (mut mentions, mut sentiment_sum) = (0u64, 0f64);
    for m in &metrics {
        for w in &m.weekly {
            *weekly.entry(w.week.as_micros()).or_default() += w.mentions;
        }
        for (c, n) in &m.categories {
            categories[c.index()] += n;
        }
        mentions += m.mentions;
        sentiment_sum += f64::from(m.avg_sentiment) * m.mentions as f64;
    }
    let volume: Vec<Bar> = weekly
        .iter()
        .map(|(w, n)| Bar {
            label: time(Timestamp::from_micros(*w)).chars().take(10).collect(),
            value: *n as f64,
        })
        .collect();
    let listing = listing(themes, metrics, current_week(None, now), 8);
    // Useful rate per week over every application.
    let mut by_week: BTreeMap<i64, (u64, u64)> = BTreeMap::new();
    for b in &stats.buckets {
        let e = by_week.entry(b.period_start.as_micros()).or_default();
        e.0 += b.useful;
        e.1 += b.not_useful;
    }
    let (useful, not_useful) = by_week
        .values()
        .fold((0, 0), |(u, n), (bu, bn)| (u + bu, n + bn));
    let rate: Vec<Bar> = by_week
        .iter()
        .filter(|(_, (u, n))| u + n > 0)
        .map(|(w, (u, n))| Bar {
            label: time(Timestamp::from_micros(*w)).chars().take(10).collect(),
            value: *u as f64 * 100.0 / (u + n) as f64,
        })
        .collect();
    let source_names: Vec<(String, String)> = sources
        .iter()
        .map(|s| (s.source_id.to_string(), s.name.clone()))
        .collect();
    let content = html! {
        h1 { "Overview" }
        (filters::form("/", &f, DEFAULT_RANGE, &source_names, Fields::default()))
        div.grid {
            section.card aria-labelledby="vol" {
                h2 #vol { "Feedback volume" }
                p { span.stat { (count(mentions)) } " mentions" }
                (bar_chart("Mentions per week", &volume, ""))
            }
            section.card aria-labelledby="mix" {
                h2 #mix { "Category mix" }
                table {
                    thead { tr { th scope="col" { "Category" } th.num scope="col" { "Mentions" } th.num scope="col" { "Share" } } }
                    tbody {
                        @for c in hark_core::analysis::Category::ALL {
                            tr {
                                td { a href=(format!("/themes?category={}", c.as_str())) { (category_label(c)) } }
                                td.num { (count(categories[c.index()])) }
                                td.num { (percent(categories[c.index()], mentions)) }
                            }
                        }
                    }
                }
                p.muted {
                    "Average sentiment: "
                    @if mentions > 0 { (format!("{:+.2}", sentiment_sum / mentions as f64)) } @else { "–" }
                    " (−1 very negative … +1 very positive)"
                }
            }
        }
        div.grid {
            section.card aria-labelledby="top" {
                h2 #top { "Top themes" }
                @if listing.themes.is_empty() {
                    p.muted { "No themes yet: they appear once feedback has been analysed." }
                } @else {
                    ol {
                        @for v in listing.themes.iter().filter(|v| v.metrics.mentions > 0) {
                            li {
                                a.label href=(format!("/themes/{}", v.theme.id.0)) { (v.theme.name.as_deref().unwrap_or(&v.theme.label)) }
                                " " span.muted { (count(v.metrics.mentions)) " mentions" }
                            }
                        }
                    }
                }
            }
            section.card aria-labelledby="rising" {
                h2 #rising { "Rising this week" }
                @if listing.rising.is_empty() {
                    p.muted { "Nothing is rising compared with last week." }
                } @else {
                    ul {
                        @for id in &listing.rising {
                            @if let Some(v) = listing.themes.iter().find(|v| &v.theme.id == id) {
                                li {
                                    a.label href=(format!("/themes/{}", id.0)) { (v.theme.name.as_deref().unwrap_or(&v.theme.label)) }
                                    " " span.muted { (v.metrics.this_week) " this week, " (v.metrics.last_week) " last week" }
                                }
                            }
                        }
                    }
                }
            }
        }
        div.grid {
            section.card aria-labelledby="ai" {
                h2 #ai { "AI answers" }
                p { span.stat { (percent(useful, useful + not_useful)) } " useful" }
                p.muted { (count(useful)) " useful, " (count(not_useful)) " not useful" }
                (bar_chart("Useful rate per week", &rate, "%"))
                p { a href="/ai-answers" { "AI answer quality" } }
            }
            section.card aria-labelledby="status" {
                h2 #status { "Analysis" }
                dl.facts {
                    dt { "Model" }
                    dd { @if state.pipeline().is_some() { "loaded" } @else { "not loaded (feedback is stored; analysis waits)" } }
                    dt { "Waiting for analysis" }
                    dd { (count(depth.ready)) }
                    dt { "Being analysed" }
                    dd { (count(depth.leased)) }
                    dt { "Last clustering" }
                    dd { @if let Some(t) = last_clustering { (time(t)) " UTC" } @else { "not yet" } }
                    dt { "Languages" }
                    dd {
                        @if told == 0 { "not known yet" }
                        @for (i, (l, n)) in languages.languages.iter().take(LANGUAGES_SHOWN).enumerate() {
                            @if i > 0 { ", " }
                            (l.name()) " " (percent(*n, told))
                        }
                        @if languages.languages.len() > LANGUAGES_SHOWN { ", others" }
                    }
                }
            }
        }
    };
    Ok(layout::page("Overview", &user, Section::Overview, content))
}
