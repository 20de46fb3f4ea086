//! The broad themes a discovery run leaves: computed from the project's themes as they will be
//! once its update is applied (stored ones, minus the dissolved, with the upserts), so the
//! hierarchy is written in the same transaction as the themes.

use crate::themes::broad::{broad_themes, PreviousBroad, ThemeInput};
use crate::themes::{DiscoverParams, Scope, ThemeError};
use hark_core::analysis::{BroadTheme, Theme, ThemeId};
use hark_core::{ProjectId, Timestamp};
use hark_store::ThemeUpdate;
use std::collections::HashMap;

/// The project's broad themes after `update` (see the module documentation). `counts` are the
/// stored mentions per theme; `previous` the stored broad themes, whose ids and creation times
/// are kept where a group keeps most of its children.
pub(super) fn after_update(
    project: &ProjectId,
    stored: &[Theme],
    counts: &HashMap<ThemeId, usize>,
    update: &ThemeUpdate,
    scope: Scope,
    previous: &[BroadTheme],
    params: &DiscoverParams,
) -> Result<Vec<BroadTheme>, ThemeError> {
    let mut linked: HashMap<&ThemeId, usize> = HashMap::new();
    for (_, theme, _) in &update.links {
        if let Some(t) = theme {
            *linked.entry(t).or_default() += 1;
        }
    }
    // A full re-run links every mention it keeps in a theme; an unlinked run only the new ones.
    let mentions = |id: &ThemeId| {
        let stored = counts.get(id).copied().unwrap_or(0);
        match (scope, linked.get(id)) {
            (Scope::All, Some(&n)) => n,
            (_, n) => stored + n.copied().unwrap_or(0),
        }
    };
    let upserted: HashMap<&ThemeId, &Theme> = update.upsert.iter().map(|t| (&t.id, t)).collect();
    let mut themes: Vec<&Theme> = stored
        .iter()
        .filter(|t| !upserted.contains_key(&t.id))
        .filter(|t| t.pinned || !update.remove.contains(&t.id))
        .collect();
    themes.extend(&update.upsert);
    let inputs: Vec<ThemeInput<'_>> = themes
        .iter()
        .map(|t| ThemeInput {
            id: &t.id,
            centroid: &t.centroid,
            mentions: mentions(&t.id),
            key_phrases: &t.key_phrases,
            quotes: &t.quotes,
        })
        .collect();
    let before: Vec<PreviousBroad<'_>> = previous
        .iter()
        .map(|b| PreviousBroad {
            id: &b.id,
            children: &b.children,
        })
        .collect();
    let found = broad_themes(&inputs, &before, &params.cluster, &params.phrases)?;
    let now = Timestamp::now();
    Ok(found
        .into_iter()
        .map(|f| {
            let old = f
                .kept
                .as_ref()
                .and_then(|k| previous.iter().find(|b| &b.id == k));
            BroadTheme {
                id: f.kept.clone().unwrap_or_else(ThemeId::generate_broad),
                project: project.clone(),
                label: f.label,
                key_phrases: f.key_phrases,
                children: f.children,
                centroid: f.centroid,
                created_at: old.map_or(now, |o| o.created_at),
                updated_at: now,
            }
        })
        .collect())
}
