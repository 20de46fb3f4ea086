//! hark's read-back and privacy API, scoped to the caller's project:
//! `GET /api/1/items`, `GET|DELETE /api/1/items/{id}` (an item with its analysis),
//! `POST /api/1/privacy/erase`.

use super::input::items::ListParams;
use super::input::{ItemIdParam, ValidJson, ValidQuery};
use super::{ApiError, ProjectKey};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use hark_core::analysis::{StoredAnalysis, Subject};
use hark_core::{ErasureReport, ErasureSubject, ItemCursor, StoredItem};
use serde::Serialize;

/// One page of the item listing.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ItemList {
    /// Items, newest first, without their parts.
    pub items: Vec<StoredItem>,
    /// Pass as `cursor` to get the next page; `null` at the end.
    pub next_cursor: Option<String>,
}

/// Answer of a deletion.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Deleted {
    /// Always true: a missing item is a 404.
    pub deleted: bool,
}

/// Lists the project's items matching the query's filters.
#[utoipa::path(get, path = "/api/1/items", tag = "items", operation_id = "listItems", params(crate::openapi::params::ItemsQuery), responses((status = 200, description = "One page of items, newest first", body = ItemList)))]
pub async fn list(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
    ValidQuery(query): ValidQuery<ListParams>,
) -> Result<Json<ItemList>, ApiError> {
    let page = state
        .store()
        .list_items(&project_id, &query.filter, query.cursor, query.limit)
        .await?;
    Ok(Json(ItemList {
        items: page.items,
        next_cursor: page.next.map(ItemCursor::encode),
    }))
}

/// One item with its analysis, as `GET /api/1/items/{id}` shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ItemView {
    /// The item and its conversation parts.
    #[serde(flatten)]
    pub item: StoredItem,
    /// Its category, sentiment and mentions; `null` until it has been analysed.
    pub analysis: Option<StoredAnalysis>,
}

/// One item of the project, with its conversation parts in order and its analysis.
#[utoipa::path(get, path = "/api/1/items/{id}", tag = "items", operation_id = "getItem", params(("id" = i64, Path, description = "The item's id")), responses((status = 200, description = "The item, its parts and its analysis", body = ItemView)))]
pub async fn get(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
    ItemIdParam(id): ItemIdParam,
) -> Result<Json<ItemView>, ApiError> {
    let store = state.store();
    let item = store
        .get_item(&project_id, id)
        .await?
        .ok_or(ApiError::NotFound("item"))?;
    let analysis = store.analysis(&project_id, Subject::Item(id.0)).await?;
    Ok(Json(ItemView { item, analysis }))
}

/// Deletes one item of the project and its parts.
#[utoipa::path(delete, path = "/api/1/items/{id}", tag = "items", operation_id = "deleteItem", params(("id" = i64, Path, description = "The item's id")), responses((status = 200, description = "Deleted with its parts and analysis", body = Deleted)))]
pub async fn delete(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
    ItemIdParam(id): ItemIdParam,
) -> Result<Json<Deleted>, ApiError> {
    if state.store().delete_item(&project_id, id).await? {
        Ok(Json(Deleted { deleted: true }))
    } else {
        Err(ApiError::NotFound("item"))
    }
}

/// Removes everything of the project that carries the subject's user id or email.
#[utoipa::path(post, path = "/api/1/privacy/erase", tag = "items", operation_id = "erasePerson", request_body = crate::openapi::bodies::EraseBody, responses((status = 200, description = "What was erased", body = ErasureReport)))]
pub async fn erase(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
    ValidJson(subject): ValidJson<ErasureSubject>,
) -> Result<Json<ErasureReport>, ApiError> {
    let report = state.store().erase_subject(&project_id, &subject).await?;
    Ok(Json(report))
}
