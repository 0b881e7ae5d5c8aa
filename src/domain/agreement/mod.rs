//! Agreement between coders: how far two or more people who coded the same replies gave the same
//! codes, beyond what chance alone would give.
//!
//! The data is a [`Matrix`]: one row per unit (a reply, a request), one column per coder, each
//! cell the category that coder gave, or nothing. Numbers are categories too, with a value each
//! ([`Level::Interval`]), so that every statistic works on one shape.
//!
//! A statistic that the data cannot support is [`Estimate::Undefined`] with the reason, never NaN
//! and never a panic: a single code used throughout, one unit, a coder missing.

mod alpha;
mod chance;
pub mod long_csv;
#[cfg(test)]
mod tests;

pub use alpha::{ConfidenceInterval, krippendorff_alpha, krippendorff_interval};
pub use chance::{cohen_kappa, gwet_ac1, percent_agreement};

/// How far apart two categories are: the same or not, or by how much.
#[derive(Debug, Clone, PartialEq)]
pub enum Level {
    /// Codes: two different codes disagree, whichever they are.
    Nominal,
    /// Numbers: the value of each category, by index. Disagreeing by 10 weighs more than by 1.
    Interval(Vec<f64>),
}

impl Level {
    pub fn name(&self) -> &'static str {
        match self {
            Level::Nominal => "nominal",
            Level::Interval(_) => "interval",
        }
    }

    /// Σ_c Σ_k n_c n_k δ²(c, k) over the marginals `n`, in one pass over the categories: for
    /// codes, n² − Σ n_c²; for numbers, 2 n Σ n_c (v_c − v̄)², centred on the mean so that large
    /// values (years, counts in the millions) keep their precision.
    fn expected(&self, n: &[f64]) -> f64 {
        let total: f64 = n.iter().sum();
        match self {
            Level::Nominal => total * total - n.iter().map(|x| x * x).sum::<f64>(),
            Level::Interval(values) => {
                let mean = n.iter().zip(values).map(|(c, v)| c * v).sum::<f64>() / total;
                2.0 * total * n.iter().zip(values).map(|(c, v)| c * (v - mean) * (v - mean)).sum::<f64>()
            }
        }
    }

    /// Whether the values given differ at all: two categories in use, and for numbers two
    /// different values. Decided exactly, not by a threshold on the arithmetic.
    fn varies(&self, n: &[f64]) -> bool {
        let used = n.iter().enumerate().filter(|(_, count)| **count > 0.0).map(|(c, _)| c);
        match self {
            Level::Nominal => used.count() >= 2,
            Level::Interval(values) => {
                let mut seen = used.map(|c| values.get(c).copied().unwrap_or(0.0));
                let first = seen.next();
                seen.any(|v| Some(v) != first)
            }
        }
    }

    /// The squared difference between categories `a` and `b` (Krippendorff's δ²).
    fn distance(&self, a: usize, b: usize) -> f64 {
        match self {
            Level::Nominal => f64::from(u8::from(a != b)),
            Level::Interval(values) => {
                let (x, y) = (values.get(a).copied().unwrap_or(0.0), values.get(b).copied().unwrap_or(0.0));
                (x - y) * (x - y)
            }
        }
    }
}

/// A statistic's value, or why the data cannot give one.
#[derive(Debug, Clone, PartialEq)]
pub enum Estimate {
    Value(f64),
    Undefined(String),
}

impl Estimate {
    pub fn value(&self) -> Option<f64> {
        match self {
            Estimate::Value(v) => Some(*v),
            Estimate::Undefined(_) => None,
        }
    }

    pub fn reason(&self) -> Option<&str> {
        match self {
            Estimate::Value(_) => None,
            Estimate::Undefined(why) => Some(why),
        }
    }

    /// A value, unless arithmetic on degenerate data made it NaN or infinite.
    fn checked(value: f64, why: &str) -> Self {
        if value.is_finite() { Estimate::Value(value) } else { Estimate::Undefined(why.to_string()) }
    }
}

/// Who coded what: one row per unit, one column per coder.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Matrix {
    rows: Vec<Vec<Option<usize>>>,
    coders: usize,
    categories: usize,
}

impl Matrix {
    /// An empty matrix for `coders` coders and (at least) `categories` categories. Declaring a
    /// category nobody used matters to Gwet's AC1, whose chance term counts the possible codes.
    pub fn new(coders: usize, categories: usize) -> Self {
        Self { rows: Vec::new(), coders, categories }
    }

    /// Adds a unit: `cells[c]` is coder `c`'s category. Missing cells are "not coded"; a category
    /// beyond those declared widens the matrix.
    pub fn push(&mut self, mut cells: Vec<Option<usize>>) {
        if cells.len() > self.coders {
            // Rare (a matrix built without knowing its coders): widen every row once.
            self.coders = cells.len();
            for row in &mut self.rows {
                row.resize(self.coders, None);
            }
        }
        cells.resize(self.coders, None);
        if let Some(top) = cells.iter().flatten().max() {
            self.categories = self.categories.max(top + 1);
        }
        self.rows.push(cells);
    }

    /// Units coded by at least one coder.
    pub fn units(&self) -> usize {
        self.rows.iter().filter(|r| r.iter().any(Option::is_some)).count()
    }

    /// Units coded by two coders or more: the only ones that say anything about agreement.
    pub fn pairable_units(&self) -> usize {
        self.rows.iter().filter(|r| r.iter().flatten().count() >= 2).count()
    }

    /// Coders who coded at least one unit.
    pub fn coders(&self) -> usize {
        self.active_coders().len()
    }

    /// The columns of the coders who coded at least one unit.
    fn active_coders(&self) -> Vec<usize> {
        (0..self.coders).filter(|&c| self.rows.iter().any(|r| r[c].is_some())).collect()
    }

    pub fn categories(&self) -> usize {
        self.categories
    }

    /// For each unit coded at least once, how many coders gave it each category it got, as
    /// `(category, count)` pairs: a handful per unit however many categories there are, so the
    /// statistics (and the bootstrap, which repeats them a thousand times) cost per coding.
    fn counts(&self) -> Vec<Vec<(usize, usize)>> {
        self.rows
            .iter()
            .filter(|r| r.iter().any(Option::is_some))
            .map(|r| {
                let mut counts: Vec<(usize, usize)> = Vec::new();
                for &c in r.iter().flatten() {
                    match counts.iter_mut().find(|(category, _)| *category == c) {
                        Some((_, n)) => *n += 1,
                        None => counts.push((c, 1)),
                    }
                }
                counts
            })
            .collect()
    }
}

/// The reason every chance-corrected statistic gives for too little overlap.
pub(crate) const TOO_FEW_UNITS: &str =
    "fewer than two units were coded by two or more coders, so agreement beyond chance cannot be estimated";

/// Every statistic for one set of codings.
#[derive(Debug, Clone, PartialEq)]
pub struct Statistics {
    pub units: usize,
    pub pairable_units: usize,
    pub coders: usize,
    pub level: &'static str,
    /// The share of pairs of coders who gave a unit the same category, in percent.
    pub percent_agreement: Estimate,
    pub cohen_kappa: Estimate,
    pub krippendorff_alpha: Estimate,
    /// A 95% bootstrap interval around alpha, when alpha has a value.
    pub krippendorff_alpha_ci: Option<ConfidenceInterval>,
    pub gwet_ac1: Estimate,
}

/// How many times the bootstrap resamples the units, and from which seed, so that the same data
/// always gives the same interval.
pub const BOOTSTRAP_RESAMPLES: usize = 1000;
pub const BOOTSTRAP_SEED: u64 = 20_070_601;

/// Every statistic for `matrix` at `level`.
pub fn statistics(matrix: &Matrix, level: &Level) -> Statistics {
    let alpha = krippendorff_alpha(matrix, level);
    let krippendorff_alpha_ci =
        alpha.value().and_then(|_| krippendorff_interval(matrix, level, BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED));
    Statistics {
        units: matrix.units(),
        pairable_units: matrix.pairable_units(),
        coders: matrix.coders(),
        level: level.name(),
        percent_agreement: percent_agreement(matrix),
        cohen_kappa: cohen_kappa(matrix, level),
        krippendorff_alpha: alpha,
        krippendorff_alpha_ci,
        gwet_ac1: gwet_ac1(matrix, level),
    }
}

/// Codings where a coder may give a unit several codes: for each unit and coder, the set of
/// codes given (`None`: not coded; an empty set: coded as none of them).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SetMatrix {
    pub rows: Vec<Vec<Option<Vec<usize>>>>,
    pub codes: usize,
}

impl SetMatrix {
    /// For code `code`, whether each coder who coded a unit gave it that code: category 1 if
    /// present, 0 if absent.
    pub fn presence(&self, code: usize) -> Matrix {
        let coders = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        let mut m = Matrix::new(coders, 2);
        for row in &self.rows {
            m.push(row.iter().map(|set| set.as_ref().map(|s| usize::from(s.contains(&code)))).collect());
        }
        m
    }
}

/// Every statistic for each code of multi-valued codings, present or absent per unit.
pub fn per_code(sets: &SetMatrix) -> Vec<Statistics> {
    (0..sets.codes).map(|code| statistics(&sets.presence(code), &Level::Nominal)).collect()
}
