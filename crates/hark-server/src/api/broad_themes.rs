//! Broad themes (the upper level of the theme hierarchy), scoped to the caller's project
//! ([`ProjectKey`]); another project's ids are 404. Read only: they are recomputed with every
//! theme discovery.
//!
//! - `GET /api/1/broad-themes?from=&to=&source=&category=&said_in=&limit=` — every broad theme
//!   with its children's ids, its metrics and quotes, the mentions in no broad theme, and the
//!   rising ones ([`themes_view::broad_listing`]);
//! - `GET /api/1/broad-themes/{id}` — one broad theme, its themes with their metrics, and its
//!   newest mentions (20 by default).
//!
//! Each theme of `GET /api/1/themes` names its broad theme in `parent_id`, and
//! `GET /api/1/mentions?broad_theme=` lists a broad theme's mentions.

use super::input::themes::{ThemesQuery, THEME_MENTIONS};
use super::input::{ThemeIdParam, ValidQuery, DEFAULT_LIMIT};
use super::themes_view::{self, current_week, BroadThemeDetail, BroadThemeListing};
use super::{ApiError, ProjectKey};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use hark_core::analysis::MentionFilter;
use hark_core::Timestamp;

/// `GET /api/1/broad-themes`.
#[utoipa::path(get, path = "/api/1/broad-themes", tag = "themes", operation_id = "listBroadThemes", params(crate::openapi::params::ThemesQuery), responses((status = 200, description = "Every broad theme with its themes' ids, metrics and quotes, the mentions in no broad theme, and the rising ones", body = BroadThemeListing)))]
pub async fn list(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
    ValidQuery(q): ValidQuery<ThemesQuery>,
) -> Result<Json<BroadThemeListing>, ApiError> {
    let store = state.store();
    let broad = store.broad_themes(&project_id).await?;
    let themes = store.themes(&project_id).await?;
    let metrics = store.broad_theme_metrics(&project_id, &q.filter).await?;
    let week = current_week(q.filter.to, Timestamp::now());
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT) as usize;
    Ok(Json(themes_view::broad_listing(
        broad, &themes, metrics, week, limit,
    )))
}

/// `GET /api/1/broad-themes/{id}`.
#[utoipa::path(get, path = "/api/1/broad-themes/{id}", tag = "themes", operation_id = "getBroadTheme", params(("id" = String, Path, description = "The broad theme's id (`bt_…`)"), crate::openapi::params::ThemesQuery), responses((status = 200, description = "The broad theme, its themes with their metrics, and its newest mentions", body = BroadThemeDetail)))]
pub async fn get(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
    ThemeIdParam(id): ThemeIdParam,
    ValidQuery(q): ValidQuery<ThemesQuery>,
) -> Result<Json<BroadThemeDetail>, ApiError> {
    let store = state.store();
    let broad = store
        .broad_themes(&project_id)
        .await?
        .into_iter()
        .find(|b| b.id == id)
        .ok_or(ApiError::NotFound("broad theme"))?;
    let themes = store.themes(&project_id).await?;
    let filter = MentionFilter {
        broad: Some(id),
        ..q.filter
    };
    let broad_metrics = store.broad_theme_metrics(&project_id, &filter).await?;
    let theme_metrics = store.theme_metrics(&project_id, &filter).await?;
    let limit = q.limit.unwrap_or(THEME_MENTIONS);
    let mentions = store
        .list_mentions(&project_id, &filter, None, limit)
        .await?;
    let week = current_week(filter.to, Timestamp::now());
    Ok(Json(themes_view::broad_detail(
        broad,
        themes,
        broad_metrics,
        theme_metrics,
        week,
        mentions,
    )))
}
