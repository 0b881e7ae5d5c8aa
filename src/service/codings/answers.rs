//! Coders' answers about one request, what each person may see of them, the disagreements
//! waiting for a decision, and the decisions.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::evidence::{self, Evidence, EvidenceInput};
use super::{AnswerFields, Coding, answer_columns, codes_campaign, emails, finals, fitting, stored_answer};
use crate::domain::codebook::{Answer, Applies, Codebook};
use crate::domain::coding::{Basis, Final, decide, may_see_others};
use crate::domain::vocab::WorkspaceRole;
use crate::service::access::Intent;
use crate::service::convert::utc;
use crate::service::text::{self, Shape};
use crate::service::{Actor, FieldError, Service, ServiceError, ServiceResult, now};
use crate::store::AnyConnection;
use crate::store::answer_moves::{self, MoveTo};
use crate::store::codings::{self as store, AdjudicationRow, CodingRow, NewAdjudication, NewCoding};
use crate::store::models::RequestRow;

/// The longest memo or rationale, in characters.
pub const MEMO: usize = 5_000;

/// One answer to submit: the question, exactly one of `codes`, `number` and `text`, the
/// passages it rests on, and a memo.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodingInput {
    pub question: String,
    #[serde(default)]
    pub codes: Option<Vec<String>>,
    #[serde(default)]
    pub number: Option<f64>,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub evidence: Vec<EvidenceInput>,
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub memo: Option<String>,
}

/// A coder's answers to some of a request's questions, stored together or not at all.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitCodings {
    pub answers: Vec<CodingInput>,
}

/// One stored answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CodingView {
    pub id: i64,
    pub coder: String,
    #[serde(flatten)]
    pub answer: AnswerFields,
    pub evidence: Vec<Evidence>,
    pub memo: String,
    /// The codebook version it was answered with.
    pub codebook: i64,
    pub created_at: DateTime<Utc>,
}

/// An adjudicator's decision.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AdjudicationView {
    #[serde(flatten)]
    pub answer: AnswerFields,
    pub rationale: String,
    pub adjudicator: String,
    pub decided_at: DateTime<Utc>,
}

/// Where one question about a request stands, as the viewer may see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuestionState {
    pub question: String,
    /// `yes`, `no`, or `unknown` while the question it depends on has no final answer.
    pub applies: String,
    /// The viewer's own answer.
    #[schema(required = true)]
    pub mine: Option<CodingView>,
    /// Other coders' answers, once the viewer has answered (coding is blind until then).
    pub others: Vec<CodingView>,
    /// Other coders' answers the viewer may not see yet.
    pub others_hidden: usize,
    /// The final answer, when there is one and the viewer may see it.
    #[schema(required = true)]
    pub final_answer: Option<AnswerFields>,
    /// Why it is final: `single_coder`, `agreed` or `adjudicated`.
    #[schema(required = true)]
    pub basis: Option<Basis>,
    /// Coders disagree and no one has decided.
    pub undecided: bool,
    #[schema(required = true)]
    pub adjudication: Option<AdjudicationView>,
}

/// Every question of the campaign's codebook about one request.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestCodings {
    pub request: i64,
    pub reference: String,
    pub campaign: i64,
    /// The codebook version of the campaign's plan.
    pub codebook: i64,
    /// The coders the plan gives this request to.
    pub assigned_to: Vec<String>,
    pub questions: Vec<QuestionState>,
}

/// A decision on one question about one request.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdjudicationInput {
    pub question: String,
    #[serde(default)]
    pub codes: Option<Vec<String>>,
    #[serde(default)]
    pub number: Option<f64>,
    #[serde(default)]
    pub text: Option<String>,
    /// Why this answer: required.
    #[schema(max_length = 5000)]
    pub rationale: String,
}

/// A question about a request on which coders disagree and no one has decided.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Disagreement {
    pub request: i64,
    pub reference: String,
    pub question: String,
    pub answers: Vec<CodingView>,
}

/// Reads one answer's fields: exactly one of codes, number and text.
pub(super) fn answer_of(
    codes: &Option<Vec<String>>,
    number: Option<f64>,
    text: &Option<String>,
) -> Result<Answer, String> {
    match (codes, number, text) {
        (Some(c), None, None) => Ok(Answer::Codes(c.clone())),
        (None, Some(n), None) => Ok(Answer::Number(n)),
        (None, None, Some(t)) => Ok(Answer::Text(t.clone())),
        _ => Err("give exactly one of codes, number and text".into()),
    }
}

/// The coder's answers so far, question → codes, for deciding what applies.
fn codes_by_question<'a>(
    answers: impl IntoIterator<Item = (&'a str, &'a Answer)>,
) -> HashMap<String, Vec<String>> {
    answers
        .into_iter()
        .filter_map(|(q, a)| match a {
            Answer::Codes(c) => Some((q.to_string(), c.clone())),
            _ => None,
        })
        .collect()
}

impl Service {
    /// Stores a coder's answers about one request, all or none (coders, researchers, owners).
    /// Each answer must suit its question and the question must apply, judged on the coder's
    /// own answers including these; a question the coder has answered already is refused.
    pub fn submit_codings(
        &self,
        actor: &Actor,
        request_id: i64,
        input: SubmitCodings,
    ) -> ServiceResult<RequestCodings> {
        if input.answers.is_empty() {
            return Err(ServiceError::invalid_fields(vec![FieldError::new(
                "answers",
                "give at least one answer",
            )]));
        }
        let mut conn = self.db().conn()?;
        crate::store::write_transaction(&mut conn, |conn| {
            let request = self.request_for(
                conn,
                actor,
                request_id,
                Intent::Change(WorkspaceRole::can_record_events, "code replies"),
            )?;
            let coding = self.coding_for_request(conn, &request)?;
            self.store_answers(conn, &coding, &request, actor.user_id, &input.answers)?;
            self.request_codings_in(conn, actor, &coding, &request)
        })
    }

    /// Checks and stores answers by `coder`, refusing them all with every problem named.
    pub(super) fn store_answers(
        &self,
        conn: &mut AnyConnection,
        coding: &Coding,
        request: &RequestRow,
        coder: i64,
        inputs: &[CodingInput],
    ) -> ServiceResult<Vec<CodingRow>> {
        if !coding.coders.contains(&coder) {
            return Err(ServiceError::Forbidden(format!(
                "Only the coders named in campaign {}'s coding plan code its replies; a researcher adds \
                 them with foitrack codings plan.",
                coding.campaign.id
            )));
        }
        // Two coders answering at once must not each decide the final answer alone.
        crate::store::requests::lock_quietly(conn, request.id)?;
        let (mine, stale): (Vec<CodingRow>, Vec<CodingRow>) = store::of_request(conn, request.id)?
            .into_iter()
            .filter(|c| c.coder_id == coder)
            .partition(|c| fitting(&coding.codebook, c).is_some());
        let mut problems = Vec::new();
        let answers: Vec<Result<Answer, String>> =
            inputs.iter().map(|i| answer_of(&i.codes, i.number, &i.text)).collect();
        let mine: Vec<(String, Answer)> =
            mine.iter().map(|c| (c.question.clone(), stored_answer(&c.codes, c.number, &c.text))).collect();
        let given =
            inputs.iter().zip(&answers).filter_map(|(i, a)| Some((i.question.as_str(), a.as_ref().ok()?)));
        let own = codes_by_question(mine.iter().map(|(q, a)| (q.as_str(), a)).chain(given));
        for (i, (input, answer)) in inputs.iter().zip(&answers).enumerate() {
            let at = format!("answers[{i}]");
            let answer = match answer {
                Ok(a) => a,
                Err(m) => {
                    problems.push(FieldError::new(&at, m.as_str()));
                    continue;
                }
            };
            if mine.iter().any(|(q, _)| *q == input.question) {
                problems.push(FieldError::new(
                    &at,
                    format!("you have already answered {} for {}", input.question, request.reference),
                ));
            } else if inputs[..i].iter().any(|o| o.question == input.question) {
                problems.push(FieldError::new(&at, format!("{} is answered twice", input.question)));
            } else if let Err(m) = coding.codebook.check_answer(&input.question, answer, &own) {
                problems.push(FieldError::new(&at, m));
            }
            if let Some(m) = input.memo.as_deref().and_then(|m| text::problem(m, Shape::Block(MEMO))) {
                problems.push(FieldError::new(format!("{at}.memo"), m));
            }
            if let Answer::Text(t) = answer
                && let Some(m) = text::problem(t, Shape::Block(crate::domain::codebook::MAX_TEXT_ANSWER))
            {
                problems.push(FieldError::new(format!("{at}.text"), m));
            }
        }
        let mut passages = Vec::with_capacity(inputs.len());
        for (i, input) in inputs.iter().enumerate() {
            match evidence::resolve(conn, request.id, &input.evidence) {
                Ok(p) => passages.push(p),
                Err(ServiceError::Invalid { fields, .. }) => {
                    problems.extend(
                        fields
                            .into_iter()
                            .map(|f| FieldError::new(format!("answers[{i}].{}", f.field), f.message)),
                    );
                    passages.push(Vec::new());
                }
                Err(e) => return Err(e),
            }
        }
        if !problems.is_empty() {
            return Err(ServiceError::invalid_fields(problems));
        }
        let created_at = now();
        let mut stored = Vec::with_capacity(inputs.len());
        for ((input, answer), evidence) in inputs.iter().zip(answers.iter().flatten()).zip(passages) {
            let (codes, number, text) = answer_columns(answer);
            if let Some(old) = stale.iter().find(|c| c.question == input.question) {
                // Coding again what a move to this version left behind: the old answer is kept
                // as a move, made by the coder.
                let to = MoveTo {
                    campaign_id: coding.campaign.id,
                    codebook_id: coding.plan.codebook_id,
                    codes: codes.clone(),
                    moved_by: coder,
                    moved_at: created_at,
                };
                answer_moves::replace_coding(conn, old, &to)?;
            }
            let evidence = serde_json::to_string(&evidence)
                .map_err(|e| ServiceError::internal_from("Evidence could not be written as JSON", e))?;
            let row = store::insert(
                conn,
                &NewCoding {
                    workspace_id: request.workspace_id,
                    campaign_id: coding.campaign.id,
                    request_id: request.id,
                    codebook_id: coding.plan.codebook_id,
                    question: &input.question,
                    coder_id: coder,
                    codes,
                    number,
                    text,
                    evidence,
                    memo: input.memo.as_deref().unwrap_or(""),
                    created_at,
                },
            )?;
            finals::refresh(conn, &coding.codebook, coding.campaign.id, request.id, &input.question)?;
            stored.push(row);
        }
        Ok(stored)
    }

    /// Every question about a request, as the actor may see it.
    pub fn request_codings(&self, actor: &Actor, request_id: i64) -> ServiceResult<RequestCodings> {
        let mut conn = self.db().conn()?;
        crate::store::read_transaction(&mut conn, |conn| {
            let request = self.request_for(conn, actor, request_id, Intent::Read)?;
            let coding = self.coding_for_request(conn, &request)?;
            self.request_codings_in(conn, actor, &coding, &request)
        })
    }

    pub(super) fn coding_for_request(
        &self,
        conn: &mut AnyConnection,
        request: &RequestRow,
    ) -> ServiceResult<Coding> {
        let campaign_id = request.campaign_id.ok_or_else(|| {
            ServiceError::Conflict(format!(
                "{} is not part of a campaign; only a campaign's requests are coded.",
                request.reference
            ))
        })?;
        let campaign = crate::store::campaigns::by_id(conn, campaign_id)?
            .ok_or_else(|| ServiceError::internal(format!("Campaign {campaign_id} of a request is gone")))?;
        self.coding_of(conn, campaign)
    }

    pub(super) fn request_codings_in(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        coding: &Coding,
        request: &RequestRow,
    ) -> ServiceResult<RequestCodings> {
        let codings: Vec<CodingRow> = store::of_request(conn, request.id)?
            .into_iter()
            .filter(|c| fitting(&coding.codebook, c).is_some())
            .collect();
        let decisions = store::adjudications_of_request(conn, request.id)?;
        let blind = codes_campaign(conn, actor, coding)?;
        let assigned = coding.assignment().coders_of(request.id);
        let mut people: Vec<i64> =
            codings.iter().map(|c| c.coder_id).chain(assigned.iter().copied()).collect();
        people.extend(decisions.iter().map(|d| d.adjudicator_id));
        let names = emails(conn, &people)?;
        let finals = final_answers(&coding.codebook, &codings, &decisions);
        let answered_by_viewer =
            |q: &str| codings.iter().any(|c| c.question == q && c.coder_id == actor.user_id);
        // Whether a question applies is judged on the final answers the viewer may see: for a
        // blind coder, a final answer they may not see would tell them another coder's.
        let final_codes = codes_by_question(finals.iter().filter_map(|(q, f)| match f {
            Final::Decided(a, _) if may_see_others(blind, answered_by_viewer(q)) => Some((q.as_str(), a)),
            _ => None,
        }));
        let questions = coding
            .codebook
            .questions
            .iter()
            .map(|q| {
                let about: Vec<&CodingRow> = codings.iter().filter(|c| c.question == q.key).collect();
                let mine = about.iter().find(|c| c.coder_id == actor.user_id).map(|c| view(c, &names));
                let see = may_see_others(blind, mine.is_some());
                let others: Vec<CodingView> =
                    about.iter().filter(|c| c.coder_id != actor.user_id).map(|c| view(c, &names)).collect();
                let (answer, basis, undecided) = match finals.get(&q.key) {
                    Some(Final::Decided(a, b)) => (Some(AnswerFields::of(a)), Some(*b), false),
                    Some(Final::Undecided) => (None, None, true),
                    _ => (None, None, false),
                };
                let decision =
                    decisions.iter().find(|d| d.question == q.key).map(|d| decision_view(d, &names));
                QuestionState {
                    question: q.key.clone(),
                    applies: applies_word(coding.codebook.applies(&q.key, &final_codes)).into(),
                    mine,
                    others_hidden: if see { 0 } else { others.len() },
                    others: if see { others } else { Vec::new() },
                    final_answer: answer.filter(|_| see),
                    basis: basis.filter(|_| see),
                    undecided: undecided && see,
                    adjudication: decision.filter(|_| see),
                }
            })
            .collect();
        Ok(RequestCodings {
            request: request.id,
            reference: request.reference.clone(),
            campaign: coding.campaign.id,
            codebook: coding.plan.codebook_id,
            assigned_to: assigned.iter().map(|c| names.get(c).cloned().unwrap_or_default()).collect(),
            questions,
        })
    }

    /// The questions on which a campaign's coders disagree and no one has decided, for
    /// researchers and owners. A coder of the campaign sees only those they answered.
    pub fn disagreements(&self, actor: &Actor, campaign_id: i64) -> ServiceResult<Vec<Disagreement>> {
        Ok(self.adjudication_sheet(actor, campaign_id)?.disagreements)
    }

    /// Records the final answer to a question two coders or more answered (researchers and
    /// owners), replacing an earlier decision.
    pub fn adjudicate(
        &self,
        actor: &Actor,
        request_id: i64,
        input: AdjudicationInput,
    ) -> ServiceResult<RequestCodings> {
        let answer = answer_of(&input.codes, input.number, &input.text)
            .map_err(|m| ServiceError::invalid_fields(vec![FieldError::new("answer", m)]))?;
        if let Answer::Text(t) = &answer {
            text::check([("text", t.as_str(), Shape::Block(crate::domain::codebook::MAX_TEXT_ANSWER))])?;
        }
        if input.rationale.trim().is_empty() {
            return Err(ServiceError::invalid_fields(vec![FieldError::new(
                "rationale",
                "say why this answer",
            )]));
        }
        text::check([("rationale", input.rationale.as_str(), Shape::Block(MEMO))])?;
        let mut conn = self.db().conn()?;
        crate::store::write_transaction(&mut conn, |conn| {
            let request = self.request_for(
                conn,
                actor,
                request_id,
                Intent::Change(WorkspaceRole::can_manage_campaigns, "adjudicate"),
            )?;
            let coding = self.coding_for_request(conn, &request)?;
            crate::store::requests::lock_quietly(conn, request.id)?;
            let codings: Vec<CodingRow> = store::of_request(conn, request.id)?
                .into_iter()
                .filter(|c| fitting(&coding.codebook, c).is_some())
                .collect();
            let coders = codings.iter().filter(|c| c.question == input.question).count();
            if coders < 2 {
                return Err(ServiceError::Conflict(format!(
                    "{} has {coders} answer(s) to {}: there is nothing to adjudicate until two coders have answered.",
                    request.reference, input.question
                )));
            }
            let decisions = store::adjudications_of_request(conn, request.id)?;
            let mut finals = final_answers(&coding.codebook, &codings, &decisions);
            finals.remove(&input.question);
            let known = decided_codes(&finals);
            coding
                .codebook
                .check_answer(&input.question, &answer, &known)
                .map_err(|m| ServiceError::invalid_fields(vec![FieldError::new("question", m)]))?;
            let (codes, number, text) = answer_columns(&answer);
            store::put_adjudication(
                conn,
                &NewAdjudication {
                    workspace_id: request.workspace_id,
                    campaign_id: coding.campaign.id,
                    request_id: request.id,
                    question: &input.question,
                    codes,
                    number,
                    text,
                    rationale: input.rationale.trim(),
                    adjudicator_id: actor.user_id,
                    decided_at: now(),
                },
            )?;
            finals::refresh(conn, &coding.codebook, coding.campaign.id, request.id, &input.question)?;
            self.request_codings_in(conn, actor, &coding, &request)
        })
    }
}

/// The open disagreements of a campaign being coded, as the actor may see them.
pub(super) fn disagreements_in(
    conn: &mut AnyConnection,
    actor: &Actor,
    coding: &Coding,
) -> ServiceResult<Vec<Disagreement>> {
    let campaign_id = coding.campaign.id;
    let blind = codes_campaign(conn, actor, coding)?;
    let open = store::undecided(conn, campaign_id)?;
    let ids: Vec<i64> = open.iter().map(|(r, _, _)| *r).collect();
    let codings: Vec<CodingRow> = store::of_requests(conn, &ids)?
        .into_iter()
        .filter(|c| fitting(&coding.codebook, c).is_some())
        .collect();
    let names = emails(conn, &codings.iter().map(|c| c.coder_id).collect::<Vec<_>>())?;
    Ok(open
        .into_iter()
        .filter_map(|(request, reference, question)| {
            let about: Vec<&CodingRow> =
                codings.iter().filter(|c| c.request_id == request && c.question == question).collect();
            let answered = about.iter().any(|c| c.coder_id == actor.user_id);
            may_see_others(blind, answered).then(|| Disagreement {
                request,
                reference,
                question,
                answers: about.iter().map(|c| view(c, &names)).collect(),
            })
        })
        .collect())
}

/// The codes of the decided final answers, question → codes, for deciding what applies.
pub(super) fn decided_codes(finals: &HashMap<String, Final>) -> HashMap<String, Vec<String>> {
    codes_by_question(finals.iter().filter_map(|(q, f)| match f {
        Final::Decided(a, _) => Some((q.as_str(), a)),
        _ => None,
    }))
}

/// The final state of each question about one request.
pub(super) fn final_answers(
    book: &Codebook,
    codings: &[CodingRow],
    decisions: &[AdjudicationRow],
) -> HashMap<String, Final> {
    book.questions
        .iter()
        .map(|q| {
            let answers: Vec<Answer> =
                codings.iter().filter(|c| c.question == q.key).filter_map(|c| fitting(book, c)).collect();
            let decided = decisions
                .iter()
                .find(|d| d.question == q.key)
                .map(|d| stored_answer(&d.codes, d.number, &d.text))
                .filter(|a| q.fits(a));
            (q.key.clone(), decide(&answers.iter().collect::<Vec<_>>(), decided.as_ref()))
        })
        .collect()
}

fn applies_word(a: Applies) -> &'static str {
    match a {
        Applies::Yes => "yes",
        Applies::No => "no",
        Applies::Unknown => "unknown",
    }
}

fn view(c: &CodingRow, names: &HashMap<i64, String>) -> CodingView {
    CodingView {
        id: c.id,
        coder: names.get(&c.coder_id).cloned().unwrap_or_default(),
        answer: AnswerFields::of(&stored_answer(&c.codes, c.number, &c.text)),
        // Written by us from `Evidence`; unreadable would mean a changed format, shown as none.
        evidence: serde_json::from_str(&c.evidence).unwrap_or_default(),
        memo: c.memo.clone(),
        codebook: c.codebook_id,
        created_at: utc(c.created_at),
    }
}

fn decision_view(d: &AdjudicationRow, names: &HashMap<i64, String>) -> AdjudicationView {
    AdjudicationView {
        answer: AnswerFields::of(&stored_answer(&d.codes, d.number, &d.text)),
        rationale: d.rationale.clone(),
        adjudicator: names.get(&d.adjudicator_id).cloned().unwrap_or_default(),
        decided_at: utc(d.decided_at),
    }
}
