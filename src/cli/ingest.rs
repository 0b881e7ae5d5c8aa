//! `foitrack ingest PATH…`: mail files into the ingest service, one message at a time; and
//! `foitrack pen …`, the holding pen.

use std::io::IsTerminal;
use std::path::PathBuf;

use serde::Serialize;

use super::args::PenCommand;
use super::output::{Table, cut, json, safe};
use crate::mail::sources;
use crate::service::ingest::pen::{AssignInput, DiscardInput};
use crate::service::ingest::{Arrival, IngestSummary, IngestedMessage, MAX_MESSAGE_BYTES};
use crate::service::{Actor, Paging, Service, ServiceError};

/// The `--json` output: a documented contract (docs/api.md, "Incoming mail").
#[derive(Serialize)]
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
    let mut out = Output { summary: IngestSummary::default(), messages: Vec::new() };
    let mut not_stored = 0usize;
    for file in &files {
        sources::read(file, MAX_MESSAGE_BYTES, |found| -> anyhow::Result<()> {
            bar.inc(found.raw.len() as u64);
            let report = if found.too_large {
                not_stored += 1;
                unstored(
                    &found.source,
                    format!("larger than the limit of {} MB; not stored", MAX_MESSAGE_BYTES >> 20),
                )
            } else {
                match service.ingest(Arrival { raw: &found.raw, source: &found.source, pen, by }) {
                    Ok(report) => report,
                    Err(e) => {
                        not_stored += 1;
                        unstored(&found.source, format!("not stored: {e}"))
                    }
                }
            };
            out.summary.count(&report);
            out.messages.push(report);
            Ok(())
        })?;
    }
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
