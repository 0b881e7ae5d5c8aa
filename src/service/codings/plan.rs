//! A campaign's coding plan: the codebook version, the coders, and the share coded twice.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::moves::MovedForward;
use super::{Coding, emails};
use crate::domain::coding::Assignment;
use crate::domain::vocab::WorkspaceRole;
use crate::service::access::Intent;
use crate::service::convert::utc;
use crate::service::{Actor, FieldError, Service, ServiceError, ServiceResult, now};
use crate::store::codebooks as codebook_store;
use crate::store::codings::{self as store, PlanRow};
use crate::store::{AnyConnection, requests, users, workspaces};

/// What a researcher sets for coding a campaign.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodingPlanInput {
    /// The id of a stored codebook version of the campaign's workspace.
    pub codebook: i64,
    /// The coders' emails, each a member of the workspace who may code (not a viewer). Their
    /// order is part of the assignment.
    pub coders: Vec<String>,
    /// The share of replies coded by a second coder, in percent: 100 for all, 0 for none.
    #[schema(maximum = 100)]
    pub double_coded_percent: u8,
    /// Makes the random choice of double-coded replies reproducible; by default the plan's
    /// earlier seed, or a new one for a first plan.
    #[serde(default)]
    pub seed: Option<u32>,
}

/// A campaign's plan, with how its requests are shared out.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CodingPlanView {
    pub campaign: i64,
    pub codebook: CodebookRef,
    pub coders: Vec<String>,
    pub double_coded_percent: u8,
    pub seed: u32,
    pub updated_at: DateTime<Utc>,
    /// The campaign's requests.
    pub requests: usize,
    /// Those given to two coders.
    pub double_coded: usize,
    /// How many requests each coder is given, by email.
    pub per_coder: BTreeMap<String, usize>,
    /// Only when this change moved the plan to a newer version after coding had started: what
    /// became of the answers already given (see docs/coding.md, "Moving answers forward").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moved_forward: Option<MovedForward>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CodebookRef {
    pub id: i64,
    pub key: String,
    pub version: i32,
}

fn field(name: &str, message: impl Into<String>) -> ServiceError {
    ServiceError::invalid_fields(vec![FieldError::new(name, message)])
}

impl Service {
    /// Sets (or replaces) a campaign's coding plan: researchers and owners. The codebook may
    /// move to a newer version of the same codebook at any time; to another codebook only
    /// before anyone has coded.
    pub fn set_coding_plan(
        &self,
        actor: &Actor,
        campaign_id: i64,
        input: CodingPlanInput,
    ) -> ServiceResult<CodingPlanView> {
        if input.double_coded_percent > 100 {
            return Err(field("double_coded_percent", "must be between 0 and 100"));
        }
        let mut conn = self.db().conn()?;
        crate::store::write_transaction(&mut conn, |conn| {
            let campaign = self.campaign_for(
                conn,
                actor,
                campaign_id,
                Intent::Change(WorkspaceRole::can_manage_campaigns, "plan the coding of a campaign"),
            )?;
            crate::store::lock_coding(conn, campaign.id, true)?;
            let book = codebook_store::by_id(conn, input.codebook)?
                .filter(|b| b.workspace_id == campaign.workspace_id)
                .ok_or_else(|| {
                    field(
                        "codebook",
                        format!("no codebook of this campaign's workspace has the id {}", input.codebook),
                    )
                })?;
            let coders = coder_ids(conn, campaign.workspace_id, &input.coders)?;
            let earlier = store::plan(conn, campaign.id)?.map(|(p, _)| p);
            let old = earlier.as_ref().map(|p| p.codebook_id);
            let changed = old.is_some_and(|id| id != book.id);
            let started = changed && store::codes_campaign_at_all(conn, campaign.id)?;
            if started {
                let old = old.and_then(|id| codebook_store::by_id(conn, id).transpose()).transpose()?;
                if old.is_some_and(|o| o.key != book.key || o.version > book.version) {
                    return Err(ServiceError::Conflict(
                        "Coding has started under another codebook version; a plan may only move to a newer version of it.".into(),
                    ));
                }
            }
            // A plan set again keeps its seed unless told otherwise: a new one would deal the
            // replies out afresh.
            let kept = earlier.map(|p| p.seed as u32);
            let seed = input.seed.or(kept).unwrap_or_else(rand::random);
            let plan = PlanRow {
                campaign_id: campaign.id,
                codebook_id: book.id,
                double_percent: i32::from(input.double_coded_percent),
                seed: i64::from(seed),
                updated_by: actor.user_id,
                updated_at: now(),
            };
            store::put_plan(conn, &plan, &coders)?;
            let moved = match old.filter(|_| started) {
                Some(from) => {
                    Some(super::moves::move_forward(conn, campaign.id, from, &book, actor.user_id)?)
                }
                None => None,
            };
            let coding = Coding::loaded(campaign, plan, coders, conn)?;
            if changed {
                // The new version's conditions may differ: which answers apply is decided again.
                super::finals::rebuild(conn, &coding.codebook, coding.campaign.id)?;
            }
            Ok(CodingPlanView { moved_forward: moved, ..self.plan_view(conn, campaign_id, coding)? })
        })
    }

    /// Whether a campaign has a coding plan, so that its replies can be coded.
    pub fn has_coding_plan(&self, actor: &Actor, campaign_id: i64) -> ServiceResult<bool> {
        let mut conn = self.db().conn()?;
        self.campaign_for(&mut conn, actor, campaign_id, Intent::Read)?;
        Ok(store::plan(&mut conn, campaign_id)?.is_some())
    }

    /// A campaign's coding plan, for anyone in its workspace.
    pub fn coding_plan(&self, actor: &Actor, campaign_id: i64) -> ServiceResult<CodingPlanView> {
        let mut conn = self.db().conn()?;
        crate::store::read_transaction(&mut conn, |conn| {
            let campaign = self.campaign_for(conn, actor, campaign_id, Intent::Read)?;
            let coding = self.coding_of(conn, campaign)?;
            self.plan_view(conn, campaign_id, coding)
        })
    }

    fn plan_view(
        &self,
        conn: &mut AnyConnection,
        campaign_id: i64,
        coding: Coding,
    ) -> ServiceResult<CodingPlanView> {
        let book = codebook_store::by_id(conn, coding.plan.codebook_id)?
            .ok_or_else(|| ServiceError::internal("A coding plan's codebook is gone"))?;
        let names = emails(conn, &coding.coders)?;
        let assignment = coding.assignment();
        let mut per_coder: BTreeMap<String, usize> = BTreeMap::new();
        let ids = requests::ids_in_campaign(conn, campaign_id)?;
        let mut double_coded = 0;
        for id in &ids {
            let who = assignment.coders_of(*id);
            double_coded += usize::from(who.len() > 1);
            for coder in who {
                *per_coder.entry(names.get(&coder).cloned().unwrap_or_default()).or_default() += 1;
            }
        }
        Ok(CodingPlanView {
            campaign: campaign_id,
            codebook: CodebookRef { id: book.id, key: book.key, version: book.version },
            coders: coding.coders.iter().map(|c| names.get(c).cloned().unwrap_or_default()).collect(),
            double_coded_percent: assignment.double_percent,
            seed: assignment.seed as u32,
            updated_at: utc(coding.plan.updated_at),
            requests: ids.len(),
            double_coded,
            per_coder,
            moved_forward: None,
        })
    }
}

impl Coding {
    pub(super) fn assignment(&self) -> Assignment {
        assignment_of(&self.plan, self.coders.clone())
    }
}

/// Who codes what under a stored plan with these coders.
pub(super) fn assignment_of(plan: &PlanRow, coders: Vec<i64>) -> Assignment {
    Assignment {
        coders,
        double_percent: u8::try_from(plan.double_percent).unwrap_or(100),
        seed: plan.seed as u64,
    }
}

/// The users named as coders: each once, each a member of the workspace who may code.
fn coder_ids(conn: &mut AnyConnection, workspace_id: i64, emails: &[String]) -> ServiceResult<Vec<i64>> {
    if emails.is_empty() {
        return Err(field("coders", "name at least one coder"));
    }
    let mut ids = Vec::with_capacity(emails.len());
    let mut problems = Vec::new();
    for (i, email) in emails.iter().enumerate() {
        let at = format!("coders[{i}]");
        if let Some(m) = crate::service::text::problem(
            email,
            crate::service::text::Shape::Line(crate::service::text::ADDRESS),
        ) {
            problems.push(FieldError::new(at, m));
            continue;
        }
        let user = users::by_email(conn, email.trim())?;
        let member = match &user {
            Some(u) => workspaces::membership(conn, workspace_id, u.id)?,
            None => None,
        };
        match (user, member) {
            (Some(u), Some(m)) if m.role.can_record_events() => {
                if ids.contains(&u.id) {
                    problems.push(FieldError::new(at, format!("{email} is named twice")));
                }
                ids.push(u.id);
            }
            (Some(_), Some(m)) => problems
                .push(FieldError::new(at, format!("{email} is a {} here, and viewers cannot code", m.role))),
            _ => problems
                .push(FieldError::new(at, format!("{email} is not a member of this campaign's workspace"))),
        }
    }
    if problems.is_empty() { Ok(ids) } else { Err(ServiceError::invalid_fields(problems)) }
}
