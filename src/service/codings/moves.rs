//! Carrying a campaign's answers forward when its plan moves to a newer version of its codebook.
//!
//! Each answer is read through the codes every version in between `replaces` (renamed codes take
//! their new key; merged codes the one they were merged into). An answer that then fits the new
//! version is rewritten to it, and kept as it was in `answer_moves`. One that does not (a code
//! dropped with nothing replacing it, a question gone or of another type) keeps its version, and
//! is left out of the final answers until it is coded again.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::codebook::{Answer, Codebook, carry_forward};
use crate::domain::coding::{codes_from_column, codes_to_column};
use crate::service::{ServiceError, ServiceResult, now};
use crate::store::AnyConnection;
use crate::store::answer_moves::{self as store, AnswerGroup, Held, MoveTo};
use crate::store::codebooks as codebook_store;

/// What moving a plan to a newer codebook version did to the answers already given.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct MovedForward {
    /// Coders' answers moved to the new version: their codes carried through renames and merges,
    /// or their number or text kept.
    pub codings: usize,
    /// Adjudicated answers whose codes were renamed or merged.
    pub adjudications: usize,
    /// Answers that do not fit the new version, by question: they keep their version, and count
    /// in no final answer until the question is coded again.
    pub left_behind: BTreeMap<String, i64>,
}

/// The campaign's plan moves from the version `from` to `to` (both of one codebook, `to` the
/// newer): carries every answer that can be carried.
pub(super) fn move_forward(
    conn: &mut AnyConnection,
    campaign_id: i64,
    from: i64,
    to: &crate::store::codebooks::CodebookRow,
    moved_by: i64,
) -> ServiceResult<MovedForward> {
    let versions: Vec<(i64, Codebook)> = codebook_store::versions(conn, to.workspace_id, &to.key)?
        .into_iter()
        .filter(|row| row.version <= to.version)
        .map(|row| {
            serde_json::from_str(&row.definition).map(|book| (row.id, book)).map_err(|e| {
                ServiceError::internal_from(format!("Stored codebook {} does not read", row.id), e)
            })
        })
        .collect::<ServiceResult<_>>()?;
    let Some((_, newest)) = versions.last() else { return Ok(MovedForward::default()) };
    // The versions after the one an answer was given with, oldest first.
    let after = |codebook_id: i64| -> Option<Vec<&Codebook>> {
        let at = versions.iter().position(|(id, _)| *id == codebook_id)?;
        Some(versions[at + 1..].iter().map(|(_, b)| b).collect())
    };
    // One time for the whole move, so its records read as the one change they are.
    let moved_at = now();
    let target =
        |codes: Option<String>| MoveTo { campaign_id, codebook_id: to.id, codes, moved_by, moved_at };
    let mut moved = MovedForward::default();
    for group in store::coding_groups(conn, campaign_id, to.id)? {
        match after(group.codebook_id).and_then(|later| carried(&later, newest, &group)) {
            Some(codes) => moved.codings += store::move_codings(conn, &group, &target(codes))?,
            None => {
                *moved.left_behind.entry(group.question.clone()).or_default() +=
                    store::coding_count(conn, campaign_id, &group)?;
            }
        }
    }
    for group in store::adjudication_groups(conn, campaign_id, from)? {
        match after(from).and_then(|later| carried(&later, newest, &group)) {
            Some(codes) if codes.as_ref() != held_codes(&group.held) => {
                moved.adjudications += store::move_adjudications(conn, &group, &target(codes))?;
            }
            Some(_) => {}
            None => {
                *moved.left_behind.entry(group.question.clone()).or_default() +=
                    store::adjudication_count(conn, campaign_id, &group)?;
            }
        }
    }
    Ok(moved)
}

/// The group's answer read through `later` versions, if it fits the newest: its codes as
/// stored (none for a number or text).
fn carried(later: &[&Codebook], newest: &Codebook, group: &AnswerGroup) -> Option<Option<String>> {
    let answer = match &group.held {
        Held::Codes(c) => Answer::Codes(codes_from_column(c)),
        Held::Number => Answer::Number(0.0),
        Held::Text => Answer::Text(String::new()),
    };
    let answer = carry_forward(later, &group.question, &answer);
    newest.question(&group.question).filter(|q| q.fits(&answer))?;
    Some(match answer {
        Answer::Codes(codes) => Some(codes_to_column(&codes)),
        Answer::Number(_) | Answer::Text(_) => None,
    })
}

fn held_codes(held: &Held) -> Option<&String> {
    match held {
        Held::Codes(c) => Some(c),
        Held::Number | Held::Text => None,
    }
}
