//! Bank holiday files imported at run time. The newest is in force; older ones stay as history.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::{HolidayFileRow, NewHolidayFile};
use super::schema::{holiday_files, holiday_rules};
use super::{AnyConnection, StoreResult};

/// The id of the file in force, or 0 when the bundled feed is.
pub fn current_id(conn: &mut AnyConnection) -> StoreResult<i64> {
    let max: Option<i64> = holiday_files::table.select(diesel::dsl::max(holiday_files::id)).first(conn)?;
    Ok(max.unwrap_or(0))
}

pub fn current(conn: &mut AnyConnection) -> StoreResult<Option<HolidayFileRow>> {
    Ok(holiday_files::table
        .order(holiday_files::id.desc())
        .select(HolidayFileRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn insert(conn: &mut AnyConnection, new: &NewHolidayFile) -> StoreResult<i64> {
    Ok(diesel::insert_into(holiday_files::table).values(new).returning(holiday_files::id).get_result(conn)?)
}

/// Whether the holiday rules with this fingerprint have ever been applied to this database.
/// Ever, not last: during a rolling upgrade or a rollback, builds with different rules start
/// in turn, and each must bring the deadlines forward once rather than flip them at every start.
pub fn rules_applied(conn: &mut AnyConnection, fingerprint: &str) -> StoreResult<bool> {
    let found: i64 =
        holiday_rules::table.filter(holiday_rules::fingerprint.eq(fingerprint)).count().get_result(conn)?;
    Ok(found > 0)
}

pub fn set_rules_fingerprint(
    conn: &mut AnyConnection,
    fingerprint: &str,
    at: NaiveDateTime,
) -> StoreResult<()> {
    diesel::insert_into(holiday_rules::table)
        .values((holiday_rules::fingerprint.eq(fingerprint), holiday_rules::applied_at.eq(at)))
        .execute(conn)?;
    Ok(())
}
