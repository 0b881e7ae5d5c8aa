//! Working-day calendars.
//!
//! A calendar knows which days are not working days for one set of UK divisions: Saturdays,
//! Sundays, and the bank holidays of any of its divisions (FOIA s.10(6) names Christmas Day and
//! Good Friday too; they are bank holidays everywhere). Adding working days is a lookup in a
//! precomputed index, not a loop, so a million due dates take milliseconds.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};

use super::holidays::{Division, HolidayData, generated};

/// The span the index covers; dates outside it are still answered, by counting day by day.
const INDEX_FIRST_YEAR: i32 = 1990;
const INDEX_LAST_YEAR: i32 = 2100;

/// A non-working day and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct SkippedDay {
    pub date: NaiveDate,
    /// "Saturday", "Sunday", or the holiday's name, such as "2nd January (substitute day)".
    pub reason: String,
    /// The divisions whose bank holiday it is; empty for weekends.
    pub divisions: Vec<Division>,
}

#[derive(Debug, Clone)]
pub struct Calendar {
    divisions: Vec<Division>,
    holidays: BTreeMap<NaiveDate, (String, Vec<Division>)>,
    first: NaiveDate,
    /// `rank[i]`: working days in `first ..= first + i`.
    rank: Vec<u32>,
    /// Offsets from `first` of the working days, in order.
    working: Vec<u32>,
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

impl Calendar {
    /// The calendar of the given divisions' bank holidays (none: weekends only).
    pub fn new(data: &HolidayData, divisions: &[Division]) -> Self {
        let mut holidays: BTreeMap<NaiveDate, (String, Vec<Division>)> = BTreeMap::new();
        for division in divisions {
            for year in INDEX_FIRST_YEAR - 1..=INDEX_LAST_YEAR + 1 {
                for h in data.holidays(*division, year) {
                    let entry = holidays.entry(h.date).or_insert_with(|| (h.title.clone(), Vec::new()));
                    if !entry.1.contains(division) {
                        entry.1.push(*division);
                    }
                }
            }
        }
        let first = NaiveDate::from_ymd_opt(INDEX_FIRST_YEAR, 1, 1).expect("valid");
        let last = NaiveDate::from_ymd_opt(INDEX_LAST_YEAR, 12, 31).expect("valid");
        let mut rank = Vec::with_capacity((last - first).num_days() as usize + 1);
        let mut working = Vec::new();
        let mut count = 0u32;
        for (offset, day) in first.iter_days().take_while(|d| *d <= last).enumerate() {
            if !is_weekend(day) && !holidays.contains_key(&day) {
                count += 1;
                working.push(offset as u32);
            }
            rank.push(count);
        }
        Self { divisions: divisions.to_vec(), holidays, first, rank, working }
    }

    fn offset(&self, date: NaiveDate) -> Option<usize> {
        let offset = (date - self.first).num_days();
        (offset >= 0 && (offset as usize) < self.rank.len()).then_some(offset as usize)
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !is_weekend(date) && !self.holidays.contains_key(&date) && self.known_outside_index(date)
    }

    /// Outside the index, holidays come from the rules on demand (the map only spans the index).
    fn known_outside_index(&self, date: NaiveDate) -> bool {
        self.offset(date).is_some()
            || !self.divisions.iter().any(|d| generated(*d, date.year()).iter().any(|h| h.date == date))
    }

    /// The `days`-th working day after `start`. `start` is day zero whatever kind of day it is,
    /// so a request received on a Saturday has day 1 on the next working day.
    pub fn add(&self, start: NaiveDate, days: u32) -> NaiveDate {
        if days == 0 {
            return start;
        }
        if let Some(offset) = self.offset(start) {
            let target = self.rank[offset] as usize + days as usize - 1;
            if let Some(found) = self.working.get(target) {
                return self.first + chrono::Duration::days(i64::from(*found));
            }
        }
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

    /// The first working day on or after `date`.
    pub fn on_or_after(&self, date: NaiveDate) -> NaiveDate {
        let mut d = date;
        while !self.is_working_day(d) {
            d = d.succ_opt().expect("in range");
        }
        d
    }

    /// Working days in `from ..= to`; zero when `to` is before `from`.
    pub fn count_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        if to < from {
            return 0;
        }
        match (self.offset(from), self.offset(to)) {
            (Some(a), Some(b)) => self.rank[b] - if a == 0 { 0 } else { self.rank[a - 1] },
            _ => from.iter_days().take_while(|d| *d <= to).filter(|d| self.is_working_day(*d)).count() as u32,
        }
    }

    /// Every non-working day after `after` up to and including `to`, with its reason.
    pub fn skipped(&self, after: NaiveDate, to: NaiveDate) -> Vec<SkippedDay> {
        let Some(start) = after.succ_opt() else { return Vec::new() };
        start
            .iter_days()
            .take_while(|d| *d <= to)
            .filter(|d| !self.is_working_day(*d))
            .map(|date| match self.holidays.get(&date) {
                Some((title, divisions)) => {
                    SkippedDay { date, reason: title.clone(), divisions: divisions.clone() }
                }
                None if is_weekend(date) => {
                    SkippedDay { date, reason: date.format("%A").to_string(), divisions: Vec::new() }
                }
                None => SkippedDay { date, reason: "bank holiday".into(), divisions: self.divisions.clone() },
            })
            .collect()
    }
}

#[cfg(test)]
#[path = "calendar_tests.rs"]
mod tests;
