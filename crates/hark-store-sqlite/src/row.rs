//! SQLite rows as [`Columns`], for the decoders both backends share
//! ([`hark_store::backend::row`]). The error stays rusqlite's, so the decoders run inside
//! `query_map` and `query_row` closures; a value hark did not write is a conversion failure.

use hark_core::chat::{FeedbackCursor, StoredFeedback};
use hark_core::StoredItem;
use hark_store::backend::row::{self, Columns};
use rusqlite::types::Type;
use rusqlite::Row;

/// A rusqlite row read through [`Columns`].
pub(crate) struct Cols<'a, 'r>(pub(crate) &'a Row<'r>);

impl Columns for Cols<'_, '_> {
    type Error = rusqlite::Error;

    fn int(&self, i: usize) -> rusqlite::Result<i64> {
        self.0.get(i)
    }

    fn opt_int(&self, i: usize) -> rusqlite::Result<Option<i64>> {
        self.0.get(i)
    }

    fn text(&self, i: usize) -> rusqlite::Result<String> {
        self.0.get(i)
    }

    fn opt_text(&self, i: usize) -> rusqlite::Result<Option<String>> {
        self.0.get(i)
    }

    fn flag(&self, i: usize) -> rusqlite::Result<bool> {
        self.0.get(i)
    }

    fn real(&self, i: usize) -> rusqlite::Result<f64> {
        self.0.get(i)
    }

    fn opt_real(&self, i: usize) -> rusqlite::Result<Option<f64>> {
        self.0.get(i)
    }

    fn corrupt(&self, i: usize, what: &'static str) -> rusqlite::Error {
        bad_value(i, what)
    }
}

/// A stored value hark did not write, as rusqlite reports a value it cannot convert.
pub(crate) fn bad_value(col: usize, what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(col, Type::Text, format!("unknown {what}").into())
}

/// An item row ([`row::ITEM_COLUMNS`]).
pub(crate) fn item(r: &Row<'_>) -> rusqlite::Result<StoredItem> {
    row::stored_item(&Cols(r))
}

/// A feedback row ([`row::FEEDBACK_COLUMNS`]) with its cursor.
pub(crate) fn feedback(r: &Row<'_>) -> rusqlite::Result<(StoredFeedback, FeedbackCursor)> {
    row::stored_feedback(&Cols(r))
}
