//! The query strings, as OpenAPI parameters. hark parses queries by hand (`api::input`: unknown
//! and repeated parameters are problems, every problem is named), so these types only describe
//! what the parsers accept; `tests::every_documented_parameter_is_known` feeds each one to its
//! parser, and the schemathesis run in `tests/openapi` sends generated queries. Empty values
//! mean "not set".

use hark_core::analysis::{Category, SentimentLabel};
use hark_core::chat::{Usefulness, UsefulnessReason};
use hark_core::Timestamp;
use serde::Deserialize;
use utoipa::IntoParams;

/// `GET /api/1/items`: every filter must match; pages by `cursor`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ItemsQuery {
    /// Only items of this source.
    #[param(max_length = 128)]
    pub source_id: Option<String>,
    /// Only items by this user id (the item's or a part's).
    pub user_id: Option<String>,
    /// Only items by this email.
    pub email: Option<String>,
    /// Created at or after (ISO 8601; encode `+` as `%2B`).
    pub created_from: Option<Timestamp>,
    /// Created before.
    pub created_to: Option<Timestamp>,
    /// Words in the text (case-insensitive).
    pub q: Option<String>,
    /// Only items of this category.
    pub category: Option<Category>,
    /// Only items of this sentiment.
    pub sentiment: Option<SentimentLabel>,
    /// Page size (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// `GET /api/1/search`: hybrid (meaning and words) search with the item listing's filters;
/// pages by `offset` through the best 500 results.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// The words to search for.
    #[param(min_length = 1, max_length = 1000, pattern = r"\S")]
    pub q: String,
    /// Only items of this source.
    #[param(max_length = 128)]
    pub source_id: Option<String>,
    /// Only items by this user id.
    pub user_id: Option<String>,
    /// Only items by this email.
    pub email: Option<String>,
    /// Created at or after (ISO 8601).
    pub created_from: Option<Timestamp>,
    /// Created before.
    pub created_to: Option<Timestamp>,
    /// Only items of this category.
    pub category: Option<Category>,
    /// Only items of this sentiment.
    pub sentiment: Option<SentimentLabel>,
    /// Results per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// Results to skip (`next_offset` of the previous page).
    #[param(minimum = 0, maximum = 499)]
    pub offset: Option<u32>,
}

/// `GET /api/1/items/{id}/similar`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SimilarQuery {
    /// Items returned (default 10).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

/// Where a mention was said: in a feedback item, or in the comment of a chat-feedback vote.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SaidIn {
    /// Feedback items.
    Item,
    /// Chat-feedback comments.
    Comment,
}

/// `GET /api/1/themes`, `GET /api/1/themes/{id}` and the same for broad themes: which mentions
/// count.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ThemesQuery {
    /// Mentions created at or after (ISO 8601).
    pub from: Option<Timestamp>,
    /// Mentions created before.
    pub to: Option<Timestamp>,
    /// Only mentions from this source.
    #[param(max_length = 128)]
    pub source: Option<String>,
    /// Only mentions of this category.
    pub category: Option<Category>,
    /// Only mentions said in items, or in chat-feedback comments.
    pub said_in: Option<SaidIn>,
    /// Themes listed (default 50), or a theme's newest mentions shown (default 20).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// `GET /api/1/analysis/languages`: which mentions are read (the newest 5,000 of them).
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LanguagesQuery {
    /// Mentions created at or after (ISO 8601).
    pub from: Option<Timestamp>,
    /// Mentions created before.
    pub to: Option<Timestamp>,
    /// Only mentions from this source.
    #[param(max_length = 128)]
    pub source: Option<String>,
    /// Only mentions of this category.
    pub category: Option<Category>,
    /// Only mentions said in items, or in chat-feedback comments.
    pub said_in: Option<SaidIn>,
}

/// `GET /api/1/mentions`: newest first, paged by `before`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MentionsQuery {
    /// Only mentions of this theme.
    pub theme: Option<String>,
    /// Only mentions of the themes of this broad theme (`bt_…`).
    pub broad_theme: Option<String>,
    /// Created at or after (ISO 8601).
    pub from: Option<Timestamp>,
    /// Created before.
    pub to: Option<Timestamp>,
    /// Only mentions from this source.
    #[param(max_length = 128)]
    pub source: Option<String>,
    /// Only mentions of this category.
    pub category: Option<Category>,
    /// Only mentions said in items, or in chat-feedback comments.
    pub said_in: Option<SaidIn>,
    /// Only mentions with ids below this (`next_before` of the previous page).
    #[param(minimum = 1)]
    pub before: Option<i64>,
    /// Page size (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// `GET /api/1/chat/feedback`: newest first, paged by `cursor`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChatFeedbackQuery {
    /// Only this application's feedback.
    #[param(
        pattern = r"^[a-zA-Z0-9][a-zA-Z0-9-]{35}$",
        example = "a0b1c2d3-0000-4000-8000-000000000001"
    )]
    pub application_id: Option<String>,
    /// Only this vote.
    pub usefulness: Option<Usefulness>,
    /// Only this reason.
    pub reason: Option<UsefulnessReason>,
    /// Only this user's.
    pub user_id: Option<String>,
    /// Given at or after (ISO 8601).
    pub from: Option<Timestamp>,
    /// Given before.
    pub to: Option<Timestamp>,
    /// Only feedback with (true) or without (false) a comment.
    pub has_comment: Option<bool>,
    /// Page size (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The buckets of `GET /api/1/chat/stats`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum StatsPeriod {
    /// Calendar days (UTC).
    Day,
    /// Weeks from Monday (UTC).
    Week,
}

/// `GET /api/1/chat/stats`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChatStatsQuery {
    /// Only this application.
    #[param(
        pattern = r"^[a-zA-Z0-9][a-zA-Z0-9-]{35}$",
        example = "a0b1c2d3-0000-4000-8000-000000000001"
    )]
    pub application_id: Option<String>,
    /// Feedback given at or after (ISO 8601).
    pub from: Option<Timestamp>,
    /// Feedback given before.
    pub to: Option<Timestamp>,
    /// Bucket size (default `day`).
    pub period: Option<StatsPeriod>,
    /// Worst-rated answers listed (default 10).
    #[param(minimum = 0, maximum = 100)]
    pub top: Option<u32>,
}

/// `GET /api/1/webhooks/{id}/deliveries`: newest first, paged by `before`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveriesQuery {
    /// Only deliveries with ids below this (`next_before` of the previous page).
    #[param(minimum = 1)]
    pub before: Option<i64>,
    /// Page size (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}
