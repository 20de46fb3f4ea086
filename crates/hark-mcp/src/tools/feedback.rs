//! `search_feedback` (the search of `GET /api/1/search`: hybrid once the model has loaded, by
//! words only until then) and `get_item` (an item with its parts and analysis, as
//! `GET /api/1/items/{id}` shows it).

use super::args::{self, GetItemArgs, ItemIdArg, SearchArgs, MAX_QUERY_CHARS};
use super::excerpt;
use crate::error::ToolError;
use crate::{links, HarkMcp};
use hark_analysis::search::{self, SearchHit, SearchQuery};
use hark_core::analysis::{Category, SentimentLabel, StoredAnalysis, Subject};
use hark_core::{ItemFilter, ItemId, SourceId, StoredItem, Timestamp};
use serde::Serialize;

/// Characters of an item's text shown in a search result.
const EXCERPT_CHARS: usize = 300;

/// `search_feedback`: the best items for the query within the filters.
pub async fn search(mcp: &HarkMcp, args: SearchArgs) -> Result<SearchAnswer, ToolError> {
    if args.query.trim().is_empty() {
        return Err(ToolError::invalid("query", "must not be blank"));
    }
    if args.query.chars().count() > MAX_QUERY_CHARS {
        return Err(ToolError::invalid(
            "query",
            format!("must be at most {MAX_QUERY_CHARS} characters"),
        ));
    }
    let range = args::range(
        args.from.as_deref(),
        args.to.as_deref(),
        None,
        Timestamp::now(),
    )?;
    let source_id = match args.source {
        Some(id) => Some(project_source(mcp, id).await?),
        None => None,
    };
    let filter = ItemFilter {
        source_id,
        created_from: range.from,
        created_to: range.to,
        category: args::category(args.category.as_deref())?,
        sentiment: args::sentiment(args.sentiment.as_deref())?,
        ..ItemFilter::default()
    };
    let query = SearchQuery {
        text: args.query,
        filter,
        offset: 0,
        limit: args::limit(args.limit)? as usize,
    };
    let project = mcp.project();
    let results = match mcp.pipeline() {
        Some(pipeline) => pipeline.search(project, &query).await?,
        None => search::keyword_only(mcp.store(), project, &query).await?,
    };
    let mut found = Vec::with_capacity(results.hits.len());
    for h in results.hits {
        found.push(hit(mcp, h).await?);
    }
    Ok(SearchAnswer {
        mode: if results.semantic {
            "hybrid"
        } else {
            "keyword"
        },
        results: found,
        more: results.more,
    })
}

/// `search_feedback`'s answer.
#[derive(Debug, Serialize)]
pub struct SearchAnswer {
    /// `hybrid` (meaning and words) or `keyword` (words only: the model is not loaded).
    pub mode: &'static str,
    /// Best first.
    pub results: Vec<Hit>,
    /// True when more results exist beyond `limit`.
    pub more: bool,
}

/// The source of the caller's project named `id`; another project's is not found.
async fn project_source(mcp: &HarkMcp, id: String) -> Result<SourceId, ToolError> {
    let source = SourceId::new(id.trim());
    match mcp.store().get_source(mcp.project(), &source).await? {
        Some(_) => Ok(source),
        None => Err(ToolError::not_found("source", id)),
    }
}

/// One search result.
#[derive(Debug, Serialize)]
pub struct Hit {
    /// The item's id.
    pub id: ItemId,
    /// The start of its text (or of its best-matching mention when it has no text of its own).
    pub excerpt: String,
    /// Its category; `null` until analysed.
    pub category: Option<Category>,
    /// Its overall sentiment; `null` until analysed.
    pub sentiment: Option<SentimentLabel>,
    /// When it was written.
    pub created_at: Timestamp,
    /// The source it came through.
    pub source_id: SourceId,
    /// Cosine similarity of its best mention to the query, to 3 decimals, as the REST search
    /// gives it (`null` when only its words matched).
    pub similarity: Option<f32>,
    /// True when its text contains the query literally.
    pub keyword: bool,
    /// Its mention closest to the query.
    pub mention: Option<String>,
    /// Its dashboard page.
    pub link: String,
}

/// One search result: the item's id, an excerpt, its analysis labels and its link.
async fn hit(mcp: &HarkMcp, hit: SearchHit) -> Result<Hit, ToolError> {
    let item = hit.item;
    let analysis = mcp
        .store()
        .analysis(mcp.project(), Subject::Item(item.id.0))
        .await?;
    let text = item
        .body
        .as_deref()
        .or(hit.mention.as_deref())
        .unwrap_or("");
    Ok(Hit {
        id: item.id,
        excerpt: excerpt(text, EXCERPT_CHARS),
        category: analysis.as_ref().map(|a| a.category),
        sentiment: analysis.as_ref().map(|a| a.sentiment.label),
        created_at: item.created_at,
        source_id: item.source_id,
        similarity: hit.similarity.map(|s| (s * 1000.0).round() / 1000.0),
        keyword: hit.keyword,
        mention: hit.mention,
        link: links::item(item.id),
    })
}

/// `get_item`'s answer: the item as `GET /api/1/items/{id}` shows it, and its link.
#[derive(Debug, Serialize)]
pub struct ItemAnswer {
    /// The item and its conversation parts.
    #[serde(flatten)]
    pub item: StoredItem,
    /// Its category, sentiment and mentions; `null` until it has been analysed.
    pub analysis: Option<StoredAnalysis>,
    /// Its dashboard page.
    pub link: String,
}

/// `get_item`: the item with its conversation parts, its analysis and its link.
pub async fn get(mcp: &HarkMcp, args: GetItemArgs) -> Result<ItemAnswer, ToolError> {
    let id = match args.id {
        ItemIdArg::Number(n) => ItemId(n),
        ItemIdArg::Text(text) => match text.trim().parse::<i64>() {
            Ok(n) => ItemId(n),
            // An id that is not a number names no item: the same answer as an unknown one.
            Err(_) => return Err(ToolError::not_found("item", format!("{text:?}"))),
        },
    };
    let store = mcp.store();
    let item = store
        .get_item(mcp.project(), id)
        .await?
        .ok_or_else(|| ToolError::not_found("item", id.to_string()))?;
    let analysis = store.analysis(mcp.project(), Subject::Item(id.0)).await?;
    Ok(ItemAnswer {
        item,
        analysis,
        link: links::item(id),
    })
}
