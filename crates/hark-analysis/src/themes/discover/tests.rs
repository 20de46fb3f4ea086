use super::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const DIM: usize = 24;

/// Mentions in blobs around random directions; blob `g` texts talk about `topic g`.
struct Fixture {
    vectors: Vec<Vec<f32>>,
    texts: Vec<String>,
    blob: Vec<usize>,
}

fn fixture(sizes: &[usize], seed: u64) -> Fixture {
    let mut rng = StdRng::seed_from_u64(seed);
    let topics = [
        "card arrival",
        "refund pending",
        "password reset",
        "exchange rate",
    ];
    let mut f = Fixture {
        vectors: Vec::new(),
        texts: Vec::new(),
        blob: Vec::new(),
    };
    for (g, &size) in sizes.iter().enumerate() {
        let centre: Vec<f32> = (0..DIM).map(|_| rng.gen_range(-1.0..1.0)).collect();
        for i in 0..size {
            let mut v: Vec<f32> = centre
                .iter()
                .map(|c| c + rng.gen_range(-0.25..0.25))
                .collect();
            normalize(&mut v);
            f.vectors.push(v);
            let filler = ["again", "today", "help"][i % 3];
            f.texts
                .push(format!("the {} {filler} {i}", topics[g % topics.len()]));
            f.blob.push(g);
        }
    }
    f
}

fn inputs<'a>(f: &'a Fixture, themes: &'a [Option<ThemeId>]) -> Vec<MentionInput<'a>> {
    (0..f.vectors.len())
        .map(|i| MentionInput {
            id: i as i64,
            theme: themes.get(i).and_then(Option::as_ref),
            embedding: &f.vectors[i],
            text: &f.texts[i],
        })
        .collect()
}

fn params() -> DiscoverParams {
    DiscoverParams {
        cluster: ClusterParams {
            resolution: 1.0,
            adaptive: false,
            ..Default::default()
        },
        ..Default::default()
    }
}

/// The theme of each mention after a run.
fn assignment(d: &Discovery, n: usize) -> Vec<Option<ThemeId>> {
    let mut out = vec![None; n];
    for l in &d.links {
        out[l.mention as usize] = Some(l.theme.clone());
    }
    out
}

#[test]
fn new_themes_with_descriptions_and_small_clusters_left_out() {
    let f = fixture(&[60, 50, 30], 1);
    let d = discover(
        &[],
        &inputs(&f, &[]),
        Scope::Unlinked,
        &DiscoverParams {
            min_mentions: 40,
            ..params()
        },
    )
    .unwrap();
    assert_eq!(d.themes.len(), 2);
    assert!(d.themes.iter().all(|t| t.origin == Origin::New));
    let first = d.themes[0].description.as_ref().unwrap();
    assert_eq!(first.key_phrases[0], "card arrival");
    assert_eq!(first.label.split(", ").next(), Some("card arrival"));
    assert_eq!(first.quotes.len(), 3);
    let got = assignment(&d, f.blob.len());
    assert!((0..f.blob.len()).all(|i| got[i].is_some() == (f.blob[i] < 2)));
    assert!(d.links.iter().all(|l| l.similarity > 0.5));
}

#[test]
fn unlinked_run_grows_a_matching_theme() {
    let f = fixture(&[60, 50], 2);
    let first = discover(&[], &inputs(&f, &[]), Scope::Unlinked, &params()).unwrap();
    let more = fixture(&[20, 20, 40], 2);
    let old = &first.themes[0];
    let existing = [ExistingTheme {
        id: &old.id,
        centroid: &old.centroid,
        pinned: false,
        mentions: 60,
    }];
    let d = discover(&existing, &inputs(&more, &[]), Scope::Unlinked, &params()).unwrap();
    let grown: Vec<&FoundTheme> = d.themes.iter().filter(|t| t.id == old.id).collect();
    assert_eq!(grown.len(), 1);
    assert_eq!(
        (
            grown[0].origin,
            grown[0].mentions,
            grown[0].description.is_none()
        ),
        (Origin::Matched, 20, true)
    );
    assert!(dot(&grown[0].centroid, &old.centroid) > 0.99);
    assert!(d
        .themes
        .iter()
        .filter(|t| t.id != old.id)
        .all(|t| t.origin == Origin::New));
    assert!(d.dissolved.is_empty());
}

#[test]
fn full_rerun_keeps_ids_dissolves_unmatched_and_keeps_pinned() {
    let f = fixture(&[60, 50, 40], 3);
    let first = discover(&[], &inputs(&f, &[]), Scope::All, &params()).unwrap();
    assert_eq!(first.themes.len(), 3);
    let linked = assignment(&first, f.blob.len());
    // Two made-up themes matching no cluster, one pinned (holding two mentions), one not.
    let (pinned_id, stale_id) = (ThemeId("th_pinned".into()), ThemeId("th_stale".into()));
    let far = vec![0.0f32; DIM];
    let mut current = linked.clone();
    current[0] = Some(pinned_id.clone());
    current[1] = Some(pinned_id.clone());
    let mut existing: Vec<ExistingTheme<'_>> = first
        .themes
        .iter()
        .map(|t| ExistingTheme {
            id: &t.id,
            centroid: &t.centroid,
            pinned: false,
            mentions: t.mentions,
        })
        .collect();
    existing.push(ExistingTheme {
        id: &pinned_id,
        centroid: &far,
        pinned: true,
        mentions: 2,
    });
    existing.push(ExistingTheme {
        id: &stale_id,
        centroid: &far,
        pinned: false,
        mentions: 5,
    });
    let d = discover(&existing, &inputs(&f, &current), Scope::All, &params()).unwrap();
    assert_eq!(d.dissolved, vec![stale_id]);
    let pinned: Vec<&FoundTheme> = d
        .themes
        .iter()
        .filter(|t| t.origin == Origin::Pinned)
        .collect();
    assert_eq!((pinned.len(), pinned[0].mentions), (1, 2));
    let again = assignment(&d, f.blob.len());
    assert_eq!(again[..2], [Some(pinned_id.clone()), Some(pinned_id)]);
    assert_eq!(again[2..], linked[2..]);
    assert!(d
        .themes
        .iter()
        .filter(|t| t.origin != Origin::Pinned)
        .all(|t| t.origin == Origin::Matched));
}

#[test]
fn empty_and_malformed_inputs() {
    let d = discover(&[], &[], Scope::All, &params()).unwrap();
    assert!(d.themes.is_empty() && d.links.is_empty());
    let bad = [MentionInput {
        id: 1,
        theme: None,
        embedding: &[],
        text: "",
    }];
    assert!(discover(&[], &bad, Scope::Unlinked, &params())
        .unwrap()
        .links
        .is_empty());
}

#[test]
fn link_picks_the_most_similar_centroid_above_the_threshold() {
    let centroids = vec![vec![1.0f32, 0.0], vec![0.0, 1.0], vec![1.0]];
    assert_eq!(link(&centroids, &[0.8, 0.6], 0.5), Some((0, 0.8)));
    assert_eq!(link(&centroids, &[0.8, 0.6], 0.9), None);
    assert_eq!(link(&centroids, &[f32::NAN, 0.0], 0.0), None);
    assert_eq!(link::<Vec<f32>>(&[], &[1.0], 0.0), None);
}

#[test]
fn labels_come_from_the_main_languages_mentions() {
    let mut f = fixture(&[12, 12], 21);
    let english = [
        "The sync with my watch keeps failing after every update",
        "My watch sync fails again since the last update",
        "Watch sync failing constantly, please fix the update",
    ];
    let french = [
        "La synchronisation de ma montre échoue depuis la mise à jour",
        "Ma montre ne se synchronise plus, vraiment pénible",
        "Échec de synchronisation de la montre encore aujourd'hui",
    ];
    for i in 0..12 {
        // Blob 0: two thirds French; blob 1: all English (the main language overall).
        f.texts[i] = if i % 3 == 0 {
            english[i % 3]
        } else {
            french[i % 3]
        }
        .to_string();
        f.texts[12 + i] = english[i % 3].replace("watch", "phone");
    }
    let run = discover(&[], &inputs(&f, &[]), Scope::All, &params()).unwrap();
    let french_words = ["synchronisation", "montre", "mise"];
    for t in &run.themes {
        let phrases = &t.description.as_ref().unwrap().key_phrases;
        assert!(
            phrases
                .iter()
                .all(|p| french_words.iter().all(|w| !p.contains(w))),
            "{phrases:?}"
        );
    }
    // Quotes stay in their own language.
    let quotes: Vec<&String> = run
        .themes
        .iter()
        .flat_map(|t| &t.description.as_ref().unwrap().quotes)
        .collect();
    assert!(!quotes.is_empty());
}
