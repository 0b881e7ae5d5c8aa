//! Layered configuration: the documented defaults in `config/default.toml` (compiled in), then a
//! local file, then `FOITRACK__SECTION__KEY` environment variables.

use std::path::Path;
use std::time::Duration;

use std::collections::BTreeMap;

use config::{Config, Environment, File, FileFormat};
use serde::Deserialize;

use crate::domain::holidays::Division;
use crate::domain::regime::RegimeRules;

pub const DEFAULTS: &str = include_str!("../config/default.toml");

/// Read when present and no `--config` is given.
pub const LOCAL_FILE: &str = "foitrack.toml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub log: LogSettings,
    pub mail: MailSettings,
    pub reminders: ReminderSettings,
    pub holidays: HolidaySettings,
    pub extraction: ExtractionSettings,
    pub imap: ImapSettings,
    pub inbound: InboundSettings,
    /// Regimes beyond the built-in foia, eir, foisa and eisr, by name.
    #[serde(default)]
    pub regimes: BTreeMap<String, CustomRegime>,
}

/// A regime for another jurisdiction or kind of body: a built-in regime with some numbers or the
/// calendar changed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomRegime {
    pub based_on: String,
    pub description: Option<String>,
    pub divisions: Option<Vec<Division>>,
    pub response_days: Option<u32>,
    pub very_overdue_days: Option<u32>,
    pub review_days: Option<u32>,
    pub review_limit_days: Option<u32>,
    pub calendar_days: Option<bool>,
    pub post_receipt_days: Option<u32>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub listen: String,
    pub json_limit_bytes: usize,
    pub upload_limit_bytes: usize,
    pub workers: usize,
    /// Imports that may run at once; the next waits for one to end.
    pub concurrent_imports: usize,
    /// How long an import waits for its turn before it is refused with `429`.
    pub import_wait_seconds: u64,
    /// Whether the web pages' session cookie is sent over HTTPS only.
    pub secure_cookies: bool,
    /// Where people open foitrack; empty for `http://` and the listen address.
    pub public_url: String,
}

impl ServerSettings {
    /// The start of every link foitrack mails, without a trailing slash.
    pub fn site_url(&self) -> String {
        match self.public_url.trim() {
            "" => format!("http://{}", self.listen),
            url => url.trim_end_matches('/').to_string(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    pub url: String,
    pub pool_size: u32,
    pub busy_timeout_ms: u64,
}

impl DatabaseSettings {
    pub fn busy_timeout(&self) -> Duration {
        Duration::from_millis(self.busy_timeout_ms)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailSettings {
    pub url: String,
    pub from_address: String,
    pub from_name: String,
    pub reply_domain: String,
    pub templates_dir: String,
    pub reply_secret: String,
    pub send_interval_seconds: u64,
    pub max_attempts: u32,
    pub timeout_seconds: u64,
    pub first_retry_seconds: u64,
    pub lease_seconds: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReminderSettings {
    pub enabled: bool,
    pub time: String,
    pub zone: String,
    pub due_soon_working_days: u32,
    pub clarification_days: i64,
}

impl ReminderSettings {
    /// The configured time of day, as (hour, minute).
    pub fn at(&self) -> Result<(u32, u32), ConfigError> {
        let bad =
            || ConfigError(format!("reminders.time: \"{}\" is not a time of day such as 07:00", self.time));
        let (h, m) = self.time.trim().split_once(':').ok_or_else(bad)?;
        let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        if h < 24 && m < 60 { Ok((h, m)) } else { Err(bad()) }
    }

    /// Whether times are London local time (else UTC).
    pub fn london(&self) -> Result<bool, ConfigError> {
        match self.zone.trim() {
            "Europe/London" => Ok(true),
            "UTC" => Ok(false),
            other => Err(ConfigError(format!(
                "reminders.zone: \"{other}\" is not supported; use Europe/London or UTC"
            ))),
        }
    }
}

/// `foitrack holidays update`: where the gov.uk feed is downloaded from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HolidaySettings {
    pub feed_url: String,
    pub timeout_seconds: u64,
}

/// How attachments' text is read: in a child process of foitrack, within these limits.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtractionSettings {
    pub cpu_seconds: u64,
    pub wall_seconds: u64,
    pub memory_mb: u64,
    /// The foitrack program the children run; empty for this one.
    pub program: String,
}

impl ExtractionSettings {
    pub fn extractor(&self) -> crate::extract::child::Extractor {
        use crate::extract::child::{Extractor, Limits};
        let limits = Limits {
            cpu_seconds: self.cpu_seconds,
            wall_seconds: self.wall_seconds,
            memory_mb: self.memory_mb,
        };
        match self.program.trim() {
            "" => Extractor::this_program(limits),
            program => Extractor::new(program.into(), limits),
        }
    }
}

/// Where incoming mail is kept.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InboundSettings {
    /// A directory for raw messages, one file each; empty: in the database.
    pub raw_directory: String,
}

impl InboundSettings {
    /// The raw message directory, checked (the first message kept makes it); `None` when
    /// messages stay in the database.
    pub fn raw_files(&self) -> Result<Option<crate::store::raw_files::RawFiles>, ConfigError> {
        match self.raw_directory.trim() {
            "" => Ok(None),
            dir => crate::store::raw_files::RawFiles::open(dir)
                .map(Some)
                .map_err(|e| ConfigError(format!("inbound.raw_directory: {e}"))),
        }
    }
}

/// A mailbox `serve` polls for replies. Its URL holds a password, so its `Debug` hides it.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImapSettings {
    /// `imaps://USER:PASSWORD@HOST/FOLDER`; empty: no polling.
    pub url: String,
    pub interval_seconds: u64,
    /// How long connecting, and each read and write, may take.
    pub timeout_seconds: u64,
    /// A certificate authority's PEM file to trust besides the system's; empty: the system's only.
    pub ca_file: String,
    /// Where stored messages are moved; empty: they stay, flagged.
    pub processed_folder: String,
    /// The workspace whose holding pen unmatched mail waits in; empty: the site-wide pen.
    pub workspace: String,
    /// The site administrator the mail is recorded as delivered by; empty: the first one.
    pub deliver_as: String,
}

impl std::fmt::Debug for ImapSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let url = match self.target() {
            Ok(Some(t)) => t.describe(),
            Ok(None) => String::new(),
            Err(_) => "(not a valid URL)".into(),
        };
        f.debug_struct("ImapSettings")
            .field("url", &url)
            .field("interval_seconds", &self.interval_seconds)
            .field("timeout_seconds", &self.timeout_seconds)
            .field("ca_file", &self.ca_file)
            .field("processed_folder", &self.processed_folder)
            .field("workspace", &self.workspace)
            .field("deliver_as", &self.deliver_as)
            .finish()
    }
}

impl ImapSettings {
    /// The mailbox to poll, if one is set.
    pub fn target(&self) -> Result<Option<crate::mail::imap::ImapTarget>, ConfigError> {
        match self.url.trim() {
            "" => Ok(None),
            url => {
                let target =
                    crate::mail::imap::ImapTarget::parse(url).map_err(|e| ConfigError(e.to_string()))?;
                let ca_file: Option<std::path::PathBuf> =
                    Some(self.ca_file.trim()).filter(|f| !f.is_empty()).map(Into::into);
                // Said at start, not at the first poll; its certificates are read at each poll.
                if let Some(file) = &ca_file
                    && let Err(e) = std::fs::File::open(file)
                {
                    return Err(ConfigError(format!("imap.ca_file: {} cannot be read: {e}", file.display())));
                }
                Ok(Some(target.with_connection(Duration::from_secs(self.timeout_seconds), ca_file)))
            }
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub level: String,
}

#[derive(Debug, thiserror::Error)]
#[error("the configuration cannot be used: {0}")]
pub struct ConfigError(String);

impl Settings {
    /// Loads the defaults, then `file` (or `foitrack.toml` if it exists), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        Self::load_with(file, None)
    }

    /// As [`Settings::load`], with a database URL from the command line taking precedence.
    pub fn load_with(file: Option<&Path>, database_url: Option<&str>) -> Result<Self, ConfigError> {
        let mut builder = Config::builder().add_source(File::from_str(DEFAULTS, FileFormat::Toml));
        match file {
            Some(path) => {
                if !path.exists() {
                    return Err(ConfigError(format!("the file {} does not exist", path.display())));
                }
                builder = builder.add_source(File::from(path).format(FileFormat::Toml));
            }
            None if Path::new(LOCAL_FILE).exists() => {
                builder = builder.add_source(File::with_name(LOCAL_FILE).format(FileFormat::Toml));
            }
            None => {}
        }
        builder = builder.add_source(
            Environment::with_prefix("FOITRACK").prefix_separator("__").separator("__").try_parsing(true),
        );
        if let Some(url) = database_url {
            builder = builder.set_override("database.url", url).map_err(|e| ConfigError(e.to_string()))?;
        }
        let settings: Settings =
            builder.build().and_then(|c| c.try_deserialize()).map_err(|e| ConfigError(e.to_string()))?;
        settings.check()?;
        Ok(settings)
    }

    /// The configured regimes as rules, each completed from the built-in regime it is based on.
    pub fn custom_regimes(&self) -> Result<Vec<RegimeRules>, ConfigError> {
        self.regimes
            .iter()
            .map(|(name, c)| {
                let base = RegimeRules::builtin()
                    .into_iter()
                    .find(|r| r.name == c.based_on.trim().to_ascii_lowercase())
                    .ok_or_else(|| {
                        ConfigError(format!(
                            "regimes.{name}.based_on: \"{}\" is not foia, eir, foisa or eisr",
                            c.based_on
                        ))
                    })?;
                Ok(RegimeRules {
                    name: name.clone(),
                    description: c
                        .description
                        .clone()
                        .unwrap_or_else(|| format!("{} (as {name})", base.description)),
                    divisions: c.divisions.clone().unwrap_or(base.divisions.clone()),
                    response_days: c.response_days.unwrap_or(base.response_days),
                    very_overdue_days: c.very_overdue_days.unwrap_or(base.very_overdue_days),
                    review_days: c.review_days.unwrap_or(base.review_days),
                    review_limit_days: c.review_limit_days.or(base.review_limit_days),
                    calendar_days: c.calendar_days.unwrap_or(base.calendar_days),
                    post_receipt_days: c.post_receipt_days.unwrap_or(base.post_receipt_days),
                    extension: base.extension,
                })
            })
            .collect()
    }

    fn check(&self) -> Result<(), ConfigError> {
        if self.database.pool_size == 0 {
            return Err(ConfigError("database.pool_size must be at least 1".into()));
        }
        if self.server.concurrent_imports == 0 {
            return Err(ConfigError("server.concurrent_imports must be at least 1".into()));
        }
        crate::store::Target::parse(&self.database.url)
            .map_err(|e| ConfigError(format!("database.url: {e}")))?;
        crate::mail::MailTarget::parse(&self.mail.url).map_err(|e| ConfigError(format!("mail.url: {e}")))?;
        self.reminders.at()?;
        self.reminders.london()?;
        self.mail
            .from_address
            .parse::<lettre::Address>()
            .map_err(|e| ConfigError(format!("mail.from_address \"{}\": {e}", self.mail.from_address)))?;
        let site = self.server.public_url.trim();
        if !(site.is_empty() || site.starts_with("https://") || site.starts_with("http://")) {
            return Err(ConfigError(format!(
                "server.public_url \"{site}\" must start with https:// (or http://), as in https://foi.example.org"
            )));
        }
        if self.mail.lease_seconds == 0 {
            return Err(ConfigError("mail.lease_seconds must be at least 1".into()));
        }
        if self.mail.max_attempts == 0 {
            return Err(ConfigError("mail.max_attempts must be at least 1".into()));
        }
        self.imap.target()?;
        if self.imap.interval_seconds == 0 {
            return Err(ConfigError("imap.interval_seconds must be at least 1".into()));
        }
        if self.imap.timeout_seconds == 0 {
            return Err(ConfigError("imap.timeout_seconds must be at least 1".into()));
        }
        let x = &self.extraction;
        if x.cpu_seconds == 0 || x.wall_seconds == 0 {
            return Err(ConfigError(
                "extraction.cpu_seconds and extraction.wall_seconds must be at least 1".into(),
            ));
        }
        if x.memory_mb < crate::extract::child::MIN_MEMORY_MB {
            return Err(ConfigError(format!(
                "extraction.memory_mb must be at least {}: foitrack itself needs that much to start",
                crate::extract::child::MIN_MEMORY_MB
            )));
        }
        let custom = self.custom_regimes()?;
        crate::domain::regime::Regimes::new(&crate::domain::holidays::HolidayData::bundled(), &custom)
            .map_err(|e| ConfigError(format!("regimes: {e}")))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_load_and_describe_the_embedded_setup() {
        let s = Settings::load(None).unwrap();
        assert_eq!(s.server.listen, "127.0.0.1:8080");
        assert_eq!(s.database.url, "sqlite://foitrack.db");
        assert_eq!(s.database.pool_size, 8);
    }

    #[test]
    fn a_file_overrides_the_defaults_and_unknown_keys_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.toml");
        std::fs::write(&good, "[database]\nurl = \"postgres://u@h/db\"\n").unwrap();
        assert_eq!(Settings::load(Some(&good)).unwrap().database.url, "postgres://u@h/db");
        let bad = dir.path().join("bad.toml");
        std::fs::write(&bad, "[database]\nulr = \"x\"\n").unwrap();
        let err = Settings::load(Some(&bad)).unwrap_err().to_string();
        assert!(err.contains("ulr"), "{err}");
        assert!(Settings::load(Some(&dir.path().join("missing.toml"))).is_err());
    }

    #[test]
    fn custom_regimes_are_completed_from_their_base() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("r.toml");
        std::fs::write(
            &file,
            "[regimes.schools]\nbased_on = \"foia\"\nvery_overdue_days = 60\n\n\
             [regimes.days30]\nbased_on = \"foia\"\ncalendar_days = true\nresponse_days = 30\nvery_overdue_days = 60\ndivisions = [\"england-and-wales\"]\n",
        )
        .unwrap();
        let settings = Settings::load(Some(&file)).unwrap();
        let rules = settings.custom_regimes().unwrap();
        let schools = rules.iter().find(|r| r.name == "schools").unwrap();
        assert_eq!((schools.response_days, schools.very_overdue_days), (20, 60));
        assert_eq!(schools.divisions.len(), 3);
        let days30 = rules.iter().find(|r| r.name == "days30").unwrap();
        assert!(days30.calendar_days);
        assert_eq!(days30.divisions, vec![Division::EnglandAndWales]);

        std::fs::write(&file, "[regimes.x]\nbased_on = \"gdpr\"\n").unwrap();
        assert!(Settings::load(Some(&file)).unwrap_err().to_string().contains("regimes.x.based_on"));
        std::fs::write(&file, "[regimes.x]\nbased_on = \"foia\"\nresponse_days = 50\n").unwrap();
        assert!(Settings::load(Some(&file)).unwrap_err().to_string().contains("very_overdue_days"));
    }
}
