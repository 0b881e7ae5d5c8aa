//! Working days for UK Freedom of Information deadlines.
//!
//! This is the interim calendar of the foundation: a working day is any day that is not a
//! Saturday, a Sunday, or a bank holiday in *any* UK division (FOIA s.10(6)). The statutory
//! deadline engine replaces it with per-regime calendars; everything else calls only
//! [`WorkingDays::add`], so the swap touches one place.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;

/// The gov.uk bank-holidays feed shipped with the service (Open Government Licence).
pub const BUNDLED_BANK_HOLIDAYS: &str = include_str!("../../config/uk-bank-holidays.json");

#[derive(Debug, thiserror::Error)]
pub enum CalendarError {
    #[error("the bank holiday file is not the gov.uk bank-holidays JSON format: {0}")]
    Format(String),
}

#[derive(Deserialize)]
struct Division {
    events: Vec<HolidayEvent>,
}

#[derive(Deserialize)]
struct HolidayEvent {
    title: String,
    date: NaiveDate,
}

/// One bank holiday and the UK divisions that observe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    pub date: NaiveDate,
    pub title: String,
    pub divisions: Vec<String>,
}

/// The set of non-working days: weekends plus every bank holiday of any UK division.
#[derive(Debug, Clone)]
pub struct WorkingDays {
    holidays: BTreeMap<NaiveDate, Holiday>,
}

impl WorkingDays {
    /// Builds the calendar from the bundled gov.uk feed.
    pub fn bundled() -> Self {
        Self::from_gov_uk_json(BUNDLED_BANK_HOLIDAYS).expect("the bundled bank holiday file is valid")
    }

    /// Parses a gov.uk `bank-holidays.json` document (divisions keyed by name, each with events).
    pub fn from_gov_uk_json(json: &str) -> Result<Self, CalendarError> {
        let divisions: BTreeMap<String, Division> =
            serde_json::from_str(json).map_err(|e| CalendarError::Format(e.to_string()))?;
        if divisions.is_empty() {
            return Err(CalendarError::Format("it lists no divisions".into()));
        }
        let mut holidays: BTreeMap<NaiveDate, Holiday> = BTreeMap::new();
        for (name, division) in divisions {
            for event in division.events {
                let entry = holidays.entry(event.date).or_insert_with(|| Holiday {
                    date: event.date,
                    title: event.title.clone(),
                    divisions: Vec::new(),
                });
                entry.divisions.push(name.clone());
            }
        }
        Ok(Self { holidays })
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains_key(&date)
    }

    /// The `days`-th working day after `start`. `start` itself is day zero, whatever kind of day
    /// it is, so a request received on a Saturday has day 1 on the next working day.
    pub fn add(&self, start: NaiveDate, days: u32) -> NaiveDate {
        let mut date = start;
        let mut counted = 0;
        while counted < days {
            date = date.succ_opt().expect("dates stay far inside chrono's range");
            if self.is_working_day(date) {
                counted += 1;
            }
        }
        date
    }

    /// Working days in `from..=to` (both ends included); zero when `to` is before `from`.
    pub fn count_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        from.iter_days().take_while(|d| *d <= to).filter(|d| self.is_working_day(*d)).count() as u32
    }

    pub fn holiday(&self, date: NaiveDate) -> Option<&Holiday> {
        self.holidays.get(&date)
    }

    /// Years covered by the holiday data; outside them only weekends are known.
    pub fn covered_years(&self) -> BTreeSet<i32> {
        self.holidays.keys().map(|d| d.year()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn bundled_feed_covers_2019_to_2027_in_three_divisions() {
        let cal = WorkingDays::bundled();
        assert_eq!(cal.covered_years(), (2019..=2027).collect());
        let st_andrews = cal.holiday(d("2021-11-30")).unwrap();
        assert_eq!(st_andrews.divisions, vec!["scotland".to_string()]);
        assert!(cal.holiday(d("2022-07-12")).unwrap().divisions.contains(&"northern-ireland".into()));
    }

    #[test]
    fn day_zero_is_the_day_of_receipt() {
        let cal = WorkingDays::bundled();
        // Monday 2021-11-01: 20 working days later is Monday 2021-11-29 (no holiday in between
        // except St Andrew's Day, which is the 30th).
        assert_eq!(cal.add(d("2021-11-01"), 20), d("2021-11-29"));
        assert_eq!(cal.add(d("2021-11-01"), 0), d("2021-11-01"));
    }

    #[test]
    fn skips_bank_holidays_of_every_division() {
        let cal = WorkingDays::bundled();
        // Sent Monday 2021-12-06. Non-working: 27-28 Dec (Christmas and Boxing Day substitutes),
        // 3 Jan (New Year substitute) and 4 Jan (the Scottish 2 January substitute).
        assert_eq!(cal.add(d("2021-12-06"), 20), d("2022-01-07"));
    }

    #[test]
    fn receipt_on_a_weekend_counts_from_the_next_working_day() {
        let cal = WorkingDays::bundled();
        // Saturday 2021-11-06: day 1 is Monday the 8th; the Scottish St Andrew's Day (Tuesday
        // 30 November) is skipped, so day 20 is Monday 6 December.
        assert_eq!(cal.add(d("2021-11-06"), 20), d("2021-12-06"));
        assert_eq!(cal.add(d("2021-11-06"), 1), d("2021-11-08"));
    }

    #[test]
    fn counts_working_days_in_a_closed_range() {
        let cal = WorkingDays::bundled();
        assert_eq!(cal.count_between(d("2021-12-06"), d("2021-12-12")), 5);
        assert_eq!(cal.count_between(d("2021-12-24"), d("2021-12-28")), 1);
        assert_eq!(cal.count_between(d("2021-12-12"), d("2021-12-06")), 0);
    }

    #[test]
    fn rejects_a_file_that_is_not_the_gov_uk_format() {
        assert!(WorkingDays::from_gov_uk_json("[1,2]").is_err());
        assert!(WorkingDays::from_gov_uk_json("{}").is_err());
    }
}
