//! MPNet's relative position bias: a learned scalar per (bucket of the distance between query
//! and key, head), added to the attention scores. It depends on the distance only, so the
//! whole table of distances the model can see is built once at load time, and attention reads
//! one contiguous slice of it per (head, query).
//!
//! The buckets follow `transformers`' `MPNetEncoder.relative_position_bucket` (T5's scheme,
//! bidirectional): half the buckets for keys after the query, half for keys before (or at) it;
//! in each half, distances below a quarter of the buckets get one bucket each, longer ones share
//! log-spaced buckets up to `MAX_DISTANCE`. The logarithm is taken in `f32`, as PyTorch does
//! on an `f32` tensor, so that distances on a bucket edge fall on the same side (the test holds
//! the buckets PyTorch gives).

/// Distance from which all keys share the last bucket (the `transformers` default, which
/// `MPNetEncoder` uses).
const MAX_DISTANCE: usize = 128;

/// The bias of every (head, key − query) the model can see.
pub(super) struct RelativeBias {
    /// Longest sequence covered: distances run from `1 - reach` to `reach - 1`.
    reach: usize,
    /// `[heads, 2 * reach - 1]`: the bias of distance `d` (key index minus query index) at
    /// column `d + reach - 1`.
    table: Vec<f32>,
}

impl RelativeBias {
    /// Builds the table from `relative_attention_bias.weight` (`[buckets, heads]`, flat), for
    /// sequences up to `reach` tokens.
    pub fn new(weight: &[f32], buckets: usize, heads: usize, reach: usize) -> Self {
        let width = (2 * reach).saturating_sub(1);
        let mut table = vec![0.0; heads * width];
        for column in 0..width {
            let distance = column as i64 - (reach as i64 - 1);
            let b = bucket(distance, buckets, MAX_DISTANCE);
            for head in 0..heads {
                table[head * width + column] = weight.get(b * heads + head).copied().unwrap_or(0.0);
            }
        }
        Self { reach, table }
    }

    /// Longest sequence the table covers.
    pub fn reach(&self) -> usize {
        self.reach
    }

    /// The bias of query `query` against keys `0..keys` under head `head`.
    #[inline(always)]
    pub fn row(&self, head: usize, query: usize, keys: usize) -> &[f32] {
        let width = 2 * self.reach - 1;
        // In range: sequences longer than `reach` are refused before attention runs
        // (`Encoder::max_positions`), so `query < reach` and `keys <= reach`.
        let start = head * width + self.reach - 1 - query;
        &self.table[start..start + keys]
    }
}

/// The bucket of `distance` (key index minus query index), as `relative_position_bucket` in
/// `transformers`' MPNet.
fn bucket(distance: i64, buckets: usize, max_distance: usize) -> usize {
    let half = buckets / 2;
    // `transformers` works on `n = -distance`: keys after the query (n < 0) take the upper half.
    let side = if distance > 0 { half } else { 0 };
    let n = distance.unsigned_abs() as usize;
    let exact = half / 2;
    if n < exact {
        return side + n;
    }
    let log_ratio =
        (n as f32 / exact as f32).ln() / ((max_distance as f64 / exact as f64).ln() as f32);
    // Truncation toward zero, as `.to(torch.long)`; the value is non-negative here.
    let large = exact + (log_ratio * (half - exact) as f32) as usize;
    side + large.min(half - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_match_transformers() {
        // `MPNetEncoder.relative_position_bucket(torch.arange(-511, 512))` (transformers 5.25,
        // torch 2.15) puts |distance| 0..8 in buckets 0..8, then starts a new bucket at each of
        // these distances (64, not 63: the f32 logarithm), keys after the query 16 higher.
        let starts = [12, 16, 23, 32, 46, 64, 91];
        for d in -511i64..512 {
            let n = d.unsigned_abs() as usize;
            let within = if n < 8 {
                n
            } else {
                8 + starts.iter().filter(|&&s| s <= n).count()
            };
            let want = within + if d > 0 { 16 } else { 0 };
            assert_eq!(bucket(d, 32, 128), want, "distance {d}");
        }
    }

    #[test]
    fn rows_read_the_distance_diagonal() {
        // Two heads, 32 buckets: head h, bucket b holds 100 h + b.
        let weight: Vec<f32> = (0..32)
            .flat_map(|b| (0..2).map(move |h| (100 * h + b) as f32))
            .collect();
        let bias = RelativeBias::new(&weight, 32, 2, 6);
        // Query 2 of 5 keys: distances -2, -1, 0, 1, 2 → buckets 2, 1, 0, 17, 18.
        assert_eq!(bias.row(0, 2, 5), [2.0, 1.0, 0.0, 17.0, 18.0]);
        assert_eq!(bias.row(1, 0, 3), [100.0, 117.0, 118.0]);
        assert_eq!(bias.row(1, 5, 6)[5], 100.0);
    }
}
