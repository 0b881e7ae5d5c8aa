//! Workspace slugs: the short names `--workspace` and the API's paths take.

/// Why a slug was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "\"{0}\" is not a workspace slug: use 2 to 40 lower-case letters, digits and hyphens, starting with a letter"
)]
pub struct BadSlug(pub String);

/// A slug as typed, trimmed; refused unless it is 2–40 characters of `a-z`, `0-9` and `-`,
/// starting with a letter and not ending with a hyphen (so it reads well in a URL).
pub fn parse_slug(raw: &str) -> Result<String, BadSlug> {
    let slug = raw.trim();
    let ok = (2..=40).contains(&slug.len())
        && slug.starts_with(|c: char| c.is_ascii_lowercase())
        && !slug.ends_with('-')
        && slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok { Ok(slug.to_string()) } else { Err(BadSlug(raw.to_string())) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_short_lower_case_words() {
        for good in ["default", "nhs-abt", "team2", "ab"] {
            assert_eq!(parse_slug(good).unwrap(), good);
        }
        assert_eq!(parse_slug("  team  ").unwrap(), "team");
        for bad in ["", "a", "Team", "2team", "team-", "team_a", "tëam", "a b", &"x".repeat(41)] {
            assert!(parse_slug(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
