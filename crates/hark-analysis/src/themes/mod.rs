//! The theme engine: pure algorithms that turn mention embeddings into themes.
//!
//! Pipeline: [`knn`] finds each vector's nearest neighbours (exact blocked matrix products, or
//! an inverted-file search for large inputs), [`mod@cluster`] turns them into a weighted k-NN
//! graph and runs [`louvain`] community detection on it, [`labels`] names each community by
//! class-based TF-IDF and picks quotes, and [`mod@discover`] applies the product rules (minimum
//! size, stable ids, pinned themes) and links new mentions. [`metrics`] scores a clustering
//! against known labels. [`broad`] groups themes into broad themes (the hierarchy's upper
//! level).
//!
//! Nothing here touches the store: inputs are slices of unit-length vectors and texts.
pub mod broad;
pub mod cluster;
pub mod discover;
pub mod knn;
pub mod labels;
pub mod louvain;
pub mod metrics;

pub use cluster::{cluster, ClusterParams};
pub use discover::{
    discover, link, Description, DiscoverParams, Discovery, ExistingTheme, FoundTheme, Link,
    MentionInput, Origin, Scope, LINK_THRESHOLD,
};

/// Why a theme computation failed (only the matrix library can fail; inputs never make it fail).
#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    /// A matrix product failed.
    #[error("similarity computation failed")]
    Compute(#[from] candle_core::Error),
}

/// Dot product of two equally long slices (cosine for unit vectors); extra elements are ignored.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Scales `v` to unit length in place; a zero or non-finite vector is left as it is.
pub fn normalize(v: &mut [f32]) {
    let norm = dot(v, v).sqrt();
    if norm.is_finite() && norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

/// The unit-length mean of the given rows of a flat `n × dim` matrix.
pub fn centroid(data: &[f32], dim: usize, rows: impl IntoIterator<Item = usize>) -> Vec<f32> {
    let mut c = vec![0.0f32; dim];
    for r in rows {
        if let Some(row) = data.get(r * dim..(r + 1) * dim) {
            c.iter_mut().zip(row).for_each(|(a, b)| *a += b);
        }
    }
    normalize(&mut c);
    c
}
