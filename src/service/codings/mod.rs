//! Coding a campaign's replies: its plan (codebook, coders, double coding), each coder's
//! answers with their evidence, blind until answered, adjudication of disagreements, and
//! coded spreadsheets in and out.
//!
//! Every write of an answer or a decision rewrites the final answer of that question about that
//! request (`final_codes`) in the same transaction, so the report counts in the database.

mod agreement;
mod answers;
mod evidence;
mod export;
mod finals;
mod moves;
mod plan;
mod rules;
mod sheet;
mod spreadsheet;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use agreement::{CampaignAgreement, QuestionAgreement};
pub use answers::{
    AdjudicationInput, AdjudicationView, CodingInput, CodingView, Disagreement, QuestionState,
    RequestCodings, SubmitCodings,
};
pub use evidence::{Evidence, EvidenceInput, quotable};
pub use export::DataPackage;
pub use moves::MovedForward;
pub use plan::{CodingPlanInput, CodingPlanView};
pub use rules::RuleQualityReport;
pub use sheet::{AdjudicationSheet, CodingQueue, CodingSheet, Queued, Quotable, SHOWN_CHARS};
pub use spreadsheet::{CodingImportReport, ImportProblem, MAX_CODING_FILE};

use super::{Actor, Service, ServiceError, ServiceResult};
use crate::domain::codebook::{Answer, Codebook};
use crate::domain::coding::{codes_from_column, codes_to_column};
use crate::store::AnyConnection;
use crate::store::codebooks as codebook_store;
use crate::store::codings::{self as store, PlanRow};
use crate::store::models::CampaignRow;

/// An answer as the API shows it: exactly one of `codes`, `number` and `text` is set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerFields {
    /// Code keys: one for a single-choice or yes / no / unclear question, one or more for a
    /// multiple-choice one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codes: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl AnswerFields {
    fn of(answer: &Answer) -> Self {
        match answer {
            Answer::Codes(c) => Self { codes: Some(c.clone()), number: None, text: None },
            Answer::Number(n) => Self { codes: None, number: Some(*n), text: None },
            Answer::Text(t) => Self { codes: None, number: None, text: Some(t.clone()) },
        }
    }
}

/// An answer from its stored columns (exactly one is set, as the table's check ensures).
fn stored_answer(codes: &Option<String>, number: Option<f64>, text: &Option<String>) -> Answer {
    match (codes, number, text) {
        (Some(c), _, _) => Answer::Codes(codes_from_column(c)),
        (None, Some(n), _) => Answer::Number(n),
        (None, None, t) => Answer::Text(t.clone().unwrap_or_default()),
    }
}

/// A coder's stored answer, if it fits the plan's codebook version. One that does not was left
/// behind when the plan moved to a newer version (see `moves`): it counts nowhere, and the coder
/// may answer the question again.
fn fitting(book: &Codebook, c: &store::CodingRow) -> Option<Answer> {
    let answer = stored_answer(&c.codes, c.number, &c.text);
    book.question(&c.question).is_some_and(|q| q.fits(&answer)).then_some(answer)
}

/// An answer as its columns: codes, number, text.
fn answer_columns(answer: &Answer) -> (Option<String>, Option<f64>, Option<&str>) {
    match answer {
        Answer::Codes(c) => (Some(codes_to_column(c)), None, None),
        Answer::Number(n) => (None, Some(*n), None),
        Answer::Text(t) => (None, None, Some(t.as_str())),
    }
}

/// A campaign being coded: its plan and the codebook version the plan names.
pub(crate) struct Coding {
    pub(crate) campaign: CampaignRow,
    pub(crate) plan: PlanRow,
    pub(crate) coders: Vec<i64>,
    pub(crate) codebook: Codebook,
}

impl Service {
    /// The campaign's plan and codebook, or a clear error when it has none yet.
    pub(crate) fn coding_of(&self, conn: &mut AnyConnection, campaign: CampaignRow) -> ServiceResult<Coding> {
        crate::store::lock_coding(conn, campaign.id, false)?;
        let (plan, coders) = store::plan(conn, campaign.id)?.ok_or_else(|| {
            ServiceError::Conflict(format!(
                "Campaign {} has no coding plan yet: a researcher sets one with the codebook and the coders \
                 (foitrack codings plan, or PUT /api/v1/campaigns/{}/coding).",
                campaign.id, campaign.id
            ))
        })?;
        Coding::loaded(campaign, plan, coders, conn)
    }
}

impl Coding {
    fn loaded(
        campaign: CampaignRow,
        plan: PlanRow,
        coders: Vec<i64>,
        conn: &mut AnyConnection,
    ) -> ServiceResult<Self> {
        let id = plan.codebook_id;
        let row = codebook_store::by_id(conn, id)?.ok_or_else(|| {
            ServiceError::internal(format!("The coding plan names codebook {id}, which is gone"))
        })?;
        let codebook = serde_json::from_str(&row.definition)
            .map_err(|e| ServiceError::internal_from(format!("Stored codebook {id} does not read"), e))?;
        Ok(Coding { campaign, plan, coders, codebook })
    }
}

/// The emails of users by id, for showing who coded what (a former member's too).
fn emails(conn: &mut AnyConnection, ids: &[i64]) -> ServiceResult<HashMap<i64, String>> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    Ok(store::emails(conn, &ids)?.into_iter().collect())
}

/// Refuses what would show a blind coder other coders' answers: someone who codes this
/// campaign beside others sees only their own while coding goes on.
fn refuse_if_blind(
    conn: &mut AnyConnection,
    actor: &Actor,
    coding: &Coding,
    what: &str,
) -> ServiceResult<()> {
    let others = coding.coders.iter().any(|&c| c != actor.user_id);
    if others && codes_campaign(conn, actor, coding)? {
        return Err(ServiceError::Forbidden(format!(
            "You code this campaign beside others, so you may not see {what} while coding is blind."
        )));
    }
    Ok(())
}

/// Whether the actor codes in this campaign: named in its plan, or has answered something.
fn codes_campaign(conn: &mut AnyConnection, actor: &Actor, coding: &Coding) -> ServiceResult<bool> {
    Ok(coding.coders.contains(&actor.user_id)
        || store::codes_campaign(conn, coding.campaign.id, actor.user_id)?)
}
