//! The local sentence embedder: all-MiniLM-L6-v2 (or multilingual-e5-small, all-mpnet-base-v2)
//! run in-process on the CPU.
//!
//! Texts are tokenized without padding, sorted by length and run in batches; a batch is packed
//! into one `[tokens, hidden]` matrix with no padding at all (the shipped `tokenizer.json` pads
//! everything to 128 tokens, which multiplies the work for short feedback sentences). Batches
//! run in parallel on the rayon pool. The encoder is our own forward pass ([`encoder`]), built for
//! speed on few cores; its matmuls use gemm's AVX-512 kernels where the CPU has them (picked at
//! run time, like our own kernels' instruction set). Output vectors are the mean of the last
//! hidden states over the real tokens, L2-normalised, as sentence-transformers does.
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use tokenizers::{Tokenizer, TruncationParams};

mod bert;
mod encoder;
mod kernels;
mod mpnet;
mod relative;
mod weights;

/// Longest input the model sees, in tokens (the model was trained on 128; longer text is cut).
pub const MAX_TOKENS: usize = 128;

/// Why the embedder could not load or run.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    /// The model folder lacks a file; `hint` says how to fetch it.
    #[error("embedding model not found: {path} is missing (fetch it with `scripts/fetch-model.sh {dir}`)", dir = .dir.display(), path = .path.display())]
    Missing { dir: PathBuf, path: PathBuf },
    /// A model file could not be read or parsed.
    #[error("embedding model file {path} is unreadable: {reason}", path = .path.display())]
    Unreadable { path: PathBuf, reason: String },
    /// The tokenizer failed on an input.
    #[error("tokenizer failed: {0}")]
    Tokenize(String),
    /// The model failed while running.
    #[error("model inference failed")]
    Inference(#[from] candle_core::Error),
}

/// How texts are grouped into model calls.
#[derive(Debug, Clone, Copy)]
pub struct Batching {
    /// At most this many texts per call.
    pub max_batch: usize,
    /// At most this many tokens per call (padding included when `pad_to_max`), so long texts go
    /// in smaller batches. A batch is one matrix of this many rows through every layer.
    pub max_batch_tokens: usize,
    /// Pad every input to [`MAX_TOKENS`] (how the shipped tokenizer is set up); for comparison only.
    pub pad_to_max: bool,
}

impl Default for Batching {
    fn default() -> Self {
        Self {
            max_batch: 64,
            max_batch_tokens: 2048,
            pad_to_max: false,
        }
    }
}

/// A loaded sentence embedder. Cheap to share behind an `Arc`; `embed` takes `&self`.
pub struct Embedder {
    model: encoder::Encoder,
    tokenizer: Tokenizer,
    batching: Batching,
    /// Put before every text (E5 models expect `query: `), from `hark-model.json`.
    prefix: String,
    /// Theme thresholds for this model's similarity scale, from `hark-model.json`.
    thresholds: ThemeThresholds,
}

/// Theme similarity thresholds a model needs when its cosines run on another scale than
/// all-MiniLM-L6-v2's (for which hark's defaults were tuned); `None` keeps the default.
#[derive(Debug, Default, Clone, Copy, PartialEq, serde::Deserialize)]
pub struct ThemeThresholds {
    /// Similarity to a theme's centroid from which a new mention joins it.
    #[serde(default)]
    pub link: Option<f32>,
    /// Centroid similarity from which a re-clustered theme keeps an existing theme's id.
    #[serde(default)]
    pub matching: Option<f32>,
}

/// `hark-model.json`, optional beside the model files: what hark needs to know that the
/// Hugging Face files do not say.
#[derive(Debug, Default, serde::Deserialize)]
struct ModelNotes {
    /// Text put before every input.
    #[serde(default)]
    prefix: String,
    /// Theme thresholds on this model's scale.
    #[serde(default)]
    themes: ThemeThresholds,
}

impl std::fmt::Debug for Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embedder")
            .field("batching", &self.batching)
            .finish_non_exhaustive()
    }
}

fn required(dir: &Path, name: &str) -> Result<PathBuf, EmbedError> {
    let path = dir.join(name);
    if path.is_file() {
        Ok(path)
    } else {
        Err(EmbedError::Missing {
            dir: dir.to_path_buf(),
            path,
        })
    }
}

fn unreadable(path: &Path, reason: impl std::fmt::Display) -> EmbedError {
    EmbedError::Unreadable {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

impl Embedder {
    /// Loads `config.json`, `tokenizer.json` and `model.safetensors` from `dir`, on the CPU, and
    /// `hark-model.json` when present (`{"prefix": "query: "}` for E5 models).
    pub fn load(dir: &Path) -> Result<Self, EmbedError> {
        let notes_path = dir.join("hark-model.json");
        let notes: ModelNotes = if notes_path.is_file() {
            let text =
                std::fs::read_to_string(&notes_path).map_err(|e| unreadable(&notes_path, e))?;
            serde_json::from_str(&text).map_err(|e| unreadable(&notes_path, e))?
        } else {
            ModelNotes::default()
        };
        let config_path = required(dir, "config.json")?;
        let tokenizer_path = required(dir, "tokenizer.json")?;
        let weights_path = required(dir, "model.safetensors")?;
        let config_text =
            std::fs::read_to_string(&config_path).map_err(|e| unreadable(&config_path, e))?;
        let config: weights::Config =
            serde_json::from_str(&config_text).map_err(|e| unreadable(&config_path, e))?;
        let mut tokenizer =
            Tokenizer::from_file(&tokenizer_path).map_err(|e| unreadable(&tokenizer_path, e))?;
        // Inputs are packed without padding (see `embed`); the file's fixed padding is dropped.
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_TOKENS,
                ..Default::default()
            }))
            .map_err(|e| unreadable(&tokenizer_path, e))?;
        let weights = std::fs::read(&weights_path).map_err(|e| unreadable(&weights_path, e))?;
        let model =
            encoder::Encoder::load(&weights, &config).map_err(|e| unreadable(&weights_path, e))?;
        if model.max_positions() < MAX_TOKENS {
            return Err(unreadable(
                &config_path,
                format!("expected at least {MAX_TOKENS} positions"),
            ));
        }
        Ok(Self {
            model,
            tokenizer,
            batching: Batching::default(),
            prefix: notes.prefix,
            thresholds: notes.themes,
        })
    }

    /// The theme thresholds `hark-model.json` gives for this model.
    pub fn theme_thresholds(&self) -> ThemeThresholds {
        self.thresholds
    }

    /// Dimension of the sentence vectors (the model's hidden size: 384 for MiniLM and
    /// multilingual-e5-small, 768 for MPNet).
    pub fn dim(&self) -> usize {
        self.model.hidden()
    }

    /// Replaces the batching policy.
    pub fn with_batching(mut self, batching: Batching) -> Self {
        self.batching = batching;
        self
    }

    /// Number of tokens `text` becomes (after truncation), special tokens included.
    pub fn token_count(&self, text: &str) -> Result<usize, EmbedError> {
        let enc = self
            .tokenizer
            .encode(format!("{}{text}", self.prefix), true)
            .map_err(|e| EmbedError::Tokenize(e.to_string()))?;
        Ok(enc.get_ids().len())
    }

    /// Embeds every text; the result is in input order, each vector unit-length and
    /// [`Embedder::dim`] long.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let inputs: Vec<String> = texts
            .iter()
            .map(|t| format!("{}{t}", self.prefix))
            .collect();
        let encodings = self
            .tokenizer
            .encode_batch(inputs, true)
            .map_err(|e| EmbedError::Tokenize(e.to_string()))?;
        let ids: Vec<&[u32]> = encodings.iter().map(|e| e.get_ids()).collect();
        let mut order: Vec<usize> = (0..ids.len()).collect();
        order.sort_by_key(|&i| ids[i].len());
        let mut batches = Vec::new();
        let mut start = 0;
        while start < order.len() {
            let end = self.batch_end(&order, &ids, start);
            batches.push(&order[start..end]);
            start = end;
        }
        // Batches run in parallel, each on one core as long as there are enough of them: far
        // fewer hand-offs between threads than splitting every matmul. Work inside a batch is
        // parallel too, which rayon uses when a core is idle (a single or a last batch).
        let vectors: Vec<Vec<Vec<f32>>> = batches
            .par_iter()
            .map(|batch| self.run_batch(&batch.iter().map(|&i| ids[i]).collect::<Vec<_>>()))
            .collect::<Result<_, _>>()?;
        let mut out = vec![Vec::new(); ids.len()];
        for (batch, vectors) in batches.iter().zip(vectors) {
            for (&slot, vector) in batch.iter().zip(vectors) {
                out[slot] = vector;
            }
        }
        Ok(out)
    }

    /// End of the batch that starts at `start` in the length-sorted `order`.
    fn batch_end(&self, order: &[usize], ids: &[&[u32]], start: usize) -> usize {
        let rows = |i: usize| {
            if self.batching.pad_to_max {
                MAX_TOKENS
            } else {
                ids[order[i]].len()
            }
        };
        let mut tokens = rows(start);
        let mut end = start + 1;
        while end < order.len() && end - start < self.batching.max_batch {
            tokens += rows(end);
            if tokens > self.batching.max_batch_tokens {
                break;
            }
            end += 1;
        }
        end
    }

    fn run_batch(&self, batch: &[&[u32]]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let rows = if self.batching.pad_to_max {
            MAX_TOKENS
        } else {
            0
        };
        Ok(self.model.embed(batch, rows)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_notes_give_the_prefix_and_theme_thresholds() {
        let notes: ModelNotes = serde_json::from_str(
            r#"{"name": "e5", "prefix": "query: ", "themes": {"link": 0.93, "matching": 0.94}}"#,
        )
        .expect("parses");
        assert_eq!(notes.prefix, "query: ");
        assert_eq!(notes.themes.link, Some(0.93));
        let config = crate::worker::PipelineConfig::default().with_thresholds(notes.themes);
        assert_eq!(config.link_threshold, 0.93);
        assert_eq!(config.discover.match_threshold, 0.94);
        let plain: ModelNotes = serde_json::from_str("{}").expect("parses");
        let config = crate::worker::PipelineConfig::default().with_thresholds(plain.themes);
        assert_eq!(config.link_threshold, crate::themes::LINK_THRESHOLD);
        assert_eq!(config.discover.match_threshold, 0.8);
    }
}
