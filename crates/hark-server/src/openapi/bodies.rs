//! The request bodies, as OpenAPI schemas. hark reads its bodies by hand (`api::input`,
//! `admin::input`, `aws::input`: every problem is reported with its path, in the contract's
//! shape), so these types only describe what those readers accept; the schemathesis run in
//! `tests/openapi` sends bodies generated from them and fails on any that is refused or that
//! breaks the server. Bounds come from the readers' own constants.

use hark_core::analysis::Category;
use hark_core::chat::{MessageRole, Usefulness, UsefulnessReason};
use hark_core::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

/// `POST /api/1/ai-feedback/ingest` (`shared/specs/ingest-api.md`): up to 100 items of one
/// webhook source. Items with problems are reported one by one in the 200 answer.
#[derive(Serialize, ToSchema)]
pub struct IngestBody {
    /// A webhook source of the project.
    #[schema(min_length = 1, max_length = 128)]
    pub source_id: String,
    /// The items, 1–100.
    #[schema(min_items = 1, max_items = 100)]
    pub items: Vec<IngestItem>,
}

/// One feedback item.
#[derive(Serialize, ToSchema)]
pub struct IngestItem {
    /// De-duplication key within the source: sending it again updates the item.
    #[schema(min_length = 1, max_length = 1024)]
    pub unique_id: String,
    /// The text.
    #[schema(max_length = 20000)]
    pub body: Option<String>,
    /// Author display name.
    #[schema(max_length = 512)]
    pub author: Option<String>,
    /// Author email.
    #[schema(max_length = 512, format = Email)]
    pub email: Option<String>,
    /// Author user id.
    #[schema(max_length = 1024)]
    pub user_id: Option<String>,
    /// Link to the original (http or https).
    #[schema(max_length = 2048, format = "uri")]
    pub url: Option<String>,
    /// When it was written (ISO 8601); the time of ingest when absent.
    pub created_at: Option<Timestamp>,
    /// Replies, in order (one level; at most 100).
    #[schema(max_items = 100)]
    pub conversation_parts: Option<Vec<IngestPart>>,
}

/// One part of an item's conversation.
#[derive(Serialize, ToSchema)]
pub struct IngestPart {
    /// De-duplication key within the item.
    #[schema(min_length = 1, max_length = 1024)]
    pub unique_id: String,
    /// The text.
    #[schema(min_length = 1, max_length = 20000)]
    pub body: String,
    /// Author display name.
    #[schema(max_length = 512)]
    pub author: Option<String>,
    /// Author email.
    #[schema(max_length = 512, format = Email)]
    pub email: Option<String>,
    /// Author user id.
    #[schema(max_length = 1024)]
    pub user_id: Option<String>,
    /// Link (http or https).
    #[schema(max_length = 2048, format = "uri")]
    pub url: Option<String>,
    /// When it was written (ISO 8601).
    pub created_at: Option<Timestamp>,
}

/// `POST /api/1/privacy/erase`: exactly one of `user_id` or `email`.
#[derive(Serialize, ToSchema)]
pub struct EraseBody {
    /// Erase everything of this user id.
    #[schema(min_length = 1, max_length = 1024)]
    pub user_id: Option<String>,
    /// Erase everything of this email.
    #[schema(min_length = 1, max_length = 512)]
    pub email: Option<String>,
}

/// `PUT /api/1/items/{id}/category`: a person's category, kept over the model's.
#[derive(Serialize, ToSchema)]
pub struct CategoryBody {
    /// The category.
    pub category: Category,
}

/// `POST /api/1/analysis/examples`: labelled texts the category model learns from.
#[derive(Serialize, ToSchema)]
pub struct ExamplesBody {
    /// 1–1,000 examples.
    #[schema(min_items = 1, max_items = 1000)]
    pub examples: Vec<ExampleBody>,
}

/// One labelled example.
#[derive(Serialize, ToSchema)]
pub struct ExampleBody {
    /// The text.
    #[schema(min_length = 1, max_length = 20000)]
    pub text: String,
    /// Its category.
    pub category: Category,
}

/// `PATCH /api/1/themes/{id}`: a person's name (`null` goes back to the generated label)
/// and whether re-clustering keeps it.
#[derive(Serialize, ToSchema)]
pub struct ThemePatchBody {
    /// The name; `null` clears it.
    #[schema(max_length = 200)]
    pub name: Option<String>,
    /// Pinned themes keep their name and mentions through re-clustering.
    pub pinned: Option<bool>,
}

/// `PATCH /api/1/analysis/settings`: the project's own theme granularity; `null` goes back to
/// the deployment's.
#[derive(Serialize, ToSchema)]
pub struct SettingsBody {
    /// `coarser`, `normal` or `finer`; `null` clears the project's choice.
    pub theme_granularity: Option<hark_core::analysis::ThemeGranularity>,
}

/// `POST /api/1/themes/{id}/merge`.
#[derive(Serialize, ToSchema)]
pub struct MergeBody {
    /// The theme that receives the mentions.
    #[schema(min_length = 1, max_length = 200)]
    pub into: String,
}

/// `POST /admin/projects` and `POST /admin/projects/{id}/sources` name their new entity.
#[derive(Serialize, ToSchema)]
pub struct NewProjectBody {
    /// Display name.
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
}

/// `POST /admin/projects/{id}/sources`.
#[derive(Serialize, ToSchema)]
pub struct NewSourceBody {
    /// Display name.
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// `webhook` (the default: filled through the ingest API) or `import`.
    #[schema(value_type = Option<String>, pattern = "^(webhook|import)$")]
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// `POST /admin/projects/{id}/applications`.
#[derive(Serialize, ToSchema)]
pub struct NewApplicationBody {
    /// Display name.
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// Strict: feedback only on messages recorded first (default false).
    pub strict: Option<bool>,
}

/// `POST /admin/projects/{id}/users`: a dashboard user; without `password` one is generated
/// and shown once.
#[derive(Serialize, ToSchema)]
pub struct NewUserBody {
    /// Sign-in email.
    #[schema(min_length = 3, max_length = 254, format = Email)]
    pub email: String,
    /// `viewer`, `editor` or `admin`.
    pub role: hark_core::users::Role,
    /// At least 12 characters.
    #[schema(min_length = 12, max_length = 256)]
    pub password: Option<String>,
}

/// `PATCH /admin/projects/{id}/users/{user}`.
#[derive(Serialize, ToSchema)]
pub struct RoleBody {
    /// The new role.
    pub role: hark_core::users::Role,
}

/// Amazon Q Business `PutFeedback` (`shared/specs/chat-feedback-api.md`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PutFeedbackBody {
    /// When the user copied the answer (epoch seconds).
    pub message_copied_at: Option<f64>,
    /// The vote.
    pub message_usefulness: Option<UsefulnessBody>,
}

/// The vote of a `PutFeedback` call.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UsefulnessBody {
    /// Thumbs up or down.
    pub usefulness: Usefulness,
    /// Why.
    pub reason: Option<UsefulnessReason>,
    /// The user's words (0–1,000 characters).
    #[schema(max_length = 1000)]
    pub comment: Option<String>,
    /// When the vote was given (epoch seconds); a later vote wins.
    pub submitted_at: f64,
}

/// hark's record-message extension: the message a vote is about.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecordMessageBody {
    /// `user` (the question) or `assistant` (the answer).
    pub role: MessageRole,
    /// The text.
    #[schema(max_length = 20000)]
    pub text: String,
    /// The end user.
    #[schema(min_length = 1, max_length = 1024)]
    pub user_id: Option<String>,
    /// When it was said (epoch seconds); now when absent.
    pub created_at: Option<f64>,
    /// Documents the answer cites (at most 50).
    #[schema(max_items = 50)]
    pub sources: Option<Vec<SourceBody>>,
}

/// A cited document.
#[derive(Serialize, ToSchema)]
pub struct SourceBody {
    /// Title.
    #[schema(max_length = 1000)]
    pub title: Option<String>,
    /// Link.
    #[schema(max_length = 2048)]
    pub url: Option<String>,
    /// The passage used.
    #[schema(max_length = 5000)]
    pub snippet: Option<String>,
}

/// `POST /api/1/webhooks`.
#[derive(Serialize, ToSchema)]
pub struct NewEndpointBody {
    /// Where events are posted: http or https; not a loopback, private, link-local or metadata
    /// address unless the server allows private networks.
    #[schema(min_length = 1, max_length = 2048, format = "uri")]
    pub url: String,
    /// `standard` (signed JSON, the default) or `slack` (a Slack incoming-webhook URL).
    pub kind: Option<hark_core::webhooks::EndpointKind>,
    /// The event types it receives (`webhook.test` is sent on request only).
    #[schema(min_items = 1)]
    pub events: Vec<hark_core::webhooks::EventType>,
    /// Which of those events (all when absent).
    pub filter: Option<hark_core::webhooks::EndpointFilter>,
    /// A note for people.
    #[schema(max_length = 200)]
    pub description: Option<String>,
}

/// `PATCH /api/1/webhooks/{id}`: what changes; the rest stays.
#[derive(Serialize, ToSchema)]
pub struct EndpointPatchBody {
    /// A new URL.
    #[schema(min_length = 1, max_length = 2048, format = "uri")]
    pub url: Option<String>,
    /// A new kind.
    pub kind: Option<hark_core::webhooks::EndpointKind>,
    /// New event types.
    #[schema(min_items = 1)]
    pub events: Option<Vec<hark_core::webhooks::EventType>>,
    /// A new filter (replaces the old one).
    pub filter: Option<hark_core::webhooks::EndpointFilter>,
    /// A new note; `null` removes it.
    #[schema(max_length = 200)]
    pub description: Option<String>,
    /// Enable (clears a failing or disabled state) or disable.
    pub enabled: Option<bool>,
}
