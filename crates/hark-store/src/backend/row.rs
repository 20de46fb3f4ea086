//! Row decoding written once for both backends: each backend exposes a result row through
//! [`Columns`] (by column index, in its driver's types), and the decoders here build the domain
//! values from it. Column lists (`*_COLUMNS`) are shared too, so a decoder and the `SELECT`
//! feeding it cannot drift apart.

use hark_core::analysis::{MentionView, Sentiment, ThemeId};
use hark_core::chat::{
    AccessKey, AccessKeyId, Application, ApplicationId, ChatMessage, CitedSource, ConversationId,
    FeedbackCursor, MessageId, MessageRef, MessageRole, MessageUsefulness, StoredFeedback,
    Usefulness, UsefulnessReason,
};
use hark_core::users::{Email, Role, Session, SessionHash, User, UserId};
use hark_core::{ItemId, Project, ProjectId, Source, SourceId, SourceKind, StoredItem, Timestamp};

/// One result row, read by column index. A value of the wrong type, or a NULL where none may
/// be, is the backend's own error; a value that decodes but is not one hark writes becomes
/// [`Columns::corrupt`].
pub trait Columns {
    /// The backend's error type.
    type Error;
    /// An integer column.
    fn int(&self, i: usize) -> Result<i64, Self::Error>;
    /// A nullable integer column.
    fn opt_int(&self, i: usize) -> Result<Option<i64>, Self::Error>;
    /// A text column.
    fn text(&self, i: usize) -> Result<String, Self::Error>;
    /// A nullable text column.
    fn opt_text(&self, i: usize) -> Result<Option<String>, Self::Error>;
    /// A boolean column (SQLite: an integer 0/1).
    fn flag(&self, i: usize) -> Result<bool, Self::Error>;
    /// A floating-point column.
    fn real(&self, i: usize) -> Result<f64, Self::Error>;
    /// A nullable floating-point column.
    fn opt_real(&self, i: usize) -> Result<Option<f64>, Self::Error>;
    /// A value of column `i` that hark did not write (`what` names it).
    fn corrupt(&self, i: usize, what: &'static str) -> Self::Error;
}

/// Columns read by [`stored_item`] (the table's own names: qualify them in a join).
pub const ITEM_COLUMNS: &str = "id, source_id, unique_id, body, author, email, user_id, url, \
                                created_at, received_at, updated_at, parts_count";

/// An item from the first 12 columns of `r` (in [`ITEM_COLUMNS`] order), without its parts.
pub fn stored_item<R: Columns>(r: &R) -> Result<StoredItem, R::Error> {
    Ok(StoredItem {
        id: ItemId(r.int(0)?),
        source_id: SourceId::new(r.text(1)?),
        unique_id: r.text(2)?,
        body: r.opt_text(3)?,
        author: r.opt_text(4)?,
        email: r.opt_text(5)?,
        user_id: r.opt_text(6)?,
        url: r.opt_text(7)?,
        created_at: Timestamp::from_micros(r.int(8)?),
        received_at: Timestamp::from_micros(r.int(9)?),
        updated_at: Timestamp::from_micros(r.int(10)?),
        parts_count: u32::try_from(r.int(11)?).map_err(|_| r.corrupt(11, "parts count"))?,
        conversation_parts: None,
    })
}

/// Columns read by [`stored_feedback`]; `id` and `event_at` come last, for cursors.
pub const FEEDBACK_COLUMNS: &str = "f.application_id, f.conversation_id, f.message_id, \
                                    f.user_key, f.usefulness, f.reason, f.comment, \
                                    f.submitted_at, f.copied_at, f.received_at, f.updated_at, \
                                    f.id, f.event_at";

/// The first three columns of `r` as a message reference.
pub fn message_ref<R: Columns>(r: &R) -> Result<MessageRef, R::Error> {
    Ok(MessageRef {
        application_id: ApplicationId::from_stored(r.text(0)?),
        conversation_id: ConversationId::from_stored(r.text(1)?),
        message_id: MessageId::from_stored(r.text(2)?),
    })
}

/// A feedback row (in [`FEEDBACK_COLUMNS`] order) with its cursor position `(event_at, id)`.
/// A stored name hark did not write (an unknown usefulness or reason) is corrupt.
pub fn stored_feedback<R: Columns>(r: &R) -> Result<(StoredFeedback, FeedbackCursor), R::Error> {
    let user_key = r.text(3)?;
    let usefulness = match (r.opt_text(4)?, r.opt_int(7)?) {
        (Some(u), Some(submitted)) => Some(MessageUsefulness {
            usefulness: Usefulness::parse(&u).ok_or_else(|| r.corrupt(4, "usefulness"))?,
            reason: match r.opt_text(5)? {
                Some(s) => Some(
                    UsefulnessReason::parse(&s).ok_or_else(|| r.corrupt(5, "usefulness reason"))?,
                ),
                None => None,
            },
            comment: r.opt_text(6)?,
            submitted_at: Timestamp::from_micros(submitted),
        }),
        _ => None,
    };
    let feedback = StoredFeedback {
        message: message_ref(r)?,
        user_id: (!user_key.is_empty()).then_some(user_key),
        usefulness,
        message_copied_at: r.opt_int(8)?.map(Timestamp::from_micros),
        received_at: Timestamp::from_micros(r.int(9)?),
        updated_at: Timestamp::from_micros(r.int(10)?),
    };
    let cursor = FeedbackCursor {
        id: r.int(11)?,
        event_at: r.int(12)?,
    };
    Ok((feedback, cursor))
}

/// Columns read by [`mention_view`].
pub const MENTION_COLUMNS: &str = "id, text, sentiment, category, theme_id, user_key, created_at";

/// A mention row (in [`MENTION_COLUMNS`] order) as the API shows it.
pub fn mention_view<R: Columns>(r: &R) -> Result<MentionView, R::Error> {
    let category = r.text(3)?;
    Ok(MentionView {
        id: r.int(0)?,
        text: r.text(1)?,
        sentiment: Sentiment::from_score(r.real(2)? as f32),
        category: super::codec::parse_category(&category).map_err(|_| r.corrupt(3, "category"))?,
        theme_id: r.opt_text(4)?.map(ThemeId),
        user_key: r.opt_text(5)?,
        created_at: Timestamp::from_micros(r.int(6)?),
    })
}

/// A project row (`id, name, api_key, created_at`).
pub fn project<R: Columns>(r: &R) -> Result<Project, R::Error> {
    Ok(Project {
        project_id: ProjectId::new(r.text(0)?),
        name: r.text(1)?,
        api_key: r.text(2)?,
        created_at: Timestamp::from_micros(r.int(3)?),
    })
}

/// A source row (`id, project_id, name, kind, created_at`).
pub fn source<R: Columns>(r: &R) -> Result<Source, R::Error> {
    Ok(Source {
        source_id: SourceId::new(r.text(0)?),
        project_id: ProjectId::new(r.text(1)?),
        name: r.text(2)?,
        kind: r
            .text(3)?
            .parse::<SourceKind>()
            .map_err(|_| r.corrupt(3, "source kind"))?,
        created_at: Timestamp::from_micros(r.int(4)?),
    })
}

/// An application row (`id, project_id, name, strict, created_at`).
pub fn application<R: Columns>(r: &R) -> Result<Application, R::Error> {
    Ok(Application {
        application_id: ApplicationId::from_stored(r.text(0)?),
        project_id: ProjectId::new(r.text(1)?),
        name: r.text(2)?,
        strict: r.flag(3)?,
        created_at: Timestamp::from_micros(r.int(4)?),
    })
}

/// An access-key row (`id, project_id, created_at, revoked_at`), without its sealed secret.
pub fn access_key<R: Columns>(r: &R) -> Result<AccessKey, R::Error> {
    Ok(AccessKey {
        access_key_id: AccessKeyId::new(r.text(0)?),
        project_id: ProjectId::new(r.text(1)?),
        created_at: Timestamp::from_micros(r.int(2)?),
        revoked_at: r.opt_int(3)?.map(Timestamp::from_micros),
    })
}

/// A recorded message row: the message reference (columns 0–2), then `role, text, user_id,
/// created_at, sources`.
pub fn chat_message<R: Columns>(r: &R) -> Result<ChatMessage, R::Error> {
    let role = match r.text(3)?.as_str() {
        "user" => MessageRole::User,
        "assistant" => MessageRole::Assistant,
        _ => return Err(r.corrupt(3, "message role")),
    };
    let sources: Vec<CitedSource> = match r.opt_text(7)? {
        Some(json) => serde_json::from_str(&json).map_err(|_| r.corrupt(7, "message sources"))?,
        None => Vec::new(),
    };
    Ok(ChatMessage {
        message: message_ref(r)?,
        role,
        text: r.opt_text(4)?.unwrap_or_default(),
        user_id: r.opt_text(5)?,
        created_at: Timestamp::from_micros(r.int(6)?),
        sources,
    })
}

/// Columns read by [`user`] (the table's own names: qualify them in a join).
pub const USER_COLUMNS: &str = "id, project_id, email, role, created_at";

/// A dashboard user from the first 5 columns of `r` (in [`USER_COLUMNS`] order), without its
/// password hash. A role hark does not write is corrupt.
pub fn user<R: Columns>(r: &R) -> Result<User, R::Error> {
    Ok(User {
        user_id: UserId::new(r.text(0)?),
        project_id: ProjectId::new(r.text(1)?),
        email: Email::from_stored(r.text(2)?),
        role: Role::parse(&r.text(3)?).ok_or_else(|| r.corrupt(3, "user role"))?,
        created_at: Timestamp::from_micros(r.int(4)?),
    })
}

/// Columns read by [`session_with_user`]: the user's (`u`, as in [`USER_COLUMNS`]), then the
/// session's (`s`).
pub const SESSION_USER_COLUMNS: &str = "u.id, u.project_id, u.email, u.role, u.created_at, \
                                        s.token_hash, s.created_at, s.last_seen_at";

/// A session and its user (with the user's current role), in [`SESSION_USER_COLUMNS`] order.
pub fn session_with_user<R: Columns>(r: &R) -> Result<(Session, User), R::Error> {
    let user = user(r)?;
    let session = Session {
        hash: SessionHash(r.text(5)?),
        user_id: user.user_id.clone(),
        created_at: Timestamp::from_micros(r.int(6)?),
        last_seen_at: Timestamp::from_micros(r.int(7)?),
    };
    Ok((session, user))
}
