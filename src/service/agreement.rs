//! Agreement statistics as the API and the command line show them: the calculator for codings
//! from any source (a long CSV), and the figures a campaign's coding report reuses.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{FieldError, ServiceError, ServiceResult};
use crate::domain::agreement::{self, ConfidenceInterval, Estimate, Statistics, long_csv};

/// `?level=interval`: how the values compare.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AgreementQuery {
    /// `nominal` (the default): values are codes, and any two different codes disagree.
    /// `interval`: values are numbers, and a difference of 10 weighs more than one of 1.
    #[param(value_type = Option<String>, pattern = "^(nominal|interval)$")]
    pub level: Option<String>,
}

impl AgreementQuery {
    fn interval(&self) -> ServiceResult<bool> {
        match self.level.as_deref() {
            None | Some("nominal") => Ok(false),
            Some("interval") => Ok(true),
            Some(other) => Err(ServiceError::invalid_fields(vec![FieldError::new(
                "level",
                format!("\"{other}\" is not a level; use nominal (codes) or interval (numbers)"),
            )])),
        }
    }
}

/// Agreement between coders, each statistic a number, or null with its reason in `reasons`.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct AgreementFigures {
    /// Units (replies, bodies) coded by at least one coder.
    pub units: usize,
    /// Units coded by two coders or more: the ones agreement is measured on.
    pub pairable_units: usize,
    /// Coders who coded at least one unit.
    pub coders: usize,
    /// The share of pairs of coders who gave a unit the same value, in percent (0–100).
    #[schema(required = true)]
    pub percent_agreement: Option<f64>,
    /// Cohen's kappa: exactly two coders, codes only.
    #[schema(required = true)]
    pub cohen_kappa: Option<f64>,
    /// Krippendorff's alpha: any number of coders, missing codings allowed.
    #[schema(required = true)]
    pub krippendorff_alpha: Option<f64>,
    /// A 95% interval around alpha from 1,000 bootstrap resamples of the units, seeded.
    #[schema(required = true)]
    pub krippendorff_alpha_ci: Option<ConfidenceInterval>,
    /// Gwet's AC1: codes only; stays meaningful when one code dominates.
    #[schema(required = true)]
    pub gwet_ac1: Option<f64>,
    /// For each statistic above that is null, why: by its field name.
    pub reasons: BTreeMap<String, String>,
}

impl From<Statistics> for AgreementFigures {
    fn from(s: Statistics) -> Self {
        let mut reasons = BTreeMap::new();
        let mut take = |name: &str, e: Estimate| {
            if let Some(why) = e.reason() {
                reasons.insert(name.to_string(), why.to_string());
            }
            e.value()
        };
        let percent_agreement = take("percent_agreement", s.percent_agreement);
        let cohen_kappa = take("cohen_kappa", s.cohen_kappa);
        let krippendorff_alpha = take("krippendorff_alpha", s.krippendorff_alpha);
        let gwet_ac1 = take("gwet_ac1", s.gwet_ac1);
        if krippendorff_alpha.is_some() && s.krippendorff_alpha_ci.is_none() {
            reasons.insert(
                "krippendorff_alpha_ci".into(),
                "fewer than half the bootstrap resamples gave a value".into(),
            );
        }
        Self {
            units: s.units,
            pairable_units: s.pairable_units,
            coders: s.coders,
            percent_agreement,
            cohen_kappa,
            krippendorff_alpha,
            krippendorff_alpha_ci: s.krippendorff_alpha_ci,
            gwet_ac1,
            reasons,
        }
    }
}

/// One code of multi-valued codings: did the coders agree on whether it applies.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CodeAgreement {
    pub code: String,
    #[serde(flatten)]
    pub figures: AgreementFigures,
}

/// What `foitrack agreement` and `POST /api/v1/agreement` report.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct AgreementReport {
    /// `nominal` or `interval`.
    pub level: String,
    #[serde(flatten)]
    pub figures: AgreementFigures,
    /// When some unit was given several codes at once: each code, present or absent per unit.
    /// The figures above then compare whole sets of codes. Null when every value is one code.
    #[schema(required = true)]
    pub per_code: Option<Vec<CodeAgreement>>,
}

/// The most the calculator reads: far beyond any study, and a bound on memory.
pub const MAX_AGREEMENT_FILE: u64 = 64 * 1024 * 1024;

/// Statistics for the codings of a long CSV (`unit,coder,value`). A file with any bad row is
/// refused whole, each problem by line.
pub fn agreement_from_csv(bytes: &[u8], query: &AgreementQuery) -> ServiceResult<AgreementReport> {
    let interval = query.interval()?;
    let codings = long_csv::parse(bytes, interval).map_err(|errors| {
        ServiceError::invalid_fields(
            errors.into_iter().map(|e| FieldError::new(format!("line {}", e.line), e.message)).collect(),
        )
    })?;
    Ok(report_of(codings))
}

/// Every statistic for codings from a file or a campaign.
pub(crate) fn report_of(codings: long_csv::LongCodings) -> AgreementReport {
    let per_code = codings.multi.map(|(codes, sets)| {
        codes
            .into_iter()
            .zip(agreement::per_code(&sets))
            .map(|(code, s)| CodeAgreement { code, figures: s.into() })
            .collect()
    });
    AgreementReport {
        level: codings.level.name().to_string(),
        figures: agreement::statistics(&codings.matrix, &codings.level).into(),
        per_code,
    }
}
