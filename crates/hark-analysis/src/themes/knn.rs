//! k nearest neighbours of every vector by cosine similarity (the dot product, as the vectors
//! are unit length).
//!
//! Exact search multiplies blocks of query rows by the whole candidate matrix with candle's CPU
//! matmul (multithreaded gemm) and keeps the best k of each row. Above
//! [`KnnParams::exact_max`] vectors that is quadratic, so an inverted-file search is used
//! instead: spherical k-means on a sample splits the space into about √n cells, every point
//! belongs to its nearest cell and searches the `nprobe` cells nearest to it; each cell is one
//! blocked matmul of the points probing it against its members. [`sample_recall`] measures how
//! close that comes to exact search.
use candle_core::{Device, Tensor};
use rand::rngs::StdRng;
use rand::SeedableRng;
use rayon::prelude::*;

use super::ThemeError;

/// Similarities computed per matmul call at most (floats); bounds the memory of one block.
const BLOCK_FLOATS: usize = 1 << 22;

/// How neighbours are searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnnParams {
    /// Neighbours per vector (the vector itself excluded).
    pub k: usize,
    /// Exact search up to this many vectors; inverted-file search above.
    pub exact_max: usize,
    /// Cells each point searches in inverted-file search, its own included.
    pub nprobe: usize,
    /// Seed of the cell training (the search is deterministic given it).
    pub seed: u64,
}

impl Default for KnnParams {
    fn default() -> Self {
        Self {
            k: 10,
            exact_max: 20_000,
            nprobe: 8,
            seed: 0,
        }
    }
}

/// The neighbours of every vector, best first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Knn {
    k: usize,
    ids: Vec<u32>,
    sims: Vec<f32>,
    lens: Vec<u32>,
}

impl Knn {
    /// Number of vectors.
    pub fn len(&self) -> usize {
        self.lens.len()
    }

    /// Whether there are no vectors.
    pub fn is_empty(&self) -> bool {
        self.lens.is_empty()
    }

    /// Neighbour ids of vector `i` and their similarities, most similar first (fewer than k when
    /// there are not enough other vectors; empty for an index out of range).
    pub fn neighbours(&self, i: usize) -> (&[u32], &[f32]) {
        let len = self.lens.get(i).map_or(0, |&l| l as usize);
        let start = i * self.k;
        match (
            self.ids.get(start..start + len),
            self.sims.get(start..start + len),
        ) {
            (Some(ids), Some(sims)) => (ids, sims),
            _ => (&[], &[]),
        }
    }

    fn from_tops(k: usize, tops: Vec<TopK>) -> Self {
        let mut knn = Knn {
            k,
            ids: vec![u32::MAX; tops.len() * k],
            sims: vec![f32::NEG_INFINITY; tops.len() * k],
            lens: Vec::with_capacity(tops.len()),
        };
        for (i, top) in tops.iter().enumerate() {
            for (j, &(id, sim)) in top.items.iter().enumerate() {
                knn.ids[i * k + j] = id;
                knn.sims[i * k + j] = sim;
            }
            knn.lens.push(top.items.len() as u32);
        }
        knn
    }
}

/// The best `k` (id, similarity) pairs seen, most similar first; non-finite similarities are
/// never kept.
#[derive(Debug, Clone)]
struct TopK {
    k: usize,
    items: Vec<(u32, f32)>,
}

impl TopK {
    fn new(k: usize) -> Self {
        Self {
            k,
            items: Vec::with_capacity(k),
        }
    }

    fn push(&mut self, id: u32, sim: f32) {
        if !sim.is_finite() || self.k == 0 {
            return;
        }
        if self.items.len() == self.k && self.items.last().is_some_and(|&(_, s)| sim <= s) {
            return;
        }
        let at = self.items.partition_point(|&(_, s)| s >= sim);
        self.items.insert(at, (id, sim));
        self.items.truncate(self.k);
    }

    fn merge(&mut self, other: TopK) {
        for (id, sim) in other.items {
            self.push(id, sim);
        }
    }
}

/// The k nearest neighbours of each row of the flat `n × dim` matrix `data` (n = `data.len() /
/// dim`); exact up to `exact_max` rows, inverted-file search above.
pub fn knn(data: &[f32], dim: usize, params: &KnnParams) -> Result<Knn, ThemeError> {
    let n = data.len().checked_div(dim).unwrap_or(0);
    let k = params.k.min(n.saturating_sub(1));
    let tops = if n <= params.exact_max {
        let all: Vec<u32> = (0..n as u32).collect();
        search(data, dim, &all, data, &all, k, true)?
    } else {
        ivf::search_cells(data, dim, n, k, params)?
    };
    Ok(Knn::from_tops(k, tops))
}

/// Exact neighbours of a random sample of rows compared with `approx`: the mean fraction of the
/// true k nearest that `approx` found (1.0 for an empty input).
pub fn sample_recall(
    data: &[f32],
    dim: usize,
    approx: &Knn,
    sample: usize,
    seed: u64,
) -> Result<f64, ThemeError> {
    let n = approx.len().min(data.len().checked_div(dim).unwrap_or(0));
    let mut rng = StdRng::seed_from_u64(seed);
    let queries: Vec<u32> = rand::seq::index::sample(&mut rng, n, sample.min(n))
        .into_iter()
        .map(|i| i as u32)
        .collect();
    let all: Vec<u32> = (0..n as u32).collect();
    let exact = search(data, dim, &queries, data, &all, approx.k, true)?;
    let (mut found, mut total) = (0usize, 0usize);
    for (&q, truth) in queries.iter().zip(&exact) {
        let (got, _) = approx.neighbours(q as usize);
        total += truth.items.len();
        found += truth
            .items
            .iter()
            .filter(|(id, _)| got.contains(id))
            .count();
    }
    Ok(if total == 0 {
        1.0
    } else {
        found as f64 / total as f64
    })
}

/// Copies the given rows of a flat matrix into a new contiguous one (rows out of range: zeros).
fn gather(data: &[f32], dim: usize, rows: &[u32]) -> Vec<f32> {
    let mut out = vec![0.0f32; rows.len() * dim];
    for (dst, &r) in out.chunks_exact_mut(dim.max(1)).zip(rows) {
        let r = r as usize;
        if let Some(src) = data.get(r * dim..(r + 1) * dim) {
            dst.copy_from_slice(src);
        }
    }
    out
}

/// Best `k` of `cands` (rows of `cand_data`) for each of `queries` (rows of `data`), by blocked
/// matmul; with `skip_self` a query never matches the candidate with its own index.
fn search(
    data: &[f32],
    dim: usize,
    queries: &[u32],
    cand_data: &[f32],
    cands: &[u32],
    k: usize,
    skip_self: bool,
) -> Result<Vec<TopK>, ThemeError> {
    if queries.is_empty() || cands.is_empty() || k == 0 || dim == 0 {
        return Ok(queries.iter().map(|_| TopK::new(k)).collect());
    }
    let cmat = Tensor::from_vec(
        gather(cand_data, dim, cands),
        (cands.len(), dim),
        &Device::Cpu,
    )?;
    let cmat_t = cmat.t()?;
    let block = (BLOCK_FLOATS / cands.len()).clamp(16, 4096);
    let mut out = Vec::with_capacity(queries.len());
    for qs in queries.chunks(block) {
        let q = Tensor::from_vec(gather(data, dim, qs), (qs.len(), dim), &Device::Cpu)?;
        let sims: Vec<f32> = q.matmul(&cmat_t)?.flatten_all()?.to_vec1()?;
        let tops: Vec<TopK> = qs
            .par_iter()
            .zip(sims.par_chunks(cands.len()))
            .map(|(&qi, row)| {
                let mut top = TopK::new(k);
                for (&c, &s) in cands.iter().zip(row) {
                    if !(skip_self && c == qi) {
                        top.push(c, s);
                    }
                }
                top
            })
            .collect();
        out.extend(tops);
    }
    Ok(out)
}

mod ivf;
#[cfg(test)]
mod tests;
