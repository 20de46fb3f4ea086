//! How `hark import-csv` reads a CSV file: which column feeds which field of an ingest item
//! (matched by header name, case-insensitively), and each row turned into the JSON item the
//! ingest API would receive, so that `hark_core`'s ingest validation judges it by exactly the
//! API's rules.
//!
//! A row becomes one item in the shape of the contract's simple-feedback example: the text is
//! the item's `body`, the other columns its `author`, `email`, `user_id`, `url` and
//! `created_at`, and it has no conversation parts. An empty cell is an absent field.

use crate::cli::CsvColumns;
use csv::ByteRecord;
use serde_json::{Map, Value};

/// Why a header cannot be imported; the message is for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderProblem(pub String);

/// The item fields a column can feed, with the header name looked for by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Body,
    Author,
    Email,
    UserId,
    Url,
    CreatedAt,
    UniqueId,
}

impl Field {
    /// The field's name in the ingest contract.
    fn wire_name(self) -> &'static str {
        match self {
            Self::Body => "body",
            Self::Author => "author",
            Self::Email => "email",
            Self::UserId => "user_id",
            Self::Url => "url",
            Self::CreatedAt => "created_at",
            Self::UniqueId => "unique_id",
        }
    }
}

/// One mapped column: its position, its name as the header spells it, the field it feeds.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Mapped {
    index: usize,
    header: String,
    field: Field,
}

/// Which columns of a file feed which item fields; the text column is always mapped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMap {
    columns: Vec<Mapped>,
    /// Header names that feed nothing, in file order.
    ignored: Vec<String>,
    /// Fields expected in each row (the header's width).
    width: usize,
}

/// What a row holds once read.
#[derive(Debug, Clone, PartialEq)]
pub enum RowItem {
    /// The text cell is empty or blank: nothing to analyse, the row is skipped.
    Empty,
    /// The item as the ingest API would receive it (`unique_id` always set).
    Item(Value),
}

impl ColumnMap {
    /// Maps `header` by the names in `names`. The text column must exist; an optional column
    /// named on the command line must exist too, one left at its default may be absent.
    pub fn new(header: &[String], names: &CsvColumns) -> Result<Self, HeaderProblem> {
        if header.iter().all(|h| h.trim().is_empty()) {
            return Err(HeaderProblem(
                "no header row: the first line must name the columns (e.g. text,author,created_at)"
                    .into(),
            ));
        }
        let wanted: [(Field, &str, bool); 7] = [
            (Field::Body, &names.text_column, true),
            (
                Field::Author,
                opt(&names.author_column, "author"),
                names.author_column.is_some(),
            ),
            (
                Field::Email,
                opt(&names.email_column, "email"),
                names.email_column.is_some(),
            ),
            (
                Field::UserId,
                opt(&names.user_column, "user"),
                names.user_column.is_some(),
            ),
            (
                Field::Url,
                opt(&names.url_column, "url"),
                names.url_column.is_some(),
            ),
            (
                Field::CreatedAt,
                opt(&names.created_at_column, "created_at"),
                names.created_at_column.is_some(),
            ),
            (
                Field::UniqueId,
                opt(&names.unique_id_column, "unique_id"),
                names.unique_id_column.is_some(),
            ),
        ];
        let mut columns: Vec<Mapped> = Vec::new();
        for (field, name, required) in wanted {
            let matches: Vec<usize> = (0..header.len())
                .filter(|&i| same_name(&header[i], name))
                .collect();
            match matches.as_slice() {
                [] if required => return Err(HeaderProblem(missing_column(field, name, header))),
                [] => {}
                [index] => {
                    if let Some(other) = columns.iter().find(|c| c.index == *index) {
                        return Err(HeaderProblem(format!(
                            "column {:?} cannot feed both {} and {}",
                            header[*index],
                            other.field.wire_name(),
                            field.wire_name()
                        )));
                    }
                    columns.push(Mapped {
                        index: *index,
                        header: header[*index].trim().to_string(),
                        field,
                    });
                }
                _ => {
                    return Err(HeaderProblem(format!(
                    "the header has {} columns named {name:?}: which one holds the {} is ambiguous",
                    matches.len(),
                    field.wire_name()
                )))
                }
            }
        }
        let ignored = header
            .iter()
            .enumerate()
            .filter(|(i, _)| !columns.iter().any(|c| c.index == *i))
            .map(|(_, h)| h.trim().to_string())
            .collect();
        Ok(Self {
            columns,
            ignored,
            width: header.len(),
        })
    }

    /// Header names that feed no field.
    pub fn ignored(&self) -> &[String] {
        &self.ignored
    }

    /// Fields per row the header announces.
    pub fn width(&self) -> usize {
        self.width
    }

    /// The header name of the column that feeds the contract field `wire_name`, if any.
    pub fn column_of(&self, wire_name: &str) -> Option<&str> {
        self.columns
            .iter()
            .find(|c| c.field.wire_name() == wire_name)
            .map(|c| c.header.as_str())
    }

    /// The ingest item of one row. Cells are decoded as UTF-8, invalid bytes replaced by
    /// U+FFFD; `derived_id` is the `unique_id` used when the file has none for the row.
    pub fn item(&self, record: &ByteRecord, derived_id: &str) -> RowItem {
        let mut item = Map::new();
        for c in &self.columns {
            let Some(value) = record.get(c.index).map(String::from_utf8_lossy) else {
                continue;
            };
            // CSV has no null: a blank cell is a field left out.
            if value.trim().is_empty() {
                continue;
            }
            item.insert(
                c.field.wire_name().into(),
                Value::String(value.into_owned()),
            );
        }
        if !item.contains_key(Field::Body.wire_name()) {
            return RowItem::Empty;
        }
        item.entry(Field::UniqueId.wire_name())
            .or_insert_with(|| Value::String(derived_id.to_string()));
        RowItem::Item(Value::Object(item))
    }
}

/// Whether a row has bytes that are not UTF-8 (they are imported as U+FFFD).
pub fn has_invalid_utf8(record: &ByteRecord) -> bool {
    record.iter().any(|f| std::str::from_utf8(f).is_err())
}

/// The header's names, decoded lossily, a leading byte-order mark removed.
pub fn header_names(record: &ByteRecord) -> Vec<String> {
    record
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let name = String::from_utf8_lossy(f);
            if i == 0 {
                name.trim_start_matches('\u{feff}').to_string()
            } else {
                name.into_owned()
            }
        })
        .collect()
}

fn opt<'a>(name: &'a Option<String>, default: &'a str) -> &'a str {
    name.as_deref().unwrap_or(default)
}

/// Header names match ignoring case and surrounding spaces.
fn same_name(header: &str, name: &str) -> bool {
    header.trim().to_lowercase() == name.trim().to_lowercase()
}

/// Columns listed in a "no such column" message; a file that is not CSV can have a header of
/// any shape.
const LISTED_COLUMNS: usize = 20;

fn missing_column(field: Field, name: &str, header: &[String]) -> String {
    let mut found: Vec<String> = header
        .iter()
        .take(LISTED_COLUMNS)
        .map(|h| h.trim().chars().take(40).collect())
        .collect();
    if header.len() > LISTED_COLUMNS {
        found.push(format!("… ({} in all)", header.len()));
    }
    let (what, hint) = match field {
        Field::Body => (
            "feedback text",
            "name the column holding the feedback with --text-column NAME",
        ),
        _ => (
            field.wire_name(),
            "check the name given on the command line",
        ),
    };
    format!(
        "no column {name:?} for the {what} in the header (columns: {}); {hint}",
        found.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names() -> CsvColumns {
        CsvColumns {
            text_column: "text".into(),
            author_column: None,
            email_column: None,
            user_column: None,
            url_column: None,
            created_at_column: None,
            unique_id_column: None,
        }
    }

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn default_names_match_case_insensitively_and_the_rest_is_ignored() {
        let map = ColumnMap::new(&header(&["Text", " AUTHOR ", "score", "url"]), &names())
            .expect("valid header");
        assert_eq!(map.ignored(), ["score"]);
        assert_eq!(map.column_of("author"), Some("AUTHOR"));
        assert_eq!(map.column_of("unique_id"), None);
        let row = ByteRecord::from(vec!["Slow sync", "Ann", "2", ""]);
        assert_eq!(
            map.item(&row, "f.csv#1"),
            RowItem::Item(json!({"unique_id": "f.csv#1", "body": "Slow sync", "author": "Ann"}))
        );
    }

    #[test]
    fn renamed_columns_feed_their_fields() {
        let mut n = names();
        n.text_column = "reviewText".into();
        n.created_at_column = Some("date".into());
        n.unique_id_column = Some("_id".into());
        let map = ColumnMap::new(&header(&["_id", "reviewtext", "DATE"]), &n).expect("valid");
        let row = ByteRecord::from(vec!["r1", "ok", "2026-03-15T10:30:00Z"]);
        assert_eq!(
            map.item(&row, "ignored"),
            RowItem::Item(
                json!({"unique_id": "r1", "body": "ok", "created_at": "2026-03-15T10:30:00Z"})
            )
        );
        let blank_id = ByteRecord::from(vec!["", "ok", ""]);
        assert_eq!(
            map.item(&blank_id, "f.csv#2"),
            RowItem::Item(json!({"unique_id": "f.csv#2", "body": "ok"}))
        );
    }

    #[test]
    fn blank_text_is_an_empty_row() {
        let map = ColumnMap::new(&header(&["text", "author"]), &names()).expect("valid");
        for cells in [vec!["", "Ann"], vec!["  \n", "Ann"], vec![]] {
            assert_eq!(map.item(&ByteRecord::from(cells), "x"), RowItem::Empty);
        }
    }

    #[test]
    fn a_missing_text_column_names_the_columns_and_the_flag() {
        let err = ColumnMap::new(&header(&["data", "score"]), &names()).expect_err("no text");
        assert!(err.0.contains("\"text\""), "{}", err.0);
        assert!(err.0.contains("data, score"), "{}", err.0);
        assert!(err.0.contains("--text-column"), "{}", err.0);
        assert!(ColumnMap::new(&header(&[""]), &names()).is_err());
    }

    #[test]
    fn a_named_optional_column_must_exist_and_names_must_be_unambiguous() {
        let mut n = names();
        n.url_column = Some("link".into());
        assert!(ColumnMap::new(&header(&["text"]), &n).is_err());
        assert!(ColumnMap::new(&header(&["text", "TEXT"]), &names()).is_err());
        let mut both = names();
        both.author_column = Some("text".into());
        assert!(ColumnMap::new(&header(&["text"]), &both).is_err());
    }

    #[test]
    fn cells_are_decoded_lossily_and_the_bom_is_dropped() {
        let head = header_names(&ByteRecord::from(vec!["\u{feff}text", "author"]));
        assert_eq!(head, ["text", "author"]);
        let map = ColumnMap::new(&head, &names()).expect("valid");
        let row = ByteRecord::from(vec![&b"caf\xe9"[..], &b"Zo\xc3\xab"[..]]);
        assert!(has_invalid_utf8(&row));
        assert_eq!(
            map.item(&row, "x"),
            RowItem::Item(json!({"unique_id": "x", "body": "caf\u{fffd}", "author": "Zoë"}))
        );
    }
}
