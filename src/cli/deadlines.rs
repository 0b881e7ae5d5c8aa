//! `foitrack deadline`, `regimes`, `holidays import` and `update`, and `requests deadline`.

use std::path::Path;
use std::time::Duration;

use anyhow::Context;

use super::args::DeadlineArgs;
use super::output::{Table, json, opt, safe};
use crate::config::HolidaySettings;
use crate::domain::calendar::SkippedDay;
use crate::service::deadlines::{DeadlineQuery, RequestDeadlineView};
use crate::service::{Actor, Service};

/// Bank holidays one per line, as `2022-01-04 2nd January (substitute day) — scotland`;
/// weekends counted.
fn print_skipped(skipped: &[SkippedDay]) {
    let weekends = skipped.iter().filter(|s| s.divisions.is_empty()).count();
    for s in skipped.iter().filter(|s| !s.divisions.is_empty()) {
        let divisions: Vec<&str> = s.divisions.iter().map(|d| d.as_str()).collect();
        println!("  {} {} — {}", s.date, safe(&s.reason), divisions.join(", "));
    }
    println!("  and {weekends} Saturday(s) and Sunday(s)");
}

pub fn calculate(service: &Service, args: DeadlineArgs) -> anyhow::Result<()> {
    let query = DeadlineQuery { regime: Some(args.regime), received: Some(args.received), days: args.days };
    let view = service.deadline(&query)?;
    if args.json.json {
        println!("{}", json(&view));
        return Ok(());
    }
    let unit = if view.calendar_days { "days" } else { "working days" };
    println!("{} ({})", view.regime, safe(&view.regime_description));
    println!("Received {} (day zero); day one is {}.", view.received_on, view.day_one);
    println!("Due {}: {} {unit} after receipt.", view.due_on, view.days);
    println!("Very overdue after {}.", view.very_overdue_on);
    println!("Days skipped:");
    print_skipped(&view.skipped);
    Ok(())
}

pub fn regimes(service: &Service, as_json: bool) -> anyhow::Result<()> {
    let list = service.list_regimes()?;
    if as_json {
        println!("{}", json(&list));
        return Ok(());
    }
    let mut t = Table::new(&["NAME", "RESPOND", "VERY OVERDUE", "REVIEW", "HOLIDAYS OF", "DESCRIPTION"]);
    for r in &list {
        let unit = if r.calendar_days { "days" } else { "working days" };
        let divisions: Vec<&str> = r.divisions.iter().map(|d| d.as_str()).collect();
        t.row(vec![
            r.name.clone(),
            format!("{} {unit}", r.response_days),
            r.very_overdue_days.to_string(),
            r.review_days.to_string(),
            divisions.join(", "),
            r.description.clone(),
        ]);
    }
    print!("{}", t.render());
    Ok(())
}

pub fn import_holidays(
    service: &Service,
    actor: &Actor,
    file: &Path,
    dry_run: bool,
    as_json: bool,
) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    apply(service, actor, &text, dry_run, as_json)
}

/// `holidays update`: the same import, of the file downloaded from the feed URL.
pub fn update_holidays(
    service: &Service,
    actor: &Actor,
    settings: &HolidaySettings,
    url: Option<String>,
    dry_run: bool,
    as_json: bool,
) -> anyhow::Result<()> {
    let url = url.unwrap_or_else(|| settings.feed_url.clone());
    let text = super::feed::download(&url, Duration::from_secs(settings.timeout_seconds))?;
    apply(service, actor, &text, dry_run, as_json).with_context(|| format!("the file downloaded from {url}"))
}

fn apply(service: &Service, actor: &Actor, text: &str, dry_run: bool, as_json: bool) -> anyhow::Result<()> {
    let summary = service.import_holidays(actor, text, dry_run)?;
    if as_json {
        println!("{}", json(&summary));
        return Ok(());
    }
    let (add, remove) = if dry_run { ("Would add", "would remove") } else { ("Added", "removed") };
    println!("{add} {} bank holiday(s) and {remove} {}.", summary.added.len(), summary.removed.len());
    for h in &summary.added {
        println!("  + {} {} — {}", h.date, safe(&h.title), h.division);
    }
    for h in &summary.removed {
        println!("  - {} {} — {}", h.date, safe(&h.title), h.division);
    }
    let moved = if dry_run { "would move" } else { "moved" };
    let shown: Vec<&str> = summary.requests_updated.iter().take(10).map(String::as_str).collect();
    let more = summary.requests_updated.len().saturating_sub(shown.len());
    let more = if more > 0 { format!(" and {more} more (see --json)") } else { String::new() };
    println!(
        "Deadlines {moved} on {} open request(s): {}{more}",
        summary.requests_updated.len(),
        safe(&shown.join(", "))
    );
    Ok(())
}

pub fn print_request_clock(view: &RequestDeadlineView, as_json: bool) {
    if as_json {
        println!("{}", json(view));
        return;
    }
    println!("{} under {}: {} on {}", safe(&view.reference), view.regime, view.status, view.as_of);
    println!("  received {}, period running from {}", opt(&view.received_on), opt(&view.clock_started_on));
    let original = view.original_due_on.map(|d| format!(" (originally {d})")).unwrap_or_default();
    println!("  due {}{original}, very overdue after {}", opt(&view.due_on), opt(&view.very_overdue_on));
    if view.review_due_on.is_some() {
        println!("  review due {}, at the latest {}", opt(&view.review_due_on), opt(&view.review_limit_on));
    }
    println!("How the clock ran:");
    for step in &view.steps {
        println!("  {} #{} {}: {}", step.on, step.event_id, step.kind, safe(&step.effect));
    }
    if !view.skipped.is_empty() {
        println!("Days skipped in the running period:");
        print_skipped(&view.skipped);
    }
}
