//! Keeping `final_codes` in step with the answers and decisions on one question.

use crate::domain::codebook::Answer;
use crate::domain::coding::{Final, decide};
use crate::service::ServiceResult;
use crate::store::AnyConnection;
use crate::store::codings::{self as store, NewFinal};

/// Decides the final answer to `question` about a request from what is stored, and rewrites
/// its rows. Runs in the transaction that wrote the answer or the decision.
pub(super) fn refresh(
    conn: &mut AnyConnection,
    campaign_id: i64,
    request_id: i64,
    question: &str,
) -> ServiceResult<Final> {
    let answers: Vec<Answer> = store::of_question(conn, request_id, question)?
        .iter()
        .map(|c| super::stored_answer(&c.codes, c.number, &c.text))
        .collect();
    let adjudicated = store::adjudication(conn, request_id, question)?
        .map(|a| super::stored_answer(&a.codes, a.number, &a.text));
    let decided = decide(&answers.iter().collect::<Vec<_>>(), adjudicated.as_ref());
    store::replace_finals(conn, request_id, question, &rows(campaign_id, request_id, question, &decided))?;
    Ok(decided)
}

fn rows(campaign_id: i64, request_id: i64, question: &str, decided: &Final) -> Vec<NewFinal> {
    let row = |code: Option<String>, number: Option<f64>, undecided: bool| NewFinal {
        campaign_id,
        request_id,
        question: question.to_string(),
        code,
        number,
        undecided,
    };
    match decided {
        Final::NotCoded => Vec::new(),
        Final::Undecided => vec![row(None, None, true)],
        Final::Decided(Answer::Codes(codes), _) => {
            codes.iter().map(|c| row(Some(c.clone()), None, false)).collect()
        }
        Final::Decided(Answer::Number(n), _) => vec![row(None, Some(*n), false)],
        Final::Decided(Answer::Text(_), _) => vec![row(None, None, false)],
    }
}
