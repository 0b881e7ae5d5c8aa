//! Importing a file of public bodies, in bounded memory, all or nothing.
//!
//! The file is read in pieces, three times: once to learn whether rows over several lines are
//! ordinary in it (see `domain::csv_rows`), once to plan, and once more to write. The plan
//! matches every row against the bodies as they were stored before the import, batch by batch,
//! and keeps one small step per row; the writing pass reads the same rows again and applies their
//! steps. So memory holds a batch and the keys of the rows, never the file, and a dry run, which
//! stops after the plan, writes nothing and takes no write lock. A file that changes between the
//! passes is refused, with nothing written.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hasher};
use std::io::{Read, Seek};

use super::convert::tags_to_text;
use super::views::ImportSummary;
use super::{Actor, Service, ServiceError, ServiceResult, now};
use crate::domain::csv_rows::{Census, Shape};
use crate::domain::import::{self, AuthorityRecord, FileReader, ImportOptions, RejectedRow};
use crate::store::authorities;
use crate::store::models::{AuthorityFields, AuthorityRow, NewAuthority};
use crate::store::{self, AnyConnection};

/// A file to import: read from the start as often as the import needs.
pub trait ImportFile: Read + Seek + Send {}
impl<T: Read + Seek + Send> ImportFile for T {}

/// Told how far an import has got, in bytes read over all its passes, for a progress bar.
pub trait Progress {
    fn start(&mut self, _total_bytes: u64) {}
    fn advance(&mut self, _bytes: u64) {}
    fn finish(&mut self) {}
}

/// No progress reporting (the API, and non-interactive runs).
pub struct Quiet;
impl Progress for Quiet {}

/// Rows matched against the database at once: few enough for SQLite's limit on bound values,
/// many enough that the queries cost little per row.
const BATCH: usize = 500;
const PIECE: usize = 64 * 1024;

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

/// What the import does with one good row of the file.
#[derive(Debug, Clone, Copy)]
enum Step {
    Insert,
    Update(i64),
    Unchanged,
    /// Rejected when it was planned: another row of the file already matched the same body.
    Skip,
}

impl Service {
    /// Whether the actor may import bodies: asked before an upload is read, so that no one who
    /// may not can fill the disk or hold an import slot.
    pub fn may_import_authorities(actor: &Actor) -> ServiceResult<()> {
        actor.require(
            actor.anywhere(crate::domain::vocab::WorkspaceRole::can_manage_campaigns),
            "import public bodies (a researcher or owner in a workspace may)",
        )
    }

    /// Imports a file of bodies: an upsert keyed by ODS code (else name), in one transaction.
    /// Broken rows are reported and skipped; good rows are kept. A second run of the same file
    /// changes nothing and reports every row unchanged.
    pub fn import_authorities(
        &self,
        actor: Option<&Actor>,
        file: &mut dyn ImportFile,
        options: ImportOptions,
        dry_run: bool,
        progress: &mut dyn Progress,
    ) -> ServiceResult<ImportSummary> {
        if let Some(actor) = actor {
            Self::may_import_authorities(actor)?;
        }
        let size = file.seek(std::io::SeekFrom::End(0)).map_err(unreadable)?;
        progress.start(size * if dry_run { 2 } else { 3 });
        let result = self.import_in_passes(file, options, dry_run, progress);
        progress.finish();
        give_memory_back();
        result
    }

    fn import_in_passes(
        &self,
        file: &mut dyn ImportFile,
        options: ImportOptions,
        dry_run: bool,
        progress: &mut dyn Progress,
    ) -> ServiceResult<ImportSummary> {
        let mut census = Census::default();
        let digest = read_pieces(file, progress, |piece| {
            census.feed(piece);
            Ok(())
        })?;
        let shape = census.finish();
        let mut conn = self.db().conn()?;
        let mut import = |conn: &mut AnyConnection| {
            let mut plan = Plan::default();
            let mut reader = FileReader::new(options, shape);
            let mut batch = Vec::new();
            let planned = read_pieces(file, progress, |piece| {
                reader.feed(piece, &mut batch).map_err(refused)?;
                if batch.len() >= BATCH {
                    plan.add(conn, &batch)?;
                    batch.clear();
                }
                Ok(())
            })?;
            let tally = reader.finish(&mut batch).map_err(refused)?;
            plan.add(conn, &batch)?;
            unchanged_since(digest, planned)?;
            if !dry_run {
                let written = plan.apply(conn, file, options, shape, progress)?;
                unchanged_since(digest, written)?;
            }
            let mut rejected = tally.rejected;
            rejected.extend(plan.rejected);
            rejected.sort_by_key(|r| r.line);
            Ok::<_, ServiceError>(ImportSummary {
                inserted: plan.inserted,
                updated: plan.updated,
                unchanged: plan.unchanged,
                filtered_out: tally.filtered_out,
                rows: tally.rows,
                rejected,
                dry_run,
            })
        };
        if dry_run {
            store::read_transaction(&mut conn, import)
        } else {
            store::write_transaction(&mut conn, |conn| {
                store::exclusive(conn, store::Exclusive::AuthorityImport)?;
                import(conn)
            })
        }
    }
}

/// The import's memory is free again, but glibc keeps what was freed in its per-thread arenas;
/// hand it back to the system, so that a server that took a large file does not keep its peak.
fn give_memory_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free memory to the system; it has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Reads the whole file from its start, piece by piece; returns a digest of what was read.
fn read_pieces(
    file: &mut dyn ImportFile,
    progress: &mut dyn Progress,
    mut each: impl FnMut(&[u8]) -> ServiceResult<()>,
) -> ServiceResult<u64> {
    file.rewind().map_err(unreadable)?;
    let mut digest = DefaultHasher::new();
    let mut piece = vec![0; PIECE];
    loop {
        let n = match file.read(&mut piece) {
            Ok(0) => return Ok(digest.finish()),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(unreadable(e)),
        };
        digest.write(&piece[..n]);
        each(&piece[..n])?;
        progress.advance(n as u64);
    }
}

fn unchanged_since(first: u64, again: u64) -> ServiceResult<()> {
    if first == again {
        Ok(())
    } else {
        Err(ServiceError::Conflict(
            "The file changed while it was being imported; nothing was imported. Import it again once it is saved."
                .into(),
        ))
    }
}

fn refused(e: import::ImportError) -> ServiceError {
    ServiceError::invalid(format!("The file cannot be imported: {e}."))
}

fn unreadable(e: std::io::Error) -> ServiceError {
    ServiceError::Unavailable {
        detail: format!("The file could not be read: {e}."),
        source: Some(Box::new(e)),
    }
}

/// The steps of the import, one per good row, decided against the bodies as stored before it.
#[derive(Default)]
struct Plan {
    steps: Vec<Step>,
    /// The stored bodies a row of the file matched, with that row's line.
    touched: HashMap<i64, u64>,
    inserted: u64,
    updated: u64,
    unchanged: u64,
    rejected: Vec<RejectedRow>,
}

impl Plan {
    fn add(&mut self, conn: &mut AnyConnection, batch: &[(u64, AuthorityRecord)]) -> ServiceResult<()> {
        let index = Index::of(conn, batch)?;
        for (line, record) in batch {
            let step = match index.find(record) {
                None => {
                    self.inserted += 1;
                    Step::Insert
                }
                Some(row) => match self.touched.get(&row.id) {
                    // Two rows for one body would each be merged with the stored body, and the
                    // second would undo the first.
                    Some(&first) => {
                        self.rejected.push(RejectedRow {
                            line: *line,
                            reason: format!("matches the same stored body as line {first} ({})", row.name),
                        });
                        Step::Skip
                    }
                    None => {
                        self.touched.insert(row.id, *line);
                        if merged(record, Some(row)).differs_from(row) {
                            self.updated += 1;
                            Step::Update(row.id)
                        } else {
                            self.unchanged += 1;
                            Step::Unchanged
                        }
                    }
                },
            };
            self.steps.push(step);
        }
        Ok(())
    }

    /// Reads the file again and carries out each row's step.
    fn apply(
        &self,
        conn: &mut AnyConnection,
        file: &mut dyn ImportFile,
        options: ImportOptions,
        shape: Shape,
        progress: &mut dyn Progress,
    ) -> ServiceResult<u64> {
        let mut reader = FileReader::new(options, shape);
        let mut batch = Vec::new();
        let mut done = 0;
        let digest = read_pieces(file, progress, |piece| {
            reader.feed(piece, &mut batch).map_err(refused)?;
            if batch.len() >= BATCH {
                done = self.write(conn, &batch, done)?;
                batch.clear();
            }
            Ok(())
        })?;
        reader.finish(&mut batch).map_err(refused)?;
        done = self.write(conn, &batch, done)?;
        if done != self.steps.len() {
            return Err(ServiceError::internal("the file gave other rows the second time it was read"));
        }
        Ok(digest)
    }

    /// Writes a batch whose first row is row `done` of the plan; returns the rows done after it.
    fn write(
        &self,
        conn: &mut AnyConnection,
        batch: &[(u64, AuthorityRecord)],
        done: usize,
    ) -> ServiceResult<usize> {
        let steps = self
            .steps
            .get(done..done + batch.len())
            .ok_or_else(|| ServiceError::internal("the file gave more rows the second time it was read"))?;
        let ids: Vec<i64> =
            steps.iter().filter_map(|s| if let Step::Update(id) = s { Some(*id) } else { None }).collect();
        let stored: HashMap<i64, AuthorityRow> =
            authorities::by_ids(conn, &ids)?.into_iter().map(|row| (row.id, row)).collect();
        let mut inserts = Vec::new();
        for ((_, record), step) in batch.iter().zip(steps) {
            match step {
                Step::Insert => {
                    let fields = merged(record, None);
                    inserts.push(NewAuthority { created_at: fields.updated_at, fields });
                }
                Step::Update(id) => {
                    let row =
                        stored.get(id).ok_or_else(|| ServiceError::internal("a planned body is gone"))?;
                    let fields = merged(record, Some(row));
                    authorities::update(conn, *id, &fields)?;
                    // A refusal was about the old address; the new one has not failed.
                    if fields.email != row.email {
                        authorities::clear_email_failure(conn, *id)?;
                    }
                }
                Step::Unchanged | Step::Skip => {}
            }
        }
        // One statement for the batch's new bodies rather than one each: five times faster on
        // SQLite, and the write lock is held for that much less.
        authorities::insert_many(conn, &inserts)?;
        Ok(done + batch.len())
    }
}

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

/// The stored bodies a batch of rows may match: by ODS code, and, by lower-case name, the first
/// body (by id) of each name.
struct Index {
    by_ods: HashMap<String, AuthorityRow>,
    by_name: HashMap<String, AuthorityRow>,
}

impl Index {
    fn of(conn: &mut AnyConnection, batch: &[(u64, AuthorityRecord)]) -> ServiceResult<Self> {
        let codes: Vec<&str> =
            batch.iter().filter_map(|(_, r)| r.ods_code.as_ref().map(|c| c.as_str())).collect();
        let names: Vec<String> = batch.iter().map(|(_, r)| r.name.to_lowercase()).collect();
        let mut index = Index { by_ods: HashMap::new(), by_name: HashMap::new() };
        for row in authorities::matching(conn, &codes, &names)? {
            if let Some(code) = row.ods_code.clone() {
                index.by_ods.insert(code, row.clone());
            }
            index.by_name.entry(row.name_key.clone()).or_insert(row);
        }
        Ok(index)
    }

    /// A row with a code matches the body with that code, or else a body of the same name that
    /// has no code; a row without one matches by name.
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
