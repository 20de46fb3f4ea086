//! Clustering of unit vectors: Louvain communities of the k-nearest-neighbour graph, in two
//! levels.
//!
//! Each vector is a node; each of its k nearest neighbours adds an undirected edge weighted by
//! their cosine similarity, so a mutual pair gets the sum of both directions. Louvain at a high
//! resolution gives the fine clusters (themes); Louvain on the k-NN graph of their centroids
//! gives the broad ones (parent themes).
//!
//! The neighbourhood and the resolution adapt to the number of vectors: a small corpus needs
//! fewer neighbours and a higher resolution to separate what a large one separates by itself.
//! Fitted on random subsets of banking77 (all-MiniLM-L6-v2 vectors, `examples/themes_eval.rs
//! sweep`): the best k grew from 5 (1,000 queries) to 15 (10,003), the best resolution fell from
//! 6 to 3; a fixed k = 10, resolution 2 (hark before) lost 0.06 NMI and 0.14 ARI at 1,000.
use super::knn::{knn, Knn, KnnParams};
use super::louvain::{louvain, Graph};
use super::ThemeError;

/// How vectors are clustered.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClusterParams {
    /// Neighbours per vector in the graph.
    pub k: usize,
    /// Louvain resolution: higher gives more, smaller clusters.
    pub resolution: f64,
    /// Seed of the Louvain node order and of the neighbour search's cells.
    pub seed: u64,
    /// Exact neighbour search up to this many vectors; inverted-file search above.
    pub exact_max: usize,
    /// Cells each point searches in inverted-file search.
    pub nprobe: usize,
    /// Choose k and the resolution from the number of vectors ([`ClusterParams::effective`])
    /// instead of `k` and `resolution`.
    pub adaptive: bool,
    /// Multiplies the resolution: below 1 coarser themes, above 1 finer ones.
    pub granularity: f64,
    /// Louvain resolution of the parent level (the k-NN graph of the fine clusters' centroids).
    /// At 4 a broad theme holds about five themes on banking77, whatever the corpus size (16
    /// parents of 65 themes at 1,000 queries, 17 of 90 at 10,003); at 1 about thirteen.
    pub parent_resolution: f64,
}

impl Default for ClusterParams {
    fn default() -> Self {
        Self {
            k: 10,
            resolution: 2.0,
            seed: 0,
            exact_max: 20_000,
            nprobe: 8,
            adaptive: true,
            granularity: 1.0,
            parent_resolution: 4.0,
        }
    }
}

/// Neighbours of each fine cluster in the graph of their centroids (the parent level).
const PARENT_NEIGHBOURS: usize = 5;

/// Neighbours per vector for `n` vectors: 5 at 1,000, 15 from about 10,000.
fn adaptive_k(n: usize) -> usize {
    let k = 5.0 * (n.max(1) as f64 / 1000.0).powf(0.48);
    (k.round() as usize).clamp(5, 15)
}

/// Resolution for `n` vectors: 6 up to 3,000, falling to 3 at 10,000 (log-linear).
fn adaptive_resolution(n: usize) -> f64 {
    let x = (n.max(1) as f64 / 3000.0).ln() / (10.0f64 / 3.0).ln();
    (6.0 - 3.0 * x).clamp(3.0, 6.0)
}

impl ClusterParams {
    /// The k and resolution used for `n` vectors (the granularity applied).
    pub fn effective(&self, n: usize) -> (usize, f64) {
        let (k, resolution) = if self.adaptive {
            (adaptive_k(n), adaptive_resolution(n))
        } else {
            (self.k, self.resolution)
        };
        let g = if self.granularity.is_finite() && self.granularity > 0.0 {
            self.granularity
        } else {
            1.0
        };
        (k, resolution * g)
    }

    /// The neighbour-search part of these parameters for `n` vectors.
    pub fn knn_params_for(&self, n: usize) -> KnnParams {
        KnnParams {
            k: self.effective(n).0,
            ..self.knn_params()
        }
    }

    /// The neighbour-search part of these parameters (the fixed `k`).
    pub fn knn_params(&self) -> KnnParams {
        KnnParams {
            k: self.k,
            exact_max: self.exact_max,
            nprobe: self.nprobe,
            seed: self.seed,
        }
    }
}

/// A cluster label per row of the flat `n × dim` matrix `data` (unit-length rows): `0..c`,
/// label 0 the largest cluster. Empty input gives an empty result; a row without neighbours
/// (n = 1, or a non-finite row) is a cluster of its own.
pub fn cluster(data: &[f32], dim: usize, params: &ClusterParams) -> Result<Vec<usize>, ThemeError> {
    Ok(cluster_levels(data, dim, params)?.fine)
}

/// Two levels of clusters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Levels {
    /// A fine cluster per row, as [`cluster`] gives.
    pub fine: Vec<usize>,
    /// The parent (broad) cluster of each fine cluster: `parents[f]` for fine cluster `f`,
    /// numbered `0..p`, 0 the parent with the most fine clusters.
    pub parents: Vec<usize>,
}

/// Fine clusters of the rows and broad clusters of the fine ones (Louvain on the k-NN graph of
/// the fine clusters' centroids, at [`ClusterParams::parent_resolution`]).
pub fn cluster_levels(
    data: &[f32],
    dim: usize,
    params: &ClusterParams,
) -> Result<Levels, ThemeError> {
    let n = data.len().checked_div(dim).unwrap_or(0);
    let (_, resolution) = params.effective(n);
    let neighbours = knn(data, dim, &params.knn_params_for(n))?;
    let graph = knn_graph(&neighbours);
    let fine = louvain(&graph, resolution, params.seed);
    let count = fine.iter().max().map_or(0, |m| m + 1);
    let mut members = vec![Vec::new(); count];
    fine.iter()
        .enumerate()
        .for_each(|(i, f)| members[*f].push(i));
    let mut centroids = Vec::with_capacity(count * dim);
    for m in &members {
        centroids.extend(super::centroid(data, dim, m.iter().copied()));
    }
    let parents = parent_clusters(&centroids, dim, params)?;
    Ok(Levels { fine, parents })
}

/// The broad cluster of each of the `centroids` (a flat `c × dim` matrix of unit-length fine
/// cluster centroids): Louvain at [`ClusterParams::parent_resolution`] on the graph linking
/// each centroid to its nearest ones, numbered `0..p`, 0 the broad cluster with the most fine
/// ones. The members' own k-NN edges rarely cross between well-separated fine clusters, so their
/// aggregate would leave most clusters without a parent to share; their centroids' neighbours
/// do not.
pub fn parent_clusters(
    centroids: &[f32],
    dim: usize,
    params: &ClusterParams,
) -> Result<Vec<usize>, ThemeError> {
    let count = centroids.len().checked_div(dim).unwrap_or(0);
    if count < 2 {
        return Ok(vec![0; count]);
    }
    let knn_params = KnnParams {
        k: PARENT_NEIGHBOURS.min(count - 1),
        ..params.knn_params()
    };
    let graph = knn_graph(&knn(centroids, dim, &knn_params)?);
    Ok(louvain(&graph, params.parent_resolution, params.seed))
}

/// The undirected k-NN graph: an edge per neighbour pair weighted by cosine similarity, summed
/// when the pair is mutual; non-positive similarities make no edge.
pub fn knn_graph(neighbours: &Knn) -> Graph {
    let edges = (0..neighbours.len()).flat_map(|i| {
        let (ids, sims) = neighbours.neighbours(i);
        ids.iter()
            .zip(sims)
            .map(move |(&j, &s)| (i as u32, j, f64::from(s)))
    });
    Graph::from_edges(neighbours.len(), edges)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::themes::normalize;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    /// `groups` blobs of `size` noisy copies of random directions in `dim` dimensions.
    fn blobs(groups: usize, size: usize, dim: usize) -> (Vec<f32>, Vec<usize>) {
        let mut rng = StdRng::seed_from_u64(5);
        let (mut data, mut truth) = (Vec::new(), Vec::new());
        for g in 0..groups {
            let centre: Vec<f32> = (0..dim).map(|_| rng.gen_range(-1.0..1.0)).collect();
            for _ in 0..size {
                let mut v: Vec<f32> = centre
                    .iter()
                    .map(|c| c + rng.gen_range(-0.3..0.3))
                    .collect();
                normalize(&mut v);
                data.extend(v);
                truth.push(g);
            }
        }
        (data, truth)
    }

    #[test]
    fn separated_blobs_are_recovered() {
        let (data, truth) = blobs(6, 40, 32);
        let labels = cluster(
            &data,
            32,
            &ClusterParams {
                resolution: 1.0,
                adaptive: false,
                ..Default::default()
            },
        )
        .unwrap();
        assert!(crate::themes::metrics::nmi(&truth, &labels) > 0.95);
    }

    #[test]
    fn k_and_resolution_follow_the_corpus_size_and_granularity() {
        let p = ClusterParams::default();
        assert_eq!(p.effective(10), (5, 6.0));
        assert_eq!(p.effective(1000), (5, 6.0));
        let (k, r) = p.effective(3000);
        assert!((8..=9).contains(&k) && (r - 6.0).abs() < 1e-9, "{k} {r}");
        let (k, r) = p.effective(10_000);
        assert!(k == 15 && (r - 3.0).abs() < 1e-9, "{k} {r}");
        assert_eq!(p.effective(1_000_000), (15, 3.0));
        let finer = ClusterParams {
            granularity: 2.0,
            ..p
        };
        assert_eq!(finer.effective(1000), (5, 12.0));
        let fixed = ClusterParams {
            adaptive: false,
            granularity: 0.5,
            ..p
        };
        assert_eq!(fixed.effective(1000), (10, 1.0));
        let bad = ClusterParams {
            granularity: f64::NAN,
            ..p
        };
        assert_eq!(bad.effective(1000), (5, 6.0));
    }

    #[test]
    fn parents_group_nearby_fine_clusters() {
        // Two far-apart families of three blobs each: six fine clusters, two parents.
        let mut rng = StdRng::seed_from_u64(11);
        let dim = 16;
        let (mut data, mut family) = (Vec::new(), Vec::new());
        for f in 0..2 {
            let base: Vec<f32> = (0..dim)
                .map(|i| if i % 2 == f { 1.0 } else { 0.0 })
                .collect();
            for _ in 0..3 {
                let centre: Vec<f32> = base
                    .iter()
                    .map(|b| b + rng.gen_range(-0.35..0.35))
                    .collect();
                for _ in 0..30 {
                    let mut v: Vec<f32> = centre
                        .iter()
                        .map(|c| c + rng.gen_range(-0.05..0.05))
                        .collect();
                    normalize(&mut v);
                    data.extend(v);
                    family.push(f);
                }
            }
        }
        let params = ClusterParams {
            resolution: 1.0,
            adaptive: false,
            parent_resolution: 1.0,
            ..Default::default()
        };
        let levels = cluster_levels(&data, dim, &params).unwrap();
        let fine_count = levels.fine.iter().max().map_or(0, |m| m + 1);
        assert_eq!(levels.parents.len(), fine_count);
        assert!(fine_count >= 4, "{fine_count} fine clusters");
        let parent_of_row: Vec<usize> = levels.fine.iter().map(|f| levels.parents[*f]).collect();
        assert!(crate::themes::metrics::nmi(&family, &parent_of_row) > 0.9);
        assert_eq!(levels.fine, cluster(&data, dim, &params).unwrap());
    }

    #[test]
    fn tiny_inputs() {
        let p = ClusterParams::default();
        assert!(cluster(&[], 3, &p).unwrap().is_empty());
        assert_eq!(
            cluster_levels(&[], 3, &p).unwrap(),
            Levels {
                fine: vec![],
                parents: vec![]
            }
        );
        assert_eq!(cluster(&[1.0, 0.0, 0.0], 3, &p).unwrap(), vec![0]);
        let two = cluster(&[1.0, 0.0, 0.9, 0.1], 2, &p).unwrap();
        assert!(two.len() == 2 && two.iter().all(|&l| l < 2));
    }
}
