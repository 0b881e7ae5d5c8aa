use super::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn uk() -> Calendar {
    Calendar::new(&HolidayData::bundled(), Division::ALL)
}

fn scotland() -> Calendar {
    Calendar::new(&HolidayData::bundled(), &[Division::Scotland])
}

/// The slow, obvious definition the index must agree with.
fn add_by_counting(cal: &Calendar, start: NaiveDate, days: u32) -> NaiveDate {
    let mut date = start;
    let mut counted = 0;
    while counted < days {
        date = date.succ_opt().unwrap();
        if cal.is_working_day(date) {
            counted += 1;
        }
    }
    date
}

#[test]
fn day_zero_is_the_day_of_receipt() {
    let cal = uk();
    assert_eq!(cal.add(d("2021-11-01"), 20), d("2021-11-29"));
    assert_eq!(cal.add(d("2021-11-01"), 0), d("2021-11-01"));
    assert_eq!(cal.add(d("2021-11-06"), 1), d("2021-11-08"));
}

#[test]
fn whatdotheyknow_vectors() {
    let cal = uk();
    for (sent, due) in [
        ("2008-10-01", "2008-10-29"),
        ("2009-03-12", "2009-04-14"),
        ("2009-03-13", "2009-04-15"),
        ("2009-03-14", "2009-04-15"),
        ("2009-03-15", "2009-04-15"),
        ("2009-03-16", "2009-04-16"),
    ] {
        assert_eq!(cal.add(d(sent), 20), d(due), "sent {sent}");
    }
}

#[test]
fn every_division_counts_for_foia_but_only_scotland_for_foisa() {
    // Sent Monday 2021-12-06: 27-28 Dec and 3 Jan everywhere, 4 Jan (2 January substitute) in
    // Scotland only. Both calendars skip it; St Patrick's Day is skipped only by the UK one.
    assert_eq!(uk().add(d("2021-12-06"), 20), d("2022-01-07"));
    assert_eq!(scotland().add(d("2021-12-06"), 20), d("2022-01-07"));
    // Tuesday 2022-03-15, over St Patrick's Day (Thursday 17th).
    assert_eq!(uk().add(d("2022-03-15"), 20), d("2022-04-13"));
    assert_eq!(scotland().add(d("2022-03-15"), 20), d("2022-04-12"));
    // Easter Monday 2022-04-18 is not a Scottish holiday.
    assert_eq!(scotland().add(d("2022-04-01"), 20), d("2022-05-03"));
    assert_eq!(uk().add(d("2022-04-01"), 20), d("2022-05-04"));
}

#[test]
fn christmas_easter_and_leap_years() {
    let cal = uk();
    // Christmas Day 2020 Friday, Boxing Day Saturday → Monday 28 off.
    assert_eq!(cal.add(d("2020-12-18"), 5), d("2020-12-29"));
    // Easter 2024 (Good Friday 29 March, Easter Monday 1 April) and 29 February.
    assert_eq!(cal.add(d("2024-02-28"), 1), d("2024-02-29"));
    assert_eq!(cal.add(d("2024-03-27"), 2), d("2024-04-02"));
}

#[test]
fn years_outside_the_bundled_data_come_from_the_rules() {
    let cal = uk();
    // 17 December 2018: Christmas and Boxing Day 2018, New Year 2019 (in the feed) skipped.
    assert_eq!(cal.add(d("2018-12-17"), 20), d("2019-01-18"));
    // Christmas 2032 is a Saturday: substitutes on Monday 27 and Tuesday 28.
    assert_eq!(cal.add(d("2032-12-24"), 1), d("2032-12-29"));
    // 2011 royal wedding, Friday 29 April, between Easter Monday (25th) and Early May (2 May).
    assert_eq!(cal.add(d("2011-04-21"), 1), d("2011-04-26"));
    assert_eq!(cal.add(d("2011-04-28"), 1), d("2011-05-03"));
    // Beyond the index the same answers come by counting.
    assert_eq!(cal.add(d("2150-01-01"), 20), add_by_counting(&cal, d("2150-01-01"), 20));
    assert!(!cal.is_working_day(d("2150-12-25")));
}

#[test]
fn the_index_agrees_with_counting() {
    let cal = uk();
    let mut day = d("2007-12-20");
    while day < d("2031-01-10") {
        for n in [1, 5, 20, 40, 60] {
            assert_eq!(cal.add(day, n), add_by_counting(&cal, day, n), "{day} + {n}");
        }
        day += chrono::Duration::days(3);
    }
}

#[test]
fn counts_working_days_in_a_closed_range() {
    let cal = uk();
    assert_eq!(cal.count_between(d("2021-12-06"), d("2021-12-12")), 5);
    assert_eq!(cal.count_between(d("2021-12-24"), d("2021-12-28")), 1);
    assert_eq!(cal.count_between(d("2021-12-12"), d("2021-12-06")), 0);
    // 2 January 1990 was a Tuesday: a Scottish holiday.
    assert_eq!(cal.count_between(d("1990-01-01"), d("1990-01-05")), 3);
}

#[test]
fn explains_the_days_it_skipped() {
    let skipped = uk().skipped(d("2021-12-06"), d("2022-01-07"));
    let holidays: Vec<(String, String, Vec<Division>)> = skipped
        .iter()
        .filter(|s| !s.divisions.is_empty())
        .map(|s| (s.date.to_string(), s.reason.clone(), s.divisions.clone()))
        .collect();
    assert_eq!(holidays[0].0, "2021-12-27");
    assert_eq!(holidays[0].1, "Christmas Day (substitute day)");
    assert_eq!(holidays[0].2.len(), 3);
    let scottish = holidays.iter().find(|h| h.0 == "2022-01-04").unwrap();
    assert_eq!(scottish.1, "2nd January (substitute day)");
    assert_eq!(scottish.2, vec![Division::Scotland]);
    assert_eq!(skipped.iter().filter(|s| s.reason == "Saturday").count(), 4);
}
