//! Percentage agreement, Cohen's kappa and Gwet's AC1.
//!
//! Kappa and AC1 differ only in their chance term. Kappa takes chance from each coder's own
//! marginal distribution, which makes it collapse when one code dominates (the "kappa paradox"):
//! most trusts do not offer the training, so two coders who agree on 95% of replies can still
//! get a kappa near zero. AC1 takes chance as the probability that a rating is random, which
//! stays meaningful there (Gwet 2008, Br J Math Stat Psychol 61:29–48).

use super::{Estimate, Level, Matrix, TOO_FEW_UNITS};

/// For each unit coded at least twice, the share of pairs of coders who agree; the mean of
/// those shares, in percent. With two coders, the share of units where they agree.
pub fn percent_agreement(matrix: &Matrix) -> Estimate {
    let shares: Vec<f64> = matrix.counts().iter().filter_map(|counts| pair_agreement(counts)).collect();
    if shares.is_empty() {
        return Estimate::Undefined("no unit was coded by two or more coders".into());
    }
    Estimate::checked(100.0 * shares.iter().sum::<f64>() / shares.len() as f64, TOO_FEW_UNITS)
}

/// The share of a unit's pairs of ratings that agree, if it has a pair at all.
fn pair_agreement(counts: &[(usize, usize)]) -> Option<f64> {
    let r: usize = counts.iter().map(|(_, n)| n).sum();
    (r >= 2).then(|| {
        let agreeing: usize = counts.iter().map(|&(_, k)| k * (k - 1)).sum();
        agreeing as f64 / (r * (r - 1)) as f64
    })
}

const FOR_CODES_ONLY: &str = "is for codes, not numbers; read Krippendorff's alpha (interval) instead";

/// Cohen's kappa for exactly two coders, over the units both coded.
pub fn cohen_kappa(matrix: &Matrix, level: &Level) -> Estimate {
    if matches!(level, Level::Interval(_)) {
        return Estimate::Undefined(format!("Cohen's kappa {FOR_CODES_ONLY}"));
    }
    let active = matrix.active_coders();
    let [a, b] = active[..] else {
        return Estimate::Undefined(format!(
            "Cohen's kappa compares exactly two coders; these codings have {}",
            active.len()
        ));
    };
    let pairs: Vec<(usize, usize)> = matrix.rows.iter().filter_map(|r| Some((r[a]?, r[b]?))).collect();
    if pairs.len() < 2 {
        return Estimate::Undefined("fewer than two units were coded by both coders".into());
    }
    let n = pairs.len() as f64;
    let (mut first, mut second) = (vec![0.0; matrix.categories], vec![0.0; matrix.categories]);
    let mut agreed = 0.0;
    for &(x, y) in &pairs {
        first[x] += 1.0 / n;
        second[y] += 1.0 / n;
        if x == y {
            agreed += 1.0 / n;
        }
    }
    let chance: f64 = first.iter().zip(&second).map(|(p, q)| p * q).sum();
    if 1.0 - chance < 1e-12 {
        return Estimate::Undefined(
            "both coders gave every unit one and the same code, so chance explains all agreement".into(),
        );
    }
    Estimate::checked((agreed - chance) / (1.0 - chance), TOO_FEW_UNITS)
}

/// Gwet's AC1 for any number of coders, with missing codings (Gwet 2014, Handbook of
/// Inter-Rater Reliability, 4th ed., ch. 4). The chance term counts the categories of the
/// matrix, including declared ones nobody used.
pub fn gwet_ac1(matrix: &Matrix, level: &Level) -> Estimate {
    if matches!(level, Level::Interval(_)) {
        return Estimate::Undefined(format!("Gwet's AC1 {FOR_CODES_ONLY}"));
    }
    let counts = matrix.counts();
    let shares: Vec<f64> = counts.iter().filter_map(|c| pair_agreement(c)).collect();
    if shares.len() < 2 {
        return Estimate::Undefined(TOO_FEW_UNITS.into());
    }
    let q = matrix.categories;
    if q < 2 {
        return Estimate::Undefined("only one code is possible, so AC1 has no chance term".into());
    }
    let observed = shares.iter().sum::<f64>() / shares.len() as f64;
    // π_k: the mean, over every unit coded at least once, of the share of its ratings in k.
    let mut pi = vec![0.0; q];
    for unit in &counts {
        let r: usize = unit.iter().map(|(_, n)| n).sum();
        for &(k, n) in unit {
            pi[k] += n as f64 / r as f64 / counts.len() as f64;
        }
    }
    let chance = pi.iter().map(|p| p * (1.0 - p)).sum::<f64>() / (q - 1) as f64;
    Estimate::checked((observed - chance) / (1.0 - chance), TOO_FEW_UNITS)
}
