//! A bounded fuzz of reading incoming mail: every message of the corpus, damaged at random
//! (bytes changed, cut, repeated, spliced from another message), is read, classified, folded,
//! read for a suggestion and searched for references and addresses without a panic; and every
//! attachment fixture, damaged alike, is read by the real child process to text or a reason. Nightly `cargo fuzz` is not
//! available here, so proptest drives it, for a fixed number of cases.

use std::path::PathBuf;

use foitrack::domain::inbound::address::Typed;
use foitrack::domain::inbound::{classify::classify, fold, reference, sniff, suggest, uuencode};
use foitrack::extract::child::{Extractor, Limits};
use foitrack::extract::{Extracted, Format};
use foitrack::mail::inbound::parse;
use proptest::prelude::*;

fn corpus() -> Vec<Vec<u8>> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/mail"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml" || e == "bin"))
        .collect();
    files.sort();
    files.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

#[derive(Debug, Clone)]
enum Damage {
    Set(usize, u8),
    Cut(usize),
    Repeat(usize, usize),
    Splice(usize, usize),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Damage::Set(i, b)),
        any::<usize>().prop_map(Damage::Cut),
        (any::<usize>(), 1usize..2000).prop_map(|(i, n)| Damage::Repeat(i, n)),
        (any::<usize>(), any::<usize>()).prop_map(|(other, at)| Damage::Splice(other, at)),
    ]
}

fn apply(mut raw: Vec<u8>, damages: &[Damage], corpus: &[Vec<u8>]) -> Vec<u8> {
    for d in damages {
        if raw.is_empty() {
            raw.push(b'x');
        }
        let at = |i: usize, len: usize| i % len.max(1);
        match *d {
            Damage::Set(i, b) => {
                let i = at(i, raw.len());
                raw[i] = b;
            }
            Damage::Cut(i) => raw.truncate(at(i, raw.len())),
            Damage::Repeat(i, n) => {
                let i = at(i, raw.len());
                let piece: Vec<u8> = raw[i..(i + 64).min(raw.len())].to_vec();
                for _ in 0..n.min(50) {
                    raw.splice(i..i, piece.iter().copied());
                }
            }
            Damage::Splice(other, i) => {
                let other = &corpus[other % corpus.len()];
                let i = at(i, raw.len());
                raw.splice(i..i, other[..other.len() / 2].iter().copied());
            }
        }
    }
    raw
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn damaged_mail_is_read_or_refused_never_a_panic(
        which in any::<usize>(),
        damages in proptest::collection::vec(damage(), 1..8),
    ) {
        let corpus = corpus();
        let raw = apply(corpus[which % corpus.len()].clone(), &damages, &corpus);
        if let Ok(parsed) = parse(&raw) {
            let kind = classify(&parsed.mail);
            prop_assert!(kind.outcome.as_str() != "duplicate" && kind.outcome.as_str() != "rejected");
            let head = reference::head(&parsed.mail.subject, &parsed.mail.text);
            let _ = (reference::ours(&parsed.mail.subject), reference::theirs(&head));
            for a in &parsed.mail.recipients {
                if let Some(t) = Typed::parse(a) {
                    let _ = t.near_misses("key", |_| true);
                }
            }
            for file in &parsed.attachments {
                let _ = sniff::content_type(&file.data, &file.declared_type);
            }
            let mut text = parsed.mail.text.clone();
            let _ = uuencode::extract(&mut text);
            // What a request's page does with the text: fold it, suggest from its own words.
            let folded = fold::fold(&parsed.mail.text);
            prop_assert!(parsed.mail.text.starts_with(folded.own));
            let own = fold::unquoted(folded.own);
            let _ = suggest::suggest([own.as_str(), parsed.mail.subject.as_str()]);
        }
    }
}

/// The attachment fixtures, by the reader foitrack would use for each.
fn documents() -> Vec<(Format, Vec<u8>)> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/attachments"));
    [
        ("letter.pdf", Format::Pdf),
        ("letter.docx", Format::Docx),
        ("letter.odt", Format::Odt),
        ("letter.rtf", Format::Rtf),
        ("letter.html", Format::Html),
        ("staff.xlsx", Format::Spreadsheet),
        ("staff.xls", Format::Spreadsheet),
        ("staff.ods", Format::Spreadsheet),
    ]
    .into_iter()
    .map(|(name, format)| (format, std::fs::read(dir.join(name)).unwrap()))
    .collect()
}

proptest! {
    // Each case starts a child process (about 3 ms): a few hundred stay within seconds.
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    /// Damaged documents through the real `foitrack` child, as ingest reads them: text or a
    /// reason, always an answer. In process the readers may panic on such input; that is why
    /// foitrack never runs them in its own.
    #[test]
    fn damaged_documents_give_text_or_a_reason(
        which in any::<usize>(),
        damages in proptest::collection::vec(damage(), 1..6),
    ) {
        let documents = documents();
        let (format, data) = &documents[which % documents.len()];
        let others: Vec<Vec<u8>> = documents.iter().map(|(_, d)| d.clone()).collect();
        let damaged = apply(data.clone(), &damages, &others);
        let extractor = Extractor::new(
            env!("CARGO_BIN_EXE_foitrack").into(),
            Limits { cpu_seconds: 10, wall_seconds: 20, memory_mb: 512 },
        );
        match extractor.extract(*format, &damaged) {
            Extracted::Text(text) => prop_assert!(!text.contains('\0')),
            Extracted::Failed(why) => prop_assert!(!why.is_empty() && !why.contains("could not be run"), "{}", why),
        }
    }
}
