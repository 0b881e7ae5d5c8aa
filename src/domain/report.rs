//! The arithmetic of a campaign's report: percentages as the table prints them, quantiles of
//! counted values, and London against the rest of England.

/// What a question's percentages are out of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AppliesTo {
    /// The bodies that responded.
    Responded,
    /// The bodies the question applies to (its condition holds in their final codes).
    Applicable,
}

/// `count` of `denominator` in percent, to one decimal place; `None` out of nothing.
pub fn percent(count: i64, denominator: i64) -> Option<f64> {
    (denominator > 0).then(|| (count as f64 * 1000.0 / denominator as f64).round() / 10.0)
}

/// Where the `q`-quantile (0 to 1) of `n` sorted values lies, by R's default rule (type 7):
/// between the values at two ranks (0-based), this far from the first.
pub fn quantile_ranks(n: i64, q: f64) -> (i64, i64, f64) {
    let h = (n - 1).max(0) as f64 * q.clamp(0.0, 1.0);
    (h.floor() as i64, h.ceil() as i64, h - h.floor())
}

/// The `q`-quantile (0 to 1) of values given with how often each occurs, by the same rule as
/// R's default (type 7): linear between the two nearest ranks. `None` for no values.
pub fn quantile(counted: &[(f64, i64)], q: f64) -> Option<f64> {
    let mut sorted: Vec<(f64, i64)> = counted.iter().copied().filter(|(_, n)| *n > 0).collect();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n: i64 = sorted.iter().map(|(_, c)| c).sum();
    if n == 0 {
        return None;
    }
    let (lo, hi, frac) = quantile_ranks(n, q);
    let at = |rank: i64| {
        let mut seen = 0;
        for &(v, c) in &sorted {
            seen += c;
            if rank < seen {
                return v;
            }
        }
        sorted[sorted.len() - 1].0
    };
    let (a, b) = (at(lo), at(hi));
    Some(a + (b - a) * frac)
}

/// The region name the report gives bodies with none recorded.
pub const UNKNOWN_REGION: &str = "Unknown";

/// "London" or "Rest of England", for the cross-tabulation of provision in London; a body with
/// no region stays "Unknown".
pub fn london_or_rest(region: &str) -> &'static str {
    match region {
        r if r.eq_ignore_ascii_case("london") => "London",
        UNKNOWN_REGION => UNKNOWN_REGION,
        _ => "Rest of England",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_as_the_paper_prints_them() {
        assert_eq!(percent(35, 199), Some(17.6));
        assert_eq!(percent(23, 164), Some(14.0));
        assert_eq!(percent(1, 3), Some(33.3));
        assert_eq!(percent(0, 0), None);
    }

    #[test]
    fn quantiles_follow_rs_default_rule() {
        // R: quantile(c(1, 2, 3, 4), c(.25, .5, .75)) gives 1.75, 2.5, 3.25.
        let v = [(1.0, 1), (2.0, 1), (3.0, 1), (4.0, 1)];
        assert_eq!(quantile(&v, 0.25), Some(1.75));
        assert_eq!(quantile(&v, 0.5), Some(2.5));
        assert_eq!(quantile(&v, 0.75), Some(3.25));
        // Counted values: 20 twice and 5 once is c(5, 20, 20).
        assert_eq!(quantile(&[(20.0, 2), (5.0, 1)], 0.5), Some(20.0));
        assert_eq!(quantile(&[(7.0, 3)], 0.25), Some(7.0));
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(quantile(&[(3.0, 0)], 0.5), None);
    }

    #[test]
    fn london_and_the_rest() {
        assert_eq!(london_or_rest("London"), "London");
        assert_eq!(london_or_rest("North West"), "Rest of England");
        assert_eq!(london_or_rest(UNKNOWN_REGION), "Unknown");
    }
}
