//! [`AnalysisHandle`]: how the HTTP layer reaches the analysis pipeline, which exists only once
//! the embedding model has loaded (in the background, after the server already listens).

use crate::api::ApiError;
use hark_analysis::worker::Pipeline;
use std::fmt;
use std::sync::{Arc, OnceLock};

/// A slot for the running [`Pipeline`], shared by the binary (which fills it once the model has
/// loaded) and the server (which reads it). Empty by default: the analysis routes that need the
/// model answer 503 until it is set. Cloning is cheap and every clone sees the same slot.
#[derive(Clone, Default)]
pub struct AnalysisHandle(Arc<OnceLock<Arc<Pipeline>>>);

impl AnalysisHandle {
    /// Fills the slot; `false` (and nothing changes) when it was already filled.
    pub fn set(&self, pipeline: Arc<Pipeline>) -> bool {
        self.0.set(pipeline).is_ok()
    }

    /// The pipeline, once the model has loaded.
    pub fn get(&self) -> Option<&Arc<Pipeline>> {
        self.0.get()
    }

    /// The pipeline, or the 503 telling the caller how to get the model.
    pub(crate) fn require(&self) -> Result<&Arc<Pipeline>, ApiError> {
        self.get().ok_or(ApiError::ModelUnavailable)
    }

    /// True once the pipeline is set.
    pub fn is_ready(&self) -> bool {
        self.0.get().is_some()
    }
}

impl fmt::Debug for AnalysisHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.is_ready() {
            "ready"
        } else {
            "unavailable"
        };
        f.debug_tuple("AnalysisHandle").field(&state).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_empty_and_every_clone_shares_the_slot() {
        let handle = AnalysisHandle::default();
        let clone = handle.clone();
        assert!(!clone.is_ready());
        assert!(clone.get().is_none());
        assert_eq!(format!("{handle:?}"), "AnalysisHandle(\"unavailable\")");
    }
}
