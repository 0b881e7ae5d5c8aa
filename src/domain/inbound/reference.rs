//! References found in a message's subject and first lines: ours (`ABT-2021-0042`, the shape
//! [`crate::domain::reference`] gives) and the body's own ("Our ref: FOI 056-2022").

use std::sync::LazyLock;

use regex::Regex;

/// How many lines of the body a body reference may be found in: it heads a letter, and lower
/// down a quoted earlier message may carry another request's.
pub const FIRST_LINES: usize = 12;

static OURS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b([a-z][a-z0-9-]{0,18}[a-z0-9]-[0-9]{4,})\b").expect("a valid pattern")
});

static THEIRS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:our|case|request|foi|eir)\s+(?:ref(?:erence)?|case)(?:\s+(?:no\.?|number))?\s*(?::|is|-)?\s*([a-z]{0,10}(?:\s+|[/-])?[0-9][a-z0-9/-]*[a-z0-9])",
    )
    .expect("a valid pattern")
});

/// How many references of each kind one message may give: a reply names a few, and a text
/// naming thousands is not looked up.
pub const MAX_FOUND: usize = 20;

/// Tokens in the shape of our references, upper-cased, in order of appearance, without
/// duplicates, at most [`MAX_FOUND`]. Whether each names a request is for the store to say.
pub fn ours(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for m in OURS.captures_iter(text) {
        let r = m[1].to_ascii_uppercase();
        if !found.contains(&r) {
            found.push(r);
            if found.len() == MAX_FOUND {
                break;
            }
        }
    }
    found
}

/// The body's own references given in `text` ("Our ref: FOI 056-2022"), in the form they are
/// compared in (see [`normalise`]), at most [`MAX_FOUND`].
pub fn theirs(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for m in THEIRS.captures_iter(text) {
        let r = normalise(&m[1]);
        if !r.is_empty() && !found.contains(&r) {
            found.push(r);
            if found.len() == MAX_FOUND {
                break;
            }
        }
    }
    found
}

/// A body reference for comparing: upper case, single spaces.
pub fn normalise(reference: &str) -> String {
    reference.split_whitespace().collect::<Vec<_>>().join(" ").to_uppercase()
}

/// The subject and first lines of a text, where references are looked for.
pub fn head<'a>(subject: &'a str, text: &'a str) -> String {
    let mut s = String::from(subject);
    for line in text.lines().filter(|l| !l.trim_start().starts_with('>')).take(FIRST_LINES) {
        s.push('\n');
        s.push_str(line);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_references_with_or_without_brackets() {
        assert_eq!(ours("[ABT-2021-0002] Response to your FOI request"), vec!["ABT-2021-0002"]);
        assert_eq!(
            ours("Re: abt-2021-0001 and ABT-2021-0002, ABT-2021-0001"),
            vec!["ABT-2021-0001", "ABT-2021-0002"]
        );
        assert_eq!(ours("FW: RE: Freedom of Information request (ABT-2021-0001)"), vec!["ABT-2021-0001"]);
        assert!(ours("Réponse à votre demande – 2021").is_empty());
    }

    #[test]
    fn the_bodys_reference_follows_its_label() {
        assert_eq!(theirs("Our ref: FOI 056-2022"), vec!["FOI 056-2022"]);
        assert_eq!(theirs("Dear Sir\nOur reference: FOI/2022/056.\n"), vec!["FOI/2022/056"]);
        assert_eq!(theirs("Case reference number 12345"), vec!["12345"]);
        assert_eq!(theirs("our  ref  foi   056-2022"), vec!["FOI 056-2022"]);
        assert!(theirs("Your ref: ABT-2021-0001").is_empty(), "that is our reference, not theirs");
        assert!(theirs("we refer to your request").is_empty());
    }

    #[test]
    fn the_head_skips_quoted_lines_and_stops_early() {
        let body =
            "> Our ref: FOI 1-2020\nHello\n".to_string() + &"line\n".repeat(20) + "Our ref: FOI 2-2020";
        let h = head("Subject", &body);
        assert!(h.starts_with("Subject\nHello"));
        assert!(theirs(&h).is_empty());
    }
}
