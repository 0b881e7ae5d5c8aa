//! Outgoing mail: the transport named by one URL, and messages built with lettre.
//!
//! `file://DIR` writes each message as an `.eml` file in DIR (the embedded default, so a fresh
//! service needs no mail server); `smtp://user:pass@host:port` speaks SMTP with STARTTLS when the
//! server offers it (`?tls=required` to insist); `smtps://…` uses TLS from the first byte.

pub mod html;
pub mod imap;
mod imap_connect;
pub mod inbound;
pub mod sources;
pub mod templates;

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, Message};
use lettre::{FileTransport, SmtpTransport, Transport};

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error(
        "\"{0}\" is not a mail URL foitrack understands: use file://DIR, smtp://user:pass@host:port or smtps://…"
    )]
    BadUrl(String),
    #[error("the mail transport cannot be set up: {0}")]
    Setup(String),
    #[error("the message cannot be built: {0}")]
    Message(String),
    #[error("{0}")]
    Template(String),
    /// The server refused for now (4xx), was unreachable, or hung up: worth trying again later.
    /// lettre's own text already carries the server's answer, so it is shown as well as kept.
    #[error("the mail server did not accept the message: {0}")]
    Delivery(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The server refused the message for good (5xx): sending it again would get the same answer.
    #[error("the mail server refused the message for good: {0}")]
    Rejected(#[source] lettre::transport::smtp::Error),
}

impl MailError {
    /// Sorts an SMTP failure: a 5xx answer about the message is final; a 4xx answer, a network
    /// or TLS failure, or a refused login is not. A login is refused with a 5xx code too (RFC 4954:
    /// 530, 534, 535, 538), but that is the operator's setting, not the message: once it is
    /// fixed the message goes, so it keeps being retried.
    pub fn from_smtp(e: lettre::transport::smtp::Error) -> Self {
        let login = e.status().map(u16::from).is_some_and(|c| matches!(c, 530 | 534 | 535 | 538));
        if e.is_permanent() && !login { Self::Rejected(e) } else { Self::Delivery(Box::new(e)) }
    }

    /// Whether a final refusal blames the recipient's address (no such mailbox, or an address
    /// the server will not take), rather than our sender, our domain or the message, which a
    /// server also refuses with a 5xx. Only then is the body's address marked as failing.
    /// RFC 3463: enhanced codes 5.1.x are about an address, 5.7.x about policy (relay, SPF,
    /// DMARC, content).
    pub fn blames_recipient(&self) -> bool {
        let Self::Rejected(e) = self else { return false };
        let answer = e.to_string();
        if answer.contains("5.7.") {
            return false;
        }
        answer.contains("5.1.") || e.status().map(u16::from).is_some_and(|c| matches!(c, 550 | 551 | 553))
    }

    /// Whether trying again cannot help: the server refused for good, or the message itself is
    /// broken.
    pub fn is_permanent(&self) -> bool {
        matches!(self, Self::Rejected(_) | Self::Message(_))
    }
}

/// Where mail goes, as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailTarget {
    Directory(PathBuf),
    Smtp(String),
}

impl MailTarget {
    pub fn parse(url: &str) -> Result<Self, MailError> {
        let url = url.trim();
        if let Some(dir) = url.strip_prefix("file://") {
            if dir.is_empty() {
                return Err(MailError::BadUrl(url.to_string()));
            }
            return Ok(Self::Directory(PathBuf::from(dir)));
        }
        if url.starts_with("smtp://") || url.starts_with("smtps://") {
            // lettre speaks plain SMTP unless told otherwise; upgrade with STARTTLS whenever
            // the server offers it, unless the URL says ?tls= itself.
            let url = if url.starts_with("smtp://") && !url.contains("tls=") {
                format!("{url}{}tls=opportunistic", if url.contains('?') { '&' } else { '?' })
            } else {
                url.to_string()
            };
            // lettre reads host, port, credentials and ?tls= itself; check it can.
            SmtpTransport::from_url(&url)
                .map_err(|_| MailError::BadUrl(crate::store::Target::redacted(&url)))?;
            return Ok(Self::Smtp(url));
        }
        Err(MailError::BadUrl(crate::store::Target::redacted(url)))
    }

    /// For messages and logs: the directory, or the URL without its password.
    pub fn describe(&self) -> String {
        match self {
            Self::Directory(dir) => format!("the directory {}", dir.display()),
            Self::Smtp(url) => crate::store::Target::redacted(url),
        }
    }
}

/// A message ready to go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub from: String,
    pub to: String,
    pub reply_to: Option<String>,
    pub subject: String,
    pub body: String,
    /// Without angle brackets: `outbox-12.3f9a@example.org`.
    pub message_id: String,
    /// Digests say they were generated automatically (RFC 3834); requests and chasers, written
    /// to people, do not, so bodies' acknowledgements are not suppressed.
    pub auto_submitted: bool,
    /// Digests say how to stop them (`List-Unsubscribe`, RFC 2369).
    pub unsubscribe: Option<String>,
}

#[derive(Clone)]
enum Sender {
    Directory(FileTransport),
    Smtp(SmtpTransport),
}

/// Sends messages over the configured transport.
#[derive(Clone)]
pub struct Mailer {
    target: MailTarget,
    sender: Sender,
}

impl Mailer {
    pub fn new(target: MailTarget, timeout: Duration) -> Result<Self, MailError> {
        let sender = match &target {
            MailTarget::Directory(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| MailError::Setup(format!("cannot create {}: {e}", dir.display())))?;
                Sender::Directory(FileTransport::new(dir))
            }
            MailTarget::Smtp(url) => Sender::Smtp(
                SmtpTransport::from_url(url)
                    .map_err(|e| MailError::Setup(e.to_string()))?
                    .timeout(Some(timeout))
                    .build(),
            ),
        };
        Ok(Self { target, sender })
    }

    pub fn target(&self) -> &MailTarget {
        &self.target
    }

    /// Hands one message to the transport; `Ok` means the server (or the directory) took it.
    pub fn send(&self, outgoing: &Outgoing) -> Result<(), MailError> {
        let message = build(outgoing)?;
        match &self.sender {
            Sender::Directory(t) => {
                t.send(&message).map(|_| ()).map_err(|e| MailError::Delivery(Box::new(e)))
            }
            Sender::Smtp(t) => t.send(&message).map(|_| ()).map_err(MailError::from_smtp),
        }
    }
}

fn mailbox(text: &str, what: &str) -> Result<Mailbox, MailError> {
    text.parse::<Mailbox>().map_err(|e| MailError::Message(format!("the {what} address \"{text}\": {e}")))
}

/// The `Subject:` header. lettre encodes non-ASCII words (RFC 2047) but passes ASCII control
/// characters other than CR and LF through raw (a vertical tab, a form feed, an escape), which
/// some mail readers act on. Subjects are refused with them on input; one that still holds one
/// (stored before that check) is encoded whole, so no control ever reaches the header raw.
fn subject_header(subject: &str) -> Option<HeaderValue> {
    if !subject.bytes().any(|b| b.is_ascii_control()) {
        return None;
    }
    Some(HeaderValue::dangerous_new_pre_encoded(
        HeaderName::new_from_ascii_str("Subject"),
        subject.to_string(),
        encode_words(subject),
    ))
}

/// RFC 2047 Q encoding of `text` in encoded words of at most 75 characters, each holding whole
/// characters, folded onto continuation lines. Only letters, digits and `-` stay as they are.
fn encode_words(text: &str) -> String {
    const OPEN: &str = "=?utf-8?q?";
    const ROOM: usize = 75 - OPEN.len() - 2;
    let mut words = vec![String::new()];
    for c in text.chars() {
        let encoded = if c.is_ascii_alphanumeric() || c == '-' {
            c.to_string()
        } else if c == ' ' {
            "_".to_string()
        } else {
            let mut buf = [0u8; 4];
            c.encode_utf8(&mut buf).bytes().map(|b| format!("={b:02X}")).collect()
        };
        if words.last().expect("one word at least").len() + encoded.len() > ROOM {
            words.push(String::new());
        }
        words.last_mut().expect("one word at least").push_str(&encoded);
    }
    words.iter().map(|w| format!("{OPEN}{w}?=")).collect::<Vec<_>>().join("\r\n ")
}

/// Builds the MIME message: UTF-8 plain text, a stable Message-ID and the Date.
pub fn build(o: &Outgoing) -> Result<Message, MailError> {
    let mut builder = Message::builder()
        .from(mailbox(&o.from, "sender")?)
        .to(mailbox(&o.to, "recipient")?)
        .subject(o.subject.clone())
        .message_id(Some(format!("<{}>", o.message_id)))
        .date_now();
    if let Some(reply_to) = &o.reply_to {
        builder = builder.reply_to(mailbox(reply_to, "reply-to")?);
    }
    let mut message = builder
        .header(ContentType::TEXT_PLAIN)
        .body(o.body.clone())
        .map_err(|e| MailError::Message(e.to_string()))?;
    if let Some(subject) = subject_header(&o.subject) {
        message.headers_mut().insert_raw(subject);
    }
    if let Some(unsubscribe) = &o.unsubscribe {
        message.headers_mut().insert_raw(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{unsubscribe}>"),
        ));
    }
    if o.auto_submitted {
        message.headers_mut().insert_raw(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".to_string(),
        ));
    }
    Ok(message)
}

/// The headers of the message `build` makes, in order, each with its decoded value: what a dry
/// run shows, so that the preview can never list a header the real message lacks, or miss one.
pub fn headers(o: &Outgoing) -> Result<Vec<(String, String)>, MailError> {
    let message = build(o)?;
    let formatted = String::from_utf8_lossy(&message.formatted()).into_owned();
    let block = formatted.split("\r\n\r\n").next().unwrap_or("");
    let mut out: Vec<(String, String)> = Vec::new();
    for line in block.split("\r\n") {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = out.last_mut() {
                value.push_str(line);
            }
            continue;
        }
        if let Some((name, value)) = line.split_once(": ") {
            out.push((name.to_string(), value.to_string()));
        }
    }
    for (name, value) in &mut out {
        if let Some(raw) = message.headers().get_raw(name) {
            *value = raw.to_string();
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outgoing() -> Outgoing {
        Outgoing {
            from: "Cambridge FOI study <foi@example.org>".into(),
            to: "foi@bartshealth.nhs.uk".into(),
            reply_to: Some("foi+12-ab12cd34@replies.example.org".into()),
            subject: "Freedom of Information request [ABT-2021-0012] – training".into(),
            body: "Dear Barts Health NHS Trust,\n\nPlease tell us…\n".into(),
            message_id: "outbox-12.7f3a@example.org".into(),
            auto_submitted: false,
            unsubscribe: None,
        }
    }

    #[test]
    fn urls_pick_the_transport() {
        assert_eq!(
            MailTarget::parse("file://mail-outbox").unwrap(),
            MailTarget::Directory("mail-outbox".into())
        );
        assert!(matches!(MailTarget::parse("smtp://u:p@127.0.0.1:2525").unwrap(), MailTarget::Smtp(_)));
        assert!(matches!(MailTarget::parse("smtps://mail.example.org").unwrap(), MailTarget::Smtp(_)));
        assert!(MailTarget::parse("smtp://u:p@127.0.0.1:2525?tls=required").is_ok());
        assert!(MailTarget::parse("imap://x").is_err());
        assert!(MailTarget::parse("file://").is_err());
        assert_eq!(
            MailTarget::parse("smtp://u:secret@h:25").unwrap().describe(),
            "smtp://u:***@h:25?tls=opportunistic"
        );
        assert_eq!(
            MailTarget::parse("smtp://h:25?tls=required").unwrap(),
            MailTarget::Smtp("smtp://h:25?tls=required".into())
        );
    }

    #[test]
    fn messages_carry_the_headers_replies_are_matched_by() {
        let text = String::from_utf8(build(&outgoing()).unwrap().formatted()).unwrap();
        assert!(text.contains("Message-ID: <outbox-12.7f3a@example.org>"), "{text}");
        assert!(text.contains("Reply-To: foi+12-ab12cd34@replies.example.org"), "{text}");
        assert!(text.contains("Date: "), "{text}");
        assert!(text.contains("=?utf-8?b?4oCT?="), "the en dash is encoded: {text}");
        assert!(!text.contains("Auto-Submitted"));
        let reminder = Outgoing { auto_submitted: true, ..outgoing() };
        let text = String::from_utf8(build(&reminder).unwrap().formatted()).unwrap();
        assert!(text.contains("Auto-Submitted: auto-generated"), "{text}");
    }

    #[test]
    fn the_stub_transport_sees_the_envelope_and_the_text() {
        use lettre::transport::stub::StubTransport;
        let stub = StubTransport::new_ok();
        let digest = Outgoing {
            auto_submitted: true,
            unsubscribe: Some("mailto:foi@example.org?subject=unsubscribe".into()),
            ..outgoing()
        };
        stub.send(&build(&digest).unwrap()).unwrap();
        let sent = stub.messages();
        assert_eq!(sent.len(), 1);
        let (envelope, text) = &sent[0];
        assert_eq!(envelope.to()[0].to_string(), "foi@bartshealth.nhs.uk");
        assert_eq!(envelope.from().unwrap().to_string(), "foi@example.org");
        assert!(text.contains("List-Unsubscribe: <mailto:foi@example.org?subject=unsubscribe>"), "{text}");
        assert!(text.contains("Auto-Submitted: auto-generated"), "{text}");
    }

    /// The header block of the one `.eml` file in `dir`.
    fn eml_headers(dir: &std::path::Path) -> String {
        let file = std::fs::read_dir(dir).unwrap().next().unwrap().unwrap().path();
        let text = String::from_utf8(std::fs::read(file).unwrap()).unwrap();
        text.split("\r\n\r\n").next().unwrap().to_string()
    }

    #[test]
    fn no_control_character_reaches_the_subject_header_raw() {
        let subject = "Request\u{b}with\u{c}controls\u{1b}[31m – ok";
        let dir = tempfile::tempdir().unwrap();
        let mailer = Mailer::new(MailTarget::Directory(dir.path().into()), Duration::from_secs(5)).unwrap();
        mailer.send(&Outgoing { subject: subject.into(), ..outgoing() }).unwrap();
        let headers = eml_headers(dir.path());
        assert!(!headers.bytes().any(|b| b.is_ascii_control() && b != b'\r' && b != b'\n'), "{headers:?}");
        assert!(
            headers.contains("Subject: =?utf-8?q?Request=0Bwith=0Ccontrols=1B=5B31m_=E2=80=93_ok?="),
            "{headers}"
        );
        let folded = encode_words(&"x\u{b}".repeat(40));
        assert!(folded.split("\r\n ").all(|w| w.len() <= 75 && w.starts_with("=?utf-8?q?")), "{folded}");
    }

    #[test]
    fn the_preview_lists_the_headers_of_the_real_message() {
        let listed = headers(&outgoing()).unwrap();
        let names: Vec<&str> = listed.iter().map(|(n, _)| n.as_str()).collect();
        let text = String::from_utf8(build(&outgoing()).unwrap().formatted()).unwrap();
        let block = text.split("\r\n\r\n").next().unwrap();
        let real: Vec<&str> = block
            .split("\r\n")
            .filter(|l| !l.starts_with(' '))
            .filter_map(|l| l.split_once(": ").map(|(n, _)| n))
            .collect();
        assert_eq!(names, real);
        assert!(!names.iter().any(|n| n.eq_ignore_ascii_case("Bcc")), "{names:?}");
        let subject = listed.iter().find(|(n, _)| n == "Subject").unwrap();
        assert_eq!(subject.1, outgoing().subject, "decoded, not =?utf-8?…");
        assert!(names.contains(&"From") && names.contains(&"Reply-To") && names.contains(&"Message-ID"));
    }

    #[test]
    fn a_bad_address_is_a_message_error() {
        let bad = Outgoing { to: "not an address".into(), ..outgoing() };
        assert!(matches!(build(&bad), Err(MailError::Message(_))));
    }

    #[test]
    fn the_file_transport_writes_eml_files() {
        let dir = tempfile::tempdir().unwrap();
        let mailer =
            Mailer::new(MailTarget::Directory(dir.path().join("out")), Duration::from_secs(5)).unwrap();
        mailer.send(&outgoing()).unwrap();
        let files: Vec<_> = std::fs::read_dir(dir.path().join("out")).unwrap().collect();
        assert_eq!(files.len(), 1);
        let name = files[0].as_ref().unwrap().file_name().into_string().unwrap();
        assert!(name.ends_with(".eml"), "{name}");
    }
}
