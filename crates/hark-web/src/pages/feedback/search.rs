//! `/feedback?q=…`: hybrid search (meaning and words, `hark_analysis::search`) within the
//! page's filters, best match first, 25 a page (the page's `after` is then an offset), each
//! row with how it matched; and the "similar feedback" list of an item page.

use super::{source_name, PAGE};
use crate::view::chips;
use crate::view::filters::Filters;
use crate::view::format::{snippet, time};
use crate::{WebError, WebState};
use hark_analysis::search::{self, SearchHit, SearchQuery, SearchResults, MAX_DEPTH};
use hark_core::analysis::{StoredAnalysis, Subject};
use hark_core::{ItemFilter, ProjectId, Source};
use maud::{html, Markup};

/// A found item with its analysis.
pub(crate) struct Found {
    pub hit: SearchHit,
    pub analysis: Option<StoredAnalysis>,
}

/// One page of results for the filters' text.
pub(crate) async fn run(
    state: &WebState,
    project: &ProjectId,
    f: &Filters,
    filter: ItemFilter,
    text: &str,
) -> Result<(Vec<Found>, SearchResults, usize), WebError> {
    let offset = f
        .after
        .as_deref()
        .and_then(|a| a.parse::<usize>().ok())
        .unwrap_or(0)
        .min(MAX_DEPTH);
    let query = SearchQuery {
        text: text.to_string(),
        filter,
        offset,
        limit: PAGE,
    };
    let mut results = match state.pipeline() {
        Some(p) => p
            .search(project, &query)
            .await
            .map_err(WebError::analysis)?,
        None => search::keyword_only(state.store(), project, &query).await?,
    };
    let found = with_analysis(state, project, std::mem::take(&mut results.hits)).await?;
    Ok((found, results, offset))
}

/// Items similar to one, with their analysis (empty without the model).
pub(crate) async fn similar(
    state: &WebState,
    project: &ProjectId,
    item: hark_core::ItemId,
    limit: usize,
) -> Result<Option<Vec<Found>>, WebError> {
    let Some(p) = state.pipeline() else {
        return Ok(None);
    };
    let hits = p
        .similar(project, item, limit)
        .await
        .map_err(WebError::analysis)?;
    Ok(Some(with_analysis(state, project, hits).await?))
}

async fn with_analysis(
    state: &WebState,
    project: &ProjectId,
    hits: Vec<SearchHit>,
) -> Result<Vec<Found>, WebError> {
    let mut out = Vec::with_capacity(hits.len());
    for hit in hits {
        let analysis = state
            .store()
            .analysis(project, Subject::Item(hit.item.id.0))
            .await?;
        out.push(Found { hit, analysis });
    }
    Ok(out)
}

/// How a result matched, in words.
fn matched(hit: &SearchHit) -> String {
    match (hit.similarity, hit.keyword) {
        (Some(s), true) if s >= search::MIN_SIMILARITY => {
            format!("words and meaning ({:.0}% similar)", s * 100.0)
        }
        (Some(s), false) => format!("meaning ({:.0}% similar)", s * 100.0),
        _ => "words".to_string(),
    }
}

/// The results table.
pub(crate) fn table(found: &[Found], sources: &[Source], caption: &str) -> Markup {
    html! {
        div.table-wrap role="region" aria-label=(caption) tabindex="0" {
            table {
                caption.sr-only { (caption) }
                thead {
                    tr {
                        th scope="col" { "Feedback" }
                        th scope="col" { "Matched by" }
                        th.hide-narrow scope="col" { "When" }
                        th.hide-narrow scope="col" { "Source" }
                        th scope="col" { "Category" }
                    }
                }
                tbody {
                    @for row in found {
                        @let item = &row.hit.item;
                        tr {
                            td {
                                a href=(format!("/feedback/{}", item.id.0)) {
                                    @match item.body.as_deref().map(|b| snippet(b, 140)).filter(|s| !s.is_empty()) {
                                        Some(s) => (s),
                                        None => { "Item " (item.id.0) " (no text of its own)" },
                                    }
                                }
                                @if let Some(m) = row.hit.mention.as_deref().filter(|m| item.body.as_deref().is_none_or(|b| snippet(b, 140) != snippet(m, 140))) {
                                    br;
                                    span.muted { "“" (snippet(m, 120)) "”" }
                                }
                            }
                            td { (matched(&row.hit)) }
                            td.hide-narrow { (time(item.created_at)) }
                            td.hide-narrow { (source_name(sources, item.source_id.as_str())) }
                            td {
                                @if let Some(a) = &row.analysis { (chips::category(a.category)) }
                                @else { span.muted { "not analysed yet" } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The whole results section of `/feedback` when it has search text.
pub(crate) fn section(
    f: &Filters,
    found: &[Found],
    results: &SearchResults,
    offset: usize,
    sources: &[Source],
) -> Markup {
    html! {
        @if !results.semantic {
            p.notice role="status" { "The model is still loading: these results match the words only." }
        }
        @if found.is_empty() {
            p.muted { "No feedback matches “" (f.q().unwrap_or_default()) "” in this view." }
        } @else {
            p.muted { "Best matches first, by meaning and by words." }
            (table(found, sources, "Search results, best first"))
        }
        nav.pager aria-label="Pages" {
            @if offset > 0 {
                @let back = offset.saturating_sub(PAGE);
                a href=(format!("/feedback{}", f.with("after", (back > 0).then(|| back.to_string()).as_deref()))) { "Better matches" }
            }
            @if results.more {
                a href=(format!("/feedback{}", f.with("after", Some(&(offset + found.len()).to_string())))) { "More matches" }
            }
        }
    }
}
