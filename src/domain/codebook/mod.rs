//! A codebook: the questions a coder answers about each reply, the codes each question may
//! take, and when a question applies at all (which sets the denominators of the report).
//!
//! One shape serves the TOML files of `config/codebooks/` and the API's JSON: [`Codebook`] is
//! read as written, then [`Codebook::check`] refuses anything a coder or the report could trip
//! over, every problem at once, each with where it is.

mod answer;
mod check;
pub mod qdc;
mod rules;
#[cfg(test)]
mod tests;
mod versions;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

pub use answer::{Answer, MAX_TEXT_ANSWER};
pub use check::Problem;
pub use rules::{Rule, Suggester, Suggestion};
pub use versions::carry_forward;

/// What kind of answer a question takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// One of its codes.
    Single,
    /// Any of its codes, or none.
    Multiple,
    /// `yes`, `no` or `unclear`: codes built in, not listed.
    YesNoUnclear,
    /// A number, such as the staff who completed the training.
    Number,
    /// Free text.
    Text,
}

impl QuestionKind {
    /// Whether the question's answers are codes (and so may have codes, and be a condition).
    pub fn has_codes(self) -> bool {
        matches!(self, Self::Single | Self::Multiple | Self::YesNoUnclear)
    }
}

/// The codes a yes / no / unclear question has without listing them.
pub const YES_NO_UNCLEAR: [&str; 3] = ["yes", "no", "unclear"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Codebook {
    /// A short name: lower-case letters, digits and `_`, starting with a letter.
    pub key: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub questions: Vec<Question>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub key: String,
    /// The question as a coder reads it.
    pub label: String,
    #[serde(default)]
    pub description: String,
    #[serde(rename = "type")]
    pub kind: QuestionKind,
    /// The codes, in the order coders see them; none for numbers and text, and none listed for
    /// yes / no / unclear.
    #[serde(default)]
    pub codes: Vec<Code>,
    /// When the question applies; without it, it applies to every reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applies_when: Option<Condition>,
    /// Rules that suggest its codes from a reply's text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<Rule>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Code {
    pub key: String,
    pub label: String,
    #[serde(default)]
    pub description: String,
    /// `#rrggbb`, for highlighting evidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub colour: Option<String>,
    /// The key of a broader code of the same question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Codes of the question's earlier versions that this code takes the place of: one for a
    /// renamed code, several for codes merged into it. Moving a campaign's plan to this version
    /// carries answers given with them forward (see [`carry_forward`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replaces: Vec<String>,
}

/// "Applies when `question` was coded with one of `is`", for example `provider` applies when
/// `offers_abt` is `yes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub question: String,
    #[serde(rename = "is")]
    pub codes: Vec<String>,
}

/// Whether a question applies to one reply, given its final codes so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applies {
    Yes,
    No,
    /// The question it depends on has no final code yet (not coded, or undecided).
    Unknown,
}

impl Codebook {
    /// Reads a codebook file, then checks it.
    pub fn from_toml(text: &str) -> Result<Self, Vec<Problem>> {
        let book: Codebook = toml::from_str(text).map_err(|e| vec![check::toml_problem(&e, text)])?;
        book.check()?;
        Ok(book)
    }

    pub fn question(&self, key: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.key == key)
    }

    /// Whether `question` applies to a reply whose final codes are `finals` (question key →
    /// codes). A condition on a question that itself does not apply does not hold.
    pub fn applies(&self, question: &str, finals: &HashMap<String, Vec<String>>) -> Applies {
        // A checked codebook's conditions only look back, so the chain is at most as long as
        // the questions; the bound keeps an unchecked one (a condition on itself) from looping.
        self.applies_within(question, finals, self.questions.len())
    }

    fn applies_within(&self, question: &str, finals: &HashMap<String, Vec<String>>, depth: usize) -> Applies {
        let Some(q) = self.question(question) else { return Applies::No };
        let Some(condition) = &q.applies_when else { return Applies::Yes };
        if depth == 0 {
            return Applies::No;
        }
        match self.applies_within(&condition.question, finals, depth - 1) {
            Applies::Yes => {}
            other => return other,
        }
        match finals.get(&condition.question) {
            None => Applies::Unknown,
            Some(codes) if codes.iter().any(|c| condition.codes.contains(c)) => Applies::Yes,
            Some(_) => Applies::No,
        }
    }
}

impl Question {
    /// Whether an answer has this question's shape: codes it has, as many as its type takes
    /// (one, or for multiple choice one or more), for a question with codes; a number for a
    /// number; text for text. An answer given under an older version of the codebook may not.
    pub fn fits(&self, answer: &Answer) -> bool {
        match (self.kind, answer) {
            (QuestionKind::Number, Answer::Number(_)) | (QuestionKind::Text, Answer::Text(_)) => true,
            // Known codes, as many as the type takes: the same rule coding by hand applies.
            (kind, Answer::Codes(codes)) if kind.has_codes() => {
                answer::check_codes(&self.key, kind, &self.code_keys(), codes).is_ok()
            }
            _ => false,
        }
    }

    /// Every code key this question accepts, built-in ones included.
    pub fn code_keys(&self) -> Vec<&str> {
        match self.kind {
            QuestionKind::YesNoUnclear => YES_NO_UNCLEAR.to_vec(),
            _ => self.codes.iter().map(|c| c.key.as_str()).collect(),
        }
    }
}

/// The codebook foitrack ships: the active bystander training study.
pub const ABT_CODEBOOK: &str = include_str!("../../../config/codebooks/abt.toml");
