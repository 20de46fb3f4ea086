//! `/feedback/export.csv` and `/feedback/export.jsonl`: the rows of `/feedback` with the same
//! filters, as a download. The body is a stream over store pages read one at a time, so an
//! export of any size holds one page in memory, never every row.

use super::scan::{fetch_page, Keep, Row};
use super::{keep, DEFAULT_RANGE};
use crate::auth::DashboardUser;
use crate::view::chips::sentiment_name;
use crate::view::filters::Filters;
use crate::{WebError, WebState};
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use futures_util::stream;
use hark_core::{ItemCursor, ItemFilter, ProjectId, Timestamp};

/// Items read from the store per step of the stream.
const EXPORT_PAGE: u32 = 200;

/// The columns, in order.
const COLUMNS: [&str; 12] = [
    "id",
    "unique_id",
    "source_id",
    "created_at",
    "author",
    "email",
    "user_id",
    "body",
    "category",
    "sentiment",
    "sentiment_score",
    "url",
];

/// The two download formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    JsonLines,
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::JsonLines => "jsonl",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::JsonLines => "application/x-ndjson; charset=utf-8",
        }
    }
}

/// GET `/feedback/export.csv`.
pub(crate) async fn csv(
    State(state): State<WebState>,
    user: DashboardUser,
    Query(f): Query<Filters>,
) -> Result<Response, WebError> {
    Ok(download(state, &user, &f, Format::Csv))
}

/// GET `/feedback/export.jsonl`.
pub(crate) async fn jsonl(
    State(state): State<WebState>,
    user: DashboardUser,
    Query(f): Query<Filters>,
) -> Result<Response, WebError> {
    Ok(download(state, &user, &f, Format::JsonLines))
}

/// Where the stream is: what it reads and how far it got.
struct Export {
    state: WebState,
    project: ProjectId,
    filter: ItemFilter,
    keep: Keep,
    format: Format,
    cursor: Option<ItemCursor>,
    header_written: bool,
    done: bool,
}

fn download(state: WebState, user: &DashboardUser, f: &Filters, format: Format) -> Response {
    let now = Timestamp::now();
    let export = Export {
        state,
        project: user.project().clone(),
        filter: f.item_filter(DEFAULT_RANGE, now),
        keep: keep(f),
        format,
        cursor: None,
        header_written: false,
        done: false,
    };
    let body = Body::from_stream(stream::unfold(export, next_chunk));
    let date: String = now.to_rfc3339().chars().take(10).collect();
    let disposition = format!(
        "attachment; filename=\"hark-feedback-{date}.{}\"",
        format.extension()
    );
    let mut response = body.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

/// The next non-empty chunk: store pages are read until one has kept rows (or the listing
/// ends). A store failure ends the download with an error, so the client sees a broken
/// transfer rather than a file that looks complete.
async fn next_chunk(mut e: Export) -> Option<(Result<Bytes, std::io::Error>, Export)> {
    if e.done {
        return None;
    }
    let mut out = Vec::new();
    if !e.header_written && e.format == Format::Csv {
        out.extend(csv_lines(None));
    }
    e.header_written = true;
    loop {
        let page = fetch_page(&e.state, &e.project, &e.filter, e.cursor, EXPORT_PAGE).await;
        let (rows, next) = match page {
            Ok(p) => p,
            Err(err) => {
                tracing::error!(error = %err, "feedback export failed");
                e.done = true;
                return Some((Err(std::io::Error::other("the export failed")), e));
            }
        };
        for row in rows.iter().filter(|r| e.keep.matches(r.analysis.as_ref())) {
            match e.format {
                Format::Csv => out.extend(csv_lines(Some(row))),
                Format::JsonLines => out.extend(json_line(row)),
            }
        }
        e.cursor = next;
        e.done = next.is_none();
        if e.done || !out.is_empty() {
            break;
        }
    }
    if out.is_empty() {
        return None;
    }
    Some((Ok(Bytes::from(out)), e))
}

/// A row's values in [`COLUMNS`] order; `None` for what the item lacks.
fn values(row: &Row) -> [Option<String>; 12] {
    let i = &row.item;
    let a = row.analysis.as_ref();
    [
        Some(i.id.0.to_string()),
        Some(i.unique_id.clone()),
        Some(i.source_id.to_string()),
        Some(i.created_at.to_rfc3339()),
        i.author.clone(),
        i.email.clone(),
        i.user_id.clone(),
        i.body.clone(),
        a.map(|a| a.category.as_str().to_string()),
        a.map(|a| sentiment_name(a.sentiment.label).to_string()),
        a.map(|a| format!("{:.3}", a.sentiment.score)),
        i.url.clone(),
    ]
}

/// Columns whose text comes from the sender (the others are ids, times and names hark writes).
const SENDER_TEXT: [bool; 12] = [
    false, true, false, false, true, true, true, true, false, false, false, true,
];

/// Guards a cell against formula injection: spreadsheet programs run a cell that starts with
/// `=`, `+`, `-` or `@` (and, in some, a tab or carriage return) as a formula, so such text
/// from a sender gets a leading single quote, which they show as text. Only the CSV is
/// guarded; the JSON Lines export keeps every value exact.
fn defuse(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// The CSV header (`None`) or one row, quoted by the `csv` crate.
fn csv_lines(row: Option<&Row>) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let written = match row {
        None => w.write_record(COLUMNS),
        Some(row) => {
            let cells: Vec<String> = values(row)
                .iter()
                .zip(SENDER_TEXT)
                .map(|(v, sender)| match (v, sender) {
                    (Some(v), true) => defuse(v).into_owned(),
                    (Some(v), false) => v.clone(),
                    (None, _) => String::new(),
                })
                .collect();
            w.write_record(&cells)
        }
    };
    // Writing to memory does not fail; an error would only lose this row.
    if let Err(e) = written {
        tracing::error!(error = %e, "a CSV row could not be written");
    }
    w.into_inner().unwrap_or_default()
}

/// One JSON object and a newline.
fn json_line(row: &Row) -> Vec<u8> {
    let mut map = serde_json::Map::new();
    for (k, v) in COLUMNS.iter().zip(values(row)) {
        let value = match (*k, v) {
            ("id", _) => serde_json::Value::from(row.item.id.0),
            ("sentiment_score", _) => row.analysis.as_ref().map_or(serde_json::Value::Null, |a| {
                serde_json::Value::from(f64::from(a.sentiment.score))
            }),
            (_, Some(s)) => serde_json::Value::String(s),
            (_, None) => serde_json::Value::Null,
        };
        map.insert((*k).to_string(), value);
    }
    let mut line = serde_json::Value::Object(map).to_string().into_bytes();
    line.push(b'\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use hark_core::{ItemId, SourceId, StoredItem};

    fn row(body: &str, author: Option<&str>) -> Row {
        Row {
            item: StoredItem {
                id: ItemId(7),
                source_id: SourceId::new("src_1"),
                unique_id: "=HYPERLINK(\"x\")".into(),
                body: Some(body.into()),
                author: author.map(str::to_string),
                email: None,
                user_id: None,
                url: None,
                created_at: Timestamp::from_micros(0),
                received_at: Timestamp::from_micros(0),
                updated_at: Timestamp::from_micros(0),
                parts_count: 0,
                conversation_parts: None,
            },
            analysis: None,
        }
    }

    #[test]
    fn formula_cells_are_defused_and_others_kept() {
        for bad in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(defuse(bad), format!("'{bad}"));
        }
        for ok in ["", "hello", "1-1", " =x", "'quoted"] {
            assert_eq!(defuse(ok), ok);
        }
    }

    #[test]
    fn csv_rows_are_quoted_and_defused() {
        let header = String::from_utf8(csv_lines(None)).expect("utf-8");
        assert_eq!(header, format!("{}\n", COLUMNS.join(",")));
        let line = String::from_utf8(csv_lines(Some(&row(
            "a \"quoted\", multi\nline body",
            Some("-Eve"),
        ))))
        .expect("utf-8");
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(line.as_bytes());
        let rec = r.records().next().expect("a row").expect("parses");
        assert_eq!(&rec[0], "7");
        assert_eq!(&rec[1], "'=HYPERLINK(\"x\")");
        assert_eq!(&rec[3], "1970-01-01T00:00:00Z");
        assert_eq!(&rec[4], "'-Eve");
        assert_eq!(&rec[7], "a \"quoted\", multi\nline body");
        assert_eq!(&rec[8], "", "not analysed: empty");
    }

    #[test]
    fn json_lines_keep_values_exact() {
        let line = json_line(&row("=1+1 <b>", None));
        assert_eq!(line.last(), Some(&b'\n'));
        let v: serde_json::Value = serde_json::from_slice(&line).expect("json");
        assert_eq!(v["id"], 7);
        assert_eq!(v["body"], "=1+1 <b>");
        assert_eq!(v["unique_id"], "=HYPERLINK(\"x\")");
        assert_eq!(v["author"], serde_json::Value::Null);
        assert_eq!(v["category"], serde_json::Value::Null);
    }
}
