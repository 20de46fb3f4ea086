//! PostgreSQL rows as [`Columns`], for the decoders both backends share
//! ([`hark_store::backend::row`]).

use crate::Error;
use hark_core::chat::{FeedbackCursor, StoredFeedback};
use hark_core::StoredItem;
use hark_store::backend::row::{self, Columns};
use hark_store::StoreError;
use tokio_postgres::Row;

/// A tokio-postgres row read through [`Columns`].
pub(crate) struct Cols<'a>(pub(crate) &'a Row);

impl Columns for Cols<'_> {
    type Error = Error;

    fn int(&self, i: usize) -> Result<i64, Error> {
        Ok(self.0.try_get(i)?)
    }

    fn opt_int(&self, i: usize) -> Result<Option<i64>, Error> {
        Ok(self.0.try_get(i)?)
    }

    fn text(&self, i: usize) -> Result<String, Error> {
        Ok(self.0.try_get(i)?)
    }

    fn opt_text(&self, i: usize) -> Result<Option<String>, Error> {
        Ok(self.0.try_get(i)?)
    }

    fn flag(&self, i: usize) -> Result<bool, Error> {
        Ok(self.0.try_get(i)?)
    }

    fn real(&self, i: usize) -> Result<f64, Error> {
        Ok(self.0.try_get(i)?)
    }

    fn opt_real(&self, i: usize) -> Result<Option<f64>, Error> {
        Ok(self.0.try_get(i)?)
    }

    fn corrupt(&self, _: usize, what: &'static str) -> Error {
        StoreError::Corrupt(what).into()
    }
}

/// An item row ([`row::ITEM_COLUMNS`]).
pub(crate) fn item(r: &Row) -> Result<StoredItem, Error> {
    row::stored_item(&Cols(r))
}

/// A feedback row ([`row::FEEDBACK_COLUMNS`]) with its cursor.
pub(crate) fn feedback(r: &Row) -> Result<(StoredFeedback, FeedbackCursor), Error> {
    row::stored_feedback(&Cols(r))
}
