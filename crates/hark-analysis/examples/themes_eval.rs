//! Evaluation of the theme engine on banking77 (10,003 bank queries, 77 intents).
//!
//! Needs `banking.json` (array of `{"text", "category"}`) and `banking.f32` (little-endian f32,
//! n × 384 all-MiniLM-L6-v2 embeddings in the same order) in a folder (default `/work/exp`).
//!
//! ```text
//! cargo run --release -p hark-analysis --example themes_eval -- \
//!     [quality|link|match|scale|sweep] [dir] [noise]
//! ```
//! (`examples/banking_vectors.rs` writes the two files.)
//! `quality`: NMI/ARI against the intents over seeds and subset sizes; `link`: precision and
//! coverage of linking held-out mentions per threshold; `match`: how well centroid similarity
//! tells the same cluster across re-runs; `scale`: 100,000 copies with uniform noise of ±`noise`
//! per component (default 0.05; copies then resemble each other about as much as real
//! neighbours do), timings, recall and peak RSS; `sweep`: NMI/ARI/clusters at 1,000, 3,000 and
//! all rows for each k in `SWEEP_K` and resolution in `SWEEP_R` (comma-separated).
use std::collections::HashMap;
use std::error::Error;
use std::time::Instant;

use hark_analysis::themes::cluster::knn_graph;
use hark_analysis::themes::knn::{knn, sample_recall};
use hark_analysis::themes::labels::{key_phrases, quotes, PhraseParams};
use hark_analysis::themes::louvain::louvain;
use hark_analysis::themes::metrics::{ari, nmi};
use hark_analysis::themes::{centroid, cluster, discover, dot, link, normalize};
use hark_analysis::themes::{ClusterParams, DiscoverParams, Discovery, MentionInput, Scope};
use hark_core::analysis::ThemeId;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

const DIM: usize = 384;

#[derive(serde::Deserialize)]
struct Row {
    text: String,
    category: String,
}

struct Data {
    texts: Vec<String>,
    intents: Vec<String>,
    vectors: Vec<f32>,
}

fn load(dir: &str) -> Result<Data, Box<dyn Error>> {
    let rows: Vec<Row> = serde_json::from_slice(&std::fs::read(format!("{dir}/banking.json"))?)?;
    let raw = std::fs::read(format!("{dir}/banking.f32"))?;
    let vectors: Vec<f32> = raw
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    if vectors.len() != rows.len() * DIM {
        return Err(format!("{} vectors for {} rows", vectors.len() / DIM, rows.len()).into());
    }
    let (texts, intents) = rows.into_iter().map(|r| (r.text, r.category)).unzip();
    Ok(Data {
        texts,
        intents,
        vectors,
    })
}

/// Rows `idx` of the data as a flat matrix.
fn rows(d: &Data, idx: &[usize]) -> Vec<f32> {
    idx.iter()
        .flat_map(|&i| d.vectors[i * DIM..(i + 1) * DIM].iter().copied())
        .collect()
}

fn count(labels: &[usize]) -> usize {
    labels.iter().max().map_or(0, |l| l + 1)
}

/// Members of each cluster, mapped through `map`.
fn groups(labels: &[usize], map: impl Fn(usize) -> usize) -> Vec<Vec<usize>> {
    let mut g = vec![Vec::new(); count(labels)];
    labels
        .iter()
        .enumerate()
        .for_each(|(p, &l)| g[l].push(map(p)));
    g
}

/// Default clustering parameters with another seed and resolution.
fn with(seed: u64, resolution: f64) -> ClusterParams {
    let defaults = ClusterParams::default();
    ClusterParams {
        seed,
        resolution,
        adaptive: false,
        ..defaults
    }
}

fn quality(d: &Data) -> Result<(), Box<dyn Error>> {
    println!(
        "== banking77 clustering (k=10, resolution 2.0), n = {}",
        d.texts.len()
    );
    for seed in 0..3 {
        let t = Instant::now();
        let labels = cluster(&d.vectors, DIM, &with(seed, 2.0))?;
        println!(
            "seed {seed}: {} clusters  NMI {:.4}  ARI {:.4}  ({:.2} s)",
            count(&labels),
            nmi(&d.intents, &labels),
            ari(&d.intents, &labels),
            t.elapsed().as_secs_f64()
        );
    }
    let t = Instant::now();
    let params = ClusterParams {
        exact_max: 0,
        ..with(0, 2.0)
    };
    let approx = knn(&d.vectors, DIM, &params.knn_params())?;
    let elapsed = t.elapsed().as_secs_f64();
    let labels = louvain(&knn_graph(&approx), params.resolution, params.seed);
    let recall = sample_recall(&d.vectors, DIM, &approx, 1000, 4)?;
    println!(
        "inverted-file knn: {elapsed:.2} s, recall@10 {recall:.4}, NMI {:.4}",
        nmi(&d.intents, &labels)
    );
    println!("-- random subsets (NMI, clusters) by resolution");
    let mut rng = StdRng::seed_from_u64(9);
    for n in [100, 300, 1000, 3000] {
        let mut idx: Vec<usize> = (0..d.texts.len()).collect();
        idx.shuffle(&mut rng);
        idx.truncate(n);
        let truth: Vec<&String> = idx.iter().map(|&i| &d.intents[i]).collect();
        let distinct = truth.iter().collect::<std::collections::HashSet<_>>().len();
        let mut line = format!("n {n:5} ({distinct} intents):");
        for resolution in [0.5, 1.0, 2.0] {
            let labels = cluster(&rows(d, &idx), DIM, &with(0, resolution))?;
            line += &format!(
                "  r{resolution} {:.3}/{}",
                nmi(&truth, &labels),
                count(&labels)
            );
        }
        println!("{line}");
    }
    Ok(())
}

/// NMI / ARI / clusters over subset sizes (three random subsets each) for a grid of k and
/// resolution: what the size-adaptive resolution was fitted on.
fn sweep(d: &Data) -> Result<(), Box<dyn Error>> {
    let ks: Vec<usize> = std::env::var("SWEEP_K").ok().map_or(vec![10], |s| {
        s.split(',').filter_map(|x| x.parse().ok()).collect()
    });
    let rs: Vec<f64> = std::env::var("SWEEP_R")
        .ok()
        .map_or(vec![1.0, 2.0, 3.0], |s| {
            s.split(',').filter_map(|x| x.parse().ok()).collect()
        });
    for n in [1000, 3000, d.texts.len()] {
        for &k in &ks {
            for &r in &rs {
                let (mut nm, mut ar, mut cl) = (0.0, 0.0, 0.0);
                let reps = if n == d.texts.len() { 1 } else { 3 };
                for rep in 0..reps {
                    let mut idx: Vec<usize> = (0..d.texts.len()).collect();
                    idx.shuffle(&mut StdRng::seed_from_u64(100 + rep));
                    idx.truncate(n);
                    let truth: Vec<&String> = idx.iter().map(|&i| &d.intents[i]).collect();
                    let params = ClusterParams {
                        k,
                        resolution: r,
                        adaptive: false,
                        ..ClusterParams::default()
                    };
                    let labels = cluster(&rows(d, &idx), DIM, &params)?;
                    nm += nmi(&truth, &labels);
                    ar += ari(&truth, &labels);
                    cl += count(&labels) as f64;
                }
                let m = reps as f64;
                println!(
                    "n {n:5} k {k:2} r {r:4.1}: NMI {:.3} ARI {:.3} clusters {:.0}",
                    nm / m,
                    ar / m,
                    cl / m
                );
            }
        }
    }
    Ok(())
}

fn mention_inputs<'a>(d: &'a Data, idx: &[usize]) -> Vec<MentionInput<'a>> {
    idx.iter()
        .map(|&i| MentionInput {
            id: i as i64,
            theme: None,
            embedding: &d.vectors[i * DIM..(i + 1) * DIM],
            text: &d.texts[i],
        })
        .collect()
}

/// For each theme of a run, the most common of `labels` among its members; and the share of
/// linked members that carry their theme's majority label.
fn majorities<'a>(run: &Discovery, labels: &'a [String]) -> (Vec<&'a String>, f64) {
    let index: HashMap<&ThemeId, usize> = run
        .themes
        .iter()
        .enumerate()
        .map(|(i, t)| (&t.id, i))
        .collect();
    let mut counts: Vec<HashMap<&String, usize>> = vec![HashMap::new(); run.themes.len()];
    for l in &run.links {
        if let Some(&t) = index.get(&l.theme) {
            *counts[t].entry(&labels[l.mention as usize]).or_default() += 1;
        }
    }
    let mut agree = 0;
    let best = counts
        .iter()
        .map(|c| {
            let best = c
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)));
            agree += best.map_or(0, |b| *b.1);
            best.map_or(&EMPTY, |b| *b.0)
        })
        .collect();
    (best, agree as f64 / run.links.len().max(1) as f64)
}
static EMPTY: String = String::new();

fn link_eval(d: &Data) -> Result<(), Box<dyn Error>> {
    let mut idx: Vec<usize> = (0..d.texts.len()).collect();
    idx.shuffle(&mut StdRng::seed_from_u64(1));
    let (train, test) = idx.split_at(d.texts.len() * 4 / 5);
    let inputs = mention_inputs(d, train);
    let run = discover(&[], &inputs, Scope::All, &DiscoverParams::default())?;
    let (by_intent, purity) = majorities(&run, &d.intents);
    // The cluster each mention gets when everything is clustered at once.
    let full: Vec<String> = cluster(&d.vectors, DIM, &ClusterParams::default())?
        .iter()
        .map(ToString::to_string)
        .collect();
    let (by_full, stable) = majorities(&run, &full);
    println!(
        "== linking: {} themes from {} mentions; members in their theme's majority intent \
         {purity:.3}, in its majority full-run cluster {stable:.3}",
        run.themes.len(),
        train.len()
    );
    for t in run.themes.iter().take(6) {
        if let Some(x) = &t.description {
            println!("  {:4} {} | {:?}", t.mentions, x.label, x.quotes.first());
        }
    }
    let centroids: Vec<&[f32]> = run.themes.iter().map(|t| t.centroid.as_slice()).collect();
    for threshold in [0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.88, 0.9, 0.92, 0.95] {
        let (mut hits, mut agree, mut links) = (0, 0, 0);
        for &i in test {
            if let Some((t, _)) = link(&centroids, &d.vectors[i * DIM..(i + 1) * DIM], threshold) {
                links += 1;
                hits += usize::from(*by_intent[t] == d.intents[i]);
                agree += usize::from(*by_full[t] == full[i]);
            }
        }
        let share = |x: usize| x as f64 / links.max(1) as f64;
        println!(
            "threshold {threshold:.2}: linked {:.3}  majority intent {:.3}  full-run cluster {:.3}",
            links as f64 / test.len() as f64,
            share(hits),
            share(agree)
        );
    }
    Ok(())
}

fn match_eval(d: &Data) -> Result<(), Box<dyn Error>> {
    let n = d.texts.len();
    let a = cluster(&d.vectors, DIM, &with(0, 2.0))?;
    let mut idx: Vec<usize> = (0..n).collect();
    idx.shuffle(&mut StdRng::seed_from_u64(2));
    idx.truncate(n * 9 / 10);
    let b = cluster(&rows(d, &idx), DIM, &with(1, 2.0))?;
    let (mut ma, mut mb) = (groups(&a, |p| p), groups(&b, |p| idx[p]));
    ma.retain(|c| c.len() >= 3);
    mb.retain(|c| c.len() >= 3);
    let ca: Vec<Vec<f32>> = ma
        .iter()
        .map(|c| centroid(&d.vectors, DIM, c.iter().copied()))
        .collect();
    println!("== matching re-run clusters (90 % subsample, other seed) to the first run's");
    let mut pairs = Vec::new();
    for c in &mb {
        let cb = centroid(&d.vectors, DIM, c.iter().copied());
        let (best, sim) = (0..ca.len())
            .map(|i| (i, dot(&cb, &ca[i])))
            .max_by(|x, y| x.1.total_cmp(&y.1))
            .unwrap_or((0, 0.0));
        let inside = c.iter().filter(|m| ma[best].contains(m)).count() as f64 / c.len() as f64;
        pairs.push((sim, inside >= 0.5));
    }
    for threshold in [0.7, 0.75, 0.8, 0.85, 0.9, 0.92, 0.94, 0.95, 0.96, 0.97] {
        let matched: Vec<_> = pairs.iter().filter(|p| p.0 >= threshold).collect();
        let same = matched.iter().filter(|p| p.1).count();
        let missed = pairs.iter().filter(|p| p.1 && p.0 < threshold).count();
        println!(
            "threshold {threshold:.2}: {} of {} clusters keep an id, {same} truly the same, \
             {missed} same ones missed",
            matched.len(),
            pairs.len()
        );
    }
    Ok(())
}

fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(str::to_string)
        })
        .unwrap_or_else(|| "VmHWM unavailable".into())
}

fn scale(d: &Data, noise: f32) -> Result<(), Box<dyn Error>> {
    const N: usize = 100_000;
    let mut rng = StdRng::seed_from_u64(3);
    let base = d.texts.len();
    let mut vectors = Vec::with_capacity(N * DIM);
    for i in 0..N {
        let mut v: Vec<f32> = d.vectors[(i % base) * DIM..(i % base + 1) * DIM]
            .iter()
            .map(|x| x + rng.gen_range(-noise..noise))
            .collect();
        normalize(&mut v);
        vectors.extend(v);
    }
    let intents: Vec<&String> = (0..N).map(|i| &d.intents[i % base]).collect();
    println!(
        "== scale: {N} vectors (banking77 ×10, ±{noise} uniform noise)   {}",
        peak_rss()
    );
    let params = ClusterParams::default();
    let t = Instant::now();
    let neighbours = knn(&vectors, DIM, &params.knn_params())?;
    let t_knn = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let labels = louvain(&knn_graph(&neighbours), params.resolution, params.seed);
    let t_louvain = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let groups = groups(&labels, |i| i);
    let texts: Vec<Vec<&str>> = groups
        .iter()
        .map(|g| g.iter().map(|&i| d.texts[i % base].as_str()).collect())
        .collect();
    let phrases = key_phrases(&texts, &PhraseParams::default());
    let quoted: Vec<Vec<String>> = groups
        .iter()
        .map(|g| {
            let c = centroid(&vectors, DIM, g.iter().copied());
            quotes(
                g.iter()
                    .map(|&i| (d.texts[i % base].as_str(), &vectors[i * DIM..(i + 1) * DIM])),
                &c,
                3,
            )
        })
        .collect();
    let t_labels = t.elapsed().as_secs_f64();
    println!(
        "knn {t_knn:.2} s + louvain {t_louvain:.2} s + labels {t_labels:.2} s = {:.2} s; \
         {} clusters, NMI {:.4}, ARI {:.4}",
        t_knn + t_louvain + t_labels,
        groups.len(),
        nmi(&intents, &labels),
        ari(&intents, &labels)
    );
    println!(
        "largest: {:?} {:?}",
        phrases.first(),
        quoted.first().and_then(|q| q.first())
    );
    println!("{}", peak_rss());
    let recall = sample_recall(&vectors, DIM, &neighbours, 1000, 4)?;
    println!(
        "knn recall@{} vs exact on 1000 points: {recall:.4}",
        params.k
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let mode = std::env::args().nth(1).unwrap_or_else(|| "quality".into());
    let dir = std::env::args()
        .nth(2)
        .unwrap_or_else(|| "/work/exp".into());
    let noise = std::env::args().nth(3).and_then(|s| s.parse().ok());
    let noise = noise.unwrap_or(0.05);
    let d = load(&dir)?;
    match mode.as_str() {
        "quality" => quality(&d),
        "link" => link_eval(&d),
        "match" => match_eval(&d),
        "scale" => scale(&d, noise),
        "sweep" => sweep(&d),
        other => Err(format!("unknown mode {other:?} (quality, link, match or scale)").into()),
    }
}
