//! Finding a workspace's object for an actor: through their scope first, so that another
//! workspace's object is "not found" exactly like a missing one (`404`, never `403`), and then
//! checking their role in the object's workspace for what they want to do with it.

use super::{Actor, Service, ServiceError, ServiceResult};
use crate::domain::vocab::WorkspaceRole;
use crate::store::models::{CampaignRow, RequestRow};
use crate::store::outbox::OutboxRow;
use crate::store::{AnyConnection, campaigns, outbox, requests};

/// What the actor wants to do with an object: read it, or use a right of their role.
#[derive(Clone, Copy)]
pub enum Intent {
    Read,
    Change(fn(WorkspaceRole) -> bool, &'static str),
}

impl Actor {
    fn may(&self, workspace_id: i64, intent: Intent) -> ServiceResult<()> {
        match intent {
            Intent::Read => Ok(()),
            Intent::Change(allowed, what) => self.require_in(workspace_id, allowed, what).map(|_| ()),
        }
    }
}

impl Service {
    pub(crate) fn request_for(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        id: i64,
        intent: Intent,
    ) -> ServiceResult<RequestRow> {
        let row = requests::visible(conn, &actor.scope(None)?, id)?
            .ok_or_else(|| super::requests::not_found(id))?;
        actor.may(row.workspace_id, intent)?;
        Ok(row)
    }

    pub(crate) fn campaign_for(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        id: i64,
        intent: Intent,
    ) -> ServiceResult<CampaignRow> {
        let row = campaigns::visible(conn, &actor.scope(None)?, id)?
            .ok_or_else(|| ServiceError::NotFound(format!("No campaign has the id {id}.")))?;
        actor.may(row.workspace_id, intent)?;
        Ok(row)
    }

    pub(crate) fn message_for(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        id: i64,
        intent: Intent,
    ) -> ServiceResult<OutboxRow> {
        let row = outbox::visible(conn, &actor.scope(None)?, id)?
            .ok_or_else(|| ServiceError::NotFound(format!("No message has the id {id}.")))?;
        let workspace =
            row.workspace_id.ok_or_else(|| ServiceError::NotFound(format!("No message has the id {id}.")))?;
        actor.may(workspace, intent)?;
        Ok(row)
    }
}
