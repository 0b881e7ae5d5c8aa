//! The generator against an independently compiled table of UK bank holidays, 2005–2060
//! (`tests/fixtures/uk-bank-holidays-2005-2060.csv`, which says where each date comes from).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use foitrack::domain::holidays::{Division, HolidayData, generated};

const TABLE: &str = include_str!("fixtures/uk-bank-holidays-2005-2060.csv");

/// Differences the generator is allowed, each with its reason. None today: every proclaimed
/// one-off of 2005–2060 known so far is in the generator's table.
const KNOWN_DIFFERENCES: &[(&str, &str, &str)] = &[];

fn table() -> BTreeMap<(Division, i32), BTreeSet<NaiveDate>> {
    let mut out: BTreeMap<(Division, i32), BTreeSet<NaiveDate>> = BTreeMap::new();
    let mut rows = TABLE.lines().filter(|l| !l.starts_with('#'));
    assert_eq!(rows.next(), Some("division,date,title,source"));
    for line in rows {
        let mut fields = line.splitn(3, ',');
        let division: Division = fields.next().unwrap().parse().unwrap();
        let date: NaiveDate = fields.next().unwrap().parse().unwrap();
        out.entry((division, date.year())).or_default().insert(date);
    }
    out
}

#[test]
fn the_generator_matches_the_independent_table_year_by_year() {
    let table = table();
    assert_eq!(table.len(), 3 * 56, "every division and year from 2005 to 2060");
    let mut unexplained = Vec::new();
    for ((division, year), listed) in &table {
        let made: BTreeSet<NaiveDate> = generated(*division, *year).iter().map(|h| h.date).collect();
        for (date, side) in made
            .symmetric_difference(listed)
            .map(|d| (d, if made.contains(d) { "generator only" } else { "table only" }))
        {
            let known = KNOWN_DIFFERENCES
                .iter()
                .any(|(div, day, _)| *div == division.as_str() && *day == date.to_string());
            if !known {
                unexplained.push(format!("{division} {date}: {side}"));
            }
        }
    }
    assert!(unexplained.is_empty(), "differences: {unexplained:#?}");
}

#[test]
fn the_bundled_feed_matches_the_table_for_its_years() {
    let table = table();
    let data = HolidayData::bundled();
    for division in Division::ALL {
        for year in 2019..=2027 {
            let feed: BTreeSet<NaiveDate> = data.holidays(*division, year).iter().map(|h| h.date).collect();
            assert_eq!(&feed, &table[&(*division, year)], "{division} {year}");
        }
    }
}

#[test]
fn the_corrected_days_move_foia_and_foisa_deadlines() {
    let regimes = foitrack::domain::regime::Regimes::new(&HolidayData::bundled(), &[]).unwrap();
    let day = |s: &str| s.parse::<NaiveDate>().unwrap();
    for name in ["foia", "foisa"] {
        let regime = regimes.get(name).unwrap();
        // 15 June 2026 is a Scottish bank holiday, so a UK one too: a day later than without it.
        assert_eq!(regime.add(day("2026-06-01"), 20), day("2026-06-30"), "{name}");
        assert!(!regime.calendar.is_working_day(day("2026-06-15")), "{name}");
        // 30 November 2005 was not yet St Andrew's Day bank holiday: a day earlier than foitrack
        // used to say (2005-12-13).
        assert_eq!(regime.add(day("2005-11-14"), 20), day("2005-12-12"), "{name}");
        assert!(regime.calendar.is_working_day(day("2005-11-30")), "{name}");
        assert!(!regime.calendar.is_working_day(day("2007-11-30")), "{name}");
    }
    // England and Wales alone (no regime of ours counts only them) keep 15 June 2026 working.
    assert!(!generated(Division::EnglandAndWales, 2026).iter().any(|h| h.date == day("2026-06-15")));
}
