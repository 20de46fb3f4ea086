//! Clustering of unit vectors: Louvain communities of the k-nearest-neighbour graph.
//!
//! Each vector is a node; each of its k nearest neighbours adds an undirected edge weighted by
//! their cosine similarity, so a mutual pair gets the sum of both directions. On banking77
//! (all-MiniLM-L6-v2 vectors) k = 10 and resolution 2.0 scored NMI ≈ 0.82 against the true
//! intents, better than k-means or Ward with the true number of clusters.
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
}

impl Default for ClusterParams {
    fn default() -> Self {
        Self {
            k: 10,
            resolution: 2.0,
            seed: 0,
            exact_max: 20_000,
            nprobe: 8,
        }
    }
}

impl ClusterParams {
    /// The neighbour-search part of these parameters.
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
    let neighbours = knn(data, dim, &params.knn_params())?;
    Ok(louvain(
        &knn_graph(&neighbours),
        params.resolution,
        params.seed,
    ))
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
                ..Default::default()
            },
        )
        .unwrap();
        assert!(crate::themes::metrics::nmi(&truth, &labels) > 0.95);
    }

    #[test]
    fn tiny_inputs() {
        let p = ClusterParams::default();
        assert!(cluster(&[], 3, &p).unwrap().is_empty());
        assert_eq!(cluster(&[1.0, 0.0, 0.0], 3, &p).unwrap(), vec![0]);
        let two = cluster(&[1.0, 0.0, 0.9, 0.1], 2, &p).unwrap();
        assert!(two.len() == 2 && two.iter().all(|&l| l < 2));
    }
}
