//! `POST /api/1/ai-feedback/ingest`: the Amplitude-compatible ingest API
//! (`shared/specs/ingest-api.md`).

use super::input::ValidJson;
use super::{ApiError, ProjectKey};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use hark_core::validate::ingest::{IngestRequest, ItemRejection};
use hark_core::validate::Issue;
use hark_core::{ItemOutcome, ProjectId, Source, SourceId, SourceKind};
use hark_store::Store;
use serde::Serialize;

/// The 200 answer: how many items were stored and why the others were not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct IngestReport {
    /// Items durably stored.
    pub ingested: u64,
    /// Items refused by validation or by the store.
    pub failed: u64,
    /// One entry per refused item, by position in the request.
    pub errors: Vec<ItemError>,
}

/// Why one item was not stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ItemError {
    /// The item's `unique_id`; `null` when it could not be read.
    pub unique_id: Option<String>,
    /// Every problem on one line.
    pub error: String,
    /// Position in the request's `items`.
    pub index: usize,
    /// Path of the first offending field (`items[2].email`).
    pub field: String,
    /// Every problem with its path.
    pub issues: Vec<Issue>,
}

/// Stores the valid items of the body in a webhook source of the caller's project.
#[utoipa::path(post, path = "/api/1/ai-feedback/ingest", tag = "ingest", operation_id = "ingest", request_body = crate::openapi::bodies::IngestBody, responses((status = 200, description = "What was stored, and each refused item with its problems", body = IngestReport)))]
pub async fn ingest(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
    ValidJson(request): ValidJson<IngestRequest>,
) -> Result<Json<IngestReport>, ApiError> {
    let source = webhook_source(state.store(), &project_id, &request.source_id).await?;
    let accepted: Vec<(usize, String)> = request
        .items
        .iter()
        .map(|item| (item.index, item.unique_id.clone()))
        .collect();
    let outcomes = if request.items.is_empty() {
        Vec::new()
    } else {
        state.store().ingest(&source, request.items).await?
    };
    let report = IngestReport::build(request.rejected, &accepted, outcomes)?;
    state
        .metrics()
        .record_ingest(report.ingested, report.failed);
    Ok(Json(report))
}

/// The project's source named `id`: 404 when it has none (sources of other projects included),
/// 403 when it is not a webhook source.
async fn webhook_source(
    store: &dyn Store,
    project: &ProjectId,
    id: &SourceId,
) -> Result<Source, ApiError> {
    let source = store
        .get_source(project, id)
        .await?
        .ok_or(ApiError::NotFound("source"))?;
    match source.kind {
        SourceKind::Webhook => Ok(source),
        SourceKind::Import => Err(ApiError::SourceNotWebhook(source.source_id)),
    }
}

impl IngestReport {
    /// Joins validation rejections with the store's outcome for each accepted item, given as
    /// (index, unique_id) in the order they were passed to the store. `ingested` counts the
    /// items stored: entries of one request that repeat a `unique_id` are applied in order onto
    /// the same item (as if sent one request after another: the later entry's fields win, parts
    /// accumulate) and count once.
    pub fn build(
        rejected: Vec<ItemRejection>,
        accepted: &[(usize, String)],
        outcomes: Vec<ItemOutcome>,
    ) -> Result<Self, ApiError> {
        if outcomes.len() != accepted.len() {
            return Err(ApiError::internal(format!(
                "store returned {} outcomes for {} items",
                outcomes.len(),
                accepted.len()
            )));
        }
        let mut stored = std::collections::HashSet::new();
        let mut errors: Vec<ItemError> = rejected.into_iter().map(ItemError::from).collect();
        for ((index, unique_id), outcome) in accepted.iter().zip(outcomes) {
            match outcome {
                ItemOutcome::Stored { .. } => {
                    stored.insert(unique_id.as_str());
                }
                ItemOutcome::Failed { field, error } => {
                    let field = match field {
                        Some(f) if !f.is_empty() => format!("items[{index}].{f}"),
                        _ => format!("items[{index}]"),
                    };
                    errors.push(ItemError {
                        unique_id: Some(unique_id.clone()),
                        issues: vec![Issue::new(field.clone(), error.clone())],
                        error,
                        index: *index,
                        field,
                    });
                }
            }
        }
        errors.sort_by_key(|e| e.index);
        Ok(Self {
            ingested: stored.len() as u64,
            failed: errors.len() as u64,
            errors,
        })
    }
}

impl From<ItemRejection> for ItemError {
    fn from(r: ItemRejection) -> Self {
        let field = r
            .issues
            .first()
            .map_or_else(|| format!("items[{}]", r.index), |i| i.path.clone());
        Self {
            error: r.summary(),
            unique_id: r.unique_id,
            index: r.index,
            field,
            issues: r.issues,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_merges_rejections_and_store_failures_in_index_order() {
        let rejected = vec![ItemRejection {
            index: 1,
            unique_id: None,
            issues: vec![Issue::new("items[1].unique_id", "is required")],
        }];
        let accepted = vec![
            (0, "a".to_string()),
            (2, "c".to_string()),
            (3, "d".to_string()),
        ];
        let outcomes = vec![
            ItemOutcome::Failed {
                field: Some("conversation_parts[0].unique_id".into()),
                error: "part belongs to another item".into(),
            },
            ItemOutcome::Stored { created: true },
            ItemOutcome::Failed {
                field: None,
                error: "a new item needs a body or conversation parts".into(),
            },
        ];
        let report = IngestReport::build(rejected, &accepted, outcomes).expect("consistent");
        assert_eq!(report.ingested, 1);
        assert_eq!(report.failed, 3);
        let indices: Vec<_> = report.errors.iter().map(|e| e.index).collect();
        assert_eq!(indices, [0, 1, 3]);
        assert_eq!(
            report.errors[0].field,
            "items[0].conversation_parts[0].unique_id"
        );
        assert_eq!(report.errors[0].unique_id.as_deref(), Some("a"));
        assert_eq!(report.errors[1].unique_id, None);
        assert_eq!(report.errors[1].error, "items[1].unique_id: is required");
        assert_eq!(report.errors[2].field, "items[3]");
    }

    #[test]
    fn a_unique_id_repeated_in_one_request_counts_once() {
        let accepted = vec![(0, "a".to_string()), (1, "b".into()), (2, "a".into())];
        let stored = || ItemOutcome::Stored { created: false };
        let report = IngestReport::build(vec![], &accepted, vec![stored(), stored(), stored()]);
        let report = report.expect("consistent");
        assert_eq!((report.ingested, report.failed), (2, 0));
    }

    #[test]
    fn a_store_answer_of_the_wrong_length_is_an_internal_error() {
        let err = IngestReport::build(vec![], &[(0, "a".into())], vec![]).expect_err("mismatch");
        assert_eq!(err.status(), axum::http::StatusCode::INTERNAL_SERVER_ERROR);
    }
}
