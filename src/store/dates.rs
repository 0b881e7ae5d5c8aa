//! Dates and timestamps read from rows without chrono's format strings.
//!
//! SQLite keeps dates as text. diesel reads each with `NaiveDate::parse_from_str(text, "%F")`
//! and each timestamp by trying up to eighteen formats in turn, and chrono interprets the format
//! string anew every time: a page of 50 requests has 600 such columns (docs/performance.md,
//! "The third round"). foitrack writes dates as `YYYY-MM-DD` and timestamps as
//! `YYYY-MM-DD HH:MM:SS[.fraction]` (diesel's own spelling, and SQLite's `CURRENT_TIMESTAMP` in
//! migrations), so those are read directly; any other value goes to diesel's own reader, so
//! nothing it read before is refused now. PostgreSQL sends binary values and keeps diesel's
//! reading.
//!
//! A row struct uses these for its date columns with `#[diesel(deserialize_as = …)]`; the field
//! stays a chrono type.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::pg::Pg;
use diesel::sql_types::{Date, Nullable, Timestamp};
use diesel::sqlite::{Sqlite, SqliteValue};

use super::{MultiBackend, MultiRawValue};

/// A `DATE` column.
#[derive(Debug, Clone, Copy, FromSqlRow)]
pub struct Day(NaiveDate);

/// A nullable `DATE` column.
#[derive(Debug, Clone, Copy, FromSqlRow)]
pub struct MaybeDay(Option<NaiveDate>);

/// A `TIMESTAMP` column.
#[derive(Debug, Clone, Copy, FromSqlRow)]
pub struct Stamp(NaiveDateTime);

/// A nullable `TIMESTAMP` column.
#[derive(Debug, Clone, Copy, FromSqlRow)]
pub struct MaybeStamp(Option<NaiveDateTime>);

/// `YYYY-MM-DD`.
fn date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    NaiveDate::from_ymd_opt(digits(&b[0..4])? as i32, digits(&b[5..7])?, digits(&b[8..10])?)
}

/// `YYYY-MM-DD HH:MM:SS`, then an optional `.` and one to nine digits of the second.
fn timestamp(text: &str) -> Option<NaiveDateTime> {
    let b = text.as_bytes();
    if b.len() < 19 || b[10] != b' ' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let day = date(&text[..10])?;
    let (h, m, s) = (digits(&b[11..13])?, digits(&b[14..16])?, digits(&b[17..19])?);
    let nanos = match &b[19..] {
        [] => 0,
        [b'.', fraction @ ..] if (1..=9).contains(&fraction.len()) => {
            digits(fraction)? * 10u32.pow(9 - fraction.len() as u32)
        }
        _ => return None,
    };
    Some(day.and_time(NaiveTime::from_hms_nano_opt(h, m, s, nanos)?))
}

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
}

/// A plain form on every backend: SQLite's text read by `$direct`, or by diesel if it cannot;
/// PostgreSQL's binary value read as diesel reads it; the multi-backend's read on its backend;
/// and the chrono value it stands for.
macro_rules! plain {
    ($plain:ident, $chrono:ty, $sql:ty, $direct:ident) => {
        impl From<$plain> for $chrono {
            fn from(v: $plain) -> Self {
                v.0
            }
        }

        impl FromSql<$sql, Sqlite> for $plain {
            fn from_sql(mut value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
                if let Some(v) = $direct(value.read_text()) {
                    return Ok($plain(v));
                }
                <$chrono as FromSql<$sql, Sqlite>>::from_sql(value).map($plain)
            }
        }

        impl FromSql<$sql, Pg> for $plain {
            fn from_sql(value: diesel::pg::PgValue<'_>) -> deserialize::Result<Self> {
                <$chrono as FromSql<$sql, Pg>>::from_sql(value).map($plain)
            }
        }

        impl FromSql<$sql, MultiBackend> for $plain {
            fn from_sql(value: MultiRawValue<'_>) -> deserialize::Result<Self> {
                value.from_sql::<Self, $sql>()
            }
        }
    };
}
plain!(Day, NaiveDate, Date, date);
plain!(Stamp, NaiveDateTime, Timestamp, timestamp);

/// The nullable forms, on any backend the plain form is read on: NULL is `None`, anything else
/// is read as the plain form; and the optional chrono value they stand for.
macro_rules! nullable {
    ($maybe:ident, $plain:ident, $chrono:ty, $sql:ty) => {
        impl From<$maybe> for Option<$chrono> {
            fn from(v: $maybe) -> Self {
                v.0
            }
        }

        impl<DB: diesel::backend::Backend> FromSql<Nullable<$sql>, DB> for $maybe
        where
            $plain: FromSql<$sql, DB>,
        {
            fn from_sql(value: DB::RawValue<'_>) -> deserialize::Result<Self> {
                <$plain as FromSql<$sql, DB>>::from_sql(value).map(|v| $maybe(Some(v.0)))
            }

            fn from_nullable_sql(value: Option<DB::RawValue<'_>>) -> deserialize::Result<Self> {
                value.map_or(Ok($maybe(None)), Self::from_sql)
            }
        }
    };
}
nullable!(MaybeDay, Day, NaiveDate, Date);
nullable!(MaybeStamp, Stamp, NaiveDateTime, Timestamp);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_as_foitrack_writes_them_are_read_directly() {
        assert_eq!(date("2026-06-15"), NaiveDate::from_ymd_opt(2026, 6, 15));
        assert_eq!(date("2024-02-29"), NaiveDate::from_ymd_opt(2024, 2, 29));
        for bad in ["2025-02-29", "2026-13-01", "2026-6-15", "2026/06/15", "20260615", "", "2026-06-1x"] {
            assert_eq!(date(bad), None, "{bad}");
        }
    }

    #[test]
    fn timestamps_with_and_without_fractions() {
        let at = |h, m, s, n| NaiveDate::from_ymd_opt(2026, 12, 6).unwrap().and_hms_nano_opt(h, m, s, n);
        assert_eq!(timestamp("2026-12-06 10:12:11"), at(10, 12, 11, 0));
        assert_eq!(timestamp("2026-12-06 10:12:11.5"), at(10, 12, 11, 500_000_000));
        assert_eq!(timestamp("2026-12-06 10:12:11.123456"), at(10, 12, 11, 123_456_000));
        assert_eq!(timestamp("2026-12-06 10:12:11.123456789"), at(10, 12, 11, 123_456_789));
        for odd in ["2026-12-06T10:12:11", "2026-12-06 10:12", "2026-12-06 10:12:11.", "2026-12-06 25:00:00"]
        {
            assert_eq!(timestamp(odd), None, "{odd}");
        }
    }

    /// Every spelling diesel's own reader takes, read through ours on a real SQLite connection:
    /// the same value, or the same refusal.
    #[test]
    fn every_spelling_reads_as_diesel_reads_it() {
        use diesel::dsl::sql;
        use diesel::{Connection, RunQueryDsl, SqliteConnection};
        // As every SQLite connection in foitrack: SQLite is configured before its first one.
        crate::store::sqlite_tuning::apply_once();
        let mut conn = SqliteConnection::establish(":memory:").unwrap();
        for text in [
            "'2026-12-06 10:12:11'",
            "'2026-12-06 10:12:11.000001'",
            "'2026-12-06 10:12:11.123456789'",
            "'2026-12-06T10:12:11.25'",
            "'2026-12-06 10:12'",
            "'2026-12-06 10:12:11Z'",
            "'2026-12-06T10:12Z'",
            "'2026-12-06 10:12:11+01:00'",
            "2461015.5",
            "'2026-12-06 10:12:60'",
            "'yesterday'",
        ] {
            let theirs = diesel::select(sql::<Timestamp>(text)).get_result::<NaiveDateTime>(&mut conn).ok();
            let ours = diesel::select(sql::<Timestamp>(text)).get_result::<Stamp>(&mut conn).ok();
            assert_eq!(ours.map(NaiveDateTime::from), theirs, "{text}");
            let theirs = diesel::select(sql::<Nullable<Timestamp>>(text))
                .get_result::<Option<NaiveDateTime>>(&mut conn)
                .ok();
            let ours =
                diesel::select(sql::<Nullable<Timestamp>>(text)).get_result::<MaybeStamp>(&mut conn).ok();
            assert_eq!(ours.map(Option::from), theirs, "{text}");
        }
        for text in ["'2026-06-15'", "'2024-02-29'", "'2025-02-29'", "'2026-6-15'", "'15/06/2026'"] {
            let theirs = diesel::select(sql::<Date>(text)).get_result::<NaiveDate>(&mut conn).ok();
            let ours = diesel::select(sql::<Date>(text)).get_result::<Day>(&mut conn).ok();
            assert_eq!(ours.map(NaiveDate::from), theirs, "{text}");
        }
        let null = diesel::select(sql::<Nullable<Date>>("NULL")).get_result::<MaybeDay>(&mut conn).unwrap();
        assert_eq!(Option::<NaiveDate>::from(null), None);
        let null =
            diesel::select(sql::<Nullable<Timestamp>>("NULL")).get_result::<MaybeStamp>(&mut conn).unwrap();
        assert_eq!(Option::<NaiveDateTime>::from(null), None);
    }
}
