//! The element-wise and attention kernels of the encoder forward pass, on plain `f32` slices.
//!
//! Each entry point splits its rows over the rayon pool and runs every chunk through
//! [`pulp::Arch::dispatch`], which compiles the `#[inline(always)]` loops below for the best
//! instruction set the CPU reports at run time (AVX-512, AVX2+FMA, else the baseline). The loops
//! are written so that LLVM vectorises them: lane arrays for reductions, and branch-free
//! polynomial `exp`/`erf` instead of the scalar libm calls.
// Polynomial coefficients and reference values are kept as published, digits beyond f32 included.
#![allow(clippy::excessive_precision)]
use rayon::prelude::*;

use super::relative::RelativeBias;

/// Rows handed to one rayon task by the row-wise kernels.
const ROWS_PER_TASK: usize = 16;
/// Width of the lane arrays used for reductions (one AVX-512 register of `f32`).
const LANES: usize = 16;

/// A layer norm's parameters.
pub(super) struct Norm {
    pub gamma: Vec<f32>,
    pub beta: Vec<f32>,
    pub eps: f32,
}

/// Where one sequence lies in a packed batch: `rows` consecutive rows, of which the first
/// `valid` are real tokens (the rest padding, computed but never attended to or pooled).
#[derive(Debug, Clone, Copy)]
pub(super) struct Span {
    pub rows: usize,
    pub valid: usize,
}

/// The shapes attention needs.
pub(super) struct Heads<'a> {
    pub hidden: usize,
    pub heads: usize,
    /// Query bias; the key bias is dropped (it adds the same amount to every score of a query,
    /// which softmax ignores).
    pub q_bias: &'a [f32],
    /// Value bias, added after the weighted sum (the weights sum to one).
    pub v_bias: &'a [f32],
    /// A bias on the scores by distance (MPNet), added after the scaling as `transformers` does.
    pub relative: Option<&'a RelativeBias>,
}

/// A kernel over one chunk of rows, run through [`vectorized`]. `simd` is pulp's token for
/// the chosen instruction set, for kernels that use explicit vectors.
trait Kernel {
    fn run<S: pulp::Simd>(self, simd: S);
}

/// Adapts a [`Kernel`] to pulp. Everything from here down must be `#[inline(always)]`: code
/// that is not inlined into pulp's `#[target_feature]` function is compiled for the baseline CPU.
struct Vectorized<K>(K);

impl<K: Kernel> pulp::WithSimd for Vectorized<K> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, simd: S) {
        self.0.run(simd);
    }
}

/// Runs `kernel` compiled for the best instruction set of this CPU.
fn vectorized(kernel: impl Kernel) {
    pulp::Arch::new().dispatch(Vectorized(kernel));
}

/// `out[r] = norm(y[r] + bias + residual[r])` for every row of width `norm.gamma.len()`.
pub(super) fn add_norm(y: &[f32], bias: &[f32], residual: &[f32], norm: &Norm) -> Vec<f32> {
    let mut out = vec![0.0; y.len()];
    let block = ROWS_PER_TASK * norm.gamma.len();
    out.par_chunks_mut(block)
        .zip(y.par_chunks(block).zip(residual.par_chunks(block)))
        .for_each(|(out, (y, residual))| {
            vectorized(AddNorm {
                out,
                y,
                residual,
                bias,
                norm,
            })
        });
    out
}

struct AddNorm<'a> {
    out: &'a mut [f32],
    y: &'a [f32],
    residual: &'a [f32],
    bias: &'a [f32],
    norm: &'a Norm,
}

impl Kernel for AddNorm<'_> {
    #[inline(always)]
    fn run<S: pulp::Simd>(self, _: S) {
        let width = self.norm.gamma.len();
        let rows = self
            .out
            .chunks_exact_mut(width)
            .zip(self.y.chunks_exact(width))
            .zip(self.residual.chunks_exact(width));
        for ((out, y), residual) in rows {
            for (((o, y), b), r) in out.iter_mut().zip(y).zip(self.bias).zip(residual) {
                *o = y + b + r;
            }
            norm_row(out, self.norm);
        }
    }
}

/// Layer norm of every row of `rows`, in place.
pub(super) fn norm_rows(rows: &mut [f32], norm: &Norm) {
    rows.par_chunks_mut(ROWS_PER_TASK * norm.gamma.len())
        .for_each(|rows| vectorized(NormRows { rows, norm }));
}

struct NormRows<'a> {
    rows: &'a mut [f32],
    norm: &'a Norm,
}

impl Kernel for NormRows<'_> {
    #[inline(always)]
    fn run<S: pulp::Simd>(self, _: S) {
        for row in self.rows.chunks_exact_mut(self.norm.gamma.len()) {
            norm_row(row, self.norm);
        }
    }
}

/// `gelu(y + bias)` for every row of width `bias.len()`, with the exact (erf) GELU BERT uses.
pub(super) fn bias_gelu(y: &[f32], bias: &[f32]) -> Vec<f32> {
    let mut out = vec![0.0; y.len()];
    let block = ROWS_PER_TASK * bias.len();
    out.par_chunks_mut(block)
        .zip(y.par_chunks(block))
        .for_each(|(out, y)| vectorized(BiasGelu { out, y, bias }));
    out
}

struct BiasGelu<'a> {
    out: &'a mut [f32],
    y: &'a [f32],
    bias: &'a [f32],
}

impl Kernel for BiasGelu<'_> {
    #[inline(always)]
    fn run<S: pulp::Simd>(self, _: S) {
        let width = self.bias.len();
        for (out, y) in self
            .out
            .chunks_exact_mut(width)
            .zip(self.y.chunks_exact(width))
        {
            for ((o, y), b) in out.iter_mut().zip(y).zip(self.bias) {
                let x = y + b;
                *o = 0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2));
            }
        }
    }
}

/// Head sizes [`attention`] is compiled for (the register blocks are sized by it).
pub(super) const HEAD_SIZES: [usize; 4] = [16, 32, 64, 128];
/// Queries handled together: four independent accumulator chains keep the FMA units busy.
const QUERY_BLOCK: usize = 4;
/// Keys are padded to a multiple of this: a whole number of vectors on every instruction set.
const KEY_BLOCK: usize = 16;

/// Multi-head self-attention over packed sequences. `qkv` holds, per row, the query, key and
/// value projections (`3 * hidden` wide, without bias); the result is the `hidden`-wide context
/// per row. Each query attends to its own sequence's `valid` rows only, so no mask is needed.
/// The head size (`hidden / heads`) must be one of [`HEAD_SIZES`].
pub(super) fn attention(qkv: &[f32], spans: &[Span], heads: &Heads<'_>) -> Vec<f32> {
    match heads.hidden / heads.heads {
        16 => attention_for::<16>(qkv, spans, heads),
        32 => attention_for::<32>(qkv, spans, heads),
        64 => attention_for::<64>(qkv, spans, heads),
        128 => attention_for::<128>(qkv, spans, heads),
        d => unreachable!("head size {d} is checked against HEAD_SIZES when the model loads"),
    }
}

fn attention_for<const D: usize>(qkv: &[f32], spans: &[Span], heads: &Heads<'_>) -> Vec<f32> {
    let total: usize = spans.iter().map(|s| s.rows).sum();
    let mut out = vec![0.0; total * heads.hidden];
    // Split the input and the output into per-sequence pieces so that sequences run in parallel.
    let mut pieces = Vec::with_capacity(spans.len());
    let (mut qkv_rest, mut out_rest) = (qkv, out.as_mut_slice());
    for &span in spans {
        let (qkv, qkv_tail) = qkv_rest.split_at(span.rows * 3 * heads.hidden);
        let (out, out_tail) = out_rest.split_at_mut(span.rows * heads.hidden);
        pieces.push(Attend::<D> {
            qkv,
            out,
            span,
            heads,
        });
        (qkv_rest, out_rest) = (qkv_tail, out_tail);
    }
    pieces.into_par_iter().for_each(vectorized);
    out
}

/// Attention within one sequence, all heads of size `D`.
struct Attend<'a, const D: usize> {
    qkv: &'a [f32],
    out: &'a mut [f32],
    span: Span,
    heads: &'a Heads<'a>,
}

impl<const D: usize> Kernel for Attend<'_, D> {
    #[inline(always)]
    fn run<S: pulp::Simd>(self, simd: S) {
        let Self {
            qkv,
            out,
            span,
            heads: h,
        } = self;
        let (hidden, stride, valid) = (h.hidden, 3 * h.hidden, span.valid);
        let scale = simd.splat_f32s(1.0 / (D as f32).sqrt());
        // All keys transposed to [hidden, padded], zero-padded to whole key blocks.
        let padded = valid.div_ceil(KEY_BLOCK) * KEY_BLOCK;
        let mut keys_t = vec![0.0f32; hidden * padded];
        for j in 0..valid {
            let key = &qkv[j * stride + hidden..][..hidden];
            for (c, k) in key.iter().enumerate() {
                keys_t[c * padded + j] = *k;
            }
        }
        // Per block of queries: [QUERY_BLOCK, padded] scores, [QUERY_BLOCK, D] queries and
        // contexts. Rows past the block's last query are filler whose results are dropped.
        let mut scores = vec![0.0f32; QUERY_BLOCK * padded];
        let mut queries = vec![0.0f32; QUERY_BLOCK * D];
        let mut context = vec![0.0f32; QUERY_BLOCK * D];
        let zero = simd.splat_f32s(0.0);
        for head in 0..h.heads {
            let col = head * D;
            let (keys, _) = S::as_simd_f32s(&keys_t[col * padded..][..D * padded]);
            let (q_bias, _) = S::as_simd_f32s(&h.q_bias[col..col + D]);
            let (v_bias, _) = S::as_simd_f32s(&h.v_bias[col..col + D]);
            let key_vectors = keys.len() / D;
            for first in (0..span.rows).step_by(QUERY_BLOCK) {
                let n = QUERY_BLOCK.min(span.rows - first);
                for (k, query) in queries.chunks_exact_mut(D).enumerate().take(n) {
                    let (raw, _) = S::as_simd_f32s(&qkv[(first + k) * stride + col..][..D]);
                    let (query, _) = S::as_mut_simd_f32s(query);
                    for ((q, r), b) in query.iter_mut().zip(raw).zip(q_bias) {
                        *q = simd.mul_f32s(simd.add_f32s(*r, *b), scale);
                    }
                }
                // Scores: for each vector of keys, four independent accumulators (one per
                // query) over the head dimension.
                let (q0, rest) = queries.split_at(D);
                let (q1, rest) = rest.split_at(D);
                let (q2, q3) = rest.split_at(D);
                let (score_vectors, _) = S::as_mut_simd_f32s(&mut scores);
                for v in 0..key_vectors {
                    let (mut a0, mut a1, mut a2, mut a3) = (zero, zero, zero, zero);
                    for t in 0..D {
                        let key = keys[t * key_vectors + v];
                        a0 = simd.mul_add_e_f32s(simd.splat_f32s(q0[t]), key, a0);
                        a1 = simd.mul_add_e_f32s(simd.splat_f32s(q1[t]), key, a1);
                        a2 = simd.mul_add_e_f32s(simd.splat_f32s(q2[t]), key, a2);
                        a3 = simd.mul_add_e_f32s(simd.splat_f32s(q3[t]), key, a3);
                    }
                    for (k, a) in [a0, a1, a2, a3].into_iter().enumerate() {
                        score_vectors[k * key_vectors + v] = a;
                    }
                }
                let mut inv_sum = [0.0f32; QUERY_BLOCK];
                for (k, (inv, row)) in inv_sum
                    .iter_mut()
                    .zip(scores.chunks_exact_mut(padded))
                    .enumerate()
                    .take(n)
                {
                    let row = &mut row[..valid];
                    if let Some(relative) = h.relative {
                        for (s, b) in row.iter_mut().zip(relative.row(head, first + k, valid)) {
                            *s += b;
                        }
                    }
                    *inv = 1.0 / softmax_unnormalised(row);
                }
                // Context: the probability-weighted sum of the values.
                let (ctx, _) = S::as_mut_simd_f32s(&mut context);
                ctx.fill(zero);
                for j in 0..valid {
                    let (value, _) = S::as_simd_f32s(&qkv[j * stride + 2 * hidden + col..][..D]);
                    for (ctx, row) in ctx
                        .chunks_exact_mut(value.len())
                        .zip(scores.chunks_exact(padded))
                    {
                        let p = simd.splat_f32s(row[j]);
                        for (c, v) in ctx.iter_mut().zip(value) {
                            *c = simd.mul_add_e_f32s(p, *v, *c);
                        }
                    }
                }
                for (k, (row, inv)) in ctx
                    .chunks_exact(v_bias.len())
                    .zip(inv_sum)
                    .enumerate()
                    .take(n)
                {
                    let (dst, _) = S::as_mut_simd_f32s(&mut out[(first + k) * hidden + col..][..D]);
                    let inv = simd.splat_f32s(inv);
                    for ((d, c), b) in dst.iter_mut().zip(row).zip(v_bias) {
                        *d = simd.mul_add_e_f32s(*c, inv, *b);
                    }
                }
            }
        }
    }
}

/// Replaces `xs` by `exp(xs - max)` and returns their sum (the softmax denominator).
#[inline(always)]
fn softmax_unnormalised(xs: &mut [f32]) -> f32 {
    // `max` without `f32::max`'s NaN handling, which turns the reduction into scalar code.
    let larger = |a: f32, b: f32| if a > b { a } else { b };
    let mut lanes = [f32::NEG_INFINITY; LANES];
    let chunks = xs.chunks_exact(LANES);
    let mut max = chunks
        .remainder()
        .iter()
        .fold(f32::NEG_INFINITY, |m, x| larger(m, *x));
    for c in chunks {
        for (l, x) in lanes.iter_mut().zip(c) {
            *l = larger(*l, *x);
        }
    }
    max = lanes.iter().fold(max, |m, x| larger(m, *x));
    for x in xs.iter_mut() {
        *x = exp(*x - max);
    }
    sum(xs)
}

/// Layer norm of one row, in place (two-pass mean and variance).
#[inline(always)]
fn norm_row(row: &mut [f32], norm: &Norm) {
    let n = row.len() as f32;
    let mean = sum(row) / n;
    let mut lanes = [0.0f32; LANES];
    let chunks = row.chunks_exact(LANES);
    let mut var: f32 = chunks
        .remainder()
        .iter()
        .map(|x| (x - mean) * (x - mean))
        .sum();
    for c in chunks {
        for (l, x) in lanes.iter_mut().zip(c) {
            *l += (x - mean) * (x - mean);
        }
    }
    var += lanes.iter().sum::<f32>();
    let inv = 1.0 / (var / n + norm.eps).sqrt();
    for ((x, g), b) in row.iter_mut().zip(&norm.gamma).zip(&norm.beta) {
        *x = (*x - mean) * inv * g + b;
    }
}

#[inline(always)]
fn sum(xs: &[f32]) -> f32 {
    let mut lanes = [0.0f32; LANES];
    let chunks = xs.chunks_exact(LANES);
    let rest: f32 = chunks.remainder().iter().sum();
    for c in chunks {
        for (l, x) in lanes.iter_mut().zip(c) {
            *l += x;
        }
    }
    rest + lanes.iter().sum::<f32>()
}

/// `e^x` for `x <= 0` (softmax after the max is taken off), good to about 2 ulp; Cephes' `expf`
/// polynomial, without branches so that it vectorises.
#[inline(always)]
fn exp(x: f32) -> f32 {
    let x = x.max(-87.0);
    let n = (x * std::f32::consts::LOG2_E + 0.5).floor();
    let r = x - n * 0.693_359_4 + n * 2.121_944_4e-4;
    let mut p = 1.987_569_1e-4;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 1.666_666_5e-1;
    p = p * r + 5.000_000_1e-1;
    let y = p * r * r + r + 1.0;
    // n is an integer in [-126, 0], so 2^n is the float with exponent field n + 127. Adding
    // 2^23 puts n + 127 in the low mantissa bits, and the shift moves them to the exponent
    // field (an `as i32` cast would not vectorise: it saturates).
    y * f32::from_bits((n + (127.0 + 8_388_608.0)).to_bits() << 23)
}

/// The error function, to within 5e-7: Eigen's rational approximation on [-4, 4] (beyond which
/// `erf` is ±1 in `f32`).
#[inline(always)]
fn erf(x: f32) -> f32 {
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let mut p = -2.726_142_3e-10;
    p = p * x2 + 2.770_681_4e-8;
    p = p * x2 - 2.101_024e-6;
    p = p * x2 - 5.692_506_4e-5;
    p = p * x2 - 7.349_906_3e-4;
    p = p * x2 - 2.954_600e-3;
    p = p * x2 - 1.609_603_3e-2;
    let mut q = -1.456_607_2e-5;
    q = q * x2 - 2.133_740_6e-4;
    q = q * x2 - 1.682_827e-3;
    q = q * x2 - 7.373_329e-3;
    q = q * x2 - 1.426_474e-2;
    x * p / q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_matches_std() {
        for i in 0..=87_000 {
            let x = -(i as f32) / 1000.0;
            let (got, want) = (exp(x), x.exp());
            assert!(
                (got - want).abs() <= 4.0 * f32::EPSILON * want,
                "exp({x}) = {got}, want {want}"
            );
        }
    }

    #[test]
    fn erf_is_accurate() {
        // Reference values of erf to 10 digits.
        let table = [
            (0.0, 0.0),
            (0.1, 0.112_462_916_0),
            (0.5, 0.520_499_877_8),
            (1.0, 0.842_700_792_9),
            (1.5, 0.966_105_146_5),
            (2.0, 0.995_322_265_0),
            (3.0, 0.999_977_909_5),
            (5.0, 1.0),
        ];
        for (x, want) in table {
            assert!((erf(x) - want).abs() < 5e-7, "erf({x}) = {}", erf(x));
            assert!((erf(-x) + want).abs() < 5e-7);
        }
    }

    #[test]
    fn softmax_sums_to_one() {
        let mut xs: Vec<f32> = (0..37).map(|i| (i as f32 * 0.37).sin() * 5.0).collect();
        let max = xs.iter().fold(f32::NEG_INFINITY, |m, x| m.max(*x));
        let want: Vec<f32> = xs.iter().map(|x| (x - max).exp()).collect();
        let total = softmax_unnormalised(&mut xs);
        for (g, w) in xs.iter().zip(&want) {
            assert!((g - w).abs() < 1e-6);
        }
        assert!((total - want.iter().sum::<f32>()).abs() < 1e-5);
    }

    #[test]
    fn norm_row_normalises() {
        let norm = Norm {
            gamma: vec![1.0; 40],
            beta: vec![0.0; 40],
            eps: 1e-12,
        };
        let mut rows: Vec<f32> = (0..80).map(|i| i as f32).collect();
        norm_rows(&mut rows, &norm);
        for row in rows.chunks(40) {
            let mean: f32 = row.iter().sum::<f32>() / 40.0;
            let var: f32 = row.iter().map(|x| (x - mean) * (x - mean)).sum::<f32>() / 40.0;
            assert!(mean.abs() < 1e-5 && (var - 1.0).abs() < 1e-4);
        }
    }
}
