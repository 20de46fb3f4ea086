//! Exports made comparable across stores (for tests and checks): the target of an
//! import assigns its own integer ids, so two exports of the same data differ only in them.

use super::record::{parse_line, row_line, Cell, Record};
use super::tables::{Role, Space, TABLES};
use crate::StoreError;
use std::collections::HashMap;

/// `export` with every integer row id replaced by the row's position in its table (from 1) and
/// every reference by the position of the row it refers to; a reference to a row the export
/// does not hold becomes the text `dangling N`. Two exports of the same data, from any stores,
/// normalise to the same text.
pub fn normalise_export(export: &str) -> Result<String, StoreError> {
    let mut out = String::with_capacity(export.len());
    let mut ids: HashMap<Space, HashMap<i64, i64>> = HashMap::new();
    let mut positions = vec![0i64; TABLES.len()];
    let mut header = true;
    for (n, text) in export.lines().enumerate() {
        if text.trim().is_empty() {
            continue;
        }
        let record = parse_line(text, header)
            .map_err(|e| StoreError::BadExport(format!("line {}: {e}", n + 1)))?;
        header = false;
        let Record::Row { table, mut cells } = record else {
            out.push_str(text);
            out.push('\n');
            continue;
        };
        let t = &TABLES[table];
        let subject_space = match t.column("subject_kind").map(|i| &cells[i]) {
            Some(Cell::Text(kind)) => Space::of_subject_kind(kind),
            _ => None,
        };
        for (column, cell) in t.columns.iter().zip(cells.iter_mut()) {
            let Cell::Int(old) = *cell else { continue };
            let space = match column.role {
                Role::Id(space) => {
                    positions[table] += 1;
                    if let Some(space) = space {
                        ids.entry(space).or_default().insert(old, positions[table]);
                    }
                    *cell = Cell::Int(positions[table]);
                    continue;
                }
                Role::Ref(space) | Role::QueueSubject(space) => Some(space),
                Role::Subject => subject_space,
                Role::Plain | Role::Project => continue,
            };
            *cell = match space.and_then(|s| ids.get(&s)).and_then(|m| m.get(&old)) {
                Some(position) => Cell::Int(*position),
                None => Cell::Text(format!("dangling {old}")),
            };
        }
        let line = row_line(t, &cells)?;
        out.push_str(&String::from_utf8_lossy(&line));
    }
    Ok(out)
}
