//! Attachments' text, read by the real foitrack program in a child process: every format of
//! tests/fixtures/attachments through the webhook, found by search afterwards; then the child's
//! limits, against real processes that hang, crash, or are not foitrack at all.

use std::path::{Path, PathBuf};

use crate::helpers::{TestApp, TestDb};
use crate::inbound::{DOMAIN, SECRET, world};
use crate::on_both_backends;
use foitrack::extract::child::{Extractor, Limits};
use foitrack::extract::{Extracted, Format};
use foitrack::service::outbox::reply_address;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, MultiPart, SinglePart};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/attachments");

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(FIXTURES).join(name)).unwrap()
}

/// A reply to `to` carrying `files` as (file name, declared type, bytes).
fn reply_with(to: &str, files: Vec<(&str, &str, Vec<u8>)>) -> Vec<u8> {
    // Our request, quoted back, asks about section 12: that must not suggest a refusal.
    let text = "Please find our response attached.\n\nRegards\n-- \nInformation Governance\n\n\
                On 6 Dec 2021, at 10:00, FOI Research <foi@research.example.ac.uk> wrote:\n\
                > If answering would exceed the appropriate limit under section 12, please say so.\n";
    let mut parts = MultiPart::mixed().singlepart(SinglePart::plain(text.to_string()));
    for (name, declared, data) in files {
        parts = parts
            .singlepart(Attachment::new(name.to_string()).body(data, ContentType::parse(declared).unwrap()));
    }
    lettre::Message::builder()
        .from("FOI Officer <foi@alpha-trust.nhs.uk>".parse().unwrap())
        .to(to.parse().unwrap())
        .subject("Your Freedom of Information request")
        .message_id(Some("<attachments.1@alpha-trust.nhs.uk>".into()))
        .multipart(parts)
        .unwrap()
        .formatted()
}

const PDF: &str = "application/pdf";
const OCTETS: &str = "application/octet-stream";

async fn every_format_s_text_is_read_and_searchable(db: &TestDb) {
    let w = world(db).await;
    let letter_pdf = fixture("letter.pdf");
    let files = vec![
        ("letter.pdf", PDF, letter_pdf.clone()),
        (
            "letter.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            fixture("letter.docx"),
        ),
        ("letter.odt", "application/vnd.oasis.opendocument.text", fixture("letter.odt")),
        ("letter.rtf", "application/rtf", fixture("letter.rtf")),
        ("letter.html", "text/html", fixture("letter.html")),
        ("staff.xlsx", OCTETS, fixture("staff.xlsx")),
        ("staff.xls", "application/vnd.ms-excel", fixture("staff.xls")),
        ("staff.ods", OCTETS, fixture("staff.ods")),
        // No extension and the wrong label: the bytes say Word.
        ("response", OCTETS, fixture("letter.docx")),
        ("scan.pdf", PDF, fixture("scanned.pdf")),
        ("cut-short.pdf", PDF, letter_pdf[..letter_pdf.len() / 3].to_vec()),
        (
            "garbage.docx",
            OCTETS,
            b"PK\x03\x04\x14\0\0\0word/document.xml, and then not a Word file at all".to_vec(),
        ),
        ("logo.png", "image/png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec()),
    ];
    let names: Vec<&str> = files.iter().map(|f| f.0).collect();
    let raw = reply_with(&reply_address(SECRET, DOMAIN, w.ids[0]), files);
    let reply = w.deliver(raw).await;
    assert_eq!(reply.status, 202, "{}", reply.body);
    let message = &reply.body;
    assert_eq!(message["outcome"], "response", "{message}");
    let attachments = message["attachments"].as_array().unwrap();
    assert_eq!(attachments.iter().map(|a| a["filename"].as_str().unwrap()).collect::<Vec<_>>(), names);
    let by_name = |name: &str| attachments.iter().find(|a| a["filename"] == name).unwrap().clone();
    for name in ["letter.pdf", "letter.docx", "letter.odt", "letter.rtf", "letter.html", "response"] {
        let a = by_name(name);
        assert_eq!(a["extraction"], "ok", "{a}");
        assert!(a["text_chars"].as_u64().unwrap() > 600, "{a}");
        assert!(a.get("extraction_error").is_none(), "{a}");
    }
    for name in ["staff.xlsx", "staff.xls", "staff.ods"] {
        let a = by_name(name);
        assert_eq!(a["extraction"], "ok", "{a}");
        assert!(a["text_chars"].as_u64().unwrap() > 200, "{a}");
    }
    assert_eq!(
        by_name("response")["content_type"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    let failed = |name: &str| {
        let a = by_name(name);
        assert_eq!(a["extraction"], "failed", "{a}");
        assert_eq!(a["text_chars"], 0, "{a}");
        a["extraction_error"].as_str().unwrap().to_string()
    };
    assert!(failed("scan.pdf").contains("scanned PDF"));
    assert!(failed("cut-short.pdf").contains("PDF could not be read"));
    assert!(failed("garbage.docx").contains("not a readable ZIP archive"));
    assert_eq!(by_name("logo.png")["extraction"], "unsupported");

    // The request shows the same, with the reasons.
    let request = w.app.get(&format!("/api/v1/requests/{}", w.ids[0])).await;
    let incoming = &request.ok()["incoming"][0]["attachments"];
    assert_eq!(incoming.as_array().unwrap().len(), names.len(), "{incoming}");
    assert!(incoming[9]["extraction_error"].as_str().unwrap().contains("needs OCR"), "{incoming}");
    // The signature and the quoted request are folded away; the letter's words suggest a
    // partial answer (material withheld, the rest given), from the first attachment.
    let message = &request.ok()["incoming"][0];
    assert_eq!(message["text"], "Please find our response attached.\n\nRegards", "{message}");
    assert_eq!(message["folded"], "signature");
    let suggestion = &message["suggestion"];
    assert_eq!(suggestion["classification"], "partial", "{suggestion}");
    assert_eq!(suggestion["phrase"], "section 43(2)", "{suggestion}");
    assert_eq!(suggestion["attachment"], 0, "{suggestion}");
    assert_eq!(suggestion["exemptions"], serde_json::json!(["s.43(2)"]), "{suggestion}");
    assert!(
        suggestion["context"].as_str().unwrap().starts_with("The training materials are withheld"),
        "{suggestion}"
    );

    // Words from inside the documents find them.
    assert_eq!(
        attachment_hits(&w.app, "Upstander").await,
        ["letter.docx", "letter.html", "letter.odt", "letter.pdf", "letter.rtf", "response"]
    );
    assert_eq!(attachment_hits(&w.app, "midwifery").await, ["staff.ods", "staff.xls", "staff.xlsx"]);
    // A date cell reads as a date (`%22`: the date is one phrase).
    assert_eq!(attachment_hits(&w.app, "%222021-06-14%22").await, ["staff.ods", "staff.xls", "staff.xlsx"]);
}
on_both_backends!(every_format_s_text_is_read_and_searchable);

/// The file names of the attachments a search finds, sorted.
async fn attachment_hits(app: &TestApp, q: &str) -> Vec<String> {
    let page = app.get(&format!("/api/v1/search?q={q}&per_page=50")).await;
    let mut names: Vec<String> = page.ok()["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|hit| hit["attachment"]["filename"].as_str().map(str::to_string))
        .collect();
    names.sort();
    names
}

fn foitrack() -> PathBuf {
    env!("CARGO_BIN_EXE_foitrack").into()
}

fn failure(extracted: Extracted) -> String {
    match extracted {
        Extracted::Failed(why) => why,
        Extracted::Text(text) => panic!("expected a failure, got {} characters of text", text.len()),
    }
}

/// A program of the test's own, for the child's side of the protocol going wrong.
fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
fn the_text_reader_is_stopped_at_its_limits_and_never_hangs_the_caller() {
    let limits = Limits { cpu_seconds: 30, wall_seconds: 30, memory_mb: 64 };
    // A zip bomb: 88 KB that inflate to 60 MB, more than the child may hold.
    let why = failure(Extractor::new(foitrack(), limits).extract(Format::Docx, &fixture("bomb.docx")));
    assert!(why.contains("memory"), "{why}");
    // The same file within a larger allowance is read.
    let roomy = Limits { memory_mb: 1024, ..limits };
    let Extracted::Text(text) =
        Extractor::new(foitrack(), roomy).extract(Format::Docx, &fixture("bomb.docx"))
    else {
        panic!("the bomb should be read with 1 GB")
    };
    assert!(text.starts_with("bomb bomb"));

    let dir = tempfile::tempdir().unwrap();
    let quick = Limits { cpu_seconds: 1, wall_seconds: 1, memory_mb: 64 };
    let hangs = script(dir.path(), "hangs", "exec sleep 30");
    let why = failure(Extractor::new(hangs, quick).extract(Format::Pdf, b"%PDF-1.4"));
    assert_eq!(why, "reading its text took longer than 1 second, and was stopped");
    let crashes = script(dir.path(), "crashes", "kill -SEGV $$");
    let why = failure(Extractor::new(crashes, quick).extract(Format::Pdf, b"%PDF-1.4"));
    assert_eq!(why, "the text reader stopped on signal 11");
    let burns = script(dir.path(), "burns", "kill -XCPU $$");
    let why = failure(Extractor::new(burns, quick).extract(Format::Pdf, b"%PDF-1.4"));
    assert!(why.contains("more than 1 second of processing"), "{why}");
    let stranger = script(dir.path(), "stranger", "echo running 0 tests");
    let why = failure(Extractor::new(stranger, quick).extract(Format::Pdf, b"%PDF-1.4"));
    assert!(why.contains("is it foitrack?"), "{why}");
    let why = failure(Extractor::new(dir.path().join("missing"), quick).extract(Format::Pdf, b"%PDF-1.4"));
    assert!(why.starts_with("the text reader could not be run"), "{why}");
}

/// Every fixture cut short or with bytes overwritten, through the real child: each gives text
/// or a reason, and none stops the caller.
#[test]
fn damaged_files_give_text_or_a_reason() {
    let extractor = Extractor::new(foitrack(), Limits { cpu_seconds: 10, wall_seconds: 20, memory_mb: 512 });
    let formats = [
        ("letter.pdf", Format::Pdf),
        ("letter.docx", Format::Docx),
        ("letter.odt", Format::Odt),
        ("letter.rtf", Format::Rtf),
        ("letter.html", Format::Html),
        ("staff.xlsx", Format::Spreadsheet),
        ("staff.xls", Format::Spreadsheet),
        ("staff.ods", Format::Spreadsheet),
    ];
    let mut failures = 0;
    for (name, format) in formats {
        let data = fixture(name);
        let mut damaged: Vec<Vec<u8>> = [7, 3, 2].iter().map(|d| data[..data.len() / d].to_vec()).collect();
        for step in [97, 389, 1021] {
            let mut copy = data.clone();
            for i in (step..copy.len()).step_by(step) {
                copy[i] ^= 0x5a;
            }
            damaged.push(copy);
        }
        for bytes in damaged {
            match extractor.extract(format, &bytes) {
                Extracted::Text(_) => {}
                Extracted::Failed(why) => {
                    assert!(!why.is_empty() && !why.contains("could not be run"), "{name}: {why}");
                    failures += 1;
                }
            }
        }
    }
    // Most damage is found; which exactly depends on the readers, not on foitrack.
    assert!(failures >= 20, "only {failures} of 48 damaged files were refused");
}
