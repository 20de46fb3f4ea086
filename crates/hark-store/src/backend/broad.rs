//! Broad themes, the part both backends share: a stored row decoded, its children resolved
//! against the project's themes, and the theme → broad theme map that metrics and theme reads
//! use.

use super::codec::{decode_strings, decode_vector, encode_strings};
use crate::StoreError;
use hark_core::analysis::{BroadTheme, Theme, ThemeId};
use hark_core::{ProjectId, Timestamp};
use std::collections::{HashMap, HashSet};

/// The columns of a broad-theme row, in [`RawBroad`]'s order.
pub const BROAD_COLUMNS: &str =
    "id, project_id, label, key_phrases, children, centroid, created_at, updated_at";

/// A broad-theme row before its JSON and blob columns are decoded.
#[derive(Debug, Clone)]
pub struct RawBroad {
    /// `id`.
    pub id: String,
    /// `project_id`.
    pub project: String,
    /// `label`.
    pub label: String,
    /// `key_phrases` (JSON).
    pub key_phrases: String,
    /// `children` (JSON).
    pub children: String,
    /// `centroid` (little-endian f32).
    pub centroid: Vec<u8>,
    /// `created_at`.
    pub created_at: i64,
    /// `updated_at`.
    pub updated_at: i64,
}

impl RawBroad {
    /// The stored broad theme, children as stored.
    pub fn decode(self) -> Result<BroadTheme, StoreError> {
        Ok(BroadTheme {
            id: ThemeId(self.id),
            project: ProjectId::new(self.project),
            label: self.label,
            key_phrases: decode_strings(&self.key_phrases)?,
            children: decode_strings(&self.children)?
                .into_iter()
                .map(ThemeId)
                .collect(),
            centroid: decode_vector(&self.centroid)?,
            created_at: Timestamp::from_micros(self.created_at),
            updated_at: Timestamp::from_micros(self.updated_at),
        })
    }
}

/// The `children` column of a broad theme.
pub fn encode_children(children: &[ThemeId]) -> Result<String, StoreError> {
    let ids: Vec<String> = children.iter().map(|c| c.0.clone()).collect();
    encode_strings(&ids)
}

/// The broad themes as listed: children reduced to the `themes` that exist (people may have
/// merged or deleted some since the last discovery), in their stored order (largest first when
/// computed); broad themes left without any dropped.
pub fn resolve(broad: Vec<BroadTheme>, themes: &[ThemeId]) -> Vec<BroadTheme> {
    let exists: HashSet<&ThemeId> = themes.iter().collect();
    broad
        .into_iter()
        .filter_map(|mut b| {
            b.children.retain(|c| exists.contains(c));
            (!b.children.is_empty()).then_some(b)
        })
        .collect()
}

/// Theme id → the id of the broad theme that lists it.
pub fn parent_map(broad: &[BroadTheme]) -> HashMap<String, String> {
    broad
        .iter()
        .flat_map(|b| b.children.iter().map(|c| (c.0.clone(), b.id.0.clone())))
        .collect()
}

/// Sets each theme's `parent_id` from the broad themes.
pub fn set_parents(themes: &mut [Theme], broad: &[BroadTheme]) {
    let parents = parent_map(broad);
    for t in themes {
        t.parent_id = parents.get(&t.id.0).cloned().map(ThemeId);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn broad(id: &str, children: &[&str]) -> BroadTheme {
        BroadTheme {
            id: ThemeId(id.into()),
            project: ProjectId::new("p"),
            label: id.into(),
            key_phrases: vec![],
            children: children.iter().map(|c| ThemeId((*c).into())).collect(),
            centroid: vec![],
            created_at: Timestamp::from_micros(0),
            updated_at: Timestamp::from_micros(0),
        }
    }

    #[test]
    fn children_resolve_to_existing_themes_in_stored_order() {
        let themes: Vec<ThemeId> = ["a", "b", "c"]
            .iter()
            .map(|t| ThemeId((*t).into()))
            .collect();
        let out = resolve(
            vec![broad("x", &["c", "gone", "a"]), broad("y", &["gone"])],
            &themes,
        );
        assert_eq!(out.len(), 1);
        assert_eq!(
            out[0].children,
            vec![ThemeId("c".into()), ThemeId("a".into())]
        );
        let map = parent_map(&out);
        assert_eq!(map.get("c").map(String::as_str), Some("x"));
        assert!(!map.contains_key("b"));
    }
}
