//! Legal regimes: the periods each law sets and the calendar its working days are counted on.
//! Four are built in (FOIA, EIR, FOISA, EISR); more can be configured for other jurisdictions
//! or kinds of body, each based on a built-in one.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::calendar::Calendar;
use super::holidays::{Division, HolidayData};

/// How a body may extend the time to respond.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ExtensionRule {
    /// FOIA s.10(3): to a stated date, or (ICO guidance) by a further number of working days.
    PublicInterest { default_days: u32 },
    /// EIR reg 7 and EISR reg 7: complex and voluminous requests, to this many working days
    /// after receipt.
    ComplexRequest { total_days: u32 },
    /// No extension (FOISA).
    None,
}

/// What a regime says, in numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RegimeRules {
    pub name: String,
    pub description: String,
    /// Whose bank holidays are not working days.
    pub divisions: Vec<Division>,
    /// Working days (or calendar days, see `calendar_days`) to respond.
    pub response_days: u32,
    /// When a request counts as very overdue, in days after receipt.
    pub very_overdue_days: u32,
    /// Days to answer an internal review.
    pub review_days: u32,
    /// The outer limit for an internal review, when the law or guidance sets one.
    pub review_limit_days: Option<u32>,
    pub extension: ExtensionRule,
    /// Count calendar days instead of working days, moving a deadline that lands on a
    /// non-working day to the next working day.
    pub calendar_days: bool,
    /// For requests sent by post: working days after posting that receipt is assumed.
    pub post_receipt_days: u32,
}

impl RegimeRules {
    pub fn foia() -> Self {
        Self {
            name: "foia".into(),
            description: "Freedom of Information Act 2000".into(),
            divisions: Division::ALL.to_vec(),
            response_days: 20,
            very_overdue_days: 40,
            review_days: 20,
            review_limit_days: Some(40),
            extension: ExtensionRule::PublicInterest { default_days: 20 },
            calendar_days: false,
            post_receipt_days: 2,
        }
    }

    pub fn eir() -> Self {
        Self {
            name: "eir".into(),
            description: "Environmental Information Regulations 2004".into(),
            review_days: 40,
            review_limit_days: None,
            extension: ExtensionRule::ComplexRequest { total_days: 40 },
            ..Self::foia()
        }
    }

    pub fn foisa() -> Self {
        Self {
            name: "foisa".into(),
            description: "Freedom of Information (Scotland) Act 2002".into(),
            divisions: vec![Division::Scotland],
            review_limit_days: None,
            extension: ExtensionRule::None,
            ..Self::foia()
        }
    }

    pub fn eisr() -> Self {
        Self {
            name: "eisr".into(),
            description: "Environmental Information (Scotland) Regulations 2004".into(),
            extension: ExtensionRule::ComplexRequest { total_days: 40 },
            ..Self::foisa()
        }
    }

    pub fn builtin() -> Vec<Self> {
        vec![Self::foia(), Self::eir(), Self::foisa(), Self::eisr()]
    }
}

/// A regime with its calendar: everything needed to compute its deadlines.
#[derive(Debug, Clone)]
pub struct Regime {
    pub rules: RegimeRules,
    pub calendar: Arc<Calendar>,
}

impl Regime {
    /// The deadline `days` after `start` in this regime's way of counting.
    pub fn add(&self, start: NaiveDate, days: u32) -> NaiveDate {
        if self.rules.calendar_days {
            self.calendar.on_or_after(start + chrono::Duration::days(i64::from(days)))
        } else {
            self.calendar.add(start, days)
        }
    }

    /// Days between two dates as this regime counts them (`from ..= to`).
    pub fn count_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        if self.rules.calendar_days {
            if to < from { 0 } else { (to - from).num_days() as u32 + 1 }
        } else {
            self.calendar.count_between(from, to)
        }
    }

    /// The date of receipt of a request sent on `sent_on` by post.
    pub fn posted_receipt(&self, sent_on: NaiveDate) -> NaiveDate {
        self.calendar.add(sent_on, self.rules.post_receipt_days)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegimeError {
    #[error("\"{given}\" is not a known regime; use one of: {known}")]
    Unknown { given: String, known: String },
    #[error("regime \"{0}\": {1}")]
    Invalid(String, String),
}

/// All regimes the service knows, by name.
#[derive(Debug, Clone)]
pub struct Regimes {
    by_name: BTreeMap<String, Arc<Regime>>,
}

impl Regimes {
    /// The built-in regimes plus `custom` ones, all on the calendars of `data`. Regimes with the
    /// same divisions share one calendar.
    pub fn new(data: &HolidayData, custom: &[RegimeRules]) -> Result<Self, RegimeError> {
        let mut calendars: BTreeMap<Vec<Division>, Arc<Calendar>> = BTreeMap::new();
        let mut by_name = BTreeMap::new();
        for rules in RegimeRules::builtin().into_iter().chain(custom.iter().cloned()) {
            let name = rules.name.clone();
            if name.is_empty()
                || !name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                return Err(RegimeError::Invalid(name, "names use lower-case letters, digits and _".into()));
            }
            if rules.response_days == 0 || rules.very_overdue_days < rules.response_days {
                return Err(RegimeError::Invalid(
                    name,
                    "very_overdue_days must be at least response_days, which must be positive".into(),
                ));
            }
            if by_name.contains_key(&name) {
                return Err(RegimeError::Invalid(
                    name,
                    "a regime of that name already exists (the built-in ones are foia, eir, foisa and eisr)"
                        .into(),
                ));
            }
            let mut divisions = rules.divisions.clone();
            divisions.sort();
            divisions.dedup();
            let calendar = calendars
                .entry(divisions.clone())
                .or_insert_with(|| Arc::new(Calendar::new(data, &divisions)))
                .clone();
            by_name.insert(name, Arc::new(Regime { rules, calendar }));
        }
        Ok(Self { by_name })
    }

    pub fn get(&self, name: &str) -> Result<Arc<Regime>, RegimeError> {
        let key = name.trim().to_ascii_lowercase();
        self.by_name.get(&key).cloned().ok_or_else(|| RegimeError::Unknown {
            given: name.to_string(),
            known: self.by_name.keys().cloned().collect::<Vec<_>>().join(", "),
        })
    }

    pub fn all(&self) -> impl Iterator<Item = &Regime> {
        self.by_name.values().map(|r| r.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn regimes() -> Regimes {
        let schools = RegimeRules { name: "schools".into(), very_overdue_days: 60, ..RegimeRules::foia() };
        let calendar = RegimeRules {
            name: "thirty_days".into(),
            response_days: 30,
            very_overdue_days: 60,
            calendar_days: true,
            divisions: vec![Division::EnglandAndWales],
            ..RegimeRules::foia()
        };
        Regimes::new(&HolidayData::bundled(), &[schools, calendar]).unwrap()
    }

    #[test]
    fn builtin_regimes_count_on_their_own_calendars() {
        let r = regimes();
        let (foia, foisa) = (r.get("foia").unwrap(), r.get("FOISA").unwrap());
        // Over St Patrick's Day 2022: only FOIA skips it.
        assert_eq!(foia.add(d("2022-03-15"), 20), d("2022-04-13"));
        assert_eq!(foisa.add(d("2022-03-15"), 20), d("2022-04-12"));
        assert_eq!(r.get("eir").unwrap().rules.extension, ExtensionRule::ComplexRequest { total_days: 40 });
        assert_eq!(foisa.rules.extension, ExtensionRule::None);
    }

    #[test]
    fn custom_regimes_from_settings() {
        let r = regimes();
        assert_eq!(r.get("schools").unwrap().rules.very_overdue_days, 60);
        let thirty = r.get("thirty_days").unwrap();
        // 30 calendar days from Friday 2021-11-26 is Sunday 26 December; the next working day in
        // England and Wales is Wednesday 29th (27 and 28 are the Christmas substitutes).
        assert_eq!(thirty.add(d("2021-11-26"), 30), d("2021-12-29"));
        assert_eq!(thirty.count_between(d("2021-12-01"), d("2021-12-31")), 31);
    }

    #[test]
    fn unknown_and_invalid_regimes_are_explained() {
        let err = regimes().get("gdpr").unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"gdpr\" is not a known regime; use one of: eir, eisr, foia, foisa, schools, thirty_days"
        );
        let bad = RegimeRules { name: "Bad Name".into(), ..RegimeRules::foia() };
        assert!(Regimes::new(&HolidayData::bundled(), &[bad]).is_err());
        let short = RegimeRules { name: "short".into(), very_overdue_days: 10, ..RegimeRules::foia() };
        assert!(Regimes::new(&HolidayData::bundled(), &[short]).is_err());
        let shadow = RegimeRules { very_overdue_days: 60, ..RegimeRules::foia() };
        assert!(
            Regimes::new(&HolidayData::bundled(), &[shadow])
                .unwrap_err()
                .to_string()
                .contains("already exists")
        );
    }

    #[test]
    fn posted_requests_are_received_two_working_days_later() {
        let foia = regimes().get("foia").unwrap();
        assert_eq!(foia.posted_receipt(d("2021-12-23")), d("2021-12-29"));
    }
}
