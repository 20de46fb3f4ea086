//! `answer_quality`: how users rated an AI assistant's answers, from the chat feedback of
//! `GET /api/1/chat/stats` (votes, reasons, most NOT_USEFUL answers, summed over the period) and
//! `GET /api/1/chat/feedback` (the latest NOT_USEFUL votes that came with a comment).

use super::args::{self, AnswerQualityArgs};
use super::{excerpt, round};
use crate::error::ToolError;
use crate::{links, HarkMcp};
use hark_core::chat::{
    ApplicationId, FeedbackFilter, Period, StatsQuery, StoredFeedback, Usefulness,
};
use hark_core::Timestamp;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Characters of an answer's text shown.
const ANSWER_CHARS: usize = 300;

/// `answer_quality` for one application of the project, or all of them.
pub async fn quality(mcp: &HarkMcp, args: AnswerQualityArgs) -> Result<Value, ToolError> {
    let range = args::range(
        args.from.as_deref(),
        args.to.as_deref(),
        args.days,
        Timestamp::now(),
    )?;
    let limit = args::limit(args.limit)?;
    let application_id = match args.application_id {
        Some(id) => Some(project_application(mcp, &id).await?),
        None => None,
    };
    let store = mcp.store();
    let stats = store
        .feedback_stats(
            mcp.project(),
            &StatsQuery {
                application_id: application_id.clone(),
                from: range.from,
                to: range.to,
                period: Period::Week,
                top: limit,
            },
        )
        .await?;
    let (mut feedback, mut useful, mut not_useful, mut copied) = (0u64, 0u64, 0u64, 0u64);
    let mut reasons: BTreeMap<String, u64> = BTreeMap::new();
    for b in &stats.buckets {
        feedback += b.feedback;
        useful += b.useful;
        not_useful += b.not_useful;
        copied += b.copied;
        for (reason, n) in &b.reasons {
            *reasons.entry(reason.clone()).or_default() += n;
        }
    }
    let votes = useful + not_useful;
    let useful_rate = (votes > 0).then(|| round(useful as f64 / votes as f64));
    let most_not_useful: Vec<Value> = stats
        .most_not_useful
        .iter()
        .map(|a| {
            json!({
                "application_id": a.message.application_id,
                "conversation_id": a.message.conversation_id,
                "message_id": a.message.message_id,
                "not_useful": a.not_useful,
                "useful": a.useful,
                "answer": a.text.as_deref().map(|t| excerpt(t, ANSWER_CHARS)),
                "link": links::conversation(&a.message.application_id, &a.message.conversation_id),
            })
        })
        .collect();
    let filter = FeedbackFilter {
        application_id: application_id.clone(),
        usefulness: Some(Usefulness::NotUseful),
        from: range.from,
        to: range.to,
        has_comment: Some(true),
        ..FeedbackFilter::default()
    };
    let page = store
        .list_feedback(mcp.project(), &filter, None, limit)
        .await?;
    Ok(json!({
        "application_id": application_id,
        "from": range.from,
        "to": range.to,
        "feedback": feedback,
        "useful": useful,
        "not_useful": not_useful,
        "useful_rate": useful_rate,
        "copied": copied,
        "reasons": reasons,
        "most_not_useful": most_not_useful,
        "worst_answers": page.feedback.iter().map(worst).collect::<Vec<_>>(),
    }))
}

/// The application of the caller's project named `id`; another project's is not found.
async fn project_application(mcp: &HarkMcp, id: &str) -> Result<ApplicationId, ToolError> {
    let found = match ApplicationId::parse(id.trim()) {
        Some(app) => mcp.store().get_application(&app).await?,
        None => None,
    };
    match found {
        Some(app) if &app.project_id == mcp.project() => Ok(app.application_id),
        _ => Err(ToolError::not_found("application", format!("{id:?}"))),
    }
}

/// A NOT_USEFUL vote with its comment, where it was given and who gave it.
fn worst(f: &StoredFeedback) -> Value {
    let vote = f.usefulness.as_ref();
    json!({
        "application_id": f.message.application_id,
        "conversation_id": f.message.conversation_id,
        "message_id": f.message.message_id,
        "user_id": f.user_id,
        "reason": vote.and_then(|u| u.reason),
        "comment": vote.and_then(|u| u.comment.as_deref()),
        "submitted_at": vote.map(|u| u.submitted_at),
        "link": links::conversation(&f.message.application_id, &f.message.conversation_id),
    })
}
