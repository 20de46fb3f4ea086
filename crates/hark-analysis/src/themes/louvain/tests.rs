use super::*;

fn clique(nodes: std::ops::Range<u32>) -> Vec<(u32, u32, f64)> {
    let mut e = Vec::new();
    for a in nodes.clone() {
        for b in a + 1..nodes.end {
            e.push((a, b, 1.0));
        }
    }
    e
}

#[test]
fn two_cliques_joined_by_one_edge() {
    let mut edges = clique(0..5);
    edges.extend(clique(5..10));
    edges.push((4, 5, 1.0));
    let g = Graph::from_edges(10, edges);
    assert_eq!(louvain(&g, 1.0, 0), vec![0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
}

#[test]
fn resolution_controls_community_size() {
    // A ring of 8 five-cliques: low resolution merges cliques, high resolution keeps them.
    let mut edges = Vec::new();
    for c in 0..8u32 {
        edges.extend(clique(c * 5..c * 5 + 5));
        edges.push((c * 5 + 4, ((c + 1) % 8) * 5, 1.0));
    }
    let g = Graph::from_edges(40, edges);
    let count = |r: f64| louvain(&g, r, 1).into_iter().max().map_or(0, |l| l + 1);
    assert_eq!(count(1.0), 8);
    assert!(count(0.05) < 8, "{}", count(0.05));
    assert!(count(20.0) > 8, "{}", count(20.0));
    let coarse = louvain(&g, 0.05, 1);
    assert!(
        modularity(&g, &coarse, 0.05)
            > modularity(&g, &(0..40).map(|i| i / 5).collect::<Vec<_>>(), 0.05)
    );
}

#[test]
fn deterministic_given_a_seed() {
    let mut edges = Vec::new();
    for i in 0..200u32 {
        for d in [1, 7, 31] {
            edges.push((i, (i * 13 + d) % 200, 1.0 + f64::from(i % 5)));
        }
    }
    let g = Graph::from_edges(200, edges);
    assert_eq!(louvain(&g, 1.0, 42), louvain(&g, 1.0, 42));
}

#[test]
fn degenerate_graphs() {
    assert!(louvain(&Graph::from_edges(0, []), 1.0, 0).is_empty());
    assert_eq!(louvain(&Graph::from_edges(3, []), 1.0, 0), vec![0, 1, 2]);
    let ignored = Graph::from_edges(2, [(0, 5, 1.0), (0, 1, f64::NAN), (0, 1, -1.0)]);
    assert_eq!(louvain(&ignored, 1.0, 0), vec![0, 1]);
    let looped = Graph::from_edges(2, [(0, 0, 1.0), (0, 1, 1.0)]);
    assert_eq!(louvain(&looped, 1.0, 0).len(), 2);
}
