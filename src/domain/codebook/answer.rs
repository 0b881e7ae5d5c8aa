//! What a coder may answer to a question: the codes its type allows, or a number, or text, and
//! only when the question applies to the reply. One check serves coding by hand and importing
//! a coded spreadsheet.

use std::collections::HashMap;

use super::{Applies, Codebook, QuestionKind};

/// A coder's answer to one question about one reply.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Codes(Vec<String>),
    Number(f64),
    Text(String),
}

/// The largest number an answer may hold, either way: far beyond any count of staff or money,
/// and small enough that a quartile between two answers is still a number.
pub const MAX_NUMBER: f64 = 1e15;

/// The longest free-text answer, in characters: a coder's summary, not a copy of the reply.
pub const MAX_TEXT_ANSWER: usize = 10_000;

impl Codebook {
    /// Whether `answer` is a valid answer to `question`, given the same coder's answers so far
    /// for the reply (`own`: question key → codes), which decide whether it applies. The error
    /// is a sentence for the coder.
    pub fn check_answer(
        &self,
        question: &str,
        answer: &Answer,
        own: &HashMap<String, Vec<String>>,
    ) -> Result<(), String> {
        let Some(q) = self.question(question) else {
            let keys: Vec<&str> = self.questions.iter().map(|q| q.key.as_str()).collect();
            return Err(format!(
                "\"{question}\" is not a question of {}; its questions are {}",
                self.key,
                keys.join(", ")
            ));
        };
        match (q.kind, answer) {
            (QuestionKind::Number, Answer::Number(x)) if x.is_finite() && x.abs() <= MAX_NUMBER => {}
            (QuestionKind::Number, Answer::Number(_)) => {
                return Err(format!("{question} takes a number between -{MAX_NUMBER:e} and {MAX_NUMBER:e}"));
            }
            (QuestionKind::Number, _) => return Err(format!("{question} takes a number")),
            (QuestionKind::Text, Answer::Text(t)) if !t.trim().is_empty() => {
                if t.chars().count() > MAX_TEXT_ANSWER {
                    return Err(format!("{question} takes at most {MAX_TEXT_ANSWER} characters"));
                }
            }
            (QuestionKind::Text, _) => return Err(format!("{question} takes some text")),
            (kind, Answer::Codes(codes)) => check_codes(question, kind, &q.code_keys(), codes)?,
            (_, _) => return Err(format!("{question} takes codes: {}", q.code_keys().join(", "))),
        }
        match self.applies(question, own) {
            Applies::Yes => Ok(()),
            Applies::No => {
                let c = q.applies_when.as_ref().map(|c| (c.question.as_str(), c.codes.join(" or ")));
                let (on, codes) = c.unwrap_or_default();
                Err(format!("{question} does not apply to this reply: it applies only when {on} is {codes}"))
            }
            Applies::Unknown => {
                let on = q.applies_when.as_ref().map_or("", |c| c.question.as_str());
                Err(format!("code {on} first: whether {question} applies depends on it"))
            }
        }
    }
}

pub(super) fn check_codes(
    question: &str,
    kind: QuestionKind,
    known: &[&str],
    codes: &[String],
) -> Result<(), String> {
    if let Some(unknown) = codes.iter().find(|c| !known.contains(&c.as_str())) {
        return Err(format!("\"{unknown}\" is not a code of {question}; its codes are {}", known.join(", ")));
    }
    let distinct: std::collections::HashSet<&String> = codes.iter().collect();
    if distinct.len() != codes.len() {
        return Err(format!("a code of {question} is given twice"));
    }
    match (kind, codes.len()) {
        (QuestionKind::Multiple, 0) => Err(format!("{question} needs at least one code")),
        (QuestionKind::Multiple, _) | (_, 1) => Ok(()),
        _ => Err(format!("{question} takes exactly one code")),
    }
}
