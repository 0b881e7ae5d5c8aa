//! `foitrack agreement` and `foitrack codebook`: the calculator and `codebook check | show |
//! suggest` need no database; `codebook import | list` work on the workspace's stored ones.

use std::io::Read;
use std::path::Path;

use anyhow::Context;

use super::args::{AgreementArgs, CodebookCommand};
use super::output::{Table, json, safe};
use crate::domain::codebook::Codebook;
use crate::service::ServiceError;
use crate::service::agreement::{AgreementFigures, AgreementQuery, MAX_AGREEMENT_FILE, agreement_from_csv};
use crate::service::codebook_exchange::{MAX_QDC_FILE, QdcImportInput, QdcImported, codebook_from_qdc};
use crate::service::codebooks::{SaveCodebookInput, read_codebook, shipped_codebook, suggest_codes};
use crate::service::{Actor, Service};

pub fn agreement(args: &AgreementArgs) -> anyhow::Result<()> {
    let path = args.file.display();
    let too_large = format!(
        "is larger than {} MB, far more than any study's codings; is it the right file?",
        MAX_AGREEMENT_FILE / (1024 * 1024)
    );
    let bytes = read_at_most(open(&args.file)?, &args.file, MAX_AGREEMENT_FILE, &too_large)?;
    let query = AgreementQuery { level: Some(args.level.clone()) };
    let report = agreement_from_csv(&bytes, &query).map_err(|e| {
        listed(&path.to_string(), e, "cannot be used: fix the problem(s) above and run it again")
    })?;
    if args.json.json {
        println!("{}", json(&report));
        return Ok(());
    }
    let f = &report.figures;
    println!(
        "{} unit(s), {} coded by two coders or more; {} coder(s); values compared as {}.",
        f.units, f.pairable_units, f.coders, report.level
    );
    let why = |name: &str| f.reasons.get(name).map(|r| format!("-  ({})", safe(r))).unwrap_or_default();
    let lines = [
        ("Percentage agreement", f.percent_agreement.map(|p| format!("{p:.1}%")), "percent_agreement"),
        ("Cohen's kappa", f.cohen_kappa.map(|k| format!("{k:.3}")), "cohen_kappa"),
        ("Krippendorff's alpha", alpha(f), "krippendorff_alpha"),
        ("Gwet's AC1", f.gwet_ac1.map(|g| format!("{g:.3}")), "gwet_ac1"),
    ];
    for (label, value, name) in lines {
        println!("  {label:<22}{}", value.unwrap_or_else(|| why(name)));
    }
    if let Some(codes) = &report.per_code {
        println!("\nSome units have several codes, so the figures above compare whole sets of codes.");
        println!("Each code, present or absent (- where it cannot be worked out):");
        let mut t =
            Table::new(&["CODE", "PAIRABLE UNITS", "AGREEMENT", "KAPPA", "ALPHA (95% INTERVAL)", "AC1"]);
        let number = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |v| format!("{v:.3}"));
        for c in codes {
            let g = &c.figures;
            t.row(vec![
                c.code.clone(),
                g.pairable_units.to_string(),
                g.percent_agreement.map_or_else(|| "-".to_string(), |p| format!("{p:.1}%")),
                number(g.cohen_kappa),
                alpha(g).unwrap_or_else(|| "-".into()),
                number(g.gwet_ac1),
            ]);
        }
        print!("{}", t.render());
    }
    Ok(())
}

/// Alpha with its interval, when it has one.
fn alpha(f: &AgreementFigures) -> Option<String> {
    let a = f.krippendorff_alpha?;
    Some(match f.krippendorff_alpha_ci {
        Some(ci) => format!("{a:.3}  (95% interval {:.3} to {:.3})", ci.low, ci.high),
        None => format!("{a:.3}"),
    })
}

/// The most a codebook file may be: a codebook is a page or two.
const MAX_CODEBOOK_FILE: u64 = 1024 * 1024;

pub fn codebook(cmd: &CodebookCommand) -> anyhow::Result<()> {
    match cmd {
        CodebookCommand::Check { file } => {
            let book = read_file_codebook(file)?;
            let codes: usize = book.questions.iter().map(|q| q.code_keys().len()).sum();
            println!(
                "{} is a usable codebook: \"{}\", {} question(s), {} code(s).",
                file.display(),
                safe(&book.key),
                book.questions.len(),
                codes
            );
            Ok(())
        }
        CodebookCommand::Suggest { text, codebook, json: j } => {
            let book = match codebook {
                Some(file) => read_file_codebook(file)?,
                None => shipped_codebook()?,
            };
            let text = read_text(text)?;
            let suggestions = suggest_codes(&book, &text)?;
            if j.json {
                println!("{}", json(&suggestions));
                return Ok(());
            }
            if suggestions.is_empty() {
                println!("No rule of \"{}\" matches this text.", safe(&book.key));
                return Ok(());
            }
            let mut t = Table::new(&["QUESTION", "CODE", "AT", "PASSAGE"]);
            for s in &suggestions {
                t.row(vec![
                    s.question.clone(),
                    s.code.clone(),
                    format!("{}-{}", s.start, s.end),
                    s.quote.clone(),
                ]);
            }
            print!("{}", t.render());
            println!("Suggestions only: nothing is coded. AT counts characters from the start of the text.");
            Ok(())
        }
        CodebookCommand::Import { .. } | CodebookCommand::List { .. } | CodebookCommand::Export { .. } => {
            Err(anyhow::anyhow!(
                "this codebook command needs the database; it is run through stored_codebooks"
            ))
        }
        CodebookCommand::Show { file, json: j } => {
            let book = match file {
                Some(file) => read_file_codebook(file)?,
                None => shipped_codebook()?,
            };
            if j.json {
                println!("{}", json(&book));
            } else {
                print_codebook(&book);
            }
            Ok(())
        }
    }
}

/// A codebook file: TOML, or a REFI-QDA `.qdc` read as a new codebook named after the file.
fn read_file_codebook(file: &Path) -> anyhow::Result<Codebook> {
    let path = file.display();
    let (max, too_large) = if is_qdc(file) {
        (MAX_QDC_FILE, "is over 5 MB: far larger than any codebook")
    } else {
        (MAX_CODEBOOK_FILE, "is over 1 MB: far larger than any codebook")
    };
    let text = utf8(read_at_most(open(file)?, file, max, too_large)?, file)?;
    let read = if is_qdc(file) {
        let key = key_from_file_name(file);
        codebook_from_qdc(text.trim_start_matches('\u{feff}'), &key, &key, None).map(|(book, notes)| {
            for note in notes {
                eprintln!("{}: {}", safe(&path.to_string()), safe(&note));
            }
            book
        })
    } else {
        read_codebook(&text)
    };
    read.map_err(|e| listed(&path.to_string(), e, "is not a usable codebook: fix the problem(s) above"))
}

/// Whether a file is a REFI-QDA codebook, by its extension.
fn is_qdc(file: &Path) -> bool {
    file.extension().is_some_and(|e| e.eq_ignore_ascii_case("qdc"))
}

/// A codebook key made from a file's name, for a `.qdc` file, which names no codebook.
fn key_from_file_name(file: &Path) -> String {
    let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    crate::domain::codebook::qdc::key_from_name(&stem)
}

/// A file refused for what it holds: each problem on its own line of standard error, as
/// `FILE, line 3: …`, then the refusal itself, which exits 65. Other errors pass unchanged.
fn listed(path: &str, e: ServiceError, summary: &str) -> anyhow::Error {
    match e {
        ServiceError::Invalid { fields, .. } if !fields.is_empty() => {
            for f in &fields {
                let at = if f.field.is_empty() { String::new() } else { format!(", {}", f.field) };
                eprintln!("{}{at}: {}", safe(path), safe(&f.message));
            }
            ServiceError::Invalid { detail: format!("{path} {summary}"), fields }.into()
        }
        other => other.into(),
    }
}

fn print_codebook(book: &Codebook) {
    println!("{}: {}", safe(&book.key), safe(&book.title));
    for q in &book.questions {
        let kind =
            serde_json::to_value(q.kind).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
        let when = q
            .applies_when
            .as_ref()
            .map(|c| format!(", when {} is {}", safe(&c.question), safe(&c.codes.join(" or "))))
            .unwrap_or_default();
        println!("\n{} ({kind}{when})\n  {}", safe(&q.key), safe(&q.label));
        let mut t = Table::new(&["  CODE", "LABEL"]);
        for code in &q.codes {
            let key = match &code.parent {
                Some(parent) => format!("  {parent} > {}", code.key),
                None => format!("  {}", code.key),
            };
            t.row(vec![key, code.label.clone()]);
        }
        if !q.codes.is_empty() {
            print!("{}", t.render());
        }
    }
}

/// The most text `codebook suggest` reads: more than any reply with its attachments.
const MAX_TEXT_FILE: u64 = 16 * 1024 * 1024;

/// A text file, or standard input for `-`, as UTF-8.
fn read_text(file: &Path) -> anyhow::Result<String> {
    let reader: Box<dyn Read> =
        if file.as_os_str() == "-" { Box::new(std::io::stdin()) } else { Box::new(open(file)?) };
    let bytes = read_at_most(reader, file, MAX_TEXT_FILE, "is over 16 MB: far more than one reply")?;
    utf8(bytes, file)
}

pub(super) fn open(file: &Path) -> anyhow::Result<std::fs::File> {
    std::fs::File::open(file).with_context(|| format!("cannot read {}", file.display()))
}

/// All of `reader`, but a file past `max` bytes is refused (exit 65) before it fills memory;
/// `too_large` says why, after the file's name.
pub(super) fn read_at_most(
    reader: impl Read,
    file: &Path,
    max: u64,
    too_large: &str,
) -> anyhow::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader
        .take(max + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {}", file.display()))?;
    if bytes.len() as u64 > max {
        return Err(ServiceError::invalid(format!("{} {too_large}", file.display())).into());
    }
    Ok(bytes)
}

fn utf8(bytes: Vec<u8>, file: &Path) -> anyhow::Result<String> {
    String::from_utf8(bytes).with_context(|| format!("cannot read {} as UTF-8 text", file.display()))
}

/// `codebook import` and `codebook list`: the codebooks stored in the user's workspaces.
pub fn stored_codebooks(
    service: &Service,
    actor: &Actor,
    workspace: Option<&str>,
    cmd: &CodebookCommand,
) -> anyhow::Result<()> {
    match cmd {
        CodebookCommand::Import { file, key, title, json: j } => {
            let (saved, notes) = if is_qdc(file) {
                let bytes = read_at_most(
                    open(file)?,
                    file,
                    MAX_QDC_FILE,
                    "is over 5 MB: far larger than any codebook",
                )?;
                let key = key.clone().unwrap_or_else(|| key_from_file_name(file));
                let input =
                    QdcImportInput { workspace: workspace.map(String::from), key, title: title.clone() };
                let imported = service.import_qdc(actor, input, &bytes).map_err(|e| {
                    listed(
                        &file.display().to_string(),
                        e,
                        "is not a usable codebook: fix the problem(s) above",
                    )
                })?;
                (imported.saved, imported.notes)
            } else {
                if key.is_some() || title.is_some() {
                    return Err(ServiceError::invalid(
                        "--key and --title are for .qdc files; a TOML codebook gives its own key and title",
                    )
                    .into());
                }
                let codebook = read_file_codebook(file)?;
                let input = SaveCodebookInput { workspace: workspace.map(String::from), codebook };
                (service.save_codebook(actor, input)?, Vec::new())
            };
            if j.json {
                println!("{}", json(&QdcImported { saved, notes }));
                return Ok(());
            }
            for note in &notes {
                println!("Note: {}.", safe(note));
            }
            let s = &saved.view.summary;
            if saved.stored {
                println!(
                    "Stored {} as version {} in {} (id {}).",
                    safe(&s.key),
                    s.version,
                    safe(&s.workspace),
                    s.id
                );
            } else {
                println!(
                    "Nothing changed: {} is the same as its version {} in {} (id {}).",
                    safe(&file.display().to_string()),
                    s.version,
                    safe(&s.workspace),
                    s.id
                );
            }
            Ok(())
        }
        CodebookCommand::Export { id, format } => {
            if format == "json" {
                println!("{}", json(&service.codebook(actor, *id)?));
            } else {
                print!("{}", service.codebook_qdc(actor, *id)?.1);
            }
            Ok(())
        }
        CodebookCommand::List { json: j } => {
            let list = service.list_codebooks(actor, workspace)?;
            if j.json {
                println!("{}", json(&list));
                return Ok(());
            }
            let mut t = Table::new(&["ID", "WORKSPACE", "KEY", "VERSION", "TITLE", "STORED"]);
            for c in &list {
                t.row(vec![
                    c.id.to_string(),
                    c.workspace.clone(),
                    c.key.clone(),
                    c.version.to_string(),
                    c.title.clone(),
                    c.created_at.format("%Y-%m-%d %H:%M").to_string(),
                ]);
            }
            print!("{}", t.render());
            Ok(())
        }
        _ => codebook(cmd),
    }
}
