use super::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Two far-apart families of three themes each (centroids near the family's direction).
fn families() -> (Vec<ThemeId>, Vec<Vec<f32>>, Vec<Vec<String>>) {
    let mut rng = StdRng::seed_from_u64(3);
    let dim = 16;
    let (mut ids, mut centroids, mut phrases) = (Vec::new(), Vec::new(), Vec::new());
    for f in 0..2 {
        for t in 0..3 {
            let mut c: Vec<f32> = (0..dim)
                .map(|i| if i % 2 == f { 1.0 } else { 0.0 } + rng.gen_range(-0.2..0.2))
                .collect();
            normalize(&mut c);
            ids.push(ThemeId(format!("th_{f}{t}")));
            centroids.push(c);
            let family = if f == 0 {
                "battery drain"
            } else {
                "login error"
            };
            phrases.push(vec![family.to_string(), format!("detail{f}{t}")]);
        }
    }
    (ids, centroids, phrases)
}

fn inputs<'a>(
    ids: &'a [ThemeId],
    centroids: &'a [Vec<f32>],
    phrases: &'a [Vec<String>],
) -> Vec<ThemeInput<'a>> {
    ids.iter()
        .zip(centroids)
        .zip(phrases)
        .enumerate()
        .map(|(i, ((id, c), p))| ThemeInput {
            id,
            centroid: c,
            mentions: 10 + i,
            key_phrases: p,
            quotes: &[],
        })
        .collect()
}

fn params() -> ClusterParams {
    ClusterParams {
        parent_resolution: 1.0,
        ..ClusterParams::default()
    }
}

#[test]
fn nearby_themes_share_a_broad_theme_named_by_their_shared_phrases() {
    let (ids, centroids, phrases) = families();
    let found = broad_themes(
        &inputs(&ids, &centroids, &phrases),
        &[],
        &params(),
        &PhraseParams::default(),
    )
    .unwrap();
    assert_eq!(found.len(), 2, "{found:?}");
    let mut families: Vec<Vec<&str>> = found
        .iter()
        .map(|b| {
            let mut c: Vec<&str> = b.children.iter().map(|c| &c.0[..4]).collect();
            c.dedup();
            c
        })
        .collect();
    families.sort();
    assert_eq!(families, [vec!["th_0"], vec!["th_1"]]);
    for b in &found {
        assert!(b.kept.is_none());
        assert_eq!(b.children.len(), 3);
        // Largest child first.
        assert!(b.children[0].0.ends_with('2'));
        let first = if b.children[0].0.starts_with("th_0") {
            "battery drain"
        } else {
            "login error"
        };
        assert_eq!(b.key_phrases.first().map(String::as_str), Some(first));
        assert!(b.label.starts_with(first));
        assert!((super::super::dot(&b.centroid, &b.centroid) - 1.0).abs() < 1e-4);
    }
}

#[test]
fn ids_are_kept_while_the_children_mostly_stay() {
    let (ids, centroids, phrases) = families();
    let themes = inputs(&ids, &centroids, &phrases);
    let first = broad_themes(&themes, &[], &params(), &PhraseParams::default()).unwrap();
    let old_ids = [ThemeId("bt_a".into()), ThemeId("bt_b".into())];
    let previous: Vec<PreviousBroad<'_>> = first
        .iter()
        .zip(&old_ids)
        .map(|(b, id)| PreviousBroad {
            id,
            children: &b.children,
        })
        .collect();
    let again = broad_themes(&themes, &previous, &params(), &PhraseParams::default()).unwrap();
    let kept: Vec<_> = again.iter().map(|b| b.kept.clone()).collect();
    assert_eq!(kept, [Some(old_ids[0].clone()), Some(old_ids[1].clone())]);

    // A previous broad theme sharing one child of four keeps nothing.
    let stranger = [
        ids[0].clone(),
        ThemeId("th_x".into()),
        ThemeId("th_y".into()),
        ThemeId("th_z".into()),
    ];
    let other = [PreviousBroad {
        id: &old_ids[0],
        children: &stranger,
    }];
    let fresh = broad_themes(&themes, &other, &params(), &PhraseParams::default()).unwrap();
    assert!(fresh.iter().all(|b| b.kept.is_none()));
}

#[test]
fn too_few_themes_or_other_lengths_make_no_broad_theme() {
    let (ids, centroids, phrases) = families();
    let themes = inputs(&ids, &centroids, &phrases);
    let p = PhraseParams::default();
    assert!(broad_themes(&themes[..2], &[], &params(), &p)
        .unwrap()
        .is_empty());
    assert!(broad_themes(&[], &[], &params(), &p).unwrap().is_empty());
    let short = [1.0f32, 0.0];
    let mut odd = themes.clone();
    odd[0].centroid = &short;
    let found = broad_themes(&odd, &[], &params(), &p).unwrap();
    assert!(found.iter().all(|b| !b.children.contains(&ids[0])));
}
