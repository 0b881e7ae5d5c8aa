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
    let one_offs: BTreeSet<NaiveDate> =
        ["2020-05-08", "2022-06-02", "2022-06-03", "2022-09-19", "2023-05-08"].iter().map(|s| d(s)).collect();
    // The usual dates those one-offs replaced.
    let displaced: BTreeSet<NaiveDate> = ["2020-05-04", "2022-05-30"].iter().map(|s| d(s)).collect();
    for division in Division::ALL {
        assert_eq!(data.feed_years(*division), Some((2019, 2027)));
        let feed: BTreeSet<NaiveDate> =
            (2019..=2027).flat_map(|y| data.holidays(*division, y)).map(|h| h.date).collect();
        let rules: BTreeSet<NaiveDate> =
            (2019..=2027).flat_map(|y| by_rule(*division, y)).map(|h| h.date).collect();
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
