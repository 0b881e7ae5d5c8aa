//! Finding requests, and making one outside a campaign.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::convert::{self, utc};
use super::text::Shape;
use super::views::{EventView, RequestDetail, RequestView};
use super::{Actor, FieldError, Page, Paging, Service, ServiceError, ServiceResult, now};
use crate::domain::event::EventKind;
use crate::domain::london;
use crate::domain::status::{State, Status};
use crate::domain::vocab::WorkspaceRole;
use crate::store::models::NewRequest;
use crate::store::requests::{self, RequestFilter, RequestSort};
use crate::store::{self, authorities, events};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRequestInput {
    pub authority_id: i64,
    /// One line: no control characters.
    #[schema(
        min_length = 1,
        max_length = 300,
        pattern = "[^\\t\\n\\u000b\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
    )]
    pub subject: String,
    #[schema(
        min_length = 1,
        max_length = 50000,
        pattern = "[^\\t\\n\\u000b\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
    )]
    pub body: String,
    /// foia (default), eir, foisa, eisr, or a regime from the settings.
    #[serde(default)]
    #[schema(value_type = Option<crate::service::RegimeName>)]
    pub regime: Option<String>,
    /// The workspace the request belongs to, by slug; may be left out by a member of only one.
    #[serde(default)]
    pub workspace: Option<String>,
}

/// Filters for listing requests, in words: the API's query string and the CLI's flags both
/// arrive here, so both accept exactly the same things.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RequestQuery {
    /// Only this workspace's requests (by slug); by default those of all your workspaces.
    pub workspace: Option<String>,
    /// Only this campaign's requests.
    pub campaign: Option<i64>,
    /// Only requests to this body.
    pub authority: Option<i64>,
    /// Only bodies in this region (e.g. `London`), any case.
    pub region: Option<String>,
    /// One status: draft, awaiting_response, awaiting_clarification, awaiting_fee, overdue,
    /// very_overdue, answered, partially_answered, refused, not_held, internal_review,
    /// withdrawn, closed.
    pub status: Option<String>,
    /// `true`: only late requests (overdue or very overdue).
    pub overdue: Option<bool>,
    /// Due on or before this date.
    #[param(value_type = Option<crate::service::DateInput>)]
    #[serde(default, deserialize_with = "crate::service::optional_date")]
    pub due_before: Option<NaiveDate>,
    /// Due on or after this date.
    #[param(value_type = Option<crate::service::DateInput>)]
    #[serde(default, deserialize_with = "crate::service::optional_date")]
    pub due_after: Option<NaiveDate>,
    /// Text in our reference or the body's reference.
    pub q: Option<String>,
    /// due_on (default, also when empty), -due_on, reference, sent_on, -sent_on, -updated_at.
    #[param(pattern = "^(|due_on|-due_on|reference|sent_on|-sent_on|-updated_at)$")]
    pub sort: Option<String>,
    #[param(value_type = Option<i64>, minimum = 1, maximum = 4_294_967_295_i64)]
    pub page: Option<u32>,
    /// At most 500; 50 by default.
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u32>,
    /// Judge overdue statuses as on this date instead of today.
    #[param(value_type = Option<crate::service::DateInput>)]
    #[serde(default, deserialize_with = "crate::service::optional_date")]
    pub as_of: Option<NaiveDate>,
}

impl RequestQuery {
    /// The filter for `actor`: only ever their workspaces' requests.
    pub fn resolve(&self, actor: &Actor) -> ServiceResult<(RequestFilter, RequestSort, Paging)> {
        super::check_text(
            [("region", &self.region), ("q", &self.q), ("workspace", &self.workspace)]
                .map(|(field, v)| (field, v.as_deref().unwrap_or(""))),
        )?;
        let scope = actor.scope(self.workspace.as_deref())?;
        let mut errors = Vec::new();
        let status = match self.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => {
                s.parse::<Status>().map_err(|e| errors.push(FieldError::new("status", e.to_string()))).ok()
            }
            None => None,
        };
        let sort = match self.sort.as_deref().map(str::trim).unwrap_or("due_on") {
            "due_on" | "" => RequestSort::DueOn,
            "-due_on" => RequestSort::DueOnDesc,
            "reference" => RequestSort::Reference,
            "sent_on" => RequestSort::SentOn,
            "-sent_on" => RequestSort::SentOnDesc,
            "-updated_at" => RequestSort::UpdatedDesc,
            other => {
                errors.push(FieldError::new(
                    "sort",
                    format!("\"{other}\" is not a sort order; use due_on, -due_on, reference, sent_on, -sent_on or -updated_at"),
                ));
                RequestSort::DueOn
            }
        };
        let paging = Paging::new(self.page, self.per_page).map_err(|e| match e {
            ServiceError::Invalid { fields, .. } => errors.extend(fields),
            _ => unreachable!("paging only fails validation"),
        });
        if !errors.is_empty() {
            return Err(ServiceError::invalid_fields(errors));
        }
        let mut filter = RequestFilter::new(self.as_of.unwrap_or_else(london::today), scope);
        filter.campaign_id = self.campaign;
        filter.authority_id = self.authority;
        filter.region = self.region.clone().map(|r| r.trim().to_string()).filter(|r| !r.is_empty());
        filter.status = status;
        filter.late = self.overdue.unwrap_or(false);
        filter.due_before = self.due_before;
        filter.due_after = self.due_after;
        filter.q = self.q.clone().map(|q| q.trim().to_string()).filter(|q| !q.is_empty());
        Ok((filter, sort, paging.expect("checked above")))
    }
}

impl Service {
    pub fn search_requests(&self, actor: &Actor, query: &RequestQuery) -> ServiceResult<Page<RequestView>> {
        let (filter, sort, paging) = query.resolve(actor)?;
        self.list_requests(&filter, sort, paging)
    }

    pub fn list_requests(
        &self,
        filter: &RequestFilter,
        sort: RequestSort,
        paging: Paging,
    ) -> ServiceResult<Page<RequestView>> {
        let mut conn = self.db().conn()?;
        let (total, rows) = requests::page(
            &mut conn,
            self.db().known_workspaces(),
            filter,
            sort,
            paging.limit(),
            paging.offset(),
        )?;
        drop(conn);
        let items = rows
            .into_iter()
            .map(|(row, body)| convert::request(row, body, filter.today))
            .collect::<ServiceResult<_>>()?;
        Ok(Page { items, total, page: paging.page, per_page: paging.per_page })
    }

    /// Finds a request of the actor's workspaces by id, or by its reference (`ABT-2021-0042`).
    pub fn find_request_id(&self, actor: &Actor, id_or_reference: &str) -> ServiceResult<i64> {
        let key = id_or_reference.trim();
        if let Ok(id) = key.parse::<i64>() {
            return Ok(id);
        }
        requests::by_reference(&mut *self.db().conn()?, &actor.scope(None)?, key)?
            .map(|r| r.id)
            .ok_or_else(|| ServiceError::NotFound(format!("No request has the reference {key}.")))
    }

    pub fn request(&self, actor: &Actor, id: i64, today: NaiveDate) -> ServiceResult<RequestDetail> {
        let mut conn = self.db().conn()?;
        let (row, body) =
            requests::with_body(&mut conn, &actor.scope(None)?, id)?.ok_or_else(|| not_found(id))?;
        let event_rows = events::of_request_with_recorder(&mut conn, id)?;
        let incoming = super::ingest::incoming::of_request(&mut conn, id)?;
        let outgoing = crate::store::outbox::of_request(&mut conn, id)?;
        drop(conn);
        let mut retracted_by: HashMap<i64, i64> = HashMap::new();
        let mut views = Vec::with_capacity(event_rows.len());
        for (e, email) in event_rows {
            let event = convert::timeline_event(&e)?;
            if let (EventKind::Retraction, Some(target)) = (event.kind, event.details.retracts) {
                retracted_by.insert(target, e.id);
            }
            views.push(EventView {
                id: e.id,
                kind: event.kind,
                occurred_on: e.occurred_on,
                note: e.note,
                details: event.details,
                recorded_by: email.unwrap_or_default(),
                recorded_at: utc(e.recorded_at),
                retracted_by: None,
            });
        }
        for v in &mut views {
            v.retracted_by = retracted_by.get(&v.id).copied();
        }
        // A classification whose event was retracted no longer stands.
        let mut incoming = incoming;
        for m in &mut incoming {
            if m.classified_event.is_some_and(|e| retracted_by.contains_key(&e)) {
                m.classification = None;
                m.classified_event = None;
            }
        }
        let body_text = row.body.clone();
        Ok(RequestDetail {
            request: convert::request(row, body, today)?,
            body: body_text,
            events: views,
            outgoing: outgoing.into_iter().map(super::outbox::view).collect(),
            incoming,
            as_of: today,
        })
    }

    /// A request to one body outside any campaign; its reference is `REQ-` and its id.
    pub fn create_request(
        &self,
        actor: &Actor,
        input: NewRequestInput,
        today: NaiveDate,
    ) -> ServiceResult<RequestDetail> {
        let home = actor.home(input.workspace.as_deref())?;
        let workspace_id = actor
            .require_in(home.workspace_id, WorkspaceRole::can_manage_campaigns, "create requests")?
            .workspace_id;
        super::text::check([
            ("subject", input.subject.as_str(), Shape::Line(super::text::SUBJECT)),
            ("body", input.body.as_str(), Shape::Block(super::text::BODY)),
        ])?;
        let mut errors = Vec::new();
        if input.subject.trim().is_empty() {
            errors.push(FieldError::new("subject", "must not be empty"));
        }
        if input.body.trim().is_empty() {
            errors.push(FieldError::new("body", "must not be empty"));
        }
        if !errors.is_empty() {
            return Err(ServiceError::invalid_fields(errors));
        }
        let regime = self.regime("regime", input.regime.as_deref().unwrap_or("foia"))?.rules.name.clone();
        let mut conn = self.db().conn()?;
        let id = store::write_transaction(&mut conn, |conn| {
            if authorities::by_id(conn, input.authority_id)?.is_none() {
                return Err(ServiceError::invalid_fields(vec![FieldError::new(
                    "authority_id",
                    format!("no public body has the id {}", input.authority_id),
                )]));
            }
            let stamp = now();
            // The reference needs the id, which the insert gives; a unique placeholder bridges.
            let placeholder =
                format!("pending-{}", stamp.and_utc().timestamp_nanos_opt().unwrap_or_default());
            let id = requests::insert(
                conn,
                &NewRequest {
                    campaign_id: None,
                    authority_id: input.authority_id,
                    reference: placeholder,
                    subject: input.subject.trim().to_string(),
                    body: input.body.clone(),
                    regime,
                    state: State::Draft,
                    created_at: stamp,
                    updated_at: stamp,
                    workspace_id,
                },
            )?;
            requests::set_reference(conn, id, &format!("REQ-{id:06}"))?;
            Ok(id)
        })?;
        self.request(actor, id, today)
    }
}

pub(crate) fn not_found(id: i64) -> ServiceError {
    ServiceError::NotFound(format!("No request has the id {id}."))
}
