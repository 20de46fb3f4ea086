//! Multinomial logistic regression over sparse feature vectors, trained by full-batch Adam with
//! L2 regularisation and balanced class weights.
//!
//! Written here rather than taken from a crate: the few Rust ML crates that offer it
//! (linfa-logistic, smartcore) want dense ndarray matrices, and the category classifier mixes
//! 384 dense embedding dimensions with a 2^18-bucket hashed TF-IDF, which only fits sparse.

/// A sparse feature vector: (index, value) pairs, indices below the model's dimension.
pub type Features = Vec<(u32, f32)>;

/// Training settings.
#[derive(Debug, Clone, Copy)]
pub struct TrainParams {
    /// Inverse regularisation strength, as scikit-learn's `C` (larger: less regularisation).
    pub c: f32,
    /// Full-batch optimisation steps.
    pub steps: usize,
    /// Adam learning rate.
    pub learning_rate: f32,
    /// Weigh classes inversely to their frequency.
    pub balanced: bool,
}

impl Default for TrainParams {
    fn default() -> Self {
        Self {
            c: 4.0,
            steps: 300,
            learning_rate: 0.05,
            balanced: true,
        }
    }
}

/// A trained model: one weight row and bias per class (serialisable: shipped heads are JSON).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct LogisticModel {
    dim: usize,
    classes: usize,
    weights: Vec<f32>,
    bias: Vec<f32>,
}

impl LogisticModel {
    /// Trains on `(features, class)` examples with `classes` classes over `dim` features.
    /// Examples with out-of-range classes or indices are ignored.
    pub fn train(
        examples: &[(Features, usize)],
        dim: usize,
        classes: usize,
        params: TrainParams,
    ) -> Self {
        let mut model = Self {
            dim,
            classes,
            weights: vec![0.0; dim * classes],
            bias: vec![0.0; classes],
        };
        let examples: Vec<&(Features, usize)> = examples
            .iter()
            .filter(|(f, y)| *y < classes && f.iter().all(|(i, _)| (*i as usize) < dim))
            .collect();
        if examples.is_empty() || classes == 0 {
            return model;
        }
        let n = examples.len() as f32;
        let mut counts = vec![0f32; classes];
        for (_, y) in &examples {
            counts[*y] += 1.0;
        }
        let present = counts.iter().filter(|c| **c > 0.0).count() as f32;
        let class_weight: Vec<f32> = counts
            .iter()
            .map(|c| {
                if params.balanced && *c > 0.0 {
                    n / (present * c)
                } else {
                    1.0
                }
            })
            .collect();
        // scikit-learn minimises ½‖w‖² + C·Σ loss; per example that is loss + ‖w‖²/(2·C·n).
        let l2 = 1.0 / (params.c * n);
        let mut adam_w = Adam::new(model.weights.len());
        let mut adam_b = Adam::new(classes);
        let mut grad_w = vec![0f32; model.weights.len()];
        let mut grad_b = vec![0f32; classes];
        let mut touched = vec![false; dim];
        for (f, _) in &examples {
            for (i, _) in f {
                touched[*i as usize] = true;
            }
        }
        for step in 1..=params.steps {
            grad_w.iter_mut().for_each(|g| *g = 0.0);
            grad_b.iter_mut().for_each(|g| *g = 0.0);
            for (f, y) in &examples {
                let p = model.probabilities(f);
                let w = class_weight[*y] / n;
                for k in 0..classes {
                    let err = (p[k] - if k == *y { 1.0 } else { 0.0 }) * w;
                    grad_b[k] += err;
                    let row = &mut grad_w[k * dim..(k + 1) * dim];
                    for (i, v) in f {
                        row[*i as usize] += err * v;
                    }
                }
            }
            for k in 0..classes {
                for (i, t) in touched.iter().enumerate() {
                    if *t {
                        grad_w[k * dim + i] += l2 * model.weights[k * dim + i];
                    }
                }
            }
            adam_w.step(&mut model.weights, &grad_w, params.learning_rate, step);
            adam_b.step(&mut model.bias, &grad_b, params.learning_rate, step);
        }
        model
    }

    /// Number of features.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Number of classes.
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// Class probabilities (softmax) for a feature vector; indices out of range are ignored.
    pub fn probabilities(&self, features: &[(u32, f32)]) -> Vec<f32> {
        let mut logits = self.bias.clone();
        for (k, logit) in logits.iter_mut().enumerate() {
            let row = &self.weights[k * self.dim..(k + 1) * self.dim];
            for (i, v) in features {
                if let Some(w) = row.get(*i as usize) {
                    *logit += w * v;
                }
            }
        }
        softmax(&mut logits);
        logits
    }
}

fn softmax(values: &mut [f32]) {
    let max = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in values.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    if sum > 0.0 {
        values.iter_mut().for_each(|v| *v /= sum);
    }
}

/// Adam optimiser state for one parameter vector.
struct Adam {
    m: Vec<f32>,
    v: Vec<f32>,
}

impl Adam {
    fn new(len: usize) -> Self {
        Self {
            m: vec![0.0; len],
            v: vec![0.0; len],
        }
    }

    fn step(&mut self, params: &mut [f32], grads: &[f32], lr: f32, t: usize) {
        const B1: f32 = 0.9;
        const B2: f32 = 0.999;
        let (c1, c2) = (1.0 - B1.powi(t as i32), 1.0 - B2.powi(t as i32));
        for i in 0..params.len() {
            let g = grads[i];
            if g == 0.0 && self.m[i] == 0.0 {
                continue;
            }
            self.m[i] = B1 * self.m[i] + (1.0 - B1) * g;
            self.v[i] = B2 * self.v[i] + (1.0 - B2) * g * g;
            params[i] -= lr * (self.m[i] / c1) / ((self.v[i] / c2).sqrt() + 1e-8);
        }
    }
}

/// Dense features as sparse pairs starting at index `offset`.
pub fn dense(values: &[f32], offset: u32) -> impl Iterator<Item = (u32, f32)> + '_ {
    values
        .iter()
        .enumerate()
        .map(move |(i, v)| (offset + i as u32, *v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separable_classes_are_learned() {
        let ex: Vec<(Features, usize)> = (0..30)
            .map(|i| {
                let k = i % 3;
                (vec![(k as u32, 1.0), (3, (i as f32) / 30.0)], k)
            })
            .collect();
        let m = LogisticModel::train(&ex, 4, 3, TrainParams::default());
        for k in 0..3 {
            let p = m.probabilities(&[(k as u32, 1.0)]);
            let best = p
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1))
                .map(|(i, _)| i);
            assert_eq!(best, Some(k));
            assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-4);
        }
    }

    #[test]
    fn empty_or_invalid_training_sets_give_a_uniform_model() {
        let m = LogisticModel::train(
            &[(vec![(99, 1.0)], 0), (vec![], 7)],
            4,
            2,
            TrainParams::default(),
        );
        assert_eq!(m.probabilities(&[(0, 1.0)]), vec![0.5, 0.5]);
    }
}
