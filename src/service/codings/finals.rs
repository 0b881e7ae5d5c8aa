//! Keeping `final_codes` in step with the answers and decisions on one question, and with
//! whether the questions that depend on it still apply.

use crate::domain::codebook::{Answer, Codebook};
use crate::domain::coding::{Final, decide};
use crate::service::ServiceResult;
use crate::store::AnyConnection;
use crate::store::codings::{self as store, NewFinal};

/// Decides the final answer to `question` about a request from what is stored, rewrites its
/// rows, and rewrites whether each question conditioned on it applies. Runs in the transaction
/// that wrote the answer or the decision.
pub(super) fn refresh(
    conn: &mut AnyConnection,
    book: &Codebook,
    campaign_id: i64,
    request_id: i64,
    question: &str,
) -> ServiceResult<Final> {
    let answers: Vec<Answer> = store::of_question(conn, request_id, question)?
        .iter()
        .filter_map(|c| super::fitting(book, c))
        .collect();
    let fits = |a: &Answer| book.question(question).is_some_and(|q| q.fits(a));
    let adjudicated = store::adjudication(conn, request_id, question)?
        .map(|a| super::stored_answer(&a.codes, a.number, &a.text))
        .filter(fits);
    let decided = decide(&answers.iter().collect::<Vec<_>>(), adjudicated.as_ref());
    let at = Place { campaign_id, request_id, question, region: store::region_of(conn, request_id)? };
    let applies = applies(conn, book, request_id, question)?;
    store::replace_finals(conn, request_id, question, &rows(&at, applies, &decided))?;
    dependents(conn, book, request_id, question, book.questions.len()).map(|()| decided)
}

/// Decides every final answer of a campaign again, under the codebook its plan now names (its
/// conditions may have changed). Questions in the codebook's order: a condition only names an
/// earlier question, whose final answer is then in place.
pub(super) fn rebuild(conn: &mut AnyConnection, book: &Codebook, campaign_id: i64) -> ServiceResult<()> {
    store::delete_finals(conn, campaign_id)?;
    for request_id in store::coded_requests(conn, campaign_id)? {
        for q in &book.questions {
            refresh(conn, book, campaign_id, request_id, &q.key)?;
        }
    }
    Ok(())
}

/// Whether `question`'s condition holds in the request's final answers (a question without one
/// always applies).
fn applies(
    conn: &mut AnyConnection,
    book: &Codebook,
    request_id: i64,
    question: &str,
) -> ServiceResult<bool> {
    match book.question(question).and_then(|q| q.applies_when.as_ref()) {
        None => Ok(true),
        Some(c) => Ok(store::final_has(conn, request_id, &c.question, &c.codes)?),
    }
}

/// Rewrites whether each question conditioned on `question` applies, and so on down the chain;
/// `depth` bounds it (a checked codebook's conditions only look back, so they cannot loop).
fn dependents(
    conn: &mut AnyConnection,
    book: &Codebook,
    request_id: i64,
    question: &str,
    depth: usize,
) -> ServiceResult<()> {
    if depth == 0 {
        return Ok(());
    }
    for d in book.questions.iter().filter(|d| d.applies_when.as_ref().is_some_and(|c| c.question == question))
    {
        let holds = applies(conn, book, request_id, &d.key)?;
        store::set_applies(conn, request_id, &d.key, holds)?;
        dependents(conn, book, request_id, &d.key, depth - 1)?;
    }
    Ok(())
}

struct Place<'a> {
    campaign_id: i64,
    request_id: i64,
    question: &'a str,
    region: Option<String>,
}

fn rows(at: &Place, applies: bool, decided: &Final) -> Vec<NewFinal> {
    let row = |code: Option<String>, number: Option<f64>, undecided: bool| NewFinal {
        campaign_id: at.campaign_id,
        request_id: at.request_id,
        question: at.question.to_string(),
        code,
        number,
        undecided,
        applies,
        region: at.region.clone(),
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
