//! Themes and mentions, scoped to the caller's project ([`ProjectKey`]); another project's
//! theme ids are 404:
//!
//! - `GET /api/1/themes?from=&to=&source=&category=&said_in=&limit=` — every theme with its metrics,
//!   the unthemed mentions' metrics and the rising themes ([`themes_view::listing`]);
//! - `GET /api/1/themes/{id}` — one theme, its metrics and its newest mentions (20 by default);
//! - `PATCH /api/1/themes/{id}` — `{"name": "…" | null, "pinned": bool}`;
//! - `POST /api/1/themes/{id}/merge` — `{"into": "th_…"}`: moves its mentions into another;
//! - `DELETE /api/1/themes/{id}` — its mentions become unthemed (204);
//! - `POST /api/1/themes/recluster` — rediscovers the project's themes now (503 without model);
//! - `GET /api/1/mentions?theme=&category=&source=&said_in=&from=&to=&before=&limit=` — mentions, newest
//!   first, paged by `before`.

use super::input::themes::{parse_merge, MentionsQuery, ThemePatch, ThemesQuery, THEME_MENTIONS};
use super::input::{JsonBody, ThemeIdParam, ValidJson, ValidQuery, DEFAULT_LIMIT};
use super::themes_view::{self, current_week, ThemeDetail, ThemeListing};
use super::{ApiError, ProjectKey};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use hark_analysis::themes::Scope;
use hark_core::analysis::{MentionFilter, MentionView, Theme};
use hark_core::Timestamp;
use serde::Serialize;

/// Answer of a re-clustering.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Reclustered {
    /// Themes created or changed.
    pub themes_updated: usize,
}

/// One page of mentions.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MentionList {
    /// Mentions, newest first.
    pub mentions: Vec<MentionView>,
    /// Pass as `before` to get the next page; `null` at the end.
    pub next_before: Option<i64>,
}

/// `GET /api/1/themes`.
#[utoipa::path(get, path = "/api/1/themes", tag = "themes", operation_id = "listThemes", params(crate::openapi::params::ThemesQuery), responses((status = 200, description = "Every theme with its metrics, the unthemed mentions and the rising themes", body = ThemeListing)))]
pub async fn list(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
    ValidQuery(q): ValidQuery<ThemesQuery>,
) -> Result<Json<ThemeListing>, ApiError> {
    let themes = state.store().themes(&project_id).await?;
    let metrics = state.store().theme_metrics(&project_id, &q.filter).await?;
    let week = current_week(q.filter.to, Timestamp::now());
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT) as usize;
    Ok(Json(themes_view::listing(themes, metrics, week, limit)))
}

/// `GET /api/1/themes/{id}`.
#[utoipa::path(get, path = "/api/1/themes/{id}", tag = "themes", operation_id = "getTheme", params(("id" = String, Path, description = "The theme's id (`th_…`)"), crate::openapi::params::ThemesQuery), responses((status = 200, description = "The theme, its metrics and newest mentions", body = ThemeDetail)))]
pub async fn get(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
    ThemeIdParam(id): ThemeIdParam,
    ValidQuery(q): ValidQuery<ThemesQuery>,
) -> Result<Json<ThemeDetail>, ApiError> {
    let store = state.store();
    let theme = store
        .theme(&project_id, &id)
        .await?
        .ok_or(ApiError::NotFound("theme"))?;
    let filter = MentionFilter {
        theme: Some(id),
        ..q.filter
    };
    let metrics = store.theme_metrics(&project_id, &filter).await?;
    let limit = q.limit.unwrap_or(THEME_MENTIONS);
    let mentions = store
        .list_mentions(&project_id, &filter, None, limit)
        .await?;
    let week = current_week(filter.to, Timestamp::now());
    Ok(Json(themes_view::detail(theme, metrics, week, mentions)))
}

/// `PATCH /api/1/themes/{id}`: renames and/or pins, then answers the theme.
#[utoipa::path(patch, path = "/api/1/themes/{id}", tag = "themes", operation_id = "updateTheme", params(("id" = String, Path, description = "The theme's id (`th_…`)")), request_body = crate::openapi::bodies::ThemePatchBody, responses((status = 200, description = "The theme as changed", body = Theme)))]
pub async fn update(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
    ThemeIdParam(id): ThemeIdParam,
    ValidJson(patch): ValidJson<ThemePatch>,
) -> Result<Json<Theme>, ApiError> {
    let store = state.store();
    if let Some(name) = patch.name {
        store.rename_theme(&project_id, &id, name).await?;
    }
    if let Some(pinned) = patch.pinned {
        store.pin_theme(&project_id, &id, pinned).await?;
    }
    let theme = store.theme(&project_id, &id).await?;
    theme.map(Json).ok_or(ApiError::NotFound("theme"))
}

/// `POST /api/1/themes/{id}/merge`: answers the theme merged into. The body is parsed here,
/// not by [`ValidJson`], because its one rule needs the path: a theme is not merged into itself.
#[utoipa::path(post, path = "/api/1/themes/{id}/merge", tag = "themes", operation_id = "mergeTheme", params(("id" = String, Path, description = "The theme's id (`th_…`)")), request_body = crate::openapi::bodies::MergeBody, responses((status = 200, description = "The theme that received the mentions", body = Theme)))]
pub async fn merge(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
    ThemeIdParam(from): ThemeIdParam,
    JsonBody(body): JsonBody,
) -> Result<Json<Theme>, ApiError> {
    let into = parse_merge(&body, &from)?;
    let store = state.store();
    store.merge_themes(&project_id, &from, &into).await?;
    let theme = store.theme(&project_id, &into).await?;
    theme.map(Json).ok_or(ApiError::NotFound("theme"))
}

/// `DELETE /api/1/themes/{id}`.
#[utoipa::path(delete, path = "/api/1/themes/{id}", tag = "themes", operation_id = "deleteTheme", params(("id" = String, Path, description = "The theme's id (`th_…`)")), responses((status = 204, description = "Deleted; its mentions are unthemed")))]
pub async fn delete(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
    ThemeIdParam(id): ThemeIdParam,
) -> Result<StatusCode, ApiError> {
    if state.store().delete_theme(&project_id, &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound("theme"))
    }
}

/// `POST /api/1/themes/recluster`: a full theme discovery over the project's mentions, now.
/// Pinned themes are kept; the others may be dissolved, changed or replaced.
#[utoipa::path(post, path = "/api/1/themes/recluster", tag = "themes", operation_id = "reclusterThemes", responses((status = 200, description = "Themes rediscovered", body = Reclustered)))]
pub async fn recluster(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
) -> Result<Json<Reclustered>, ApiError> {
    let pipeline = state.config().analysis.require()?;
    let themes_updated = pipeline.discover(&project_id, Scope::All).await?;
    Ok(Json(Reclustered { themes_updated }))
}

/// `GET /api/1/mentions`.
#[utoipa::path(get, path = "/api/1/mentions", tag = "themes", operation_id = "listMentions", params(crate::openapi::params::MentionsQuery), responses((status = 200, description = "One page of mentions, newest first", body = MentionList)))]
pub async fn mentions(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
    ValidQuery(q): ValidQuery<MentionsQuery>,
) -> Result<Json<MentionList>, ApiError> {
    let mentions = state
        .store()
        .list_mentions(&project_id, &q.filter, q.before, q.limit)
        .await?;
    let next_before = if mentions.len() == q.limit as usize {
        mentions.last().map(|m| m.id)
    } else {
        None
    };
    Ok(Json(MentionList {
        mentions,
        next_before,
    }))
}
