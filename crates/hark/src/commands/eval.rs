//! `hark eval`: analysis quality on labelled files, printed as a table with the baselines.
use crate::cli::EvalArgs;
use crate::error::Error;
use hark_analysis::analyzer::Analyzer;
use hark_analysis::embed::Embedder;
use hark_analysis::eval::{self, data, Analysed, CategoryScores};
use std::path::Path;
use std::time::Instant;

/// Runs every evaluation asked for and prints the results.
pub fn run(args: &EvalArgs) -> Result<(), Error> {
    let started = Instant::now();
    let analyzer = Analyzer::new(Embedder::load(&args.model)?)?;
    if !args.categories.is_empty() {
        let sets = analyse(&analyzer, &args.categories)?;
        println!("## Categories (macro-F1 over the labels in each file; baseline: keyword rules)");
        println!(
            "{:<28} {:>6} {:>22} {:>8} {:>9}",
            "test file", "rows", "mode", "model", "baseline"
        );
        for (path, set) in args.categories.iter().zip(&sets) {
            print_categories(path, "zero-shot", &eval::categories(set, &[]));
        }
        if sets.len() > 1 {
            for (i, (path, set)) in args.categories.iter().zip(&sets).enumerate() {
                let others: Vec<&Analysed> = sets
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, s)| s)
                    .collect();
                print_categories(
                    path,
                    "learned (other files)",
                    &eval::categories(set, &others),
                );
            }
        }
        println!();
    }
    if !args.sentiment.is_empty() {
        let sets = analyse(&analyzer, &args.sentiment)?;
        println!("## Sentiment vs star ratings (Spearman; polarity accuracy on 1-2 vs 4-5 stars; baseline: lexicon)");
        println!(
            "{:<28} {:>6} {:>10} {:>10} {:>10} {:>10}",
            "file", "rows", "model ρ", "lexicon ρ", "model acc", "lexicon acc"
        );
        for (path, set) in args.sentiment.iter().zip(&sets) {
            let s = eval::sentiment(set);
            println!(
                "{:<28} {:>6} {:>10.3} {:>10.3} {:>10.3} {:>10.3}",
                name(path),
                s.rows,
                s.model_spearman,
                s.baseline_spearman,
                s.model_polarity,
                s.baseline_polarity
            );
        }
        println!();
    }
    if !args.themes.is_empty() {
        println!("## Themes vs labels (NMI / ARI; baseline: TF-IDF + k-means with the true number of labels)");
        println!(
            "{:<28} {:>6} {:>7} {:>9} {:>12} {:>12} {:>9}",
            "file", "rows", "labels", "clusters", "model", "baseline", "seconds"
        );
        for path in &args.themes {
            let t = eval::themes(&analyzer, &data::load(path)?)?;
            println!(
                "{:<28} {:>6} {:>7} {:>9} {:>5.3} {:>5.3} {:>5.3} {:>5.3} {:>9.1}",
                name(path),
                t.rows,
                t.labels,
                t.clusters,
                t.model.0,
                t.model.1,
                t.baseline.0,
                t.baseline.1,
                t.cluster_seconds
            );
        }
        println!();
    }
    println!("(evaluated in {:.0} s)", started.elapsed().as_secs_f64());
    Ok(())
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
