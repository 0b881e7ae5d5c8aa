//! The one place that turns [`Settings`] into a running application: the store (migrated), the
//! service with its mail, reminder and template configuration, and the mail transport. `serve`,
//! every command line command and the tests' `spawn_app` go through [`App::build`], so the tests
//! run the wiring production runs.

use std::net::TcpListener;
use std::time::Duration;

use crate::config::Settings;
use crate::mail::{MailTarget, Mailer};
use crate::service::outbox::MailConfig;
use crate::service::reminders::ReminderConfig;
use crate::service::{Service, ServiceError};
use crate::store::Db;

/// The application, built from settings and ready to use.
#[derive(Clone)]
pub struct App {
    settings: Settings,
    service: Service,
}

impl App {
    /// Connects to the configured database, applies pending migrations, runs the startup steps
    /// and builds the service.
    pub fn build(settings: Settings) -> anyhow::Result<Self> {
        // Settings are checked before the database is touched, migrations included.
        let raw_files = settings.inbound.raw_files()?;
        let db = connect(&settings, true)?;
        let service = Service::new(db, settings.custom_regimes()?)?
            .with_mail(mail_config(&settings)?)
            .with_reminders(reminder_config(&settings))
            .with_extractor(settings.extraction.extractor())
            .with_raw_files(raw_files)
            .with_templates(crate::mail::templates::Templates::load(Some(std::path::Path::new(
                &settings.mail.templates_dir,
            )))?);
        let app = Self { settings, service };
        app.startup()?;
        Ok(app)
    }

    /// Work every instance does once, after the migrations and before serving anything.
    fn startup(&self) -> anyhow::Result<()> {
        // Deadlines stored under an older build's bank holidays are brought up to date once.
        self.service.refresh_holiday_rules()?;
        Ok(())
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn service(&self) -> &Service {
        &self.service
    }

    /// The configured mail transport. Built on demand rather than in [`App::build`]: a file
    /// transport creates its directory, which a command that sends nothing must not do.
    pub fn mailer(&self) -> anyhow::Result<Mailer> {
        let mail = &self.settings.mail;
        let target = MailTarget::parse(&mail.url)?;
        Ok(Mailer::new(target, Duration::from_secs(mail.timeout_seconds))?)
    }

    /// The HTTP server over the service, on an already bound listener (port 0 in tests),
    /// unstarted.
    pub fn http_server(&self, listener: TcpListener) -> std::io::Result<actix_web::dev::Server> {
        crate::http::server(
            self.service.clone(),
            listener,
            &self.settings.server,
            self.settings.database.pool_size,
        )
    }
}

/// The configured database, migrated when `migrate` is true (`foitrack migrate` connects without
/// migrating, to report what it applies).
pub fn connect(settings: &Settings, migrate: bool) -> Result<Db, ServiceError> {
    let db = &settings.database;
    let open = if migrate { Db::open } else { Db::connect };
    Ok(open(&db.url, db.pool_size, db.busy_timeout())?)
}

fn mail_config(settings: &Settings) -> anyhow::Result<MailConfig> {
    let m = &settings.mail;
    let address = m
        .from_address
        .parse()
        .map_err(|e| anyhow::anyhow!("mail.from_address \"{}\": {e}", m.from_address))?;
    Ok(MailConfig {
        // lettre quotes the display name where it needs it ("Cambridge, FOI study").
        from: lettre::message::Mailbox::new(
            Some(m.from_name.clone()).filter(|n| !n.trim().is_empty()),
            address,
        )
        .to_string(),
        reply_domain: m.reply_domain.clone(),
        reply_secret: m.reply_secret.clone(),
        send_interval: Duration::from_secs(m.send_interval_seconds),
        max_attempts: m.max_attempts,
        first_retry: Duration::from_secs(m.first_retry_seconds),
        lease: Duration::from_secs(m.lease_seconds),
        site_url: settings.server.site_url(),
    })
}

fn reminder_config(settings: &Settings) -> ReminderConfig {
    ReminderConfig {
        due_soon_working_days: settings.reminders.due_soon_working_days,
        clarification_days: settings.reminders.clarification_days,
    }
}

/// Sends log lines to stderr for every command, at `log.level` unless `RUST_LOG` says otherwise.
/// Only the first call in a process takes effect.
pub fn init_logging(level: &str) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}
