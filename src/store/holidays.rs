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

/// The fingerprint of the holiday rules the stored deadlines were worked out under, if any.
pub fn rules_fingerprint(conn: &mut AnyConnection) -> StoreResult<Option<String>> {
    Ok(holiday_rules::table
        .order(holiday_rules::id.desc())
        .select(holiday_rules::fingerprint)
        .first(conn)
        .optional()?)
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
