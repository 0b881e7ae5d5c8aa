//! Incoming mail, as the domain sees it: what a message says ([`Mail`], read by the mail
//! adapter), what kind of message it is ([`classify`]), where it points ([`reference`],
//! [`address`]) and in what order that evidence decides its requests ([`matching`]); where its
//! own words end ([`fold`]) and what they seem to say ([`suggest`]).

pub mod address;
pub mod classify;
pub mod fold;
pub mod matching;
pub mod reference;
pub mod sniff;
pub mod subject;
pub mod suggest;
pub mod uuencode;

use chrono::{DateTime, Utc};

use crate::text_enum;

text_enum! {
    /// What a stored incoming message is. A `duplicate` is never stored: it is what ingesting
    /// a message already stored reports.
    pub enum Outcome("message outcome") {
        /// A reply from the body, waiting for a researcher to classify it.
        Response => "response",
        /// An automatic receipt from the body: not the answer.
        Acknowledgement => "acknowledgement",
        /// An out-of-office or other automatic reply, or a delivery delay: changes nothing.
        AutoReply => "auto_reply",
        /// Our mail could not be delivered, for good.
        Bounce => "bounce",
        Duplicate => "duplicate",
        /// Not a mail message at all.
        Rejected => "rejected",
    }
}

text_enum! {
    /// The evidence that tied a message to its requests, strongest first.
    pub enum MatchedBy("way of matching") {
        ReplyAddress => "reply_address",
        InReplyTo => "in_reply_to",
        SubjectReference => "subject_reference",
        BodyReference => "body_reference",
        /// A near-miss reply address with exactly one candidate: assigned, and marked for a look.
        Guess => "guess",
        /// Assigned by a researcher from the holding pen.
        Researcher => "researcher",
        None => "none",
    }
}

text_enum! {
    /// Whether an attachment's text could be taken out of it.
    pub enum Extraction("extraction result") {
        Ok => "ok",
        /// The file is damaged or hostile, or extraction ran out of time or memory.
        Failed => "failed",
        /// A type whose text foitrack does not read (images, and for now most office formats).
        Unsupported => "unsupported",
    }
}

/// What the mail adapter read from a message: only what classifying and matching need, already
/// decoded (charsets, encoded words, transfer encodings).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mail {
    /// With its angle brackets, as our own outgoing ones are stored.
    pub message_id: Option<String>,
    /// `In-Reply-To` then `References`, with angle brackets.
    pub threads: Vec<String>,
    pub from: Option<String>,
    /// Addresses (no display names) of To, Cc, Delivered-To, X-Original-To and Envelope-To.
    pub recipients: Vec<String>,
    pub subject: String,
    pub sent_at: Option<DateTime<Utc>>,
    pub auto: AutoHeaders,
    /// Exim's `X-Failed-Recipients`.
    pub failed_recipients: Vec<String>,
    /// The first recipient of a `message/delivery-status` part.
    pub delivery: Option<DeliveryStatus>,
    /// Message-IDs of messages returned inside this one (a bounce's copy of our mail).
    pub returned_ids: Vec<String>,
    /// The plain text of the message, or the HTML's text where it has no plain part.
    pub text: String,
}

/// The headers by which mail says it was sent automatically.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AutoHeaders {
    pub auto_submitted: Option<String>,
    pub x_autoreply: bool,
    pub x_autorespond: bool,
    pub precedence: Option<String>,
    pub x_post_message_class: Option<String>,
    /// `Return-Path: <>`, as on delivery reports and many automatic replies.
    pub null_return_path: bool,
}

impl Mail {
    /// The automatic-reply headers' texts, for cleaning them.
    pub fn auto_fields(&mut self) -> impl Iterator<Item = &mut String> {
        let a = &mut self.auto;
        [&mut a.auto_submitted, &mut a.precedence, &mut a.x_post_message_class].into_iter().flatten()
    }
}

/// One recipient's entry in a delivery report (RFC 3464).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryStatus {
    pub final_recipient: Option<String>,
    pub action: Option<String>,
    /// Such as `5.1.1`.
    pub status: Option<String>,
}
