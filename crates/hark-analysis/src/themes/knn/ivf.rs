//! Inverted-file neighbour search for large inputs: spherical k-means on a seeded sample splits
//! the space into about √n cells; every point belongs to its nearest cell and searches the
//! `nprobe` cells nearest to it, each cell being one blocked search of the points probing it
//! against its members.
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rayon::prelude::*;

use super::{gather, search, KnnParams, TopK};
use crate::themes::{normalize, ThemeError};

/// Cells searched in parallel between two merges of their results.
const CELL_BATCH: usize = 32;
/// Sample points per cell used to train the cells.
const TRAIN_PER_CELL: usize = 40;
/// Spherical k-means iterations when training the cells.
const TRAIN_ITERATIONS: usize = 8;

/// Inverted-file search: train cells, give every point to its nearest cell, search the `nprobe`
/// nearest cells of every point.
pub(super) fn search_cells(
    data: &[f32],
    dim: usize,
    n: usize,
    k: usize,
    params: &KnnParams,
) -> Result<Vec<TopK>, ThemeError> {
    let ncells = ((n as f64).sqrt().round() as usize).clamp(1, n.max(1));
    let centroids = train_cells(data, dim, n, ncells, params.seed)?;
    let cell_ids: Vec<u32> = (0..ncells as u32).collect();
    let all: Vec<u32> = (0..n as u32).collect();
    let nprobe = params.nprobe.clamp(1, ncells);
    let probes = search(data, dim, &all, &centroids, &cell_ids, nprobe, false)?;
    let mut members = vec![Vec::new(); ncells];
    let mut queries = vec![Vec::new(); ncells];
    for (i, probe) in probes.iter().enumerate() {
        if let Some(&(own, _)) = probe.items.first() {
            members[own as usize].push(i as u32);
        }
        for &(cell, _) in &probe.items {
            queries[cell as usize].push(i as u32);
        }
    }
    let mut tops: Vec<TopK> = (0..n).map(|_| TopK::new(k)).collect();
    for batch in cell_ids.chunks(CELL_BATCH) {
        let found: Vec<Result<Vec<TopK>, ThemeError>> = batch
            .par_iter()
            .map(|&c| {
                let c = c as usize;
                search(data, dim, &queries[c], data, &members[c], k, true)
            })
            .collect();
        for (&c, result) in batch.iter().zip(found) {
            for (&q, top) in queries[c as usize].iter().zip(result?) {
                tops[q as usize].merge(top);
            }
        }
    }
    Ok(tops)
}

/// Spherical k-means on a seeded random sample: `ncells` unit centroids, flat.
fn train_cells(
    data: &[f32],
    dim: usize,
    n: usize,
    ncells: usize,
    seed: u64,
) -> Result<Vec<f32>, ThemeError> {
    let mut rng = StdRng::seed_from_u64(seed);
    let size = (ncells * TRAIN_PER_CELL).clamp(ncells, n);
    let sample: Vec<u32> = rand::seq::index::sample(&mut rng, n, size)
        .into_iter()
        .map(|i| i as u32)
        .collect();
    let mut centroids = gather(data, dim, &sample[..ncells]);
    let cell_ids: Vec<u32> = (0..ncells as u32).collect();
    for _ in 0..TRAIN_ITERATIONS {
        let nearest = search(data, dim, &sample, &centroids, &cell_ids, 1, false)?;
        let mut sums = vec![0.0f32; ncells * dim];
        let mut counts = vec![0usize; ncells];
        for (&p, top) in sample.iter().zip(&nearest) {
            let (Some(&(cell, _)), Some(row)) = (
                top.items.first(),
                data.get(p as usize * dim..(p as usize + 1) * dim),
            ) else {
                continue;
            };
            let cell = cell as usize;
            counts[cell] += 1;
            sums[cell * dim..(cell + 1) * dim]
                .iter_mut()
                .zip(row)
                .for_each(|(a, b)| *a += b);
        }
        for (cell, count) in counts.iter().enumerate() {
            let slot = &mut sums[cell * dim..(cell + 1) * dim];
            if *count == 0 {
                // An empty cell restarts from a random sample point.
                let p = sample[rng.gen_range(0..sample.len())] as usize;
                if let Some(row) = data.get(p * dim..(p + 1) * dim) {
                    slot.copy_from_slice(row);
                }
            }
            normalize(slot);
        }
        centroids = sums;
    }
    Ok(centroids)
}
