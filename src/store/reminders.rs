//! Campaign watchers and the record of alerts sent.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::models::RequestRow;
use super::schema::{
    alerts, authorities, campaign_watchers, campaigns, memberships, requests, workspace_contacts, workspaces,
};
use super::{AnyConnection, StoreResult, lower};
use crate::domain::status::State;
use crate::domain::vocab::Channel;

pub fn add_watcher(conn: &mut AnyConnection, campaign_id: i64, user_id: i64) -> StoreResult<bool> {
    let exists: i64 = campaign_watchers::table
        .filter(campaign_watchers::campaign_id.eq(campaign_id))
        .filter(campaign_watchers::user_id.eq(user_id))
        .count()
        .get_result(conn)?;
    if exists > 0 {
        return Ok(false);
    }
    diesel::insert_into(campaign_watchers::table)
        .values((campaign_watchers::campaign_id.eq(campaign_id), campaign_watchers::user_id.eq(user_id)))
        .execute(conn)?;
    Ok(true)
}

pub fn remove_watcher(conn: &mut AnyConnection, campaign_id: i64, user_id: i64) -> StoreResult<bool> {
    let n = diesel::delete(
        campaign_watchers::table
            .filter(campaign_watchers::campaign_id.eq(campaign_id))
            .filter(campaign_watchers::user_id.eq(user_id)),
    )
    .execute(conn)?;
    Ok(n == 1)
}

/// The owner and the watchers of a campaign who are members of its workspace today: a former
/// member hears nothing more from the day they leave.
pub fn recipients(conn: &mut AnyConnection, campaign_id: i64) -> StoreResult<Vec<i64>> {
    let Some((owner, workspace)) = campaigns::table
        .find(campaign_id)
        .select((campaigns::created_by, campaigns::workspace_id))
        .first::<(i64, i64)>(conn)
        .optional()?
    else {
        return Ok(Vec::new());
    };
    let mut ids: Vec<i64> = campaign_watchers::table
        .filter(campaign_watchers::campaign_id.eq(campaign_id))
        .select(campaign_watchers::user_id)
        .load(conn)?;
    ids.push(owner);
    let members: Vec<i64> = memberships::table
        .filter(memberships::workspace_id.eq(workspace))
        .filter(memberships::user_id.eq_any(&ids))
        .select(memberships::user_id)
        .load(conn)?;
    ids.retain(|id| members.contains(id));
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// Campaign requests that may need a reminder: awaiting a response and due by `until`, awaiting
/// a clarification, or under a review due by `until`; none in an archived workspace.
pub fn candidates(conn: &mut AnyConnection, until: NaiveDate) -> StoreResult<Vec<RequestRow>> {
    let open = workspaces::table.filter(workspaces::archived_at.is_null()).select(workspaces::id);
    Ok(requests::table
        .filter(requests::campaign_id.is_not_null())
        .filter(requests::workspace_id.eq_any(open))
        .filter(
            requests::state
                .eq(State::AwaitingResponse)
                .and(requests::due_on.le(until))
                .or(requests::state.eq(State::AwaitingClarification))
                .or(requests::state.eq(State::InternalReview).and(requests::review_due_on.le(until))),
        )
        .order(requests::id)
        .select(RequestRow::as_select())
        .load(conn)?)
}

/// Open campaign requests that went, or would go, to their body's address while it is marked
/// failing, with when it was marked; none in an archived workspace. That is: sent to that
/// address, or logged as sent by email (or by no channel said) to no address recorded, where
/// the workspace keeps no contact of its own for the body. A request sent by post or through
/// a portal, or to a workspace's own contact, is not affected.
pub fn sent_to_failing_addresses(conn: &mut AnyConnection) -> StoreResult<Vec<(RequestRow, NaiveDateTime)>> {
    let open_spaces = workspaces::table.filter(workspaces::archived_at.is_null()).select(workspaces::id);
    let rows: Vec<(RequestRow, Option<NaiveDateTime>)> = requests::table
        .inner_join(authorities::table)
        .filter(requests::campaign_id.is_not_null())
        .filter(requests::workspace_id.eq_any(open_spaces))
        .filter(requests::state.eq_any(State::OPEN))
        .filter(authorities::email_failed_at.is_not_null())
        .filter(
            lower(requests::sent_to.assume_not_null()).eq(lower(authorities::email.assume_not_null())).or(
                requests::sent_to
                    .is_null()
                    .and(requests::channel.is_null().or(requests::channel.eq(Channel::Email)))
                    .and(diesel::dsl::not(diesel::dsl::exists(
                        workspace_contacts::table
                            .filter(workspace_contacts::workspace_id.eq(requests::workspace_id))
                            .filter(workspace_contacts::authority_id.eq(requests::authority_id))
                            .filter(workspace_contacts::email.is_not_null()),
                    ))),
            ),
        )
        .order(requests::id)
        .select((RequestRow::as_select(), authorities::email_failed_at))
        .load(conn)?;
    Ok(rows.into_iter().filter_map(|(row, at)| Some((row, at?))).collect())
}

pub fn alert_sent(
    conn: &mut AnyConnection,
    request_id: i64,
    kind: &str,
    key: &str,
    user_id: i64,
) -> StoreResult<bool> {
    let n: i64 = alerts::table
        .filter(alerts::request_id.eq(request_id))
        .filter(alerts::kind.eq(kind))
        .filter(alerts::clock_key.eq(key))
        .filter(alerts::user_id.eq(user_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

#[allow(clippy::too_many_arguments)]
pub fn record_alert(
    conn: &mut AnyConnection,
    request_id: i64,
    kind: &str,
    key: &str,
    user_id: i64,
    outbox_id: i64,
    at: NaiveDateTime,
) -> StoreResult<()> {
    diesel::insert_into(alerts::table)
        .values((
            alerts::request_id.eq(request_id),
            alerts::kind.eq(kind),
            alerts::clock_key.eq(key),
            alerts::user_id.eq(user_id),
            alerts::outbox_id.eq(outbox_id),
            alerts::created_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}
