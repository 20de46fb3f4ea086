use super::*;

/// A small dimension: the head works at any.
const DIM: usize = 24;

fn unit(i: usize) -> Vec<f32> {
    let mut v = vec![0f32; DIM];
    v[i] = 1.0;
    v
}

#[test]
fn stars_map_to_three_classes() {
    assert_eq!(class_of_stars(1), Some(NEGATIVE));
    assert_eq!(class_of_stars(2), Some(NEGATIVE));
    assert_eq!(class_of_stars(3), Some(NEUTRAL));
    assert_eq!(class_of_stars(5), Some(POSITIVE));
    assert_eq!(class_of_stars(0), None);
    assert_eq!(class_of_stars(6), None);
}

#[test]
fn features_are_the_mean_embedding_and_zero_shot_statistics() {
    let (a, b) = (unit(0), unit(1));
    let f = features(DIM, &[&a, &b], &[-0.5, 0.25]);
    assert_eq!(f.len(), DIM + STATS);
    assert_eq!(f[0], (0, 0.5));
    assert_eq!(f[1], (1, 0.5));
    assert_eq!(
        &f[DIM..],
        &[
            (DIM as u32, -0.125),
            (DIM as u32 + 1, -0.5),
            (DIM as u32 + 2, 0.25)
        ]
    );
    let empty = features(DIM, &[], &[]);
    assert!(empty.iter().all(|(_, v)| *v == 0.0));
}

#[test]
fn the_label_of_a_score_is_the_most_probable_class() {
    let cases: [[f32; 3]; 6] = [
        [0.2, 0.5, 0.3],
        [0.45, 0.1, 0.45001],
        [0.34, 0.33, 0.33],
        [0.0, 0.0, 1.0],
        [1.0, 0.0, 0.0],
        [0.3, 0.4, 0.3],
    ];
    for p in cases {
        let best = (0..3)
            .max_by(|a, b| p[*a].total_cmp(&p[*b]))
            .unwrap_or(NEUTRAL);
        let s = Sentiment::from_score(score(p));
        assert_eq!(s.label, label_of(best), "{p:?} → {s:?}");
    }
    assert!(score([0.0, 0.0, 1.0]) > score([0.1, 0.0, 0.9]));
}

#[test]
fn a_trained_head_learns_three_directions_and_round_trips_through_json() {
    let examples: Vec<(Features, usize)> = (0..60)
        .map(|i| {
            let class = i % 3;
            (features(DIM, &[&unit(class)], &[0.0]), class)
        })
        .collect();
    let probe = unit(7);
    let head = SentimentHead::train(&examples, &probe, "test data");
    assert_eq!(head.examples, [20, 20, 20]);
    let labels = [0, 1, 2].map(|c| head.predict(&features(DIM, &[&unit(c)], &[0.0])).label);
    assert_eq!(
        labels,
        [
            SentimentLabel::Negative,
            SentimentLabel::Neutral,
            SentimentLabel::Positive
        ]
    );
    let back: SentimentHead = serde_json::from_str(&head.to_json()).expect("parses");
    assert_eq!(
        back.predict(&features(DIM, &[&unit(2)], &[0.0])),
        head.predict(&features(DIM, &[&unit(2)], &[0.0]))
    );
    assert!(back.fits(&probe));
    let mut other = probe.clone();
    other[7] = 0.9;
    other[3] = 0.4;
    assert!(!back.fits(&other), "another model's probe embedding");
    assert!(!back.fits(&probe[..4]), "too short");
}

#[test]
fn the_shipped_head_is_valid_json_for_the_default_model() {
    let head: SentimentHead = serde_json::from_str(BUILT_IN).expect("minilm.json parses");
    assert_eq!(head.fingerprint.len(), FINGERPRINT_DIMS);
    assert!(
        head.examples.iter().all(|n| *n > 100),
        "{:?}",
        head.examples
    );
    assert!(head.trained_on.contains("Mini-BAR"));
    assert_eq!(head.dim(), 384, "all-MiniLM-L6-v2's dimension");
}

#[test]
fn a_head_of_another_dimension_never_fits_nor_panics() {
    let examples: Vec<(Features, usize)> = (0..30)
        .map(|i| (features(DIM, &[&unit(i % 3)], &[0.0]), i % 3))
        .collect();
    let head = SentimentHead::train(&examples, &unit(7), "test data");
    assert_eq!(head.dim(), DIM);
    // A wider model whose probe happens to start with the same values.
    let mut wide = unit(7);
    wide.resize(2 * DIM, 0.0);
    assert!(!head.fits(&wide));
    // Features of another width only lose or lack dimensions.
    for width in [DIM / 2, 2 * DIM] {
        let v = vec![0.1; width];
        head.predict(&features(width, &[&v], &[0.3]));
        head.predict(&features(DIM, &[&v], &[0.3]));
    }
}
