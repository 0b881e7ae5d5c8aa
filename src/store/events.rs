//! The append-only event log of each request.

use diesel::prelude::*;

use super::models::{EventRow, NewEvent};
use super::schema::events;
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
