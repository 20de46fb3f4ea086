//! The tools: thin methods that parse their arguments ([`args`]), make one call into the
//! modules below, and answer compact JSON or a tool error ([`crate::error::respond`]). All are
//! read-only (annotated so) and scoped to the handler's project.

pub mod answers;
pub mod args;
pub mod feedback;
pub mod params;
pub mod themes;

use crate::error::respond;
use crate::HarkMcp;
use args::{
    AnswerQualityArgs, GetItemArgs, GetThemeArgs, ListThemesArgs, RisingThemesArgs, SearchArgs,
};
use params::Parameters;
use rmcp::model::CallToolResult;
use rmcp::{tool, tool_router};

/// The first `max` characters of `text`, with `…` when cut.
pub(crate) fn excerpt(text: &str, max: usize) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(max).collect();
    if chars.next().is_some() {
        format!("{}…", head.trim_end())
    } else {
        head
    }
}

/// Three decimals are plenty for a rate, a mean or a similarity.
pub(crate) fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[tool_router(router = tool_router, vis = "pub(crate)")]
impl HarkMcp {
    /// `search_feedback`.
    #[tool(
        description = "Search the project's customer feedback by meaning and words (hybrid search; by words only while the model is loading: `mode` says which). Optional filters: source, category, sentiment, from/to dates. Returns items, best first, with id, excerpt, category, sentiment, created_at and a dashboard link.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    pub async fn search_feedback(
        &self,
        Parameters(args): Parameters<SearchArgs>,
    ) -> CallToolResult {
        respond(feedback::search(self, args).await)
    }

    /// `get_item`.
    #[tool(
        description = "One feedback item by id: its text, author fields, conversation parts in order, and its analysis (category, sentiment, mentions with their themes).",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    pub async fn get_item(&self, Parameters(args): Parameters<GetItemArgs>) -> CallToolResult {
        respond(feedback::get(self, args).await)
    }

    /// `list_themes`.
    #[tool(
        description = "The project's themes (groups of similar things customers said) with mentions, distinct users affected, this week's and last week's mentions and the week-over-week growth, for a period (from/to or the last N days) and optionally one category; sorted by mentions, growth or users.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    pub async fn list_themes(
        &self,
        Parameters(args): Parameters<ListThemesArgs>,
    ) -> CallToolResult {
        respond(themes::list(self, args).await)
    }

    /// `get_theme`.
    #[tool(
        description = "One theme by id: key phrases, metrics (mentions, users, sentiment, categories), mentions per week, and representative quotes (its newest mentions) with the ids of the items they were said in.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    pub async fn get_theme(&self, Parameters(args): Parameters<GetThemeArgs>) -> CallToolResult {
        respond(themes::get(self, args).await)
    }

    /// `rising_themes`.
    #[tool(
        description = "The themes rising this week: at least 3 mentions this week and more than last week, fastest growing first.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    pub async fn rising_themes(
        &self,
        Parameters(args): Parameters<RisingThemesArgs>,
    ) -> CallToolResult {
        respond(themes::rising(self, args).await)
    }

    /// `answer_quality`.
    #[tool(
        description = "How users rated an AI assistant's answers (thumbs up/down feedback): votes, useful rate, reasons counted, the answers with the most NOT_USEFUL votes, and the latest NOT_USEFUL feedback with comments, with conversation and message ids. For one application or all of the project's.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    pub async fn answer_quality(
        &self,
        Parameters(args): Parameters<AnswerQualityArgs>,
    ) -> CallToolResult {
        respond(answers::quality(self, args).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_cut_on_characters() {
        assert_eq!(excerpt("short", 10), "short");
        let e = excerpt(&"é".repeat(15), 10);
        assert_eq!(e.chars().count(), 11);
        assert!(e.ends_with('…'));
        assert_eq!(round(2.0 / 3.0), 0.667);
    }
}
