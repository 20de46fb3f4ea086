//! Labelled CSV files for evaluation and training, recognised by their header:
//! - Mini-BAR (`data`, `score`, `problem_report`, `feature_request`, `irrelevant`): multi-label
//!   categories (problem_report → bug, feature_request, irrelevant → other) and star ratings;
//! - URR golden set (`reviewText`, `ratingStars`): star ratings;
//! - banking77 (`text`, `category`) and hark's own format (`text`, `category` with hark's
//!   category names): a label per row — hark categories when the names are hark's, otherwise
//!   free labels (intents, for theme evaluation).
//!
//! Files that are not valid UTF-8 are read lossily.
use hark_core::analysis::Category;
use std::path::{Path, PathBuf};

/// One labelled row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The feedback text.
    pub text: String,
    /// Gold categories (several for multi-label files); empty when the file has none.
    pub categories: Vec<Category>,
    /// Star rating 1–5, when the file has one.
    pub stars: Option<u8>,
    /// A free label (an intent) when the file's labels are not hark categories.
    pub label: Option<String>,
    /// The app the row is about (column `app`), when the file says: leave-one-app-out
    /// evaluations never train on the app they test.
    pub app: Option<String>,
}

/// Why a file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// Unreadable file.
    #[error("cannot read {path}: {source}", path = .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Not CSV or not a known header.
    #[error("{path}: {reason}", path = .path.display())]
    Format { path: PathBuf, reason: String },
}

/// Reads a labelled CSV file.
pub fn load(path: &Path) -> Result<Vec<Row>, DataError> {
    let bytes = std::fs::read(path).map_err(|source| DataError::Io {
        path: path.into(),
        source,
    })?;
    let text = String::from_utf8_lossy(&bytes);
    let format = |reason: String| DataError::Format {
        path: path.into(),
        reason,
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| format(e.to_string()))?
        .iter()
        .map(str::to_string)
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name);
    let text_col = col("data")
        .or_else(|| col("reviewText"))
        .or_else(|| col("text"));
    let Some(text_col) = text_col else {
        return Err(format(format!(
            "no text column (data, reviewText or text) in header {header:?}"
        )));
    };
    let stars_col = col("score").or_else(|| col("ratingStars"));
    let flags = [
        ("problem_report", Category::Bug),
        ("feature_request", Category::FeatureRequest),
        ("irrelevant", Category::Other),
    ]
    .map(|(name, c)| (col(name), c));
    let label_col = col("category");
    let app_col = col("app");
    let mut rows = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format(format!("row {}: {e}", n + 2)))?;
        let field = |i: usize| record.get(i).unwrap_or("").trim();
        let text = field(text_col).to_string();
        if text.is_empty() {
            continue;
        }
        let mut categories: Vec<Category> = flags
            .iter()
            .filter(|(i, _)| i.is_some_and(|i| field(i) == "1"))
            .map(|(_, c)| *c)
            .collect();
        let mut label = None;
        if let Some(i) = label_col {
            match field(i).parse::<Category>() {
                Ok(c) => categories.push(c),
                Err(_) if !field(i).is_empty() => label = Some(field(i).to_string()),
                Err(_) => {}
            }
        }
        let stars = stars_col
            .and_then(|i| field(i).parse::<u8>().ok())
            .filter(|s| (1..=5).contains(s));
        let app = app_col
            .map(|i| field(i).to_string())
            .filter(|a| !a.is_empty());
        rows.push(Row {
            text,
            categories,
            stars,
            label,
            app,
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(content: &[u8]) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().expect("temp file");
        std::io::Write::write_all(&mut f, content).expect("write");
        f
    }

    #[test]
    fn minibar_rows_map_flags_to_categories() {
        let f = write(b"data,score,thumbsUpCount,problem_report,feature_request,irrelevant\n\"It crashes, add dark mode\",2,0,1,1,0\nNice,5,0,0,0,1\n");
        let rows = load(f.path()).expect("loads");
        assert_eq!(
            rows[0].categories,
            [Category::Bug, Category::FeatureRequest]
        );
        assert_eq!(rows[0].stars, Some(2));
        assert_eq!(rows[1].categories, [Category::Other]);
        assert_eq!(rows[0].app, None);
    }

    #[test]
    fn the_app_column_is_kept() {
        let f = write(b"data,score,app\nGreat,5,Garmin Connect\nMeh,3,\n");
        let rows = load(f.path()).expect("loads");
        assert_eq!(rows[0].app.as_deref(), Some("Garmin Connect"));
        assert_eq!(rows[1].app, None);
    }

    #[test]
    fn hark_categories_and_free_labels_are_told_apart() {
        let f = write(b"text,category\nIt crashes,bug\nWhere is my card?,card_arrival\n");
        let rows = load(f.path()).expect("loads");
        assert_eq!(rows[0].categories, [Category::Bug]);
        assert_eq!(rows[1].label.as_deref(), Some("card_arrival"));
    }

    #[test]
    fn invalid_utf8_is_read_lossily_and_unknown_headers_are_refused() {
        let f = write(b"reviewText,ratingStars\ncaf\xe9 crashes,1\n");
        assert_eq!(load(f.path()).expect("loads")[0].stars, Some(1));
        let g = write(b"foo,bar\n1,2\n");
        assert!(matches!(load(g.path()), Err(DataError::Format { .. })));
    }
}
