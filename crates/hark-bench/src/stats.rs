//! Summaries of measured latencies and rates.

use std::time::Duration;

/// The `q` quantile (0–1) of sorted samples, nearest-rank.
pub fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// The median of a list of rates.
pub fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len().is_multiple_of(2) {
        (v[m - 1] + v[m]) / 2.0
    } else {
        v[m]
    }
}

/// Milliseconds with two decimals.
pub fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

/// What one end-to-end measurement gives.
pub struct E2e {
    /// Units (items or calls) per second.
    pub rate: f64,
    /// Median latency.
    pub p50: Duration,
    /// 99th-percentile latency.
    pub p99: Duration,
    /// Peak resident memory of the server process, in MB.
    pub rss_peak_mb: f64,
}

/// The figures of every round, printed as they come and summarised as medians.
#[derive(Default)]
pub struct Rounds {
    raw: Vec<f64>,
    e2e: Vec<f64>,
    p50_ms: Vec<f64>,
    p99_ms: Vec<f64>,
    rss_mb: Vec<f64>,
}

impl Rounds {
    /// Records and prints round `round`: the raw baseline rate and the end-to-end figures.
    pub fn push(&mut self, round: usize, unit: &str, raw: f64, e: &E2e) {
        println!(
            "round {round}: raw {raw:>9.0} {unit}/s | e2e {:>9.0} {unit}/s ({:.0} %), p50 {} ms, p99 {} ms, server peak RSS {:.1} MB",
            e.rate,
            100.0 * e.rate / raw,
            ms(e.p50),
            ms(e.p99),
            e.rss_peak_mb
        );
        self.raw.push(raw);
        self.e2e.push(e.rate);
        self.p50_ms.push(e.p50.as_secs_f64() * 1000.0);
        self.p99_ms.push(e.p99.as_secs_f64() * 1000.0);
        self.rss_mb.push(e.rss_peak_mb);
    }

    /// Records and prints a round that measured only the raw rate.
    pub fn push_raw(&mut self, round: usize, unit: &str, raw: f64) {
        println!("round {round}: raw {raw:>9.0} {unit}/s");
        self.raw.push(raw);
    }

    /// Prints the medians, and the end-to-end median as a share of the raw median.
    pub fn print_medians(self, unit: &str) {
        println!("---");
        let raw = median(self.raw);
        println!("median raw store rate : {raw:.0} {unit}/s");
        if self.e2e.is_empty() {
            return;
        }
        let e2e = median(self.e2e);
        println!(
            "median end-to-end     : {e2e:.0} {unit}/s = {:.0} % of raw",
            100.0 * e2e / raw
        );
        println!(
            "median latency        : p50 {:.2} ms, p99 {:.2} ms",
            median(self.p50_ms),
            median(self.p99_ms)
        );
        println!("median server peak RSS: {:.1} MB", median(self.rss_mb));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_and_median() {
        let v: Vec<_> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(quantile(&v, 0.5), Duration::from_millis(50));
        assert_eq!(quantile(&v, 0.99), Duration::from_millis(99));
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), 2.5);
    }
}
