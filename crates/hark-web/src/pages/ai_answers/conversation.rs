//! `/ai-answers/{application_id}/{conversation_id}`: a conversation's recorded messages as a
//! thread (answers set apart), each with the feedback given on it.

use super::app_name;
use super::summary::reason_label;
use crate::auth::DashboardUser;
use crate::view::format::{time, user_url};
use crate::view::layout::{self, Section};
use crate::{WebError, WebState};
use axum::extract::{Path, State};
use hark_core::chat::{
    ApplicationId, ChatMessage, ConversationId, MessageRole, StoredFeedback, Usefulness,
};
use maud::{html, Markup};

/// GET `/ai-answers/{application_id}/{conversation_id}`; `NotFound` for ids that cannot exist
/// and for another project's conversation.
pub(crate) async fn page(
    State(state): State<WebState>,
    user: DashboardUser,
    Path((app, conv)): Path<(String, String)>,
) -> Result<Markup, WebError> {
    let not_found = || WebError::NotFound("conversation");
    let app = ApplicationId::parse(&app).ok_or_else(not_found)?;
    let conv = ConversationId::parse(&conv).ok_or_else(not_found)?;
    let store = state.store();
    let c = store
        .get_conversation(user.project(), &app, &conv)
        .await?
        .ok_or_else(not_found)?;
    let apps = store.list_applications(user.project()).await?;
    // Feedback on messages that were never recorded (their text is unknown).
    let orphans: Vec<&StoredFeedback> = c
        .feedback
        .iter()
        .filter(|f| {
            !c.messages
                .iter()
                .any(|m| m.message.message_id == f.message.message_id)
        })
        .collect();
    let content = html! {
        p { a href="/ai-answers" { "AI answers" } }
        h1 { "Conversation" }
        dl.facts {
            dt { "Application" } dd { bdi { (app_name(&apps, &c.application_id)) } }
            dt { "Conversation id" } dd { (c.conversation_id.as_str()) }
        }
        @if c.messages.is_empty() {
            p.muted { "No message of this conversation was recorded; only feedback on it is known." }
        }
        ol.thread {
            @for m in &c.messages {
                (message(m, &c.feedback))
            }
        }
        @if !orphans.is_empty() {
            h2 { "Feedback on messages not recorded" }
            ul.thread {
                @for f in orphans {
                    li { p.muted { "Message " (f.message.message_id.as_str()) } (feedback(f)) }
                }
            }
        }
    };
    Ok(layout::page(
        "Conversation",
        &user,
        Section::AiAnswers,
        content,
    ))
}

/// One message with its sources and feedback.
fn message(m: &ChatMessage, all: &[StoredFeedback]) -> Markup {
    let answer = m.role == MessageRole::Assistant;
    let on_it: Vec<&StoredFeedback> = all
        .iter()
        .filter(|f| f.message.message_id == m.message.message_id)
        .collect();
    html! {
        li class=[answer.then_some("staff")] {
            p.muted {
                @if answer { "Assistant" } @else { "User" }
                @if let Some(u) = &m.user_id { @if !answer { " " bdi { (u) } } }
                " · " (time(m.created_at))
            }
            div.body { (m.text) }
            @if !m.sources.is_empty() {
                details {
                    summary { "Sources (" (m.sources.len()) ")" }
                    ul {
                        @for s in &m.sources {
                            li {
                                (s.title.as_deref().unwrap_or("Untitled"))
                                @if let Some(u) = &s.url { " — " (user_url(u)) }
                                @if let Some(sn) = &s.snippet { blockquote.quote { (sn) } }
                            }
                        }
                    }
                }
            }
            @for f in on_it { (feedback(f)) }
        }
    }
}

/// One feedback record: the vote, its reason and comment, and whether the answer was copied.
fn feedback(f: &StoredFeedback) -> Markup {
    html! {
        div.feedback {
            p {
                @if let Some(u) = &f.usefulness {
                    @if u.usefulness == Usefulness::Useful {
                        span.chip.positive { "useful" }
                    } @else {
                        span.chip.negative { "not useful" }
                    }
                    @if let Some(r) = u.reason { " " (reason_label(r.as_str())) }
                    " · " (time(u.submitted_at))
                }
                @if f.message_copied_at.is_some() { " " span.chip { "copied" } }
                @if let Some(who) = &f.user_id { " · by " bdi { (who) } }
            }
            @if let Some(c) = f.usefulness.as_ref().and_then(|u| u.comment.as_ref()) {
                blockquote.quote { (c) }
            }
        }
    }
}
