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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::themes::normalize;

    fn theme(id: &str, family: usize, wobble: f32, pinned: bool) -> Theme {
        let mut centroid: Vec<f32> = (0..8)
            .map(|i| if i % 2 == family { 1.0 } else { 0.0 } + wobble * (i as f32 - 3.5) / 10.0)
            .collect();
        normalize(&mut centroid);
        Theme {
            id: ThemeId(id.into()),
            project: ProjectId::new("p"),
            label: id.into(),
            name: None,
            key_phrases: vec![["battery drain", "login error"][family].to_string()],
            pinned,
            quotes: vec![],
            centroid,
            parent_id: None,
            created_at: Timestamp::from_micros(0),
            updated_at: Timestamp::from_micros(0),
        }
    }

    fn params() -> DiscoverParams {
        let mut p = DiscoverParams::default();
        p.cluster.parent_resolution = 1.0;
        p
    }

    #[test]
    fn the_hierarchy_follows_the_themes_after_the_update() {
        let stored = vec![
            theme("th_a1", 0, 0.1, false),
            theme("th_a2", 0, -0.1, false),
            theme("th_b1", 1, 0.1, false),
            theme("th_gone", 1, 0.0, false),
        ];
        let counts: HashMap<ThemeId, usize> = stored.iter().map(|t| (t.id.clone(), 5)).collect();
        let update = ThemeUpdate {
            upsert: vec![
                theme("th_b2", 1, -0.1, false),
                theme("th_a3", 0, 0.0, false),
            ],
            remove: vec![ThemeId("th_gone".into())],
            links: vec![(1, Some(ThemeId("th_b2".into())), 0.9)],
            broad: None,
        };
        let previous = vec![BroadTheme {
            id: ThemeId("bt_old".into()),
            project: ProjectId::new("p"),
            label: "old".into(),
            key_phrases: vec![],
            children: vec![ThemeId("th_a1".into()), ThemeId("th_a2".into())],
            centroid: vec![],
            created_at: Timestamp::from_micros(7),
            updated_at: Timestamp::from_micros(7),
        }];
        let project = ProjectId::new("p");
        let broad = after_update(
            &project,
            &stored,
            &counts,
            &update,
            Scope::Unlinked,
            &previous,
            &params(),
        )
        .unwrap();
        assert_eq!(broad.len(), 2, "{broad:?}");
        let family_a = broad
            .iter()
            .find(|b| b.children.contains(&ThemeId("th_a1".into())))
            .expect("family a");
        let mut children: Vec<&str> = family_a.children.iter().map(|c| c.0.as_str()).collect();
        children.sort();
        assert_eq!(children, ["th_a1", "th_a2", "th_a3"]);
        // Two of three children shared: the id and creation time are kept.
        assert_eq!(family_a.id.0, "bt_old");
        assert_eq!(family_a.created_at, Timestamp::from_micros(7));
        let family_b = broad.iter().find(|b| b.id.0 != "bt_old").expect("family b");
        assert!(family_b.id.0.starts_with("bt_"));
        assert!(!family_b.children.contains(&ThemeId("th_gone".into())));
        assert_eq!(family_b.children.len(), 2);
        assert_eq!(
            family_b.key_phrases.first().map(String::as_str),
            Some("login error")
        );
    }
}
