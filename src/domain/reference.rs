//! Human references for requests, such as `ABT-2021-0042`.

use chrono::{Datelike, NaiveDate};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "\"{0}\" cannot be a reference prefix: use 2 to 20 capital letters, digits and dashes, starting with a letter (such as ABT-2021)"
)]
pub struct PrefixError(pub String);

/// Words too common to give a campaign its initials.
const SMALL_WORDS: &[&str] =
    &["a", "an", "and", "the", "of", "in", "on", "for", "to", "about", "at", "by", "with"];

/// A prefix from the initials of a campaign's title and the year it starts:
/// "Active bystander training" in 2021 → `ABT-2021`.
pub fn default_prefix(title: &str, on: NaiveDate) -> String {
    let initials: String = title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !SMALL_WORDS.contains(&w.to_lowercase().as_str()))
        .filter_map(|w| w.chars().next())
        .filter(|c| c.is_ascii_alphabetic())
        .take(4)
        .collect::<String>()
        .to_ascii_uppercase();
    let initials = if initials.is_empty() { "FOI".to_string() } else { initials };
    format!("{initials}-{}", on.year())
}

/// Checks (and upper-cases) a prefix given by the user.
pub fn parse_prefix(raw: &str) -> Result<String, PrefixError> {
    let p = raw.trim().to_ascii_uppercase();
    let ok = (2..=20).contains(&p.len())
        && p.starts_with(|c: char| c.is_ascii_alphabetic())
        && !p.ends_with('-')
        && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok { Ok(p) } else { Err(PrefixError(raw.to_string())) }
}

/// The `number`-th reference under `prefix`, zero-padded to four digits so that references sort.
pub fn reference(prefix: &str, number: u64) -> String {
    format!("{prefix}-{number:04}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_from_title_initials_and_year() {
        let on = NaiveDate::from_ymd_opt(2021, 12, 1).unwrap();
        assert_eq!(default_prefix("Active bystander training", on), "ABT-2021");
        assert_eq!(default_prefix("The use of body-worn cameras in the NHS", on), "UBWC-2021");
        assert_eq!(default_prefix("  ", on), "FOI-2021");
    }

    #[test]
    fn user_prefixes_are_checked() {
        assert_eq!(parse_prefix("abt-2021").unwrap(), "ABT-2021");
        for bad in ["", "A", "1AB", "AB-", "AB CD", "ABCDEFGHIJKLMNOPQRSTU"] {
            assert!(parse_prefix(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn references_are_padded_to_sort() {
        assert_eq!(reference("ABT-2021", 42), "ABT-2021-0042");
        assert_eq!(reference("ABT-2021", 12345), "ABT-2021-12345");
    }
}
