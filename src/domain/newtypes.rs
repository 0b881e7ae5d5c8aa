//! Values checked once at the edge, so the rest of the code can trust them.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("\"{0}\" is not an ODS code: use 3 to 6 letters and digits, such as RGT or R0A")]
    OdsCode(String),
    #[error("\"{0}\" is not an email address")]
    Email(String),
}

/// An NHS Organisation Data Service code (e.g. `RGT`, `R0A`, `G6V2S`), stored upper-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OdsCode(String);

impl OdsCode {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let code = raw.trim().to_ascii_uppercase();
        let ok = (3..=6).contains(&code.len()) && code.chars().all(|c| c.is_ascii_alphanumeric());
        if ok { Ok(Self(code)) } else { Err(ValueError::OdsCode(raw.to_string())) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for OdsCode {
    type Error = ValueError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<OdsCode> for String {
    fn from(value: OdsCode) -> Self {
        value.0
    }
}

impl fmt::Display for OdsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An email address, checked for the shape `local@domain.tld` and stored trimmed. The domain is
/// lower-cased; the local part keeps its case, since some servers honour it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = raw.trim();
        let bad = || ValueError::Email(raw.to_string());
        let (local, domain) = s.rsplit_once('@').ok_or_else(bad)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && domain.len() <= 253
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if local_ok && domain_ok {
            Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
        } else {
            Err(bad())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = ValueError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<EmailAddress> for String {
    fn from(value: EmailAddress) -> Self {
        value.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ods_codes_are_normalised_and_checked() {
        assert_eq!(OdsCode::parse(" r0a ").unwrap().as_str(), "R0A");
        assert_eq!(OdsCode::parse("G6V2S").unwrap().as_str(), "G6V2S");
        assert!(OdsCode::parse("R").is_err());
        assert!(OdsCode::parse("RG-T").is_err());
        assert!(OdsCode::parse("").is_err());
        assert!(OdsCode::parse("TOOLONG7").is_err());
    }

    #[test]
    fn email_addresses_are_checked_for_shape() {
        assert_eq!(EmailAddress::parse(" FOI.Requests@NHS.NET ").unwrap().as_str(), "FOI.Requests@nhs.net");
        for bad in [
            "",
            "foi",
            "foi@",
            "@nhs.net",
            "foi@nhs",
            "foi@@nhs.net",
            "a b@nhs.net",
            "foi@nhs..net",
            ".foi@nhs.net",
            "foi@-nhs.net",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn deserialising_checks_too() {
        assert!(serde_json::from_str::<EmailAddress>("\"nope\"").is_err());
        assert_eq!(serde_json::from_str::<OdsCode>("\"rgt\"").unwrap().as_str(), "RGT");
    }
}
