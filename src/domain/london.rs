//! UK civil time without a time-zone database.
//!
//! The date of receipt of an emailed request is its Europe/London local date. Since 1996 the UK
//! follows the EU rule: British Summer Time (UTC+1) runs from 01:00 UTC on the last Sunday of
//! March to 01:00 UTC on the last Sunday of October. Encoding that rule keeps the domain free of a
//! large tz dependency; dates before 1996 are not relevant to FOI requests (the Act is from 2000).

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};

fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let first_of_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }
    .expect("valid month");
    let last = first_of_next.pred_opt().expect("valid date");
    let back = last.weekday().num_days_from_sunday();
    last - Duration::days(i64::from(back))
}

/// Offset of London from UTC at `instant`: one hour during British Summer Time, else zero.
pub fn offset_hours(instant: DateTime<Utc>) -> i64 {
    let year = instant.year();
    let start = Utc.from_utc_datetime(&last_sunday(year, 3).and_hms_opt(1, 0, 0).unwrap());
    let end = Utc.from_utc_datetime(&last_sunday(year, 10).and_hms_opt(1, 0, 0).unwrap());
    if instant >= start && instant < end { 1 } else { 0 }
}

/// The Europe/London local date of a UTC instant.
pub fn london_date(instant: DateTime<Utc>) -> NaiveDate {
    (instant + Duration::hours(offset_hours(instant))).date_naive()
}

/// Today's date in London.
pub fn today() -> NaiveDate {
    london_date(Utc::now())
}

/// Interprets a naive local London time as UTC (used for user-entered times without a zone).
///
/// A time in the spring gap (01:00 to 01:59 on the last Sunday of March, when the clocks go
/// from 01:00 to 02:00) never happened in London, so it is refused with the reason rather
/// than guessed. A time in the autumn hour that happens twice (01:00 to 01:59 on the last
/// Sunday of October) is read as the first of the two, still in British Summer Time (UTC+1):
/// the earlier reading never makes a request look received later than it was.
pub fn london_to_utc(local: NaiveDateTime) -> Result<DateTime<Utc>, String> {
    let as_summer = Utc.from_utc_datetime(&(local - Duration::hours(1)));
    let as_winter = Utc.from_utc_datetime(&local);
    if offset_hours(as_summer) == 1 {
        Ok(as_summer)
    } else if offset_hours(as_winter) == 0 {
        Ok(as_winter)
    } else {
        Err(format!(
            "{} does not exist in London: that night the clocks went forward from 01:00 to 02:00 \
             (British Summer Time began); give a time after 02:00, or the time with its offset, \
             such as {}T{}Z",
            local.format("%Y-%m-%dT%H:%M"),
            local.date(),
            local.format("%H:%M:%S")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Weekday;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn finds_the_last_sundays() {
        assert_eq!(last_sunday(2021, 3), NaiveDate::from_ymd_opt(2021, 3, 28).unwrap());
        assert_eq!(last_sunday(2021, 10), NaiveDate::from_ymd_opt(2021, 10, 31).unwrap());
        assert_eq!(last_sunday(2024, 3), NaiveDate::from_ymd_opt(2024, 3, 31).unwrap());
        assert_eq!(last_sunday(2026, 12).weekday(), Weekday::Sun);
    }

    #[test]
    fn late_evening_in_summer_is_the_next_day_in_london() {
        assert_eq!(london_date(utc("2021-07-01T23:30:00Z")).to_string(), "2021-07-02");
        assert_eq!(london_date(utc("2021-12-01T23:30:00Z")).to_string(), "2021-12-01");
    }

    #[test]
    fn switches_at_one_in_the_morning_utc() {
        assert_eq!(offset_hours(utc("2021-03-28T00:59:59Z")), 0);
        assert_eq!(offset_hours(utc("2021-03-28T01:00:00Z")), 1);
        assert_eq!(offset_hours(utc("2021-10-31T00:59:59Z")), 1);
        assert_eq!(offset_hours(utc("2021-10-31T01:00:00Z")), 0);
    }

    #[test]
    fn converts_local_times_back_to_utc() {
        let summer = "2021-07-01T09:00:00".parse().unwrap();
        assert_eq!(london_to_utc(summer), Ok(utc("2021-07-01T08:00:00Z")));
        let winter = "2021-12-06T09:00:00".parse().unwrap();
        assert_eq!(london_to_utc(winter), Ok(utc("2021-12-06T09:00:00Z")));
    }

    #[test]
    fn the_spring_gap_is_refused_and_the_autumn_hour_read_as_summer_time() {
        let gap = london_to_utc("2021-03-28T01:30:00".parse().unwrap()).unwrap_err();
        assert!(gap.starts_with("2021-03-28T01:30 does not exist in London"), "{gap}");
        assert!(gap.contains("such as 2021-03-28T01:30:00Z"), "{gap}");
        assert!(london_to_utc("2021-03-28T00:59:59".parse().unwrap()).is_ok());
        assert_eq!(london_to_utc("2021-03-28T02:00:00".parse().unwrap()), Ok(utc("2021-03-28T01:00:00Z")));
        let twice = london_to_utc("2021-10-31T01:30:00".parse().unwrap());
        assert_eq!(twice, Ok(utc("2021-10-31T00:30:00Z")), "the first, BST, reading");
        assert_eq!(london_to_utc("2021-10-31T02:00:00".parse().unwrap()), Ok(utc("2021-10-31T02:00:00Z")));
    }
}

/// The years foitrack works with. FOI requests are no older than the Acts (2000), and the
/// working-day index spans 1990–2100; dates far outside are typing mistakes.
pub const FIRST_YEAR: i32 = 1990;
pub const LAST_YEAR: i32 = 2099;

/// Whether a date is within [`FIRST_YEAR`] to [`LAST_YEAR`].
pub fn plausible(date: NaiveDate) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&date.year())
}

/// Reads a `YYYY-MM-DD` date in the years foitrack works with, or says what is wrong in a
/// sentence that shows the value.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("\"{text}\" is not a date: write it as YYYY-MM-DD, such as 2021-12-06"))?;
    if plausible(date) {
        Ok(date)
    } else {
        Err(format!("{date} is outside the years foitrack works with ({FIRST_YEAR} to {LAST_YEAR})"))
    }
}

#[cfg(test)]
mod date_tests {
    use super::*;

    #[test]
    fn dates_are_read_within_the_supported_years() {
        assert_eq!(parse_date(" 2021-12-06 ").unwrap().to_string(), "2021-12-06");
        assert!(parse_date("2021-02-30").unwrap_err().contains("is not a date"));
        assert!(parse_date("+262142-12-01").is_err());
        assert_eq!(
            parse_date("2150-01-01").unwrap_err(),
            "2150-01-01 is outside the years foitrack works with (1990 to 2099)"
        );
        assert!(parse_date("1989-12-31").is_err());
    }
}
