//! The append-only event log of each request.

use diesel::prelude::*;

use super::models::{EventRow, NewEvent};
use super::schema::{events, users};
use super::{AnyConnection, StoreResult};

pub fn insert(conn: &mut AnyConnection, new: &NewEvent) -> StoreResult<EventRow> {
    Ok(diesel::insert_into(events::table).values(new).get_result::<EventRow>(conn)?)
}

pub fn of_request(conn: &mut AnyConnection, request_id: i64) -> StoreResult<Vec<EventRow>> {
    Ok(events::table
        .filter(events::request_id.eq(request_id))
        .order(events::id)
        .select(EventRow::as_select())
        .load(conn)?)
}

/// A request's events with the email of whoever recorded each, oldest first, in one query.
pub fn of_request_with_recorder(
    conn: &mut AnyConnection,
    request_id: i64,
) -> StoreResult<Vec<(EventRow, Option<String>)>> {
    Ok(super::native!(conn, |c| events::table
        .left_join(users::table)
        .filter(events::request_id.eq(request_id))
        .order(events::id)
        .select((EventRow::as_select(), users::email.nullable()))
        .load(c))?)
}
