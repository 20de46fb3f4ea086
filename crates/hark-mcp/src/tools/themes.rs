//! `list_themes`, `get_theme` and `rising_themes`: the theme listing and detail of
//! `GET /api/1/themes` and `GET /api/1/themes/{id}` ([`hark_core::theme_view`]), with the
//! dashboard's orders (mentions, growth, users) and the item each quote was said in.

use super::args::{self, GetThemeArgs, ListThemesArgs, RisingThemesArgs, ThemeSort};
use super::round;
use crate::error::ToolError;
use crate::{links, HarkMcp};
use hark_core::analysis::{MentionFilter, MentionView, ThemeId};
use hark_core::limits::MAX_NAME_CHARS;
use hark_core::theme_view::{self, current_week, ThemeListing, ThemeView};
use hark_core::{ItemId, Timestamp};
use serde_json::{json, Value};
use std::cmp::Reverse;

/// `list_themes`: the themes within the filter, ranked by `sort`.
pub async fn list(mcp: &HarkMcp, args: ListThemesArgs) -> Result<Value, ToolError> {
    let now = Timestamp::now();
    let range = args::range(args.from.as_deref(), args.to.as_deref(), args.days, now)?;
    let filter = MentionFilter {
        from: range.from,
        to: range.to,
        category: args::category(args.category.as_deref())?,
        ..MentionFilter::default()
    };
    let limit = args::limit(args.limit)? as usize;
    let sort = args.sort.unwrap_or_default();
    let listing = listing(mcp, &filter, now).await?;
    let total = listing.themes.len();
    let mut views = listing.themes;
    rank(&mut views, sort);
    views.truncate(limit);
    Ok(json!({
        "sort": sort,
        "from": range.from,
        "to": range.to,
        "total_themes": total,
        "themes": views.iter().map(summary).collect::<Vec<_>>(),
        "unthemed_mentions": listing.unthemed.map_or(0, |m| m.mentions),
    }))
}

/// `rising_themes`: the listing's rising themes, fastest growing first.
pub async fn rising(mcp: &HarkMcp, args: RisingThemesArgs) -> Result<Value, ToolError> {
    let now = Timestamp::now();
    let range = args::range(args.from.as_deref(), args.to.as_deref(), args.days, now)?;
    let filter = MentionFilter {
        from: range.from,
        to: range.to,
        ..MentionFilter::default()
    };
    let limit = args::limit(args.limit)? as usize;
    let listing = listing(mcp, &filter, now).await?;
    let rising: Vec<Value> = listing
        .rising
        .iter()
        .filter_map(|id| listing.themes.iter().find(|v| &v.theme.id == id))
        .take(limit)
        .map(summary)
        .collect();
    Ok(json!({
        "week_start": current_week(range.to, now),
        "rule": format!(
            "at least {} mentions this week and more than last week",
            theme_view::RISING_MIN_MENTIONS
        ),
        "themes": rising,
    }))
}

/// `get_theme`: the theme, its metrics, its weekly counts and its newest mentions as quotes.
pub async fn get(mcp: &HarkMcp, args: GetThemeArgs) -> Result<Value, ToolError> {
    let raw = args.id.trim();
    // An id that cannot be a theme's names none: the same answer as an unknown one.
    if raw.is_empty() || raw.chars().count() > MAX_NAME_CHARS {
        return Err(ToolError::not_found("theme", format!("{:?}", args.id)));
    }
    let id = ThemeId(raw.to_string());
    let store = mcp.store();
    let project = mcp.project();
    let theme = store
        .theme(project, &id)
        .await?
        .ok_or_else(|| ToolError::not_found("theme", raw))?;
    let filter = MentionFilter {
        theme: Some(id),
        ..MentionFilter::default()
    };
    let metrics = store.theme_metrics(project, &filter).await?;
    let mentions = store
        .list_mentions(project, &filter, None, args::limit(args.limit)?)
        .await?;
    let now = Timestamp::now();
    let detail = theme_view::detail(theme, metrics, current_week(None, now), mentions);
    let mut quotes = Vec::with_capacity(detail.mentions.len());
    for m in &detail.mentions {
        quotes.push(quote(m, item_of(mcp, m.id).await?));
    }
    let view = &detail.view;
    let m = &view.metrics;
    Ok(json!({
        "id": view.theme.id,
        "name": display_name(view),
        "label": view.theme.label,
        "key_phrases": view.theme.key_phrases,
        "pinned": view.theme.pinned,
        "created_at": view.theme.created_at,
        "link": links::theme(&view.theme.id),
        "metrics": {
            "mentions": m.mentions,
            "users": m.distinct_users,
            "sources": m.sources,
            "avg_sentiment": round(f64::from(m.avg_sentiment)),
            "categories": m.categories,
            "this_week": m.this_week,
            "last_week": m.last_week,
            "growth": m.wow_change.map(round),
        },
        "weekly": m.weekly,
        "typical_quotes": view.theme.quotes,
        "quotes": quotes,
    }))
}

/// Every theme of the project with its metrics within `filter`, most mentions first.
async fn listing(
    mcp: &HarkMcp,
    filter: &MentionFilter,
    now: Timestamp,
) -> Result<ThemeListing, ToolError> {
    let store = mcp.store();
    let themes = store.themes(mcp.project()).await?;
    let metrics = store.theme_metrics(mcp.project(), filter).await?;
    let week = current_week(filter.to, now);
    Ok(theme_view::listing(themes, metrics, week, usize::MAX))
}

/// Ranks `views` (in the listing's order, most mentions first) by `sort`, as the dashboard's
/// theme list does; the sort is stable, so ties keep the listing's order.
fn rank(views: &mut [ThemeView], sort: ThemeSort) {
    match sort {
        ThemeSort::Mentions => {}
        ThemeSort::Users => views.sort_by_key(|v| Reverse(v.metrics.distinct_users)),
        ThemeSort::Growth => views.sort_by_key(|v| {
            Reverse(i128::from(v.metrics.this_week) - i128::from(v.metrics.last_week))
        }),
    }
}

/// One theme of a listing, compactly.
fn summary(v: &ThemeView) -> Value {
    let m = &v.metrics;
    json!({
        "id": v.theme.id,
        "name": display_name(v),
        "key_phrases": v.theme.key_phrases.iter().take(5).collect::<Vec<_>>(),
        "mentions": m.mentions,
        "users": m.distinct_users,
        "this_week": m.this_week,
        "last_week": m.last_week,
        "growth": m.wow_change.map(round),
        "avg_sentiment": round(f64::from(m.avg_sentiment)),
        "pinned": v.theme.pinned,
        "link": links::theme(&v.theme.id),
    })
}

/// One mention as a quote, with the item it was said in (none for a chat comment).
fn quote(m: &MentionView, item: Option<ItemId>) -> Value {
    json!({
        "mention_id": m.id,
        "text": m.text,
        "category": m.category,
        "sentiment": m.sentiment.label,
        "created_at": m.created_at,
        "item_id": item,
        "link": item.map(links::item),
    })
}

/// The item mention `mention` was said in. Mentions do not carry their subject; the item
/// mentions' index (ids in order, with their items) does: the first item mention from
/// `mention` on is it, unless `mention` was said in a chat comment.
async fn item_of(mcp: &HarkMcp, mention: i64) -> Result<Option<ItemId>, ToolError> {
    let next = mcp
        .store()
        .item_vectors(mcp.project(), mention.saturating_sub(1), 1)
        .await?;
    Ok(next.first().filter(|v| v.id == mention).map(|v| v.item))
}

/// The name a person gave the theme, else its generated label.
fn display_name(v: &ThemeView) -> &str {
    v.theme.name.as_deref().unwrap_or(&v.theme.label)
}
