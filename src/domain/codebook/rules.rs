//! Suggested codes: a codebook's rules read a reply's text and propose codes, each with the
//! passage that triggered it. A suggestion is never a coding; the coder accepts or rejects it.
//!
//! A rule matches phrases (whole words, any case, any spacing) or regular expressions. Its
//! `unless` phrases, found shortly before a match in the same sentence, cancel that match:
//! "we do not provide active bystander training" must not suggest that the trust provides it.

use std::sync::LazyLock;

use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};

use super::{Codebook, Problem};

/// How far before a match an `unless` phrase cancels it, by default, in characters.
pub const DEFAULT_WINDOW: usize = 60;
/// The longest window a rule may set: beyond a sentence or two, negation is guesswork.
pub const MAX_WINDOW: usize = 300;
/// The most compiled memory one rule's patterns may take: with the bound on how many phrases
/// and patterns a codebook holds, no codebook can exhaust memory.
const PATTERN_SIZE_LIMIT: usize = 256 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// The code it suggests, one of its question's.
    pub code: String,
    /// Words or phrases that suggest the code, matched as whole words in any case.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phrases: Vec<String>,
    /// Regular expressions (Rust's syntax), matched in any case.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub patterns: Vec<String>,
    /// Phrases that cancel a match when they come shortly before it in the same sentence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unless: Vec<String>,
    /// How far before a match `unless` looks, in characters (default 60, at most 300).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<usize>,
}

/// A code proposed for a question, with the passage behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Suggestion {
    pub question: String,
    pub code: String,
    /// The rule's position among its question's rules, from 0.
    pub rule: usize,
    /// The passage as `[start, end)` in Unicode code points of the text, and its words.
    pub start: usize,
    pub end: usize,
    pub quote: String,
}

/// One phrase as a pattern: its words in order, any spacing between, whole words only.
fn phrase_pattern(phrase: &str) -> String {
    let words: Vec<String> = phrase.split_whitespace().map(regex::escape).collect();
    format!(r"\b{}\b", words.join(r"\s+"))
}

fn compile(pattern: &str) -> Result<Regex, String> {
    RegexBuilder::new(pattern)
        .case_insensitive(true)
        .size_limit(PATTERN_SIZE_LIMIT)
        .build()
        .map_err(|e| e.to_string().lines().last().unwrap_or("not a valid pattern").trim().to_string())
}

/// A rule ready to run.
#[derive(Debug)]
struct Compiled {
    question: String,
    code: String,
    rule: usize,
    /// Every phrase and pattern as one alternation, longer phrases first, so that matches never
    /// overlap: a phrase inside a cancelled longer one is cancelled with it.
    finds: Regex,
    unless: Option<Regex>,
    window: usize,
}

/// Every rule of a codebook, compiled once.
#[derive(Debug)]
pub struct Suggester {
    rules: Vec<Compiled>,
}

impl Suggester {
    /// Compiles a codebook's rules; every problem at once, as [`Codebook::check`] reports them.
    pub fn new(book: &Codebook) -> Result<Self, Vec<Problem>> {
        let mut rules = Vec::new();
        let mut problems = Vec::new();
        for q in &book.questions {
            for (i, rule) in q.rules.iter().enumerate() {
                let at = format!("questions.{}.rules.{i}", q.key);
                let mut phrases: Vec<&String> = rule.phrases.iter().collect();
                phrases.sort_by_key(|p| std::cmp::Reverse(p.len()));
                let sources: Vec<String> =
                    phrases.iter().map(|p| phrase_pattern(p)).chain(rule.patterns.iter().cloned()).collect();
                // Each alone first, so that a problem names the pattern it is in.
                let mut usable = true;
                for source in &sources {
                    match compile(source) {
                        Ok(re) if re.is_match("") => {
                            usable = false;
                            problems.push(Problem::new(
                                &at,
                                format!("\"{source}\" matches empty text, so it would match anywhere"),
                            ));
                        }
                        Ok(_) => {}
                        Err(why) => {
                            usable = false;
                            problems.push(Problem::new(
                                &at,
                                format!("\"{source}\" is not a usable pattern: {why}"),
                            ));
                        }
                    }
                }
                let union = sources.iter().map(|s| format!("(?:{s})")).collect::<Vec<_>>().join("|");
                let finds = match usable.then(|| compile(&union)) {
                    Some(Ok(re)) => re,
                    Some(Err(why)) => {
                        problems
                            .push(Problem::new(&at, format!("its patterns together are too large: {why}")));
                        continue;
                    }
                    None => continue,
                };
                let unless = if rule.unless.is_empty() {
                    None
                } else {
                    let any: Vec<String> = rule.unless.iter().map(|p| phrase_pattern(p)).collect();
                    match compile(&any.join("|")) {
                        Ok(re) => Some(re),
                        Err(why) => {
                            problems.push(Problem::new(&at, why));
                            continue;
                        }
                    }
                };
                let window = rule.window.unwrap_or(DEFAULT_WINDOW).clamp(1, MAX_WINDOW);
                rules.push(Compiled {
                    question: q.key.clone(),
                    code: rule.code.clone(),
                    rule: i,
                    finds,
                    unless,
                    window,
                });
            }
        }
        if problems.is_empty() { Ok(Self { rules }) } else { Err(problems) }
    }

    /// What the rules propose for `text`: at most one suggestion per rule, its first match
    /// that no `unless` cancels, in the order of the codebook.
    pub fn suggest(&self, text: &str) -> Vec<Suggestion> {
        self.rules.iter().filter_map(|r| r.first_match(text)).collect()
    }
}

/// Where a sentence ends: a stop followed by a space and a capital letter, or a blank line.
/// Not at every stop, because "s.40", "e.g." and "1.5" have them; and not at every line break,
/// because text taken from a PDF breaks every line.
static SENTENCE_END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"[.!?]["'’”)]*\s+\p{Lu}|\n[ \t]*\n"#).expect("the sentence pattern compiles")
});

impl Compiled {
    fn first_match(&self, text: &str) -> Option<Suggestion> {
        let m =
            self.finds.find_iter(text).find(|m| m.start() < m.end() && !self.cancelled(text, m.start()))?;
        let chars = |byte: usize| text[..byte].chars().count();
        Some(Suggestion {
            question: self.question.clone(),
            code: self.code.clone(),
            rule: self.rule,
            start: chars(m.start()),
            end: chars(m.end()),
            quote: m.as_str().to_string(),
        })
    }

    /// Whether an `unless` phrase comes within the window before `start`, in its sentence.
    fn cancelled(&self, text: &str, start: usize) -> bool {
        let Some(unless) = &self.unless else { return false };
        let before = &text[..start];
        let window = before.char_indices().rev().nth(self.window - 1).map_or(0, |(i, _)| i);
        // The sentence starts at the capital letter after the last stop, or after a blank line;
        // the match's own first letter may be that capital.
        let upto = start + text[start..].chars().next().map_or(0, char::len_utf8);
        let sentence = SENTENCE_END.find_iter(&text[..upto]).last().map_or(0, |m| {
            if m.as_str().ends_with('\n') { m.end() } else { m.end() - last_char_len(m.as_str()) }
        });
        // Searched in the whole text from there, so that `\b` sees the letters before the
        // window: a window that starts inside "Governor" must not find "nor".
        unless.find_iter(before).any(|u| u.start() >= window.max(sentence) && u.end() <= start)
    }
}

fn last_char_len(s: &str) -> usize {
    s.chars().next_back().map_or(0, char::len_utf8)
}

/// The rule checks that need no compiling: a known code, something to match, a sane window.
pub(super) fn check_rules(q: &super::Question, at: &str, problems: &mut Vec<Problem>) {
    if !q.rules.is_empty() && !q.kind.has_codes() {
        problems.push(Problem::new(at, "only a question with codes can have rules"));
        return;
    }
    let codes = q.code_keys();
    for (i, rule) in q.rules.iter().enumerate() {
        let at = format!("{at}.rules.{i}");
        if !codes.contains(&rule.code.as_str()) {
            problems.push(Problem::new(&at, format!("\"{}\" is not a code of this question", rule.code)));
        }
        if rule.phrases.iter().chain(&rule.patterns).all(|p| p.trim().is_empty()) {
            problems.push(Problem::new(&at, "a rule needs at least one phrase or pattern"));
        }
        if rule.phrases.iter().chain(&rule.unless).any(|p| p.trim().is_empty()) {
            problems.push(Problem::new(&at, "a phrase is empty"));
        }
        if rule.window.is_some_and(|w| w == 0 || w > MAX_WINDOW) {
            problems.push(Problem::new(&at, format!("the window is 1 to {MAX_WINDOW} characters")));
        }
        let texts = rule.phrases.iter().chain(&rule.unless).map(|p| (p, super::check::PHRASE));
        for (text, max) in texts.chain(rule.patterns.iter().map(|p| (p, super::check::PATTERN))) {
            if let Some(p) = super::check::text_problem(text, max, false) {
                problems.push(Problem::new(
                    &at,
                    format!("\"{}\" {p}", text.chars().take(40).collect::<String>()),
                ));
            }
        }
    }
}
