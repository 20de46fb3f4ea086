//! Agreement between a clustering and known labels: normalised mutual information (arithmetic
//! mean normalisation, scikit-learn's default) and the adjusted Rand index. Both compare the
//! first min(len) positions of the two labelings; labels may be any hashable values.
use std::collections::HashMap;
use std::hash::Hash;

/// Counts of the pairs (a, b) and of each a and each b.
struct Contingency {
    n: f64,
    cells: Vec<(usize, usize, f64)>,
    rows: Vec<f64>,
    cols: Vec<f64>,
}

fn contingency<A: Hash + Eq, B: Hash + Eq>(a: &[A], b: &[B]) -> Contingency {
    let mut cells: HashMap<(usize, usize), f64> = HashMap::new();
    let (mut ia, mut ib): (HashMap<&A, usize>, HashMap<&B, usize>) =
        (HashMap::new(), HashMap::new());
    let (mut rows, mut cols) = (Vec::new(), Vec::new());
    for (x, y) in a.iter().zip(b) {
        let next = ia.len();
        let i = *ia.entry(x).or_insert(next);
        let next = ib.len();
        let j = *ib.entry(y).or_insert(next);
        if i == rows.len() {
            rows.push(0.0);
        }
        if j == cols.len() {
            cols.push(0.0);
        }
        rows[i] += 1.0;
        cols[j] += 1.0;
        *cells.entry((i, j)).or_default() += 1.0;
    }
    let n = rows.iter().sum();
    Contingency {
        n,
        cells: cells.into_iter().map(|((i, j), c)| (i, j, c)).collect(),
        rows,
        cols,
    }
}

fn entropy(counts: &[f64], n: f64) -> f64 {
    counts
        .iter()
        .filter(|&&c| c > 0.0)
        .map(|&c| -(c / n) * (c / n).ln())
        .sum()
}

/// Normalised mutual information, MI / mean(H(truth), H(pred)), in [0, 1]. Two labelings that
/// each put everything in one group (or are empty) score 1.
pub fn nmi<A: Hash + Eq, B: Hash + Eq>(truth: &[A], pred: &[B]) -> f64 {
    let t = contingency(truth, pred);
    if t.rows.len() == t.cols.len() && t.rows.len() <= 1 {
        return 1.0;
    }
    let mi: f64 = t
        .cells
        .iter()
        .map(|&(i, j, nij)| nij / t.n * (t.n * nij / (t.rows[i] * t.cols[j])).ln())
        .sum();
    let norm = (entropy(&t.rows, t.n) + entropy(&t.cols, t.n)) / 2.0;
    if mi <= 0.0 || norm <= 0.0 {
        return 0.0;
    }
    (mi / norm).clamp(0.0, 1.0)
}

/// Adjusted Rand index: 1 for identical partitions, about 0 for random ones, may be negative.
pub fn ari<A: Hash + Eq, B: Hash + Eq>(truth: &[A], pred: &[B]) -> f64 {
    let t = contingency(truth, pred);
    let pairs = |c: &f64| c * (c - 1.0) / 2.0;
    let index: f64 = t.cells.iter().map(|(_, _, c)| pairs(c)).sum();
    let sum_rows: f64 = t.rows.iter().map(pairs).sum();
    let sum_cols: f64 = t.cols.iter().map(pairs).sum();
    let all = pairs(&t.n);
    let expected = if all > 0.0 {
        sum_rows * sum_cols / all
    } else {
        0.0
    };
    let max = (sum_rows + sum_cols) / 2.0;
    if (max - expected).abs() < f64::EPSILON {
        return 1.0;
    }
    (index - expected) / (max - expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn identical_and_renamed_labelings_score_one() {
        assert!(close(nmi(&[0, 0, 1, 1], &[1, 1, 0, 0]), 1.0));
        assert!(close(ari(&[0, 0, 1, 1], &["b", "b", "a", "a"]), 1.0));
        assert!(close(nmi(&[0, 1, 2], &[0, 1, 2]), 1.0));
        assert!(close(ari(&[0, 1, 2], &[0, 1, 2]), 1.0));
    }

    #[test]
    fn matches_scikit_learn() {
        // sklearn 1.9: normalized_mutual_info_score / adjusted_rand_score of these labelings.
        let a = [0, 0, 0, 1, 1, 1, 2, 2, 2, 2];
        let b = [0, 0, 1, 1, 1, 2, 2, 2, 0, 0];
        assert!(close(nmi(&a, &b), 0.394_648_371_635_894_2));
        assert!(close(ari(&a, &b), 0.090_909_090_909_090_91));
        assert!(close(nmi(&[0, 1, 0, 1], &[0, 0, 1, 1]), 0.0));
        assert!(close(ari(&[0, 1, 0, 1], &[0, 0, 1, 1]), -0.5));
    }

    #[test]
    fn degenerate_labelings() {
        assert!(close(nmi(&[0, 0, 0], &[0, 1, 2]), 0.0));
        assert!(close(ari(&[0, 0, 0], &[0, 1, 2]), 0.0));
        assert!(close(nmi(&[0, 0], &[0, 0]), 1.0));
        assert!(close(ari(&[0, 0], &[0, 0]), 1.0));
        let empty: [u8; 0] = [];
        assert!(close(nmi(&empty, &empty), 1.0));
        assert!(close(ari(&empty, &empty), 1.0));
    }
}
