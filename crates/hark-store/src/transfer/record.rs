//! The records of an export stream, to and from their JSON lines: the header, the rows and the
//! end record (see [`crate::transfer`] for the format).

use super::tables::{Column, Kind, Table, ADDED_TABLES, TABLES};
use crate::StoreError;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use hark_core::ProjectId;
use serde_json::{json, Map, Value};

/// The export format version this hark writes and reads (`hark_export` of the header).
pub const FORMAT_VERSION: u64 = 1;

/// One value of a row, typed by its column's [`Kind`].
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// SQL NULL.
    Null,
    /// An integer.
    Int(i64),
    /// A float.
    Real(f64),
    /// Text.
    Text(String),
    /// A boolean.
    Bool(bool),
    /// Bytes.
    Bytes(Vec<u8>),
}

/// A parsed line of an export stream.
#[derive(Debug)]
pub enum Record {
    /// The first line: the project.
    Header(ProjectId),
    /// A row of `TABLES[table]`, one cell per column in table order.
    Row { table: usize, cells: Vec<Cell> },
    /// The last line: how many rows of each table (in table order) came before it.
    End(Vec<u64>),
}

/// Writing a JSON value into a `Vec` cannot fail; mapped rather than unwrapped all the same.
fn json_error(e: serde_json::Error) -> StoreError {
    StoreError::Stream(e.into())
}

/// The header line (with its newline).
pub fn header_line(project: &ProjectId) -> Result<Vec<u8>, StoreError> {
    let schema: Map<String, Value> = TABLES
        .iter()
        .map(|t| {
            let columns: Vec<&str> = t.columns.iter().map(|c| c.name).collect();
            (t.name.to_string(), json!(columns))
        })
        .collect();
    let header = json!({
        "hark_export": FORMAT_VERSION,
        "project": project.as_str(),
        "schema": schema,
    });
    let mut line = serde_json::to_vec(&header).map_err(json_error)?;
    line.push(b'\n');
    Ok(line)
}

/// The end line (with its newline): the row count of every table.
pub fn end_line(counts: &[u64]) -> Result<Vec<u8>, StoreError> {
    let counts: Map<String, Value> = TABLES
        .iter()
        .zip(counts)
        .map(|(t, n)| (t.name.to_string(), json!(n)))
        .collect();
    let mut line = serde_json::to_vec(&json!({ "end": counts })).map_err(json_error)?;
    line.push(b'\n');
    Ok(line)
}

/// A row line (with its newline), columns in table order. Written by hand rather than through a
/// `serde_json::Map`, which would sort the columns by name.
pub fn row_line(table: &Table, cells: &[Cell]) -> Result<Vec<u8>, StoreError> {
    if cells.len() != table.columns.len() {
        return Err(StoreError::Corrupt(
            "exported row has the wrong number of columns",
        ));
    }
    let mut line = Vec::with_capacity(64 * cells.len());
    // Table and column names are plain ASCII identifiers: no escaping needed.
    line.extend_from_slice(b"{\"table\":\"");
    line.extend_from_slice(table.name.as_bytes());
    line.extend_from_slice(b"\",\"row\":{");
    for (i, (column, cell)) in table.columns.iter().zip(cells).enumerate() {
        if i > 0 {
            line.push(b',');
        }
        line.push(b'"');
        line.extend_from_slice(column.name.as_bytes());
        line.extend_from_slice(b"\":");
        write_cell(&mut line, cell)?;
    }
    line.extend_from_slice(b"}}\n");
    Ok(line)
}

fn write_cell(line: &mut Vec<u8>, cell: &Cell) -> Result<(), StoreError> {
    match cell {
        Cell::Null => line.extend_from_slice(b"null"),
        Cell::Int(v) => serde_json::to_writer(&mut *line, v).map_err(json_error)?,
        // serde_json writes the shortest decimal that reads back as the same f64 (ryu); JSON
        // has no NaN or infinity, and hark never stores them.
        Cell::Real(v) if v.is_finite() => {
            serde_json::to_writer(&mut *line, v).map_err(json_error)?;
        }
        Cell::Real(_) => {
            return Err(StoreError::Corrupt(
                "a float column holds NaN or infinity, which an export cannot carry",
            ))
        }
        Cell::Text(s) => serde_json::to_writer(&mut *line, s).map_err(json_error)?,
        Cell::Bool(b) => line.extend_from_slice(if *b { b"true" } else { b"false" }),
        Cell::Bytes(b) => {
            serde_json::to_writer(&mut *line, &BASE64.encode(b)).map_err(json_error)?
        }
    }
    Ok(())
}

/// Parses one line. `header` says whether this is the first line (which must be the header).
/// Errors are messages without the line number (the caller adds it).
pub fn parse_line(text: &str, header: bool) -> Result<Record, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not JSON ({e})"))?;
    let Value::Object(mut object) = value else {
        return Err("not a JSON object".into());
    };
    if header {
        return parse_header(&mut object);
    }
    if let Some(end) = object.remove("end") {
        if !object.is_empty() {
            return Err("the end record has other keys beside \"end\"".into());
        }
        return parse_end(end);
    }
    parse_row(object)
}

fn parse_header(object: &mut Map<String, Value>) -> Result<Record, String> {
    let version = match object.get("hark_export") {
        Some(v) => v
            .as_u64()
            .ok_or("\"hark_export\" is not a format version number")?,
        None => return Err("not a hark project export (no \"hark_export\" header)".into()),
    };
    if version != FORMAT_VERSION {
        return Err(format!(
            "export format version {version} is not supported (this hark reads version {FORMAT_VERSION})"
        ));
    }
    let project = match object.get("project") {
        Some(Value::String(p)) if !p.is_empty() => ProjectId::new(p.clone()),
        _ => return Err("the header names no project".into()),
    };
    let schema = object
        .get("schema")
        .and_then(Value::as_object)
        .ok_or("the header has no \"schema\" object")?;
    check_schema(schema)?;
    Ok(Record::Header(project))
}

/// The export must have exactly this hark's tables and columns: a column this hark does not
/// know would be lost, one it lacks has no value to insert. The one exception: a table of
/// [`ADDED_TABLES`] may be missing whole (an export from an older hark), and is then empty.
fn check_schema(schema: &Map<String, Value>) -> Result<(), String> {
    for name in schema.keys() {
        if !TABLES.iter().any(|t| t.name == name) {
            return Err(format!(
                "the export has a table this hark does not know: {name}"
            ));
        }
    }
    for table in TABLES {
        let columns = match schema.get(table.name) {
            // An export from before the table existed: it has no rows of it either.
            None if ADDED_TABLES.contains(&table.name) => continue,
            columns => columns
                .and_then(Value::as_array)
                .ok_or_else(|| format!("the export's schema lacks table {}", table.name))?,
        };
        let mut names: Vec<&str> = Vec::with_capacity(columns.len());
        for c in columns {
            names.push(c.as_str().ok_or_else(|| {
                format!("the export's schema of {} lists a non-string", table.name)
            })?);
        }
        for name in &names {
            if table.column(name).is_none() {
                return Err(format!(
                    "the export has a column this hark does not know: {}.{name}",
                    table.name
                ));
            }
        }
        for column in table.columns {
            if !names.contains(&column.name) {
                return Err(format!(
                    "the export's schema lacks column {}.{}",
                    table.name, column.name
                ));
            }
        }
    }
    Ok(())
}

fn parse_end(end: Value) -> Result<Record, String> {
    let Value::Object(counts) = end else {
        return Err("\"end\" is not an object of row counts".into());
    };
    let mut out = vec![0; TABLES.len()];
    for (name, n) in &counts {
        let i = TABLES
            .iter()
            .position(|t| t.name == name)
            .ok_or_else(|| format!("the end record counts an unknown table {name}"))?;
        out[i] = n
            .as_u64()
            .ok_or_else(|| format!("the end record's count of {name} is not a number"))?;
    }
    Ok(Record::End(out))
}

fn parse_row(mut object: Map<String, Value>) -> Result<Record, String> {
    let name = match object.remove("table") {
        Some(Value::String(name)) => name,
        Some(_) => return Err("\"table\" is not a string".into()),
        None => return Err("neither a row (no \"table\") nor the end record".into()),
    };
    let table = TABLES
        .iter()
        .position(|t| t.name == name)
        .ok_or_else(|| format!("unknown table {name:?}"))?;
    let Some(Value::Object(mut row)) = object.remove("row") else {
        return Err(format!("the {name} record has no \"row\" object"));
    };
    if let Some(key) = object.keys().next() {
        return Err(format!("the {name} record has an unexpected key {key:?}"));
    }
    let columns = TABLES[table].columns;
    let mut cells = Vec::with_capacity(columns.len());
    for column in columns {
        let value = row
            .remove(column.name)
            .ok_or_else(|| format!("the {name} row lacks column {}", column.name))?;
        cells.push(cell(column, value).map_err(|e| format!("{name}.{}: {e}", column.name))?);
    }
    if let Some(extra) = row.keys().next() {
        return Err(format!("the {name} row has an unknown column {extra:?}"));
    }
    Ok(Record::Row { table, cells })
}

/// A JSON value as a cell of `column`.
fn cell(column: &Column, value: Value) -> Result<Cell, &'static str> {
    match (column.kind, value) {
        (_, Value::Null) => Ok(Cell::Null),
        (Kind::Int, Value::Number(n)) => n.as_i64().map(Cell::Int).ok_or("not a 64-bit integer"),
        (Kind::Int, _) => Err("not an integer"),
        (Kind::Real, Value::Number(n)) => n.as_f64().map(Cell::Real).ok_or("not a number"),
        (Kind::Real, _) => Err("not a number"),
        (Kind::Text, Value::String(s)) => Ok(Cell::Text(s)),
        (Kind::Text, _) => Err("not a string"),
        (Kind::Bool, Value::Bool(b)) => Ok(Cell::Bool(b)),
        (Kind::Bool, _) => Err("not a boolean"),
        (Kind::Bytes, Value::String(s)) => {
            BASE64.decode(s).map(Cell::Bytes).map_err(|_| "not base64")
        }
        (Kind::Bytes, _) => Err("not a base64 string"),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn round_trip(table: usize, cells: Vec<Cell>) -> Vec<Cell> {
        let line = row_line(&TABLES[table], &cells).unwrap();
        let text = std::str::from_utf8(&line).unwrap();
        match parse_line(text, false).unwrap() {
            Record::Row { table: t, cells } if t == table => cells,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn floats_read_back_bit_for_bit() {
        let mentions = TABLES.iter().position(|t| t.name == "mentions").unwrap();
        let hard = [
            0.1 + 0.2,
            f64::from(0.8f32),
            f64::from(-0.123_456_79f32),
            1.0 / 3.0,
            -0.0,
            5e-324,
            f64::MIN_POSITIVE,
            f64::MAX,
            123_456_789.123_456_78,
            0.123_456_789_012_345_68,
            1e21,
            2.0,
        ];
        for x in hard {
            let mut cells: Vec<Cell> = TABLES[mentions]
                .columns
                .iter()
                .map(|c| match c.kind {
                    Kind::Int => Cell::Int(-7),
                    Kind::Real => Cell::Real(x),
                    Kind::Text => Cell::Text("\"é\n\u{0}".into()),
                    Kind::Bool => Cell::Bool(true),
                    Kind::Bytes => Cell::Bytes(vec![0, 255, 7]),
                })
                .collect();
            cells[4] = Cell::Null;
            let back = round_trip(mentions, cells.clone());
            for (a, b) in cells.iter().zip(&back) {
                match (a, b) {
                    (Cell::Real(a), Cell::Real(b)) => assert_eq!(a.to_bits(), b.to_bits(), "{a}"),
                    _ => assert_eq!(a, b),
                }
            }
        }
    }

    #[test]
    fn non_finite_floats_are_refused() {
        let cells = vec![Cell::Real(f64::NAN)];
        let table = Table {
            name: "x",
            scope: super::super::tables::Scope::ProjectId,
            order: &[],
            columns: &[Column {
                name: "v",
                kind: Kind::Real,
                role: super::super::tables::Role::Plain,
            }],
        };
        assert!(row_line(&table, &cells).is_err());
    }

    #[test]
    fn the_header_and_end_read_back() {
        let project = ProjectId::new("prj_1");
        let header = header_line(&project).unwrap();
        match parse_line(std::str::from_utf8(&header).unwrap(), true).unwrap() {
            Record::Header(p) => assert_eq!(p, project),
            other => panic!("{other:?}"),
        }
        let counts: Vec<u64> = (0..TABLES.len() as u64).collect();
        let end = end_line(&counts).unwrap();
        match parse_line(std::str::from_utf8(&end).unwrap(), false).unwrap() {
            Record::End(c) => assert_eq!(c, counts),
            other => panic!("{other:?}"),
        }
    }

    /// The header line of `project` with `table` taken out of its schema.
    fn header_without(table: &str) -> String {
        let line = header_line(&ProjectId::new("prj_1")).unwrap();
        let mut header: Value = serde_json::from_slice(&line).unwrap();
        let schema = header["schema"].as_object_mut().unwrap();
        assert!(schema.remove(table).is_some(), "{table}");
        header.to_string()
    }

    #[test]
    fn a_header_from_before_the_users_table_reads() {
        assert!(matches!(
            parse_line(&header_without("users"), true),
            Ok(Record::Header(_))
        ));
        let err = parse_line(&header_without("themes"), true).unwrap_err();
        assert_eq!(err, "the export's schema lacks table themes");
    }

    #[test]
    fn bad_lines_say_what_is_wrong() {
        let err = |text: &str, header| parse_line(text, header).unwrap_err();
        assert!(err("{\"project\":\"p\"}", true).contains("not a hark project export"));
        assert!(err("{\"hark_export\":2}", true).contains("version 2"));
        assert!(err("{\"table\":\"items\",\"row\":{}}", false).contains("lacks column id"));
        assert!(err("{\"table\":\"nope\",\"row\":{}}", false).contains("unknown table"));
        assert!(err("{\"table\":\"projects\",\"ro", false).contains("not JSON"));
        assert!(err(
            "{\"table\":\"projects\",\"row\":{\"id\":\"p\",\"name\":1,\"api_key\":\"k\",\
             \"secret_hash\":\"h\",\"created_at\":0}}",
            false
        )
        .contains("projects.name: not a string"));
    }
}
