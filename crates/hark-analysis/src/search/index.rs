//! The in-memory vector index of hybrid search: every item mention's embedding of a project,
//! quantised to 8 bits a dimension (384 bytes for MiniLM instead of 1,536), scanned exactly.
//!
//! Written here rather than taken from an approximate-nearest-neighbour crate: a project's
//! mentions (hundreds of thousands at most per node) scan in tens of milliseconds, an exact
//! scan needs no tuning and no index rebuilds, and the store stays the only durable copy.
//!
//! Freshness: the index of a project is checked against the store's [`VectorStamp`] (mention
//! count and highest id) at most every [`RECHECK`]; new mentions are appended in pages, and
//! when any mention disappeared (an item deleted or re-analysed) it is rebuilt, so no stale
//! text is ever matched. Any node builds its own from the shared store.

use hark_core::{ItemId, ProjectId};
use hark_store::{Store, StoreError, VectorStamp};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a project's index is used before the store is asked whether it changed.
pub const RECHECK: Duration = Duration::from_secs(2);
/// Embeddings read from the store per page while (re)building.
const PAGE: u32 = 5_000;
/// Scale of the 8-bit codes (a unit vector's components lie in [-1, 1]).
const SCALE: f32 = 127.0;

/// One immutable run of quantised vectors (appending makes a new chunk, so readers holding
/// the old list are never copied).
#[derive(Debug, Default)]
struct Chunk {
    mention: Vec<i64>,
    item: Vec<ItemId>,
    codes: Vec<i8>,
}

/// The best-matching mention of one item.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nearest {
    /// The item.
    pub item: ItemId,
    /// Its best mention.
    pub mention: i64,
    /// Cosine similarity of that mention to the query.
    pub score: f32,
}

/// A project's index at one stamp.
#[derive(Debug, Default)]
pub struct ProjectIndex {
    stamp: VectorStamp,
    dims: usize,
    chunks: Vec<Arc<Chunk>>,
}

impl ProjectIndex {
    /// Mentions indexed.
    pub fn len(&self) -> usize {
        self.chunks.iter().map(|c| c.mention.len()).sum()
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every indexed item's best mention for the unit vector `query` (empty when its length
    /// is not the index's).
    pub fn best_per_item(&self, query: &[f32]) -> HashMap<ItemId, Nearest> {
        let mut best: HashMap<ItemId, Nearest> = HashMap::new();
        if query.len() != self.dims {
            return best;
        }
        for chunk in &self.chunks {
            for (n, codes) in chunk.codes.chunks_exact(self.dims).enumerate() {
                let hit = Nearest {
                    item: chunk.item[n],
                    mention: chunk.mention[n],
                    score: dot(query, codes),
                };
                best.entry(hit.item)
                    .and_modify(|b| {
                        if hit.score > b.score {
                            *b = hit;
                        }
                    })
                    .or_insert(hit);
            }
        }
        best
    }

    /// For each item with a mention at least `min_score` similar to the unit vector `query`,
    /// its best mention; best first, at most `limit`.
    pub fn nearest(&self, query: &[f32], min_score: f32, limit: usize) -> Vec<Nearest> {
        ranked(self.best_per_item(query).into_values(), min_score, limit)
    }

    /// The mean of the item's mention vectors, as a unit vector (`None` when it has none).
    pub fn item_vector(&self, item: ItemId) -> Option<Vec<f32>> {
        let mut sum = vec![0f32; self.dims];
        let mut found = false;
        for chunk in &self.chunks {
            for (n, codes) in chunk.codes.chunks_exact(self.dims).enumerate() {
                if chunk.item[n] == item {
                    found = true;
                    for (s, c) in sum.iter_mut().zip(codes) {
                        *s += f32::from(*c) / SCALE;
                    }
                }
            }
        }
        let norm = sum.iter().map(|v| v * v).sum::<f32>().sqrt();
        (found && norm > 0.0).then(|| sum.into_iter().map(|v| v / norm).collect())
    }

    /// Appends vectors (they must be of one length; others are skipped).
    fn append(&mut self, vectors: Vec<hark_store::ItemVector>) {
        let mut chunk = Chunk::default();
        for v in vectors {
            if self.dims == 0 {
                self.dims = v.embedding.len();
            }
            if v.embedding.len() != self.dims || self.dims == 0 {
                continue;
            }
            chunk.mention.push(v.id);
            chunk.item.push(v.item);
            chunk.codes.extend(v.embedding.iter().map(|x| quantise(*x)));
        }
        if !chunk.mention.is_empty() {
            self.chunks.push(Arc::new(chunk));
        }
    }

    fn max_id(&self) -> i64 {
        self.chunks
            .last()
            .and_then(|c| c.mention.last().copied())
            .unwrap_or(0)
    }
}

/// The hits of at least `min_score`, best first (ties: newest item first), at most `limit`.
pub fn ranked(hits: impl Iterator<Item = Nearest>, min_score: f32, limit: usize) -> Vec<Nearest> {
    let mut hits: Vec<Nearest> = hits.filter(|h| h.score >= min_score).collect();
    hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(b.item.cmp(&a.item)));
    hits.truncate(limit);
    hits
}

/// `x` in [-1, 1] as an 8-bit code.
fn quantise(x: f32) -> i8 {
    // Clamped first, so the cast cannot saturate unexpectedly.
    (x.clamp(-1.0, 1.0) * SCALE).round() as i8
}

/// Cosine of a unit query with a quantised unit vector.
fn dot(query: &[f32], codes: &[i8]) -> f32 {
    let s: f32 = query
        .iter()
        .zip(codes)
        .map(|(q, c)| q * f32::from(*c))
        .sum();
    s / SCALE
}

/// The indexes of every project this node searched, refreshed on use.
#[derive(Debug, Default)]
pub struct SearchIndex {
    projects: Mutex<HashMap<ProjectId, (Instant, Arc<ProjectIndex>)>>,
    /// One refresh at a time (they read the store; two would do the same work).
    refreshing: tokio::sync::Mutex<()>,
}

impl SearchIndex {
    /// The project's index, current as of at most [`RECHECK`] ago.
    pub async fn current(
        &self,
        store: &dyn Store,
        project: &ProjectId,
    ) -> Result<Arc<ProjectIndex>, StoreError> {
        if let Some(index) = self.cached(project, true) {
            return Ok(index);
        }
        let _guard = self.refreshing.lock().await;
        if let Some(index) = self.cached(project, true) {
            return Ok(index);
        }
        let stamp = store.item_vector_stamp(project).await?;
        let old = self.cached(project, false).unwrap_or_default();
        let index = if old.stamp == stamp {
            old
        } else {
            Arc::new(refreshed(store, project, &old, stamp).await?)
        };
        if let Ok(mut map) = self.projects.lock() {
            map.insert(project.clone(), (Instant::now(), index.clone()));
        }
        Ok(index)
    }

    /// The cached index (only one checked within [`RECHECK`] when `fresh`).
    fn cached(&self, project: &ProjectId, fresh: bool) -> Option<Arc<ProjectIndex>> {
        let map = self.projects.lock().ok()?;
        let (checked, index) = map.get(project)?;
        (!fresh || checked.elapsed() < RECHECK).then(|| index.clone())
    }
}

/// `old` brought to `stamp`: new mentions appended when none disappeared, else rebuilt.
async fn refreshed(
    store: &dyn Store,
    project: &ProjectId,
    old: &ProjectIndex,
    stamp: VectorStamp,
) -> Result<ProjectIndex, StoreError> {
    if stamp.max_id >= old.max_id() && stamp.count >= old.len() as u64 {
        let mut next = ProjectIndex {
            stamp: old.stamp,
            dims: old.dims,
            chunks: old.chunks.clone(),
        };
        load_after(store, project, &mut next, old.max_id()).await?;
        if next.len() as u64 == stamp.count {
            next.stamp = stamp;
            return Ok(next);
        }
    }
    let mut fresh = ProjectIndex::default();
    load_after(store, project, &mut fresh, 0).await?;
    // Mentions written between the stamp and the pages are in; the next check catches up.
    fresh.stamp = VectorStamp {
        count: fresh.len() as u64,
        max_id: fresh.max_id(),
    };
    Ok(fresh)
}

/// Appends every item mention with an id above `after`.
async fn load_after(
    store: &dyn Store,
    project: &ProjectId,
    index: &mut ProjectIndex,
    mut after: i64,
) -> Result<(), StoreError> {
    loop {
        let page = store.item_vectors(project, after, PAGE).await?;
        let full = page.len() == PAGE as usize;
        if let Some(last) = page.last() {
            after = last.id;
        }
        index.append(page);
        if !full {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hark_store::ItemVector;

    fn unit(v: &[f32]) -> Vec<f32> {
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter().map(|x| x / n).collect()
    }

    fn index(vectors: &[(i64, i64, Vec<f32>)]) -> ProjectIndex {
        let mut index = ProjectIndex::default();
        index.append(
            vectors
                .iter()
                .map(|(id, item, e)| ItemVector {
                    id: *id,
                    item: ItemId(*item),
                    embedding: unit(e),
                })
                .collect(),
        );
        index
    }

    #[test]
    fn items_rank_by_their_best_mention() {
        let idx = index(&[
            (1, 10, vec![1.0, 0.0, 0.0]),
            (2, 10, vec![0.0, 1.0, 0.0]),
            (3, 11, vec![0.9, 0.1, 0.0]),
            (4, 12, vec![0.0, 0.0, 1.0]),
        ]);
        let hits = idx.nearest(&unit(&[1.0, 0.0, 0.0]), 0.5, 10);
        assert_eq!(
            hits.iter()
                .map(|h| (h.item.0, h.mention))
                .collect::<Vec<_>>(),
            vec![(10, 1), (11, 3)]
        );
        assert!((hits[0].score - 1.0).abs() < 0.01, "{hits:?}");
        assert!(idx.nearest(&[1.0, 0.0], 0.0, 10).is_empty(), "wrong length");
        assert_eq!(idx.nearest(&unit(&[1.0, 0.0, 0.0]), -1.0, 1).len(), 1);
    }

    #[test]
    fn an_items_vector_is_the_mean_of_its_mentions() {
        let idx = index(&[(1, 10, vec![1.0, 0.0]), (2, 10, vec![0.0, 1.0])]);
        let v = idx.item_vector(ItemId(10)).unwrap_or_default();
        assert!(
            (v[0] - std::f32::consts::FRAC_1_SQRT_2).abs() < 0.01
                && (v[1] - std::f32::consts::FRAC_1_SQRT_2).abs() < 0.01,
            "{v:?}"
        );
        assert!(idx.item_vector(ItemId(99)).is_none());
    }

    #[test]
    fn quantisation_keeps_cosines_close() {
        let a = unit(&[0.3, -0.2, 0.5, 0.1, -0.7]);
        let b = unit(&[0.25, -0.1, 0.55, 0.0, -0.6]);
        let exact: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        let codes: Vec<i8> = b.iter().map(|x| quantise(*x)).collect();
        assert!((dot(&a, &codes) - exact).abs() < 0.01);
        assert_eq!(quantise(2.0), 127);
        assert_eq!(quantise(-2.0), -127);
    }
}
