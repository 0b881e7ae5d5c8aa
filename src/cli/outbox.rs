//! `foitrack campaigns send` and `foitrack outbox …`.

use super::args::{OutboxCommand, SendCampaign};
use super::output::{Table, cut, json, safe, safe_text};
use crate::app::App;
use crate::service::outbox::SendInput;
use crate::service::{Actor, Paging, Service, ServiceError};

fn rate(text: &str) -> Result<u32, ServiceError> {
    let number = text.trim().trim_end_matches("/min").trim();
    number.parse::<u32>().map_err(|_| {
        ServiceError::invalid_fields(vec![crate::service::FieldError::new(
            "rate",
            format!("\"{text}\" is not a number of messages per minute, such as 6 or 6/min"),
        )])
    })
}

pub fn send_campaign(service: &Service, actor: &Actor, args: SendCampaign) -> anyhow::Result<()> {
    let input = SendInput {
        dry_run: args.dry_run,
        rate_per_minute: args.rate.as_deref().map(rate).transpose()?,
        only: args.only,
    };
    let summary = service.send_campaign(actor, args.id, input)?;
    if args.json.json {
        println!("{}", json(&summary));
        return Ok(());
    }
    if summary.dry_run {
        for m in &summary.queued {
            for h in m.headers.iter().flatten() {
                println!("{}: {}", safe(&h.name), safe(&h.value));
            }
            println!("\n{}\n----", safe_text(m.body.as_deref().unwrap_or("")));
        }
        println!("Dry run: {} message(s) would be queued; nothing was sent.", summary.queued.len());
    } else {
        let last = summary.queued.last().map(|m| m.scheduled_at.format("%Y-%m-%d %H:%M UTC").to_string());
        println!(
            "Queued {} message(s){}. `foitrack serve` delivers them in the background (or run `foitrack outbox deliver`).",
            summary.queued.len(),
            last.map(|l| format!(", the last due to go at {l}")).unwrap_or_default()
        );
    }
    for s in summary.no_email.iter().chain(&summary.skipped) {
        println!("  {} skipped: {}", safe(&s.reference), safe(&s.reason));
    }
    if args.wait && !summary.dry_run && !summary.queued.is_empty() {
        wait_for_delivery(service, actor, args.id, summary.queued.len() as u64)?;
    }
    Ok(())
}

/// Shows the campaign's messages going out, as the background delivery of `serve` sends them.
fn wait_for_delivery(service: &Service, actor: &Actor, campaign: i64, total: u64) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    let bar = std::io::stderr().is_terminal().then(|| indicatif::ProgressBar::new(total));
    eprintln!("Waiting for `foitrack serve` to send them (Ctrl-C to stop waiting; sending goes on).");
    let done = service.wait_for_campaign(actor, campaign, std::time::Duration::from_secs(1), |now| {
        if let Some(bar) = &bar {
            bar.set_position(total.saturating_sub(now.waiting as u64));
        }
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let except = if done.failed > 0 {
        format!(", except {} that failed (see `foitrack outbox list --state failed`)", done.failed)
    } else {
        String::new()
    };
    println!("All sent{except}.");
    Ok(())
}

pub fn run(
    app: &App,
    cmd: OutboxCommand,
    actor: impl Fn() -> anyhow::Result<Actor>,
    ws: Option<&str>,
) -> anyhow::Result<()> {
    let service = app.service();
    match cmd {
        OutboxCommand::List { state, page, json: j } => {
            let actor = actor()?;
            let slug = super::commands::workspace_of(&actor, ws)?;
            let paging = Paging::new(page.page, page.per_page)?;
            let list = service.list_outbox(&actor, Some(&slug), state.as_deref(), None, paging)?;
            if j.json {
                println!("{}", json(&list));
                return Ok(());
            }
            let mut t = Table::new(&["ID", "STATE", "TO", "SUBJECT", "ATTEMPTS", "NEXT TRY", "LAST ERROR"]);
            for m in &list.items {
                t.row(vec![
                    m.id.to_string(),
                    m.state.clone(),
                    m.to.clone(),
                    cut(&m.subject, 40),
                    m.attempts.to_string(),
                    m.next_attempt_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                    cut(m.last_error.as_deref().unwrap_or(""), 40),
                ]);
            }
            print!("{}", t.render());
            println!("{} of {}.", list.items.len(), list.total);
        }
        OutboxCommand::Retry { id } => {
            let m = service.retry_message(&actor()?, id)?;
            println!("Message {} will be tried again now ({}).", m.id, m.state);
        }
        OutboxCommand::Cancel { id } => {
            let m = service.cancel_message(&actor()?, id)?;
            println!("Message {} is {}.", m.id, m.state);
        }
        OutboxCommand::Deliver { json: j } => {
            let mailer = app.mailer()?;
            let worker = format!("cli-{}-{}", std::process::id(), crate::service::outbox::random_tag());
            let total = service.deliver_all(&mailer, &worker)?;
            if j.json {
                println!("{}", json(&total));
            } else {
                println!(
                    "Delivered {} message(s) to {}; {} will be retried; {} failed for good; {} no longer wanted, cancelled.",
                    total.sent,
                    mailer.target().describe(),
                    total.retrying,
                    total.failed,
                    total.cancelled
                );
            }
        }
    }
    Ok(())
}

pub fn remind(
    service: &Service,
    dry_run: bool,
    as_of: Option<chrono::NaiveDate>,
    as_json: bool,
) -> anyhow::Result<()> {
    let summary = service.remind(None, as_of.unwrap_or_else(crate::domain::london::today), dry_run)?;
    if as_json {
        println!("{}", json(&summary));
        return Ok(());
    }
    for d in &summary.digests {
        if let Some(body) = &d.body {
            println!("To: {}\nSubject: {}\n\n{}----", safe(&d.to), safe(&d.subject), safe_text(body));
        }
    }
    for c in &summary.chasers {
        if let Some(body) = &c.body {
            println!("To: {}\nSubject: {}\n\n{}----", safe(&c.to), safe(&c.subject), safe_text(body));
        }
    }
    let verb = if dry_run { "would be queued" } else { "queued" };
    if !summary.chasers.is_empty() {
        println!("{} chaser(s) to bodies {verb}.", summary.chasers.len());
    }
    for s in &summary.chasers_without_email {
        println!("  {} not chased: {}", safe(&s.reference), safe(&s.reason));
    }
    match summary.digests.len() {
        0 => println!("Nothing new to remind anyone of on {}.", summary.as_of),
        n => println!(
            "{n} digest(s) {verb} for {}.",
            safe(&summary.digests.iter().map(|d| d.to.as_str()).collect::<Vec<_>>().join(", "))
        ),
    }
    Ok(())
}
