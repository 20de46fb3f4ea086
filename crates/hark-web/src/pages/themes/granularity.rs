//! The project's theme granularity, chosen by editors on `/broad-themes`: coarser or finer
//! themes than the deployment's default, applied by regrouping the themes at once (when the
//! model is loaded; otherwise at the next discovery).

use super::detail::EDIT_ROLE;
use crate::auth::{DashboardUser, Posted};
use crate::view::layout;
use crate::{WebError, WebState};
use axum::extract::State;
use axum::response::Redirect;
use hark_analysis::themes::Scope;
use hark_core::analysis::ThemeGranularity;
use maud::{html, Markup};
use serde::Deserialize;

/// The form, with the project's current choice selected (`None`: the deployment's default).
pub(crate) fn form(user: &DashboardUser, current: Option<ThemeGranularity>) -> Markup {
    html! {
        section.card aria-labelledby="granularity" {
            h2 #granularity { "Theme granularity" }
            form.inline method="post" action="/themes/granularity"
                data-confirm="Regroup this project's themes now? Pinned themes are kept." {
                (layout::csrf_field(user))
                label for="granularity-choice" { "Themes" }
                select #granularity-choice name="granularity" {
                    option value="" selected[current.is_none()] { "server default" }
                    @for g in ThemeGranularity::ALL {
                        option value=(g.as_str()) selected[current == Some(g)] { (label(g)) }
                    }
                }
                button.secondary type="submit" { "Save and regroup" }
            }
            p.hint { "Coarser gives fewer, broader themes; finer gives more, narrower ones." }
        }
    }
}

fn label(g: ThemeGranularity) -> &'static str {
    match g {
        ThemeGranularity::Coarser => "coarser",
        ThemeGranularity::Normal => "normal (cut for the corpus size)",
        ThemeGranularity::Finer => "finer",
    }
}

/// The posted choice: empty for the deployment's default.
#[derive(Debug, Deserialize)]
pub(crate) struct Choice {
    #[serde(default)]
    granularity: String,
}

/// POST `/themes/granularity`: stores the choice and regroups the themes (303 to
/// `/broad-themes`).
pub(crate) async fn set(
    State(state): State<WebState>,
    Posted { user, form }: Posted<Choice>,
) -> Result<Redirect, WebError> {
    user.require(EDIT_ROLE)?;
    let choice = match form.granularity.as_str() {
        "" => None,
        name => Some(ThemeGranularity::parse(name).ok_or_else(|| {
            WebError::BadRequest("granularity must be coarser, normal or finer".into())
        })?),
    };
    state
        .store()
        .set_theme_granularity(user.project(), choice)
        .await?;
    if let Some(pipeline) = state.pipeline() {
        if let Err(e) = pipeline.discover(user.project(), Scope::All).await {
            // The choice is stored; the periodic discovery applies it later.
            tracing::warn!(error = %e, "regrouping after a granularity change failed");
        }
    }
    Ok(Redirect::to("/broad-themes"))
}
