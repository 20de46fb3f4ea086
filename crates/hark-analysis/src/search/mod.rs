//! Hybrid search over a project's feedback: meaning (the query's embedding against every item
//! mention's, [`index`]) and words (the store's literal text filter), fused by reciprocal rank
//! (RRF, k = 60) into one ranking of items, with the listing's filters applied to both.
//!
//! "can't log in" finds "login fails" through the embeddings; an error code or a product name
//! that the model does not know is still found by its words. Without the model (not loaded
//! yet) the search is by words only, and says so.

pub mod index;

use hark_core::{ItemFilter, ItemId, ProjectId, StoredItem};
use hark_store::{Store, StoreError};
use index::{Nearest, ProjectIndex};
use std::collections::HashMap;

/// A mention at least this similar to the query makes its item a semantic match (cosine on
/// all-MiniLM-L6-v2; paraphrases score 0.5–0.8, unrelated feedback below 0.25).
pub const MIN_SIMILARITY: f32 = 0.35;
/// Semantic candidates considered before the filters.
const SEMANTIC_CANDIDATES: usize = 500;
/// Word matches considered.
const KEYWORD_CANDIDATES: u32 = 200;
/// The constant of reciprocal rank fusion.
const RRF_K: f32 = 60.0;
/// The deepest result a search returns (offset + limit).
pub const MAX_DEPTH: usize = 500;

/// What to search for.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    /// The words, as typed.
    pub text: String,
    /// The listing's filters (its `text` is ignored: the query is the text).
    pub filter: ItemFilter,
    /// Results skipped.
    pub offset: usize,
    /// Results returned.
    pub limit: usize,
}

/// One found item.
#[derive(Debug, Clone)]
pub struct SearchHit {
    /// The item.
    pub item: StoredItem,
    /// Fused score (higher is better; only the order means anything).
    pub score: f32,
    /// Cosine similarity of its best mention to the query, when the model ranked it.
    pub similarity: Option<f32>,
    /// True when its text contains the query's words literally.
    pub keyword: bool,
    /// Its best-matching mention, when the model ranked it.
    pub mention: Option<String>,
}

/// A page of results.
#[derive(Debug, Clone, Default)]
pub struct SearchResults {
    /// Best first.
    pub hits: Vec<SearchHit>,
    /// True when the model took part (false: words only).
    pub semantic: bool,
    /// True when results exist beyond this page (up to [`MAX_DEPTH`]).
    pub more: bool,
}

/// A search by words only: literal matches, newest first.
pub async fn keyword_only(
    store: &dyn Store,
    project: &ProjectId,
    query: &SearchQuery,
) -> Result<SearchResults, StoreError> {
    let (offset, limit) = bounds(query);
    let matches = keyword_matches(store, project, query, offset + limit + 1).await?;
    let more = matches.len() > offset + limit;
    let hits = matches
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|item| SearchHit {
            item,
            score: 0.0,
            similarity: None,
            keyword: true,
            mention: None,
        })
        .collect();
    Ok(SearchResults {
        hits,
        semantic: false,
        more,
    })
}

/// Hybrid search with the query's unit embedding `vector` against the project's `index`.
pub async fn hybrid(
    store: &dyn Store,
    project: &ProjectId,
    index: &ProjectIndex,
    vector: &[f32],
    query: &SearchQuery,
) -> Result<SearchResults, StoreError> {
    let (offset, limit) = bounds(query);
    let best = index.best_per_item(vector);
    let semantic = index::ranked(best.values().copied(), MIN_SIMILARITY, SEMANTIC_CANDIDATES);
    let allowed = hydrate(store, project, &query.filter, &semantic).await?;
    let semantic: Vec<Nearest> = semantic
        .into_iter()
        .filter(|h| allowed.contains_key(&h.item))
        .collect();
    let mut words = keyword_matches(store, project, query, KEYWORD_CANDIDATES as usize).await?;
    // Word matches rank among themselves by meaning too (newest first when the model has not
    // seen them), so the literal list is not merely chronological.
    let sim = |id: ItemId| best.get(&id).map_or(f32::MIN, |n| n.score);
    words.sort_by(|a, b| sim(b.id).total_cmp(&sim(a.id)));
    let mut fused: HashMap<ItemId, f32> = HashMap::new();
    for (rank, h) in semantic.iter().enumerate() {
        *fused.entry(h.item).or_default() += 1.0 / (RRF_K + rank as f32 + 1.0);
    }
    for (rank, item) in words.iter().enumerate() {
        *fused.entry(item.id).or_default() += 1.0 / (RRF_K + rank as f32 + 1.0);
    }
    let keyword: HashMap<ItemId, StoredItem> = words.into_iter().map(|i| (i.id, i)).collect();
    let mut order: Vec<(ItemId, f32)> = fused.into_iter().collect();
    order.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.0.cmp(&a.0)));
    let more = order.len() > offset + limit;
    let page: Vec<(ItemId, f32)> = order.into_iter().skip(offset).take(limit).collect();
    let mention_ids: Vec<i64> = page
        .iter()
        .filter_map(|(id, _)| best.get(id).map(|n| n.mention))
        .collect();
    let texts: HashMap<i64, String> = store
        .mention_texts(project, &mention_ids)
        .await?
        .into_iter()
        .collect();
    let mut allowed = allowed;
    let mut keyword = keyword;
    let hits = page
        .into_iter()
        .filter_map(|(id, score)| {
            let is_word = keyword.contains_key(&id);
            let item = keyword.remove(&id).or_else(|| allowed.remove(&id))?;
            let nearest = best.get(&id);
            Some(SearchHit {
                item,
                score,
                similarity: nearest.map(|n| n.score),
                keyword: is_word,
                mention: nearest.and_then(|n| texts.get(&n.mention).cloned()),
            })
        })
        .collect();
    Ok(SearchResults {
        hits,
        semantic: true,
        more,
    })
}

/// Items like `item` (by the mean of its mentions' vectors), best first, itself excluded;
/// empty when it has not been analysed.
pub async fn similar(
    store: &dyn Store,
    project: &ProjectId,
    index: &ProjectIndex,
    item: ItemId,
    limit: usize,
) -> Result<Vec<SearchHit>, StoreError> {
    let Some(vector) = index.item_vector(item) else {
        return Ok(Vec::new());
    };
    let nearest: Vec<Nearest> = index
        .nearest(&vector, MIN_SIMILARITY, limit + 1)
        .into_iter()
        .filter(|n| n.item != item)
        .take(limit)
        .collect();
    let mut items = hydrate(store, project, &ItemFilter::default(), &nearest).await?;
    let ids: Vec<i64> = nearest.iter().map(|n| n.mention).collect();
    let texts: HashMap<i64, String> = store
        .mention_texts(project, &ids)
        .await?
        .into_iter()
        .collect();
    Ok(nearest
        .iter()
        .filter_map(|n| {
            Some(SearchHit {
                item: items.remove(&n.item)?,
                score: n.score,
                similarity: Some(n.score),
                keyword: false,
                mention: texts.get(&n.mention).cloned(),
            })
        })
        .collect())
}

/// The offset and limit, within [`MAX_DEPTH`].
fn bounds(query: &SearchQuery) -> (usize, usize) {
    let offset = query.offset.min(MAX_DEPTH);
    (offset, query.limit.min(MAX_DEPTH - offset))
}

/// Items containing the query's text literally, within the filter, newest first.
async fn keyword_matches(
    store: &dyn Store,
    project: &ProjectId,
    query: &SearchQuery,
    limit: usize,
) -> Result<Vec<StoredItem>, StoreError> {
    let text = query.text.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let filter = ItemFilter {
        text: Some(text.to_string()),
        ids: None,
        ..query.filter.clone()
    };
    let limit = u32::try_from(limit).unwrap_or(u32::MAX);
    Ok(store.list_items(project, &filter, None, limit).await?.items)
}

/// The candidates that pass the filter, loaded in one query.
async fn hydrate(
    store: &dyn Store,
    project: &ProjectId,
    filter: &ItemFilter,
    candidates: &[Nearest],
) -> Result<HashMap<ItemId, StoredItem>, StoreError> {
    if candidates.is_empty() {
        return Ok(HashMap::new());
    }
    let filter = ItemFilter {
        text: None,
        ids: Some(candidates.iter().map(|n| n.item).collect()),
        ..filter.clone()
    };
    let limit = u32::try_from(candidates.len()).unwrap_or(u32::MAX);
    let page = store.list_items(project, &filter, None, limit).await?;
    Ok(page.items.into_iter().map(|i| (i.id, i)).collect())
}
