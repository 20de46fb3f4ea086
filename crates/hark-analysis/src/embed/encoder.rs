//! Our own BERT encoder forward pass (inference only, CPU), for all-MiniLM-L6-v2 and any
//! BERT with absolute positions and the erf GELU. It loads the same safetensors names as
//! `candle_transformers::models::bert::BertModel`.
//!
//! Why not that model: speed. It runs every op as a separate candle tensor op on padded
//! `[batch, seq, hidden]` tensors: attention as one small gemm per (sequence, head), scalar libm
//! `erf`/`exp`, and a fresh allocation per element-wise step. Here a batch is packed without
//! padding into one `[tokens, hidden]` matrix, so every linear layer is a single 2-D gemm (candle's
//! matmul, i.e. the `gemm` crate) with Q, K and V fused into one, and attention, bias, GELU and
//! layer norm run as vectorised row kernels ([`super::kernels`]) that know each sequence's length.
use std::collections::HashMap;

use candle_core::{bail, CpuStorage, Device, Storage, Tensor};
use serde::Deserialize;

use super::kernels::{self, Heads, Norm, Span};

/// The fields of the Hugging Face `config.json` this forward pass reads.
#[derive(Debug, Deserialize)]
pub(super) struct Config {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    pub hidden_act: String,
    pub max_position_embeddings: usize,
    pub layer_norm_eps: f64,
    #[serde(default)]
    pub position_embedding_type: Option<String>,
}

/// One encoder layer. Weight matrices are kept as `[in, out]` tensors, ready for `x @ w`.
struct Layer {
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

/// A loaded BERT encoder.
pub(super) struct Bert {
    hidden: usize,
    heads: usize,
    vocab: usize,
    /// `[vocab, hidden]`.
    word: Vec<f32>,
    /// Position embeddings with the (constant, type 0) token-type embedding folded in.
    position: Vec<f32>,
    embed_norm: Norm,
    layers: Vec<Layer>,
}

/// The named tensors of a safetensors file, taken out one by one.
struct Weights {
    tensors: HashMap<String, Tensor>,
    prefix: &'static str,
}

impl Weights {
    fn take(&mut self, name: &str) -> candle_core::Result<Tensor> {
        match self.tensors.remove(&format!("{}{name}", self.prefix)) {
            Some(t) => t.to_dtype(candle_core::DType::F32),
            None => bail!("tensor {}{name} not found", self.prefix),
        }
    }

    fn vec(&mut self, name: &str, len: usize) -> candle_core::Result<Vec<f32>> {
        let v = self.take(name)?.flatten_all()?.to_vec1::<f32>()?;
        if v.len() != len {
            bail!("tensor {name} has {} values, expected {len}", v.len());
        }
        Ok(v)
    }

    /// A linear layer's `[out, in]` weights as a contiguous `[in, out]` tensor.
    fn linear(&mut self, name: &str, inputs: usize, outputs: usize) -> candle_core::Result<Tensor> {
        let w = self.take(&format!("{name}.weight"))?;
        if w.dims() != [outputs, inputs] {
            bail!(
                "tensor {name}.weight has shape {:?}, expected [{outputs}, {inputs}]",
                w.dims()
            );
        }
        w.t()?.contiguous()
    }

    fn norm(&mut self, name: &str, width: usize, eps: f32) -> candle_core::Result<Norm> {
        Ok(Norm {
            gamma: self.vec(&format!("{name}.weight"), width)?,
            beta: self.vec(&format!("{name}.bias"), width)?,
            eps,
        })
    }
}

impl Bert {
    /// Builds the encoder from the tensors of `model.safetensors` (names with or without a
    /// `bert.` prefix).
    pub fn load(safetensors: &[u8], config: &Config) -> candle_core::Result<Self> {
        if config.hidden_act != "gelu" {
            bail!(
                "unsupported hidden_act {:?} (only the erf \"gelu\" is implemented)",
                config.hidden_act
            );
        }
        if config
            .position_embedding_type
            .as_deref()
            .is_some_and(|t| t != "absolute")
        {
            bail!(
                "unsupported position_embedding_type {:?}",
                config.position_embedding_type
            );
        }
        let (h, inter) = (config.hidden_size, config.intermediate_size);
        if config.num_attention_heads == 0 || h % config.num_attention_heads != 0 {
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
        let tensors = candle_core::safetensors::load_buffer(safetensors, &Device::Cpu)?;
        let prefix = if tensors.contains_key("embeddings.word_embeddings.weight") {
            ""
        } else {
            "bert."
        };
        let mut w = Weights { tensors, prefix };
        let eps = config.layer_norm_eps as f32;

        let word = w.vec("embeddings.word_embeddings.weight", config.vocab_size * h)?;
        let mut position = w.vec(
            "embeddings.position_embeddings.weight",
            config.max_position_embeddings * h,
        )?;
        // Every input is a single segment (type 0), so its embedding is a constant per position.
        let type0 = w
            .take("embeddings.token_type_embeddings.weight")?
            .get(0)?
            .to_vec1::<f32>()?;
        if type0.len() != h {
            bail!(
                "token type embeddings have width {}, expected {h}",
                type0.len()
            );
        }
        for row in position.chunks_exact_mut(h) {
            for (p, t) in row.iter_mut().zip(&type0) {
                *p += t;
            }
        }
        let embed_norm = w.norm("embeddings.LayerNorm", h, eps)?;

        let mut layers = Vec::with_capacity(config.num_hidden_layers);
        for i in 0..config.num_hidden_layers {
            let p = format!("encoder.layer.{i}");
            let q = w.linear(&format!("{p}.attention.self.query"), h, h)?;
            let k = w.linear(&format!("{p}.attention.self.key"), h, h)?;
            let v = w.linear(&format!("{p}.attention.self.value"), h, h)?;
            // The key bias is left out: see `kernels::Heads::q_bias`.
            layers.push(Layer {
                qkv: Tensor::cat(&[&q, &k, &v], 1)?.contiguous()?,
                q_bias: w.vec(&format!("{p}.attention.self.query.bias"), h)?,
                v_bias: w.vec(&format!("{p}.attention.self.value.bias"), h)?,
                attn_out: w.linear(&format!("{p}.attention.output.dense"), h, h)?,
                attn_out_bias: w.vec(&format!("{p}.attention.output.dense.bias"), h)?,
                attn_norm: w.norm(&format!("{p}.attention.output.LayerNorm"), h, eps)?,
                up: w.linear(&format!("{p}.intermediate.dense"), h, inter)?,
                up_bias: w.vec(&format!("{p}.intermediate.dense.bias"), inter)?,
                down: w.linear(&format!("{p}.output.dense"), inter, h)?,
                down_bias: w.vec(&format!("{p}.output.dense.bias"), h)?,
                out_norm: w.norm(&format!("{p}.output.LayerNorm"), h, eps)?,
            });
        }
        Ok(Self {
            hidden: h,
            heads: config.num_attention_heads,
            vocab: config.vocab_size,
            word,
            position,
            embed_norm,
            layers,
        })
    }

    /// Width of the hidden states (and of the pooled vectors).
    pub fn hidden(&self) -> usize {
        self.hidden
    }

    /// Longest input the position embeddings allow.
    pub fn max_positions(&self) -> usize {
        self.position.len() / self.hidden
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
