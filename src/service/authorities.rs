//! Importing and finding public bodies.

use std::collections::HashMap;

use super::convert::{self, tags_to_text};
use super::views::{AuthorityView, ImportSummary};
use super::{Actor, Page, Paging, Service, ServiceError, ServiceResult, now};
use crate::domain::import::{self, AuthorityRecord, ImportOptions};
use crate::store::authorities::{self, AuthorityFilter};
use crate::store::models::{AuthorityFields, AuthorityRow, NewAuthority};
use crate::store::{self, AnyConnection};

/// Told how far an import has got, for a progress bar.
pub trait Progress {
    fn start(&mut self, _total: u64) {}
    fn advance(&mut self) {}
    fn finish(&mut self) {}
}

/// No progress reporting (the API, and non-interactive runs).
pub struct Quiet;
impl Progress for Quiet {}

/// Where an imported record goes: what the file says, on top of what is stored. A value missing
/// from the file keeps the stored one, so an ODS import never wipes an email address that a CSV
/// import added.
fn merged(record: &AuthorityRecord, existing: Option<&AuthorityRow>) -> AuthorityFields {
    let keep = |new: Option<String>, old: Option<&Option<String>>| new.or_else(|| old.cloned().flatten());
    let tags = if record.tags.is_empty() {
        existing.map(|e| e.tags.clone()).unwrap_or_default()
    } else {
        tags_to_text(&record.tags)
    };
    AuthorityFields {
        name: record.name.clone(),
        name_key: record.name.to_lowercase(),
        email: keep(record.email.as_ref().map(|e| e.to_string()), existing.map(|e| &e.email)),
        region: keep(record.region.clone(), existing.map(|e| &e.region)),
        region_code: keep(record.region_code.clone(), existing.map(|e| &e.region_code)),
        ods_code: keep(record.ods_code.as_ref().map(|c| c.to_string()), existing.map(|e| &e.ods_code)),
        tags,
        postcode: keep(record.postcode.clone(), existing.map(|e| &e.postcode)),
        opened_on: record.opened_on.or(existing.and_then(|e| e.opened_on)),
        closed_on: record.closed_on.or(existing.and_then(|e| e.closed_on)),
        updated_at: now(),
    }
}

/// Existing bodies by ODS code, and those without one by lower-case name.
struct Index {
    by_ods: HashMap<String, AuthorityRow>,
    by_name: HashMap<String, AuthorityRow>,
}

impl Index {
    fn load(conn: &mut AnyConnection) -> ServiceResult<Self> {
        let mut index = Index { by_ods: HashMap::new(), by_name: HashMap::new() };
        for row in authorities::all(conn)? {
            index.by_name.entry(row.name_key.clone()).or_insert_with(|| row.clone());
            if let Some(code) = row.ods_code.clone() {
                index.by_ods.insert(code, row);
            }
        }
        Ok(index)
    }

    fn remember(&mut self, id: i64, fields: AuthorityFields) {
        let stamp = fields.updated_at;
        let row = AuthorityRow {
            id,
            name: fields.name,
            name_key: fields.name_key,
            email: fields.email,
            region: fields.region,
            region_code: fields.region_code,
            ods_code: fields.ods_code,
            tags: fields.tags,
            postcode: fields.postcode,
            opened_on: fields.opened_on,
            closed_on: fields.closed_on,
            created_at: stamp,
            updated_at: stamp,
            email_failed_at: None,
            email_failure: None,
        };
        self.by_name.entry(row.name_key.clone()).or_insert_with(|| row.clone());
        if let Some(code) = row.ods_code.clone() {
            self.by_ods.insert(code, row);
        }
    }

    fn find(&self, record: &AuthorityRecord) -> Option<&AuthorityRow> {
        let by_name = || self.by_name.get(&record.name.to_lowercase());
        match &record.ods_code {
            Some(code) => {
                self.by_ods.get(code.as_str()).or_else(|| by_name().filter(|r| r.ods_code.is_none()))
            }
            None => by_name(),
        }
    }
}

/// Filters for listing bodies, shared by the API and the CLI.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuthorityQuery {
    /// Only bodies in this region (any case).
    pub region: Option<String>,
    /// Only bodies with this tag.
    pub tag: Option<String>,
    /// Text in the name, or an exact ODS code.
    pub q: Option<String>,
    #[param(value_type = Option<i64>, minimum = 1, maximum = 4_294_967_295_i64)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u32>,
}

/// How to read an import file, in words, shared by the API's query string and the CLI's flags.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `csv` (headed: name, email, region, ods_code, tags) or `ods-etr` (NHS Digital etr.csv).
    #[param(value_type = Option<crate::domain::import::ImportFormat>)]
    pub format: Option<String>,
    /// ODS files: keep only bodies open on this date.
    #[param(value_type = Option<crate::service::DateInput>)]
    #[serde(default, deserialize_with = "crate::service::optional_date")]
    pub as_of: Option<chrono::NaiveDate>,
    /// Drop bodies without an (English NHS) region.
    pub region_required: Option<bool>,
    /// Check the file and report what would change, writing nothing.
    pub dry_run: Option<bool>,
}

impl ImportQuery {
    pub fn options(&self) -> ServiceResult<ImportOptions> {
        let format = match self.format.as_deref() {
            None => import::ImportFormat::Csv,
            Some(f) => f.parse().map_err(|e: crate::domain::UnknownValue| {
                ServiceError::invalid_fields(vec![super::FieldError::new("format", e.to_string())])
            })?,
        };
        if self.as_of.is_some() && format != import::ImportFormat::OdsEtr {
            return Err(ServiceError::invalid_fields(vec![super::FieldError::new(
                "as_of",
                "only ODS files carry open and close dates; drop as_of for a CSV import",
            )]));
        }
        Ok(ImportOptions {
            format,
            as_of: self.as_of,
            region_required: self.region_required.unwrap_or(false),
        })
    }
}

impl Service {
    pub fn search_authorities(&self, query: &AuthorityQuery) -> ServiceResult<Page<AuthorityView>> {
        let paging = Paging::new(query.page, query.per_page)?;
        super::check_text(
            [("region", &query.region), ("tag", &query.tag), ("q", &query.q)]
                .map(|(field, v)| (field, v.as_deref().unwrap_or(""))),
        )?;
        let text = |v: &Option<String>| v.as_ref().map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let filter = AuthorityFilter {
            region: text(&query.region),
            tag: text(&query.tag),
            q: text(&query.q),
            ids: None,
        };
        self.list_authorities(&filter, paging)
    }

    /// Imports a file of bodies: an upsert keyed by ODS code (else name), in one transaction.
    /// Broken rows are reported and skipped; good rows are kept. A second run of the same file
    /// changes nothing and reports every row unchanged.
    pub fn import_authorities(
        &self,
        actor: Option<&Actor>,
        bytes: &[u8],
        options: ImportOptions,
        dry_run: bool,
        progress: &mut dyn Progress,
    ) -> ServiceResult<ImportSummary> {
        if let Some(actor) = actor {
            actor.require(actor.role.can_manage_campaigns(), "import public bodies")?;
        }
        let parsed = import::parse(bytes, options)
            .map_err(|e| ServiceError::invalid(format!("The file cannot be imported: {e}.")))?;
        let mut summary = ImportSummary {
            inserted: 0,
            updated: 0,
            unchanged: 0,
            filtered_out: parsed.filtered_out,
            rows: parsed.rows,
            rejected: parsed.rejected,
            dry_run,
        };
        let mut conn = self.db().conn()?;
        progress.start(parsed.records.len() as u64);
        let result = store::write_transaction(&mut conn, |conn| {
            store::exclusive(conn, store::Exclusive::AuthorityImport)?;
            let mut index = Index::load(conn)?;
            for (_, record) in &parsed.records {
                let existing = index.find(record).cloned();
                let fields = merged(record, existing.as_ref());
                let id = match &existing {
                    None => {
                        summary.inserted += 1;
                        if dry_run {
                            -1
                        } else {
                            authorities::insert(
                                conn,
                                &NewAuthority { created_at: fields.updated_at, fields: fields.clone() },
                            )?
                        }
                    }
                    Some(row) if fields.differs_from(row) => {
                        summary.updated += 1;
                        if !dry_run {
                            authorities::update(conn, row.id, &fields)?;
                            // A refusal was about the old address; the new one has not failed.
                            if fields.email != row.email {
                                authorities::clear_email_failure(conn, row.id)?;
                            }
                        }
                        row.id
                    }
                    Some(row) => {
                        summary.unchanged += 1;
                        row.id
                    }
                };
                // Later rows of the same file must find this body too, by code or by name.
                index.remember(id, fields);
                progress.advance();
            }
            Ok::<_, ServiceError>(())
        });
        progress.finish();
        result?;
        Ok(summary)
    }

    pub fn list_authorities(
        &self,
        filter: &AuthorityFilter,
        paging: Paging,
    ) -> ServiceResult<Page<AuthorityView>> {
        let mut conn = self.db().conn()?;
        let total = authorities::count(&mut conn, filter)?;
        let items = authorities::list(&mut conn, filter, paging.limit(), paging.offset())?
            .into_iter()
            .map(convert::authority)
            .collect();
        Ok(Page { items, total, page: paging.page, per_page: paging.per_page })
    }

    pub fn authority(&self, id: i64) -> ServiceResult<AuthorityView> {
        authorities::by_id(&mut *self.db().conn()?, id)?
            .map(convert::authority)
            .ok_or_else(|| ServiceError::NotFound(format!("No public body has the id {id}.")))
    }
}
