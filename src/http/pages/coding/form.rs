//! The coding form as posted, read into the same answers the API takes. Fields are named after
//! the question: `answer.KEY` (repeated for multiple choice), `evidence.KEY` and `memo.KEY`.

use crate::domain::codebook::{Codebook, Question, QuestionKind};
use crate::service::codings::{CodingInput, EvidenceInput};

/// The posted fields, in order, repeated names kept.
#[derive(Debug, Default, Clone)]
pub struct Posted(Vec<(String, String)>);

impl Posted {
    pub fn parse(body: &[u8]) -> Self {
        Self(url::form_urlencoded::parse(body).into_owned().collect())
    }

    pub fn values(&self, name: &str) -> impl Iterator<Item = &str> {
        let name = name.to_string();
        self.0.iter().filter(move |(n, _)| *n == name).map(|(_, v)| v.as_str())
    }

    pub fn first(&self, name: &str) -> Option<&str> {
        self.values(name).next()
    }

    /// The trimmed value of a field, when it is there and not blank.
    pub fn filled(&self, name: &str) -> Option<&str> {
        self.first(name).map(str::trim).filter(|v| !v.is_empty())
    }
}

/// The answers given, in the codebook's order; or what is wrong with them, each problem
/// beginning with the question's label.
pub fn answers(book: &Codebook, posted: &Posted) -> Result<Vec<CodingInput>, Vec<String>> {
    let mut answers = Vec::new();
    let mut problems = Vec::new();
    for q in &book.questions {
        let evidence = posted.filled(&format!("evidence.{}", q.key));
        let memo = posted.filled(&format!("memo.{}", q.key));
        let answer = match answer(q, posted) {
            Ok(a) => a,
            Err(p) => {
                problems.push(p);
                continue;
            }
        };
        let Some(mut input) = answer else {
            if evidence.is_some() || memo.is_some() {
                problems.push(format!("{}: there is evidence or a memo but no answer", q.label));
            }
            continue;
        };
        match evidence.map(|e| passages(q, e)).transpose() {
            Ok(passages) => input.evidence = passages.unwrap_or_default(),
            Err(p) => problems.push(p),
        }
        input.memo = memo.map(str::to_string);
        answers.push(input);
    }
    if problems.is_empty() { Ok(answers) } else { Err(problems) }
}

fn answer(q: &Question, posted: &Posted) -> Result<Option<CodingInput>, String> {
    let name = format!("answer.{}", q.key);
    let blank = CodingInput {
        question: q.key.clone(),
        codes: None,
        number: None,
        text: None,
        evidence: Vec::new(),
        memo: None,
    };
    Ok(match q.kind {
        // A multiple-choice question is answered when any of its boxes, "none" included, is ticked.
        QuestionKind::Multiple if posted.first(&name).is_some() => Some(CodingInput {
            codes: Some(posted.values(&name).filter(|v| !v.is_empty()).map(str::to_string).collect()),
            ..blank
        }),
        QuestionKind::Multiple => None,
        QuestionKind::Single | QuestionKind::YesNoUnclear => {
            posted.filled(&name).map(|c| CodingInput { codes: Some(vec![c.to_string()]), ..blank })
        }
        QuestionKind::Number => match posted.filled(&name) {
            None => None,
            Some(n) => match n.parse::<f64>() {
                Ok(n) if n.is_finite() => Some(CodingInput { number: Some(n), ..blank }),
                _ => {
                    return Err(format!("{}: \"{n}\" is not a number; write one such as 12 or 2.5", q.label));
                }
            },
        },
        QuestionKind::Text => {
            posted.filled(&name).map(|t| CodingInput { text: Some(t.to_string()), ..blank })
        }
    })
}

/// Passages written as `MESSAGE:START-END`, or `MESSAGE/ATTACHMENT:START-END`, separated by
/// spaces: what the page's script writes when a coder selects a passage.
fn passages(q: &Question, field: &str) -> Result<Vec<EvidenceInput>, String> {
    field
        .split_whitespace()
        .map(|token| {
            passage(token).ok_or_else(|| {
                format!(
                    "{}: the evidence \"{token}\" is not a passage; select one in the reply and press E, \
                     or write one such as 12:40-95",
                    q.label
                )
            })
        })
        .collect()
}

fn passage(token: &str) -> Option<EvidenceInput> {
    let (source, range) = token.split_once(':')?;
    let (message, attachment) = match source.split_once('/') {
        Some((m, a)) => (m.parse().ok()?, Some(a.parse().ok()?)),
        None => (source.parse().ok()?, None),
    };
    let (start, end) = range.split_once('-')?;
    Some(EvidenceInput {
        message,
        attachment,
        start: start.parse().ok()?,
        end: end.parse().ok()?,
        quote: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::codebook::ABT_CODEBOOK;

    fn book() -> Codebook {
        Codebook::from_toml(ABT_CODEBOOK).unwrap()
    }

    fn keyed(q: &str, answers: &[CodingInput]) -> Option<CodingInput> {
        answers.iter().find(|a| a.question == q).cloned()
    }

    #[test]
    fn each_kind_of_question_is_read_from_its_fields() {
        let posted = Posted::parse(
            b"answer.offers_abt=yes&evidence.offers_abt=12%3A4-30+12%2F1%3A0-9&memo.offers_abt=+clear+\
              &answer.staff_completed=+40+&answer.provider=&answer.materials=some+words",
        );
        let got = answers(&book(), &posted).unwrap();
        let offers = keyed("offers_abt", &got).unwrap();
        assert_eq!(offers.codes, Some(vec!["yes".to_string()]));
        let ev: Vec<_> = offers.evidence.iter().map(|e| (e.message, e.attachment, e.start, e.end)).collect();
        assert_eq!(ev, [(12, None, 4, 30), (12, Some(1), 0, 9)]);
        assert_eq!(offers.memo.as_deref(), Some("clear"));
        assert_eq!(keyed("staff_completed", &got).unwrap().number, Some(40.0));
        assert!(keyed("provider", &got).is_none(), "a blank choice is no answer");
    }

    #[test]
    fn a_multiple_choice_question_answered_none_is_an_empty_list_and_text_is_kept() {
        let book = Codebook::from_toml(
            r#"
key = "k"
title = "K"
[[questions]]
key = "topics"
label = "Topics"
type = "multiple"
codes = [{ key = "a", label = "A" }, { key = "b", label = "B" }]
[[questions]]
key = "notes"
label = "Notes"
type = "text"
"#,
        )
        .unwrap();
        let none = answers(&book, &Posted::parse(b"answer.topics=&answer.notes=+as+said+")).unwrap();
        assert_eq!(none[0].codes, Some(Vec::new()));
        assert_eq!(none[1].text.as_deref(), Some("as said"));
        let two = answers(&book, &Posted::parse(b"answer.topics=&answer.topics=a&answer.topics=b")).unwrap();
        assert_eq!(two[0].codes, Some(vec!["a".to_string(), "b".to_string()]));
        assert!(answers(&book, &Posted::default()).unwrap().is_empty(), "no box ticked, no answer");
    }

    #[test]
    fn mistakes_are_named_by_question_and_all_reported() {
        let posted = Posted::parse(
            b"answer.staff_completed=lots&answer.offers_abt=yes&evidence.offers_abt=12:9&memo.provider=why",
        );
        let problems = answers(&book(), &posted).unwrap_err();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("\"lots\" is not a number")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("\"12:9\" is not a passage")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("evidence or a memo but no answer")), "{problems:?}");
    }
}
