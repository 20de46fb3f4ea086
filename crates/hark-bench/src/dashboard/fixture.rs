//! The dashboard benchmark's data set, written straight through the store API on SQLite:
//! items (with conversation parts) over the last 180 days, each analysed with one mention
//! (random unit embedding, category, sentiment), themes that take the mentions (skewed, so a
//! few are large), and chat feedback on an application. The analysis results are synthetic —
//! the benchmark measures page rendering over a big project, not the model.

use crate::drive::BenchError;
use hark_core::analysis::{Category, MentionRecord, Sentiment, SubjectAnalysis, Theme, ThemeId};
use hark_core::users::{Email, Password, Role};
use hark_core::validate::chat::{validate_put_feedback, PutFeedbackWire};
use hark_core::validate::ingest::validate_ingest;
use hark_core::{SourceKind, Timestamp};
use hark_store::{Store, ThemeUpdate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;

/// Sign-in of the benchmark's dashboard user.
pub const EMAIL: &str = "bench@hark.local";
/// Its password.
pub const PASSWORD: &str = "bench password 1";

const DIM: usize = 384;
const DAY_US: i64 = 86_400_000_000;
const PHRASES: &[&str] = &[
    "The search feature is broken on mobile",
    "I love the new dashboard, it saves me an hour every week",
    "Please add an export to Excel, CSV is not enough for our finance team",
    "The app crashes when I upload a photo larger than 10 MB",
    "Onboarding was confusing and I almost gave up",
    "Sync with my watch stopped working after the last update",
    "Pricing is too high compared to the competition",
    "Customer support answered quickly and solved my problem",
    "How do I change the email address of my account?",
    "Notifications arrive twice on Android 14",
];

/// How big the data set is.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    pub items: usize,
    pub themes: usize,
    pub chat: usize,
}

fn unit(rng: &mut StdRng) -> Vec<f32> {
    let v: Vec<f32> = (0..DIM).map(|_| rng.gen_range(-1.0f32..1.0)).collect();
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-6);
    v.into_iter().map(|x| x / n).collect()
}

/// The project's Basic credentials, for the JSON API baseline.
pub struct Built {
    pub api_key: String,
    pub secret_key: String,
}

/// Builds the data set in `store`.
pub async fn build(store: Arc<dyn Store>, size: Size) -> Result<Built, BenchError> {
    let shared = store.clone();
    let store = store.as_ref();
    let started = Instant::now();
    let mut rng = StdRng::seed_from_u64(7);
    let created = hark_store::create_project(store, "bench").await?;
    let project = created.project.project_id.clone();
    let mut sources = Vec::new();
    for name in ["app-store", "zendesk", "nps"] {
        sources.push(hark_store::create_source(store, &project, name, SourceKind::Webhook).await?);
    }
    hark_store::create_user(
        store,
        &project,
        Email::parse(EMAIL).map_err(|e| e.to_string())?,
        Role::Admin,
        Some(Password::new(PASSWORD)),
    )
    .await?;
    let now = Timestamp::now().as_micros();
    // Items, 100 per ingest call (the contract's most).
    for (batch, chunk) in (0..size.items).collect::<Vec<_>>().chunks(100).enumerate() {
        let source = &sources[batch % sources.len()];
        let items: Vec<_> = chunk
            .iter()
            .map(|i| {
                let at = Timestamp::from_micros(now - rng.gen_range(0..180 * DAY_US));
                let text = format!(
                    "{}. {}",
                    PHRASES[rng.gen_range(0..PHRASES.len())],
                    PHRASES[rng.gen_range(0..PHRASES.len())]
                );
                let mut item = json!({
                    "unique_id": format!("it-{i}"),
                    "body": text,
                    "author": format!("Customer {}", i % 5000),
                    "user_id": format!("u{}", i % 20_000),
                    "created_at": at.to_rfc3339(),
                    "url": format!("https://support.example.com/t/{i}"),
                });
                if i % 4 == 0 {
                    item["conversation_parts"] = json!([
                        {"unique_id": format!("p-{i}-1"), "body": "Thanks, we are looking into it.", "author": "Agent", "created_at": at.to_rfc3339()},
                    ]);
                }
                item
            })
            .collect();
        let body = json!({"source_id": source.source_id, "items": items});
        let request = validate_ingest(&body).map_err(|issues| format!("{issues:?}"))?;
        store.ingest(source, request.items).await?;
    }
    eprintln!("  {} items in {:.0?}", size.items, started.elapsed());
    // Themes first (so mentions can link to them), then the analysis of every item.
    let theme_ids: Vec<ThemeId> = (0..size.themes).map(|_| ThemeId::generate()).collect();
    let stamp = Timestamp::from_micros(now);
    let themes: Vec<Theme> = theme_ids
        .iter()
        .enumerate()
        .map(|(i, id)| Theme {
            id: id.clone(),
            project: project.clone(),
            label: format!("{} #{i}", PHRASES[i % PHRASES.len()].to_lowercase()),
            name: None,
            key_phrases: vec![format!("phrase {i}"), "export".into()],
            pinned: false,
            quotes: vec![PHRASES[i % PHRASES.len()].to_string()],
            centroid: unit(&mut rng),
            parent_id: None,
            created_at: stamp,
            updated_at: stamp,
        })
        .collect();
    store
        .apply_themes(
            &project,
            ThemeUpdate {
                upsert: themes,
                ..ThemeUpdate::default()
            },
        )
        .await?;
    let mut analysed = 0usize;
    loop {
        let claimed = store
            .claim_analysis(
                2_000,
                Timestamp::now(),
                Timestamp::from_micros(now + DAY_US),
            )
            .await?;
        if claimed.is_empty() {
            break;
        }
        let results: Vec<SubjectAnalysis> = claimed
            .into_iter()
            .map(|s| {
                let score = rng.gen_range(-1.0f32..1.0);
                let category = Category::ALL[rng.gen_range(0..Category::ALL.len())];
                // Skewed: theme k takes about 1/(k+1) of the mentions.
                let k = ((rng.gen_range(0.0f64..1.0).powi(3)) * theme_ids.len() as f64) as usize;
                let unit_text = s.units.first().map(|u| u.text.clone()).unwrap_or_default();
                let created_at = s.units.first().map(|u| u.created_at).unwrap_or(stamp);
                SubjectAnalysis {
                    project: s.project,
                    subject: s.subject,
                    generation: s.generation,
                    source: s.source,
                    mentions: vec![MentionRecord {
                        part_id: None,
                        ordinal: 0,
                        text: unit_text,
                        user_key: Some(format!("u{}", rng.gen_range(0..20_000))),
                        created_at,
                        sentiment: Sentiment::from_score(score),
                        category,
                        confidence: 0.8,
                        theme: theme_ids.get(k).map(|t| (t.clone(), 0.7)),
                        embedding: unit(&mut rng),
                    }],
                    sentiment: Sentiment::from_score(score),
                    category,
                    confidence: 0.8,
                }
            })
            .collect();
        analysed += results.len();
        store.save_analysis(results).await?;
    }
    eprintln!(
        "  {analysed} analysed, {} themes, in {:.0?}",
        size.themes,
        started.elapsed()
    );
    // Chat feedback: conversations of 5 rated answers, votes over the last 90 days.
    let app = hark_store::create_application(store, &project, "assistant", false).await?;
    let mut calls = tokio::task::JoinSet::new();
    for i in 0..size.chat {
        let conversation = format!("{:08}-0000-4000-8000-{:012}", i / 5, i / 5);
        let message = format!("{:08}-0000-4000-8000-{:012}", i, i);
        let at = (now - rng.gen_range(0..90 * DAY_US)) / 1_000_000;
        let useful = rng.gen_bool(0.7);
        let body = if useful {
            json!({"messageUsefulness": {"usefulness": "USEFUL", "submittedAt": at}})
        } else {
            json!({"messageUsefulness": {"usefulness": "NOT_USEFUL", "reason": "NOT_FACTUALLY_CORRECT", "comment": "The answer was wrong about pricing", "submittedAt": at}})
        };
        let body = serde_json::to_vec(&body)?;
        let user = format!("u{}", i % 3_000);
        let input = validate_put_feedback(PutFeedbackWire {
            application_id: app.application_id.as_str(),
            conversation_id: &conversation,
            message_id: &message,
            user_id: Some(&user),
            body: &body,
        })
        .map_err(|e| format!("{e:?}"))?;
        let (s, p) = (shared.clone(), project.clone());
        calls.spawn(async move { s.put_feedback(&p, false, input).await });
        // Bounded concurrency: the writer commits the waiting calls in groups.
        if calls.len() >= 256 {
            if let Some(done) = calls.join_next().await {
                done??;
            }
        }
    }
    while let Some(done) = calls.join_next().await {
        done??;
    }
    eprintln!(
        "  {} chat feedback, all in {:.0?}",
        size.chat,
        started.elapsed()
    );
    Ok(Built {
        api_key: created.project.api_key,
        secret_key: created.secret_key.expose().to_string(),
    })
}
