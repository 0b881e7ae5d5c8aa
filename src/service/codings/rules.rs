//! How good the codebook's rules are on a campaign's replies, against the final codes.

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::codebook::Suggester;
use crate::domain::inbound::fold::fold;
use crate::domain::rule_quality::{RuleQuality, Unit, rule_quality};
use crate::service::access::Intent;
use crate::service::{Actor, Service, ServiceError, ServiceResult};
use crate::store::codings as store;

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RuleQualityReport {
    pub campaign: i64,
    /// Requests with a reply to read and at least one final answer.
    pub replies: usize,
    /// Each rule of the plan's codebook, question by question, in order.
    pub rules: Vec<RuleQuality>,
}

impl Service {
    /// Each rule's precision and recall on the campaign's replies against their final codes,
    /// for anyone in its workspace but a coder coding beside others. A reply is read as the suggestions are: each message's own
    /// words (not the request it quotes back) and its attachments' text.
    pub fn rule_quality(&self, actor: &Actor, campaign_id: i64) -> ServiceResult<RuleQualityReport> {
        let mut conn = self.db().conn()?;
        crate::store::read_transaction(&mut conn, |conn| {
            let campaign = self.campaign_for(conn, actor, campaign_id, Intent::Read)?;
            let coding = self.coding_of(conn, campaign)?;
            // Per-rule counts on few replies could tell a coder the final answers.
            super::refuse_if_blind(conn, actor, &coding, "how the rules fare against the final answers")?;
            let suggester = Suggester::new(&coding.codebook)
                .map_err(|_| ServiceError::internal("A stored codebook's rules do not compile"))?;
            let mut finals: HashMap<i64, HashMap<String, Vec<String>>> = HashMap::new();
            for f in store::finals_of_campaign(conn, campaign_id)? {
                let codes = finals.entry(f.request_id).or_default().entry(f.question).or_default();
                codes.extend(f.code);
            }
            let mut texts: HashMap<i64, String> = HashMap::new();
            for (request_id, body, attachments) in store::reply_texts(conn, campaign_id)? {
                let text = texts.entry(request_id).or_default();
                for part in std::iter::once(fold(&body).own).chain(attachments.iter().map(String::as_str)) {
                    text.push_str(part);
                    text.push_str("\n\n");
                }
            }
            let units: Vec<Unit> = texts
                .into_iter()
                .filter_map(|(request, text)| {
                    let finals = finals.remove(&request)?;
                    Some(Unit { suggestions: suggester.suggest(&text), finals })
                })
                .collect();
            Ok(RuleQualityReport {
                campaign: campaign_id,
                replies: units.len(),
                rules: rule_quality(&coding.codebook, &units),
            })
        })
    }
}
