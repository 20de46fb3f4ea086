//! Louvain community detection: greedy modularity optimisation with a resolution parameter on a
//! weighted undirected graph (Blondel et al. 2008).
//!
//! Written by hand: no maintained Rust crate provides it. It follows networkx's
//! `louvain_communities`, which the method was tuned with: a local moving phase visits the nodes
//! in a seeded random order and moves each to the neighbouring community with the best positive
//! modularity gain until a pass moves nothing; the communities then become the nodes of an
//! aggregated graph (internal weight as self-loops) and the two phases repeat until modularity
//! improves by less than [`MIN_GAIN`]. The result is deterministic given the seed.
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;

/// A level stops the algorithm when it improves modularity by no more than this.
pub const MIN_GAIN: f64 = 1e-7;
/// Guard against floating-point cycles in the local moving phase.
const MAX_PASSES: usize = 1000;

/// A weighted undirected graph in compressed adjacency form; self-loops are kept apart.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Graph {
    offsets: Vec<usize>,
    targets: Vec<u32>,
    weights: Vec<f64>,
    self_loops: Vec<f64>,
}

impl Graph {
    /// A graph of `n` nodes from undirected edges `(a, b, weight)`; repeated edges (in either
    /// direction) add up. Edges with an endpoint ≥ `n`, or a weight that is not finite and
    /// positive, are ignored.
    pub fn from_edges(n: usize, edges: impl IntoIterator<Item = (u32, u32, f64)>) -> Self {
        let mut self_loops = vec![0.0; n];
        let mut arcs = Vec::new();
        for (a, b, w) in edges {
            if (a as usize) >= n || (b as usize) >= n || !w.is_finite() || w <= 0.0 {
                continue;
            }
            if a == b {
                self_loops[a as usize] += w;
            } else {
                arcs.push((a, b, w));
                arcs.push((b, a, w));
            }
        }
        Self::from_arcs(n, arcs, self_loops)
    }

    /// Builds the adjacency from arcs given in both directions, merging repeats.
    fn from_arcs(n: usize, mut arcs: Vec<(u32, u32, f64)>, self_loops: Vec<f64>) -> Self {
        arcs.sort_unstable_by_key(|&(a, b, _)| (a, b));
        let mut g = Graph {
            offsets: vec![0; n + 1],
            targets: Vec::new(),
            weights: Vec::new(),
            self_loops,
        };
        let mut last = None;
        for (a, b, w) in arcs {
            if last == Some((a, b)) {
                if let Some(x) = g.weights.last_mut() {
                    *x += w;
                }
            } else {
                g.targets.push(b);
                g.weights.push(w);
                g.offsets[a as usize + 1] += 1;
                last = Some((a, b));
            }
        }
        for i in 0..n {
            g.offsets[i + 1] += g.offsets[i];
        }
        g
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.self_loops.len()
    }

    /// Whether the graph has no nodes.
    pub fn is_empty(&self) -> bool {
        self.self_loops.is_empty()
    }

    fn neighbours(&self, u: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let range = self.offsets[u]..self.offsets[u + 1];
        self.targets[range.clone()]
            .iter()
            .map(|&v| v as usize)
            .zip(self.weights[range].iter().copied())
    }

    /// Weighted degree (a self-loop counts twice).
    fn degree(&self, u: usize) -> f64 {
        self.neighbours(u).map(|(_, w)| w).sum::<f64>() + 2.0 * self.self_loops[u]
    }

    /// Total edge weight.
    fn total_weight(&self) -> f64 {
        (0..self.len()).map(|u| self.degree(u)).sum::<f64>() / 2.0
    }

    /// The graph whose nodes are the communities `0..count` of `labels`.
    fn aggregate(&self, labels: &[usize], count: usize) -> Graph {
        let mut self_loops = vec![0.0; count];
        let mut arcs = Vec::new();
        for u in 0..self.len() {
            let cu = labels[u];
            self_loops[cu] += self.self_loops[u];
            for (v, w) in self.neighbours(u) {
                if labels[v] == cu {
                    // Each internal edge is seen from both ends.
                    self_loops[cu] += w / 2.0;
                } else {
                    arcs.push((cu as u32, labels[v] as u32, w));
                }
            }
        }
        Self::from_arcs(count, arcs, self_loops)
    }
}

/// Modularity of `labels` (one per node, any numbering) at the given resolution;
/// 0 for a graph without edges.
pub fn modularity(graph: &Graph, labels: &[usize], resolution: f64) -> f64 {
    let m = graph.total_weight();
    if m <= 0.0 || labels.len() != graph.len() {
        return 0.0;
    }
    let count = labels.iter().max().map_or(0, |&l| l + 1);
    let mut internal = vec![0.0; count];
    let mut degree = vec![0.0; count];
    for u in 0..graph.len() {
        let c = labels[u];
        degree[c] += graph.degree(u);
        internal[c] += graph.self_loops[u];
        internal[c] += graph
            .neighbours(u)
            .filter(|&(v, _)| labels[v] == c)
            .map(|(_, w)| w / 2.0)
            .sum::<f64>();
    }
    internal
        .iter()
        .zip(&degree)
        .map(|(l, d)| l / m - resolution * (d / (2.0 * m)).powi(2))
        .sum()
}

/// Louvain communities of `graph`: a label per node, `0..communities`, numbered by decreasing
/// size (ties by lowest node). Isolated nodes are communities of their own.
pub fn louvain(graph: &Graph, resolution: f64, seed: u64) -> Vec<usize> {
    let n = graph.len();
    let mut labels: Vec<usize> = (0..n).collect();
    let m = graph.total_weight();
    if m <= 0.0 {
        return labels;
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let mut level = graph.clone();
    let mut best = modularity(graph, &labels, resolution);
    loop {
        let (inner, count) = move_nodes(&level, m, resolution, &mut rng);
        labels.iter_mut().for_each(|l| *l = inner[*l]);
        let q = modularity(&level, &inner, resolution);
        if q - best <= MIN_GAIN || count == level.len() {
            break;
        }
        best = q;
        level = level.aggregate(&inner, count);
    }
    renumber_by_size(&labels)
}

/// The local moving phase on one level; returns the community of each node, `0..count`.
fn move_nodes(g: &Graph, m: f64, resolution: f64, rng: &mut StdRng) -> (Vec<usize>, usize) {
    let n = g.len();
    let degree: Vec<f64> = (0..n).map(|u| g.degree(u)).collect();
    let mut community: Vec<usize> = (0..n).collect();
    let mut total = degree.clone();
    let mut to_community = vec![0.0; n];
    let mut touched: Vec<usize> = Vec::new();
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(rng);
    let scale = resolution / (2.0 * m * m);
    for _ in 0..MAX_PASSES {
        let mut moves = 0;
        for &u in &order {
            let own = community[u];
            touched.push(own);
            for (v, w) in g.neighbours(u) {
                let c = community[v];
                if to_community[c] == 0.0 && c != own {
                    touched.push(c);
                }
                to_community[c] += w;
            }
            let k = degree[u];
            total[own] -= k;
            let remove = -to_community[own] / m + total[own] * k * scale;
            let (mut best, mut best_gain) = (own, 0.0);
            for &c in &touched {
                let gain = remove + to_community[c] / m - total[c] * k * scale;
                if gain > best_gain {
                    (best, best_gain) = (c, gain);
                }
            }
            total[best] += k;
            if best != own {
                community[u] = best;
                moves += 1;
            }
            for c in touched.drain(..) {
                to_community[c] = 0.0;
            }
        }
        if moves == 0 {
            break;
        }
    }
    let mut index = vec![usize::MAX; n];
    let mut count = 0;
    for c in community.iter_mut() {
        if index[*c] == usize::MAX {
            index[*c] = count;
            count += 1;
        }
        *c = index[*c];
    }
    (community, count)
}

/// Relabels communities `0..c` by decreasing size, ties by first member.
pub(crate) fn renumber_by_size(labels: &[usize]) -> Vec<usize> {
    let count = labels.iter().max().map_or(0, |&l| l + 1);
    let mut size = vec![0usize; count];
    let mut first = vec![usize::MAX; count];
    for (i, &l) in labels.iter().enumerate() {
        size[l] += 1;
        first[l] = first[l].min(i);
    }
    let mut order: Vec<usize> = (0..count).filter(|&c| size[c] > 0).collect();
    order.sort_by_key(|&c| (std::cmp::Reverse(size[c]), first[c]));
    let mut new = vec![0; count];
    for (rank, &c) in order.iter().enumerate() {
        new[c] = rank;
    }
    labels.iter().map(|&l| new[l]).collect()
}

#[cfg(test)]
mod tests;
