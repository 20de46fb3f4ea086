use super::*;
use crate::themes::normalize;
use rand::Rng;

fn unit(v: &[f32]) -> Vec<f32> {
    let mut v = v.to_vec();
    normalize(&mut v);
    v
}

#[test]
fn exact_neighbours_of_a_small_set() {
    let data: Vec<f32> = [[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]]
        .iter()
        .flat_map(|v| unit(v))
        .collect();
    let knn = knn(
        &data,
        2,
        &KnnParams {
            k: 1,
            ..KnnParams::default()
        },
    )
    .unwrap();
    let firsts: Vec<u32> = (0..4).map(|i| knn.neighbours(i).0[0]).collect();
    assert_eq!(firsts, vec![1, 0, 3, 2]);
}

#[test]
fn degenerate_inputs_do_not_panic() {
    assert!(knn(&[], 4, &KnnParams::default()).unwrap().is_empty());
    assert!(knn(&[1.0], 0, &KnnParams::default()).unwrap().is_empty());
    let one = knn(&[1.0, 0.0], 2, &KnnParams::default()).unwrap();
    assert_eq!(one.neighbours(0).0.len(), 0);
    let nan = knn(
        &[f32::NAN, 0.0, 1.0, 0.0, 0.0, 1.0],
        2,
        &KnnParams::default(),
    )
    .unwrap();
    assert_eq!(nan.neighbours(1).0, &[2]);
    assert!(nan.neighbours(9).0.is_empty());
}

#[test]
fn inverted_file_search_finds_most_true_neighbours() {
    let mut rng = StdRng::seed_from_u64(7);
    let dim = 16;
    let data: Vec<f32> = (0..3000)
        .flat_map(|_| {
            unit(
                &(0..dim)
                    .map(|_| rng.gen_range(-1.0f32..1.0))
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    let params = KnnParams {
        k: 5,
        exact_max: 100,
        nprobe: 12,
        seed: 1,
    };
    let approx = knn(&data, dim, &params).unwrap();
    assert_eq!(approx.len(), 3000);
    let recall = sample_recall(&data, dim, &approx, 200, 3).unwrap();
    assert!(recall > 0.8, "recall {recall}");
}
