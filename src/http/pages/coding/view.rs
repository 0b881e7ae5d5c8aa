//! The coding page's contents, built from a coder's sheet: the texts with their suggested
//! passages marked, and each question with its choices, or the answers already given.

use askama::Template;

use super::form::Posted;
use crate::domain::codebook::{Codebook, Question, QuestionKind, YES_NO_UNCLEAR};
use crate::http::pages::passages::{Piece, marked};
use crate::http::pages::session::Me;
use crate::service::codings::{AnswerFields, CodingSheet, CodingView, QuestionState, SHOWN_CHARS};

#[derive(Template)]
#[template(path = "code.html")]
pub struct CodePage {
    pub signed_in_as: Option<Me>,
    pub id: i64,
    pub reference: String,
    pub campaign: i64,
    pub campaign_title: String,
    pub assigned: String,
    pub previous: Option<(i64, String)>,
    pub next: Option<(i64, String)>,
    pub texts: Vec<TextView>,
    pub questions: Vec<QuestionView>,
    pub open: usize,
    /// A viewer reads the codings without a button to save any.
    pub may_code: bool,
    pub problems: Vec<String>,
    /// What was just done, once.
    pub saved: Option<String>,
    pub shown_chars: usize,
}

pub struct TextView {
    pub message: i64,
    /// The attachment's position, or empty for the message's own text.
    pub attachment: String,
    pub name: String,
    pub pieces: Vec<Piece>,
    pub shortened: bool,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

pub struct QuestionView {
    pub key: String,
    pub label: String,
    pub description: String,
    /// `choice` (radio buttons), `choices` (boxes), `number` or `text`.
    pub input: &'static str,
    /// The coder may answer it now.
    pub open: bool,
    pub applies: String,
    pub choices: Vec<Choice>,
    /// What the coder typed, kept when the form comes back with a problem.
    pub value: String,
    pub evidence: String,
    pub memo: String,
    pub mine: Option<Given>,
    pub others: Vec<Given>,
    pub hidden: usize,
    pub final_answer: Option<String>,
    /// Suggested code and the words that suggested it.
    pub suggested: Vec<(String, String)>,
}

/// An answer given, in words.
pub struct Given {
    pub coder: String,
    pub answer: String,
    pub quotes: Vec<String>,
    pub memo: String,
}

/// The page for a sheet; `posted` refills the form when it comes back with problems.
pub fn page(me: Me, sheet: CodingSheet, posted: &Posted, problems: Vec<String>) -> CodePage {
    let book = &sheet.codebook;
    let mut suggested: Vec<(String, String, String)> = Vec::new();
    let texts = sheet
        .texts
        .iter()
        .map(|t| {
            let spans: Vec<(usize, usize, String)> = t
                .suggestions
                .iter()
                .map(|s| (s.start, s.end, format!("suggests {}", code_label(book, &s.question, &s.code))))
                .collect();
            suggested
                .extend(t.suggestions.iter().map(|s| (s.question.clone(), s.code.clone(), s.quote.clone())));
            TextView {
                message: t.message,
                attachment: t.attachment.map(|a| a.to_string()).unwrap_or_default(),
                name: t.name.clone(),
                pieces: marked(&t.text, &spans),
                shortened: t.shortened,
            }
        })
        .collect();
    let questions: Vec<QuestionView> = book
        .questions
        .iter()
        .zip(&sheet.codings.questions)
        .map(|(q, state)| question(book, q, state, posted, &suggested))
        .collect();
    let c = sheet.codings;
    CodePage {
        signed_in_as: Some(me),
        id: c.request,
        reference: c.reference,
        campaign: c.campaign,
        campaign_title: sheet.campaign_title,
        assigned: c.assigned_to.join(", "),
        previous: sheet.previous.map(|q| (q.request, q.reference)),
        next: sheet.next.map(|q| (q.request, q.reference)),
        texts,
        open: questions.iter().filter(|q| q.open).count(),
        may_code: sheet.may_code,
        questions,
        saved: None,
        problems,
        shown_chars: SHOWN_CHARS,
    }
}

fn question(
    book: &Codebook,
    q: &Question,
    state: &QuestionState,
    posted: &Posted,
    suggested: &[(String, String, String)],
) -> QuestionView {
    let field = |prefix: &str| posted.first(&format!("{prefix}.{}", q.key)).unwrap_or("").to_string();
    let answered: Vec<&str> = posted.values(&format!("answer.{}", q.key)).collect();
    QuestionView {
        key: q.key.clone(),
        label: q.label.clone(),
        description: q.description.clone(),
        input: input_of(q),
        open: state.mine.is_none() && state.applies != "no",
        applies: state.applies.clone(),
        choices: choices(q, &answered),
        value: field("answer"),
        evidence: field("evidence"),
        memo: field("memo"),
        mine: state.mine.as_ref().map(|c| given(book, q, c)),
        others: state.others.iter().map(|c| given(book, q, c)).collect(),
        hidden: state.others_hidden,
        final_answer: state.final_answer.as_ref().map(|a| in_words(book, q, a)),
        suggested: suggested
            .iter()
            .filter(|(question, _, _)| *question == q.key)
            .map(|(_, code, quote)| (code_label(book, &q.key, code), quote.clone()))
            .collect(),
    }
}

/// A question's codes to choose from, `checked` ticked; for multiple choice, "None of these"
/// too, posted as an empty value.
pub fn choices(q: &Question, checked: &[&str]) -> Vec<Choice> {
    let codes = match q.kind {
        QuestionKind::YesNoUnclear => {
            YES_NO_UNCLEAR.iter().map(|k| (k.to_string(), capitalised(k))).collect()
        }
        _ => q.codes.iter().map(|c| (c.key.clone(), c.label.clone())).collect::<Vec<_>>(),
    };
    let mut choices: Vec<Choice> = codes
        .into_iter()
        .map(|(value, label)| Choice { checked: checked.contains(&value.as_str()), value, label })
        .collect();
    if q.kind == QuestionKind::Multiple {
        choices.push(Choice {
            checked: checked.contains(&""),
            value: String::new(),
            label: "None of these".into(),
        });
    }
    choices
}

/// How a question is answered on a form: `choice` (radio buttons), `choices` (boxes), `number`
/// or `text`.
pub fn input_of(q: &Question) -> &'static str {
    match q.kind {
        QuestionKind::Single | QuestionKind::YesNoUnclear => "choice",
        QuestionKind::Multiple => "choices",
        QuestionKind::Number => "number",
        QuestionKind::Text => "text",
    }
}

pub fn given(book: &Codebook, q: &Question, c: &CodingView) -> Given {
    Given {
        coder: c.coder.clone(),
        answer: in_words(book, q, &c.answer),
        quotes: c.evidence.iter().map(|e| e.quote.clone()).collect(),
        memo: c.memo.clone(),
    }
}

/// An answer as a coder reads it: code labels, a number, or the text.
pub fn in_words(book: &Codebook, q: &Question, a: &AnswerFields) -> String {
    match (&a.codes, a.number, &a.text) {
        (Some(codes), _, _) if codes.is_empty() => "None of these".into(),
        (Some(codes), _, _) => {
            codes.iter().map(|c| code_label(book, &q.key, c)).collect::<Vec<_>>().join(", ")
        }
        (None, Some(n), _) => n.to_string(),
        (None, None, t) => t.clone().unwrap_or_default(),
    }
}

/// A code's label, or its key when the codebook has no such code.
pub fn code_label(book: &Codebook, question: &str, code: &str) -> String {
    book.question(question)
        .and_then(|q| q.codes.iter().find(|c| c.key == code))
        .map(|c| c.label.clone())
        .unwrap_or_else(|| capitalised(code))
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}
