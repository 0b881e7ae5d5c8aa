//! Request templates with `{{placeholders}}`, checked when a campaign is created so that a typo
//! is caught before hundreds of requests are written.

use std::collections::BTreeMap;

pub const PLACEHOLDERS: &[&str] = &[
    "authority.name",
    "authority.ods_code",
    "authority.region",
    "authority.email",
    "request.reference",
    "campaign.title",
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("unknown placeholder {{{{{0}}}}}; the known ones are {known}", known = PLACEHOLDERS.iter().map(|p| format!("{{{{{p}}}}}")).collect::<Vec<_>>().join(", "))]
    Unknown(String),
    #[error("a placeholder is opened with {{{{ but never closed with }}}}")]
    Unclosed,
}

/// The placeholders a template uses, or the first problem with it.
pub fn check(template: &str) -> Result<Vec<String>, TemplateError> {
    let mut found = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or(TemplateError::Unclosed)?;
        let name = after[..end].trim();
        if !PLACEHOLDERS.contains(&name) {
            return Err(TemplateError::Unknown(name.to_string()));
        }
        found.push(name.to_string());
        rest = &after[end + 2..];
    }
    Ok(found)
}

/// Fills a checked template. Missing values (a body with no region) become empty text.
pub fn render(template: &str, values: &BTreeMap<&str, String>) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or(TemplateError::Unclosed)?;
        let name = after[..end].trim();
        if !PLACEHOLDERS.contains(&name) {
            return Err(TemplateError::Unknown(name.to_string()));
        }
        out.push_str(values.get(name).map(String::as_str).unwrap_or(""));
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_known_placeholders() {
        let values = BTreeMap::from([
            ("authority.name", "Barts Health NHS Trust".to_string()),
            ("request.reference", "ABT-2021-0001".to_string()),
        ]);
        let out =
            render("Dear {{ authority.name }}, re [{{request.reference}}] {{authority.region}}.", &values)
                .unwrap();
        assert_eq!(out, "Dear Barts Health NHS Trust, re [ABT-2021-0001] .");
    }

    #[test]
    fn refuses_unknown_and_unclosed_placeholders() {
        let err = check("Dear {{authority.nmae}}").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("unknown placeholder {{authority.nmae}}; the known ones are {{authority.name}}"),
            "{err}"
        );
        assert_eq!(check("Dear {{authority.name").unwrap_err(), TemplateError::Unclosed);
        assert_eq!(check("plain text, {single} braces").unwrap(), Vec::<String>::new());
    }
}
