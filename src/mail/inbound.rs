//! Reading incoming mail: raw bytes in; the domain's [`Mail`] and the parts worth storing out.
//! MIME structure, transfer encodings, charsets and encoded words are mail-parser's; what FOI
//! replies add (delivery reports, mislabelled Windows-1252, inline uuencoding) is handled here.

use mail_parser::{HeaderValue, Message, MessageParser, MimeHeaders, PartType};

use crate::domain::inbound::{AutoHeaders, DeliveryStatus, Mail, uuencode};
use crate::domain::search::unmarked;

/// A message as read, with what is stored beside it.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub mail: Mail,
    /// The message's own HTML body, sanitised (see [`super::html`]), when it has one.
    pub html: Option<String>,
    pub attachments: Vec<Attachment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub filename: Option<String>,
    /// The Content-Type the message gave, without parameters.
    pub declared_type: String,
    pub data: Vec<u8>,
}

/// Why some bytes are not a mail message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct NotAMessage(pub String);

/// The headers that name where a message was delivered, besides To and Cc.
const DELIVERY_HEADERS: [&str; 3] = ["Delivered-To", "X-Original-To", "Envelope-To"];

pub fn parse(raw: &[u8]) -> Result<Parsed, NotAMessage> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(NotAMessage("the message is empty".into()));
    }
    if !starts_with_a_header(raw) {
        return Err(NotAMessage("the bytes do not begin with a mail header".into()));
    }
    let msg = MessageParser::default()
        .parse(raw)
        .ok_or_else(|| NotAMessage("no mail headers could be read".into()))?;
    let has_any =
        msg.from().is_some() || msg.to().is_some() || msg.subject().is_some() || msg.message_id().is_some();
    if !has_any {
        return Err(NotAMessage("it has none of From, To, Subject or Message-ID".into()));
    }
    let mut text = body_text(&msg);
    let mut attachments = attachments(&msg);
    for (name, data) in uuencode::extract(&mut text) {
        attachments.push(Attachment {
            filename: Some(name),
            declared_type: "application/octet-stream".into(),
            data,
        });
    }
    let mail = Mail {
        message_id: msg.message_id().map(bracketed),
        threads: threads(&msg),
        from: msg.from().and_then(|a| a.first()).and_then(|a| a.address()).map(|a| a.trim().to_string()),
        recipients: recipients(&msg),
        subject: msg.subject().map(|s| fix_c1(s.trim())).unwrap_or_default(),
        sent_at: msg.date().and_then(|d| chrono::DateTime::from_timestamp(d.to_timestamp(), 0)),
        auto: auto_headers(&msg),
        failed_recipients: header_texts(&msg, "X-Failed-Recipients")
            .iter()
            .flat_map(|v| v.split(','))
            .map(|a| a.trim().trim_matches(['<', '>']).to_string())
            .filter(|a| a.contains('@'))
            .collect(),
        delivery: delivery_status(&msg),
        returned_ids: returned_ids(&msg, &text),
        text,
    };
    Ok(without_nul(Parsed { mail, html: html_body(&msg), attachments }))
}

/// PostgreSQL refuses NUL in text, and no header means one: every string read is cleared of
/// them, so that hostile mail is stored, not refused by the database.
fn without_nul(mut p: Parsed) -> Parsed {
    fn clear(s: &mut String) {
        if s.contains('\0') {
            s.retain(|c| c != '\0');
        }
    }
    let m = &mut p.mail;
    for s in m.message_id.iter_mut().chain(m.from.iter_mut()) {
        clear(s);
    }
    for s in m
        .threads
        .iter_mut()
        .chain(&mut m.recipients)
        .chain(&mut m.failed_recipients)
        .chain(&mut m.returned_ids)
    {
        clear(s);
    }
    // The subject and text are searched too: they lose the characters that mark a match in a
    // snippet, so that none can be faked.
    for s in [&mut m.subject, &mut m.text] {
        clear(s);
        if let std::borrow::Cow::Owned(plain) = unmarked(s) {
            *s = plain;
        }
    }
    if let Some(d) = &mut m.delivery {
        for s in [&mut d.final_recipient, &mut d.action, &mut d.status].into_iter().flatten() {
            clear(s);
        }
    }
    for a in &mut m.auto_fields() {
        clear(a);
    }
    if let Some(html) = &mut p.html {
        clear(html);
    }
    for file in &mut p.attachments {
        clear(&mut file.declared_type);
        if let Some(name) = &mut file.filename {
            clear(name);
            if let std::borrow::Cow::Owned(plain) = unmarked(name) {
                *name = plain;
            }
        }
    }
    p
}

/// Whether the first line is `Name: value` (or an mbox `From ` line), as every message begins.
fn starts_with_a_header(raw: &[u8]) -> bool {
    let first = raw.split(|&b| b == b'\n').next().unwrap_or_default();
    if first.starts_with(b"From ") {
        return true;
    }
    match first.iter().position(|&b| b == b':') {
        Some(0) | None => false,
        Some(colon) => first[..colon].iter().all(|&b| (33..=126).contains(&b)),
    }
}

fn bracketed(id: &str) -> String {
    format!("<{}>", id.trim().trim_matches(['<', '>']))
}

fn threads(msg: &Message) -> Vec<String> {
    let mut ids = Vec::new();
    for value in [msg.in_reply_to(), msg.references()] {
        match value {
            HeaderValue::Text(t) => ids.push(bracketed(t)),
            HeaderValue::TextList(list) => ids.extend(list.iter().map(|t| bracketed(t))),
            _ => {}
        }
    }
    ids
}

fn recipients(msg: &Message) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for list in msg.all_to().chain(msg.all_cc()) {
        out.extend(list.iter().filter_map(|a| a.address()).map(|a| a.trim().to_string()));
    }
    for name in DELIVERY_HEADERS {
        for value in header_texts(msg, name) {
            out.extend(
                value
                    .split([',', ' '])
                    .map(|a| a.trim().trim_matches(['<', '>']))
                    .filter(|a| a.contains('@'))
                    .map(str::to_string),
            );
        }
    }
    out
}

/// Every value of a header that mail-parser keeps as text.
fn header_texts(msg: &Message, name: &str) -> Vec<String> {
    msg.headers()
        .iter()
        .filter(|h| h.name().eq_ignore_ascii_case(name))
        .filter_map(|h| match h.value() {
            HeaderValue::Text(t) => Some(t.to_string()),
            HeaderValue::TextList(l) => Some(l.join(", ")),
            HeaderValue::Address(a) => {
                Some(a.iter().filter_map(|a| a.address()).collect::<Vec<_>>().join(", "))
            }
            _ => None,
        })
        .collect()
}

fn auto_headers(msg: &Message) -> AutoHeaders {
    let one = |name: &str| header_texts(msg, name).into_iter().next();
    let present = |name: &str| msg.headers().iter().any(|h| h.name().eq_ignore_ascii_case(name));
    let return_path = msg.headers().iter().find(|h| h.name().eq_ignore_ascii_case("Return-Path")).map(|h| {
        let raw = &msg.raw_message()[h.offset_start() as usize..h.offset_end() as usize];
        String::from_utf8_lossy(raw).trim().to_string()
    });
    AutoHeaders {
        auto_submitted: one("Auto-Submitted"),
        x_autoreply: present("X-Autoreply"),
        x_autorespond: present("X-Autorespond"),
        precedence: one("Precedence"),
        x_post_message_class: one("X-POST-MessageClass"),
        null_return_path: return_path.is_some_and(|v| v == "<>" || v.is_empty()),
    }
}

/// The text bodies, joined, or the HTML's text where there is none; Windows-1252 bytes that
/// were labelled ISO-8859-1 come out as the characters meant.
fn body_text(msg: &Message) -> String {
    let parts: Vec<String> = msg.text_bodies().filter_map(|p| p.text_contents()).map(fix_c1).collect();
    if parts.is_empty() {
        return msg.body_text(0).map(|t| fix_c1(&t)).unwrap_or_default();
    }
    parts.join("\n\n")
}

/// The HTML bodies the message has, joined and sanitised; not the HTML mail-parser makes of a
/// plain text body.
fn html_body(msg: &Message) -> Option<String> {
    let parts: Vec<String> = msg
        .html_bodies()
        .filter(|p| matches!(p.body, PartType::Html(_)))
        .filter_map(|p| p.text_contents())
        .map(fix_c1)
        .collect();
    if parts.is_empty() {
        return None;
    }
    super::html::sanitised(&parts.join("\n<hr>\n"))
}

fn is(part: &mail_parser::MessagePart, ctype: &str, subtype: &str) -> bool {
    part.content_type().is_some_and(|c| {
        c.ctype().eq_ignore_ascii_case(ctype) && c.subtype().is_some_and(|s| s.eq_ignore_ascii_case(subtype))
    })
}

/// The attachments worth keeping: not the machine-readable parts of a delivery report.
fn attachments(msg: &Message) -> Vec<Attachment> {
    msg.attachments()
        .filter(|p| !is(p, "message", "delivery-status") && !is(p, "text", "rfc822-headers"))
        .map(|p| {
            let declared_type = p
                .content_type()
                .map(|c| match c.subtype() {
                    Some(s) => format!("{}/{}", c.ctype(), s),
                    None => c.ctype().to_string(),
                })
                .unwrap_or_else(|| "application/octet-stream".into())
                .to_ascii_lowercase();
            let filename = p.attachment_name().map(str::to_string).or_else(|| match &p.body {
                PartType::Message(_) => Some("message.eml".into()),
                _ => None,
            });
            Attachment { filename, declared_type, data: p.contents().to_vec() }
        })
        .collect()
}

/// The first recipient's fields of a `message/delivery-status` part.
fn delivery_status(msg: &Message) -> Option<DeliveryStatus> {
    let part = msg.parts.iter().find(|p| is(p, "message", "delivery-status"))?;
    let text = String::from_utf8_lossy(part.contents());
    let mut status = DeliveryStatus::default();
    for line in text.lines() {
        let Some((name, value)) = line.split_once(':') else { continue };
        let value = value.trim().to_string();
        match name.trim().to_ascii_lowercase().as_str() {
            "final-recipient" if status.final_recipient.is_none() => {
                status.final_recipient = Some(value.rsplit(';').next().unwrap_or_default().trim().to_string())
            }
            "action" if status.action.is_none() => status.action = Some(value),
            "status" if status.status.is_none() => {
                status.status = value.split_whitespace().next().map(str::to_string)
            }
            _ => {}
        }
    }
    Some(status)
}

/// Message-IDs of mail returned inside this one: returned headers, attached messages, and
/// `Message-ID:` lines quoted in the text (Exim's bounces quote the original there).
fn returned_ids(msg: &Message, text: &str) -> Vec<String> {
    fn from_lines(ids: &mut Vec<String>, text: &str) {
        for line in text.lines() {
            let line = line.trim_start();
            if line.len() > 11 && line.is_char_boundary(11) && line[..11].eq_ignore_ascii_case("message-id:")
            {
                ids.push(bracketed(&line[11..]));
            }
        }
    }
    let mut ids = Vec::new();
    from_lines(&mut ids, text);
    for part in &msg.parts {
        if is(part, "text", "rfc822-headers") {
            from_lines(&mut ids, &String::from_utf8_lossy(part.contents()));
        }
        if let PartType::Message(nested) = &part.body
            && let Some(id) = nested.message_id()
        {
            ids.push(bracketed(id));
        }
    }
    ids.dedup();
    ids
}

/// Text decoded as ISO-8859-1 that holds C1 control characters was Windows-1252: no mail
/// means U+0080–U+009F, and Windows-1252 puts its quotes, dashes and euro there.
pub fn fix_c1(text: &str) -> String {
    const WINDOWS_1252: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}',
        '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
    ];
    text.chars()
        .map(|c| match c as u32 {
            n @ 0x80..=0x9f => WINDOWS_1252[(n - 0x80) as usize],
            _ => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c1_controls_become_windows_1252() {
        assert_eq!(
            fix_c1("\u{93}active bystander\u{94} 2020\u{96}21 £1,250"),
            "“active bystander” 2020–21 £1,250"
        );
        assert_eq!(fix_c1("plain"), "plain");
    }

    #[test]
    fn bytes_that_are_not_mail_are_refused_with_a_reason() {
        assert!(parse(b"").unwrap_err().0.contains("empty"));
        assert!(parse(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").is_err());
        assert!(parse(b": no name\n\nbody").is_err());
        assert!(parse(b"X-Thing: 1\n\nbody").unwrap_err().0.contains("From"));
    }

    #[test]
    fn a_plain_message_is_read() {
        let raw = b"From: A <a@alpha.nhs.uk>\nTo: \"foi+1-x\" <foi+1-abc@replies.example.org>, b@x\nDelivered-To: foi+2-def@replies.example.org\nSubject: Re: ABT-2021-0001\nMessage-ID: <m1@alpha>\nIn-Reply-To: <out1@us>\nReferences: <out0@us> <out1@us>\n\nWe do not hold it.\n";
        let p = parse(raw).unwrap();
        assert_eq!(p.mail.message_id.as_deref(), Some("<m1@alpha>"));
        assert_eq!(p.mail.from.as_deref(), Some("a@alpha.nhs.uk"));
        assert_eq!(
            p.mail.recipients,
            vec!["foi+1-abc@replies.example.org", "b@x", "foi+2-def@replies.example.org"]
        );
        assert_eq!(p.mail.threads, vec!["<out1@us>", "<out0@us>", "<out1@us>"]);
        assert!(p.mail.text.contains("We do not hold it."));
        assert!(p.attachments.is_empty());
    }
}
