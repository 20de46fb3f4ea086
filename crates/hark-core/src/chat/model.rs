//! Records of the chat-feedback domain: applications, access keys, feedback, messages.

use super::ids::{AccessKeyId, ApplicationId, ConversationId, MessageId};
use crate::ids::ProjectId;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// An AI assistant application registered in hark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Application {
    /// The contract's `applicationId`.
    pub application_id: ApplicationId,
    /// Owning project.
    pub project_id: ProjectId,
    /// Display name.
    pub name: String,
    /// Strict: feedback for an unknown conversation or message is 404 instead of creating it.
    pub strict: bool,
    /// When it was registered.
    pub created_at: Timestamp,
}

/// A SigV4 access key of a project (the secret is stored encrypted, never in this record).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AccessKey {
    /// The `Credential=` id.
    pub access_key_id: AccessKeyId,
    /// Owning project.
    pub project_id: ProjectId,
    /// When it was issued.
    pub created_at: Timestamp,
    /// When it was revoked, if it was.
    pub revoked_at: Option<Timestamp>,
}

/// `USEFUL` or `NOT_USEFUL`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Usefulness {
    /// Thumbs up.
    Useful,
    /// Thumbs down.
    NotUseful,
}

/// The reason given with a usefulness vote (the contract's enum).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UsefulnessReason {
    #[allow(missing_docs)]
    NotFactuallyCorrect,
    #[allow(missing_docs)]
    HarmfulOrUnsafe,
    #[allow(missing_docs)]
    IncorrectOrMissingSources,
    #[allow(missing_docs)]
    NotHelpful,
    #[allow(missing_docs)]
    FactuallyCorrect,
    #[allow(missing_docs)]
    Complete,
    #[allow(missing_docs)]
    RelevantSources,
    #[allow(missing_docs)]
    Helpful,
    #[allow(missing_docs)]
    NotBasedOnDocuments,
    #[allow(missing_docs)]
    NotComplete,
    #[allow(missing_docs)]
    NotConcise,
    #[allow(missing_docs)]
    Other,
}

macro_rules! wire_names {
    ($t:ty { $($v:ident => $s:literal),* $(,)? }) => {
        impl $t {
            /// Every value, in the contract's order.
            pub const ALL: &'static [$t] = &[$(<$t>::$v),*];

            /// The wire (and stored) name.
            pub fn as_str(self) -> &'static str {
                match self { $(<$t>::$v => $s),* }
            }

            /// Parses the wire name.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some(<$t>::$v),)* _ => None }
            }
        }
    };
}

wire_names!(Usefulness { Useful => "USEFUL", NotUseful => "NOT_USEFUL" });
wire_names!(UsefulnessReason {
    NotFactuallyCorrect => "NOT_FACTUALLY_CORRECT",
    HarmfulOrUnsafe => "HARMFUL_OR_UNSAFE",
    IncorrectOrMissingSources => "INCORRECT_OR_MISSING_SOURCES",
    NotHelpful => "NOT_HELPFUL",
    FactuallyCorrect => "FACTUALLY_CORRECT",
    Complete => "COMPLETE",
    RelevantSources => "RELEVANT_SOURCES",
    Helpful => "HELPFUL",
    NotBasedOnDocuments => "NOT_BASED_ON_DOCUMENTS",
    NotComplete => "NOT_COMPLETE",
    NotConcise => "NOT_CONCISE",
    Other => "OTHER",
});

/// The `messageUsefulness` object of a submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MessageUsefulness {
    /// The vote.
    pub usefulness: Usefulness,
    /// Why, if given.
    pub reason: Option<UsefulnessReason>,
    /// Free text, 0–1000 characters.
    pub comment: Option<String>,
    /// When the user submitted it (decides which of two submissions wins).
    pub submitted_at: Timestamp,
}

/// Where a piece of feedback is addressed: application, conversation, message.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MessageRef {
    /// Application.
    pub application_id: ApplicationId,
    /// Conversation.
    pub conversation_id: ConversationId,
    /// Message.
    pub message_id: MessageId,
}

/// A validated `PutFeedback` call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackInput {
    /// The rated message.
    pub message: MessageRef,
    /// The `userId` query parameter, if sent.
    pub user_id: Option<String>,
    /// `messageCopiedAt`, if sent.
    pub message_copied_at: Option<Timestamp>,
    /// `messageUsefulness`, if sent.
    pub usefulness: Option<MessageUsefulness>,
}

/// Stored feedback: one per (message, user); the later `submittedAt` wins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StoredFeedback {
    /// The rated message.
    #[serde(flatten)]
    pub message: MessageRef,
    /// The user who gave it (`None` when the call carried no `userId`).
    pub user_id: Option<String>,
    /// The latest vote.
    pub usefulness: Option<MessageUsefulness>,
    /// When the answer was copied, if it was.
    pub message_copied_at: Option<Timestamp>,
    /// When hark first stored feedback for this (message, user).
    pub received_at: Timestamp,
    /// When hark last changed it.
    pub updated_at: Timestamp,
}

/// Who wrote a message of a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MessageRole {
    /// The end user's question.
    User,
    /// The assistant's answer.
    Assistant,
}

/// A source cited by an assistant answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CitedSource {
    /// Title of the document.
    pub title: Option<String>,
    /// Link to it.
    pub url: Option<String>,
    /// The passage used.
    pub snippet: Option<String>,
}

/// A message of a conversation recorded through hark's extension endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChatMessage {
    /// Where it belongs.
    #[serde(flatten)]
    pub message: MessageRef,
    /// User or assistant.
    pub role: MessageRole,
    /// The text.
    pub text: String,
    /// The end user of the conversation.
    pub user_id: Option<String>,
    /// When it was said.
    pub created_at: Timestamp,
    /// Sources cited (assistant answers).
    pub sources: Vec<CitedSource>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip() {
        for r in UsefulnessReason::ALL {
            assert_eq!(UsefulnessReason::parse(r.as_str()), Some(*r));
            let json = serde_json::to_string(r).unwrap();
            assert_eq!(json, format!("\"{}\"", r.as_str()));
        }
        assert_eq!(UsefulnessReason::ALL.len(), 12);
        assert_eq!(Usefulness::parse("NOT_USEFUL"), Some(Usefulness::NotUseful));
        assert_eq!(Usefulness::parse("useful"), None);
    }
}
