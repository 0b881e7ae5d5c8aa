//! What makes a codebook usable: every problem found at once, each with where it is.

use std::collections::{HashMap, HashSet};

use super::{Codebook, Question, QuestionKind};

/// One problem in a codebook. `at` is a path such as `questions.provider.codes.external`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", if at.is_empty() { String::new() } else { format!("{at}: ") })]
pub struct Problem {
    pub at: String,
    pub message: String,
}

impl Problem {
    pub fn new(at: impl Into<String>, message: impl Into<String>) -> Self {
        Self { at: at.into(), message: message.into() }
    }
}

/// A TOML error as one sentence at its line, without the excerpt of the file it quotes.
pub(super) fn toml_problem(e: &toml::de::Error, text: &str) -> Problem {
    let line = e.span().map(|s| {
        let before = &text.as_bytes()[..s.start.min(text.len())];
        before.iter().filter(|&&b| b == b'\n').count() + 1
    });
    Problem::new(
        line.map(|l| format!("line {l}")).unwrap_or_default(),
        format!("cannot be read as a codebook: {}", e.message().trim_end_matches('.')),
    )
}

/// Words that R, Stata or SPSS reserve, so cannot name a column there.
pub(super) const RESERVED: [&str; 27] = [
    "if", "in", "by", "to", "and", "or", "not", "eq", "ne", "ge", "gt", "le", "lt", "all", "with", "using",
    "for", "while", "repeat", "function", "next", "break", "else", "byte", "double", "float", "long",
];

/// The columns the coded spreadsheet and the exports have besides the questions'.
const EXPORT_COLUMNS: [&str; 3] = ["reference", "ods_code", "body"];

/// Keys: lower-case letters, digits and `_`, starting with a letter, at most 32 characters, and
/// no reserved word. They become column names in the exports, so they must be usable as such
/// in R, Stata (32 characters at most) and SPSS.
fn key_problem(key: &str) -> Option<String> {
    let shaped = key.len() <= 32
        && key.starts_with(|c: char| c.is_ascii_lowercase())
        && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !shaped {
        return Some(format!(
            "\"{key}\" cannot be a key: use lower-case letters, digits and _, starting with a letter, at most 32"
        ));
    }
    RESERVED.contains(&key).then(|| format!("\"{key}\" cannot be a key: R, Stata or SPSS reserve the word"))
}

/// The longest title, label, description, phrase and pattern, in characters, and the most
/// phrases and patterns a codebook may hold: bounds on what a coder reads and what compiling
/// the rules costs.
const TITLE: usize = 200;
const LABEL: usize = 500;
const DESCRIPTION: usize = 5_000;
pub(super) const PHRASE: usize = 200;
pub(super) const PATTERN: usize = 1_000;
pub(super) const RULE_TEXTS: usize = 2_000;

/// Text a coder reads: not too long, and no control character (a terminal would act on it; a
/// NUL cannot be stored), except line breaks and tabs in a description.
pub(super) fn text_problem(text: &str, max: usize, multi_line: bool) -> Option<String> {
    let allowed = |c: char| multi_line && matches!(c, '\n' | '\r' | '\t');
    // U+FFFE and U+FFFF are not characters at all, and XML (a REFI-QDA export) cannot hold them.
    let refused = |c: char| (c.is_control() && !allowed(c)) || matches!(c, '\u{fffe}' | '\u{ffff}');
    if let Some(c) = text.chars().find(|&c| refused(c)) {
        return Some(format!("holds a control character ({:?}); remove it", c));
    }
    let n = text.chars().count();
    (n > max).then(|| format!("is {n} characters long; at most {max}"))
}

fn colour_problem(colour: &str) -> Option<String> {
    let ok =
        colour.len() == 7 && colour.starts_with('#') && colour[1..].chars().all(|c| c.is_ascii_hexdigit());
    (!ok).then(|| format!("\"{colour}\" is not a colour; write it as #rrggbb, for example #2a9d8f"))
}

impl Codebook {
    /// Every problem that would stop coders or the report, or nothing.
    pub fn check(&self) -> Result<(), Vec<Problem>> {
        let mut problems = Vec::new();
        if let Some(p) = key_problem(&self.key) {
            problems.push(Problem::new("key", p));
        }
        if self.title.trim().is_empty() {
            problems.push(Problem::new("title", "a codebook needs a title"));
        }
        let mut texts = vec![("title".to_string(), self.title.as_str(), TITLE, false)];
        texts.push(("description".into(), self.description.as_str(), DESCRIPTION, true));
        for q in &self.questions {
            let at = format!("questions.{}", q.key);
            texts.push((format!("{at}.label"), q.label.as_str(), LABEL, false));
            texts.push((format!("{at}.description"), q.description.as_str(), DESCRIPTION, true));
            for c in &q.codes {
                texts.push((format!("{at}.codes.{}.label", c.key), c.label.as_str(), LABEL, false));
                texts.push((
                    format!("{at}.codes.{}.description", c.key),
                    c.description.as_str(),
                    DESCRIPTION,
                    true,
                ));
            }
        }
        for (at, text, max, multi_line) in texts {
            if let Some(p) = text_problem(text, max, multi_line) {
                problems.push(Problem::new(at, p));
            }
        }
        let rule_texts: usize = self
            .questions
            .iter()
            .flat_map(|q| &q.rules)
            .map(|r| r.phrases.len() + r.patterns.len() + r.unless.len())
            .sum();
        if rule_texts > RULE_TEXTS {
            problems.push(Problem::new(
                "questions",
                format!("the rules hold {rule_texts} phrases and patterns; at most {RULE_TEXTS}"),
            ));
            // Compiling that many is the cost the bound is there to avoid.
            return Err(problems);
        }
        if self.questions.is_empty() {
            problems.push(Problem::new("questions", "a codebook needs at least one question"));
        }
        let mut earlier: Vec<&Question> = Vec::new();
        for q in &self.questions {
            let at = format!("questions.{}", q.key);
            if let Some(p) = key_problem(&q.key) {
                problems.push(Problem::new(&at, p));
            }
            if EXPORT_COLUMNS.contains(&q.key.as_str()) {
                problems.push(Problem::new(
                    &at,
                    format!(
                        "\"{}\" cannot be a question's key: the exports have a column of that name",
                        q.key
                    ),
                ));
            }
            if earlier.iter().any(|e| e.key == q.key) {
                problems.push(Problem::new(&at, "another question has this key"));
            }
            if q.label.trim().is_empty() {
                problems.push(Problem::new(&at, "a question needs a label: the question as coders read it"));
            }
            check_codes(q, &at, &mut problems);
            check_condition(q, &earlier, &at, &mut problems);
            super::rules::check_rules(q, &at, &mut problems);
            earlier.push(q);
        }
        if let Err(patterns) = super::Suggester::new(self) {
            problems.extend(patterns);
        }
        if problems.is_empty() { Ok(()) } else { Err(problems) }
    }
}

fn check_codes(q: &Question, at: &str, problems: &mut Vec<Problem>) {
    match q.kind {
        QuestionKind::YesNoUnclear | QuestionKind::Number | QuestionKind::Text if !q.codes.is_empty() => {
            let why = if q.kind == QuestionKind::YesNoUnclear {
                "a yes / no / unclear question has its codes built in (yes, no, unclear); list none"
            } else {
                "a number or text question has no codes"
            };
            problems.push(Problem::new(at, why));
        }
        QuestionKind::Single | QuestionKind::Multiple if q.codes.len() < 2 => {
            problems.push(Problem::new(at, "a choice question needs at least two codes"));
        }
        _ => {}
    }
    let keys: HashSet<&str> = q.codes.iter().map(|c| c.key.as_str()).collect();
    let parents: HashMap<&str, &str> =
        q.codes.iter().filter_map(|c| Some((c.key.as_str(), c.parent.as_deref()?))).collect();
    let mut seen = HashSet::new();
    let mut replaced = HashSet::new();
    for code in &q.codes {
        let at = format!("{at}.codes.{}", code.key);
        if let Some(p) = key_problem(&code.key) {
            problems.push(Problem::new(&at, p));
        }
        if !seen.insert(code.key.as_str()) {
            problems.push(Problem::new(&at, "another code of this question has this key"));
        }
        if code.label.trim().is_empty() {
            problems.push(Problem::new(&at, "a code needs a label"));
        }
        if let Some(p) = code.colour.as_deref().and_then(colour_problem) {
            problems.push(Problem::new(&at, p));
        }
        match code.parent.as_deref() {
            Some(parent) if !keys.contains(parent) => problems
                .push(Problem::new(&at, format!("its parent \"{parent}\" is not a code of this question"))),
            Some(_) => problems.extend(parent_problem(&parents, &code.key).map(|p| Problem::new(&at, p))),
            None => {}
        }
        for old in &code.replaces {
            let p = if let Some(p) = key_problem(old) {
                Some(p)
            } else if keys.contains(old.as_str()) {
                Some(format!("it replaces \"{old}\", which is still a code of this question"))
            } else if !replaced.insert(old.as_str()) {
                Some(format!("\"{old}\" is replaced by two codes; an answer can move to only one"))
            } else {
                None
            };
            problems.extend(p.map(|p| Problem::new(format!("{at}.replaces"), p)));
        }
    }
}

/// The most levels codes may be nested: far more than any study needs, and few enough that
/// every reader and writer of the hierarchy (the REFI-QDA exchange among them) can follow it.
pub(super) const MAX_LEVELS: usize = 32;

/// Why following parents from `start` does not soon reach a code without one: they go round,
/// or go too deep.
fn parent_problem(parents: &HashMap<&str, &str>, start: &str) -> Option<&'static str> {
    let mut seen = HashSet::from([start]);
    let mut at = start;
    while let Some(&parent) = parents.get(at) {
        if !seen.insert(parent) {
            return Some("its parents go round in a circle");
        }
        if seen.len() > MAX_LEVELS {
            return Some("its parents are nested more than 32 levels deep");
        }
        at = parent;
    }
    None
}

/// A condition names an earlier question with codes, and codes it has: so conditions can
/// never go round in a circle, and a coder always meets the question they depend on first.
fn check_condition(q: &Question, earlier: &[&Question], at: &str, problems: &mut Vec<Problem>) {
    let Some(condition) = &q.applies_when else { return };
    let at = format!("{at}.applies_when");
    let Some(on) = earlier.iter().find(|e| e.key == condition.question) else {
        problems.push(Problem::new(
            &at,
            format!("\"{}\" is not a question listed before this one", condition.question),
        ));
        return;
    };
    if !on.kind.has_codes() {
        problems.push(Problem::new(&at, format!("\"{}\" has no codes to depend on", on.key)));
        return;
    }
    if condition.codes.is_empty() {
        problems.push(Problem::new(&at, "list the codes of the question that make this one apply"));
    }
    let known = on.code_keys();
    for code in &condition.codes {
        if !known.contains(&code.as_str()) {
            problems.push(Problem::new(
                &at,
                format!("\"{code}\" is not a code of \"{}\"; its codes are {}", on.key, known.join(", ")),
            ));
        }
    }
}
