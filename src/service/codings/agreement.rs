//! Agreement between a campaign's coders, question by question: the calculator's statistics on
//! the answers stored, each request a unit.

use serde::Serialize;
use utoipa::ToSchema;

use super::stored_answer;
use crate::domain::agreement::long_csv;
use crate::domain::codebook::{Answer, QuestionKind};
use crate::service::access::Intent;
use crate::service::agreement::{AgreementReport, report_of};
use crate::service::{Actor, Service, ServiceResult};
use crate::store::codings as store;

/// Agreement for each question of a campaign's codebook that takes codes or numbers (free text
/// is not compared).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CampaignAgreement {
    pub campaign: i64,
    pub questions: Vec<QuestionAgreement>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct QuestionAgreement {
    pub question: String,
    #[serde(flatten)]
    pub report: AgreementReport,
}

impl Service {
    /// Agreement between the campaign's coders on each question, for anyone in its workspace:
    /// figures across all replies, which tell no coder another's answer to any one reply.
    pub fn campaign_agreement(&self, actor: &Actor, campaign_id: i64) -> ServiceResult<CampaignAgreement> {
        let mut conn = self.db().conn()?;
        crate::store::read_transaction(&mut conn, |conn| {
            let campaign = self.campaign_for(conn, actor, campaign_id, Intent::Read)?;
            let coding = self.coding_of(conn, campaign)?;
            let codings = store::of_campaign(conn, campaign_id)?;
            let questions = coding
                .codebook
                .questions
                .iter()
                .filter(|q| q.kind != QuestionKind::Text)
                .map(|q| {
                    let interval = q.kind == QuestionKind::Number;
                    // Answers given under an older version that no longer fit the question are
                    // left out: a code in an interval matrix would count as 0.
                    let fitting =
                        codings.iter().filter(|(c, _)| c.question == q.key).filter_map(|(c, coder)| {
                            let answer = stored_answer(&c.codes, c.number, &c.text);
                            q.fits(&answer).then_some((c, coder, answer))
                        });
                    let cells = fitting.map(|(c, coder, answer)| {
                        let values = match answer {
                            Answer::Codes(codes) => codes,
                            // -0 is 0: one spelling for one number, as the calculator reads it.
                            Answer::Number(x) => vec![(if x == 0.0 { 0.0 } else { x }).to_string()],
                            Answer::Text(t) => vec![t],
                        };
                        (c.request_id.to_string(), coder.clone(), values)
                    });
                    let report = report_of(long_csv::from_values(cells, interval));
                    QuestionAgreement { question: q.key.clone(), report }
                })
                .collect();
            Ok(CampaignAgreement { campaign: campaign_id, questions })
        })
    }
}
