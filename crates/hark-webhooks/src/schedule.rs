//! When a failed delivery is tried again, and when an endpoint is given up on.
//!
//! The default schedule waits 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h between attempts
//! (eight attempts over about 28 hours), each wait moved by a random ±[`JITTER`] so that
//! endpoints that failed together do not all retry in the same second. An endpoint whose
//! deliveries have failed for [`DISABLE_AFTER`] without a success in between is disabled.

use hark_core::Timestamp;
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;

/// The largest fraction by which a wait is lengthened or shortened at random.
pub const JITTER: f64 = 0.2;

/// How long an endpoint may fail without a single success before it is disabled: 5 days.
pub const DISABLE_AFTER: Duration = Duration::from_secs(5 * 24 * 60 * 60);

/// Whether an endpoint failing since `failing_since` (its first failure after its last
/// success) has failed long enough at `now` to be disabled.
pub fn should_disable(failing_since: Timestamp, now: Timestamp) -> bool {
    let failing_for = now.as_micros().saturating_sub(failing_since.as_micros());
    i128::from(failing_for) >= DISABLE_AFTER.as_micros() as i128
}

/// A delay text that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("retry delay {text:?}: {problem}; write a number with ms, s, m, h or d (\"5s\", \"30m\")")]
pub struct ScheduleError {
    /// The entry as written.
    pub text: String,
    /// What is wrong with it.
    pub problem: &'static str,
}

/// The waits between attempts: after attempt `n` fails, wait `delays[n-1]` (with jitter);
/// after the last one, stop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<DelaySpec>", into = "Vec<String>")]
pub struct RetrySchedule {
    delays: Vec<Duration>,
}

impl Default for RetrySchedule {
    fn default() -> Self {
        const MIN: u64 = 60;
        const HOUR: u64 = 60 * MIN;
        Self::new(
            [
                5,
                5 * MIN,
                30 * MIN,
                2 * HOUR,
                5 * HOUR,
                10 * HOUR,
                10 * HOUR,
            ]
            .into_iter()
            .map(Duration::from_secs)
            .collect(),
        )
    }
}

impl RetrySchedule {
    /// A schedule with these waits (may be empty: a single attempt, no retries).
    pub fn new(delays: Vec<Duration>) -> Self {
        Self { delays }
    }

    /// Waits given in milliseconds, for tests that must finish in seconds.
    pub fn from_millis(millis: &[u64]) -> Self {
        Self::new(millis.iter().copied().map(Duration::from_millis).collect())
    }

    /// Parses entries such as `"250ms"`, `"5s"`, `"5m"`, `"2h"`, `"1d"`; a bare number is
    /// milliseconds. Every entry must parse.
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<Self, ScheduleError> {
        entries
            .iter()
            .map(|e| parse_delay(e.as_ref()))
            .collect::<Result<Vec<_>, _>>()
            .map(Self::new)
    }

    /// The waits, without jitter.
    pub fn delays(&self) -> &[Duration] {
        &self.delays
    }

    /// How many attempts a message gets in all: the first plus one per wait.
    pub fn max_attempts(&self) -> u32 {
        u32::try_from(self.delays.len())
            .unwrap_or(u32::MAX)
            .saturating_add(1)
    }

    /// The wait after attempt `attempt_number` (1 = the first attempt) failed, without
    /// jitter; `None` when that was the last attempt. Attempt 0 is read as 1.
    pub fn base_delay_after(&self, attempt_number: u32) -> Option<Duration> {
        let index = usize::try_from(attempt_number.max(1) - 1).ok()?;
        self.delays.get(index).copied()
    }

    /// The wait after attempt `attempt_number` failed, moved by a random ±[`JITTER`];
    /// `None` when no retry is left.
    pub fn delay_after(&self, attempt_number: u32) -> Option<Duration> {
        self.delay_after_with(attempt_number, &mut rand::thread_rng())
    }

    /// [`RetrySchedule::delay_after`] with the caller's random source (for tests).
    pub fn delay_after_with<R: Rng + ?Sized>(
        &self,
        attempt_number: u32,
        rng: &mut R,
    ) -> Option<Duration> {
        let base = self.base_delay_after(attempt_number)?;
        let factor = 1.0 + rng.gen_range(-JITTER..=JITTER);
        // Finite, non-negative and at most 1.2 × a Duration: mul_f64 cannot overflow here
        // except for absurd configured waits, which saturate instead.
        Some(Duration::try_from_secs_f64(base.as_secs_f64() * factor).unwrap_or(Duration::MAX))
    }
}

/// One configured wait: text (`"5m"`) or a number of milliseconds.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum DelaySpec {
    Millis(u64),
    Text(String),
}

impl TryFrom<Vec<DelaySpec>> for RetrySchedule {
    type Error = ScheduleError;

    fn try_from(specs: Vec<DelaySpec>) -> Result<Self, Self::Error> {
        specs
            .into_iter()
            .map(|spec| match spec {
                DelaySpec::Millis(ms) => Ok(Duration::from_millis(ms)),
                DelaySpec::Text(text) => parse_delay(&text),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self::new)
    }
}

impl From<RetrySchedule> for Vec<String> {
    fn from(schedule: RetrySchedule) -> Self {
        schedule.delays.iter().map(|d| format_delay(*d)).collect()
    }
}

impl fmt::Display for RetrySchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let texts: Vec<String> = self.clone().into();
        f.write_str(&texts.join(", "))
    }
}

/// Parses one wait: digits then a unit (`ms`, `s`, `m`, `h`, `d`), or digits alone (ms).
fn parse_delay(text: &str) -> Result<Duration, ScheduleError> {
    let fail = |problem| ScheduleError {
        text: text.to_string(),
        problem,
    };
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(trimmed.len());
    let (digits, unit) = trimmed.split_at(split);
    if digits.is_empty() {
        return Err(fail("no number"));
    }
    let n: u64 = digits.parse().map_err(|_| fail("number too large"))?;
    let millis_per_unit: u64 = match unit.trim() {
        "" | "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return Err(fail("unknown unit")),
    };
    n.checked_mul(millis_per_unit)
        .map(Duration::from_millis)
        .ok_or_else(|| fail("number too large"))
}

/// The shortest exact text for a wait (`"5m"` rather than `"300s"`).
fn format_delay(delay: Duration) -> String {
    let ms = delay.as_millis();
    for (unit, size) in [
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1_000),
    ] {
        if ms >= size && ms.is_multiple_of(size) {
            return format!("{}{unit}", ms / size);
        }
    }
    format!("{ms}ms")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn default_is_the_documented_schedule() {
        let s = RetrySchedule::default();
        assert_eq!(
            s.delays(),
            &[
                secs(5),
                secs(300),
                secs(1800),
                secs(7200),
                secs(18000),
                secs(36000),
                secs(36000)
            ]
        );
        assert_eq!(s.max_attempts(), 8);
        assert_eq!(s.to_string(), "5s, 5m, 30m, 2h, 5h, 10h, 10h");
    }

    #[test]
    fn base_delays_follow_attempt_numbers_and_end() {
        let s = RetrySchedule::default();
        assert_eq!(s.base_delay_after(0), Some(secs(5)));
        assert_eq!(s.base_delay_after(1), Some(secs(5)));
        assert_eq!(s.base_delay_after(2), Some(secs(300)));
        assert_eq!(s.base_delay_after(7), Some(secs(36000)));
        assert_eq!(s.base_delay_after(8), None);
        assert_eq!(s.base_delay_after(u32::MAX), None);
        assert_eq!(RetrySchedule::new(vec![]).delay_after(1), None);
    }

    #[test]
    fn jitter_stays_within_bounds_and_varies() {
        let s = RetrySchedule::default();
        let mut rng = StdRng::seed_from_u64(7);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..1000 {
            let d = s
                .delay_after_with(3, &mut rng)
                .expect("attempt 3 has a retry");
            assert!(d >= secs(1440) && d <= secs(2160), "{d:?}");
            seen.insert(d.as_millis());
        }
        assert!(seen.len() > 100, "jitter should spread the waits");
        assert!(s
            .delay_after(1)
            .is_some_and(|d| d >= secs(4) && d <= secs(6)));
    }

    #[test]
    fn huge_waits_saturate_instead_of_panicking() {
        let s = RetrySchedule::new(vec![Duration::MAX]);
        let mut rng = StdRng::seed_from_u64(1);
        for _ in 0..100 {
            assert!(s.delay_after_with(1, &mut rng).is_some());
        }
    }

    #[test]
    fn parses_units_and_bare_milliseconds() {
        let s = RetrySchedule::parse(&["5s", "5m", "30m", "2h", "1d", "250ms", "40", " 3 s "])
            .expect("valid entries");
        assert_eq!(
            s.delays(),
            &[
                secs(5),
                secs(300),
                secs(1800),
                secs(7200),
                secs(86400),
                Duration::from_millis(250),
                Duration::from_millis(40),
                secs(3)
            ]
        );
        assert_eq!(
            RetrySchedule::from_millis(&[10, 20]).delays(),
            &[Duration::from_millis(10), Duration::from_millis(20)]
        );
    }

    #[test]
    fn refuses_bad_entries_naming_them() {
        for (text, problem) in [
            ("", "no number"),
            ("s", "no number"),
            ("-5s", "no number"),
            ("5 weeks", "unknown unit"),
            ("1.5h", "unknown unit"),
            ("99999999999999999999s", "number too large"),
            ("18446744073709551615d", "number too large"),
        ] {
            let err = RetrySchedule::parse(&["5s", text]).expect_err(text);
            assert_eq!(err.text, text);
            assert_eq!(err.problem, problem, "{text}");
        }
        let err = RetrySchedule::parse(&["5x"]).expect_err("unit");
        assert!(err.to_string().contains("\"5x\""), "{err}");
    }

    #[test]
    fn deserialises_text_or_milliseconds_and_round_trips() {
        let s: RetrySchedule =
            serde_json::from_str(r#"["5s", 250, "30m"]"#).expect("mixed entries");
        assert_eq!(
            s.delays(),
            &[secs(5), Duration::from_millis(250), secs(1800)]
        );
        let json = serde_json::to_string(&s).expect("serialises");
        assert_eq!(json, r#"["5s","250ms","30m"]"#);
        assert_eq!(serde_json::from_str::<RetrySchedule>(&json).ok(), Some(s));
        assert!(serde_json::from_str::<RetrySchedule>(r#"["soon"]"#).is_err());
        assert!(serde_json::from_str::<RetrySchedule>(r#"[-1]"#).is_err());
    }

    #[test]
    fn disables_after_five_days_of_failures() {
        let day = 24 * 3600 * 1_000_000i64;
        let since = Timestamp::from_micros(1_700_000_000_000_000);
        let at = |micros: i64| Timestamp::from_micros(since.as_micros() + micros);
        assert!(!should_disable(since, since));
        assert!(!should_disable(since, at(5 * day - 1)));
        assert!(should_disable(since, at(5 * day)));
        assert!(should_disable(since, at(30 * day)));
        // A clock that went backwards never disables.
        assert!(!should_disable(since, at(-day)));
        assert!(!should_disable(
            Timestamp::from_micros(i64::MAX),
            Timestamp::from_micros(i64::MIN)
        ));
        assert!(should_disable(
            Timestamp::from_micros(i64::MIN),
            Timestamp::from_micros(i64::MAX)
        ));
    }
}
