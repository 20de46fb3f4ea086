//! How the clusters of a run become themes: joining existing themes in an unlinked run; the
//! one-to-one matching, pinned themes and dissolution of a full re-run.
use std::collections::HashMap;

use hark_core::analysis::ThemeId;

use super::{ExistingTheme, MentionInput, Origin};
use crate::themes::dot;

/// Mentions (indices into the run's input) that make one theme of the result.
pub(super) struct Group {
    /// Index of the existing theme whose id it keeps.
    pub existing: Option<usize>,
    pub origin: Origin,
    pub members: Vec<usize>,
}

/// Cosine of a cluster centroid and a theme's (NaN, never a match, when the lengths differ).
fn similarity(centroid: &[f32], theme: &ExistingTheme<'_>) -> f32 {
    if theme.centroid.len() == centroid.len() {
        dot(centroid, theme.centroid)
    } else {
        f32::NAN
    }
}

/// Unlinked run: each cluster joins the existing theme most similar to it if at least
/// `threshold` (several clusters may join one theme), else founds a new theme.
pub(super) fn join(
    existing: &[ExistingTheme<'_>],
    clusters: Vec<Vec<usize>>,
    centroids: &[Vec<f32>],
    threshold: f32,
) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    let mut joined: HashMap<usize, usize> = HashMap::new();
    for (members, c) in clusters.into_iter().zip(centroids) {
        let best = (0..existing.len())
            .map(|e| (e, similarity(c, &existing[e])))
            .filter(|&(_, s)| s >= threshold)
            .max_by(|a, b| a.1.total_cmp(&b.1));
        match best.map(|(e, _)| (e, joined.get(&e).copied())) {
            Some((_, Some(g))) => groups[g].members.extend(members),
            Some((e, None)) => {
                joined.insert(e, groups.len());
                groups.push(Group {
                    existing: Some(e),
                    origin: Origin::Matched,
                    members,
                });
            }
            None => groups.push(Group {
                existing: None,
                origin: Origin::New,
                members,
            }),
        }
    }
    groups
}

/// What a full re-run needs besides the clusters.
pub(super) struct Rerun<'r, 'a> {
    pub existing: &'r [ExistingTheme<'a>],
    pub mentions: &'r [MentionInput<'a>],
    /// Mentions that were clustered.
    pub valid: &'r [usize],
    pub threshold: f32,
    /// Smallest theme.
    pub min: usize,
}

impl Rerun<'_, '_> {
    /// Clusters match existing themes one-to-one, most similar pairs first; a pinned theme no
    /// cluster matched keeps its current mentions (taking them out of the clusters, which may
    /// then fall below the minimum size); other unmatched themes are dissolved.
    pub fn groups(
        &self,
        clusters: Vec<Vec<usize>>,
        centroids: &[Vec<f32>],
    ) -> (Vec<Group>, Vec<ThemeId>) {
        let existing = self.existing;
        let mut pairs: Vec<(f32, usize, usize)> = Vec::new();
        for (c, centroid) in centroids.iter().enumerate() {
            for (e, theme) in existing.iter().enumerate() {
                let s = similarity(centroid, theme);
                if s >= self.threshold {
                    pairs.push((s, c, e));
                }
            }
        }
        pairs.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then_with(|| (a.1, a.2).cmp(&(b.1, b.2)))
        });
        let mut matched: Vec<Option<usize>> = vec![None; clusters.len()];
        let mut used = vec![false; existing.len()];
        for (_, c, e) in pairs {
            if matched[c].is_none() && !used[e] {
                (matched[c], used[e]) = (Some(e), true);
            }
        }
        let mut groups = Vec::new();
        let index: HashMap<&ThemeId, usize> = existing
            .iter()
            .enumerate()
            .map(|(e, t)| (t.id, e))
            .collect();
        let mut claimed = vec![false; self.mentions.len()];
        for e in (0..existing.len()).filter(|&e| existing[e].pinned && !used[e]) {
            let members: Vec<usize> = (self.valid.iter().copied())
                .filter(|&m| self.mentions[m].theme.and_then(|t| index.get(t)) == Some(&e))
                .collect();
            members.iter().for_each(|&m| claimed[m] = true);
            if !members.is_empty() {
                groups.push(Group {
                    existing: Some(e),
                    origin: Origin::Pinned,
                    members,
                });
            }
        }
        for (mut members, theme) in clusters.into_iter().zip(matched) {
            members.retain(|&m| !claimed[m]);
            // A pinned theme keeps what is left of its cluster, however small.
            let keep = theme.is_some_and(|e| existing[e].pinned) && !members.is_empty();
            if members.len() < self.min && !keep {
                theme.into_iter().for_each(|e| used[e] = false);
                continue;
            }
            let origin = if theme.is_some() {
                Origin::Matched
            } else {
                Origin::New
            };
            groups.push(Group {
                existing: theme,
                origin,
                members,
            });
        }
        let dissolved = (0..existing.len())
            .filter(|&e| !used[e] && !existing[e].pinned)
            .map(|e| existing[e].id.clone())
            .collect();
        (groups, dissolved)
    }
}
