//! Whether a reply's subject is like the subject of a request we sent. The holding pen
//! suggests a request on that ground when its reference in the subject was retyped or cut
//! ("ABT-2021-OO42"), or the body replied under its own case number with our words kept.
//!
//! Likeness is the share of letter triples two subjects have in common (Dice's coefficient
//! over each word's trigrams, as PostgreSQL's pg_trgm takes them), after the prefixes mail
//! clients and gateways add ("RE:", "Fwd:", "[EXTERNAL]") are stripped from the reply.

use std::collections::HashMap;

/// The least likeness that suggests anything.
pub const ALIKE: f64 = 0.6;

/// A subject as like several requests as one another says nothing when it is more than this
/// many: a campaign that sends every body the same subject.
pub const MAX_ALIKE: usize = 3;

/// What mail clients, and gateways that mark outside mail, put before a subject.
const PREFIXES: &[&str] = &[
    "re:",
    "re :",
    "fw:",
    "fwd:",
    "aw:",
    "wg:",
    "sv:",
    "vs:",
    "antw:",
    "tr:",
    "r:",
    "rif:",
    "[external]",
    "external:",
    "[ext]",
    "ext:",
    "[external email]",
    "*external*",
];

/// The requests whose subjects the reply's is most like, if that is like enough and names few.
/// `sent` is each candidate request's id and subject.
pub fn alike<'a>(reply: &str, sent: impl IntoIterator<Item = (i64, &'a str)>) -> Vec<i64> {
    let theirs = trigrams(&stripped(reply));
    if theirs.is_empty() {
        return Vec::new();
    }
    let mut scored: HashMap<&str, f64> = HashMap::new();
    let mut best = ALIKE;
    let mut chosen: Vec<i64> = Vec::new();
    for (id, subject) in sent {
        let score =
            *scored.entry(subject).or_insert_with(|| likeness(&theirs, &trigrams(&stripped(subject))));
        if score > best + f64::EPSILON {
            best = score;
            chosen.clear();
        }
        if (score - best).abs() <= f64::EPSILON {
            chosen.push(id);
        }
    }
    chosen.sort_unstable();
    chosen.dedup();
    if chosen.len() > MAX_ALIKE { Vec::new() } else { chosen }
}

/// The subject in lower case with the reply and forward prefixes gone, however many.
pub fn stripped(subject: &str) -> String {
    let mut s = subject.trim().to_lowercase();
    loop {
        let before = s.len();
        for p in PREFIXES {
            if let Some(rest) = s.strip_prefix(p) {
                s = rest.trim_start().to_string();
            }
        }
        if let Some(rest) = counted_reply(&s) {
            s = rest.trim_start().to_string();
        }
        if s.len() == before {
            return s;
        }
    }
}

/// What follows a counted reply prefix, as some clients write them: `re[2]:`, `re^3:`, `re(2):`.
fn counted_reply(s: &str) -> Option<&str> {
    let rest = s.strip_prefix("re")?;
    let (open, close) = match rest.chars().next()? {
        '[' => ('[', "]:"),
        '(' => ('(', "):"),
        '^' => ('^', ":"),
        _ => return None,
    };
    let rest = rest.strip_prefix(open)?;
    let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 {
        return None;
    }
    rest[digits..].strip_prefix(close)
}

/// A text's letter triples, each packed into one number, sorted and without repeats: the
/// pen compares a reply with thousands of subjects while holding the write lock, and sorted
/// numbers are built and intersected several times faster than sets of triples.
///
/// Each word is padded with two spaces before and one after, so that short words and word
/// starts count; words are runs of letters and digits. In a word with a digit in it, a number,
/// the letters people type for digits are read as those digits (`oo42` is `0042`).
fn trigrams(text: &str) -> Vec<u64> {
    let mut out = Vec::with_capacity(text.len() + 8);
    for word in text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        let number = word.chars().any(|c| c.is_ascii_digit());
        let read = |c: char| match c {
            'o' if number => '0',
            'l' | 'i' if number => '1',
            c => c,
        };
        // A char is at most 21 bits: three fit in 63.
        let mut window: u64 = u64::from(' ') << 21 | u64::from(' ');
        for c in word.chars().map(read).chain([' ']) {
            window = (window << 21 | u64::from(c)) & ((1 << 63) - 1);
            out.push(window);
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Dice's coefficient of two sorted sets: twice the shared over both counts.
fn likeness(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut shared) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    2.0 * shared as f64 / (a.len() + b.len()) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(n: usize, subject: impl Fn(usize) -> String) -> Vec<(i64, String)> {
        (1..=n).map(|i| (i as i64, subject(i))).collect()
    }

    fn ids(reply: &str, sent: &[(i64, String)]) -> Vec<i64> {
        alike(reply, sent.iter().map(|(id, s)| (*id, s.as_str())))
    }

    #[test]
    fn prefixes_are_stripped_however_many() {
        assert_eq!(stripped("RE: Fwd: [EXTERNAL] AW:  FOI request"), "foi request");
        assert_eq!(stripped("Re : re: Réponse"), "réponse");
        assert_eq!(stripped("Regarding training"), "regarding training", "a word, not a prefix");
        assert_eq!(stripped("RE[2]: Re^3: re(12): FOI request"), "foi request");
        assert_eq!(stripped("Re[x]: FOI"), "re[x]: foi", "a count is digits");
    }

    #[test]
    fn a_retyped_reference_points_to_its_request() {
        let campaign = sent(209, |i| format!("Freedom of Information request [ABT-2021-{i:04}]"));
        assert_eq!(ids("RE: Freedom of Information request [ABT-2021-OO42]", &campaign), vec![42]);
        assert_eq!(ids("Fwd: Freedom of Information request ABT 2021 0042", &campaign), vec![42]);
    }

    #[test]
    fn a_subject_every_request_shares_suggests_none() {
        let same = sent(209, |_| "Active bystander training".to_string());
        assert!(ids("RE: Active bystander training", &same).is_empty());
        let three = sent(3, |_| "Active bystander training".to_string());
        assert_eq!(ids("RE: Active bystander training", &three), vec![1, 2, 3]);
    }

    #[test]
    fn an_unlike_subject_or_an_empty_one_suggests_none() {
        let campaign = sent(5, |i| format!("Bystander training at trust {i}"));
        assert!(ids("Invoice 2291 overdue", &campaign).is_empty());
        assert!(ids("RE:", &campaign).is_empty());
        assert!(ids("", &campaign).is_empty());
        assert!(ids("anything", &[]).is_empty());
    }

    #[test]
    fn the_body_s_own_case_number_in_our_words_finds_the_body_named() {
        let campaign = sent(3, |i| {
            [
                "Bystander training: Leeds Teaching Hospitals",
                "Bystander training: Barts Health",
                "Bystander training: Royal Free London",
            ][i - 1]
                .to_string()
        });
        assert_eq!(ids("FOI 2291 - RE: Bystander training: Barts Health", &campaign), vec![2]);
    }

    #[test]
    fn likeness_is_symmetric_and_one_for_the_same_words() {
        let a = trigrams("freedom of information");
        let b = trigrams("information freedom of");
        assert!((likeness(&a, &b) - 1.0).abs() < 1e-9);
        let c = trigrams("freedom");
        assert!((likeness(&a, &c) - likeness(&c, &a)).abs() < 1e-9);
        assert!(likeness(&a, &c) < 1.0);
        // "  f", " fr", "fre", "ree", "eed", "edo", "dom", "om ": eight, as pg_trgm counts them.
        assert_eq!(c.len(), 8);
        assert_eq!(trigrams("oo42"), trigrams("0042"), "a number's letters read as digits");
    }
}
