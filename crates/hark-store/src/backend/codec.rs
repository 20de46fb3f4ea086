//! How values are stored by every backend: vectors as little-endian `f32` blobs, categories by
//! wire names, string lists as JSON. Anything that does not decode is `Corrupt`, never a panic.

use crate::StoreError;
use hark_core::analysis::Category;

/// A vector as little-endian `f32` bytes.
pub fn encode_vector(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// A vector back from [`encode_vector`]'s bytes.
pub fn decode_vector(bytes: &[u8]) -> Result<Vec<f32>, StoreError> {
    if !bytes.len().is_multiple_of(4) {
        return Err(StoreError::Corrupt("vector blob"));
    }
    Ok(bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect())
}

/// A stored category name.
pub fn parse_category(s: &str) -> Result<Category, StoreError> {
    s.parse().map_err(|_| StoreError::Corrupt("category"))
}

/// A string list as a JSON array.
pub fn encode_strings(v: &[String]) -> Result<String, StoreError> {
    // Serialising strings cannot fail; mapped rather than unwrapped all the same.
    serde_json::to_string(v).map_err(|_| StoreError::Corrupt("string list"))
}

/// A string list back from [`encode_strings`].
pub fn decode_strings(s: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(s).map_err(|_| StoreError::Corrupt("string list"))
}

/// A message's cited sources as JSON, or `None` for none (a re-recorded message keeps the
/// sources it had when none are sent).
pub fn encode_sources(
    sources: &[hark_core::chat::CitedSource],
) -> Result<Option<String>, StoreError> {
    if sources.is_empty() {
        return Ok(None);
    }
    // Serialising plain strings cannot fail; mapped rather than unwrapped all the same.
    serde_json::to_string(sources)
        .map(Some)
        .map_err(|_| StoreError::Corrupt("message sources"))
}

/// A stored example origin, as the `'static` name the domain type carries.
pub fn parse_origin(s: &str) -> Result<&'static str, StoreError> {
    match s {
        "correction" => Ok("correction"),
        "import" => Ok("import"),
        _ => Err(StoreError::Corrupt("example origin")),
    }
}

/// The stored quotes (a JSON list) without those taken from `texts`, or `None` when nothing
/// changes. A quote goes when it and a text contain one another (a quote may be cut short, with
/// or without an ellipsis); quotes that do not decode are dropped, erasure must not fail on
/// them. Both backends' erasure and deletion use it.
pub fn quotes_without<S: AsRef<str>>(
    stored: &str,
    texts: &[S],
) -> Result<Option<String>, StoreError> {
    let Ok(quotes) = decode_strings(stored) else {
        return encode_strings(&[]).map(Some);
    };
    let before = quotes.len();
    let kept: Vec<String> = quotes
        .into_iter()
        .filter(|q| {
            let core = q
                .trim()
                .trim_end_matches('…')
                .trim_end_matches("...")
                .trim();
            core.is_empty()
                || !texts
                    .iter()
                    .map(AsRef::as_ref)
                    .any(|t| t.contains(core) || core.contains(t))
        })
        .collect();
    if kept.len() == before {
        return Ok(None);
    }
    encode_strings(&kept).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_round_trip_and_odd_lengths_are_corrupt() {
        let v = vec![0.5, -1.0, f32::MIN_POSITIVE, 3.25];
        assert_eq!(decode_vector(&encode_vector(&v)).unwrap(), v);
        assert_eq!(encode_vector(&[1.0]), 1.0f32.to_le_bytes().to_vec());
        assert!(decode_vector(&[0, 0, 0]).is_err());
        assert!(decode_vector(&[]).unwrap().is_empty());
    }

    #[test]
    fn unknown_names_are_corrupt() {
        assert_eq!(parse_category("bug").unwrap(), Category::Bug);
        assert!(parse_category("nope").is_err());
        assert!(parse_origin("other").is_err());
        assert!(decode_strings("{").is_err());
    }

    #[test]
    fn quotes_taken_from_the_texts_go() {
        let texts = vec!["jane hates the export".to_string()];
        let stored = r#"["jane hates the export","keep this one","jane hates…"]"#;
        assert_eq!(
            quotes_without(stored, &texts).unwrap().as_deref(),
            Some(r#"["keep this one"]"#)
        );
        assert_eq!(quotes_without(r#"["keep"]"#, &texts).unwrap(), None);
        assert_eq!(quotes_without("{", &texts).unwrap().as_deref(), Some("[]"));
    }
}
