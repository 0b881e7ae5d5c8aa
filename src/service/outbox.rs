//! Sending: campaign requests go into the outbox in one transaction, and a worker delivers what
//! is due, recording each request as sent when the mail server accepts it.

use std::time::Duration;

use chrono::Utc;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::access::Intent;
use super::convert::utc;
use super::timeline::Draft;
use super::views::SkippedRequest;
use super::{Actor, FieldError, Page, Paging, Service, ServiceError, ServiceResult, now};
use crate::domain::event::{EventDetails, EventKind};
use crate::domain::london;
use crate::domain::status::State;
use crate::domain::vocab::{Channel, OutboxKind, OutboxState, WorkspaceRole};
use crate::mail::{MailError, Mailer, Outgoing};
use crate::store::outbox::{self as store_outbox, NewOutbox, OutboxRow};
use crate::store::{self, authorities, requests};

/// How outgoing mail is addressed and paced.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// `Name <address>`.
    pub from: String,
    pub reply_domain: String,
    /// Empty: a secret kept in the database is used.
    pub reply_secret: String,
    pub send_interval: Duration,
    pub max_attempts: u32,
    /// The wait before the first retry; each later one doubles it, up to an hour.
    pub first_retry: Duration,
    /// How long a worker may hold a message before another may take it (the first died).
    pub lease: Duration,
    /// Where people open foitrack, without a trailing slash: links in mail start with it.
    pub site_url: String,
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            from: "foitrack <foitrack@localhost>".into(),
            reply_domain: "localhost".into(),
            reply_secret: String::new(),
            send_interval: Duration::from_secs(10),
            max_attempts: 8,
            first_retry: Duration::from_secs(30),
            lease: Duration::from_secs(300),
            site_url: "http://127.0.0.1:8080".into(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendInput {
    /// Render the messages and return them; queue nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// Messages per minute for this campaign (default: one every `mail.send_interval_seconds`).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 4_294_967_295_i64, value_type = Option<i64>)]
    pub rate_per_minute: Option<u32>,
    /// Only these requests of the campaign.
    #[serde(default)]
    pub only: Option<Vec<i64>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QueuedMessage {
    pub request_id: i64,
    pub reference: String,
    pub to: String,
    pub reply_to: String,
    pub subject: String,
    /// The body, in a dry run only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// In a dry run only: every header of the message as delivery would build it, in order and
    /// decoded (the `Date` is the time of the dry run; the `Message-ID` gets a new random part
    /// when the message is really queued).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers: Option<Vec<MessageHeader>>,
    pub scheduled_at: chrono::DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct MessageHeader {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SendSummary {
    pub dry_run: bool,
    pub queued: Vec<QueuedMessage>,
    /// Bodies with no email address: listed, not failed.
    pub no_email: Vec<SkippedRequest>,
    /// Already sent, already queued, or withdrawn.
    pub skipped: Vec<SkippedRequest>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OutboxView {
    pub id: i64,
    pub kind: String,
    pub request_id: Option<i64>,
    pub campaign_id: Option<i64>,
    pub message_id: String,
    pub to: String,
    pub subject: String,
    /// pending, sending, sent, failed or cancelled.
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: chrono::DateTime<Utc>,
    pub last_error: Option<String>,
    pub sent_at: Option<chrono::DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct DeliveryReport {
    pub sent: u32,
    pub retrying: u32,
    pub failed: u32,
    /// Not sent because they were no longer wanted (see `last_error`).
    pub cancelled: u32,
}

pub(crate) fn view(row: OutboxRow) -> OutboxView {
    OutboxView {
        id: row.id,
        kind: row.kind.to_string(),
        request_id: row.request_id,
        campaign_id: row.campaign_id,
        message_id: row.message_id,
        to: row.to_address,
        subject: row.subject,
        state: row.state.to_string(),
        attempts: row.attempts,
        next_attempt_at: utc(row.next_attempt_at),
        last_error: row.last_error,
        sent_at: row.sent_at.map(utc),
    }
}

/// The message delivery sends for an outbox row; the dry run previews the same one.
fn outgoing(
    kind: OutboxKind,
    from: &str,
    to: &str,
    reply_to: Option<&str>,
    subject: &str,
    body: &str,
    message_id: &str,
) -> Outgoing {
    Outgoing {
        from: from.to_string(),
        to: to.to_string(),
        reply_to: reply_to.map(str::to_string),
        subject: subject.to_string(),
        body: body.to_string(),
        message_id: message_id.to_string(),
        auto_submitted: matches!(kind, OutboxKind::Digest | OutboxKind::PasswordReset),
        unsubscribe: (kind == OutboxKind::Digest)
            .then(|| format!("mailto:{}?subject=unsubscribe", bare_address(from))),
    }
}

pub use crate::domain::inbound::address::reply_address;

/// Forgets the link a password mail carried, once it is sent, given up or cancelled. Other
/// mail is left as it is, without a statement spent on it: delivery runs this per message.
fn forget_link(conn: &mut store::AnyConnection, row: &OutboxRow) -> ServiceResult<()> {
    if row.kind == OutboxKind::PasswordReset {
        store_outbox::forget_link(conn, row.id)?;
    }
    Ok(())
}

/// Waits between attempts: `first`, then twice as long each time, up to an hour.
pub fn backoff(first: Duration, attempts: u32) -> chrono::Duration {
    let millis = (first.as_millis() as i64).saturating_mul(1i64 << attempts.saturating_sub(1).min(20));
    chrono::Duration::milliseconds(millis.min(3_600_000))
}

impl Service {
    pub(crate) fn reply_secret(&self) -> ServiceResult<String> {
        if !self.mail().reply_secret.is_empty() {
            return Ok(self.mail().reply_secret.clone());
        }
        let mut conn = self.db().conn()?;
        Ok(store_outbox::secret(&mut conn, "reply_hmac", || {
            let mut key = [0u8; 32];
            rand::rng().fill_bytes(&mut key);
            hex::encode(key)
        })?)
    }

    /// Renders each unsent request of the campaign as an email to the body's FOI address and
    /// queues it, paced by the rate, in one transaction. A dry run renders and returns them.
    pub fn send_campaign(
        &self,
        actor: &Actor,
        campaign_id: i64,
        input: SendInput,
    ) -> ServiceResult<SendSummary> {
        let campaign = self.campaign_for(
            &mut *self.db().conn()?,
            actor,
            campaign_id,
            Intent::Change(WorkspaceRole::can_manage_campaigns, "send campaigns"),
        )?;
        let interval = match input.rate_per_minute {
            Some(0) => {
                return Err(ServiceError::invalid_fields(vec![FieldError::new(
                    "rate_per_minute",
                    "must be at least 1",
                )]));
            }
            Some(rate) => Duration::from_secs_f64(60.0 / f64::from(rate)),
            None => self.mail().send_interval,
        };
        let secret = self.reply_secret()?;
        let mail = self.mail().clone();
        let mut conn = self.db().conn()?;
        store::write_transaction(&mut conn, |conn| {
            let chosen =
                super::timeline::campaign_requests(conn, campaign_id, input.only.as_deref(), "only")?;
            let mut summary = SendSummary {
                dry_run: input.dry_run,
                queued: Vec::new(),
                no_email: Vec::new(),
                skipped: Vec::new(),
            };
            let start = now();
            for id in chosen {
                let row = requests::by_id(conn, id)?.ok_or_else(|| super::requests::not_found(id))?;
                let skip = |reason: &str| SkippedRequest {
                    id,
                    reference: row.reference.clone(),
                    reason: reason.to_string(),
                };
                if row.state != State::Draft {
                    summary.skipped.push(skip(&format!("it is {}", row.state.as_str().replace('_', " "))));
                    continue;
                }
                if store_outbox::has_live_message(conn, id)? {
                    summary.skipped.push(skip("it is already queued"));
                    continue;
                }
                let Some(to) = super::contacts::address(conn, campaign.workspace_id, row.authority_id)?
                else {
                    summary.no_email.push(skip("the body has no email address"));
                    continue;
                };
                let scheduled = start
                    + chrono::Duration::from_std(interval * summary.queued.len() as u32).unwrap_or_default();
                let reply_to = reply_address(&secret, &mail.reply_domain, id);
                let subject = if row.subject.contains(&row.reference) {
                    row.subject.clone()
                } else {
                    format!("{} [{}]", row.subject, row.reference)
                };
                let message = NewOutbox {
                    kind: OutboxKind::Request,
                    request_id: Some(id),
                    campaign_id: Some(campaign_id),
                    message_id: message_id(&row.reference.to_lowercase(), &mail.reply_domain),
                    from_address: mail.from.clone(),
                    to_address: to.clone(),
                    reply_to: Some(reply_to.clone()),
                    subject: subject.clone(),
                    body: row.body.clone(),
                    state: OutboxState::Pending,
                    next_attempt_at: scheduled,
                    created_by: actor.user_id,
                    created_at: start,
                    workspace_id: Some(campaign.workspace_id),
                };
                let headers = if input.dry_run {
                    let outgoing = outgoing(
                        message.kind,
                        &message.from_address,
                        &message.to_address,
                        message.reply_to.as_deref(),
                        &message.subject,
                        &message.body,
                        &message.message_id,
                    );
                    let headers = crate::mail::headers(&outgoing).map_err(|e| {
                        ServiceError::invalid(format!("The message to {to} cannot be built: {e}."))
                    })?;
                    Some(headers.into_iter().map(|(name, value)| MessageHeader { name, value }).collect())
                } else {
                    store_outbox::insert(conn, &message)?;
                    None
                };
                summary.queued.push(QueuedMessage {
                    request_id: id,
                    reference: row.reference.clone(),
                    to,
                    reply_to,
                    subject,
                    body: input.dry_run.then(|| row.body.clone()),
                    headers,
                    scheduled_at: utc(scheduled),
                });
            }
            Ok(summary)
        })
    }

    /// Delivers up to `limit` due messages as `worker`. Each accepted message is marked sent and
    /// its request recorded as sent (with the Message-ID) in one transaction; a refused one waits
    /// and is tried again, until `max_attempts`.
    pub fn deliver_due(&self, mailer: &Mailer, worker: &str, limit: i64) -> ServiceResult<DeliveryReport> {
        let mut report = DeliveryReport::default();
        // One message per lease, so that a slow server cannot outlast the lease of messages
        // still waiting in the same batch (another worker would take and send them too).
        for _ in 0..limit.max(1) {
            let stamp = now();
            let lease = chrono::Duration::from_std(self.mail().lease).unwrap_or(chrono::Duration::minutes(5));
            let mut conn = self.db().conn()?;
            let leased = store::write_transaction(&mut conn, |conn| {
                Ok::<_, ServiceError>(store_outbox::lease_due(conn, worker, stamp, stamp + lease, 1)?)
            })?;
            drop(conn);
            let Some(row) = leased.into_iter().next() else { break };
            if let Some(reason) = self.no_longer_wanted(&row)? {
                let mut conn = self.db().conn()?;
                store_outbox::cancel_leased(&mut conn, row.id, worker, &reason)?;
                forget_link(&mut conn, &row)?;
                report.cancelled += 1;
                continue;
            }
            let outgoing = outgoing(
                row.kind,
                &row.from_address,
                &row.to_address,
                row.reply_to.as_deref(),
                &row.subject,
                &row.body,
                &row.message_id,
            );
            match mailer.send(&outgoing) {
                Ok(()) => {
                    self.record_delivery(&row, worker)?;
                    report.sent += 1;
                }
                Err(e) => match self.record_failure(&row, worker, &e)? {
                    Some(true) => report.failed += 1,
                    Some(false) => report.retrying += 1,
                    None => {}
                },
            }
        }
        Ok(report)
    }

    /// Records a failed attempt: the message waits and is tried again, unless the failure is
    /// final or the attempts are used up. A final refusal by the server also marks the body's
    /// address as failing and notes it on the request's timeline, when the refusal blames that
    /// address. Returns whether it gave up, or `None` when the lease had run out and another
    /// worker has the message, whose outcome is then that worker's to record.
    fn record_failure(&self, row: &OutboxRow, worker: &str, e: &MailError) -> ServiceResult<Option<bool>> {
        let give_up = e.is_permanent() || row.attempts as u32 >= self.mail().max_attempts;
        let retry_at = (!give_up).then(|| now() + backoff(self.mail().first_retry, row.attempts as u32));
        tracing::warn!(outbox = row.id, attempt = row.attempts, error = %e, "delivery failed");
        let mut conn = self.db().conn()?;
        if !store_outbox::mark_attempt_failed(&mut conn, row.id, worker, &e.to_string(), retry_at, now())? {
            tracing::warn!(outbox = row.id, "the lease ran out before the failure was recorded");
            return Ok(None);
        }
        if give_up {
            forget_link(&mut conn, row)?;
        }
        if let MailError::Rejected(refusal) = e
            && e.blames_recipient()
            && let Err(err) = self.record_refused_address(&mut conn, row, &refusal.to_string())
        {
            // The message has failed either way; the mark on the body is a help, not the record.
            tracing::warn!(outbox = row.id, error = %err, "the refused address could not be recorded");
        }
        Ok(Some(give_up))
    }

    /// Marks the body's address as failing, with the server's answer, and notes the refusal on
    /// the request's timeline. Digests, which go to researchers and belong to no request, are
    /// left alone.
    fn record_refused_address(
        &self,
        conn: &mut store::AnyConnection,
        row: &OutboxRow,
        answer: &str,
    ) -> ServiceResult<()> {
        let Some(request_id) = row.request_id else { return Ok(()) };
        store::write_transaction(conn, |conn| {
            let Some(request) = requests::by_id(conn, request_id)? else { return Ok(()) };
            let at = now();
            authorities::mark_email_failing(conn, request.authority_id, &row.to_address, at, answer)?;
            let sender = Actor::system(row.created_by);
            let mut note =
                format!("The mail server refused the email to {} for good: {answer}.", row.to_address);
            if row.kind == OutboxKind::Request {
                note.push_str(" Correct the body's address with an import, then send the campaign again.");
            }
            let draft = Draft {
                kind: EventKind::Note,
                occurred_on: london::london_date(utc(at)),
                details: EventDetails::default(),
                note: Some(note),
            };
            self.append(conn, &sender, request_id, draft).map(|_| ())
        })
    }

    fn record_delivery(&self, row: &OutboxRow, worker: &str) -> ServiceResult<()> {
        let at = Utc::now();
        let mut conn = self.db().conn()?;
        let recorded =
            store::write_transaction(&mut conn, |conn| self.record_delivery_in(conn, row, worker, at));
        if let Err(e) = recorded {
            // The server has the message: it must never be sent again, whatever the timeline says.
            tracing::warn!(outbox = row.id, error = %e, "sent, but the event could not be recorded");
            store::write_transaction(&mut conn, |conn| {
                store_outbox::mark_sent(conn, row.id, worker, at.naive_utc()).map(|_| ())
            })
            .map_err(ServiceError::from)?;
        }
        Ok(())
    }

    fn record_delivery_in(
        &self,
        conn: &mut store::AnyConnection,
        row: &OutboxRow,
        worker: &str,
        at: chrono::DateTime<Utc>,
    ) -> ServiceResult<()> {
        if !store_outbox::mark_sent(conn, row.id, worker, at.naive_utc())? {
            tracing::warn!(outbox = row.id, "lease lost before the delivery was recorded");
            return Ok(());
        }
        forget_link(conn, row)?;
        let Some(request_id) = row.request_id else { return Ok(()) };
        let Some(request) = requests::by_id(conn, request_id)? else { return Ok(()) };
        let sender = Actor::system(row.created_by);
        let on = london::london_date(at);
        let draft = match row.kind {
            OutboxKind::Request if request.state == State::Draft => Draft {
                kind: EventKind::Sent,
                occurred_on: on,
                details: EventDetails {
                    sent_at: Some(at),
                    channel: Some(Channel::Email),
                    address: Some(row.to_address.clone()),
                    message_id: Some(row.message_id.clone()),
                    ..Default::default()
                },
                note: None,
            },
            OutboxKind::Chaser => Draft {
                kind: EventKind::Note,
                occurred_on: on,
                details: EventDetails::default(),
                note: Some(format!("Chaser sent to {} (Message-ID {}).", row.to_address, row.message_id)),
            },
            OutboxKind::ReviewRequest => Draft {
                kind: EventKind::InternalReviewRequested,
                occurred_on: on,
                details: EventDetails::default(),
                note: Some(format!(
                    "Internal review requested by email to {} (Message-ID {}).",
                    row.to_address, row.message_id
                )),
            },
            OutboxKind::Request | OutboxKind::Digest | OutboxKind::PasswordReset => return Ok(()),
        };
        self.append(conn, &sender, request_id, draft).map(|_| ())
    }

    /// Why a queued message should no longer go, if it should not: a request withdrawn or
    /// logged as sent by hand since it was queued, a follow-up to a body that has replied, or a
    /// password link that has expired or been used.
    fn no_longer_wanted(&self, row: &OutboxRow) -> ServiceResult<Option<String>> {
        if row.kind == OutboxKind::PasswordReset {
            let live =
                crate::store::password_resets::live_for_outbox(&mut *self.db().conn()?, row.id, now())?;
            return Ok((!live).then(|| "not sent: the link has expired or has been used".to_string()));
        }
        let Some(request_id) = row.request_id else { return Ok(None) };
        let mut conn = self.db().conn()?;
        let Some(request) = requests::by_id(&mut conn, request_id)? else {
            return Ok(Some("not sent: the request no longer exists".into()));
        };
        let reason = match row.kind {
            OutboxKind::Request if request.state != State::Draft => {
                Some(format!("not sent: the request is already {}", request.state.as_str().replace('_', " ")))
            }
            OutboxKind::Chaser | OutboxKind::ReviewRequest if request.state != State::AwaitingResponse => {
                Some("not sent: the request is no longer awaiting a response".to_string())
            }
            _ => None,
        };
        Ok(reason)
    }

    /// The outbox of the actor's workspaces (or of the one named), optionally only one
    /// campaign's messages.
    pub fn list_outbox(
        &self,
        actor: &Actor,
        workspace: Option<&str>,
        state: Option<&str>,
        campaign: Option<i64>,
        paging: Paging,
    ) -> ServiceResult<Page<OutboxView>> {
        let scope = actor.scope(workspace)?;
        let state = state
            .map(|s| s.parse::<OutboxState>())
            .transpose()
            .map_err(|e| ServiceError::invalid_fields(vec![FieldError::new("state", e.to_string())]))?;
        let mut conn = self.db().conn()?;
        let (rows, total) =
            store_outbox::list(&mut conn, &scope, state, campaign, paging.limit(), paging.offset())?;
        Ok(Page {
            items: rows.into_iter().map(view).collect(),
            total,
            page: paging.page,
            per_page: paging.per_page,
        })
    }

    pub fn retry_message(&self, actor: &Actor, id: i64) -> ServiceResult<OutboxView> {
        let mut conn = self.db().conn()?;
        let row = self.message_for(
            &mut conn,
            actor,
            id,
            Intent::Change(WorkspaceRole::can_manage_campaigns, "steer the outbox"),
        )?;
        if !store_outbox::retry(&mut conn, id, now())? {
            return Err(ServiceError::Conflict(format!(
                "Message {id} is {}; only pending or failed messages can be retried.",
                row.state
            )));
        }
        Ok(view(store_outbox::by_id(&mut conn, id)?.expect("just updated")))
    }

    pub fn cancel_message(&self, actor: &Actor, id: i64) -> ServiceResult<OutboxView> {
        let mut conn = self.db().conn()?;
        let row = self.message_for(
            &mut conn,
            actor,
            id,
            Intent::Change(WorkspaceRole::can_manage_campaigns, "steer the outbox"),
        )?;
        if !store_outbox::cancel(&mut conn, id)? {
            return Err(ServiceError::Conflict(format!(
                "Message {id} is {}; only pending or failed messages can be cancelled.",
                row.state
            )));
        }
        Ok(view(store_outbox::by_id(&mut conn, id)?.expect("just updated")))
    }
}

/// `foi@example.org` from `Name <foi@example.org>`.
pub(crate) fn bare_address(from: &str) -> &str {
    from.rsplit_once('<').map(|(_, a)| a.trim_end_matches('>')).unwrap_or(from).trim()
}

/// A Message-ID (without brackets) that names what the message is, unique by a random tag.
pub(crate) fn message_id(label: &str, domain: &str) -> String {
    format!("{label}.{}@{domain}", random_tag())
}

/// A short random hex tag, for Message-IDs and worker names.
pub fn random_tag() -> String {
    let mut bytes = [0u8; 6];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        let first = Duration::from_secs(30);
        assert_eq!(backoff(first, 1).num_seconds(), 30);
        assert_eq!(backoff(first, 2).num_seconds(), 60);
        assert_eq!(backoff(first, 5).num_seconds(), 480);
        assert_eq!(backoff(first, 50).num_seconds(), 3600);
    }
}
