//! Scores for the evaluation: macro-F1 over multi-label gold, rank correlation with star
//! ratings and polarity accuracy.
use hark_core::analysis::Category;

/// F1 of each label and their mean. Gold rows may carry several labels; each prediction is one
/// label. A label counts as predicted for a row when the prediction equals it.
pub fn macro_f1(
    gold: &[Vec<Category>],
    predicted: &[Category],
    labels: &[Category],
) -> (f64, Vec<(Category, f64)>) {
    let per: Vec<(Category, f64)> = labels
        .iter()
        .map(|label| {
            let (mut tp, mut fp, mut fn_) = (0f64, 0f64, 0f64);
            for (g, p) in gold.iter().zip(predicted) {
                match (g.contains(label), p == label) {
                    (true, true) => tp += 1.0,
                    (false, true) => fp += 1.0,
                    (true, false) => fn_ += 1.0,
                    (false, false) => {}
                }
            }
            let f1 = if tp == 0.0 {
                0.0
            } else {
                2.0 * tp / (2.0 * tp + fp + fn_)
            };
            (*label, f1)
        })
        .collect();
    let mean = if per.is_empty() {
        0.0
    } else {
        per.iter().map(|(_, f)| f).sum::<f64>() / per.len() as f64
    };
    (mean, per)
}

/// Ranks with ties given their average rank.
fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|a, b| values[*a].total_cmp(&values[*b]));
    let mut out = vec![0.0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for k in i..=j {
            out[order[k]] = rank;
        }
        i = j + 1;
    }
    out
}

/// Spearman's rank correlation (Pearson correlation of the ranks); 0 for constant inputs.
pub fn spearman(a: &[f64], b: &[f64]) -> f64 {
    let (ra, rb) = (ranks(a), ranks(b));
    let n = ra.len().min(rb.len()) as f64;
    if n < 2.0 {
        return 0.0;
    }
    let (ma, mb) = (ra.iter().sum::<f64>() / n, rb.iter().sum::<f64>() / n);
    let (mut cov, mut va, mut vb) = (0.0, 0.0, 0.0);
    for (x, y) in ra.iter().zip(&rb) {
        cov += (x - ma) * (y - mb);
        va += (x - ma) * (x - ma);
        vb += (y - mb) * (y - mb);
    }
    if va == 0.0 || vb == 0.0 {
        0.0
    } else {
        cov / (va.sqrt() * vb.sqrt())
    }
}

/// Share of rated rows (stars ≠ 3) whose score sign matches the rating (4–5 positive, 1–2
/// negative); a zero score counts as wrong.
pub fn polarity_accuracy(scores: &[f64], stars: &[u8]) -> f64 {
    let rated: Vec<(f64, u8)> = scores
        .iter()
        .copied()
        .zip(stars.iter().copied())
        .filter(|(_, s)| *s != 3)
        .collect();
    if rated.is_empty() {
        return 0.0;
    }
    let right = rated
        .iter()
        .filter(|(x, s)| (*s > 3 && *x > 0.0) || (*s < 3 && *x < 0.0))
        .count();
    right as f64 / rated.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use Category::*;

    #[test]
    fn macro_f1_counts_multi_label_gold() {
        let gold = vec![
            vec![Bug],
            vec![Bug, FeatureRequest],
            vec![Other],
            vec![FeatureRequest],
        ];
        let pred = vec![Bug, FeatureRequest, Bug, FeatureRequest];
        let (mean, per) = macro_f1(&gold, &pred, &[Bug, FeatureRequest, Other]);
        // bug: tp1 fp1 fn1 → 0.5; feature: tp2 → 1.0; other: fn1 → 0.
        assert_eq!(per, vec![(Bug, 0.5), (FeatureRequest, 1.0), (Other, 0.0)]);
        assert!((mean - 0.5).abs() < 1e-12);
    }

    #[test]
    fn spearman_matches_known_values() {
        assert!((spearman(&[1.0, 2.0, 3.0, 4.0], &[10.0, 20.0, 30.0, 40.0]) - 1.0).abs() < 1e-12);
        assert!((spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]) + 1.0).abs() < 1e-12);
        // scipy.stats.spearmanr([1,2,2,3],[1,3,2,4]) = 0.9486832980505138
        assert!(
            (spearman(&[1.0, 2.0, 2.0, 3.0], &[1.0, 3.0, 2.0, 4.0]) - 0.948_683_298_050_513_8)
                .abs()
                < 1e-9
        );
        assert_eq!(spearman(&[1.0, 1.0], &[1.0, 2.0]), 0.0);
    }

    #[test]
    fn polarity_ignores_three_star_rows() {
        assert_eq!(
            polarity_accuracy(&[0.5, -0.2, 0.9, 0.0], &[5, 1, 3, 4]),
            2.0 / 3.0
        );
    }
}
