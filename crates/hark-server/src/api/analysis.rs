//! The analysis API, scoped to the caller's project ([`ProjectKey`]):
//!
//! - `PUT /api/1/items/{id}/category` — `{"category": "bug"}`: a person's category, kept when
//!   the item is analysed again and learned from as a correction;
//! - `POST /api/1/analysis/examples` — `{"examples": [{"text", "category"}, …]}`: labelled
//!   examples to learn categories from (1–1000 per request);
//! - `POST /api/1/analysis/reanalyze` — queues every item and chat comment again (202);
//! - `GET /api/1/analysis/status` — whether the model is loaded, and the project's queue;
//! - `GET /api/1/analysis/settings`, `PATCH /api/1/analysis/settings` — `{"theme_granularity":
//!   "coarser" | "normal" | "finer" | null}`: the project's own theme granularity (`null`: the
//!   deployment's), used from the next theme discovery;
//! - `GET /api/1/analysis/languages?from=&to=&source=&category=&said_in=` — the languages of the
//!   project's newest mentions.

use super::input::analysis::{Examples, NewCategory, SettingsPatch};
use super::input::themes::LanguagesQuery;
use super::input::{ItemIdParam, ValidJson, ValidQuery};
use super::{ApiError, ProjectKey};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use hark_core::analysis::{Category, Subject, ThemeGranularity};
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

/// One language of a project's mix.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LanguageShare {
    /// ISO 639-3 code (`eng`, `fra`, …).
    pub code: &'static str,
    /// English name.
    pub name: &'static str,
    /// Mentions in it.
    pub mentions: u64,
    /// Its share of the mentions whose language was told, in [0, 1].
    pub share: f64,
}

/// `GET /api/1/analysis/languages`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LanguageMixView {
    /// Mentions read: the newest ones within the filter, at most 5,000.
    pub sampled: u64,
    /// Of them, those too short or ambiguous to tell.
    pub undetermined: u64,
    /// The code of the language of most mentions; `null` when none could be told.
    pub main: Option<&'static str>,
    /// Languages, most mentions first.
    pub languages: Vec<LanguageShare>,
}

/// `GET /api/1/analysis/languages`: detected per mention (trigram statistics, no model), so it
/// works whichever embedding model runs.
#[utoipa::path(get, path = "/api/1/analysis/languages", tag = "analysis", operation_id = "languageMix", params(crate::openapi::params::LanguagesQuery), responses((status = 200, description = "The languages of the project's newest mentions", body = LanguageMixView)))]
pub async fn languages(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
    ValidQuery(LanguagesQuery(filter)): ValidQuery<LanguagesQuery>,
) -> Result<Json<LanguageMixView>, ApiError> {
    let (mix, sampled) = hark_analysis::language::project_mix(
        state.store(),
        &project_id,
        &filter,
        hark_analysis::language::MIX_SAMPLE,
    )
    .await?;
    let told = mix.determined().max(1) as f64;
    Ok(Json(LanguageMixView {
        sampled,
        undetermined: mix.undetermined,
        main: mix.main().map(|l| l.code()),
        languages: mix
            .languages
            .iter()
            .map(|(l, n)| LanguageShare {
                code: l.code(),
                name: l.name(),
                mentions: *n,
                share: *n as f64 / told,
            })
            .collect(),
    }))
}

/// `GET /api/1/analysis/settings`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AnalysisSettings {
    /// The granularity theme discovery uses for this project.
    pub theme_granularity: ThemeGranularity,
    /// `project` when the project chose it, `deployment` when it is the server's
    /// `analysis.theme_granularity`.
    pub theme_granularity_from: &'static str,
}

async fn settings_of(
    state: &AppState,
    project: &hark_core::ProjectId,
) -> Result<AnalysisSettings, ApiError> {
    Ok(match state.store().theme_granularity(project).await? {
        Some(g) => AnalysisSettings {
            theme_granularity: g,
            theme_granularity_from: "project",
        },
        None => AnalysisSettings {
            theme_granularity: state.config().theme_granularity,
            theme_granularity_from: "deployment",
        },
    })
}

/// `GET /api/1/analysis/settings`.
#[utoipa::path(get, path = "/api/1/analysis/settings", tag = "analysis", operation_id = "analysisSettings", responses((status = 200, description = "The project's analysis settings", body = AnalysisSettings)))]
pub async fn settings(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
) -> Result<Json<AnalysisSettings>, ApiError> {
    Ok(Json(settings_of(&state, &project_id).await?))
}

/// `PATCH /api/1/analysis/settings`: `{"theme_granularity": "finer"}` (or `null`, back to the
/// deployment's). Themes change at the next discovery (`POST /api/1/themes/recluster` runs one
/// now).
#[utoipa::path(patch, path = "/api/1/analysis/settings", tag = "analysis", operation_id = "updateAnalysisSettings", request_body = crate::openapi::bodies::SettingsBody, responses((status = 200, description = "The settings as changed", body = AnalysisSettings)))]
pub async fn update_settings(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
    ValidJson(patch): ValidJson<SettingsPatch>,
) -> Result<Json<AnalysisSettings>, ApiError> {
    if let Some(g) = patch.theme_granularity {
        state.store().set_theme_granularity(&project_id, g).await?;
    }
    Ok(Json(settings_of(&state, &project_id).await?))
}
