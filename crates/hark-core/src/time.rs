//! Timestamps: parsing ISO 8601 input and the stored representation (UTC microseconds).

use chrono::{DateTime, NaiveDateTime, SecondsFormat, TimeZone, Utc};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

/// An instant, stored as microseconds since the Unix epoch (UTC). Serialises as RFC 3339.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(try_from = "String")]
pub struct Timestamp(i64);

impl Timestamp {
    /// The current time.
    pub fn now() -> Self {
        Self(Utc::now().timestamp_micros())
    }

    /// From microseconds since the epoch.
    pub fn from_micros(us: i64) -> Self {
        Self(us)
    }

    /// Microseconds since the epoch.
    pub fn as_micros(self) -> i64 {
        self.0
    }

    /// RFC 3339 in UTC with microseconds when they are not zero (`2026-03-15T10:30:00Z`).
    pub fn to_rfc3339(self) -> String {
        match Utc.timestamp_micros(self.0).single() {
            Some(dt) => dt.to_rfc3339_opts(SecondsFormat::AutoSi, true),
            None => self.0.to_string(),
        }
    }

    /// Parses ISO 8601 date-times as integrations send them: RFC 3339 (`Z` or `±hh:mm`),
    /// offsets without a colon (`+0200`), and date-times without an offset, taken as UTC.
    /// A bare date or an out-of-range value is refused.
    pub fn parse_iso8601(s: &str) -> Option<Self> {
        let s = s.trim();
        if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
            return Some(Self(dt.timestamp_micros()));
        }
        for fmt in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z"] {
            if let Ok(dt) = DateTime::parse_from_str(s, fmt) {
                return Some(Self(dt.timestamp_micros()));
            }
        }
        for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
            if let Ok(dt) = NaiveDateTime::parse_from_str(s, fmt) {
                return Some(Self(dt.and_utc().timestamp_micros()));
            }
        }
        None
    }
}

impl TryFrom<String> for Timestamp {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse_iso8601(&s).ok_or_else(|| format!("not an ISO 8601 date-time: {s}"))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

/// In OpenAPI: an RFC 3339 `date-time` string (how it serialises).
impl utoipa::PartialSchema for Timestamp {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
            .examples(["2026-03-15T10:30:00Z"])
            .into()
    }
}

impl utoipa::ToSchema for Timestamp {}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_offsets_to_the_same_instant() {
        let z = Timestamp::parse_iso8601("2026-03-15T10:30:00Z").unwrap();
        let plus = Timestamp::parse_iso8601("2026-03-15T12:30:00+02:00").unwrap();
        let nocolon = Timestamp::parse_iso8601("2026-03-15T12:30:00+0200").unwrap();
        let naive = Timestamp::parse_iso8601("2026-03-15T10:30:00").unwrap();
        let frac = Timestamp::parse_iso8601("2026-03-15T10:30:00.000Z").unwrap();
        assert_eq!(z, plus);
        assert_eq!(z, nocolon);
        assert_eq!(z, naive);
        assert_eq!(z, frac);
        assert_eq!(z.to_rfc3339(), "2026-03-15T10:30:00Z");
    }

    #[test]
    fn refuses_garbage() {
        for s in [
            "",
            "yesterday",
            "2026-13-01T00:00:00Z",
            "2026-03-15",
            "2026-03-15T25:00:00Z",
        ] {
            assert!(Timestamp::parse_iso8601(s).is_none(), "{s}");
        }
    }

    #[test]
    fn keeps_microseconds() {
        let t = Timestamp::parse_iso8601("2026-03-15T10:30:00.123456Z").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-03-15T10:30:00.123456Z");
    }
}
