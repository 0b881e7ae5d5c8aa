//! Gathering the evidence matching weighs, from the store: which requests a message's
//! addresses, threading headers and references point to.

use std::collections::HashMap;

use crate::domain::inbound::address::Typed;
use crate::domain::inbound::matching::Evidence;
use crate::domain::inbound::{Mail, Outcome, reference, subject};
use crate::store::AnyConnection;
use crate::store::inbound::{self as store, Candidate};

use super::super::ServiceResult;

/// How many reply addresses of one message are read.
const MAX_ADDRESSES: usize = 50;

/// How many of the latest sent requests a message's subject is compared with, when nothing
/// else matched it: enough for every request of a year's studies, and a few milliseconds.
const SUBJECTS_COMPARED: i64 = 5_000;

/// What matching found, with the requests it named, by id.
pub(super) struct Found {
    pub evidence: Evidence,
    pub requests: HashMap<i64, Candidate>,
}

/// `pen` is the workspace a message arrived for, if any: suggestions by sender domain stay
/// within it.
pub(super) fn gather(
    conn: &mut AnyConnection,
    secret: &str,
    mail: &Mail,
    outcome: Outcome,
    pen: Option<i64>,
) -> ServiceResult<Found> {
    let mut requests: HashMap<i64, Candidate> = HashMap::new();
    let mut keep = |found: Vec<Candidate>| -> Vec<i64> {
        let ids = found.iter().map(|c| c.id).collect();
        for c in found {
            requests.insert(c.id, c);
        }
        ids
    };
    // A reply names a few requests at most; a message naming hundreds is not worth the HMACs.
    let typed: Vec<Typed> =
        mail.recipients.iter().filter_map(|a| Typed::parse(a)).take(MAX_ADDRESSES).collect();
    let verified: Vec<i64> = typed.iter().filter_map(|t| t.verified(secret)).collect();
    let reply_addresses =
        if verified.is_empty() { Vec::new() } else { keep(store::requests_by_id(conn, &verified)?) };

    // A bounce carries our own mail inside it: its Message-ID is as good as a thread.
    let mut thread_ids = mail.threads.clone();
    if outcome == Outcome::Bounce || mail.delivery.is_some() {
        thread_ids.extend(mail.returned_ids.iter().cloned());
    }
    // Our outgoing Message-IDs are stored without their angle brackets.
    let thread_ids: Vec<String> =
        thread_ids.iter().map(|id| id.trim_matches(['<', '>']).to_string()).collect();
    let threaded = if thread_ids.is_empty() {
        Vec::new()
    } else {
        keep(store::requests_by_outgoing_id(conn, &thread_ids)?)
    };

    let ours = reference::ours(&mail.subject);
    let subject_references =
        if ours.is_empty() { Vec::new() } else { keep(store::requests_by_reference(conn, &ours)?) };

    let theirs = reference::theirs(&reference::head(&mail.subject, &mail.text));
    let body_references = if theirs.is_empty() {
        Vec::new()
    } else {
        let found = store::requests_by_body_reference(conn, &theirs)?;
        keep(found.into_iter().map(|(c, _)| c).collect())
    };

    let mut near_misses = Vec::new();
    if reply_addresses.is_empty() {
        for t in &typed {
            let close = t.near_misses(secret, |_| true);
            if !close.is_empty() {
                near_misses.extend(keep(store::requests_by_id(conn, &close)?));
            }
        }
    }

    // Only the holding pen uses the sender's domain, for suggestions.
    let settled = !reply_addresses.is_empty()
        || !threaded.is_empty()
        || !subject_references.is_empty()
        || body_references.len() == 1
        || near_misses.len() == 1;
    let sender_domain = match mail.from.as_deref().and_then(domain_of) {
        Some(domain) if !settled => keep(store::open_requests_at_domain(conn, &domain, pen)?),
        _ => Vec::new(),
    };
    let similar_subject = if settled || mail.subject.trim().is_empty() {
        Vec::new()
    } else {
        let sent = store::sent_subjects(conn, pen, SUBJECTS_COMPARED)?;
        let ids = subject::alike(&mail.subject, sent.iter().map(|(id, s)| (*id, s.as_str())));
        if ids.is_empty() { ids } else { keep(store::requests_by_id(conn, &ids)?) }
    };
    let evidence = Evidence {
        reply_addresses,
        threaded,
        subject_references,
        body_references,
        near_misses,
        similar_subject,
        sender_domain,
    };
    Ok(Found { evidence, requests })
}

/// The domain of an address, lower-cased.
pub(super) fn domain_of(address: &str) -> Option<String> {
    let (_, domain) = address.trim().trim_matches(['<', '>']).rsplit_once('@')?;
    let domain = domain.trim().to_ascii_lowercase();
    (!domain.is_empty()).then_some(domain)
}
