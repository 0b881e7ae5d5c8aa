//! Codebooks: reading and checking one, and a workspace's stored codebooks and their versions.
//!
//! Saving a codebook whose key the workspace already has stores a new version, unless it is the
//! same as the newest; versions are never changed, so codings can name the one they used.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::convert::utc;
use super::{Actor, FieldError, Service, ServiceError, ServiceResult, now};
use crate::domain::codebook::{ABT_CODEBOOK, Codebook, Problem, Suggester, Suggestion};
use crate::domain::vocab::WorkspaceRole;
use crate::store::codebooks::{self as store, CodebookRow, NewCodebook};

fn invalid(problems: Vec<Problem>) -> ServiceError {
    ServiceError::invalid_fields(problems.into_iter().map(|p| FieldError::new(p.at, p.message)).collect())
}

/// Reads a codebook file (TOML), refusing it with every problem, each where it is.
pub fn read_codebook(text: &str) -> ServiceResult<Codebook> {
    Codebook::from_toml(text).map_err(invalid)
}

/// The codebook of the active bystander training study, as shipped.
pub fn shipped_codebook() -> ServiceResult<Codebook> {
    read_codebook(ABT_CODEBOOK)
        .map_err(|e| ServiceError::internal_from("The shipped codebook does not read", e))
}

/// What a codebook's rules suggest for a text: each code with the passage behind it.
pub fn suggest_codes(book: &Codebook, text: &str) -> ServiceResult<Vec<Suggestion>> {
    Ok(Suggester::new(book).map_err(invalid)?.suggest(text))
}

/// A codebook to store, as JSON: the same shape as a codebook file.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveCodebookInput {
    /// The workspace's slug; by default your only workspace.
    #[serde(default)]
    pub workspace: Option<String>,
    pub codebook: Codebook,
}

/// One stored version, without its questions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CodebookSummary {
    pub id: i64,
    pub workspace: String,
    pub key: String,
    /// 1 for the first version, then one more for each change.
    pub version: i32,
    pub title: String,
    pub created_at: DateTime<Utc>,
}

/// One stored version with its questions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CodebookView {
    #[serde(flatten)]
    pub summary: CodebookSummary,
    pub codebook: Codebook,
}

/// What saving did: stored a new version, or found the newest one the same.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Saved {
    /// Whether a new version was stored.
    pub stored: bool,
    #[serde(flatten)]
    pub view: CodebookView,
}

impl Service {
    /// Stores a codebook in a workspace (researchers and owners): a new version when its key is
    /// taken and it differs from the newest version, else nothing.
    pub fn save_codebook(&self, actor: &Actor, input: SaveCodebookInput) -> ServiceResult<Saved> {
        let home = actor.home(input.workspace.as_deref())?;
        let workspace_id = actor
            .require_in(home.workspace_id, WorkspaceRole::can_manage_campaigns, "change codebooks")?
            .workspace_id;
        let book = input.codebook;
        book.check().map_err(invalid)?;
        let definition = serde_json::to_string(&book)
            .map_err(|e| ServiceError::internal_from("A codebook could not be written as JSON", e))?;
        let mut conn = self.db().conn()?;
        let (row, stored) = crate::store::write_transaction(&mut conn, |conn| -> ServiceResult<_> {
            crate::store::exclusive(conn, crate::store::Exclusive::CodebookSave)?;
            let newest = store::latest(conn, workspace_id, &book.key)?;
            // Compared as codebooks, not as text: a default written out or left out is the same.
            let same =
                |r: &CodebookRow| serde_json::from_str::<Codebook>(&r.definition).is_ok_and(|b| b == book);
            if let Some(row) = newest.as_ref().filter(|r| same(r)) {
                return Ok((row.clone(), false));
            }
            let new = NewCodebook {
                workspace_id,
                key: &book.key,
                version: newest.map_or(1, |r| r.version + 1),
                title: &book.title,
                definition: &definition,
                created_by: actor.user_id,
                created_at: now(),
            };
            Ok((store::insert(conn, &new)?, true))
        })?;
        Ok(Saved { view: CodebookView { summary: summary(actor, &row), codebook: book }, stored })
    }

    /// Every version of the codebooks of the actor's workspaces (or of `workspace`).
    pub fn list_codebooks(
        &self,
        actor: &Actor,
        workspace: Option<&str>,
    ) -> ServiceResult<Vec<CodebookSummary>> {
        let scope = actor.scope(workspace)?;
        let rows = store::list(&mut *self.db().conn()?, &scope)?;
        Ok(rows.iter().map(|r| summary(actor, r)).collect())
    }

    /// One stored version, with its questions.
    pub fn codebook(&self, actor: &Actor, id: i64) -> ServiceResult<CodebookView> {
        let scope = actor.scope(None)?;
        let row = store::visible(&mut *self.db().conn()?, &scope, id)?
            .ok_or_else(|| ServiceError::NotFound(format!("No codebook of yours has the id {id}.")))?;
        let codebook: Codebook = serde_json::from_str(&row.definition)
            .map_err(|e| ServiceError::internal_from(format!("Stored codebook {id} does not read"), e))?;
        Ok(CodebookView { summary: summary(actor, &row), codebook })
    }
}

fn summary(actor: &Actor, row: &CodebookRow) -> CodebookSummary {
    CodebookSummary {
        id: row.id,
        workspace: actor.slug_of(row.workspace_id),
        key: row.key.clone(),
        version: row.version,
        title: row.title.clone(),
        created_at: utc(row.created_at),
    }
}
