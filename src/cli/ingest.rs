//! `foitrack ingest PATH…`: mail files into the ingest service, one message at a time; and
//! `foitrack pen …`, the holding pen.

use std::io::IsTerminal;
use std::path::PathBuf;

use serde::Serialize;

use super::args::PenCommand;
use super::output::{Table, cut, json, safe};
use crate::mail::sources::{self, Found};
use crate::service::ingest::pen::{AssignInput, DiscardInput};
use crate::service::ingest::{Batcher, IngestSummary, IngestedMessage, MAX_MESSAGE_BYTES, Taken as Stored};
use crate::service::{Actor, Paging, Service, ServiceError};

/// The `--json` output: a documented contract (docs/api.md, "Incoming mail").
#[derive(Default, Serialize)]
struct Output {
    summary: IngestSummary,
    messages: Vec<IngestedMessage>,
}

pub fn run(
    service: &Service,
    actor: &Actor,
    workspace: Option<&str>,
    paths: &[PathBuf],
    as_json: bool,
) -> anyhow::Result<()> {
    let (by, pen) = service.ingest_as(actor, workspace)?;
    let files = sources::files(paths).map_err(|e| match e.kind() {
        // Exits as a missing request or body does (66), naming the path.
        std::io::ErrorKind::NotFound => anyhow::Error::from(ServiceError::NotFound(e.to_string())),
        _ => e.into(),
    })?;
    let total: u64 = files.iter().filter_map(|f| f.metadata().ok()).map(|m| m.len()).sum();
    let bar = progress(total);
    let mut taken = Taken { batcher: Batcher::new(service, pen, by), out: Output::default(), not_stored: 0 };
    for file in &files {
        let read = sources::read(file, MAX_MESSAGE_BYTES, |found| -> anyhow::Result<()> {
            bar.inc(found.raw.len() as u64);
            taken.push(found);
            Ok(())
        });
        if let Err(e) = read {
            // What was read before stays stored.
            taken.flush();
            return Err(e);
        }
    }
    taken.flush();
    let Taken { out, not_stored, .. } = taken;
    bar.finish_and_clear();
    if as_json {
        println!("{}", json(&out));
    } else {
        print_table(&out);
    }
    if not_stored > 0 {
        anyhow::bail!(
            "{not_stored} message(s) could not be stored; see their reason above. Nothing else was lost."
        );
    }
    Ok(())
}

/// The messages read so far, stored a batch at a time, and their reports in file order.
struct Taken<'a> {
    batcher: Batcher<'a>,
    out: Output,
    not_stored: usize,
}

impl Taken<'_> {
    fn push(&mut self, found: Found) {
        if found.too_large {
            self.flush();
            self.not_stored += 1;
            let why = format!("larger than the limit of {} MB; not stored", MAX_MESSAGE_BYTES >> 20);
            self.report(unstored(&found.source, why));
            return;
        }
        let stored = self.batcher.push(found.source, found.raw);
        self.reports(stored);
    }

    fn flush(&mut self) {
        let stored = self.batcher.flush();
        self.reports(stored);
    }

    fn reports(&mut self, stored: Vec<Stored>) {
        for (source, result) in stored {
            let report = result.unwrap_or_else(|e| {
                self.not_stored += 1;
                unstored(&source, format!("not stored: {e}"))
            });
            self.report(report);
        }
    }

    fn report(&mut self, report: IngestedMessage) {
        self.out.summary.count(&report);
        self.out.messages.push(report);
    }
}

fn unstored(source: &str, reason: String) -> IngestedMessage {
    IngestedMessage::rejected(source, None, &reason)
}

fn progress(total: u64) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {msg}") {
        bar.set_style(style);
    }
    bar
}

fn print_table(out: &Output) {
    let mut table = Table::new(&["SOURCE", "OUTCOME", "REQUESTS", "MATCHED BY", "NOTE"]);
    for m in &out.messages {
        let note = match (&m.reason, m.suggestions.first()) {
            (_, Some(s)) => format!("perhaps {}: {}", s.reference, s.reason),
            (Some(r), None) => r.clone(),
            (None, None) => String::new(),
        };
        table.row(vec![
            safe(&m.source).into_owned(),
            m.outcome.to_string(),
            m.requests.join(", "),
            m.matched_by.to_string(),
            safe(&note).into_owned(),
        ]);
    }
    print!("{}", table.render());
    let s = &out.summary;
    println!(
        "{} message(s): {} matched, {} in the holding pen, {} duplicate(s), {} auto-reply(ies), {} bounce(s), {} rejected.",
        s.messages, s.matched, s.holding_pen, s.duplicates, s.auto_replies, s.bounces, s.rejected
    );
}

pub fn pen(service: &Service, actor: &Actor, workspace: Option<&str>, cmd: PenCommand) -> anyhow::Result<()> {
    match cmd {
        PenCommand::List { page, json: j } => {
            let listed = service.holding_pen(actor, workspace, Paging::new(page.page, page.per_page)?)?;
            if j.json {
                println!("{}", json(&listed));
                return Ok(());
            }
            let mut table = Table::new(&["ID", "RECEIVED", "FROM", "SUBJECT", "PERHAPS"]);
            for m in &listed.items {
                let perhaps = m
                    .suggestions
                    .iter()
                    .map(|s| format!("{} ({})", s.reference, s.reason))
                    .collect::<Vec<_>>();
                table.row(vec![
                    m.id.to_string(),
                    m.received_at.format("%Y-%m-%d %H:%M").to_string(),
                    safe(m.from.as_deref().unwrap_or("")).into_owned(),
                    cut(&safe(&m.subject), 50),
                    safe(&perhaps.join("; ")).into_owned(),
                ]);
            }
            print!("{}", table.render());
            println!("{} message(s) waiting.", listed.total);
        }
        PenCommand::Assign { id, request } => {
            let request_id = service.find_request_id(actor, &request)?;
            service.assign_message(actor, id, AssignInput { request_id })?;
            println!("Message {id} is assigned to {}.", safe(&request));
        }
        PenCommand::Discard { id, reason } => {
            service.discard_message(actor, id, DiscardInput { reason })?;
            println!("Message {id} is set aside.");
        }
    }
    Ok(())
}
