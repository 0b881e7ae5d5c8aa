//! Krippendorff's alpha, from the coincidence matrix (Krippendorff 2011, "Computing
//! Krippendorff's Alpha-Reliability", Annenberg School for Communication), for any number of
//! coders with missing codings, nominal or interval; and a bootstrap interval around it.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::{Estimate, Level, Matrix, TOO_FEW_UNITS};

/// A confidence interval from resampling.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ConfidenceInterval {
    /// The lower bound.
    pub low: f64,
    /// The upper bound.
    pub high: f64,
    /// The coverage, 0.95 for a 95% interval.
    pub level: f64,
    /// How many resamples of the units gave a value.
    pub resamples: usize,
}

const NO_VARIATION: &str =
    "every coder gave every unit the same value, so there is no variation for agreement to explain";

/// Alpha = 1 − observed disagreement / disagreement expected by chance.
pub fn krippendorff_alpha(matrix: &Matrix, level: &Level) -> Estimate {
    match alpha_of(&pairable(matrix), matrix.categories(), level) {
        Alpha::Value(a) => Estimate::checked(a, NO_VARIATION),
        Alpha::NoVariation => Estimate::Undefined(NO_VARIATION.into()),
        Alpha::TooFewUnits => Estimate::Undefined(TOO_FEW_UNITS.into()),
    }
}

/// The units coded at least twice, as counts per category: all that alpha depends on.
fn pairable(matrix: &Matrix) -> Vec<Vec<(usize, usize)>> {
    matrix.counts().into_iter().filter(|c| c.iter().map(|(_, n)| n).sum::<usize>() >= 2).collect()
}

enum Alpha {
    Value(f64),
    /// Every value the same: perfect agreement, but nothing for it to explain.
    NoVariation,
    TooFewUnits,
}

fn alpha_of<'a>(units: impl IntoIterator<Item = &'a Vec<(usize, usize)>>, q: usize, level: &Level) -> Alpha {
    // Within a unit of m values, each ordered pair of values from different coders adds
    // 1/(m − 1) to the coincidence matrix. Only its row sums (the marginals) and its weighted
    // total are needed, so the q × q matrix itself is never built: numbers may have thousands
    // of distinct values.
    let mut marginals = vec![0.0; q];
    let mut observed = 0.0;
    let mut count = 0;
    for unit in units {
        count += 1;
        let m: usize = unit.iter().map(|(_, n)| n).sum();
        let weight = 1.0 / (m - 1) as f64;
        for &(c, nc) in unit {
            marginals[c] += nc as f64;
            for &(k, nk) in unit {
                if c != k {
                    observed += (nc * nk) as f64 * weight * level.distance(c, k);
                }
            }
        }
    }
    if count < 2 {
        return Alpha::TooFewUnits;
    }
    if !level.varies(&marginals) {
        return Alpha::NoVariation;
    }
    let n: f64 = marginals.iter().sum();
    Alpha::Value(1.0 - (n - 1.0) * observed / level.expected(&marginals))
}

/// A 95% percentile interval for alpha from `resamples` bootstrap samples of the units (drawn
/// with replacement, as many as there are), seeded so that the same units in the same order
/// give the same interval. A sample with no variation counts as perfect agreement (1). `None`
/// when fewer than half the samples give a value.
pub fn krippendorff_interval(
    matrix: &Matrix,
    level: &Level,
    resamples: usize,
    seed: u64,
) -> Option<ConfidenceInterval> {
    let units = pairable(matrix);
    if units.len() < 2 || resamples == 0 {
        return None;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut values: Vec<f64> = (0..resamples)
        .filter_map(|_| {
            let sample = (0..units.len()).map(|_| &units[rng.random_range(0..units.len())]);
            match alpha_of(sample, matrix.categories(), level) {
                Alpha::Value(a) if a.is_finite() => Some(a),
                // A sample of units on which every coder gave one value is a sample of perfect
                // agreement; leaving it out would pull the interval down.
                Alpha::NoVariation => Some(1.0),
                _ => None,
            }
        })
        .collect();
    if values.len() * 2 < resamples {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let at = |p: f64| values[((values.len() - 1) as f64 * p).round() as usize];
    Some(ConfidenceInterval { low: at(0.025), high: at(0.975), level: 0.95, resamples: values.len() })
}
