//! The holding pens: incoming replies that matched no request, waiting for a researcher to
//! assign them to one or discard them. A workspace's pen holds what came to its addresses;
//! the site-wide pen, which only site administrators see, holds the rest.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::report::PenSuggestion;
use super::{Fault, evidence};
use crate::domain::inbound::MatchedBy;
use crate::domain::inbound::classify::{Kind, classify};
use crate::domain::inbound::matching::Decision;
use crate::domain::vocab::WorkspaceRole;
use crate::service::access::Intent;
use crate::service::convert::utc;
use crate::service::text::{self, Shape};
use crate::service::{Actor, Page, Paging, Service, ServiceError, ServiceResult, now};
use crate::store::inbound::{self as store, InboundRow, NewLink};
use crate::store::{self as db, AnyConnection};

/// How much of a message's text a pen list shows.
const PREVIEW_CHARS: usize = 300;

/// A message waiting in a holding pen.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PenMessage {
    pub id: i64,
    pub received_at: DateTime<Utc>,
    pub source: String,
    pub outcome: crate::domain::inbound::Outcome,
    pub from: Option<String>,
    pub subject: String,
    /// It waits in the site-wide pen, not a workspace's.
    pub in_site_pen: bool,
    /// The start of its text.
    pub preview: String,
    /// Where it may belong, and why, strongest first.
    pub suggestions: Vec<PenSuggestion>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignInput {
    /// The request the message answers.
    pub request_id: i64,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DiscardInput {
    /// Why it is set aside: one line, such as "spam" or "not about our requests".
    #[schema(min_length = 1, max_length = 200)]
    pub reason: String,
}

impl Service {
    /// The messages waiting in the actor's pens: their workspaces' (or the one named), and for a
    /// site administrator with no workspace named, the site-wide pen too.
    pub fn holding_pen(
        &self,
        actor: &Actor,
        workspace: Option<&str>,
        paging: Paging,
    ) -> ServiceResult<Page<PenMessage>> {
        let scope = actor.scope(workspace)?;
        let site = site_pen(actor, workspace);
        let mut conn = self.db().conn()?;
        let (rows, total) = store::pen(&mut conn, scope.ids(), site, paging.limit(), paging.offset())?;
        let items = rows.into_iter().map(|(row, text)| view(row, &text)).collect::<ServiceResult<_>>()?;
        Ok(Page { items, total, page: paging.page, per_page: paging.per_page })
    }

    /// Assigns a waiting message to a request, as a researcher's match: it leaves the pen, joins
    /// the request's workspace, and means what it would have meant had it matched by itself.
    pub fn assign_message(
        &self,
        actor: &Actor,
        inbound_id: i64,
        input: AssignInput,
    ) -> ServiceResult<PenMessage> {
        let mut conn = self.db().conn()?;
        let message = self.pen_message(&mut conn, actor, inbound_id)?;
        let request = self.request_for(
            &mut conn,
            actor,
            input.request_id,
            Intent::Change(WorkspaceRole::can_record_events, "assign replies"),
        )?;
        if let Some(ws) = message.workspace_id {
            actor.require_in(ws, WorkspaceRole::can_record_events, "assign replies")?;
        }
        let raw = self.raw_message(&mut conn, inbound_id)?;
        let parsed = crate::mail::inbound::parse(&raw)
            .map_err(|e| ServiceError::internal(format!("a stored reply no longer reads: {e}")))?;
        let kind = Kind { outcome: message.outcome, ..classify(&parsed.mail) };
        let candidate = store::requests_by_id(&mut conn, &[request.id])?;
        let found = evidence::Found {
            evidence: Default::default(),
            requests: candidate.into_iter().map(|c| (c.id, c)).collect(),
        };
        let decision = Decision {
            requests: vec![request.id],
            matched_by: MatchedBy::Researcher,
            suggestions: Vec::new(),
        };
        let result = db::write_transaction(&mut conn, |conn| -> Result<(), Fault> {
            // Still waiting: another researcher may have assigned or discarded it meanwhile.
            if !store::still_waiting(conn, inbound_id)? {
                return Err(Fault::Other(not_found(inbound_id)));
            }
            let mismatch =
                self.sender_mismatch(conn, &kind, parsed.mail.from.as_deref(), &found, request.id)?;
            store::link(
                conn,
                &NewLink {
                    inbound_id,
                    request_id: request.id,
                    matched_by: MatchedBy::Researcher,
                    sender_mismatch: mismatch,
                    linked_at: now(),
                },
            )?;
            store::assigned(conn, inbound_id, request.workspace_id)?;
            self.record_consequences(
                conn,
                actor.user_id,
                inbound_id,
                &kind,
                &decision,
                &found,
                &parsed.mail,
            )?;
            Ok(())
        });
        match result {
            Ok(()) | Err(Fault::Duplicate) => {}
            Err(Fault::Other(e)) => return Err(e),
        }
        let row = store::by_id(&mut conn, inbound_id)?.ok_or_else(|| not_found(inbound_id))?;
        view(row, &parsed.mail.text)
    }

    /// Sets a waiting message aside for good, with a reason. It stays stored.
    pub fn discard_message(&self, actor: &Actor, inbound_id: i64, input: DiscardInput) -> ServiceResult<()> {
        text::check([("reason", input.reason.trim(), Shape::Line(text::REFERENCE))])?;
        if input.reason.trim().is_empty() {
            return Err(ServiceError::invalid_fields(vec![crate::service::FieldError::new(
                "reason",
                "say why the message is set aside",
            )]));
        }
        let mut conn = self.db().conn()?;
        let message = self.pen_message(&mut conn, actor, inbound_id)?;
        if let Some(ws) = message.workspace_id {
            actor.require_in(ws, WorkspaceRole::can_record_events, "discard replies")?;
        }
        let reason = input.reason.trim();
        db::write_transaction(&mut conn, |conn| {
            // Still waiting: a colleague may have assigned or discarded it meanwhile.
            if store::still_waiting(conn, inbound_id)?
                && store::discard(conn, inbound_id, actor.user_id, now(), reason)?
            {
                Ok(())
            } else {
                Err(not_found(inbound_id))
            }
        })
    }

    /// A message in one of the actor's pens; any other answers as if it did not exist.
    fn pen_message(&self, conn: &mut AnyConnection, actor: &Actor, id: i64) -> ServiceResult<InboundRow> {
        let scope = actor.scope(None)?;
        store::in_pen(conn, scope.ids(), site_pen(actor, None), id)?.ok_or_else(|| not_found(id))
    }
}

/// Whether the site-wide pen is in view: for site administrators, when no workspace is named.
pub(crate) fn site_pen(actor: &Actor, workspace: Option<&str>) -> bool {
    actor.role.can_manage_users() && workspace.is_none_or(|w| w.trim().is_empty())
}

fn not_found(id: i64) -> ServiceError {
    ServiceError::NotFound(format!("No message in your holding pens has the id {id}."))
}

fn view(row: InboundRow, text: &str) -> ServiceResult<PenMessage> {
    let suggestions: Vec<PenSuggestion> = serde_json::from_str(&row.suggestions)
        .map_err(|e| ServiceError::internal_from("A message's stored suggestions do not read", e))?;
    Ok(PenMessage {
        id: row.id,
        received_at: utc(row.received_at),
        source: row.source,
        outcome: row.outcome,
        from: row.from_address,
        subject: row.subject,
        in_site_pen: row.workspace_id.is_none(),
        preview: text.chars().take(PREVIEW_CHARS).collect(),
        suggestions,
    })
}
