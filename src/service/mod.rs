//! The service layer: one function per use case, called by both the HTTP API and the CLI.
//! Functions here are blocking (diesel); the HTTP adapter runs them on actix's blocking pool.

use std::sync::{Arc, RwLock};

use chrono::{NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::holidays::HolidayData;
use crate::domain::regime::{Regime, RegimeRules, Regimes};
use crate::domain::vocab::Role;
use crate::store::{Db, Fault, StoreError};

mod access;
pub mod accounts;
pub mod agreement;
pub mod authorities;
pub mod authority_import;
pub mod campaigns;
pub mod codebook_exchange;
pub mod codebooks;
pub mod codings;
pub mod contacts;
mod convert;
pub mod csv_out;
pub mod dashboard;
pub mod deadlines;
pub mod delivery;
pub mod ingest;
pub mod outbox;
pub mod password_reset;
pub mod reminders;
pub mod report;
pub mod requests;
pub mod search;
pub mod sign_in;
pub mod text;
pub mod timeline;
pub mod users;
pub mod views;
pub mod workspaces;

/// One field that failed validation, for the problem response's `errors` list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

/// The cause behind an error, kept so that logs and the command line can show the whole chain.
pub type Cause = Box<dyn std::error::Error + Send + Sync>;

/// Every way a use case can fail. Each variant maps to one HTTP status and one CLI exit code,
/// and each message is written for the researcher reading it. Faults that are not the input's
/// keep their cause as the error's `source`: the message says what foitrack was doing, the
/// source says what went wrong beneath it.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("{0}")]
    NotFound(String),
    #[error("{detail}")]
    Invalid { detail: String, fields: Vec<FieldError> },
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    /// The database (or another service we need) cannot be used right now; trying again may work.
    #[error("{detail}")]
    Unavailable {
        detail: String,
        #[source]
        source: Option<Cause>,
    },
    /// A fault of ours, not of the input: logged in full, reported vaguely.
    #[error("{context}")]
    Internal {
        context: String,
        #[source]
        source: Option<Cause>,
    },
}

impl ServiceError {
    pub fn invalid(detail: impl Into<String>) -> Self {
        Self::Invalid { detail: detail.into(), fields: Vec::new() }
    }

    pub fn invalid_fields(fields: Vec<FieldError>) -> Self {
        let detail =
            fields.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join("; ");
        Self::Invalid { detail, fields }
    }

    /// A fault of ours with nothing beneath it (stored data contradicting itself).
    pub fn internal(context: impl Into<String>) -> Self {
        Self::Internal { context: context.into(), source: None }
    }

    /// A fault of ours while doing `context`, caused by `source`.
    pub fn internal_from(context: impl Into<String>, source: impl Into<Cause>) -> Self {
        Self::Internal { context: context.into(), source: Some(source.into()) }
    }

    pub fn unavailable(detail: impl Into<String>, source: Option<Cause>) -> Self {
        Self::Unavailable { detail: detail.into(), source }
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(cause) => {
                ServiceError::unavailable("The database cannot be reached", Some(cause))
            }
            StoreError::Query(q) => q.into(),
            bad @ StoreError::BadUrl(_) => ServiceError::invalid(bad.to_string()),
            StoreError::Migration(cause) => {
                ServiceError::internal_from("The database could not be brought up to date", cause)
            }
        }
    }
}

impl From<diesel::result::Error> for ServiceError {
    fn from(e: diesel::result::Error) -> Self {
        match crate::store::classify(&e) {
            Fault::Duplicate => ServiceError::Conflict(format!("That would create a duplicate: {e}")),
            Fault::Busy => ServiceError::unavailable(
                "The database is busy with another change; please try again in a moment.",
                Some(e.into()),
            ),
            Fault::Other => ServiceError::internal_from("A database query failed", e),
        }
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;

/// Refuses text fields holding the NUL character, which PostgreSQL cannot store, so that both
/// databases accept exactly the same input (filters; fields with a shape use [`text::check`]).
pub(crate) use text::check_nul as check_text;

/// Who is acting: the holder of an API token, or the local operator at the command line, with
/// the workspaces they belong to (read once per call, so that a membership ended takes effect at
/// the next one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Actor {
    pub user_id: i64,
    pub email: String,
    /// The site role: `admin` administers users and workspaces; any other role grants nothing
    /// beyond the user's memberships.
    pub role: Role,
    /// The workspaces the user belongs to, by slug, with their role in each.
    pub workspaces: Vec<workspaces::Membership>,
}

impl Actor {
    /// Someone the service acts for by itself (a delivery recorded on a timeline), with no
    /// memberships: it can be named as the recorder, never checked for rights.
    pub(crate) fn system(user_id: i64) -> Self {
        Self { user_id, email: String::new(), role: Role::Viewer, workspaces: Vec::new() }
    }

    /// A site-wide right (users, workspaces, holidays, reminders): site administrators only.
    pub fn require(&self, allowed: bool, what: &str) -> ServiceResult<()> {
        if allowed {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(format!("Your role ({}) does not allow you to {what}.", self.role)))
        }
    }
}

/// Page requests: 1-based page numbers, at most [`MAX_PER_PAGE`] items a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub page: u32,
    pub per_page: u32,
}

pub const MAX_PER_PAGE: u32 = 500;
pub const DEFAULT_PER_PAGE: u32 = 50;

impl Paging {
    pub fn new(page: Option<u32>, per_page: Option<u32>) -> ServiceResult<Self> {
        let page = page.unwrap_or(1);
        let per_page = per_page.unwrap_or(DEFAULT_PER_PAGE);
        let mut errors = Vec::new();
        if page == 0 {
            errors.push(FieldError::new("page", "pages are numbered from 1"));
        }
        if per_page == 0 || per_page > MAX_PER_PAGE {
            errors.push(FieldError::new("per_page", format!("must be between 1 and {MAX_PER_PAGE}")));
        }
        if errors.is_empty() {
            Ok(Self { page, per_page })
        } else {
            Err(ServiceError::invalid_fields(errors))
        }
    }

    pub fn limit(&self) -> i64 {
        i64::from(self.per_page)
    }

    pub fn offset(&self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }
}

impl Default for Paging {
    fn default() -> Self {
        Self { page: 1, per_page: DEFAULT_PER_PAGE }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// The deadline rules in force: the bank holiday data (the bundled feed, or the newest
/// imported file) and the regimes built on it.
struct Rules {
    /// The `holiday_files` row in force; 0 for the bundled feed.
    file_id: i64,
    regimes: Arc<Regimes>,
    /// The last year the holiday data lists for every division.
    data_ends: i32,
}

/// The application: the database and the deadline rules, shared by every adapter.
#[derive(Clone)]
pub struct Service {
    db: Db,
    custom_regimes: Arc<Vec<RegimeRules>>,
    rules: Arc<RwLock<Rules>>,
    mail: Arc<outbox::MailConfig>,
    reminders: Arc<reminders::ReminderConfig>,
    templates: Arc<crate::mail::templates::Templates>,
    extractor: Arc<crate::extract::child::Extractor>,
    /// Where raw incoming messages are kept as files; `None`: in the database.
    raw_files: Option<Arc<crate::store::raw_files::RawFiles>>,
}

impl Service {
    /// The service over `db`, with the built-in regimes and `custom_regimes`, on the newest
    /// holiday file imported into the database (or the bundled feed).
    pub fn new(db: Db, custom_regimes: Vec<RegimeRules>) -> ServiceResult<Self> {
        let bundled = HolidayData::bundled();
        let regimes =
            Regimes::new(&bundled, &custom_regimes).map_err(|e| ServiceError::invalid(e.to_string()))?;
        let service = Self {
            db,
            custom_regimes: Arc::new(custom_regimes),
            rules: Arc::new(RwLock::new(Rules {
                file_id: 0,
                regimes: Arc::new(regimes),
                data_ends: bundled.last_year(),
            })),
            mail: Arc::new(outbox::MailConfig::default()),
            reminders: Arc::new(reminders::ReminderConfig::default()),
            templates: Arc::new(crate::mail::templates::Templates::builtin()),
            extractor: Arc::new(crate::extract::child::Extractor::this_program(Default::default())),
            raw_files: None,
        };
        service.regimes()?;
        Ok(service)
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The same service, addressing and pacing mail as `mail` says.
    pub fn with_mail(mut self, mail: outbox::MailConfig) -> Self {
        self.mail = Arc::new(mail);
        self
    }

    pub fn mail(&self) -> &outbox::MailConfig {
        &self.mail
    }

    /// The same service, reminding as `config` says.
    pub fn with_reminders(mut self, config: reminders::ReminderConfig) -> Self {
        self.reminders = Arc::new(config);
        self
    }

    pub fn reminders(&self) -> &reminders::ReminderConfig {
        &self.reminders
    }

    /// The same service, writing chasers from `templates`.
    pub fn with_templates(mut self, templates: crate::mail::templates::Templates) -> Self {
        self.templates = Arc::new(templates);
        self
    }

    pub fn templates(&self) -> &crate::mail::templates::Templates {
        &self.templates
    }

    /// The same service, reading attachments' text with `extractor`.
    pub fn with_extractor(mut self, extractor: crate::extract::child::Extractor) -> Self {
        self.extractor = Arc::new(extractor);
        self
    }

    pub fn extractor(&self) -> &crate::extract::child::Extractor {
        &self.extractor
    }

    /// The same service, keeping raw incoming messages as files under `files` instead of in
    /// the database.
    pub fn with_raw_files(mut self, files: Option<crate::store::raw_files::RawFiles>) -> Self {
        self.raw_files = files.map(Arc::new);
        self
    }

    pub fn raw_files(&self) -> Option<&crate::store::raw_files::RawFiles> {
        self.raw_files.as_deref()
    }

    /// The regimes in force. Another instance may have imported holidays since we last looked,
    /// so this checks the database's newest holiday file (one indexed lookup) and reloads.
    pub fn regimes(&self) -> ServiceResult<Arc<Regimes>> {
        self.regimes_on(&mut *self.db.conn()?)
    }

    /// As [`Service::regimes`], reading through `conn`: inside a write transaction, after the
    /// rows it changes are locked, this sees any holiday import that committed first.
    pub(crate) fn regimes_on(&self, conn: &mut crate::store::AnyConnection) -> ServiceResult<Arc<Regimes>> {
        let newest = crate::store::holidays::current_id(conn)?;
        {
            let rules = self.rules.read().expect("rules lock");
            if rules.file_id == newest {
                return Ok(rules.regimes.clone());
            }
        }
        let file = crate::store::holidays::current(conn)?;
        let (file_id, data) = match file {
            Some(f) => (
                f.id,
                HolidayData::from_gov_uk_json(&f.content).map_err(|e| {
                    ServiceError::internal_from(format!("The stored holiday file {} cannot be read", f.id), e)
                })?,
            ),
            None => (0, HolidayData::bundled()),
        };
        let regimes = Arc::new(self.build_regimes(&data)?);
        *self.rules.write().expect("rules lock") =
            Rules { file_id, regimes: regimes.clone(), data_ends: data.last_year() };
        Ok(regimes)
    }

    /// The last year the holiday data in force lists for every division.
    pub(crate) fn holiday_data_ends(&self) -> ServiceResult<i32> {
        self.regimes()?;
        Ok(self.rules.read().expect("rules lock").data_ends)
    }

    fn build_regimes(&self, data: &HolidayData) -> ServiceResult<Regimes> {
        Regimes::new(data, &self.custom_regimes).map_err(|e| ServiceError::invalid(e.to_string()))
    }

    /// One regime by name, or a field error naming the known ones.
    pub fn regime(&self, field: &str, name: &str) -> ServiceResult<Arc<Regime>> {
        self.regimes()?
            .get(name)
            .map_err(|e| ServiceError::invalid_fields(vec![FieldError::new(field, e.to_string())]))
    }

    /// Whether the database answers, for the health check.
    pub fn healthy(&self) -> ServiceResult<()> {
        Ok(self.db.ping()?)
    }
}

pub(crate) fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

/// Trims optional text; blank becomes `None`.
pub(crate) fn clean(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
}

/// Reads an optional `YYYY-MM-DD` date with an error that shows the value and the form wanted
/// (chrono's own says only "input contains invalid characters"), within the supported years.
pub fn optional_date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<chrono::NaiveDate>, D::Error> {
    let raw: Option<String> = Option::deserialize(d)?;
    raw.map(|s| crate::domain::london::parse_date(&s).map_err(serde::de::Error::custom)).transpose()
}

/// The years [`optional_date`] accepts, 1990 to 2099, as a pattern for the OpenAPI document.
/// February 29th only in leap years, so that every string it matches is a date served as such.
pub const DATE_PATTERN: &str = concat!(
    "^(?:(?:199[0-9]|20[0-9]{2})-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])",
    "|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))",
    "|(?:199[26]|20(?:[02468][048]|[13579][26]))-02-29)$"
);

/// The OpenAPI schema of a date read by [`optional_date`]: `YYYY-MM-DD`, 1990 to 2099.
pub struct DateInput;

impl utoipa::PartialSchema for DateInput {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
            .pattern(Some(DATE_PATTERN))
            .description(Some("A date, YYYY-MM-DD, in the years foitrack works with (1990 to 2099)."))
            .into()
    }
}

impl utoipa::ToSchema for DateInput {}

/// The OpenAPI schema of a regime's name: the built-in ones. A server's settings may add more,
/// which it accepts too; the document, compiled into the program, lists those every server has.
pub struct RegimeName;

impl utoipa::PartialSchema for RegimeName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let names: Vec<String> = RegimeRules::builtin().into_iter().map(|r| r.name).collect();
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(names))
            .description(Some("A regime: a built-in one, or one from the server's settings."))
            .into()
    }
}

impl utoipa::ToSchema for RegimeName {}
