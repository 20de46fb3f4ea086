//! `/ai-answers`: how useful the AI assistants' answers are — the useful rate over time and per
//! application, the reasons given, the copy rate, the themes of the comments, the answers with most "not useful" votes and
//! the latest "not useful" votes that carry a comment. One conversation is [`conversation`].

mod comment_themes;
pub(crate) mod conversation;
mod summary;

use crate::auth::DashboardUser;
use crate::charts::{bar_chart, Bar};
use crate::view::filters::{self, Fields, Filters};
use crate::view::format::{count, percent, segment, snippet, time};
use crate::view::layout::{self, Section};
use crate::{WebError, WebState};
use axum::extract::{Query, State};
use hark_core::chat::{
    Application, ApplicationId, ConversationId, FeedbackCursor, FeedbackFilter, Period, StatsQuery,
    StoredFeedback, Usefulness,
};
use hark_core::Timestamp;
use maud::{html, Markup};
use summary::{reason_label, summarise, Summary};

/// The range shown when the URL names none.
const DEFAULT_RANGE: &str = "30d";
/// Answers with most "not useful" votes listed.
const WORST: u32 = 10;
/// Commented "not useful" votes per page.
const COMMENTS: u32 = 20;

/// The link of a conversation's page.
pub(crate) fn conversation_href(app: &ApplicationId, conv: &ConversationId) -> String {
    format!(
        "/ai-answers/{}/{}",
        segment(app.as_str()),
        segment(conv.as_str())
    )
}

/// The name of an application id among `apps` (the id itself when unknown).
pub(crate) fn app_name<'a>(apps: &'a [Application], id: &'a ApplicationId) -> &'a str {
    apps.iter()
        .find(|a| &a.application_id == id)
        .map_or(id.as_str(), |a| a.name.as_str())
}

/// GET `/ai-answers`.
pub(crate) async fn page(
    State(state): State<WebState>,
    user: DashboardUser,
    Query(f): Query<Filters>,
) -> Result<Markup, WebError> {
    let store = state.store();
    let project = user.project();
    let now = Timestamp::now();
    let from = f.from(DEFAULT_RANGE, now);
    // Days for a month or less, weeks beyond: a readable number of bars either way.
    let period = match f.range_or(DEFAULT_RANGE) {
        "7d" | "30d" => Period::Day,
        _ => Period::Week,
    };
    let application_id = f.source().and_then(ApplicationId::parse);
    let themes = comment_themes::section(
        store,
        project,
        from,
        application_id.as_ref().map(|a| a.as_str().to_string()),
    )
    .await?;
    let stats = store
        .feedback_stats(
            project,
            &StatsQuery {
                application_id: application_id.clone(),
                from,
                to: None,
                period,
                top: WORST,
            },
        )
        .await?;
    let comments = store
        .list_feedback(
            project,
            &FeedbackFilter {
                application_id,
                usefulness: Some(Usefulness::NotUseful),
                from,
                has_comment: Some(true),
                ..FeedbackFilter::default()
            },
            f.after.as_deref().and_then(FeedbackCursor::decode),
            COMMENTS,
        )
        .await?;
    let apps = store.list_applications(project).await?;
    let choices: Vec<(String, String)> = apps
        .iter()
        .map(|a| (a.application_id.to_string(), a.name.clone()))
        .collect();
    let s = summarise(&stats);
    let unit = if period == Period::Day { "day" } else { "week" };
    let content = html! {
        h1 { "AI answers" }
        (filters::form("/ai-answers", &f, DEFAULT_RANGE, &choices, Fields::default()))
        @if apps.is_empty() {
            p.muted { "No AI applications yet: an admin registers one under Settings." }
        }
        (overview(&s, unit))
        (per_application(&s, &apps))
        (themes)
        section aria-labelledby="worst" {
            h2 #worst { "Answers with most “not useful” votes" }
            @if stats.most_not_useful.is_empty() {
                p.muted { "None in this range." }
            } @else {
                div.table-wrap role="region" aria-label="Answers with most not useful votes" tabindex="0" {
                    table {
                        thead { tr {
                            th scope="col" { "Answer" }
                            th.num scope="col" { "Not useful" }
                            th.num scope="col" { "Useful" }
                            th.hide-narrow scope="col" { "Application" }
                        } }
                        tbody {
                            @for a in &stats.most_not_useful {
                                tr {
                                    td {
                                        a href=(conversation_href(&a.message.application_id, &a.message.conversation_id)) {
                                            @match a.text.as_deref().map(|t| snippet(t, 160)).filter(|t| !t.is_empty()) {
                                                Some(t) => (t),
                                                None => { "Message " (a.message.message_id.as_str()) " (text not recorded)" },
                                            }
                                        }
                                    }
                                    td.num { (count(a.not_useful)) }
                                    td.num { (count(a.useful)) }
                                    td.hide-narrow { (app_name(&apps, &a.message.application_id)) }
                                }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="comments" {
            h2 #comments { "Latest “not useful” votes with a comment" }
            @if comments.feedback.is_empty() {
                p.muted { "None in this range." }
            } @else {
                ul.thread {
                    @for fb in &comments.feedback { (comment(fb, &apps)) }
                }
            }
            nav.pager aria-label="Comment pages" {
                @if f.after.is_some() {
                    a href=(format!("/ai-answers{}", f.with("after", None))) { "Latest comments" }
                }
                @if let Some(next) = comments.next {
                    a href=(format!("/ai-answers{}", f.with("after", Some(&next.encode())))) { "Older comments" }
                }
            }
        }
    };
    Ok(layout::page(
        "AI answers",
        &user,
        Section::AiAnswers,
        content,
    ))
}

/// Totals, the useful rate per period and the reasons.
fn overview(s: &Summary, unit: &str) -> Markup {
    let bars: Vec<Bar> = s
        .periods
        .iter()
        .filter(|(_, c)| c.votes() > 0)
        .map(|(start, c)| Bar {
            label: time(Timestamp::from_micros(*start))
                .chars()
                .take(10)
                .collect(),
            value: c.useful as f64 * 100.0 / c.votes() as f64,
        })
        .collect();
    let title = format!("Useful rate per {unit}");
    html! {
        div.grid {
            section.card aria-labelledby="rate" {
                h2 #rate { "Useful rate" }
                p { span.stat { (percent(s.total.useful, s.total.votes())) } " of votes say useful" }
                p.muted { (count(s.total.useful)) " useful, " (count(s.total.not_useful)) " not useful" }
                (bar_chart(&title, &bars, "%"))
            }
            section.card aria-labelledby="copy" {
                h2 #copy { "Copy rate" }
                p { span.stat { (percent(s.total.copied, s.total.feedback)) } " of rated answers were copied" }
                p.muted { (count(s.total.copied)) " copied of " (count(s.total.feedback)) " with feedback" }
                h3 { "Reasons given" }
                @if s.reasons.is_empty() {
                    p.muted { "No reasons in this range." }
                } @else {
                    table {
                        thead { tr { th scope="col" { "Reason" } th.num scope="col" { "Votes" } } }
                        tbody {
                            @for (r, n) in &s.reasons {
                                tr { td { (reason_label(r)) } td.num { (count(*n)) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The figures per application.
fn per_application(s: &Summary, apps: &[Application]) -> Markup {
    html! {
        section aria-labelledby="apps" {
            h2 #apps { "Per application" }
            @if s.applications.is_empty() {
                p.muted { "No feedback in this range." }
            } @else {
                div.table-wrap role="region" aria-label="Per application" tabindex="0" {
                    table {
                        thead { tr {
                            th scope="col" { "Application" }
                            th.num scope="col" { "Feedback" }
                            th.num scope="col" { "Useful rate" }
                            th.num.hide-narrow scope="col" { "Useful" }
                            th.num.hide-narrow scope="col" { "Not useful" }
                            th.num scope="col" { "Copy rate" }
                        } }
                        tbody {
                            @for (id, c) in &s.applications {
                                @let id = ApplicationId::from_stored(id.clone());
                                tr {
                                    td { (app_name(apps, &id)) }
                                    td.num { (count(c.feedback)) }
                                    td.num { (percent(c.useful, c.votes())) }
                                    td.num.hide-narrow { (count(c.useful)) }
                                    td.num.hide-narrow { (count(c.not_useful)) }
                                    td.num { (percent(c.copied, c.feedback)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One commented vote.
fn comment(fb: &StoredFeedback, apps: &[Application]) -> Markup {
    let m = &fb.message;
    html! {
        li {
            @if let Some(u) = &fb.usefulness {
                p.muted {
                    (time(u.submitted_at)) " · " bdi { (app_name(apps, &m.application_id)) }
                    @if let Some(r) = u.reason { " · " (reason_label(r.as_str())) }
                    @if let Some(who) = &fb.user_id { " · " bdi { (who) } }
                }
                @if let Some(c) = &u.comment { p.body { (c) } }
            }
            a href=(conversation_href(&m.application_id, &m.conversation_id)) {
                "Open the conversation" span.sr-only { " " (m.conversation_id.as_str()) }
            }
        }
    }
}
