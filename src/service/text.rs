//! What text a use case accepts, checked once here for the API and the command line alike.
//!
//! Every text field has a cap, so that one request cannot fill the database or a page, and the
//! error names the field and the cap. Text that becomes one line somewhere (a name, a title, a
//! subject, a reference) may hold no control character at all: a line break in a subject would
//! end the mail header, and an escape sequence in a name would drive the terminal of whoever
//! lists it. Longer text (a body, a note, a description) keeps its line breaks and tabs.
//! The caps are declared in the OpenAPI document too (`max_length` on the input types); a test
//! below keeps the two in step.

use super::{FieldError, ServiceError, ServiceResult};

/// Campaign titles and user names.
pub const TITLE: usize = 200;
/// Subjects, and campaigns' subject templates (the rendered subject adds the body's name).
pub const SUBJECT: usize = 300;
/// Request bodies and campaigns' body templates.
pub const BODY: usize = 50_000;
pub const DESCRIPTION: usize = 5_000;
/// Notes on events.
pub const NOTE: usize = 20_000;
/// A body's own reference for a request, an exemption, a token's label.
pub const REFERENCE: usize = 200;
/// Where a request was sent: an email or postal address, a web form's address.
pub const ADDRESS: usize = 500;

/// How a field is checked: one line (no control character) or a block (line breaks and tabs
/// allowed), with its cap in characters.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    Line(usize),
    Block(usize),
}

const NUL_MESSAGE: &str = "text cannot contain the NUL character (\\u0000)";

/// The problem with one field's text, if any.
pub fn problem(text: &str, shape: Shape) -> Option<String> {
    if text.contains('\0') {
        // PostgreSQL cannot store it, so both databases refuse it alike.
        return Some(NUL_MESSAGE.to_string());
    }
    let (max, line) = match shape {
        Shape::Line(max) => (max, true),
        Shape::Block(max) => (max, false),
    };
    if line && let Some(c) = text.chars().find(|c| c.is_control()) {
        return Some(format!(
            "must be one line of text without control characters; it contains {}",
            describe(c)
        ));
    }
    let count = text.chars().count();
    if count > max {
        return Some(format!("must be at most {max} characters long (it has {count})"));
    }
    None
}

fn describe(c: char) -> String {
    let name = match c {
        '\n' => " (a line break)",
        '\r' => " (a carriage return)",
        '\t' => " (a tab)",
        '\u{b}' => " (a vertical tab)",
        '\u{c}' => " (a form feed)",
        '\u{1b}' => " (escape)",
        _ => "",
    };
    format!("U+{:04X}{name}", c as u32)
}

/// Checks each `(field, text, shape)`; every failing field is named in one error.
pub fn check<'a>(fields: impl IntoIterator<Item = (&'a str, &'a str, Shape)>) -> ServiceResult<()> {
    let bad: Vec<FieldError> = fields
        .into_iter()
        .filter_map(|(field, text, shape)| problem(text, shape).map(|m| FieldError::new(field, m)))
        .collect();
    if bad.is_empty() { Ok(()) } else { Err(ServiceError::invalid_fields(bad)) }
}

/// Refuses text holding the NUL character, for filters and other text with no shape of its own.
pub(crate) fn check_nul<'a>(fields: impl IntoIterator<Item = (&'a str, &'a str)>) -> ServiceResult<()> {
    check(fields.into_iter().map(|(field, text)| (field, text, Shape::Block(usize::MAX))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_refuse_controls_and_blocks_keep_line_breaks() {
        let hostile = "Esc \x1b[31mRED\x1b[0m \x1b]0;pwned\x07 Trust";
        assert_eq!(
            problem(hostile, Shape::Line(TITLE)).unwrap(),
            "must be one line of text without control characters; it contains U+001B (escape)"
        );
        assert!(problem("a\u{b}b", Shape::Line(SUBJECT)).unwrap().contains("U+000B (a vertical tab)"));
        assert!(problem("a\u{c}b", Shape::Line(SUBJECT)).unwrap().contains("U+000C (a form feed)"));
        assert!(problem("a\u{85}b", Shape::Line(SUBJECT)).unwrap().contains("U+0085"));
        assert_eq!(problem("Dear X,\r\n\tthanks", Shape::Block(BODY)), None);
        assert_eq!(problem("Barts Health – NHS", Shape::Line(TITLE)), None);
        assert!(problem("a\0", Shape::Block(BODY)).unwrap().contains("NUL"));
    }

    #[test]
    fn caps_count_characters_and_name_the_cap() {
        assert_eq!(problem(&"é".repeat(TITLE), Shape::Line(TITLE)), None);
        assert_eq!(
            problem(&"x".repeat(TITLE + 1), Shape::Line(TITLE)).unwrap(),
            "must be at most 200 characters long (it has 201)"
        );
        let err =
            check([("title", "x\n", Shape::Line(TITLE)), ("body", "ok", Shape::Block(BODY))]).unwrap_err();
        let ServiceError::Invalid { fields, .. } = err else { panic!("{err}") };
        assert_eq!(fields.len(), 1);
        assert_eq!(fields[0].field, "title");
    }

    /// The caps the OpenAPI document declares are the ones enforced.
    #[test]
    fn the_schema_declares_the_caps() {
        use utoipa::PartialSchema;
        let caps = |schema: utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>| {
            let value = serde_json::to_value(schema).unwrap();
            value["properties"]
                .as_object()
                .unwrap()
                .iter()
                .filter_map(|(k, v)| {
                    let max = v.get("maxLength").or_else(|| v.get("items").and_then(|i| i.get("maxLength")));
                    max.map(|m| (k.clone(), m.as_u64().unwrap() as usize))
                })
                .collect::<std::collections::BTreeMap<_, _>>()
        };
        let campaign = caps(super::super::campaigns::NewCampaignInput::schema());
        assert_eq!(campaign["title"], TITLE);
        assert_eq!(campaign["description"], DESCRIPTION);
        assert_eq!(campaign["subject_template"], SUBJECT);
        assert_eq!(campaign["body_template"], BODY);
        let request = caps(super::super::requests::NewRequestInput::schema());
        assert_eq!(request["subject"], SUBJECT);
        assert_eq!(request["body"], BODY);
        let event = caps(super::super::timeline::EventInput::schema());
        assert_eq!(event["note"], NOTE);
        assert_eq!(event["body_reference"], REFERENCE);
        let sent = caps(super::super::timeline::LogSentInput::schema());
        assert_eq!(sent["note"], NOTE);
        assert_eq!(sent["address"], ADDRESS);
        assert_eq!(caps(super::super::timeline::BulkSentInput::schema())["note"], NOTE);
    }
}
