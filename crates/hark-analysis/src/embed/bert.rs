//! BERT's tensor names and embeddings (all-MiniLM-L6-v2, multilingual-e5-small): absolute
//! position embeddings from position 0 and a token-type embedding, as
//! `candle_transformers::models::bert::BertModel` loads them (with or without a `bert.` prefix).
use candle_core::bail;

use super::encoder::{Encoder, Layer, LayerNames};
use super::weights::{Config, Weights};

const NAMES: LayerNames = LayerNames {
    query: "attention.self.query",
    key: "attention.self.key",
    value: "attention.self.value",
    out: "attention.output.dense",
    attn_norm: "attention.output.LayerNorm",
    up: "intermediate.dense",
    down: "output.dense",
    out_norm: "output.LayerNorm",
};

/// Builds a BERT encoder from the tensors of `model.safetensors`.
pub(super) fn load(safetensors: &[u8], config: &Config) -> candle_core::Result<Encoder> {
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
    let h = config.hidden_size;
    let mut w = Weights::load(safetensors, "bert.", "embeddings.word_embeddings.weight")?;
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
    let embed_norm = w.norm("embeddings.LayerNorm", h, config.layer_norm_eps as f32)?;
    let layers = (0..config.num_hidden_layers)
        .map(|i| Layer::load(&mut w, i, &NAMES, config))
        .collect::<candle_core::Result<_>>()?;
    Ok(Encoder {
        hidden: h,
        heads: config.num_attention_heads,
        vocab: config.vocab_size,
        word,
        position,
        embed_norm,
        layers,
        relative: None,
    })
}
