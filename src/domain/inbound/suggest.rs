//! What a reply seems to be, with the words that suggest it: "not held", "section 12",
//! "s.40(2)", "we would like to clarify". Only a suggestion, shown beside the reply: the
//! researcher classifies, foitrack never does.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;
use utoipa::ToSchema;

use crate::text_enum;

text_enum! {
    /// What a researcher says a reply is. The first four are the outcome of a response; the
    /// next three are the other answers a body may give; the last is for mail that is none.
    pub enum Classification("classification") {
        Full => "full",
        Partial => "partial",
        Refused => "refused",
        NotHeld => "not_held",
        ClarificationRequested => "clarification_requested",
        FeeNotice => "fee_notice",
        Extension => "extension",
        NotAResponse => "not_a_response",
    }
}

/// A suggested classification and the words behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Suggestion {
    pub classification: Classification,
    /// The words that suggest it, as the text has them.
    pub phrase: String,
    /// The sentence around them, at most about 240 characters.
    pub context: String,
    /// Exemptions the text cites, as `s.40(2)` or `reg.12(4)(b)`, in the order first cited.
    pub exemptions: Vec<String>,
}

/// One rule: a pattern and what it suggests. The first rule that matches any text wins.
struct Rule {
    classification: Classification,
    pattern: Regex,
}

static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    let rule = |classification, pattern: &str| Rule {
        classification,
        pattern: Regex::new(&format!("(?i){pattern}")).expect("a suggestion pattern compiles"),
    };
    use Classification::*;
    vec![
        rule(
            ClarificationRequested,
            r"\b(?:would like to|need to|please|could you|can you|ask you to|must)\s+(?:clarify|confirm what)\b|\bseek(?:ing)?\s+clarification\b|\bclarification\s+(?:of|on|regarding|about)\s+(?:your|the)\s+request\b|\brequire\s+(?:further\s+)?clarification\b",
        ),
        rule(
            FeeNotice,
            r"\bfees?\s+notice\b|\bfee\s+of\s+£\s?\d|\bpay(?:ment of)?\s+(?:a|the)\s+fee\b|\bcharge\s+of\s+£\s?\d",
        ),
        rule(
            Extension,
            r"\bsection\s+10\s*\(3\)|\bs\.?\s?10\s*\(3\)|\bextend(?:ed|ing)?\s+the\s+(?:time|deadline|response)|\b(?:additional|further|more)\s+time\s+to\s+consider\s+the\s+public\s+interest|\bregulation\s+7\s*\(1\)",
        ),
        rule(
            Refused,
            r"\bsection\s+1[24]\b(?:\s*\(\d\))?|\bs\.?\s?1[24]\b(?:\s*\(\d\))?|\bappropriate\s+(?:cost\s+)?limit\b|\bvexatious\b",
        ),
        rule(
            NotHeld,
            r"\b(?:is|are)\s+not\s+held\b|\bnot\s+held\s+by\b|\bdo(?:es)?\s+not\s+hold\b|\bno\s+(?:recorded\s+)?information\s+(?:is\s+)?held\b|\bhold(?:s)?\s+no\s+(?:recorded\s+)?information\b",
        ),
    ]
});

/// Exemptions of FOIA Part II (ss.21–44, with s.12 and s.14 refusals above) and of the EIR.
static EXEMPTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:section|s\.?)\s?(2[1-9]|3[0-9]|4[0-4])\b((?:\s?\(\d+\))?(?:\s?\([a-z]\))?)|\b(?:regulation|reg\.?)\s?(12|13)\b((?:\s?\(\d\))?(?:\s?\([a-e]\))?)",
    )
    .expect("the exemption pattern compiles")
});

/// Words that show the reply answers at least part of the request.
static ANSWERS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\bplease\s+find\s+(?:attached|enclosed|below|our\s+(?:response|reply))|\b(?:i|we)\s+(?:can|am able to|are able to)\s+confirm\b|\bour\s+response\s+(?:is|to your request)\b|\bthe\s+(?:information|answers?)\s+(?:you\s+requested|requested|is\s+as\s+follows|are\s+as\s+follows)\b",
    )
    .expect("the answer pattern compiles")
});

/// The suggestion for a reply whose texts (the message's own words, then each attachment's
/// text) are `texts`, with the index of the text its phrase is in.
pub fn suggest<'a>(texts: impl IntoIterator<Item = &'a str> + Clone) -> Option<(usize, Suggestion)> {
    let exemptions = exemptions(texts.clone());
    for rule in RULES.iter() {
        for (i, text) in texts.clone().into_iter().enumerate() {
            // "Not held" beside answers to other questions may be a partial answer; the
            // researcher, reading the phrase, tells.
            if let Some(m) = find(&rule.pattern, text) {
                return Some((i, found(rule.classification, text, m, exemptions)));
            }
        }
    }
    for (i, text) in texts.clone().into_iter().enumerate() {
        if let Some(m) = find(&EXEMPTION, text) {
            let answers = texts.clone().into_iter().any(|t| find(&ANSWERS, t).is_some());
            let classification = if answers { Classification::Partial } else { Classification::Refused };
            return Some((i, found(classification, text, m, exemptions)));
        }
    }
    for (i, text) in texts.into_iter().enumerate() {
        if let Some(m) = find(&ANSWERS, text) {
            return Some((i, found(Classification::Full, text, m, exemptions)));
        }
    }
    None
}

/// The first match that means what it seems to.
fn find<'t>(pattern: &Regex, text: &'t str) -> Option<regex::Match<'t>> {
    pattern.find_iter(text).find(|m| acceptable(text, *m))
}

/// Not the `s 14` of "the Trust's 14 sites" (a possessive), nor the "we would like to clarify
/// that…" of a body explaining its answer.
fn acceptable(text: &str, m: regex::Match) -> bool {
    if matches!(text[..m.start()].chars().next_back(), Some('\'' | '\u{2019}')) {
        return false;
    }
    let after = text[m.end()..].trim_start();
    let explains = after.get(..4).is_some_and(|w| w.eq_ignore_ascii_case("that"));
    !(m.as_str().to_ascii_lowercase().ends_with("clarify") && explains)
}

fn found(classification: Classification, text: &str, m: regex::Match, exemptions: Vec<String>) -> Suggestion {
    Suggestion {
        classification,
        phrase: m.as_str().to_string(),
        context: context(text, m.start(), m.end()),
        exemptions,
    }
}

/// Every exemption cited, written the one way: `s.40(2)`, `reg.12(4)(b)`.
fn exemptions<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for text in texts {
        for c in EXEMPTION.captures_iter(text).filter(|c| c.get(0).is_some_and(|m| acceptable(text, m))) {
            let (prefix, number, rest) = match (c.get(1), c.get(3)) {
                (Some(n), _) => ("s.", n.as_str(), c.get(2)),
                (None, Some(n)) => ("reg.", n.as_str(), c.get(4)),
                _ => continue,
            };
            let rest: String =
                rest.map_or("", |r| r.as_str()).chars().filter(|c| !c.is_whitespace()).collect();
            let cited = format!("{prefix}{number}{}", rest.to_ascii_lowercase());
            if !out.contains(&cited) {
                out.push(cited);
            }
        }
    }
    out
}

/// The sentence around `start..end`, cut to about 120 characters either side, on one line.
fn context(text: &str, start: usize, end: usize) -> String {
    const SIDE: usize = 120;
    // A sentence ends at its stop or at a paragraph's end; a single line break is only a wrap.
    let ends_sentence = |c: char| matches!(c, '.' | '!' | '?');
    let sentence = text[..start].rfind(ends_sentence).map_or(0, |i| i + 1);
    let paragraph = text[..start].rfind("\n\n").map_or(0, |i| i + 2);
    let mut from = sentence.max(paragraph);
    if start - from > SIDE {
        from = text.ceil_char_boundary(start - SIDE);
    }
    let sentence = text[end..].find(ends_sentence).map_or(text.len(), |i| end + i + 1);
    let paragraph = text[end..].find("\n\n").map_or(text.len(), |i| end + i);
    let mut to = sentence.min(paragraph);
    if to - end > SIDE {
        to = text.floor_char_boundary(end + SIDE);
    }
    text[from..to].split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Suggestion {
        suggest([text]).expect("a suggestion").1
    }

    #[test]
    fn each_kind_of_answer_is_suggested_by_its_words() {
        let s = one("Dear Dr Okafor,\n\nThe information you asked for is not held by\nthe Trust. Regards");
        assert_eq!((s.classification, s.phrase.as_str()), (Classification::NotHeld, "is not held"));
        assert_eq!(s.context, "The information you asked for is not held by the Trust.");
        let s = one(
            "We estimate that the cost of complying would exceed the appropriate limit under Section 12 of the Act.",
        );
        assert_eq!(s.classification, Classification::Refused);
        assert_eq!(s.phrase, "appropriate limit");
        assert_eq!(
            one("We would like to clarify what you mean by training.").classification,
            Classification::ClarificationRequested
        );
        assert_eq!(
            one("A fees notice is enclosed: a fee of £45.00 is payable.").classification,
            Classification::FeeNotice
        );
        assert_eq!(
            one("We need additional time to consider the public interest, and will reply by 10 February.")
                .classification,
            Classification::Extension
        );
        assert_eq!(one("Please find attached our response.").classification, Classification::Full);
        assert_eq!(suggest(["Thank you for your email."]), None);
    }

    #[test]
    fn exemptions_are_gathered_and_tell_partial_from_refused() {
        let s = one(
            "Names of junior staff are withheld under s.40 (2) and section 43(2); the rest is below.\nPlease find attached the figures.",
        );
        assert_eq!(s.classification, Classification::Partial);
        assert_eq!(s.exemptions, ["s.40(2)", "s.43(2)"]);
        let s = one("The information is exempt under Regulation 12(4)(b) and regulation 12 (5)(e).");
        assert_eq!(s.classification, Classification::Refused);
        assert_eq!(s.exemptions, ["reg.12(4)(b)", "reg.12(5)(e)"]);
        // s.1 and s.10 are not exemptions; "section 4" is no part of Part II.
        assert_eq!(suggest(["Under section 1 of the Act, and section 4, we must reply."]), None);
    }

    #[test]
    fn the_strongest_sign_wins_across_texts_and_names_its_text() {
        let body = "Please find attached our response.";
        let letter = "Question 2: this information is not held.";
        let (i, s) = suggest([body, letter]).unwrap();
        assert_eq!((i, s.classification, s.phrase.as_str()), (1, Classification::NotHeld, "is not held"));
        let (i, s) = suggest([body, "Before we can respond, could you clarify the period?"]).unwrap();
        assert_eq!((i, s.classification), (1, Classification::ClarificationRequested));
    }

    #[test]
    fn ordinary_words_are_not_mistaken_for_sections() {
        for text in [
            "The Trust's 14 sites all offer it.",
            "It's 12 months since we began.",
            "The Council's 300 staff were trained.",
            "Under regulation 123 of the scheme.",
            "We would like to clarify that the figures include agency staff.",
        ] {
            assert_eq!(suggest([text]), None, "{text}");
        }
        // And "in response to your request" is how refusals open too.
        let s = one("In response to your request, the information is exempt under section 43(2).");
        assert_eq!(s.classification, Classification::Refused);
    }

    #[test]
    fn context_is_cut_on_character_boundaries() {
        let text = format!("{} is not held {}", "é".repeat(300), "ü".repeat(300));
        let s = one(&text);
        assert!(s.context.contains("not held") && s.context.chars().count() <= 250, "{}", s.context);
    }
}
