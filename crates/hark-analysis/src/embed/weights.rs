//! What a model folder's `config.json` and `model.safetensors` give the encoder: the config
//! fields it reads and the named tensors, taken out one by one in the layout it wants.
use std::collections::HashMap;

use candle_core::{bail, DType, Device, Tensor};
use serde::Deserialize;

use super::kernels::Norm;

/// The fields of the Hugging Face `config.json` the encoders read.
#[derive(Debug, Deserialize)]
pub(super) struct Config {
    /// `bert` (also for configs that omit it) or `mpnet`.
    #[serde(default)]
    pub model_type: Option<String>,
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
    /// MPNet: buckets of the relative position bias (checked, not chosen: see `mpnet::BUCKETS`).
    #[serde(default)]
    pub relative_attention_num_buckets: Option<usize>,
}

/// The named tensors of a safetensors file, taken out one by one.
pub(super) struct Weights {
    tensors: HashMap<String, Tensor>,
    prefix: &'static str,
}

impl Weights {
    /// Reads a safetensors file; names are looked up with `prefix` in front unless `bare` (a
    /// tensor name the file has when it was saved without the prefix) is present as it is.
    pub fn load(safetensors: &[u8], prefix: &'static str, bare: &str) -> candle_core::Result<Self> {
        let tensors = candle_core::safetensors::load_buffer(safetensors, &Device::Cpu)?;
        let prefix = if tensors.contains_key(bare) {
            ""
        } else {
            prefix
        };
        Ok(Self { tensors, prefix })
    }

    /// The tensor `name`, as `f32`.
    pub fn take(&mut self, name: &str) -> candle_core::Result<Tensor> {
        match self.tensors.remove(&format!("{}{name}", self.prefix)) {
            Some(t) => t.to_dtype(DType::F32),
            None => bail!("tensor {}{name} not found", self.prefix),
        }
    }

    /// The tensor `name` flattened, which must hold `len` values.
    pub fn vec(&mut self, name: &str, len: usize) -> candle_core::Result<Vec<f32>> {
        let v = self.take(name)?.flatten_all()?.to_vec1::<f32>()?;
        if v.len() != len {
            bail!("tensor {name} has {} values, expected {len}", v.len());
        }
        Ok(v)
    }

    /// A linear layer's `[out, in]` weights as a contiguous `[in, out]` tensor.
    pub fn linear(
        &mut self,
        name: &str,
        inputs: usize,
        outputs: usize,
    ) -> candle_core::Result<Tensor> {
        let w = self.take(&format!("{name}.weight"))?;
        if w.dims() != [outputs, inputs] {
            bail!(
                "tensor {name}.weight has shape {:?}, expected [{outputs}, {inputs}]",
                w.dims()
            );
        }
        w.t()?.contiguous()
    }

    /// A layer norm's weight and bias.
    pub fn norm(&mut self, name: &str, width: usize, eps: f32) -> candle_core::Result<Norm> {
        Ok(Norm {
            gamma: self.vec(&format!("{name}.weight"), width)?,
            beta: self.vec(&format!("{name}.bias"), width)?,
            eps,
        })
    }
}
