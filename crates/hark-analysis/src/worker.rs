//! The analysis pipeline: claims queued subjects from the store, analyses them (mentions,
//! embeddings, categories, sentiment, links to themes) and saves the results; periodically
//! clusters the mentions no theme took into new themes.
//!
//! Ingest never waits for any of this: the queue is a store table written in the ingest
//! transaction. Claims are leased, so a worker that dies (or a node killed mid-batch) loses
//! nothing: its subjects are claimed again when the lease runs out.
use crate::analyzer::{apply_learned, Analyzer};
use crate::classify::Learned;
use crate::embed::EmbedError;
use crate::search::index::SearchIndex;
use crate::search::{self, SearchHit, SearchQuery, SearchResults};
use crate::themes::{self, link, DiscoverParams, ExistingTheme, MentionInput, Scope, ThemeError};
use hark_core::analysis::{
    Category, MentionFilter, MentionRecord, Speaker, SubjectAnalysis, SubjectText, Theme, ThemeId,
};
use hark_core::{ItemId, ProjectId, Timestamp};
use hark_store::{Store, StoreError, ThemeUpdate};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

mod hierarchy;

/// Why a pipeline step failed.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The model failed.
    #[error(transparent)]
    Model(#[from] EmbedError),
    /// Clustering failed.
    #[error(transparent)]
    Themes(#[from] ThemeError),
    /// A blocking task panicked or was cancelled.
    #[error("analysis task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// Settings of the pipeline.
#[derive(Debug, Clone)]
pub struct PipelineConfig {
    /// Subjects claimed per step.
    pub batch: u32,
    /// How long a claim is leased (a dead worker's claims return after this).
    pub lease: Duration,
    /// Pause when the queue is empty.
    pub poll: Duration,
    /// How often unlinked mentions are re-clustered into new themes.
    pub discover_every: Duration,
    /// Re-cluster a project once it has at least this many unlinked mentions.
    pub min_unlinked: u64,
    /// Similarity from which a new mention joins an existing theme.
    pub link_threshold: f32,
    /// Theme discovery settings.
    pub discover: DiscoverParams,
}

impl PipelineConfig {
    /// These settings with the theme thresholds a model asks for (see
    /// [`crate::embed::ThemeThresholds`]) in place of the defaults.
    pub fn with_thresholds(mut self, t: crate::embed::ThemeThresholds) -> Self {
        if let Some(link) = t.link {
            self.link_threshold = link;
        }
        if let Some(matching) = t.matching {
            self.discover.match_threshold = matching;
        }
        self
    }
}

impl Default for PipelineConfig {
    fn default() -> Self {
        Self {
            batch: 64,
            lease: Duration::from_secs(300),
            poll: Duration::from_millis(500),
            discover_every: Duration::from_secs(60),
            min_unlinked: 20,
            link_threshold: themes::discover::LINK_THRESHOLD,
            discover: DiscoverParams::default(),
        }
    }
}

/// A learned classifier cached per project with the stamp of the examples it was trained on
/// ([`hark_store::AnalysisStore::examples_stamp`]).
type LearnedCache = HashMap<ProjectId, ((u64, i64), Option<Arc<Learned>>)>;

/// The pipeline: one per process; [`Pipeline::run`] is its background loop.
pub struct Pipeline {
    store: Arc<dyn Store>,
    analyzer: Arc<Analyzer>,
    config: PipelineConfig,
    learned: Mutex<LearnedCache>,
    search: SearchIndex,
}

impl Pipeline {
    /// A pipeline over `store` with a loaded analyzer.
    pub fn new(store: Arc<dyn Store>, analyzer: Arc<Analyzer>, config: PipelineConfig) -> Self {
        Self {
            store,
            analyzer,
            config,
            learned: Mutex::new(HashMap::new()),
            search: SearchIndex::default(),
        }
    }

    /// Hybrid search of the project's feedback (meaning and words, [`crate::search`]).
    pub async fn search(
        &self,
        project: &ProjectId,
        query: &SearchQuery,
    ) -> Result<SearchResults, PipelineError> {
        let text = query.text.trim().to_string();
        if text.is_empty() {
            return Ok(SearchResults {
                semantic: true,
                ..SearchResults::default()
            });
        }
        let index = self.search.current(self.store.as_ref(), project).await?;
        let analyzer = self.analyzer.clone();
        let mut vectors =
            tokio::task::spawn_blocking(move || analyzer.embedder().embed(&[text.as_str()]))
                .await??;
        let vector = vectors.pop().unwrap_or_default();
        Ok(search::hybrid(self.store.as_ref(), project, &index, &vector, query).await?)
    }

    /// Feedback similar to the item (by meaning), best first; empty until it is analysed.
    pub async fn similar(
        &self,
        project: &ProjectId,
        item: ItemId,
        limit: usize,
    ) -> Result<Vec<SearchHit>, PipelineError> {
        let index = self.search.current(self.store.as_ref(), project).await?;
        Ok(search::similar(self.store.as_ref(), project, &index, item, limit).await?)
    }

    /// Runs until `cancel`: analyses queued subjects, and re-clusters unlinked mentions every
    /// `discover_every`. Errors are logged and retried after a pause; nothing is lost.
    pub async fn run(self: Arc<Self>, cancel: CancellationToken) {
        let mut next_discovery = tokio::time::Instant::now() + self.config.discover_every;
        loop {
            let done = tokio::select! {
                _ = cancel.cancelled() => return,
                r = self.step() => r,
            };
            let idle = match done {
                Ok(n) => n == 0,
                Err(e) => {
                    tracing::warn!(error = %crate::error_chain(&e), "analysis step failed; retrying");
                    true
                }
            };
            if tokio::time::Instant::now() >= next_discovery {
                if let Err(e) = self.discover_pending().await {
                    tracing::warn!(error = %crate::error_chain(&e), "theme discovery failed; retrying later");
                }
                next_discovery = tokio::time::Instant::now() + self.config.discover_every;
            }
            if idle {
                tokio::select! {
                    _ = cancel.cancelled() => return,
                    _ = tokio::time::sleep(self.config.poll) => {}
                }
            }
        }
    }

    /// Claims, analyses and saves one batch; returns how many subjects were claimed.
    pub async fn step(&self) -> Result<usize, PipelineError> {
        let now = Timestamp::now();
        let lease = Timestamp::from_micros(now.as_micros() + self.config.lease.as_micros() as i64);
        let claimed = self
            .store
            .claim_analysis(self.config.batch, now, lease)
            .await?;
        if claimed.is_empty() {
            return Ok(0);
        }
        let mut projects: Vec<ProjectId> = claimed.iter().map(|s| s.project.clone()).collect();
        projects.sort();
        projects.dedup();
        let mut context = HashMap::new();
        for p in projects {
            let learned = self.learned_for(&p).await?;
            let themes: Vec<(ThemeId, Vec<f32>)> = self
                .store
                .themes(&p)
                .await?
                .into_iter()
                .map(|t| (t.id, t.centroid))
                .collect();
            context.insert(p, (learned, themes));
        }
        let count = claimed.len();
        let analyzer = self.analyzer.clone();
        let threshold = self.config.link_threshold;
        let results = tokio::task::spawn_blocking(move || {
            analyse_batch(&analyzer, &claimed, &context, threshold)
        })
        .await??;
        self.store.save_analysis(results).await?;
        Ok(count)
    }

    /// The project's learned classifier, retrained when its examples changed.
    async fn learned_for(
        &self,
        project: &ProjectId,
    ) -> Result<Option<Arc<Learned>>, PipelineError> {
        let stamp = self.store.examples_stamp(project).await?;
        if let Ok(cache) = self.learned.lock() {
            if let Some((_, model)) = cache.get(project).filter(|(s, _)| *s == stamp) {
                return Ok(model.clone());
            }
        }
        let examples = self.store.examples(project).await?;
        let analyzer = self.analyzer.clone();
        let pairs: Vec<(String, Category)> =
            examples.into_iter().map(|e| (e.text, e.category)).collect();
        let model = if pairs.is_empty() {
            None
        } else {
            tokio::task::spawn_blocking(move || analyzer.learn(&pairs))
                .await??
                .map(Arc::new)
        };
        if let Ok(mut cache) = self.learned.lock() {
            cache.insert(project.clone(), (stamp, model.clone()));
        }
        Ok(model)
    }

    /// Re-clusters the unlinked mentions of every project that has enough of them.
    pub async fn discover_pending(&self) -> Result<(), PipelineError> {
        for (project, unlinked) in self.store.projects_with_unlinked().await? {
            if unlinked >= self.config.min_unlinked {
                self.discover(&project, Scope::Unlinked).await?;
            }
        }
        Ok(())
    }

    /// One theme-discovery run over the project's unlinked (or all) mentions; returns the number
    /// of themes created or changed.
    pub async fn discover(
        &self,
        project: &ProjectId,
        scope: Scope,
    ) -> Result<usize, PipelineError> {
        let vectors = self
            .store
            .mention_vectors(project, scope == Scope::Unlinked)
            .await?;
        if vectors.is_empty() {
            return Ok(0);
        }
        let ids: Vec<i64> = vectors.iter().map(|v| v.id).collect();
        let texts: HashMap<i64, String> = self
            .store
            .mention_texts(project, &ids)
            .await?
            .into_iter()
            .collect();
        let stored = self.store.themes(project).await?;
        // Mentions per theme from the store's aggregate, rather than loading every embedding again.
        let counts: HashMap<ThemeId, usize> = self
            .store
            .theme_metrics(project, &MentionFilter::default())
            .await?
            .into_iter()
            .filter_map(|m| Some((m.theme_id?, m.mentions as usize)))
            .collect();
        let previous = self.store.broad_themes(project).await?;
        let mut params = self.config.discover;
        // The project's own granularity, when it has one, replaces the deployment's.
        if let Some(g) = self.store.theme_granularity(project).await? {
            params.cluster.granularity = g.resolution_factor();
        }
        let project_id = project.clone();
        let update = tokio::task::spawn_blocking(move || -> Result<ThemeUpdate, ThemeError> {
            let existing: Vec<ExistingTheme<'_>> = stored
                .iter()
                .map(|t| ExistingTheme {
                    id: &t.id,
                    centroid: &t.centroid,
                    pinned: t.pinned,
                    mentions: counts.get(&t.id).copied().unwrap_or(0),
                })
                .collect();
            let inputs: Vec<MentionInput<'_>> = vectors
                .iter()
                .map(|v| MentionInput {
                    id: v.id,
                    theme: v.theme.as_ref(),
                    embedding: &v.embedding,
                    text: texts.get(&v.id).map(String::as_str).unwrap_or(""),
                })
                .collect();
            let found = themes::discover(&existing, &inputs, scope, &params)?;
            let mut update = to_store_update(&project_id, &stored, found);
            update.broad = Some(hierarchy::after_update(
                &project_id,
                &stored,
                &counts,
                &update,
                scope,
                &previous,
                &params,
            )?);
            Ok(update)
        })
        .await??;
        let changed = update.upsert.len();
        self.store.apply_themes(project, update).await?;
        Ok(changed)
    }
}

/// Turns a discovery into the store's update, keeping stored descriptions where the run kept
/// them.
fn to_store_update(project: &ProjectId, stored: &[Theme], found: themes::Discovery) -> ThemeUpdate {
    let now = Timestamp::now();
    let upsert = found
        .themes
        .into_iter()
        .filter_map(|t| {
            let old = stored.iter().find(|s| s.id == t.id);
            let (label, key_phrases, quotes) = match (t.description, old) {
                (Some(d), _) => (d.label, d.key_phrases, d.quotes),
                (None, Some(o)) => (o.label.clone(), o.key_phrases.clone(), o.quotes.clone()),
                (None, None) => return None,
            };
            Some(Theme {
                id: t.id,
                project: project.clone(),
                label,
                name: old.and_then(|o| o.name.clone()),
                key_phrases,
                pinned: old.is_some_and(|o| o.pinned),
                quotes,
                centroid: t.centroid,
                parent_id: None,
                created_at: old.map_or(now, |o| o.created_at),
                updated_at: now,
            })
        })
        .collect();
    let links = found
        .links
        .into_iter()
        .map(|l| (l.mention, Some(l.theme), l.similarity))
        .collect();
    ThemeUpdate {
        upsert,
        remove: found.dissolved,
        links,
        broad: None,
    }
}

/// Per project: its learned classifier and its themes' centroids.
type Context = HashMap<ProjectId, (Option<Arc<Learned>>, Vec<(ThemeId, Vec<f32>)>)>;

/// Analyses a claimed batch (CPU-bound; run on a blocking thread).
fn analyse_batch(
    analyzer: &Analyzer,
    subjects: &[SubjectText],
    context: &Context,
    link_threshold: f32,
) -> Result<Vec<SubjectAnalysis>, EmbedError> {
    // Only what customers wrote is feedback; staff replies are context.
    let customer: Vec<Vec<usize>> = subjects
        .iter()
        .map(|s| {
            (0..s.units.len())
                .filter(|&u| s.units[u].speaker == Speaker::Customer)
                .collect()
        })
        .collect();
    let texts: Vec<Vec<&str>> = subjects
        .iter()
        .zip(&customer)
        .map(|(s, idx)| idx.iter().map(|&u| s.units[u].text.as_str()).collect())
        .collect();
    let mut analyses = analyzer.analyze_zero_shot(&texts)?;
    Ok(subjects
        .iter()
        .zip(analyses.iter_mut())
        .zip(customer.iter().zip(&texts))
        .map(|((subject, analysis), (idx, units))| {
            let (learned, themes) = context.get(&subject.project).cloned().unwrap_or_default();
            if let Some(model) = &learned {
                apply_learned(analysis, &units.join("\n"), model);
            }
            let centroids: Vec<&[f32]> = themes.iter().map(|(_, c)| c.as_slice()).collect();
            let mentions = analysis
                .mentions
                .iter()
                .enumerate()
                .map(|(ordinal, m)| {
                    let unit = &subject.units[idx[m.unit]];
                    MentionRecord {
                        part_id: unit.part_id,
                        ordinal: ordinal as u32,
                        text: m.text.clone(),
                        user_key: unit.user_key.clone(),
                        created_at: unit.created_at,
                        sentiment: m.score.sentiment,
                        category: m.score.category.0,
                        confidence: m.score.category.1,
                        theme: link(&centroids, &m.embedding, link_threshold)
                            .map(|(i, s)| (themes[i].0.clone(), s)),
                        embedding: m.embedding.clone(),
                    }
                })
                .collect();
            let (category, confidence) = subject
                .user_category
                .map_or(analysis.category, |c| (c, 1.0));
            SubjectAnalysis {
                project: subject.project.clone(),
                subject: subject.subject,
                generation: subject.generation,
                source: subject.source.clone(),
                mentions,
                sentiment: analysis.sentiment,
                category,
                confidence,
            }
        })
        .collect())
}
