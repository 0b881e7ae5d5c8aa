//! What each command does: build the service's input from the flags, call it, print.

use std::io::IsTerminal;

use anyhow::Context;

use super::args::*;
use super::output::{Table, cut, json, opt, safe, safe_text};
use crate::app::App;
use crate::config::Settings;
use crate::domain::london;
use crate::service::authorities::AuthorityQuery;
use crate::service::authority_import::{ImportQuery, Progress, Quiet};
use crate::service::campaigns::{NewCampaignInput, Targets};
use crate::service::ingest::classify::ClassifyInput;
use crate::service::requests::RequestQuery;
use crate::service::timeline::{BulkSentInput, EventInput, LogSentInput};
use crate::service::users::TokenRights;
use crate::service::views::{CampaignProgress, RequestDetail};
use crate::service::{Actor, Service};

pub fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load_with(cli.config.as_deref(), cli.database.as_deref())?;
    crate::app::init_logging(&settings.log.level);
    if let Command::Migrate = cli.command {
        let applied = crate::app::connect(&settings, false)?.migrate()?;
        if applied.is_empty() {
            println!("The database is up to date.");
        } else {
            println!("Applied {} migration(s): {}", applied.len(), applied.join(", "));
        }
        return Ok(());
    }
    // The calculator and codebook files need no database: they work anywhere.
    match &cli.command {
        Command::Agreement(args) => return super::coding::agreement(args),
        Command::Codebook(cmd) if !cmd.needs_database() => return super::coding::codebook(cmd),
        _ => {}
    }
    let app = App::build(settings)?;
    let service = app.service();
    let actor = || -> anyhow::Result<Actor> { Ok(service.local_actor(cli.as_user.as_deref())?) };
    let ws = cli.workspace.as_deref();
    match cli.command {
        Command::Migrate | Command::Agreement(_) => unreachable!("handled above"),
        Command::Codebook(cmd) => super::coding::stored_codebooks(service, &actor()?, ws, &cmd),
        Command::Codings(cmd) => super::codings::run(service, &actor()?, cmd),
        Command::Report(args) => super::report::run(service, &actor()?, args),
        Command::Serve => super::serve::serve(&app),
        Command::Authorities(cmd) => authorities(service, cmd),
        Command::Campaigns(cmd) => campaigns(service, cmd, actor, ws),
        Command::Requests(cmd) => requests(service, cmd, actor, ws),
        Command::User(cmd) => users(service, cmd, ws),
        Command::Workspace(cmd) => super::workspaces::run(service, cmd, &actor()?),
        Command::Token(cmd) => tokens(service, cmd, ws),
        Command::Deadline(args) => super::deadlines::calculate(service, args),
        Command::Regimes { json: j } => super::deadlines::regimes(service, j.json),
        Command::Outbox(cmd) => super::outbox::run(&app, cmd, actor, ws),
        Command::Ingest { paths, json: j } => super::ingest::run(service, &actor()?, ws, &paths, j.json),
        Command::Pen(cmd) => super::ingest::pen(service, &actor()?, ws, cmd),
        Command::Search(args) => super::search::run(service, &actor()?, ws, args),
        Command::Remind { dry_run, as_of, json: j } => super::outbox::remind(service, dry_run, as_of, j.json),
        Command::Holidays(HolidaysCommand::Import { file, dry_run, json: j }) => {
            super::deadlines::import_holidays(service, &actor()?, &file, dry_run, j.json)
        }
        Command::Holidays(HolidaysCommand::Update { url, dry_run, json: j }) => {
            super::deadlines::update_holidays(
                service,
                &actor()?,
                &app.settings().holidays,
                url,
                dry_run,
                j.json,
            )
        }
    }
}

/// A progress bar on a terminal, nothing otherwise.
struct Bar(Option<indicatif::ProgressBar>);

impl Progress for Bar {
    fn start(&mut self, total_bytes: u64) {
        if std::io::stderr().is_terminal() && total_bytes > 0 {
            self.0 = Some(indicatif::ProgressBar::new(total_bytes));
        }
    }
    fn advance(&mut self, bytes: u64) {
        if let Some(bar) = &self.0 {
            bar.inc(bytes);
        }
    }
    fn finish(&mut self) {
        if let Some(bar) = self.0.take() {
            bar.finish_and_clear();
        }
    }
}

fn authorities(service: &Service, cmd: AuthoritiesCommand) -> anyhow::Result<()> {
    match cmd {
        AuthoritiesCommand::Import { file, format, as_of, region_required, dry_run, json: j } => {
            let mut opened =
                std::fs::File::open(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let query = ImportQuery {
                format: Some(format),
                as_of,
                region_required: Some(region_required),
                dry_run: Some(dry_run),
            };
            let options = query.options()?;
            let mut bar = Bar(None);
            let progress: &mut dyn Progress = if j.json { &mut Quiet } else { &mut bar };
            let s = service.import_authorities(None, &mut opened, options, dry_run, progress)?;
            if j.json {
                println!("{}", json(&s));
                return Ok(());
            }
            let verb = if dry_run { "Would import" } else { "Imported" };
            println!(
                "{verb} {}: {} inserted, {} updated, {} unchanged, {} rejected, {} left out by the filters.",
                file.display(),
                s.inserted,
                s.updated,
                s.unchanged,
                s.rejected.len(),
                s.filtered_out
            );
            if s.inserted == 0 && s.updated == 0 && s.rejected.is_empty() {
                println!("Nothing changed: every body in the file is already up to date.");
            }
            for r in &s.rejected {
                println!("  line {}: {}", r.line, safe(&r.reason));
            }
        }
        AuthoritiesCommand::List { region, tag, search, page, json: j } => {
            let result = service.search_authorities(&AuthorityQuery {
                region,
                tag,
                q: search,
                page: page.page,
                per_page: page.per_page,
            })?;
            if j.json {
                println!("{}", json(&result));
                return Ok(());
            }
            let mut t = Table::new(&["ID", "ODS", "NAME", "REGION", "EMAIL", "TAGS"]);
            for a in &result.items {
                t.row(vec![
                    a.id.to_string(),
                    opt(&a.ods_code),
                    cut(&a.name, 50),
                    opt(&a.region),
                    opt(&a.email),
                    a.tags.join(","),
                ]);
            }
            print!("{}", t.render());
            println!("{} of {} (page {}).", result.items.len(), result.total, result.page);
        }
    }
    Ok(())
}

fn print_campaign(c: &CampaignProgress) {
    let k = &c.campaign;
    println!("Campaign {} — {}", k.id, safe(&k.title));
    println!(
        "  references {}-NNNN, regime {}, {} request(s), created by {}",
        safe(&k.reference_prefix),
        k.regime,
        k.request_count,
        safe(&k.created_by)
    );
    println!("  status on {}:", c.as_of);
    for (status, n) in c.by_status.iter().filter(|(_, n)| **n > 0) {
        println!("    {:<24} {n}", status.as_str());
    }
}

/// The workspace a command works in: the one named, or the actor's only one (the service's rule,
/// whose error lists the actor's workspaces when they have several).
pub(super) fn workspace_of(actor: &Actor, named: Option<&str>) -> anyhow::Result<String> {
    Ok(actor.home(named)?.workspace.clone())
}

fn campaigns(
    service: &Service,
    cmd: CampaignsCommand,
    actor: impl Fn() -> anyhow::Result<Actor>,
    ws: Option<&str>,
) -> anyhow::Result<()> {
    match cmd {
        CampaignsCommand::Create(c) => {
            let body = std::fs::read_to_string(&c.body_file)
                .with_context(|| format!("cannot read {}", c.body_file.display()))?;
            let input = NewCampaignInput {
                title: c.title,
                description: Some(c.description),
                reference_prefix: c.prefix,
                subject_template: c.subject,
                body_template: body,
                regime: Some(c.regime),
                targets: Targets {
                    all: c.all,
                    regions: c.regions,
                    tags: c.tags,
                    authority_ids: c.authority_ids,
                },
                workspace: ws.map(str::to_string),
            };
            let created = service.create_campaign(&actor()?, input, london::today())?;
            if c.json.json { println!("{}", json(&created)) } else { print_campaign(&created) }
        }
        CampaignsCommand::List { page, json: j } => {
            let actor = actor()?;
            let slug = workspace_of(&actor, ws)?;
            let paging = crate::service::Paging::new(page.page, page.per_page)?;
            let result = service.list_campaigns(&actor, Some(&slug), paging)?;
            if j.json {
                println!("{}", json(&result));
                return Ok(());
            }
            let mut t = Table::new(&["ID", "PREFIX", "TITLE", "REGIME", "REQUESTS", "CREATED"]);
            for c in &result.items {
                t.row(vec![
                    c.id.to_string(),
                    c.reference_prefix.clone(),
                    cut(&c.title, 50),
                    c.regime.to_string(),
                    c.request_count.to_string(),
                    c.created_at.date_naive().to_string(),
                ]);
            }
            print!("{}", t.render());
        }
        CampaignsCommand::Show { id, as_of, json: j } => {
            let c = service.campaign(&actor()?, id, as_of.unwrap_or_else(london::today))?;
            if j.json { println!("{}", json(&c)) } else { print_campaign(&c) }
        }
        CampaignsCommand::Chasers { id, on, off, after } => {
            if !on && !off {
                anyhow::bail!("say --on or --off");
            }
            let actor = actor()?;
            service.set_chasers(&actor, id, on, after)?;
            let c = service.campaign(&actor, id, london::today())?.campaign;
            match c.chasers_enabled {
                true => println!(
                    "Campaign {id} chases bodies {} working days after a missed deadline.",
                    c.chase_after_working_days
                ),
                false => println!("Campaign {id} does not chase bodies."),
            }
        }
        CampaignsCommand::Watch { id, user } => {
            service.watch_campaign(&actor()?, id, &user, true)?;
            println!("{user} now receives the reminders of campaign {id}.");
        }
        CampaignsCommand::Unwatch { id, user } => {
            service.watch_campaign(&actor()?, id, &user, false)?;
            println!("{user} no longer receives the reminders of campaign {id}.");
        }
        CampaignsCommand::Send(send) => super::outbox::send_campaign(service, &actor()?, send)?,
        CampaignsCommand::LogSent { id, sent_at, channel, only, received_on, note, json: j } => {
            let input = BulkSentInput {
                sent_at,
                channel: Some(channel.parse()?),
                note,
                received_on,
                request_ids: only,
            };
            let s = service.log_campaign_sent(&actor()?, id, input)?;
            if j.json {
                println!("{}", json(&s));
                return Ok(());
            }
            println!("Logged {} request(s) as sent; {} skipped.", s.logged.len(), s.skipped.len());
            for k in &s.skipped {
                println!("  {} skipped: {}", safe(&k.reference), safe(&k.reason));
            }
        }
    }
    Ok(())
}

fn print_request(d: &RequestDetail) {
    let r = &d.request;
    println!("{} — {} ({})", safe(&r.reference), safe(&r.authority.name), safe(&opt(&r.authority.region)));
    println!("  status {} on {}; regime {}", r.status, d.as_of, r.regime);
    println!("  sent {} by {} to {}", opt(&r.sent_on), opt(&r.channel), safe(&opt(&r.sent_to)));
    println!(
        "  due {}, very overdue after {}, review due {}",
        opt(&r.due_on),
        opt(&r.very_overdue_on),
        opt(&r.review_due_on)
    );
    if let Some(reference) = &r.body_reference {
        println!("  their reference {}", safe(reference));
    }
    if let Some(failure) = &r.authority.email_failing {
        println!(
            "  the body's email address is failing: refused for good on {}: {}",
            failure.at.format("%Y-%m-%d %H:%M UTC"),
            safe(&failure.reason)
        );
    }
    println!("  subject: {}", safe(&r.subject));
    println!("timeline:");
    for e in &d.events {
        let retracted = e.retracted_by.map(|id| format!(" [retracted by event {id}]")).unwrap_or_default();
        let details = serde_json::to_string(&e.details).unwrap_or_default();
        let details = if details == "{}" { String::new() } else { format!(" {details}") };
        println!(
            "  #{} {} {}{}{} — {}",
            e.id,
            e.occurred_on,
            e.kind,
            safe(&details),
            retracted,
            safe(&e.recorded_by)
        );
        if let Some(note) = &e.note {
            println!("      {}", safe_text(note).replace('\n', "\n      "));
        }
    }
    if !d.outgoing.is_empty() {
        println!("outgoing:");
    }
    for m in &d.outgoing {
        let when = m
            .sent_at
            .map(|t| format!("sent {}", t.format("%Y-%m-%d %H:%M")))
            .unwrap_or_else(|| m.state.clone());
        println!("  {} to {} · {when} · {}", m.kind, safe(&m.to), safe(&m.subject));
    }
    if !d.incoming.is_empty() {
        println!("incoming:");
    }
    for m in &d.incoming {
        print_incoming(m);
    }
}

fn print_incoming(m: &crate::service::ingest::incoming::IncomingView) {
    let flag = if m.sender_mismatch { " [sent from another domain than the body's]" } else { "" };
    println!(
        "  message {} · {} · {} by {} from {}{flag}",
        m.id,
        m.received_at.format("%Y-%m-%d"),
        m.outcome,
        m.matched_by,
        safe(m.from.as_deref().unwrap_or("(no sender)"))
    );
    println!("      {}", safe(&m.subject));
    for a in &m.attachments {
        let name = safe(a.filename.as_deref().unwrap_or("(no name)"));
        match &a.extraction_error {
            Some(why) => println!("      attached {name}: {} ({})", a.extraction, safe(why)),
            None => println!("      attached {name}: {}, {} characters of text", a.extraction, a.text_chars),
        }
    }
    if let Some(s) = &m.suggestion {
        let place = match s.attachment.and_then(|i| m.attachments.get(i)) {
            Some(a) => safe(a.filename.as_deref().unwrap_or("an attachment")),
            None => "the message".into(),
        };
        println!(
            "      looks like {}: \"{}\" in {place}: {}",
            s.suggestion.classification,
            safe(&s.suggestion.phrase),
            safe(&s.suggestion.context)
        );
    }
}

fn requests(
    service: &Service,
    cmd: RequestsCommand,
    actor: impl Fn() -> anyhow::Result<Actor>,
    ws: Option<&str>,
) -> anyhow::Result<()> {
    let actor = actor()?;
    match cmd {
        RequestsCommand::List(l) => {
            let query = RequestQuery {
                workspace: Some(workspace_of(&actor, ws)?),
                campaign: l.campaign,
                authority: l.authority,
                region: l.region,
                status: l.status,
                overdue: Some(l.overdue),
                due_before: l.due_before,
                due_after: l.due_after,
                q: l.search,
                sort: l.sort,
                page: l.page.page,
                per_page: l.page.per_page,
                as_of: l.as_of,
            };
            let result = service.search_requests(&actor, &query)?;
            if l.json.json {
                println!("{}", json(&result));
                return Ok(());
            }
            let mut t = Table::new(&["ID", "REFERENCE", "BODY", "REGION", "STATUS", "SENT", "DUE"]);
            for r in &result.items {
                t.row(vec![
                    r.id.to_string(),
                    r.reference.clone(),
                    cut(&r.authority.name, 45),
                    opt(&r.authority.region),
                    r.status.to_string(),
                    opt(&r.sent_on),
                    opt(&r.due_on),
                ]);
            }
            print!("{}", t.render());
            println!("{} of {} (page {}).", result.items.len(), result.total, result.page);
        }
        RequestsCommand::Show { request, as_of, json: j } => {
            let id = service.find_request_id(&actor, &request)?;
            let d = service.request(&actor, id, as_of.unwrap_or_else(london::today))?;
            if j.json { println!("{}", json(&d)) } else { print_request(&d) }
        }
        RequestsCommand::LogSent { request, sent_at, channel, address, received_on, note, json: j } => {
            let id = service.find_request_id(&actor, &request)?;
            let input = LogSentInput { sent_at, channel: Some(channel.parse()?), address, received_on, note };
            let e = service.log_sent(&actor, id, input)?;
            if j.json {
                println!("{}", json(&e))
            } else {
                println!("Logged {request} as sent on {} (event {}).", e.occurred_on, e.id)
            }
        }
        RequestsCommand::Deadline { request, as_of, json: j } => {
            let id = service.find_request_id(&actor, &request)?;
            let view = service.request_deadline(&actor, id, as_of.unwrap_or_else(london::today))?;
            super::deadlines::print_request_clock(&view, j.json);
        }
        RequestsCommand::Event(ev) => {
            let id = service.find_request_id(&actor, &ev.request)?;
            let input = EventInput {
                kind: ev.kind.parse()?,
                occurred_on: ev.on,
                note: ev.note,
                body_reference: ev.body_reference,
                outcome: ev.outcome.as_deref().map(str::parse).transpose()?,
                exemptions: ev.exemptions,
                new_due_on: ev.new_due_on,
                retracts: ev.retracts,
            };
            let e = service.record_event(&actor, id, input)?;
            if ev.json.json {
                println!("{}", json(&e));
            } else {
                let d = service.request(&actor, id, london::today())?;
                println!(
                    "Recorded {} on {} (event {}); {} is now {}, due {}.",
                    e.kind,
                    e.occurred_on,
                    e.id,
                    safe(&d.request.reference),
                    d.request.status,
                    opt(&d.request.due_on)
                );
            }
        }
        RequestsCommand::Classify(c) => {
            let id = service.find_request_id(&actor, &c.request)?;
            let input = ClassifyInput {
                classification: c.classification.parse()?,
                occurred_on: c.on,
                exemptions: c.exemptions,
                new_due_on: c.new_due_on,
                note: c.note,
            };
            let done = service.classify_reply(&actor, id, c.message, input)?;
            if c.json.json {
                println!("{}", json(&done));
            } else {
                let d = service.request(&actor, id, london::today())?;
                let recorded = match &done.event {
                    Some(e) => format!("recorded {} on {} (event {})", e.kind, e.occurred_on, e.id),
                    None => "nothing recorded on the timeline".to_string(),
                };
                println!(
                    "Message {} is {}: {recorded}; {} is now {}.",
                    done.message,
                    done.classification,
                    safe(&d.request.reference),
                    d.request.status
                );
            }
        }
    }
    Ok(())
}

fn users(service: &Service, cmd: UserCommand, ws: Option<&str>) -> anyhow::Result<()> {
    match cmd {
        UserCommand::Add { email, name, role, json: j } => {
            let created = service.add_user(None, &email, &name, role.parse()?, ws)?;
            if j.json {
                println!("{}", json(&created));
            } else {
                println!(
                    "Added {} ({}) as {}.",
                    safe(&created.user.name),
                    safe(&created.user.email),
                    created.user.role
                );
                println!("API token (shown once; keep it secret): {}", created.token.token);
                println!(
                    "Use it as: curl -H 'Authorization: Bearer {}' http://127.0.0.1:8080/api/v1/me",
                    created.token.token
                );
            }
        }
        UserCommand::List { json: j } => {
            let list = service.list_users(None)?;
            if j.json {
                println!("{}", json(&list));
                return Ok(());
            }
            let mut t = Table::new(&["ID", "EMAIL", "NAME", "ROLE"]);
            for u in &list {
                t.row(vec![u.id.to_string(), u.email.clone(), u.name.clone(), u.role.to_string()]);
            }
            print!("{}", t.render());
        }
        UserCommand::Password { email } => {
            let password = super::password::read(&format!("New password for {}: ", safe(&email)))?;
            service.set_password(None, &email, &password)?;
            println!("Set the password of {}; they can sign in to the web pages now.", safe(&email));
        }
    }
    Ok(())
}

fn tokens(service: &Service, cmd: TokenCommand, workspace: Option<&str>) -> anyhow::Result<()> {
    match cmd {
        TokenCommand::Create { user, label, ingest, json: j } => {
            let rights = if ingest {
                TokenRights::Ingest { workspace: workspace.map(str::to_string) }
            } else {
                TokenRights::Full
            };
            let token = service.create_token(None, Some(&user), label.as_deref(), &rights)?;
            if j.json {
                println!("{}", json(&token));
            } else {
                println!("Token {} for {} (shown once; keep it secret):", token.id, safe(&token.user_email));
                println!("{}", token.token);
            }
        }
        TokenCommand::Revoke { id } => {
            service.revoke_token(None, id)?;
            println!("Token {id} is revoked.");
        }
    }
    Ok(())
}
