//! Codebooks in and out as REFI-QDA `.qdc` files, for NVivo, ATLAS.ti, MAXQDA and QualCoder
//! users (see `domain::codebook::qdc` for how questions become codes and back).

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::codebooks::{SaveCodebookInput, Saved};
use super::{Actor, FieldError, Service, ServiceError, ServiceResult};
use crate::domain::codebook::qdc::{self, Notes};
use crate::domain::codebook::{Codebook, Problem};
use crate::domain::vocab::WorkspaceRole;
use crate::store::codebooks as store;

/// The most a `.qdc` file may be: a codebook of thousands of codes is well under this.
pub const MAX_QDC_FILE: u64 = 5 * 1024 * 1024;

/// Where an imported `.qdc` codebook goes, and what it is called: a file names neither.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QdcImportInput {
    /// The workspace's slug; by default your only workspace.
    #[serde(default)]
    pub workspace: Option<String>,
    /// The codebook's key. When the workspace has a codebook with this key, the file becomes its
    /// next version, and its questions and codes are recognised by their GUIDs.
    pub key: String,
    /// The codebook's title; by default the earlier version's, or the key.
    #[serde(default)]
    pub title: Option<String>,
}

/// What a `.qdc` import stored, and what it changed or left out on the way.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QdcImported {
    #[serde(flatten)]
    pub saved: Saved,
    /// Sentences for the researcher: questions made from codes, codes new or left out, sets
    /// left out.
    pub notes: Vec<String>,
}

fn invalid(problems: Vec<Problem>) -> ServiceError {
    ServiceError::invalid_fields(problems.into_iter().map(|p| FieldError::new(p.at, p.message)).collect())
}

/// Reads a `.qdc` document as the codebook `key`, matching GUIDs against `earlier`; refused with
/// every problem, each where it is.
pub fn codebook_from_qdc(
    xml: &str,
    key: &str,
    title: &str,
    earlier: Option<&Codebook>,
) -> ServiceResult<(Codebook, Notes)> {
    let file = qdc::read_qdc(xml).map_err(|p| invalid(vec![p]))?;
    qdc::codebook_from_qdc(&file, key, title, earlier).map_err(invalid)
}

/// A codebook as a `.qdc` document, naming this foitrack as its origin.
pub fn codebook_to_qdc(book: &Codebook) -> String {
    qdc::to_qdc(book, concat!("foitrack ", env!("CARGO_PKG_VERSION")))
}

impl Service {
    /// One stored version as a `.qdc` document, with the file name to save it under.
    pub fn codebook_qdc(&self, actor: &Actor, id: i64) -> ServiceResult<(String, String)> {
        let view = self.codebook(actor, id)?;
        let name = format!("{}-v{}.qdc", view.summary.key, view.summary.version);
        Ok((name, codebook_to_qdc(&view.codebook)))
    }

    /// Stores a `.qdc` file as a codebook of a workspace (researchers and owners): its first
    /// version, or the next version of the workspace's codebook with the same key.
    pub fn import_qdc(
        &self,
        actor: &Actor,
        input: QdcImportInput,
        bytes: &[u8],
    ) -> ServiceResult<QdcImported> {
        let home = actor.home(input.workspace.as_deref())?;
        let workspace_id = actor
            .require_in(home.workspace_id, WorkspaceRole::can_manage_campaigns, "change codebooks")?
            .workspace_id;
        let xml = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)).map_err(|e| {
            ServiceError::invalid(format!("The file is not UTF-8 text, as a .qdc file must be ({e})."))
        })?;
        let earlier = match store::latest(&mut *self.db().conn()?, workspace_id, &input.key)? {
            Some(row) => Some(serde_json::from_str::<Codebook>(&row.definition).map_err(|e| {
                ServiceError::internal_from(format!("Stored codebook {} does not read", row.id), e)
            })?),
            None => None,
        };
        let title = input
            .title
            .clone()
            .or_else(|| earlier.as_ref().map(|b| b.title.clone()))
            .unwrap_or_else(|| input.key.clone());
        let (codebook, notes) = codebook_from_qdc(xml, &input.key, &title, earlier.as_ref())?;
        let saved = self.save_codebook(actor, SaveCodebookInput { workspace: input.workspace, codebook })?;
        Ok(QdcImported { saved, notes })
    }
}
