//! Bank holiday files imported at run time. The newest is in force; older ones stay as history.

use diesel::prelude::*;

use super::models::{HolidayFileRow, NewHolidayFile};
use super::schema::holiday_files;
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
