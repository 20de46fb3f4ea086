//! MPNet's tensor names and embeddings (sentence-transformers/all-mpnet-base-v2), following
//! Hugging Face `transformers`' `MPNetModel`: no token-type embeddings; position ids start after
//! the padding id, as in RoBERTa (`create_position_ids_from_input_ids`: the token at index `p`
//! of an unpadded sequence has position `PADDING_IDX + 1 + p`); and a relative position bias
//! (the encoder's `relative_attention_bias`, shared by all layers) added to the attention
//! scores ([`super::relative`]).
use candle_core::bail;

use super::encoder::{Encoder, Layer, LayerNames};
use super::relative::RelativeBias;
use super::weights::{Config, Weights};

const NAMES: LayerNames = LayerNames {
    query: "attention.attn.q",
    key: "attention.attn.k",
    value: "attention.attn.v",
    out: "attention.attn.o",
    attn_norm: "attention.LayerNorm",
    up: "intermediate.dense",
    down: "output.dense",
    out_norm: "output.LayerNorm",
};

/// Buckets of the relative position bias: `MPNetEncoder.compute_position_bias` always uses 32,
/// whatever `relative_attention_num_buckets` (the size of the bias table) says.
const BUCKETS: usize = 32;
/// The padding id position ids count from: `MPNetEmbeddings` fixes it at 1, whatever
/// `pad_token_id` says.
const PADDING_IDX: usize = 1;

/// Builds an MPNet encoder from the tensors of `model.safetensors` (names with or without an
/// `mpnet.` prefix).
pub(super) fn load(safetensors: &[u8], config: &Config) -> candle_core::Result<Encoder> {
    let (h, heads) = (config.hidden_size, config.num_attention_heads);
    let mut w = Weights::load(safetensors, "mpnet.", "embeddings.word_embeddings.weight")?;
    let word = w.vec("embeddings.word_embeddings.weight", config.vocab_size * h)?;
    let table = w.vec(
        "embeddings.position_embeddings.weight",
        config.max_position_embeddings * h,
    )?;
    // Rows up to the padding id belong to no real token: keep the rest, so that row `p` is the
    // embedding of index `p`.
    let first = PADDING_IDX + 1;
    if config.max_position_embeddings <= first {
        bail!(
            "max_position_embeddings {} leaves no position after the padding id",
            config.max_position_embeddings
        );
    }
    let position = table[first * h..].to_vec();
    let embed_norm = w.norm("embeddings.LayerNorm", h, config.layer_norm_eps as f32)?;
    let layers = (0..config.num_hidden_layers)
        .map(|i| Layer::load(&mut w, i, &NAMES, config))
        .collect::<candle_core::Result<_>>()?;
    if config.relative_attention_num_buckets.unwrap_or(BUCKETS) != BUCKETS {
        bail!(
            "relative_attention_num_buckets {:?} is not the {BUCKETS} MPNet's forward pass uses",
            config.relative_attention_num_buckets
        );
    }
    let bias = w.vec("encoder.relative_attention_bias.weight", BUCKETS * heads)?;
    let reach = config.max_position_embeddings - first;
    Ok(Encoder {
        hidden: h,
        heads,
        vocab: config.vocab_size,
        word,
        position,
        embed_norm,
        layers,
        relative: Some(RelativeBias::new(&bias, BUCKETS, heads, reach)),
    })
}
