//! UK bank holidays: the gov.uk feed where it has data, and the rules that generate every other
//! year (fixed dates with substitute days, Easter from the computus, first and last Mondays,
//! 2 January and St Andrew's Day in Scotland, St Patrick's Day and the Battle of the Boyne in
//! Northern Ireland), plus the one-off changes proclaimed since 1995.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::Deserialize;

use crate::text_enum;

text_enum! {
    /// The three parts of the UK with their own bank holidays, spelled as gov.uk spells them.
    pub enum Division("division") {
        EnglandAndWales => "england-and-wales",
        Scotland => "scotland",
        NorthernIreland => "northern-ireland",
    }
}

/// One bank holiday in one division.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    pub date: NaiveDate,
    pub title: String,
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid calendar date")
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Easter Sunday (Gregorian), by the anonymous "Meeus/Jones/Butcher" computus.
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    date(year, month as u32, day as u32)
}

fn first_monday(year: i32, month: u32) -> NaiveDate {
    let first = date(year, month, 1);
    first + Duration::days(i64::from((7 - first.weekday().num_days_from_monday()) % 7))
}

fn last_monday(year: i32, month: u32) -> NaiveDate {
    let next = if month == 12 { date(year + 1, 1, 1) } else { date(year, month + 1, 1) };
    let last = next.pred_opt().expect("in range");
    last - Duration::days(i64::from(last.weekday().num_days_from_monday()))
}

/// Places fixed-date holidays: each on its own date when that is a weekday, otherwise on the next
/// weekday not already taken (so Christmas on a Saturday moves to Monday and Boxing Day on the
/// Sunday to Tuesday).
fn with_substitutes(out: &mut Vec<Holiday>, fixed: &[(NaiveDate, &str)]) {
    let mut taken: BTreeSet<NaiveDate> = fixed.iter().map(|(d, _)| *d).filter(|d| !is_weekend(*d)).collect();
    for (day, title) in fixed {
        if !is_weekend(*day) {
            out.push(Holiday { date: *day, title: title.to_string() });
            continue;
        }
        let mut sub = *day;
        while is_weekend(sub) || taken.contains(&sub) {
            sub = sub.succ_opt().expect("in range");
        }
        taken.insert(sub);
        out.push(Holiday { date: sub, title: format!("{title} (substitute day)") });
    }
}

/// A proclaimed change to the usual pattern, in the divisions it names.
struct OneOff {
    year: i32,
    divisions: &'static [Division],
    /// The usual holiday (month, day) it replaces; none for an extra holiday.
    replaces: Option<(u32, u32)>,
    on: (u32, u32),
    title: &'static str,
    /// Proclaimed after the bundled feed was published, so a copy of the gov.uk feed may lack it
    /// (see [`HolidayData::from_gov_uk_json`]).
    newer_than_feed: bool,
}

const UK: &[Division] = Division::ALL;
const SCOTLAND: &[Division] = &[Division::Scotland];

const fn one_off(year: i32, replaces: Option<(u32, u32)>, on: (u32, u32), title: &'static str) -> OneOff {
    OneOff { year, divisions: UK, replaces, on, title, newer_than_feed: false }
}

const ONE_OFFS: &[OneOff] = &[
    one_off(1995, Some((5, 1)), (5, 8), "Early May bank holiday (VE day)"),
    one_off(1999, None, (12, 31), "Millennium Eve"),
    one_off(2002, Some((5, 27)), (6, 4), "Spring bank holiday"),
    one_off(2002, None, (6, 3), "Golden Jubilee bank holiday"),
    one_off(2011, None, (4, 29), "Royal wedding"),
    one_off(2012, Some((5, 28)), (6, 4), "Spring bank holiday"),
    one_off(2012, None, (6, 5), "Diamond Jubilee bank holiday"),
    one_off(2020, Some((5, 4)), (5, 8), "Early May bank holiday (VE day)"),
    one_off(2022, Some((5, 30)), (6, 2), "Spring bank holiday"),
    one_off(2022, None, (6, 3), "Platinum Jubilee bank holiday"),
    one_off(2022, None, (9, 19), "Bank Holiday for the State Funeral of Queen Elizabeth II"),
    one_off(2023, None, (5, 8), "Bank holiday for the coronation of King Charles III"),
    // Privy Council proclamation of February 2026.
    OneOff {
        year: 2026,
        divisions: SCOTLAND,
        replaces: None,
        on: (6, 15),
        title: "Bank holiday for Scotland’s participation in the FIFA World Cup",
        newer_than_feed: true,
    },
];

/// The first year each rule applies. The Banking and Financial Dealings Act 1971 (Schedule 1)
/// made the late May and late (or, in Scotland, early) August Mondays bank holidays; New Year's
/// Day in England, Wales and Northern Ireland, and Boxing Day in Scotland, followed by
/// proclamation from 1974; the Early May Monday from 1978 (Scotland's first Monday in May goes
/// back to the Bank Holidays Act 1871); St Andrew's Day from the St Andrew's Day Bank Holiday
/// (Scotland) Act 2007, first observed on 30 November 2007.
pub mod first_year {
    pub const SPRING_AND_SUMMER: i32 = 1971;
    /// 2 January in Scotland, in Schedule 1 of the 1971 Act.
    pub const SECOND_JANUARY: i32 = 1971;
    pub const NEW_YEARS_DAY_OUTSIDE_SCOTLAND: i32 = 1974;
    pub const BOXING_DAY_IN_SCOTLAND: i32 = 1974;
    pub const EARLY_MAY_OUTSIDE_SCOTLAND: i32 = 1978;
    pub const ST_ANDREWS_DAY: i32 = 2007;
}

/// The bank holidays of `division` in `year` by rule, one-off changes included.
pub fn generated(division: Division, year: i32) -> Vec<Holiday> {
    let mut out = by_rule(division, year);
    for change in ONE_OFFS.iter().filter(|o| o.year == year && o.divisions.contains(&division)) {
        if let Some((m, d)) = change.replaces {
            out.retain(|h| h.date != date(year, m, d));
        }
        out.push(Holiday { date: date(year, change.on.0, change.on.1), title: change.title.to_string() });
    }
    out.sort_by_key(|h| h.date);
    out
}

/// The usual pattern alone, without proclaimed one-off changes.
pub fn by_rule(division: Division, year: i32) -> Vec<Holiday> {
    use first_year::*;
    let scotland = division == Division::Scotland;
    let mut out = Vec::new();
    let mut new_year = Vec::new();
    if scotland || year >= NEW_YEARS_DAY_OUTSIDE_SCOTLAND {
        new_year.push((date(year, 1, 1), "New Year’s Day"));
    }
    if scotland && year >= SECOND_JANUARY {
        new_year.push((date(year, 1, 2), "2nd January"));
    }
    with_substitutes(&mut out, &new_year);
    if division == Division::NorthernIreland {
        with_substitutes(&mut out, &[(date(year, 3, 17), "St Patrick’s Day")]);
    }
    let easter = easter_sunday(year);
    out.push(Holiday { date: easter - Duration::days(2), title: "Good Friday".into() });
    if !scotland {
        out.push(Holiday { date: easter + Duration::days(1), title: "Easter Monday".into() });
    }
    if scotland || year >= EARLY_MAY_OUTSIDE_SCOTLAND {
        out.push(Holiday { date: first_monday(year, 5), title: "Early May bank holiday".into() });
    }
    if year >= SPRING_AND_SUMMER {
        out.push(Holiday { date: last_monday(year, 5), title: "Spring bank holiday".into() });
    }
    if division == Division::NorthernIreland {
        with_substitutes(&mut out, &[(date(year, 7, 12), "Battle of the Boyne (Orangemen’s Day)")]);
    }
    if year >= SPRING_AND_SUMMER {
        let summer = if scotland { first_monday(year, 8) } else { last_monday(year, 8) };
        out.push(Holiday { date: summer, title: "Summer bank holiday".into() });
    }
    if scotland && year >= ST_ANDREWS_DAY {
        with_substitutes(&mut out, &[(date(year, 11, 30), "St Andrew’s Day")]);
    }
    let christmas: &[(NaiveDate, &str)] = if scotland && year < BOXING_DAY_IN_SCOTLAND {
        &[(date(year, 12, 25), "Christmas Day")]
    } else {
        &[(date(year, 12, 25), "Christmas Day"), (date(year, 12, 26), "Boxing Day")]
    };
    with_substitutes(&mut out, christmas);
    out.sort_by_key(|h| h.date);
    out
}

/// A fingerprint of the rules compiled into this build: the bundled feed and every generated
/// holiday over the years a deadline can touch. A new build whose fingerprint differs from the
/// one stored in the database knows that stored deadlines may be stale.
pub fn rules_fingerprint() -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    hash.update(BUNDLED_FEED.as_bytes());
    for division in Division::ALL {
        for year in 1971..=2100 {
            for h in generated(*division, year) {
                hash.update(format!("{division} {}\n", h.date).as_bytes());
            }
        }
    }
    hex::encode(hash.finalize())
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the bank holiday file is not the gov.uk bank-holidays JSON format: {0}")]
pub struct HolidayFileError(pub String);

#[derive(Deserialize)]
struct FeedDivision {
    events: Vec<FeedEvent>,
}

#[derive(Deserialize)]
struct FeedEvent {
    title: String,
    date: NaiveDate,
    #[serde(default)]
    notes: String,
}

/// Bank holidays per division: the feed for the years it covers, the rules for all others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidayData {
    feed: BTreeMap<Division, BTreeMap<i32, Vec<Holiday>>>,
}

/// The gov.uk feed shipped with the service (Open Government Licence).
pub const BUNDLED_FEED: &str = include_str!("../../config/uk-bank-holidays.json");

impl HolidayData {
    pub fn bundled() -> Self {
        Self::from_gov_uk_json(BUNDLED_FEED).expect("the bundled bank holiday file is valid")
    }

    /// Reads a gov.uk `bank-holidays.json`. It must name all three divisions; a division's years
    /// run from its first to its last listed year, with no year left empty in between. A one-off
    /// proclaimed after the bundled feed was published is added to a year the file lists but
    /// lacks it in: any copy of the feed, imported or bundled, may predate the proclamation,
    /// and a proclamation is never withdrawn by a feed that was simply printed before it.
    pub fn from_gov_uk_json(json: &str) -> Result<Self, HolidayFileError> {
        let raw: BTreeMap<String, FeedDivision> =
            serde_json::from_str(json).map_err(|e| HolidayFileError(e.to_string()))?;
        let mut feed = BTreeMap::new();
        for division in Division::ALL {
            let events = raw
                .get(division.as_str())
                .ok_or_else(|| HolidayFileError(format!("it has no \"{division}\" division")))?;
            let mut years: BTreeMap<i32, Vec<Holiday>> = BTreeMap::new();
            for e in &events.events {
                let title = if e.notes.eq_ignore_ascii_case("substitute day") {
                    format!("{} (substitute day)", e.title)
                } else {
                    e.title.clone()
                };
                years.entry(e.date.year()).or_default().push(Holiday { date: e.date, title });
            }
            if let (Some(first), Some(last)) = (years.keys().next().copied(), years.keys().last().copied()) {
                if let Some(gap) = (first..=last).find(|y| !years.contains_key(y)) {
                    return Err(HolidayFileError(format!("{division} lists no holidays in {gap}")));
                }
            } else {
                return Err(HolidayFileError(format!("{division} lists no holidays")));
            }
            add_newer_proclamations(*division, &mut years);
            for list in years.values_mut() {
                list.sort_by_key(|h| h.date);
            }
            feed.insert(*division, years);
        }
        Ok(Self { feed })
    }

    /// The bank holidays of `division` in `year`, from the feed when it covers the year.
    pub fn holidays(&self, division: Division, year: i32) -> Vec<Holiday> {
        match self.feed.get(&division).and_then(|years| years.get(&year)) {
            Some(listed) => listed.clone(),
            None => generated(division, year),
        }
    }

    /// The last year the feed lists for every division.
    pub fn last_year(&self) -> i32 {
        Division::ALL.iter().filter_map(|d| self.feed_years(*d)).map(|(_, last)| last).min().unwrap_or(0)
    }

    /// The years the feed covers for a division.
    pub fn feed_years(&self, division: Division) -> Option<(i32, i32)> {
        let years = self.feed.get(&division)?;
        Some((*years.keys().next()?, *years.keys().last()?))
    }
}

fn add_newer_proclamations(division: Division, years: &mut BTreeMap<i32, Vec<Holiday>>) {
    for change in ONE_OFFS.iter().filter(|o| o.newer_than_feed && o.divisions.contains(&division)) {
        let day = date(change.year, change.on.0, change.on.1);
        if let Some(list) = years.get_mut(&change.year)
            && !list.iter().any(|h| h.date == day)
        {
            list.push(Holiday { date: day, title: change.title.to_string() });
        }
    }
}

#[cfg(test)]
#[path = "holidays_tests.rs"]
mod tests;
