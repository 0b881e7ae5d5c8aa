//! What kind of message arrived: a delivery failure or delay, an automatic reply or
//! acknowledgement, or a response for a researcher to classify. Decided from headers first,
//! then from the subject; the body only tells an acknowledgement from an out-of-office.

use super::{Mail, Outcome};

/// The kind of a message, with what a bounce or delay says about our mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kind {
    pub outcome: Outcome,
    /// For bounces and delays: the status code, such as `5.1.1` or `4.4.7`.
    pub delivery_status: Option<String>,
    /// For bounces: the addresses that failed.
    pub failed: Vec<String>,
    /// For bounces: the failure blames the address (an enhanced `5.1.x`, or a 550, 551 or 553
    /// not about policy), as refusals over SMTP are judged; not a message too large, a full
    /// mailbox or our sender's reputation.
    pub blames_address: bool,
    /// Why it is not a response, in a few words, for the timeline and the holding pen.
    pub reason: Option<String>,
}

impl Kind {
    fn of(outcome: Outcome, reason: impl Into<String>) -> Self {
        Self {
            outcome,
            delivery_status: None,
            failed: Vec::new(),
            blames_address: false,
            reason: Some(reason.into()),
        }
    }
}

pub fn classify(mail: &Mail) -> Kind {
    if let Some(kind) = delivery_report(mail) {
        return kind;
    }
    match automatic(mail) {
        Some(reason) if acknowledges(&mail.text) && !out_of_office(&mail.subject) => {
            Kind::of(Outcome::Acknowledgement, reason)
        }
        Some(reason) => Kind::of(Outcome::AutoReply, reason),
        None => Kind {
            outcome: Outcome::Response,
            delivery_status: None,
            failed: Vec::new(),
            blames_address: false,
            reason: None,
        },
    }
}

/// A bounce or a delay: a delivery-status report, Exim's header, or a mailer daemon's subject
/// with an SMTP status in the text (as Microsoft's reports without a report part).
fn delivery_report(mail: &Mail) -> Option<Kind> {
    let status = mail.delivery.as_ref().and_then(|d| d.status.clone());
    let action = mail.delivery.as_ref().and_then(|d| d.action.as_deref()).map(str::to_ascii_lowercase);
    let mut failed: Vec<String> = mail.failed_recipients.clone();
    if let Some(r) = mail.delivery.as_ref().and_then(|d| d.final_recipient.clone()) {
        failed.push(r);
    }
    let delayed =
        action.as_deref() == Some("delayed") || status.as_deref().is_some_and(|s| s.starts_with('4'));
    if mail.delivery.is_some() && delayed {
        return Some(Kind {
            outcome: Outcome::AutoReply,
            delivery_status: status,
            failed: Vec::new(),
            blames_address: false,
            reason: Some("delivery delayed; the mail server is still trying".into()),
        });
    }
    let permanent =
        action.as_deref() == Some("failed") || status.as_deref().is_some_and(|s| s.starts_with('5'));
    let from_daemon = mail.from.as_deref().is_some_and(|f| {
        let f = f.to_ascii_lowercase();
        f.starts_with("mailer-daemon@") || f.starts_with("postmaster@")
    });
    let failure_subject = starts_with_any(
        &mail.subject,
        &[
            "undeliverable:",
            "undelivered mail",
            "mail delivery failed",
            "delivery status notification (failure)",
            "returned mail:",
        ],
    );
    let status = status.or_else(|| smtp_status(&mail.text));
    let bounced = (mail.delivery.is_some() && permanent)
        || !mail.failed_recipients.is_empty()
        || ((from_daemon || failure_subject) && status.as_deref().is_some_and(|s| s.starts_with('5')));
    let policy = status.as_deref().is_some_and(|s| s.starts_with("5.7."));
    let basic = mail.text.split(|c: char| !c.is_ascii_digit()).any(|w| matches!(w, "550" | "551" | "553"));
    let blames_address = !policy && (status.as_deref().is_some_and(|s| s.starts_with("5.1.")) || basic);
    bounced.then(|| Kind {
        outcome: Outcome::Bounce,
        delivery_status: status,
        failed: dedup(failed),
        blames_address,
        reason: Some("our mail could not be delivered".into()),
    })
}

/// Why a message was sent by a machine, if it says so.
fn automatic(mail: &Mail) -> Option<String> {
    let a = &mail.auto;
    if let Some(v) = a.auto_submitted.as_deref().filter(|v| !v.trim().eq_ignore_ascii_case("no")) {
        return Some(format!("Auto-Submitted: {}", v.trim()));
    }
    if a.x_autoreply {
        return Some("X-Autoreply".into());
    }
    if a.x_autorespond {
        return Some("X-Autorespond".into());
    }
    if a.precedence.as_deref().is_some_and(|p| p.trim().eq_ignore_ascii_case("auto_reply")) {
        return Some("Precedence: auto_reply".into());
    }
    if a.x_post_message_class.as_deref().is_some_and(|v| v.to_ascii_lowercase().contains("autoresponder")) {
        return Some("X-POST-MessageClass: Autoresponder".into());
    }
    if out_of_office(&mail.subject) {
        return Some(format!("subject \"{}\"", mail.subject.trim()));
    }
    let loose = mail.subject.to_lowercase();
    if a.null_return_path && (loose.contains("out of office") || loose.contains("automatic reply")) {
        return Some(format!("an empty Return-Path and the subject \"{}\"", mail.subject.trim()));
    }
    None
}

/// The subjects Exchange, Outlook and Lotus Notes give automatic replies.
fn out_of_office(subject: &str) -> bool {
    let s = subject.trim().to_lowercase();
    starts_with_any(
        &s,
        &[
            "automatic reply:",
            "autoreply:",
            "auto-reply:",
            "auto reply:",
            "auto response:",
            "out of office:",
            "out of the office:",
        ],
    ) || (s.starts_with("auto:") && (s.contains("out of the office") || s.contains("out of office")))
}

/// The words of an acknowledgement of receipt, as opposed to an absence.
fn acknowledges(text: &str) -> bool {
    let t = text.to_lowercase();
    let absent =
        ["out of the office", "out of office", "on leave", "on annual leave", "away from the office"];
    let receipt = [
        "acknowledge",
        "received your request",
        "receipt of your request",
        "has been logged",
        "we will respond",
        "will respond within",
        "will receive a response",
        "within 20 working days",
    ];
    !absent.iter().any(|p| t.contains(p)) && receipt.iter().any(|p| t.contains(p))
}

/// The first enhanced SMTP status (`5.4.1`) in a text.
fn smtp_status(text: &str) -> Option<String> {
    text.split(|c: char| !(c.is_ascii_digit() || c == '.')).find_map(|w| {
        let parts: Vec<&str> = w.split('.').collect();
        let ok = parts.len() == 3
            && matches!(parts[0], "2" | "4" | "5")
            && parts[1..].iter().all(|p| (1..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()));
        ok.then(|| w.to_string())
    })
}

fn starts_with_any(s: &str, prefixes: &[&str]) -> bool {
    let s = s.trim().to_lowercase();
    prefixes.iter().any(|p| s.starts_with(p))
}

/// Addresses as given (a local part may be case-sensitive), each once whatever its case.
fn dedup(mut v: Vec<String>) -> Vec<String> {
    for s in &mut v {
        *s = s.trim().trim_start_matches("rfc822;").trim().to_string();
    }
    v.retain(|s| !s.is_empty());
    v.sort_by_key(|s| s.to_ascii_lowercase());
    v.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    v
}

#[cfg(test)]
mod tests {
    use super::super::{AutoHeaders, DeliveryStatus};
    use super::*;

    fn mail(subject: &str, text: &str) -> Mail {
        Mail { subject: subject.into(), text: text.into(), ..Mail::default() }
    }

    #[test]
    fn an_ordinary_reply_is_a_response() {
        let k = classify(&mail("Re: FOI request ABT-2021-0001", "We do not hold this information."));
        assert_eq!(k.outcome, Outcome::Response);
        assert_eq!(k.reason, None);
    }

    #[test]
    fn auto_headers_make_an_auto_reply() {
        let cases: Vec<AutoHeaders> = vec![
            AutoHeaders { auto_submitted: Some("auto-replied".into()), ..Default::default() },
            AutoHeaders { x_autoreply: true, ..Default::default() },
            AutoHeaders { x_autorespond: true, ..Default::default() },
            AutoHeaders { precedence: Some("auto_reply".into()), ..Default::default() },
            AutoHeaders { x_post_message_class: Some("9; Autoresponder".into()), ..Default::default() },
        ];
        for auto in cases {
            let m = Mail { auto: auto.clone(), ..mail("Re: your request", "I am away.") };
            assert_eq!(classify(&m).outcome, Outcome::AutoReply, "{auto:?}");
        }
        let no = Mail {
            auto: AutoHeaders { auto_submitted: Some("no".into()), ..Default::default() },
            ..mail("Re: your request", "Here is our answer.")
        };
        assert_eq!(classify(&no).outcome, Outcome::Response);
    }

    #[test]
    fn subjects_alone_show_exchange_outlook_and_lotus_absences() {
        for s in [
            "Automatic reply: FOI ABT-2021-0001",
            "Out of Office: FOI request",
            "AUTO: Jane Smith is out of the office (returning 05/01/2026)",
        ] {
            assert_eq!(classify(&mail(s, "")).outcome, Outcome::AutoReply, "{s}");
        }
        // A person writing about absence policy is not an automatic reply.
        assert_eq!(classify(&mail("Re: out of office policy", "")).outcome, Outcome::Response);
        let null = Mail {
            auto: AutoHeaders { null_return_path: true, ..Default::default() },
            ..mail("Re: out of office policy", "")
        };
        assert_eq!(classify(&null).outcome, Outcome::AutoReply, "with an empty Return-Path");
    }

    #[test]
    fn an_automatic_receipt_is_an_acknowledgement_but_an_absence_is_not() {
        let auto = AutoHeaders { auto_submitted: Some("auto-generated".into()), ..Default::default() };
        let ack = Mail {
            auto: auto.clone(),
            ..mail(
                "Our ref: FOI 056-2022",
                "We acknowledge your request. We will respond within 20 working days.",
            )
        };
        assert_eq!(classify(&ack).outcome, Outcome::Acknowledgement);
        let away = Mail {
            auto,
            ..mail("Re: request", "I am out of the office; we will respond within 20 working days.")
        };
        assert_eq!(classify(&away).outcome, Outcome::AutoReply);
    }

    #[test]
    fn reports_tell_failures_from_delays() {
        let failed = Mail {
            delivery: Some(DeliveryStatus {
                final_recipient: Some("rfc822; FOI@gamma-trust.nhs.uk".into()),
                action: Some("failed".into()),
                status: Some("5.1.1".into()),
            }),
            ..mail("Undelivered Mail Returned to Sender", "")
        };
        let k = classify(&failed);
        assert_eq!(k.outcome, Outcome::Bounce);
        assert_eq!(k.delivery_status.as_deref(), Some("5.1.1"));
        assert_eq!(k.failed, vec!["FOI@gamma-trust.nhs.uk"], "as given");
        assert!(k.blames_address, "5.1.1 is about the address");
        let delayed = Mail {
            delivery: Some(DeliveryStatus {
                final_recipient: Some("rfc822; foi@alpha-trust.nhs.uk".into()),
                action: Some("delayed".into()),
                status: Some("4.4.7".into()),
            }),
            ..mail("Delayed Mail (still being retried)", "")
        };
        let k = classify(&delayed);
        assert_eq!(k.outcome, Outcome::AutoReply);
        assert_eq!(k.delivery_status.as_deref(), Some("4.4.7"));
        assert!(k.failed.is_empty(), "a delay marks no address as failing");
    }

    #[test]
    fn exim_and_daemon_bounces_without_a_report() {
        let exim = Mail {
            failed_recipients: vec!["foi@beta-trust.nhs.uk".into()],
            ..mail("Mail delivery failed", "")
        };
        let k = classify(&exim);
        assert_eq!((k.outcome, k.failed), (Outcome::Bounce, vec!["foi@beta-trust.nhs.uk".to_string()]));
        let ms = mail(
            "Undeliverable: FOI request",
            "Remote Server returned '550 5.4.1 Recipient address rejected'",
        );
        let k = classify(&ms);
        assert_eq!((k.outcome, k.delivery_status.as_deref()), (Outcome::Bounce, Some("5.4.1")));
        // A person quoting a status code is not a bounce.
        assert_eq!(classify(&mail("Re: request", "error 5.4.1 appeared")).outcome, Outcome::Response);
    }

    #[test]
    fn smtp_statuses_are_found_in_text() {
        assert_eq!(smtp_status("returned '550 5.4.1 Recipient'").as_deref(), Some("5.4.1"));
        assert_eq!(smtp_status("version 1.2.3 and 10.4.1"), None);
        assert_eq!(smtp_status("no code"), None);
    }
}
