//! The analysis API, scoped to the caller's project ([`ProjectKey`]):
//!
//! - `PUT /api/1/items/{id}/category` — `{"category": "bug"}`: a person's category, kept when
//!   the item is analysed again and learned from as a correction;
//! - `POST /api/1/analysis/examples` — `{"examples": [{"text", "category"}, …]}`: labelled
//!   examples to learn categories from (1–1000 per request);
//! - `POST /api/1/analysis/reanalyze` — queues every item and chat comment again (202);
//! - `GET /api/1/analysis/status` — whether the model is loaded, and the project's queue.

use super::input::analysis::{Examples, NewCategory};
use super::input::{ItemIdParam, ValidJson};
use super::{ApiError, ProjectKey};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use hark_core::analysis::{Category, Subject};
use serde::Serialize;

/// Answer of a category set by hand.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CategorySet {
    /// The category now shown.
    pub category: Category,
    /// Always `user`.
    pub category_source: &'static str,
}

/// Answer of an example import.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Added {
    /// Examples stored.
    pub added: u64,
}

/// Answer of a re-analysis request.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Queued {
    /// Subjects queued.
    pub queued: u64,
}

/// `GET /api/1/analysis/status`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AnalysisStatus {
    /// `ready` once the model has loaded, else `unavailable` (loading or missing).
    pub model: &'static str,
    /// The project's subjects waiting for analysis.
    pub queue: QueueView,
}

/// A project's analysis queue.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QueueView {
    /// Waiting to be claimed.
    pub ready: u64,
    /// Being analysed now.
    pub leased: u64,
}

/// `PUT /api/1/items/{id}/category`.
#[utoipa::path(put, path = "/api/1/items/{id}/category", tag = "analysis", operation_id = "setItemCategory", params(("id" = i64, Path, description = "The item's id")), request_body = crate::openapi::bodies::CategoryBody, responses((status = 200, description = "The category is set and kept", body = CategorySet)))]
pub async fn set_category(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
    ItemIdParam(id): ItemIdParam,
    ValidJson(NewCategory(category)): ValidJson<NewCategory>,
) -> Result<Json<CategorySet>, ApiError> {
    state
        .store()
        .set_category(&project_id, Subject::Item(id.0), category)
        .await?;
    Ok(Json(CategorySet {
        category,
        category_source: "user",
    }))
}

/// `POST /api/1/analysis/examples`; nothing is stored when any example is invalid.
#[utoipa::path(post, path = "/api/1/analysis/examples", tag = "analysis", operation_id = "addExamples", request_body = crate::openapi::bodies::ExamplesBody, responses((status = 200, description = "Examples stored", body = Added)))]
pub async fn add_examples(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
    ValidJson(Examples(examples)): ValidJson<Examples>,
) -> Result<Json<Added>, ApiError> {
    let added = state.store().add_examples(&project_id, examples).await?;
    Ok(Json(Added { added }))
}

/// `POST /api/1/analysis/reanalyze`: 202, the work happens in the background.
#[utoipa::path(post, path = "/api/1/analysis/reanalyze", tag = "analysis", operation_id = "reanalyze", responses((status = 202, description = "Every item queued for analysis", body = Queued)))]
pub async fn reanalyze(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
) -> Result<(StatusCode, Json<Queued>), ApiError> {
    let queued = state.store().requeue_project(&project_id).await?;
    Ok((StatusCode::ACCEPTED, Json(Queued { queued })))
}

/// `GET /api/1/analysis/status`.
#[utoipa::path(get, path = "/api/1/analysis/status", tag = "analysis", operation_id = "analysisStatus", responses((status = 200, description = "The model and the analysis queue", body = AnalysisStatus)))]
pub async fn status(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
) -> Result<Json<AnalysisStatus>, ApiError> {
    let depth = state.store().queue_depth(Some(&project_id)).await?;
    let model = if state.config().analysis.is_ready() {
        "ready"
    } else {
        "unavailable"
    };
    Ok(Json(AnalysisStatus {
        model,
        queue: QueueView {
            ready: depth.ready,
            leased: depth.leased,
        },
    }))
}
