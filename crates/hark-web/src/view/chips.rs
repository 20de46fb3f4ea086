//! Small labelled values shown beside feedback: category and sentiment chips, pinned markers.

use hark_core::analysis::{Category, Sentiment, SentimentLabel};
use maud::{html, Markup};

/// A category as one item of it is called (singular, lower case).
pub(crate) fn category_name(c: Category) -> &'static str {
    match c {
        Category::Bug => "bug",
        Category::FeatureRequest => "feature request",
        Category::Complaint => "complaint",
        Category::Praise => "praise",
        Category::Question => "question",
        Category::Other => "other",
    }
}

/// `positive`, `neutral` or `negative`.
pub(crate) fn sentiment_name(l: SentimentLabel) -> &'static str {
    match l {
        SentimentLabel::Positive => "positive",
        SentimentLabel::Neutral => "neutral",
        SentimentLabel::Negative => "negative",
    }
}

/// A score in [-1, 1] as `+0.42`.
pub(crate) fn score(s: f32) -> String {
    format!("{s:+.2}")
}

/// The category chip.
pub(crate) fn category(c: Category) -> Markup {
    html! { span.chip { (category_name(c)) } }
}

/// The sentiment chip, coloured by label (the label is in the text, not only the colour).
pub(crate) fn sentiment(s: Sentiment) -> Markup {
    let name = sentiment_name(s.label);
    html! { span class=(format!("chip {name}")) { (name) " " (score(s.score)) } }
}
