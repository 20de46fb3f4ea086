//! Writes what `themes_eval` reads: `banking.json` (`[{"text", "category"}]`) and `banking.f32`
//! (little-endian f32, n × 384 embeddings in the same order) from banking77's `train.csv`.
//!
//! ```text
//! cargo run --release -p hark-analysis --example banking_vectors -- \
//!     [../shared/data/banking77/train.csv] [hark-data/model] [/work/exp]
//! ```
use hark_analysis::embed::Embedder;
use hark_analysis::eval::data;
use std::error::Error;
use std::path::Path;

fn main() -> Result<(), Box<dyn Error>> {
    let arg = |i: usize, default: &str| std::env::args().nth(i).unwrap_or_else(|| default.into());
    let csv = arg(1, "../shared/data/banking77/train.csv");
    let model = arg(2, "hark-data/model");
    let out = arg(3, "/work/exp");
    let rows = data::load(Path::new(&csv))?;
    let embedder = Embedder::load(Path::new(&model))?;
    let texts: Vec<&str> = rows.iter().map(|r| r.text.as_str()).collect();
    let vectors = embedder.embed(&texts)?;
    let json: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| serde_json::json!({"text": r.text, "category": r.label}))
        .collect();
    std::fs::create_dir_all(&out)?;
    std::fs::write(format!("{out}/banking.json"), serde_json::to_vec(&json)?)?;
    let bytes: Vec<u8> = vectors
        .iter()
        .flatten()
        .flat_map(|x| x.to_le_bytes())
        .collect();
    std::fs::write(format!("{out}/banking.f32"), bytes)?;
    println!("{} rows written to {out}", rows.len());
    Ok(())
}
