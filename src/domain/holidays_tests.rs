use super::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn computes_easter() {
    for (year, sunday) in [
        (2008, "2008-03-23"),
        (2009, "2009-04-12"),
        (2019, "2019-04-21"),
        (2024, "2024-03-31"),
        (2038, "2038-04-25"),
        (2285, "2285-03-22"),
    ] {
        assert_eq!(easter_sunday(year), d(sunday), "{year}");
    }
}

#[test]
fn the_rules_reproduce_the_bundled_feed_apart_from_the_one_off_days() {
    let data = HolidayData::bundled();
    let uk_one_offs = ["2020-05-08", "2022-06-02", "2022-06-03", "2022-09-19", "2023-05-08"];
    // The usual dates those one-offs replaced.
    let displaced: BTreeSet<NaiveDate> = ["2020-05-04", "2022-05-30"].iter().map(|s| d(s)).collect();
    for division in Division::ALL {
        assert_eq!(data.feed_years(*division), Some((2019, 2027)));
        let feed: BTreeSet<NaiveDate> =
            (2019..=2027).flat_map(|y| data.holidays(*division, y)).map(|h| h.date).collect();
        let rules: BTreeSet<NaiveDate> =
            (2019..=2027).flat_map(|y| by_rule(*division, y)).map(|h| h.date).collect();
        let mut one_offs: BTreeSet<NaiveDate> = uk_one_offs.iter().map(|s| d(s)).collect();
        if *division == Division::Scotland {
            one_offs.insert(d("2026-06-15"));
        }
        assert_eq!(
            feed.difference(&rules).copied().collect::<BTreeSet<_>>(),
            one_offs,
            "{division}: in the feed only"
        );
        assert_eq!(
            rules.difference(&feed).copied().collect::<BTreeSet<_>>(),
            displaced,
            "{division}: by rule only"
        );
    }
}

#[test]
fn with_the_one_off_table_the_generator_matches_the_feed_exactly() {
    let data = HolidayData::bundled();
    for division in Division::ALL {
        for year in 2019..=2027 {
            let listed: Vec<NaiveDate> = data.holidays(*division, year).iter().map(|h| h.date).collect();
            let generated: Vec<NaiveDate> = generated(*division, year).iter().map(|h| h.date).collect();
            assert_eq!(generated, listed, "{division} {year}");
        }
    }
}

#[test]
fn substitute_days_follow_the_weekend() {
    let titles = |division, year| {
        generated(division, year).into_iter().map(|h| (h.date.to_string(), h.title)).collect::<Vec<_>>()
    };
    // 2021: Christmas Saturday, Boxing Day Sunday → Monday 27 and Tuesday 28.
    let e2021 = titles(Division::EnglandAndWales, 2021);
    assert!(e2021.contains(&("2021-12-27".into(), "Christmas Day (substitute day)".into())));
    assert!(e2021.contains(&("2021-12-28".into(), "Boxing Day (substitute day)".into())));
    // 2022: 1 January Saturday, 2 January Sunday → Scotland has Monday 3 and Tuesday 4.
    let s2022 = titles(Division::Scotland, 2022);
    assert!(s2022.contains(&("2022-01-04".into(), "2nd January (substitute day)".into())));
    // 2015: St Andrew's Day on a Monday, no substitute; 2020: on a Monday too; 2014: Sunday → 1 Dec.
    assert!(
        titles(Division::Scotland, 2014)
            .contains(&("2014-12-01".into(), "St Andrew’s Day (substitute day)".into()))
    );
    // Northern Ireland 2018: the Boyne on a Thursday, St Patrick's on a Saturday → Monday 19 March.
    let ni2018 = titles(Division::NorthernIreland, 2018);
    assert!(ni2018.contains(&("2018-03-19".into(), "St Patrick’s Day (substitute day)".into())));
    assert!(ni2018.contains(&("2018-07-12".into(), "Battle of the Boyne (Orangemen’s Day)".into())));
}

#[test]
fn scotland_has_no_easter_monday_and_an_early_august_holiday() {
    let s = generated(Division::Scotland, 2030);
    assert!(!s.iter().any(|h| h.title == "Easter Monday"));
    let summer = s.iter().find(|h| h.title == "Summer bank holiday").unwrap();
    assert_eq!(summer.date, d("2030-08-05"));
    let e = generated(Division::EnglandAndWales, 2030);
    assert_eq!(e.iter().find(|h| h.title == "Summer bank holiday").unwrap().date, d("2030-08-26"));
}

#[test]
fn historical_one_offs_are_known() {
    let e2011: Vec<NaiveDate> = generated(Division::EnglandAndWales, 2011).iter().map(|h| h.date).collect();
    assert!(e2011.contains(&d("2011-04-29")));
    let e2012: Vec<NaiveDate> = generated(Division::EnglandAndWales, 2012).iter().map(|h| h.date).collect();
    assert!(
        e2012.contains(&d("2012-06-04"))
            && e2012.contains(&d("2012-06-05"))
            && !e2012.contains(&d("2012-05-28"))
    );
}

#[test]
fn a_file_must_have_the_three_divisions_and_no_empty_years() {
    assert!(HolidayData::from_gov_uk_json("[]").is_err());
    let two = r#"{"england-and-wales":{"events":[{"title":"x","date":"2030-01-01"}]},"scotland":{"events":[{"title":"x","date":"2030-01-01"}]}}"#;
    assert_eq!(
        HolidayData::from_gov_uk_json(two).unwrap_err().to_string(),
        "the bank holiday file is not the gov.uk bank-holidays JSON format: it has no \"northern-ireland\" division"
    );
    let gap = r#"{"england-and-wales":{"events":[{"title":"x","date":"2030-01-01"},{"title":"x","date":"2032-01-01"}]},"scotland":{"events":[{"title":"x","date":"2030-01-01"}]},"northern-ireland":{"events":[{"title":"x","date":"2030-01-01"}]}}"#;
    assert!(HolidayData::from_gov_uk_json(gap).unwrap_err().to_string().contains("no holidays in 2031"));
}

fn dates(division: Division, year: i32) -> Vec<NaiveDate> {
    generated(division, year).iter().map(|h| h.date).collect()
}

#[test]
fn the_world_cup_holiday_of_2026_is_scottish_only() {
    assert!(dates(Division::Scotland, 2026).contains(&d("2026-06-15")));
    assert!(!dates(Division::EnglandAndWales, 2026).contains(&d("2026-06-15")));
    assert!(!dates(Division::NorthernIreland, 2026).contains(&d("2026-06-15")));
    assert!(
        HolidayData::bundled().holidays(Division::Scotland, 2026).iter().any(|h| h.date == d("2026-06-15"))
    );
}

#[test]
fn a_feed_printed_before_the_proclamation_gets_it_added() {
    let mut feed: serde_json::Value = serde_json::from_str(BUNDLED_FEED).unwrap();
    let events = feed["scotland"]["events"].as_array_mut().unwrap();
    events.retain(|e| e["date"] != "2026-06-15");
    let data = HolidayData::from_gov_uk_json(&feed.to_string()).unwrap();
    assert_eq!(data, HolidayData::bundled());
    // A feed that ends before 2026 leaves the year to the generator, which knows the day too.
    let old = r#"{"england-and-wales":{"events":[{"title":"x","date":"2025-01-01"}]},"scotland":{"events":[{"title":"x","date":"2025-01-01"}]},"northern-ireland":{"events":[{"title":"x","date":"2025-01-01"}]}}"#;
    let data = HolidayData::from_gov_uk_json(old).unwrap();
    assert!(data.holidays(Division::Scotland, 2026).iter().any(|h| h.date == d("2026-06-15")));
}

#[test]
fn st_andrews_day_is_a_bank_holiday_from_2007_only() {
    assert!(!dates(Division::Scotland, 2005).contains(&d("2005-11-30")));
    assert!(!dates(Division::Scotland, 2006).contains(&d("2006-11-30")));
    assert!(dates(Division::Scotland, 2007).contains(&d("2007-11-30")));
    // 2008: a Sunday, so Monday 1 December.
    assert!(dates(Division::Scotland, 2008).contains(&d("2008-12-01")));
}

#[test]
fn rules_begin_in_their_first_years() {
    let titles = |division, year| generated(division, year).into_iter().map(|h| h.title).collect::<Vec<_>>();
    // 1977: no Early May holiday outside Scotland yet; 1978 has one.
    assert!(!titles(Division::EnglandAndWales, 1977).contains(&"Early May bank holiday".to_string()));
    assert!(dates(Division::EnglandAndWales, 1978).contains(&d("1978-05-01")));
    assert!(titles(Division::Scotland, 1977).contains(&"Early May bank holiday".to_string()));
    // New Year's Day outside Scotland and Boxing Day in Scotland from 1974.
    assert!(!dates(Division::EnglandAndWales, 1973).contains(&d("1973-01-01")));
    assert!(dates(Division::EnglandAndWales, 1974).contains(&d("1974-01-01")));
    assert!(!dates(Division::Scotland, 1973).contains(&d("1973-12-26")));
    assert!(dates(Division::Scotland, 1974).contains(&d("1974-12-26")));
    // Spring and summer holidays from the 1971 Act.
    assert_eq!(
        titles(Division::EnglandAndWales, 1970).iter().filter(|t| t.contains("bank holiday")).count(),
        0
    );
    assert!(dates(Division::EnglandAndWales, 1971).contains(&d("1971-05-31")));
    // Never an Easter Monday in Scotland.
    assert!((1971..=2100).all(|y| !titles(Division::Scotland, y).contains(&"Easter Monday".to_string())));
}

#[test]
fn the_fingerprint_is_stable_within_a_build() {
    assert_eq!(rules_fingerprint(), rules_fingerprint());
    assert_eq!(rules_fingerprint().len(), 64);
}
