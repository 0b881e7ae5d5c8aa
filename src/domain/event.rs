//! The events of a request's timeline and the details each kind carries.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::vocab::{Channel, Outcome};
use crate::text_enum;

text_enum! {
    /// Something that happened to a request. Timelines are append-only: a mistake is undone by
    /// a `retraction` naming the event it cancels.
    pub enum EventKind("event kind") {
        Sent => "sent",
        /// The body acknowledged the request, usually with its own reference number.
        Acknowledged => "acknowledged",
        ClarificationRequested => "clarification_requested",
        ClarificationSent => "clarification_sent",
        FeeNoticeGiven => "fee_notice_given",
        FeePaid => "fee_paid",
        /// A public interest (FOIA s.10(3)) or EIR extension.
        ExtensionClaimed => "extension_claimed",
        ResponseReceived => "response_received",
        InternalReviewRequested => "internal_review_requested",
        InternalReviewAnswered => "internal_review_answered",
        IcoComplaint => "ico_complaint",
        Withdrawn => "withdrawn",
        Closed => "closed",
        Note => "note",
        Retraction => "retraction",
        /// Recorded by foitrack itself when new bank holiday data moved the request's deadlines.
        DeadlineRecalculated => "deadline_recalculated",
    }
}

impl EventKind {
    /// A phrase for messages: "a response", "an acknowledgement".
    pub fn phrase(self) -> &'static str {
        match self {
            EventKind::Sent => "the sending",
            EventKind::Acknowledged => "an acknowledgement",
            EventKind::ClarificationRequested => "a request for clarification",
            EventKind::ClarificationSent => "a clarification",
            EventKind::FeeNoticeGiven => "a fees notice",
            EventKind::FeePaid => "a fee payment",
            EventKind::ExtensionClaimed => "an extension",
            EventKind::ResponseReceived => "a response",
            EventKind::InternalReviewRequested => "a request for internal review",
            EventKind::InternalReviewAnswered => "an internal review answer",
            EventKind::IcoComplaint => "a complaint to the ICO",
            EventKind::Withdrawn => "a withdrawal",
            EventKind::Closed => "a closing",
            EventKind::Note => "a note",
            EventKind::Retraction => "a retraction",
            EventKind::DeadlineRecalculated => "a recalculation of the deadlines",
        }
    }
}

/// The details an event kind may carry. Stored as JSON beside the event; which fields are
/// required depends on the kind (see [`EventDetails::missing_fields`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EventDetails {
    /// `sent`: the moment the request went out (UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<DateTime<Utc>>,
    /// `sent`: how it was sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    /// `sent`: the address (email, postal, portal URL) it was sent to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// `sent`: the Message-ID of the email, when foitrack sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// `sent`: the date of receipt, when it is not the date of sending (or, by post, the second
    /// working day after posting).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_on: Option<NaiveDate>,
    /// `acknowledged` (or any reply): the body's own reference number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_reference: Option<String>,
    /// `response_received`, `internal_review_answered`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// Exemptions cited, such as `s.12` or `s.40(2)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exemptions: Vec<String>,
    /// `extension_claimed`: the new due date the body gave, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_due_on: Option<NaiveDate>,
    /// `retraction`: the id of the event recorded by mistake.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retracts: Option<i64>,
}

impl EventDetails {
    /// The fields this kind of event cannot do without, with a sentence for each.
    pub fn missing_fields(&self, kind: EventKind) -> Vec<(&'static str, &'static str)> {
        let mut missing = Vec::new();
        match kind {
            EventKind::Sent if self.channel.is_none() => {
                missing.push(("channel", "say how the request was sent"))
            }
            EventKind::ResponseReceived | EventKind::InternalReviewAnswered if self.outcome.is_none() => {
                missing.push(("outcome", "say what the body's answer gave"))
            }
            EventKind::Retraction if self.retracts.is_none() => {
                missing.push(("retracts", "give the id of the event recorded by mistake"))
            }
            _ => {}
        }
        missing
    }
}

impl EventDetails {
    /// Fields given that mean nothing for this kind of event, so that a mistyped kind does not
    /// silently drop an outcome or a date.
    pub fn unexpected_fields(&self, kind: EventKind) -> Vec<&'static str> {
        use EventKind as K;
        let mut extra = Vec::new();
        if kind != K::Sent {
            if self.sent_at.is_some() {
                extra.push("sent_at");
            }
            if self.channel.is_some() {
                extra.push("channel");
            }
            if self.address.is_some() {
                extra.push("address");
            }
            if self.received_on.is_some() {
                extra.push("received_on");
            }
            if self.message_id.is_some() {
                extra.push("message_id");
            }
        }
        if self.outcome.is_some() && !matches!(kind, K::ResponseReceived | K::InternalReviewAnswered) {
            extra.push("outcome");
        }
        if !self.exemptions.is_empty() && !matches!(kind, K::ResponseReceived | K::InternalReviewAnswered) {
            extra.push("exemptions");
        }
        if self.new_due_on.is_some() && kind != K::ExtensionClaimed {
            extra.push("new_due_on");
        }
        if self.retracts.is_some() && kind != K::Retraction {
            extra.push("retracts");
        }
        extra
    }
}

/// One event of a timeline, as replayed by [`super::timeline::replay`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEvent {
    pub id: i64,
    pub kind: EventKind,
    pub occurred_on: NaiveDate,
    pub details: EventDetails,
}
