//! Reading chat feedback back (hark's JSON API; Q Business has none), scoped to the caller's
//! project and authenticated like the items API ([`ProjectKey`], errors as [`ApiError`]):
//!
//! - `GET /api/1/chat/feedback` — filters `application_id`, `usefulness`, `reason`, `user_id`,
//!   `from`, `to` (RFC 3339, on the event time), `has_comment=true|false`, `limit` (1–500,
//!   default 50), `cursor` → `{"feedback": [...], "next_cursor": ...}`, newest event first;
//! - `GET /api/1/chat/applications/{app}/conversations/{conv}` — a conversation with its
//!   recorded messages and all feedback on them;
//! - `GET /api/1/chat/stats` — `application_id`, `from`, `to`, `period=day|week` (default day),
//!   `top` (0–100, default 10) → counts per application and period, and the answers with the
//!   most NOT_USEFUL votes.

use super::input::chat::FeedbackQuery;
use super::input::{ConversationPath, ValidQuery};
use super::{ApiError, ProjectKey};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use hark_core::chat::{Conversation, FeedbackCursor, FeedbackStats, StatsQuery, StoredFeedback};
use serde::Serialize;

/// One page of the feedback listing.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FeedbackList {
    /// Feedback, newest event first.
    pub feedback: Vec<StoredFeedback>,
    /// Pass as `cursor` to get the next page; `null` at the end.
    pub next_cursor: Option<String>,
}

/// `GET /api/1/chat/feedback`.
#[utoipa::path(get, path = "/api/1/chat/feedback", tag = "chat feedback", operation_id = "listChatFeedback", params(crate::openapi::params::ChatFeedbackQuery), responses((status = 200, description = "One page of feedback, newest first", body = FeedbackList)))]
pub async fn list_feedback(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
    ValidQuery(q): ValidQuery<FeedbackQuery>,
) -> Result<Json<FeedbackList>, ApiError> {
    let page = state
        .store()
        .list_feedback(&project_id, &q.filter, q.cursor, q.limit)
        .await?;
    Ok(Json(FeedbackList {
        feedback: page.feedback,
        next_cursor: page.next.map(FeedbackCursor::encode),
    }))
}

/// `GET /api/1/chat/applications/{app}/conversations/{conv}`; 404 when absent, another
/// project's, or named by ids that cannot exist.
#[utoipa::path(get, path = "/api/1/chat/applications/{app}/conversations/{conv}", tag = "chat feedback", operation_id = "getConversation", params(("app" = String, Path, description = "The application's id", pattern = r"^[a-zA-Z0-9][a-zA-Z0-9-]{35}$"), ("conv" = String, Path, description = "The conversation's id", pattern = r"^[a-zA-Z0-9][a-zA-Z0-9-]{35}$")), responses((status = 200, description = "The conversation's recorded messages and feedback", body = Conversation)))]
pub async fn get_conversation(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
    ConversationPath(app, conv): ConversationPath,
) -> Result<Json<Conversation>, ApiError> {
    let found = state
        .store()
        .get_conversation(&project_id, &app, &conv)
        .await?;
    found.map(Json).ok_or(ApiError::NotFound("conversation"))
}

/// `GET /api/1/chat/stats`.
#[utoipa::path(get, path = "/api/1/chat/stats", tag = "chat feedback", operation_id = "chatStats", params(crate::openapi::params::ChatStatsQuery), responses((status = 200, description = "Useful rate and reasons per application and period, and the worst answers", body = FeedbackStats)))]
pub async fn stats(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
    ValidQuery(q): ValidQuery<StatsQuery>,
) -> Result<Json<FeedbackStats>, ApiError> {
    Ok(Json(state.store().feedback_stats(&project_id, &q).await?))
}
