//! Incoming mail, from every source (the webhook, mail files, a mailbox), ends here: each
//! message is stored once, classified, matched to its requests or put in a holding pen, and
//! what it means is recorded (an acknowledgement's reference, a bounce's failing address).

mod batch;
pub mod classify;
mod evidence;
pub mod incoming;
pub mod pen;
mod read;
mod report;

use chrono::Utc;

pub use batch::{BATCH_BYTES, BATCH_MESSAGES, Batcher, Taken};
pub use report::{IngestSummary, IngestedAttachment, IngestedMessage, PenSuggestion};

use super::timeline::Draft;
use super::{Actor, Service, ServiceError, ServiceResult, now};
use crate::domain::event::{EventDetails, EventKind};
use crate::domain::inbound::classify::{Kind, classify};
use crate::domain::inbound::matching::{Decision, decide};
use crate::domain::inbound::{MatchedBy, Outcome, reference};
use crate::domain::london;
use crate::store::inbound::{self as store, NewInbound, NewLink};
use crate::store::raw_files::RawFileError;
use crate::store::{self as db, AnyConnection, StoreError};
use read::{Content, Read, Stored};

/// The largest message taken in, raw: far above what mail servers pass (25–50 MB), so that
/// only a runaway file is refused.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;
/// Longer Message-IDs are not kept as one: no mailer writes them, and an index cannot hold any
/// length.
pub(super) const MAX_MESSAGE_ID: usize = 900;

/// One message as it arrived.
#[derive(Debug, Clone, Copy)]
pub struct Arrival<'a> {
    pub raw: &'a [u8],
    /// Where it came from, as reported: `replies.mbox#3`, `webhook`.
    pub source: &'a str,
    /// The workspace whose address or mailbox it came to: its holding pen, if it matches
    /// nothing. `None`: the site-wide pen.
    pub pen: Option<i64>,
    /// Who delivered it (the token's or the command line's user), recorded on what it causes.
    pub by: i64,
}

impl Service {
    /// Who may take in mail files, and where what matches nothing waits: a site admin, into
    /// the workspace named by `slug` or else the site-wide pen. Mail matched by its reply
    /// address may belong to any team, so nobody less may.
    pub fn ingest_as(&self, actor: &Actor, slug: Option<&str>) -> ServiceResult<(i64, Option<i64>)> {
        actor.require(actor.role.can_manage_users(), "take in incoming mail")?;
        let pen = match slug.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(slug) => Some(super::workspaces::by_slug(&mut *self.db().conn()?, slug)?.id),
        };
        Ok((actor.user_id, pen))
    }

    /// Stores, classifies and matches one message. A message stored before (the same bytes, or
    /// the same Message-ID) is reported as a duplicate and changes nothing.
    pub fn ingest(&self, arrival: Arrival) -> ServiceResult<IngestedMessage> {
        // Before taking a connection: the secret may need one of its own.
        let secret = self.reply_secret()?;
        let mut conn = self.db().conn()?;
        let read = read::read(&mut conn, self.extractor(), self.raw_files(), arrival)?;
        self.ingest_on(&mut conn, &secret, arrival, &read)
    }

    /// As [`Service::ingest`], for a message read already.
    fn ingest_read(&self, arrival: Arrival, read: &Read) -> ServiceResult<IngestedMessage> {
        let secret = self.reply_secret()?;
        self.ingest_on(&mut *self.db().conn()?, &secret, arrival, read)
    }

    /// Stores a message read by [`read::read`]; inside a batch's transaction, or on its own.
    fn ingest_on(
        &self,
        conn: &mut AnyConnection,
        secret: &str,
        arrival: Arrival,
        read: &Read,
    ) -> ServiceResult<IngestedMessage> {
        let Read { sha, message_id, content } = read;
        // Again, now under the write lock: another instance, or this batch, may have stored it.
        if let Some(row) = store::existing(conn, sha, message_id.as_deref())? {
            return report::duplicate(conn, arrival.source, row);
        }
        let stored = match content {
            Err(why) => self.store_rejected(conn, arrival, sha, &why.0),
            Ok(content) => self.store_message(conn, arrival, sha, secret, message_id.as_deref(), content),
        };
        match stored {
            Err(Fault::Duplicate) => match store::existing(conn, sha, message_id.as_deref())? {
                Some(row) => report::duplicate(conn, arrival.source, row),
                None => Err(ServiceError::internal("a message reported as stored twice is not stored")),
            },
            Err(Fault::Other(e)) => Err(e),
            Ok(report) => Ok(report),
        }
    }

    /// What the database keeps of a raw message, and whether the raw directory has it
    /// instead: the `raw` and `raw_in_directory` columns.
    fn raw_columns<'a>(&self, raw: &'a [u8]) -> (&'a [u8], bool) {
        if self.raw_files().is_some() { (&[], true) } else { (raw, false) }
    }

    /// A stored message's raw bytes, from the database or the raw directory.
    pub(super) fn raw_message(&self, conn: &mut AnyConnection, id: i64) -> ServiceResult<Vec<u8>> {
        match store::raw(conn, id)? {
            store::Raw::Here(raw) => Ok(raw),
            store::Raw::InDirectory { sha256 } => {
                let files = self.raw_files().ok_or_else(|| {
                    ServiceError::unavailable(
                        "This message was kept as a file in a raw directory, and inbound.raw_directory is not set",
                        None,
                    )
                })?;
                files.get(&sha256).map_err(|e| match e {
                    RawFileError::Read { .. } => ServiceError::unavailable(
                        format!(
                            "The raw copy of message {id} could not be read from the raw message directory; \
                             check that its file is there and readable."
                        ),
                        Some(e.into()),
                    ),
                    RawFileError::Changed { .. } => ServiceError::unavailable(
                        format!(
                            "The raw copy of message {id} has changed since it was stored (its bytes no longer \
                             match their SHA-256, {sha256}), so it is not used; restore it from a backup, or \
                             deliver the message again, which writes it anew."
                        ),
                        Some(e.into()),
                    ),
                    _ => ServiceError::internal_from("A stored message's raw file has no usable name", e),
                })
            }
        }
    }

    fn store_rejected(
        &self,
        conn: &mut AnyConnection,
        arrival: Arrival,
        sha: &str,
        why: &str,
    ) -> Result<IngestedMessage, Fault> {
        let (raw, raw_in_directory) = self.raw_columns(arrival.raw);
        let row = NewInbound {
            sha256: sha,
            message_id: None,
            workspace_id: arrival.pen,
            source: arrival.source,
            outcome: Outcome::Rejected,
            matched_by: MatchedBy::None,
            reason: Some(why),
            delivery_status: None,
            from_address: None,
            subject: "",
            sent_at: None,
            received_at: now(),
            body_text: "",
            body_html: None,
            suggestions: "[]",
            size: arrival.raw.len() as i64,
            raw,
            raw_in_directory,
            received_by: arrival.by,
        };
        let id = db::write_transaction(conn, |conn| Ok::<_, Fault>(store::insert(conn, &row)?))?;
        Ok(IngestedMessage::rejected(arrival.source, Some(id), why))
    }

    fn store_message(
        &self,
        conn: &mut AnyConnection,
        arrival: Arrival,
        sha: &str,
        secret: &str,
        message_id: Option<&str>,
        content: &Content,
    ) -> Result<IngestedMessage, Fault> {
        let mail = &content.mail;
        let files = content.files.read(self.extractor());
        let kind = classify(mail);
        let found = evidence::gather(conn, secret, mail, kind.outcome, arrival.pen)?;
        let mut decision = decide(&found.evidence);
        // A workspace's pen suggests only that workspace's requests; the site's may suggest any.
        if let Some(ws) = arrival.pen {
            decision
                .suggestions
                .retain(|s| found.requests.get(&s.request_id).is_some_and(|c| c.workspace_id == ws));
        }
        let workspace_id =
            decision.requests.first().and_then(|id| found.requests.get(id)).map(|c| c.workspace_id);
        let suggestions: Vec<PenSuggestion> = decision
            .suggestions
            .iter()
            .filter_map(|s| {
                let c = found.requests.get(&s.request_id)?;
                Some(PenSuggestion {
                    request_id: c.id,
                    reference: c.reference.clone(),
                    reason: s.reason.to_string(),
                })
            })
            .collect();
        let suggestions_json = serde_json::to_string(&suggestions)
            .map_err(|e| ServiceError::internal_from("The suggestions could not be written", e))?;
        // The mail adapter has already cleared every header and the text of NUL.
        let stamp = now();
        let (raw, raw_in_directory) = self.raw_columns(arrival.raw);
        let row = NewInbound {
            sha256: sha,
            message_id,
            workspace_id: workspace_id.or(arrival.pen),
            source: arrival.source,
            outcome: kind.outcome,
            matched_by: decision.matched_by,
            reason: kind.reason.as_deref(),
            delivery_status: kind.delivery_status.as_deref(),
            from_address: mail.from.as_deref(),
            subject: &mail.subject,
            sent_at: mail.sent_at.map(|t| t.naive_utc()),
            received_at: stamp,
            body_text: &mail.text,
            body_html: content.html.as_deref(),
            suggestions: &suggestions_json,
            size: arrival.raw.len() as i64,
            raw,
            raw_in_directory,
            received_by: arrival.by,
        };
        let id = db::write_transaction(conn, |conn| -> Result<i64, Fault> {
            let id = store::insert(conn, &row)?;
            for request_id in &decision.requests {
                let mismatch =
                    self.sender_mismatch(conn, &kind, mail.from.as_deref(), &found, *request_id)?;
                let link = NewLink {
                    inbound_id: id,
                    request_id: *request_id,
                    matched_by: decision.matched_by,
                    sender_mismatch: mismatch,
                    linked_at: stamp,
                };
                store::link(conn, &link)?;
            }
            // A reply to several teams' requests belongs to each: the others' workspaces.
            let mut others: Vec<i64> = decision
                .requests
                .iter()
                .filter_map(|r| found.requests.get(r))
                .map(|c| c.workspace_id)
                .filter(|ws| Some(*ws) != row.workspace_id)
                .collect();
            others.sort_unstable();
            others.dedup();
            store::add_scopes(conn, id, &others)?;
            for (position, file) in files.iter().enumerate() {
                store::insert_attachment(conn, &file.row(id, position as i32))?;
            }
            self.record_consequences(conn, arrival.by, id, &kind, &decision, &found, mail)?;
            Ok(id)
        })?;
        let references: Vec<String> = {
            let mut r: Vec<String> = decision
                .requests
                .iter()
                .filter_map(|i| found.requests.get(i))
                .map(|c| c.reference.clone())
                .collect();
            r.sort();
            r
        };
        Ok(IngestedMessage {
            source: arrival.source.to_string(),
            id: Some(id),
            message_id: message_id.map(str::to_string),
            outcome: kind.outcome,
            requests: references,
            matched_by: decision.matched_by,
            attachments: files.iter().map(Stored::report).collect(),
            delivery_status: kind.delivery_status.clone(),
            reason: kind.reason.clone(),
            suggestions,
        })
    }

    /// Whether a reply to `request_id` comes from another domain than its body's address.
    /// Delivery reports come from mail servers, so only replies are checked.
    fn sender_mismatch(
        &self,
        conn: &mut AnyConnection,
        kind: &Kind,
        from: Option<&str>,
        found: &evidence::Found,
        request_id: i64,
    ) -> ServiceResult<bool> {
        if matches!(kind.outcome, Outcome::Bounce) || kind.delivery_status.is_some() {
            return Ok(false);
        }
        let (Some(from), Some(c)) = (from.and_then(evidence::domain_of), found.requests.get(&request_id))
        else {
            return Ok(false);
        };
        let body = super::contacts::address(conn, c.workspace_id, c.authority_id)?;
        Ok(body.as_deref().and_then(evidence::domain_of).is_some_and(|d| d != from))
    }

    /// What a message means for its requests: an acknowledgement records the body's
    /// reference; a bounce marks the body's address as failing.
    #[allow(clippy::too_many_arguments)]
    fn record_consequences(
        &self,
        conn: &mut AnyConnection,
        by: i64,
        inbound_id: i64,
        kind: &Kind,
        decision: &Decision,
        found: &evidence::Found,
        mail: &crate::domain::inbound::Mail,
    ) -> ServiceResult<()> {
        // Anyone can write to the reply domain with a reference in the subject; only a reply
        // address, our own Message-ID or a researcher's say-so is trusted to change a body's
        // address or record its reference.
        if !matches!(
            decision.matched_by,
            MatchedBy::ReplyAddress | MatchedBy::InReplyTo | MatchedBy::Researcher
        ) {
            return Ok(());
        }
        let dated = london::london_date(mail.sent_at.unwrap_or_else(Utc::now));
        let actor = Actor::system(by);
        for &request_id in &decision.requests {
            // No reply comes before its request: a Date header that says so is wrong, and the
            // day it arrived is the better guess.
            let sent_on = found.requests.get(&request_id).and_then(|c| c.sent_on);
            let on = if sent_on.is_some_and(|s| dated < s) { london::today() } else { dated };
            let draft = match kind.outcome {
                Outcome::Acknowledgement => {
                    let body_reference =
                        reference::theirs(&reference::head(&mail.subject, &mail.text)).into_iter().next();
                    Draft {
                        kind: EventKind::Acknowledged,
                        occurred_on: on,
                        details: EventDetails { body_reference, ..Default::default() },
                        note: Some(format!(
                            "Recorded from an automatic acknowledgement (incoming message {inbound_id})."
                        )),
                    }
                }
                Outcome::Bounce => {
                    let Some(c) = found.requests.get(&request_id) else { continue };
                    let status = kind.delivery_status.as_deref().unwrap_or("no status given");
                    let failed = kind.failed.first().cloned().unwrap_or_else(|| "the body".into());
                    let answer = format!("a bounce ({status}) said mail to {failed} could not be delivered");
                    // As for refusals over SMTP: only a failure that blames the address marks
                    // it, never one of policy or size, and only an address the bounce names.
                    let marked = kind.blames_address
                        && !kind.failed.is_empty()
                        && crate::store::authorities::mark_email_failing(
                            conn,
                            c.authority_id,
                            &failed,
                            now(),
                            &answer,
                        )?;
                    let mut note = format!("Incoming message {inbound_id}: {answer}.");
                    if marked {
                        note.push_str(" The body's address is marked as failing; correct it with an import.");
                    }
                    Draft {
                        kind: EventKind::Note,
                        occurred_on: on,
                        details: EventDetails::default(),
                        note: Some(note),
                    }
                }
                _ => continue,
            };
            match self.append(conn, &actor, request_id, draft) {
                // The timeline may refuse the event (an acknowledgement of a request never
                // sent); the message is kept all the same, and its link shows it.
                Err(e @ (ServiceError::Invalid { .. } | ServiceError::Conflict(_))) => {
                    tracing::warn!(request_id, inbound_id, error = %e, "an incoming message's event was not recorded");
                }
                other => {
                    other?;
                }
            }
        }
        Ok(())
    }
}

/// Why storing failed: the message arrived twice at once (another instance stored it first),
/// or anything else.
enum Fault {
    Duplicate,
    Other(ServiceError),
}

impl From<ServiceError> for Fault {
    fn from(e: ServiceError) -> Self {
        Fault::Other(e)
    }
}

impl From<StoreError> for Fault {
    fn from(e: StoreError) -> Self {
        match &e {
            StoreError::Query(q) if db::is_unique_violation(q) => Fault::Duplicate,
            _ => Fault::Other(e.into()),
        }
    }
}

impl From<diesel::result::Error> for Fault {
    fn from(e: diesel::result::Error) -> Self {
        StoreError::Query(e).into()
    }
}
