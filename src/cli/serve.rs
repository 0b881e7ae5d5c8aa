//! `foitrack serve`: the web service.

use std::net::TcpListener;

use anyhow::Context;

use crate::app::App;

pub fn serve(app: &App) -> anyhow::Result<()> {
    let (settings, service) = (app.settings(), app.service());
    for warning in service.warnings(crate::domain::london::today())? {
        eprintln!("Warning: {warning}");
    }
    if service.needs_first_user()? {
        eprintln!(
            "\nNo user exists yet. In another terminal, in this directory, create the first administrator \
             and their API token:\n\n    foitrack user add --email you@example.org --name \"Your Name\" --role admin\n\n\
             (from a source checkout: cargo run --release -- user add --email you@example.org --role admin)\n"
        );
    }
    let listener = TcpListener::bind(&settings.server.listen).with_context(|| {
        format!("cannot listen on {} (is another program using that port?)", settings.server.listen)
    })?;
    let address = listener.local_addr()?;
    let mailer = app.mailer()?;
    eprintln!("Outgoing mail goes to {}.", mailer.target().describe());
    if matches!(mailer.target(), crate::mail::MailTarget::Smtp(_))
        && settings.mail.reply_domain == "localhost"
    {
        eprintln!(
            "Warning: mail.reply_domain is still \"localhost\", so bodies cannot reply to the reply address. \
             Set it to a domain whose mail reaches you."
        );
    }
    let r = &settings.reminders;
    let daily = if r.enabled {
        let (hour, minute) = r.at()?;
        eprintln!("Reminders go out daily at {} ({}).", r.time, r.zone);
        Some(crate::jobs::DailyAt { hour, minute, london: r.london()? })
    } else {
        None
    };
    let _worker = crate::jobs::Worker::start(
        service.clone(),
        mailer,
        format!("serve-{}-{}", std::process::id(), crate::service::outbox::random_tag()),
        daily,
    );
    let _poller = match settings.imap.target()? {
        Some(target) => {
            // Said now, not only in the log: each poll tries again, once the fault is mended.
            if let Err(e) = crate::jobs::mailbox::Delivery::of(service, &settings.imap) {
                eprintln!("Warning: replies cannot be taken from the mailbox yet: {e}");
            }
            eprintln!(
                "Replies are taken from {} every {} seconds.",
                target.describe(),
                settings.imap.interval_seconds
            );
            Some(crate::jobs::mailbox::Poller::start(service.clone(), settings.imap.clone(), target)?)
        }
        None => None,
    };
    let server = app.http_server(listener)?;
    eprintln!(
        "foitrack is running at http://{address} with the database {}. Press Ctrl-C to stop.",
        crate::store::Target::redacted(&settings.database.url)
    );
    actix_web::rt::System::new().block_on(server)?;
    Ok(())
}
