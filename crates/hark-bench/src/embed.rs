//! The embedding benchmark: sentences per second of the local embedder on real feedback text,
//! from the labelled data in `../shared/data` (see its README for sources and licenses):
//! - **banking**: banking77 `train.csv` customer queries (`text` column), one sentence each;
//! - **minibar**: the English Mini-BAR app reviews (`minibar/*.en.csv`, `data` column), split into
//!   sentences.
//!
//! Each round embeds `--per-set` sentences of each set (spread evenly over the file) with the
//! embedder as shipped, then `--baseline-per-set` of the same sentences with the baseline: the same
//! model with the shipped tokenizer's behaviour, every input padded to 128 tokens. It prints
//! per-round rates, then medians, the ratio to the baseline, and the peak RSS of this process.
//! `--write-sentences FILE` also writes each set's sentences as JSON lines (`{"set", "text"}`),
//! so that another implementation can be timed on exactly the same input
//! (`scripts/bench-embed.sh` does so with PyTorch sentence-transformers when it is installed).

use crate::stats::median;
use hark_analysis::embed::{Batching, Embedder};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Options of `hark-bench embed`.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// The model folder (fetch it with `scripts/fetch-model.sh`).
    #[arg(long, default_value = "hark-data/model")]
    model: PathBuf,
    /// The shared data folder holding `banking77/` and `minibar/`.
    #[arg(long, default_value = "../shared/data")]
    data: PathBuf,
    /// Sentences per set and round for the embedder.
    #[arg(long, default_value_t = 2000)]
    per_set: usize,
    /// Sentences per set and round for the padded baseline (it is several times slower).
    #[arg(long, default_value_t = 400)]
    baseline_per_set: usize,
    /// Rounds; medians are reported.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Texts per model call (default: the embedder's).
    #[arg(long)]
    max_batch: Option<usize>,
    /// Tokens per model call (default: the embedder's).
    #[arg(long)]
    max_batch_tokens: Option<usize>,
    /// Write the sentences of each set to this file, one JSON object `{"set", "text"}` a line.
    #[arg(long)]
    write_sentences: Option<PathBuf>,
}

/// One set of sentences and its measured rates.
struct Set {
    name: &'static str,
    sentences: Vec<String>,
    ours: Vec<f64>,
    baseline: Vec<f64>,
}

/// Runs the embedding benchmark.
pub fn run(args: Args) -> Result<(), crate::drive::BenchError> {
    let defaults = Batching::default();
    let batching = Batching {
        max_batch: args.max_batch.unwrap_or(defaults.max_batch),
        max_batch_tokens: args.max_batch_tokens.unwrap_or(defaults.max_batch_tokens),
        pad_to_max: false,
    };
    let padded = Batching {
        pad_to_max: true,
        ..batching
    };
    let t = Instant::now();
    // One model for both: only the batching policy differs, so the peak RSS is one embedder's.
    let mut embedder = Embedder::load(&args.model)?;
    let load_s = t.elapsed().as_secs_f64();

    let banking = read_column(&args.data.join("banking77/train.csv"), "text")?;
    let mut reviews = Vec::new();
    for path in minibar_files(&args.data.join("minibar"))? {
        reviews.extend(read_column(&path, "data")?);
    }
    let review_sentences: Vec<String> = reviews.iter().flat_map(|r| split_sentences(r)).collect();
    let mut sets = [
        Set {
            name: "banking",
            sentences: spread(banking, args.per_set),
            ours: vec![],
            baseline: vec![],
        },
        Set {
            name: "minibar",
            sentences: spread(review_sentences, args.per_set),
            ours: vec![],
            baseline: vec![],
        },
    ];

    if let Some(path) = &args.write_sentences {
        write_sentences(path, &sets)?;
    }
    println!(
        "hark-bench embed: model {} ({}-d), {} + {} sentences per round ({} for the padded baseline), {} rounds, cores: {}, batching: {batching:?}, model load {load_s:.2} s",
        args.model.display(),
        embedder.dim(),
        sets[0].sentences.len(),
        sets[1].sentences.len(),
        args.baseline_per_set,
        args.rounds,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
    );
    for set in &sets {
        let refs: Vec<&str> = set.sentences.iter().map(String::as_str).collect();
        let tokens: usize = refs
            .iter()
            .map(|s| embedder.token_count(s))
            .sum::<Result<_, _>>()?;
        println!(
            "set {}: {} sentences, {:.1} tokens/sentence (special tokens included, cut at 128)",
            set.name,
            refs.len(),
            tokens as f64 / refs.len().max(1) as f64
        );
    }
    for round in 1..=args.rounds {
        for set in &mut sets {
            let refs: Vec<&str> = set.sentences.iter().map(String::as_str).collect();
            embedder = embedder.with_batching(batching);
            let (ours, cores) = rate(&embedder, &refs)?;
            embedder = embedder.with_batching(padded);
            let (base, _) = rate(&embedder, &spread(refs, args.baseline_per_set))?;
            println!(
                "round {round}: {:<8} embedder {ours:>7.1} sentences/s ({cores:.2} cores busy) | padded baseline {base:>6.1} sentences/s | x{:.2}",
                set.name,
                ours / base
            );
            set.ours.push(ours);
            set.baseline.push(base);
        }
    }
    println!("---");
    for set in sets {
        let (ours, base) = (median(set.ours), median(set.baseline));
        println!(
            "median {:<8}: embedder {ours:>7.1} sentences/s, padded baseline {base:>6.1} sentences/s, ratio x{:.2}",
            set.name,
            ours / base
        );
    }
    println!("peak RSS of this process: {:.1} MB", peak_rss_mb()?);
    Ok(())
}

/// Writes every set's sentences as JSON lines `{"set": NAME, "text": SENTENCE}`.
fn write_sentences(path: &Path, sets: &[Set]) -> Result<(), crate::drive::BenchError> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?,
    );
    for set in sets {
        for text in &set.sentences {
            let line = serde_json::json!({ "set": set.name, "text": text });
            writeln!(out, "{line}")?;
        }
    }
    out.flush()?;
    Ok(())
}

/// Sentences per second of one `embed` call over `texts`, and the CPU time it took per second
/// of wall time (cores busy: below the core count when other processes compete for the CPU).
fn rate(embedder: &Embedder, texts: &[&str]) -> Result<(f64, f64), crate::drive::BenchError> {
    let (t, cpu) = (Instant::now(), cpu_seconds()?);
    let vectors = embedder.embed(texts)?;
    let (secs, cpu) = (t.elapsed().as_secs_f64(), cpu_seconds()? - cpu);
    if vectors.len() != texts.len() {
        return Err(format!("{} vectors for {} texts", vectors.len(), texts.len()).into());
    }
    Ok((texts.len() as f64 / secs, cpu / secs))
}

/// User plus system CPU time of this process so far, in seconds (`/proc/self/stat`, in the
/// kernel's fixed 100 Hz clock ticks).
fn cpu_seconds() -> Result<f64, crate::drive::BenchError> {
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    // Fields after the command name (which may contain spaces) start at field 3, so utime
    // (field 14) and stime (field 15) are at 11 and 12 here.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .ok_or("unreadable /proc/self/stat")
    };
    Ok((ticks(11)? + ticks(12)?) / 100.0)
}

/// `n` items taken at an even stride over `items` (all of them when there are fewer), so that a
/// sample covers the whole file rather than its first categories or apps.
fn spread<T>(items: Vec<T>, n: usize) -> Vec<T> {
    if n == 0 || items.len() <= n {
        return items;
    }
    let step = items.len() as f64 / n as f64;
    let mut next = 0.0;
    let mut out = Vec::with_capacity(n);
    for (i, item) in items.into_iter().enumerate() {
        if i as f64 >= next && out.len() < n {
            out.push(item);
            next += step;
        }
    }
    out
}

/// The non-empty values of column `column` of a CSV file with a header row.
pub(crate) fn read_column(
    path: &Path,
    column: &str,
) -> Result<Vec<String>, crate::drive::BenchError> {
    let mut reader =
        csv::Reader::from_path(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let index = reader
        .headers()?
        .iter()
        .position(|h| h == column)
        .ok_or_else(|| format!("{}: no column {column:?}", path.display()))?;
    let mut out = Vec::new();
    for record in reader.records() {
        if let Some(value) = record?.get(index).map(str::trim).filter(|v| !v.is_empty()) {
            out.push(value.to_string());
        }
    }
    Ok(out)
}

/// The English Mini-BAR files, sorted.
pub(crate) fn minibar_files(dir: &Path) -> Result<Vec<PathBuf>, crate::drive::BenchError> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    files.retain(|p| p.to_string_lossy().ends_with(".en.csv"));
    files.sort();
    if files.is_empty() {
        return Err(format!("no *.en.csv files in {}", dir.display()).into());
    }
    Ok(files)
}

/// Splits text into sentences: after a run of `.`, `!` or `?` followed by whitespace (or the
/// end), and at line breaks. Pieces without a letter or digit are dropped.
fn split_sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let end = match c {
            '\n' | '\r' => Some((i, i + c.len_utf8())),
            '.' | '!' | '?' => match chars.peek() {
                Some(&(j, next)) if next.is_whitespace() => Some((j, j)),
                None => Some((text.len(), text.len())),
                _ => None,
            },
            _ => None,
        };
        if let Some((cut, resume)) = end {
            push_sentence(&mut out, &text[start..cut]);
            start = resume;
        }
    }
    push_sentence(&mut out, &text[start..]);
    out
}

fn push_sentence(out: &mut Vec<String>, piece: &str) {
    let piece = piece.trim();
    if piece.chars().any(char::is_alphanumeric) {
        out.push(piece.to_string());
    }
}

/// Peak resident set size of this process (`VmHWM`), in MB.
pub(crate) fn peak_rss_mb() -> Result<f64, crate::drive::BenchError> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .ok_or("no VmHWM in /proc/self/status")?;
    Ok(kb / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_sentences() {
        assert_eq!(
            split_sentences("Great app! Syncs fine... but the map?? Broken.\nv2.1 is slow"),
            [
                "Great app!",
                "Syncs fine...",
                "but the map??",
                "Broken.",
                "v2.1 is slow"
            ]
        );
        assert_eq!(split_sentences("  ...  \n\n ok"), ["ok"]);
        assert!(split_sentences("").is_empty());
    }

    #[test]
    fn spreads_evenly() {
        assert_eq!(spread((0..10).collect(), 5), [0, 2, 4, 6, 8]);
        assert_eq!(spread((0..3).collect(), 5), [0, 1, 2]);
    }
}
