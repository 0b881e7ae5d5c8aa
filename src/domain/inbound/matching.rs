//! Which requests a message answers, from the evidence the service found for it, weighed in a
//! fixed order: reply addresses, threading, our reference in the subject, the body's reference,
//! and last a near-miss address. What none of these settles goes to the holding pen, with
//! suggestions and their reasons.

use super::MatchedBy;

/// Requests (by id) that each kind of evidence points to. Every list holds only requests
/// that exist and that the message may belong to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evidence {
    /// Reply addresses whose check verifies.
    pub reply_addresses: Vec<i64>,
    /// Requests whose outgoing mail is named by `In-Reply-To` or `References`, or returned
    /// inside a bounce.
    pub threaded: Vec<i64>,
    pub subject_references: Vec<i64>,
    /// Requests whose recorded body reference the message gives.
    pub body_references: Vec<i64>,
    /// Near-miss reply addresses.
    pub near_misses: Vec<i64>,
    /// Requests whose subject the message's is most like (see `subject::alike`).
    pub similar_subject: Vec<i64>,
    /// Open requests to the one body whose domain the sender writes from.
    pub sender_domain: Vec<i64>,
}

/// A suggestion for a message in the holding pen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub request_id: i64,
    pub reason: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Empty for the holding pen.
    pub requests: Vec<i64>,
    pub matched_by: MatchedBy,
    /// For the holding pen: where the message may belong, strongest first.
    pub suggestions: Vec<Suggestion>,
}

pub fn decide(e: &Evidence) -> Decision {
    let matched = |requests: &[i64], by| Decision {
        requests: sorted(requests),
        matched_by: by,
        suggestions: Vec::new(),
    };
    if !e.reply_addresses.is_empty() {
        return matched(&e.reply_addresses, MatchedBy::ReplyAddress);
    }
    if !e.threaded.is_empty() {
        return matched(&e.threaded, MatchedBy::InReplyTo);
    }
    if !e.subject_references.is_empty() {
        return matched(&e.subject_references, MatchedBy::SubjectReference);
    }
    // Bodies number their cases alike: a reference two requests share decides nothing.
    if let [one] = sorted(&e.body_references)[..] {
        return matched(&[one], MatchedBy::BodyReference);
    }
    if let [one] = sorted(&e.near_misses)[..] {
        return matched(&[one], MatchedBy::Guess);
    }
    let mut suggestions: Vec<Suggestion> = Vec::new();
    let mut suggest = |ids: &[i64], reason| {
        for &id in ids {
            if !suggestions.iter().any(|s| s.request_id == id) {
                suggestions.push(Suggestion { request_id: id, reason });
            }
        }
    };
    suggest(&sorted(&e.near_misses), "a reply address one or two characters off");
    suggest(&sorted(&e.body_references), "the body's reference, which several requests share");
    suggest(&sorted(&e.similar_subject), "a subject like the one sent for this request");
    suggest(&sorted(&e.sender_domain), "sent from the domain of this request's body");
    Decision { requests: Vec::new(), matched_by: MatchedBy::None, suggestions }
}

fn sorted(ids: &[i64]) -> Vec<i64> {
    let mut v = ids.to_vec();
    v.sort_unstable();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stronger_evidence_wins_and_several_addresses_mean_several_requests() {
        let e = Evidence {
            reply_addresses: vec![2, 1, 2],
            threaded: vec![3],
            subject_references: vec![4],
            ..Default::default()
        };
        let d = decide(&e);
        assert_eq!((d.requests, d.matched_by), (vec![1, 2], MatchedBy::ReplyAddress));
        let d = decide(&Evidence { threaded: vec![3], subject_references: vec![4], ..Default::default() });
        assert_eq!((d.requests, d.matched_by), (vec![3], MatchedBy::InReplyTo));
        let d =
            decide(&Evidence { subject_references: vec![4], body_references: vec![5], ..Default::default() });
        assert_eq!((d.requests, d.matched_by), (vec![4], MatchedBy::SubjectReference));
        let d = decide(&Evidence { body_references: vec![5], near_misses: vec![6], ..Default::default() });
        assert_eq!((d.requests, d.matched_by), (vec![5], MatchedBy::BodyReference));
    }

    #[test]
    fn one_near_miss_is_a_guess_several_wait_in_the_pen() {
        let d = decide(&Evidence { near_misses: vec![6], ..Default::default() });
        assert_eq!((d.requests, d.matched_by), (vec![6], MatchedBy::Guess));
        let d = decide(&Evidence {
            near_misses: vec![7, 6],
            similar_subject: vec![9, 6],
            sender_domain: vec![6, 8],
            ..Default::default()
        });
        assert_eq!((d.requests.len(), d.matched_by), (0, MatchedBy::None));
        let ids: Vec<i64> = d.suggestions.iter().map(|s| s.request_id).collect();
        assert_eq!(ids, vec![6, 7, 9, 8], "near misses first, each request once");
        assert_eq!(d.suggestions[2].reason, "a subject like the one sent for this request");
        assert_eq!(d.suggestions[3].reason, "sent from the domain of this request's body");
    }

    #[test]
    fn a_shared_body_reference_only_suggests() {
        let d = decide(&Evidence { body_references: vec![5, 9], ..Default::default() });
        assert_eq!(d.matched_by, MatchedBy::None);
        assert_eq!(d.suggestions.len(), 2);
        assert!(decide(&Evidence::default()).suggestions.is_empty());
    }
}
