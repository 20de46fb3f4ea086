//! Our own transformer encoder forward pass (inference only, CPU), for the BERT family
//! (all-MiniLM-L6-v2, multilingual-e5-small; loaded by [`super::bert`]) and MPNet
//! (all-mpnet-base-v2; [`super::mpnet`]). The two differ only in tensor names, where position
//! ids start, token-type embeddings (BERT) and a relative position bias on the attention scores
//! (MPNet); the layers are the same post-norm blocks with the erf GELU.
//!
//! Why not candle-transformers' models: speed. They run every op as a separate candle tensor op
//! on padded `[batch, seq, hidden]` tensors: attention as one small gemm per (sequence, head),
//! scalar libm `erf`/`exp`, and a fresh allocation per element-wise step. Here a batch is packed
//! without padding into one `[tokens, hidden]` matrix, so every linear layer is a single 2-D gemm
//! (candle's matmul, i.e. the `gemm` crate) with Q, K and V fused into one, and attention, bias,
//! GELU and layer norm run as vectorised row kernels ([`super::kernels`]) that know each
//! sequence's length.
use candle_core::{bail, CpuStorage, Device, Storage, Tensor};

use super::kernels::{self, Heads, Norm, Span};
use super::relative::RelativeBias;
use super::weights::{Config, Weights};

/// The tensor names of one encoder layer, after its `encoder.layer.{i}.` prefix.
pub(super) struct LayerNames {
    pub query: &'static str,
    pub key: &'static str,
    pub value: &'static str,
    pub out: &'static str,
    pub attn_norm: &'static str,
    pub up: &'static str,
    pub down: &'static str,
    pub out_norm: &'static str,
}

/// One encoder layer. Weight matrices are kept as `[in, out]` tensors, ready for `x @ w`.
pub(super) struct Layer {
    qkv: Tensor,
    q_bias: Vec<f32>,
    v_bias: Vec<f32>,
    attn_out: Tensor,
    attn_out_bias: Vec<f32>,
    attn_norm: Norm,
    up: Tensor,
    up_bias: Vec<f32>,
    down: Tensor,
    down_bias: Vec<f32>,
    out_norm: Norm,
}

impl Layer {
    /// Loads layer `index` (`encoder.layer.{index}.` + `names`).
    pub fn load(
        w: &mut Weights,
        index: usize,
        names: &LayerNames,
        config: &Config,
    ) -> candle_core::Result<Self> {
        let (h, inter) = (config.hidden_size, config.intermediate_size);
        let eps = config.layer_norm_eps as f32;
        let p = |name: &str| format!("encoder.layer.{index}.{name}");
        let q = w.linear(&p(names.query), h, h)?;
        let k = w.linear(&p(names.key), h, h)?;
        let v = w.linear(&p(names.value), h, h)?;
        // The key bias is left out: see `kernels::Heads::q_bias`.
        Ok(Self {
            qkv: Tensor::cat(&[&q, &k, &v], 1)?.contiguous()?,
            q_bias: w.vec(&format!("{}.bias", p(names.query)), h)?,
            v_bias: w.vec(&format!("{}.bias", p(names.value)), h)?,
            attn_out: w.linear(&p(names.out), h, h)?,
            attn_out_bias: w.vec(&format!("{}.bias", p(names.out)), h)?,
            attn_norm: w.norm(&p(names.attn_norm), h, eps)?,
            up: w.linear(&p(names.up), h, inter)?,
            up_bias: w.vec(&format!("{}.bias", p(names.up)), inter)?,
            down: w.linear(&p(names.down), inter, h)?,
            down_bias: w.vec(&format!("{}.bias", p(names.down)), h)?,
            out_norm: w.norm(&p(names.out_norm), h, eps)?,
        })
    }
}

/// A loaded encoder.
pub(super) struct Encoder {
    pub hidden: usize,
    pub heads: usize,
    pub vocab: usize,
    /// `[vocab, hidden]`.
    pub word: Vec<f32>,
    /// What is added to the token at index `p` of a sequence, row `p` (`[positions, hidden]`):
    /// its position embedding, plus the constant type-0 token-type embedding for BERT.
    pub position: Vec<f32>,
    pub embed_norm: Norm,
    pub layers: Vec<Layer>,
    /// MPNet's relative position bias, added to the attention scores of every layer.
    pub relative: Option<RelativeBias>,
}

/// Checks what every encoder here needs of a config: the erf GELU and a supported head size.
pub(super) fn check(config: &Config) -> candle_core::Result<()> {
    if config.hidden_act != "gelu" {
        bail!(
            "unsupported hidden_act {:?} (only the erf \"gelu\" is implemented)",
            config.hidden_act
        );
    }
    let h = config.hidden_size;
    if config.num_attention_heads == 0 || !h.is_multiple_of(config.num_attention_heads) {
        bail!(
            "hidden_size {h} is not a multiple of num_attention_heads {}",
            config.num_attention_heads
        );
    }
    if !kernels::HEAD_SIZES.contains(&(h / config.num_attention_heads)) {
        bail!(
            "unsupported attention head size {} (supported: {:?})",
            h / config.num_attention_heads,
            kernels::HEAD_SIZES
        );
    }
    Ok(())
}

impl Encoder {
    /// Builds the encoder `config.model_type` names (`bert` when absent, or `mpnet`) from the
    /// tensors of `model.safetensors`.
    pub fn load(safetensors: &[u8], config: &Config) -> candle_core::Result<Self> {
        check(config)?;
        match config.model_type.as_deref().unwrap_or("bert") {
            "bert" => super::bert::load(safetensors, config),
            "mpnet" => super::mpnet::load(safetensors, config),
            other => bail!("unsupported model_type {other:?} (bert or mpnet)"),
        }
    }

    /// Width of the hidden states (and of the pooled vectors).
    pub fn hidden(&self) -> usize {
        self.hidden
    }

    /// Longest input the position embeddings (and the relative bias, if any) allow.
    pub fn max_positions(&self) -> usize {
        let absolute = self.position.len().checked_div(self.hidden).unwrap_or(0);
        self.relative
            .as_ref()
            .map_or(absolute, |r| absolute.min(r.reach()))
    }

    /// Runs `batch` (token ids with special tokens) and returns each sequence's mean-pooled,
    /// L2-normalised last hidden state. Each sequence is padded to `rows` positions when that is
    /// longer (to reproduce fixed-length padding; padding never changes a result).
    pub fn embed(&self, batch: &[&[u32]], rows: usize) -> candle_core::Result<Vec<Vec<f32>>> {
        let spans: Vec<Span> = batch
            .iter()
            .map(|ids| Span {
                rows: rows.max(ids.len()),
                valid: ids.len(),
            })
            .collect();
        if let Some(s) = spans
            .iter()
            .find(|s| s.rows > self.max_positions() || s.valid == 0)
        {
            bail!(
                "sequence of {} rows ({} tokens) does not fit the model",
                s.rows,
                s.valid
            );
        }
        let mut x = self.embeddings(batch, &spans)?;
        for layer in &self.layers {
            x = self.layer(layer, x, &spans)?;
        }
        Ok(self.pool(&x, &spans))
    }

    /// Word plus position embeddings of every row, layer-normed. Padding rows use token 0.
    fn embeddings(&self, batch: &[&[u32]], spans: &[Span]) -> candle_core::Result<Vec<f32>> {
        let h = self.hidden;
        let total: usize = spans.iter().map(|s| s.rows).sum();
        let mut x = Vec::with_capacity(total * h);
        for (ids, span) in batch.iter().zip(spans) {
            for pos in 0..span.rows {
                let id = ids.get(pos).map_or(0, |&id| id as usize);
                if id >= self.vocab {
                    bail!("token id {id} is outside the vocabulary of {}", self.vocab);
                }
                let word = &self.word[id * h..(id + 1) * h];
                let position = &self.position[pos * h..(pos + 1) * h];
                x.extend(word.iter().zip(position).map(|(w, p)| w + p));
            }
        }
        kernels::norm_rows(&mut x, &self.embed_norm);
        Ok(x)
    }

    fn layer(&self, l: &Layer, x: Vec<f32>, spans: &[Span]) -> candle_core::Result<Vec<f32>> {
        let h = self.hidden;
        let rows = x.len() / h;
        let heads = Heads {
            hidden: h,
            heads: self.heads,
            q_bias: &l.q_bias,
            v_bias: &l.v_bias,
            relative: self.relative.as_ref(),
        };
        let x = Tensor::from_vec(x, (rows, h), &Device::Cpu)?;
        let context = with_f32(&x.matmul(&l.qkv)?, |qkv| {
            kernels::attention(qkv, spans, &heads)
        })?;
        let attn = Tensor::from_vec(context, (rows, h), &Device::Cpu)?.matmul(&l.attn_out)?;
        let x = with_f32(&attn, |y| {
            with_f32(&x, |res| {
                kernels::add_norm(y, &l.attn_out_bias, res, &l.attn_norm)
            })
        })??;
        let x = Tensor::from_vec(x, (rows, h), &Device::Cpu)?;
        let inner = with_f32(&x.matmul(&l.up)?, |y| kernels::bias_gelu(y, &l.up_bias))?;
        let out =
            Tensor::from_vec(inner, (rows, l.up_bias.len()), &Device::Cpu)?.matmul(&l.down)?;
        with_f32(&out, |y| {
            with_f32(&x, |res| {
                kernels::add_norm(y, &l.down_bias, res, &l.out_norm)
            })
        })?
    }

    /// Mean over each sequence's real tokens, then L2 normalisation.
    fn pool(&self, x: &[f32], spans: &[Span]) -> Vec<Vec<f32>> {
        let h = self.hidden;
        let mut start = 0;
        let mut out = Vec::with_capacity(spans.len());
        for span in spans {
            let mut mean = vec![0.0f32; h];
            for row in x[start * h..(start + span.valid) * h].chunks_exact(h) {
                for (m, v) in mean.iter_mut().zip(row) {
                    *m += v;
                }
            }
            let norm = mean.iter().map(|m| m * m).sum::<f32>().sqrt();
            // Dividing by the count is skipped: it cancels in the normalisation.
            let scale = if norm > 0.0 { 1.0 / norm } else { 0.0 };
            mean.iter_mut().for_each(|m| *m *= scale);
            out.push(mean);
            start += span.rows;
        }
        out
    }
}

/// Runs `f` on the data of a contiguous f32 CPU tensor, without copying it.
fn with_f32<R>(t: &Tensor, f: impl FnOnce(&[f32]) -> R) -> candle_core::Result<R> {
    let (storage, layout) = t.storage_and_layout();
    let (Storage::Cpu(CpuStorage::F32(data)), Some((start, end))) =
        (&*storage, layout.contiguous_offsets())
    else {
        bail!("expected a contiguous f32 CPU tensor");
    };
    Ok(f(&data[start..end]))
}
