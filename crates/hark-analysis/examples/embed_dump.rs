//! Dev tool: embeds a JSON-lines file of strings into a raw little-endian f32 file.
//!
//! `embed_dump MODEL_DIR IN.jsonl OUT.f32 [MAX_BATCH MAX_BATCH_TOKENS [pad]]`; prints texts/s.
use std::io::{BufRead, Write};

use hark_analysis::embed::{Batching, Embedder};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        return Err(
            "usage: embed_dump MODEL_DIR IN.jsonl OUT.f32 [MAX_BATCH MAX_BATCH_TOKENS [pad]]"
                .into(),
        );
    }
    let mut batching = Batching::default();
    if let (Some(batch), Some(tokens)) = (args.get(4), args.get(5)) {
        batching.max_batch = batch.parse()?;
        batching.max_batch_tokens = tokens.parse()?;
    }
    batching.pad_to_max = args.get(6).is_some_and(|a| a == "pad");
    let e = Embedder::load(std::path::Path::new(&args[1]))?.with_batching(batching);
    let mut texts = Vec::new();
    for line in std::io::BufReader::new(std::fs::File::open(&args[2])?).lines() {
        texts.push(serde_json::from_str::<String>(&line?)?);
    }
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let t = std::time::Instant::now();
    let v = e.embed(&refs)?;
    let secs = t.elapsed().as_secs_f64();
    eprintln!(
        "{} texts in {:.1}s = {:.0}/s",
        refs.len(),
        secs,
        refs.len() as f64 / secs
    );
    let mut out = std::io::BufWriter::new(std::fs::File::create(&args[3])?);
    for row in v {
        for x in row {
            out.write_all(&x.to_le_bytes())?;
        }
    }
    Ok(())
}
