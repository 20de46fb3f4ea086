//! `hark eval`: analysis quality on labelled files, printed as a table with the baselines.
use crate::cli::EvalArgs;
use crate::error::Error;
use hark_analysis::analyzer::Analyzer;
use hark_analysis::embed::Embedder;
use hark_analysis::eval::{self, data, Analysed, CategoryScores, SentimentScores};
use hark_analysis::sentiment::SentimentHead;
use std::path::Path;
use std::time::Instant;

/// Runs every evaluation asked for and prints the results.
pub fn run(args: &EvalArgs) -> Result<(), Error> {
    let started = Instant::now();
    let mut analyzer = Analyzer::new(Embedder::load(&args.model)?)?;
    // Analyses stay zero-shot; the shipped and learned sentiment heads are scored beside them.
    let shipped = analyzer.sentiment_head().cloned();
    analyzer.set_sentiment_head(None);
    if !args.categories.is_empty() {
        let sets = analyse(&analyzer, &args.categories)?;
        println!("## Categories (macro-F1 over the labels in each file; baseline: keyword rules)");
        println!(
            "{:<28} {:>6} {:>22} {:>8} {:>9}",
            "test file", "rows", "mode", "model", "baseline"
        );
        for (path, set) in args.categories.iter().zip(&sets) {
            print_categories(
                path,
                "zero-shot",
                &eval::categories(analyzer.dim(), set, &[]),
            );
        }
        if sets.len() > 1 {
            for (i, (path, set)) in args.categories.iter().zip(&sets).enumerate() {
                // Leave the tested app out: no file about one of its apps (in any language).
                let apps = eval::apps(set);
                let others: Vec<&Analysed> = sets
                    .iter()
                    .enumerate()
                    .filter(|(j, s)| *j != i && !eval::apps(s).iter().any(|a| apps.contains(a)))
                    .map(|(_, s)| s)
                    .collect();
                print_categories(
                    path,
                    "learned (other apps)",
                    &eval::categories(analyzer.dim(), set, &others),
                );
            }
        }
        println!();
    }
    if !args.sentiment.is_empty() || args.write_sentiment_head.is_some() {
        sentiment(&analyzer, args, shipped.as_ref())?;
    }
    if !args.themes.is_empty() {
        println!("## Themes vs labels (NMI / ARI; fine themes and their broad parents; random subsets of each size, mean of 3; baseline: TF-IDF + k-means with the true number of labels)");
        println!(
            "{:<22} {:>6} {:>7} {:>7} {:>12} {:>8} {:>12} {:>14} {:>12} {:>8}",
            "file",
            "rows",
            "labels",
            "themes",
            "NMI / ARI",
            "parents",
            "NMI / ARI",
            "family NMI",
            "baseline",
            "seconds"
        );
        for path in &args.themes {
            for t in eval::themes(&analyzer, &data::load(path)?, &args.theme_sizes)? {
                println!(
                    "{:<22} {:>6} {:>7} {:>7} {:>5.3} {:>5.3} {:>8} {:>5.3} {:>5.3} {:>7.3} ({:>3}) {:>5.3} {:>5.3} {:>8.1}",
                    name(path),
                    t.rows,
                    t.labels,
                    t.clusters,
                    t.model.0,
                    t.model.1,
                    t.parents,
                    t.parent_model.0,
                    t.parent_model.1,
                    t.parent_family_nmi.0,
                    t.parent_family_nmi.1,
                    t.baseline.0,
                    t.baseline.1,
                    t.cluster_seconds
                );
            }
        }
        println!();
    }
    println!("(evaluated in {:.0} s)", started.elapsed().as_secs_f64());
    Ok(())
}

/// What the sentiment heads learn from: the data sets and their licenses.
const SENTIMENT_CREDIT: &str = "star ratings of Mini-BAR (Wei et al., ICTAI 2023, MIT) and the URR golden set (Ciurumelea et al., SANER 2017, MIT): 1-2 stars negative, 3 neutral, 4-5 positive";

fn sentiment(
    analyzer: &Analyzer,
    args: &EvalArgs,
    shipped: Option<&SentimentHead>,
) -> Result<(), Error> {
    // A file both tested and learned from (scripts/eval.sh passes the same ones) is analysed once.
    let mut paths: Vec<std::path::PathBuf> = args.sentiment.clone();
    paths.extend(args.sentiment_train.iter().cloned());
    paths.sort();
    paths.dedup();
    let analysed = analyse(analyzer, &paths)?;
    let of = |p: &std::path::PathBuf| paths.iter().position(|q| q == p).map(|i| &analysed[i]);
    let sets: Vec<&Analysed> = args.sentiment.iter().filter_map(of).collect();
    let pool: Vec<&Analysed> = args.sentiment_train.iter().filter_map(of).collect();
    if let Some(out) = &args.write_sentiment_head {
        let head = eval::train_sentiment_head(&pool, &[], analyzer.probe(), SENTIMENT_CREDIT);
        std::fs::write(out, head.to_json() + "\n").map_err(|source| Error::WriteFile {
            path: out.clone(),
            source,
        })?;
        println!(
            "sentiment head ({:?} examples: negative, neutral, positive) written to {}",
            head.examples,
            out.display()
        );
    }
    if sets.is_empty() {
        return Ok(());
    }
    println!("## Sentiment vs star ratings (Spearman; polarity accuracy on 1-2 vs 4-5 stars; neutral recall/precision on 3 stars; baseline: lexicon)");
    println!(
        "{:<28} {:>6} {:>30} {:>8} {:>8} {:>9} {:>8} {:>9} {:>9}",
        "file",
        "rows",
        "mode",
        "model ρ",
        "lex. ρ",
        "model acc",
        "lex. acc",
        "neu. rec",
        "neu. prec"
    );
    for (path, set) in args.sentiment.iter().zip(sets.iter().copied()) {
        print_sentiment(path, "zero-shot (example sentences)", &eval::sentiment(set));
        if let Some(head) = shipped {
            print_sentiment(
                path,
                "shipped head (saw this file)",
                &eval::sentiment_with(set, head),
            );
        }
        if !pool.is_empty() {
            let apps = eval::apps(set);
            let head = eval::train_sentiment_head(&pool, &apps, analyzer.probe(), SENTIMENT_CREDIT);
            let mode = if apps.is_empty() {
                "head, learned"
            } else {
                "head, learned w/o its apps"
            };
            print_sentiment(path, mode, &eval::sentiment_with(set, &head));
        }
    }
    println!();
    Ok(())
}

fn print_sentiment(path: &Path, mode: &str, s: &SentimentScores) {
    println!(
        "{:<28} {:>6} {:>30} {:>8.3} {:>8.3} {:>9.3} {:>8.3} {:>9.3} {:>9.3}",
        name(path),
        s.rows,
        mode,
        s.model_spearman,
        s.baseline_spearman,
        s.model_polarity,
        s.baseline_polarity,
        s.neutral_recall,
        s.neutral_precision
    );
}

fn analyse(analyzer: &Analyzer, paths: &[std::path::PathBuf]) -> Result<Vec<Analysed>, Error> {
    paths
        .iter()
        .map(|p| Ok(eval::analyse_rows(analyzer, data::load(p)?)?))
        .collect()
}

fn name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn print_categories(path: &Path, mode: &str, s: &CategoryScores) {
    let per = |v: &[(hark_core::analysis::Category, f64)]| {
        v.iter()
            .map(|(c, f)| format!("{c} {f:.3}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!(
        "{:<28} {:>6} {:>22} {:>8.3} {:>9.3}",
        name(path),
        s.rows,
        mode,
        s.model.0,
        s.baseline.0
    );
    println!(
        "{:<28} {:>6} {:>22}   model: {}; baseline: {}",
        "",
        "",
        "",
        per(&s.model.1),
        per(&s.baseline.1)
    );
}
