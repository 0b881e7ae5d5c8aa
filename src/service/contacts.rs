//! A workspace's own contacts for public bodies: a named FOI officer, or another address. The
//! register of bodies is shared; a contact overrides its email for that workspace's mail only.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::convert::utc;
use super::text::{self, Shape};
use super::{Actor, FieldError, Service, ServiceError, ServiceResult, clean, now};
use crate::domain::newtypes::EmailAddress;
use crate::domain::vocab::WorkspaceRole;
use crate::store::models::ContactRow;
use crate::store::{AnyConnection, authorities, workspaces as store_ws};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactView {
    pub authority_id: i64,
    pub authority_name: String,
    /// The person to write to, such as a named FOI officer.
    pub contact_name: Option<String>,
    /// The address this workspace's mail to the body goes to, instead of the register's.
    pub email: Option<String>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    /// One line: no control characters.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub contact_name: Option<String>,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub email: Option<String>,
}

/// Where a workspace's mail to a body goes: its own contact's address, else the register's.
pub(crate) fn address(
    conn: &mut AnyConnection,
    workspace_id: i64,
    authority_id: i64,
) -> ServiceResult<Option<String>> {
    if let Some(email) = own_address(conn, workspace_id, authority_id)? {
        return Ok(Some(email));
    }
    Ok(authorities::by_id(conn, authority_id)?.and_then(|a| a.email))
}

/// The workspace's own address for a body, if it keeps one: for callers that already hold the
/// body's register row, and so need not read it again.
pub(crate) fn own_address(
    conn: &mut AnyConnection,
    workspace_id: i64,
    authority_id: i64,
) -> ServiceResult<Option<String>> {
    Ok(store_ws::contact(conn, workspace_id, authority_id)?.and_then(|c| c.email))
}

impl Service {
    pub fn list_contacts(&self, actor: &Actor, workspace: &str) -> ServiceResult<Vec<ContactView>> {
        let id = actor.named(workspace)?.workspace_id;
        let mut conn = self.db().conn()?;
        store_ws::contacts(&mut conn, id)?.into_iter().map(|c| contact_view(&mut conn, c)).collect()
    }

    /// Sets the workspace's contact for a body; an input with neither field removes it.
    pub fn set_contact(
        &self,
        actor: &Actor,
        workspace: &str,
        authority_id: i64,
        input: ContactInput,
    ) -> ServiceResult<Option<ContactView>> {
        let id = actor.named(workspace)?.workspace_id;
        actor.require_in(id, WorkspaceRole::can_manage_campaigns, "change the workspace's contacts")?;
        text::check([
            ("contact_name", input.contact_name.as_deref().unwrap_or(""), Shape::Line(text::TITLE)),
            ("email", input.email.as_deref().unwrap_or(""), Shape::Line(text::ADDRESS)),
        ])?;
        let email = clean(input.email)
            .map(|e| EmailAddress::parse(&e).map(|a| a.to_string()))
            .transpose()
            .map_err(|e| ServiceError::invalid_fields(vec![FieldError::new("email", e.to_string())]))?;
        let contact_name = clean(input.contact_name);
        let mut conn = self.db().conn()?;
        if authorities::by_id(&mut conn, authority_id)?.is_none() {
            return Err(ServiceError::NotFound(format!("No public body has the id {authority_id}.")));
        }
        if email.is_none() && contact_name.is_none() {
            store_ws::delete_contact(&mut conn, id, authority_id)?;
            return Ok(None);
        }
        let row = ContactRow { workspace_id: id, authority_id, contact_name, email, updated_at: now() };
        crate::store::write_transaction(&mut conn, |conn| store_ws::put_contact(conn, &row))?;
        contact_view(&mut conn, row).map(Some)
    }
}

fn contact_view(conn: &mut AnyConnection, c: ContactRow) -> ServiceResult<ContactView> {
    let authority_name = authorities::by_id(conn, c.authority_id)?.map(|a| a.name).unwrap_or_default();
    Ok(ContactView {
        authority_id: c.authority_id,
        authority_name,
        contact_name: c.contact_name,
        email: c.email,
        updated_at: utc(c.updated_at),
    })
}
