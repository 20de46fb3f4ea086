//! The themes that the comments on AI answers fall into: the same analysis as customer
//! feedback (mentions linked to themes), restricted to mentions said in chat-feedback comments.

use crate::view::format::count;
use crate::WebError;
use hark_core::analysis::{MentionFilter, SubjectKind};
use hark_core::theme_view::{current_week, listing};
use hark_core::{ProjectId, Timestamp};
use hark_store::Store;
use maud::{html, Markup};

/// Themes listed.
const TOP: usize = 8;

/// The section: the themes of the comments within the range (and application, when chosen),
/// most mentions first.
pub(super) async fn section(
    store: &dyn Store,
    project: &ProjectId,
    from: Option<Timestamp>,
    application: Option<String>,
) -> Result<Markup, WebError> {
    let filter = MentionFilter {
        from,
        source: application,
        kind: Some(SubjectKind::Chat),
        ..MentionFilter::default()
    };
    let metrics = store.theme_metrics(project, &filter).await?;
    let themes = store.themes(project).await?;
    // Most mentioned first, so the themes without comments are the ones cut.
    let list = listing(themes, metrics, current_week(None, Timestamp::now()), TOP);
    let unthemed = list.unthemed.as_ref().map_or(0, |m| m.mentions);
    let shown: Vec<_> = list
        .themes
        .iter()
        .filter(|v| v.metrics.mentions > 0)
        .collect();
    Ok(html! {
        section aria-labelledby="comment-themes" {
            h2 #comment-themes { "Themes in the comments" }
            @if shown.is_empty() && unthemed == 0 {
                p.muted { "No analysed comments in this range yet." }
            }
            @if !shown.is_empty() {
                ol.comment-themes {
                    @for v in &shown {
                        li {
                            a.label href=(format!("/themes/{}", v.theme.id.0)) { (v.theme.name.as_deref().unwrap_or(&v.theme.label)) }
                            " " span.muted { (count(v.metrics.mentions)) " in comments" }
                        }
                    }
                }
            }
            @if unthemed > 0 {
                p.muted { (count(unthemed)) " comment mentions are in no theme yet." }
            }
        }
    })
}
