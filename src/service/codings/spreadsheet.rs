//! Coded spreadsheets: one coder's codings read from the wide CSV (see
//! [`crate::domain::coding_csv`]), and a campaign's codings written in the same shape.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use utoipa::ToSchema;

use super::answers::CodingInput;
use super::{Coding, fitting};
use crate::domain::codebook::Answer;
use crate::domain::coding::same_answer;
use crate::domain::coding_csv::{self, KeyColumn};
use crate::domain::vocab::WorkspaceRole;
use crate::service::access::Intent;
use crate::service::{Actor, FieldError, Service, ServiceError, ServiceResult};
use crate::store::codings as store;
use crate::store::models::RequestRow;
use crate::store::{AnyConnection, users, workspaces};

/// The largest coded spreadsheet read: a row per body and a column per question stays far
/// below it.
pub const MAX_CODING_FILE: u64 = 16 * 1024 * 1024;

/// One problem with a row or a cell, by the line a person sees it on in an editor.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ImportProblem {
    pub line: u64,
    /// The question's column, when the problem is in one cell.
    #[schema(required = true)]
    pub column: Option<String>,
    pub message: String,
}

/// What an import did. Rows with a problem are left out whole; the others are stored.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CodingImportReport {
    pub coder: String,
    /// `reference` or `ods_code`.
    pub key_column: String,
    /// Rows with a key, read from the file.
    pub rows: usize,
    /// Rows whose codings were stored (or were all stored already).
    pub stored_rows: usize,
    /// Answers stored by this import.
    pub codings: usize,
    /// Answers the coder had already given, exactly as the file gives them again.
    pub unchanged: usize,
    /// Columns that are not question keys of the codebook.
    pub ignored_columns: Vec<String>,
    pub problems: Vec<ImportProblem>,
}

fn problem(line: u64, column: Option<&str>, message: impl Into<String>) -> ImportProblem {
    ImportProblem { line, column: column.map(str::to_owned), message: message.into() }
}

impl Service {
    /// Imports one coder's coded spreadsheet into a campaign, in one transaction. Researchers
    /// and owners import for any coder of the workspace; a coder imports their own.
    pub fn import_codings(
        &self,
        actor: &Actor,
        campaign_id: i64,
        coder_email: &str,
        bytes: &[u8],
    ) -> ServiceResult<CodingImportReport> {
        let mut conn = self.db().conn()?;
        crate::store::write_transaction(&mut conn, |conn| {
            let campaign = self.campaign_for(
                conn,
                actor,
                campaign_id,
                Intent::Change(WorkspaceRole::can_record_events, "code replies"),
            )?;
            let coder = coder_for(conn, actor, campaign.workspace_id, coder_email)?;
            let coding = self.coding_of(conn, campaign)?;
            let file = coding_csv::parse(bytes, &coding.codebook)
                .map_err(|m| ServiceError::invalid_fields(vec![FieldError::new("file", m)]))?;
            let requests = by_key(store::campaign_requests(conn, campaign_id)?, file.key);
            let mut report = CodingImportReport {
                coder: coder_email.trim().to_string(),
                key_column: file.key.name().to_string(),
                rows: file.rows.len(),
                stored_rows: 0,
                codings: 0,
                unchanged: 0,
                ignored_columns: file.ignored_columns,
                problems: file.broken.into_iter().map(|(line, m)| problem(line, None, m)).collect(),
            };
            let mut seen: HashMap<String, u64> = HashMap::new();
            for row in file.rows {
                if let Some(first) = seen.insert(row.key.clone(), row.line) {
                    report.problems.push(problem(
                        row.line,
                        None,
                        format!("{} is on line {first} already", row.key),
                    ));
                    continue;
                }
                let Some(request) = requests.get(&row.key) else {
                    report.problems.push(problem(
                        row.line,
                        None,
                        format!(
                            "no request of campaign {campaign_id} has the {} {}",
                            file.key.name(),
                            row.key
                        ),
                    ));
                    continue;
                };
                match self.import_row(conn, &coding, request, coder, row.cells)? {
                    Ok((stored, unchanged)) => {
                        report.stored_rows += 1;
                        report.codings += stored;
                        report.unchanged += unchanged;
                    }
                    Err(problems) => report
                        .problems
                        .extend(problems.into_iter().map(|(c, m)| problem(row.line, c.as_deref(), m))),
                }
            }
            report.problems.sort_by_key(|p| p.line);
            Ok(report)
        })
    }

    /// Stores one row's answers, or returns its problems by column and stores nothing.
    #[allow(clippy::type_complexity)]
    fn import_row(
        &self,
        conn: &mut AnyConnection,
        coding: &Coding,
        request: &RequestRow,
        coder: i64,
        cells: Vec<(String, Result<Answer, String>)>,
    ) -> ServiceResult<Result<(usize, usize), Vec<(Option<String>, String)>>> {
        let mine: HashMap<String, Answer> = store::of_request(conn, request.id)?
            .into_iter()
            .filter(|c| c.coder_id == coder)
            .filter_map(|c| Some((c.question.clone(), fitting(&coding.codebook, &c)?)))
            .collect();
        let mut problems = Vec::new();
        let mut inputs = Vec::new();
        let mut unchanged = 0;
        for (question, answer) in cells {
            match (answer, mine.get(&question)) {
                (Err(m), _) => problems.push((Some(question), m)),
                (Ok(a), Some(old)) if same_answer(&a, old) => unchanged += 1,
                (Ok(_), Some(old)) => problems.push((
                    Some(question),
                    format!(
                        "this coder already answered {}; to change an answer, adjudicate",
                        coding_csv::cell(old)
                    ),
                )),
                (Ok(a), None) => inputs.push(input(question, a)),
            }
        }
        if !problems.is_empty() {
            return Ok(Err(problems));
        }
        if inputs.is_empty() {
            return Ok(Ok((0, unchanged)));
        }
        match self.store_answers(conn, coding, request, coder, &inputs) {
            Ok(rows) => Ok(Ok((rows.len(), unchanged))),
            Err(ServiceError::Invalid { fields, .. }) => {
                Ok(Err(fields.into_iter().map(|f| (column_of(&f.field, &inputs), f.message)).collect()))
            }
            Err(e) => Err(e),
        }
    }
}

fn input(question: String, answer: Answer) -> CodingInput {
    let (codes, number, text) = match answer {
        Answer::Codes(c) => (Some(c), None, None),
        Answer::Number(n) => (None, Some(n), None),
        Answer::Text(t) => (None, None, Some(t)),
    };
    CodingInput { question, codes, number, text, evidence: Vec::new(), memo: None }
}

/// `answers[3]` or `answers[3].memo` → the question of input 3.
fn column_of(field: &str, inputs: &[CodingInput]) -> Option<String> {
    let index: usize = field.strip_prefix("answers[")?.split(']').next()?.parse().ok()?;
    inputs.get(index).map(|i| i.question.clone())
}

/// The campaign's requests by the file's key; a body with no ODS code cannot be named by one.
fn by_key(rows: Vec<(RequestRow, Option<String>, String)>, key: KeyColumn) -> HashMap<String, RequestRow> {
    let mut out = HashMap::new();
    let mut twice = HashSet::new();
    for (request, ods, _) in rows {
        let k = match key {
            KeyColumn::Reference => Some(request.reference.clone()),
            KeyColumn::OdsCode => ods,
        };
        if let Some(k) = k
            && out.insert(k.clone(), request).is_some()
        {
            twice.insert(k);
        }
    }
    // A body asked twice in one campaign cannot be named by its ODS code alone.
    for k in twice {
        out.remove(&k);
    }
    out
}

/// The coder named: the actor themselves, or (for researchers and owners) any member of the
/// workspace who may code.
pub(super) fn coder_for(
    conn: &mut AnyConnection,
    actor: &Actor,
    workspace_id: i64,
    email: &str,
) -> ServiceResult<i64> {
    let email = email.trim();
    crate::service::text::check([(
        "coder",
        email,
        crate::service::text::Shape::Line(crate::service::text::ADDRESS),
    )])?;
    if email.eq_ignore_ascii_case(&actor.email) {
        return Ok(actor.user_id);
    }
    actor.require_in(
        workspace_id,
        WorkspaceRole::can_manage_campaigns,
        "import or export another coder's codings",
    )?;
    let user = users::by_email(conn, email)?.ok_or_else(|| {
        ServiceError::invalid_fields(vec![FieldError::new("coder", format!("no user has the email {email}"))])
    })?;
    match workspaces::membership(conn, workspace_id, user.id)? {
        Some(m) if m.role.can_record_events() => Ok(user.id),
        _ => Err(ServiceError::invalid_fields(vec![FieldError::new(
            "coder",
            format!("{email} is not a member of this workspace who may code"),
        )])),
    }
}
