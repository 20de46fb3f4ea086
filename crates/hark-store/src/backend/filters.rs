//! What the analysis filters of an item listing mean in stored values, for both backends'
//! SQL: the range of `subject_analysis.sentiment` each [`SentimentLabel`] covers. The bounds
//! are those of [`Sentiment::from_score`], so a filter finds exactly the items whose read-back
//! label is the one asked for.

use hark_core::analysis::{Sentiment, SentimentLabel};

/// The stored scores (`f64`s widened from `f32`s) of one label. The band edge is widened the
/// same way, so comparing in `f64` orders exactly as `from_score` does in `f32`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ScoreBand {
    /// `score < bound`.
    Below(f64),
    /// `low <= score AND score <= high`.
    Within(f64, f64),
    /// `score > bound`.
    Above(f64),
}

impl ScoreBand {
    /// The band of `label`.
    pub fn of(label: SentimentLabel) -> Self {
        let band = f64::from(Sentiment::NEUTRAL_BAND);
        match label {
            SentimentLabel::Negative => ScoreBand::Below(-band),
            SentimentLabel::Neutral => ScoreBand::Within(-band, band),
            SentimentLabel::Positive => ScoreBand::Above(band),
        }
    }

    /// Whether a stored score is in the band (what the SQL computes).
    pub fn contains(self, score: f64) -> bool {
        match self {
            ScoreBand::Below(b) => score < b,
            ScoreBand::Within(lo, hi) => lo <= score && score <= hi,
            ScoreBand::Above(b) => score > b,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The next `f32` above (`up`) or below `x`.
    fn step(x: f32, up: bool) -> f32 {
        let bits = x.to_bits();
        let toward_zero = (x > 0.0) != up;
        f32::from_bits(if toward_zero { bits - 1 } else { bits + 1 })
    }

    #[test]
    fn bands_draw_the_labels_of_from_score() {
        let band = Sentiment::NEUTRAL_BAND;
        let mut scores = vec![-1.0, -0.5, 0.0, -0.0, 0.5, 1.0];
        for edge in [band, -band] {
            scores.extend([edge, step(edge, true), step(edge, false)]);
        }
        for score in scores {
            let label = Sentiment::from_score(score).label;
            for other in SentimentLabel::ALL {
                assert_eq!(
                    ScoreBand::of(other).contains(f64::from(score)),
                    other == label,
                    "{score} as {other}"
                );
            }
        }
    }
}
