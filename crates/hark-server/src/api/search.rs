//! `GET /api/1/search` (hybrid search of the caller's feedback: meaning and words) and
//! `GET /api/1/items/{id}/similar` (feedback like one item), scoped to the caller's project.
//! Until the model has loaded, search is by words only (`"mode": "keyword"`) and similar
//! answers 503.

use super::input::search::{SearchParams, SimilarParams};
use super::input::{ItemIdParam, ValidQuery};
use super::{ApiError, ProjectKey};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use hark_analysis::search::{self, SearchHit};
use hark_core::StoredItem;
use serde::Serialize;

/// One found item.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Found {
    /// The item, as the listing shows it.
    pub item: StoredItem,
    /// Cosine similarity of its best mention to the query (`null` when only its words matched
    /// or the model is not loaded).
    pub similarity: Option<f32>,
    /// True when its text contains the query literally (case-insensitive).
    pub keyword: bool,
    /// Its mention closest to the query.
    pub mention: Option<String>,
}

impl From<SearchHit> for Found {
    fn from(h: SearchHit) -> Self {
        Self {
            item: h.item,
            similarity: h.similarity.map(|s| (s * 1000.0).round() / 1000.0),
            keyword: h.keyword,
            mention: h.mention,
        }
    }
}

/// A page of search results.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SearchAnswer {
    /// `hybrid` (meaning and words) or `keyword` (words only: the model is not loaded yet).
    pub mode: &'static str,
    /// Best first.
    pub results: Vec<Found>,
    /// Pass as `offset` for the next page; `null` at the end.
    pub next_offset: Option<usize>,
}

/// Searches the project's feedback.
#[utoipa::path(get, path = "/api/1/search", tag = "search", operation_id = "search", params(crate::openapi::params::SearchQuery), responses((status = 200, description = "The best matches first", body = SearchAnswer)))]
pub async fn search(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
    ValidQuery(SearchParams(query)): ValidQuery<SearchParams>,
) -> Result<Json<SearchAnswer>, ApiError> {
    let results = match state.config().analysis.get() {
        Some(pipeline) => pipeline.search(&project_id, &query).await?,
        None => search::keyword_only(state.store(), &project_id, &query).await?,
    };
    let next_offset = results.more.then_some(query.offset + results.hits.len());
    Ok(Json(SearchAnswer {
        mode: if results.semantic {
            "hybrid"
        } else {
            "keyword"
        },
        results: results.hits.into_iter().map(Found::from).collect(),
        next_offset,
    }))
}

/// Items similar to one.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SimilarAnswer {
    /// Most similar first; empty until the item has been analysed.
    pub results: Vec<Found>,
}

/// Feedback like the item, by meaning.
#[utoipa::path(get, path = "/api/1/items/{id}/similar", tag = "search", operation_id = "similarItems", params(("id" = i64, Path, description = "The item's id"), crate::openapi::params::SimilarQuery), responses((status = 200, description = "The items closest in meaning", body = SimilarAnswer)))]
pub async fn similar(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
    ItemIdParam(id): ItemIdParam,
    ValidQuery(params): ValidQuery<SimilarParams>,
) -> Result<Json<SimilarAnswer>, ApiError> {
    let pipeline = state.config().analysis.require()?;
    state
        .store()
        .get_item(&project_id, id)
        .await?
        .ok_or(ApiError::NotFound("item"))?;
    let hits = pipeline.similar(&project_id, id, params.limit).await?;
    Ok(Json(SimilarAnswer {
        results: hits.into_iter().map(Found::from).collect(),
    }))
}
