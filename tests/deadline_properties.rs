//! Properties of the deadline engine that must hold for every date, checked on random ones.

use std::sync::OnceLock;

use chrono::{Duration, NaiveDate};
use foitrack::domain::holidays::HolidayData;
use foitrack::domain::regime::Regimes;
use proptest::prelude::*;

fn regimes() -> &'static Regimes {
    static R: OnceLock<Regimes> = OnceLock::new();
    R.get_or_init(|| Regimes::new(&HolidayData::bundled(), &[]).unwrap())
}

fn date(offset: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + Duration::days(offset)
}

const REGIMES: [&str; 4] = ["foia", "eir", "foisa", "eisr"];

proptest! {
    #[test]
    fn the_due_date_is_a_working_day_after_receipt(offset in 0i64..15_000, days in 1u32..80, which in 0usize..4) {
        let regime = regimes().get(REGIMES[which]).unwrap();
        let received = date(offset);
        let due = regime.add(received, days);
        prop_assert!(regime.calendar.is_working_day(due), "{due} is not a working day");
        prop_assert!(due > received);
        prop_assert_eq!(regime.calendar.count_between(received + Duration::days(1), due), days);
    }

    #[test]
    fn later_receipt_never_gives_an_earlier_due_date(offset in 0i64..15_000, gap in 0i64..30, which in 0usize..4) {
        let regime = regimes().get(REGIMES[which]).unwrap();
        let (a, b) = (date(offset), date(offset + gap));
        prop_assert!(regime.add(a, 20) <= regime.add(b, 20));
    }

    #[test]
    fn one_more_day_is_always_later(offset in 0i64..15_000, days in 0u32..80, which in 0usize..4) {
        let regime = regimes().get(REGIMES[which]).unwrap();
        let received = date(offset);
        prop_assert!(regime.add(received, days + 1) > regime.add(received, days));
    }

    #[test]
    fn scotland_never_has_fewer_working_days_than_the_whole_uk(offset in 0i64..15_000) {
        let (foia, foisa) = (regimes().get("foia").unwrap(), regimes().get("foisa").unwrap());
        let received = date(offset);
        prop_assert!(foisa.add(received, 20) <= foia.add(received, 20));
    }
}
