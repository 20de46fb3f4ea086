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
#[derive(Debug, Serialize)]
pub struct FeedbackList {
    /// Feedback, newest event first.
    pub feedback: Vec<StoredFeedback>,
    /// Pass as `cursor` to get the next page; `null` at the end.
    pub next_cursor: Option<String>,
}

/// `GET /api/1/chat/feedback`.
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
pub async fn stats(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
    ValidQuery(q): ValidQuery<StatsQuery>,
) -> Result<Json<FeedbackStats>, ApiError> {
    Ok(Json(state.store().feedback_stats(&project_id, &q).await?))
}
