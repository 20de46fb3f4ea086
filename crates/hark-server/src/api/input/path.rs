//! Path parameters of the hark API. An id that cannot name a record is the same 404 as one that
//! names none, so ids of other projects cannot be told from made-up ones.

use crate::api::ApiError;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use hark_core::analysis::ThemeId;
use hark_core::chat::{ApplicationId, ConversationId};
use hark_core::ItemId;

/// The `{id}` of `/api/1/items/{id}`. An id that is not a number names no item: 404.
#[derive(Debug, Clone, Copy)]
pub struct ItemIdParam(pub ItemId);

impl<S: Send + Sync> FromRequestParts<S> for ItemIdParam {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound("item"))?;
        raw.parse::<i64>()
            .map(|id| Self(ItemId(id)))
            .map_err(|_| ApiError::NotFound("item"))
    }
}

/// The `{id}` of `/api/1/themes/{id}`; whether the project has it is the store's to say.
#[derive(Debug, Clone)]
pub struct ThemeIdParam(pub ThemeId);

impl<S: Send + Sync> FromRequestParts<S> for ThemeIdParam {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound("theme"))?;
        Ok(Self(ThemeId(raw)))
    }
}

/// The `{app}` and `{conv}` of `/api/1/chat/applications/{app}/conversations/{conv}`. Ids that
/// cannot be an application's or a conversation's are 404 `conversation`; a path axum cannot
/// decode keeps axum's own answer.
#[derive(Debug, Clone)]
pub struct ConversationPath(pub ApplicationId, pub ConversationId);

impl<S: Send + Sync> FromRequestParts<S> for ConversationPath {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let Path((app, conv)) = Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        match (ApplicationId::parse(&app), ConversationId::parse(&conv)) {
            (Some(app), Some(conv)) => Ok(Self(app, conv)),
            _ => Err(ApiError::NotFound("conversation").into_response()),
        }
    }
}
