//! The project's sources: each with its `source_id` and a ready-to-paste ingest request
//! (`POST /api/1/ai-feedback/ingest`, the spec's first example), and the form that creates one.

use super::{copyable, display_name, require_admin};
use crate::auth::{DashboardUser, Posted};
use crate::view::format::time;
use crate::view::layout;
use crate::{WebError, WebState};
use axum::extract::State;
use axum::response::Redirect;
use hark_core::{Project, Source, SourceKind};
use maud::{html, Markup};
use serde::Deserialize;

/// The placeholder of the secret key in the ingest request (hark keeps only its hash).
const SECRET_PLACEHOLDER: &str = "YOUR_SECRET_KEY";

/// `s` as one single-quoted shell word (a `'` inside becomes `'\''`), so a value with shell
/// characters cannot turn the pasted command into another one.
pub(crate) fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// A curl command that sends the spec's first example to `source_id`.
pub(crate) fn ingest_curl(base: &str, api_key: &str, source_id: &str) -> String {
    let body = serde_json::json!({
        "source_id": source_id,
        "items": [{
            "unique_id": "review-789",
            "body": "The search feature is broken on mobile",
            "author": "Jane Doe",
            "user_id": "user-123",
            "created_at": "2026-03-15T10:30:00Z",
            "url": "https://feedback.example.com/reviews/789"
        }]
    });
    format!(
        "curl -u {} \\\n  -H 'Content-Type: application/json' \\\n  {} \\\n  -d {}",
        sh_quote(&format!("{api_key}:{SECRET_PLACEHOLDER}")),
        sh_quote(&format!("{base}/api/1/ai-feedback/ingest")),
        sh_quote(&body.to_string())
    )
}

/// The sources section of `/settings`.
pub(crate) fn section(
    user: &DashboardUser,
    project: &Project,
    sources: &[Source],
    base: &str,
) -> Markup {
    html! {
        section #sources aria-labelledby="sources-h" {
            h2 #sources-h { "Sources" }
            p.hint {
                "Feedback arrives through a source. Replace " code { (SECRET_PLACEHOLDER) }
                " with the project's secret key (shown when the project was created or its secret rotated)."
            }
            @if sources.is_empty() { p.muted { "No sources yet." } }
            @for (n, s) in sources.iter().enumerate() {
                article.card {
                    h3 { bdi { (s.name) } }
                    dl.facts {
                        dt { "Source id" } dd { code { (s.source_id.as_str()) } }
                        dt { "Type" } dd { (s.kind.as_str()) }
                        dt { "Created" } dd { (time(s.created_at)) " UTC" }
                    }
                    @if s.kind == SourceKind::Webhook {
                        (copyable(&format!("curl-{n}"), &format!("ingest request for {}", s.name),
                            &ingest_curl(base, &project.api_key, s.source_id.as_str())))
                    } @else {
                        p.muted { "Filled by importers; the ingest API refuses it." }
                    }
                }
            }
            form.stack method="post" action="/settings/sources" {
                (layout::csrf_field(user))
                label for="source-name" { "New source name" }
                input #source-name type="text" name="name" required maxlength="200" placeholder="e.g. App Store reviews";
                button type="submit" { "Create source" }
            }
        }
    }
}

/// The new-source form.
#[derive(Debug, Deserialize)]
pub(crate) struct NewSource {
    #[serde(default)]
    name: String,
}

/// POST `/settings/sources`: a webhook source.
pub(crate) async fn create(
    State(state): State<WebState>,
    Posted { user, form }: Posted<NewSource>,
) -> Result<Redirect, WebError> {
    require_admin(&user)?;
    let name = display_name(&form.name, "source")?;
    hark_store::create_source(state.store(), user.project(), &name, SourceKind::Webhook).await?;
    Ok(Redirect::to("/settings#sources"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_cannot_break_out() {
        assert_eq!(sh_quote("a b"), "'a b'");
        assert_eq!(sh_quote("it's; rm -rf /"), r"'it'\''s; rm -rf /'");
    }

    #[test]
    fn the_request_has_the_specs_shape() {
        let c = ingest_curl("http://h:7070", "hk_1", "src_2");
        assert!(c.starts_with("curl -u 'hk_1:YOUR_SECRET_KEY'"), "{c}");
        assert!(
            c.contains("'http://h:7070/api/1/ai-feedback/ingest'"),
            "{c}"
        );
        let body = c
            .rsplit_once("-d '")
            .expect("body")
            .1
            .trim_end_matches('\'');
        let v: serde_json::Value = serde_json::from_str(body).expect("json");
        assert_eq!(v["source_id"], "src_2");
        assert_eq!(v["items"][0]["unique_id"], "review-789");
    }
}
