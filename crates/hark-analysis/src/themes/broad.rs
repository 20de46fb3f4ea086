//! Broad themes: the upper level of the theme hierarchy, computed from the themes themselves
//! (their centroids, sizes and descriptions), so it follows every discovery run and every hand
//! edit that changed the themes.
//!
//! Themes are grouped by [`parent_clusters`] on their centroids; a group of at least two themes
//! is a broad theme (a theme alone in its group has no parent). Ids are stable: a group keeps the
//! id of the previous broad theme whose children it shares most (Jaccard ≥ [`KEEP_OVERLAP`]),
//! one to one, best overlap first. The label and key phrases are the class-based TF-IDF of the
//! children's key phrases and quotes against the other groups', so they name what sets the
//! group apart.
use std::collections::HashSet;

use hark_core::analysis::ThemeId;

use super::cluster::parent_clusters;
use super::labels::{key_phrases, label, PhraseParams};
use super::{normalize, ClusterParams, ThemeError};

/// Child overlap (Jaccard) from which a new group keeps a previous broad theme's id.
pub const KEEP_OVERLAP: f64 = 0.5;

/// A theme as the broad level sees it.
#[derive(Debug, Clone, Copy)]
pub struct ThemeInput<'a> {
    /// Its id.
    pub id: &'a ThemeId,
    /// Unit-length centroid (themes whose length differs from the first one are left out).
    pub centroid: &'a [f32],
    /// Its mentions (weighs its centroid in its group's).
    pub mentions: usize,
    /// Its key phrases and quotes, for the group's label.
    pub key_phrases: &'a [String],
    /// Its quotes.
    pub quotes: &'a [String],
}

/// A broad theme of the previous computation.
#[derive(Debug, Clone, Copy)]
pub struct PreviousBroad<'a> {
    /// Its id.
    pub id: &'a ThemeId,
    /// Its children then.
    pub children: &'a [ThemeId],
}

/// A broad theme computed now.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundBroad {
    /// Its id: a previous one's, or `None` for a new broad theme.
    pub kept: Option<ThemeId>,
    /// Its themes, largest first.
    pub children: Vec<ThemeId>,
    /// Unit-length mean of its children's centroids, weighted by their mentions.
    pub centroid: Vec<f32>,
    /// Label (key phrases joined).
    pub label: String,
    /// Key phrases, most characteristic first.
    pub key_phrases: Vec<String>,
}

/// Groups `themes` into broad themes (see the module documentation).
pub fn broad_themes(
    themes: &[ThemeInput<'_>],
    previous: &[PreviousBroad<'_>],
    params: &ClusterParams,
    phrases: &PhraseParams,
) -> Result<Vec<FoundBroad>, ThemeError> {
    let dim = themes
        .iter()
        .map(|t| t.centroid.len())
        .find(|&l| l > 0)
        .unwrap_or(0);
    let valid: Vec<&ThemeInput<'_>> = themes
        .iter()
        .filter(|t| dim > 0 && t.centroid.len() == dim)
        .collect();
    if valid.len() < 3 {
        return Ok(Vec::new());
    }
    let data: Vec<f32> = valid
        .iter()
        .flat_map(|t| t.centroid.iter().copied())
        .collect();
    let labels = parent_clusters(&data, dim, params)?;
    let mut groups: Vec<Vec<&ThemeInput<'_>>> = Vec::new();
    for (t, &g) in valid.iter().zip(&labels) {
        if groups.len() <= g {
            groups.resize_with(g + 1, Vec::new);
        }
        groups[g].push(t);
    }
    groups.retain(|g| g.len() >= 2);
    for g in &mut groups {
        g.sort_by(|a, b| b.mentions.cmp(&a.mentions).then_with(|| a.id.cmp(b.id)));
    }
    let texts: Vec<Vec<&str>> = groups
        .iter()
        .map(|g| {
            g.iter()
                .flat_map(|t| t.key_phrases.iter().chain(t.quotes))
                .map(String::as_str)
                .collect()
        })
        .collect();
    let group_phrases = key_phrases(&texts, phrases);
    let kept = keep_ids(&groups, previous);
    Ok(groups
        .into_iter()
        .zip(group_phrases)
        .zip(kept)
        .map(|((g, key_phrases), kept)| {
            let mut centroid = vec![0.0f32; dim];
            for t in &g {
                let w = t.mentions.max(1) as f32;
                centroid
                    .iter_mut()
                    .zip(t.centroid)
                    .for_each(|(c, x)| *c += w * x);
            }
            normalize(&mut centroid);
            FoundBroad {
                kept,
                children: g.iter().map(|t| t.id.clone()).collect(),
                centroid,
                label: label(&key_phrases, phrases),
                key_phrases,
            }
        })
        .collect())
}

/// For each group, the previous broad theme whose id it keeps: pairs by Jaccard overlap of
/// their children, best first, each previous id used once.
fn keep_ids(
    groups: &[Vec<&ThemeInput<'_>>],
    previous: &[PreviousBroad<'_>],
) -> Vec<Option<ThemeId>> {
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (gi, g) in groups.iter().enumerate() {
        let now: HashSet<&ThemeId> = g.iter().map(|t| t.id).collect();
        for (pi, p) in previous.iter().enumerate() {
            let before: HashSet<&ThemeId> = p.children.iter().collect();
            let shared = now.intersection(&before).count();
            let union = now.union(&before).count();
            if shared > 0 {
                let jaccard = shared as f64 / union as f64;
                if jaccard >= KEEP_OVERLAP {
                    pairs.push((jaccard, gi, pi));
                }
            }
        }
    }
    pairs.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| (a.1, a.2).cmp(&(b.1, b.2)))
    });
    let mut out = vec![None; groups.len()];
    let mut used = vec![false; previous.len()];
    for (_, gi, pi) in pairs {
        if out[gi].is_none() && !used[pi] {
            out[gi] = Some(previous[pi].id.clone());
            used[pi] = true;
        }
    }
    out
}

#[cfg(test)]
mod tests;
