//! The templates of chasers to bodies, as files under `config/templates/` that can be edited
//! without a rebuild (minijinja, Jinja syntax). Each is checked when the service starts, by
//! rendering it with sample values, so a mistake shows at start-up rather than at 07:00.

use std::path::Path;

use minijinja::{Environment, UndefinedBehavior};
use serde_json::{Value, json};

use super::MailError;

/// The templates, with the copies built into the binary used for any file that is missing.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("chaser.subject", include_str!("../../config/templates/chaser.subject.txt")),
    ("chaser.body", include_str!("../../config/templates/chaser.body.txt")),
    ("review.subject", include_str!("../../config/templates/review.subject.txt")),
    ("review.body", include_str!("../../config/templates/review.body.txt")),
];

#[derive(Debug, Clone)]
pub struct Templates {
    env: Environment<'static>,
}

/// Values of the shape templates receive, to check them with.
pub fn sample_context() -> Value {
    json!({
        "request": {
            "reference": "ABT-2021-0042", "subject": "Active bystander training", "body": "Please tell us…",
            "received_on": "2021-12-06", "due_on": "2022-01-07", "very_overdue_on": "2022-02-04",
            "body_reference": "FOI-1234"
        },
        "authority": {"name": "Barts Health NHS Trust"},
        "campaign": {"title": "Active bystander training"},
        "regime": {"name": "foia", "description": "Freedom of Information Act 2000"},
        "sender": {"name": "foitrack", "address": "foi@example.org"}
    })
}

impl Templates {
    /// The built-in templates.
    pub fn builtin() -> Self {
        Self::load(None).expect("the built-in templates are valid")
    }

    /// Reads `NAME.txt` from `dir` for each template, falling back to the built-in copy, and
    /// checks every one.
    pub fn load(dir: Option<&Path>) -> Result<Self, MailError> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_keep_trailing_newline(true);
        for (name, builtin) in TEMPLATES {
            let file = dir.map(|d| d.join(format!("{name}.txt")));
            let text = match &file {
                Some(path) if path.exists() => std::fs::read_to_string(path).map_err(|e| {
                    MailError::Template(format!("cannot read the template {}: {e}", path.display()))
                })?,
                _ => builtin.to_string(),
            };
            let shown =
                file.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| format!("{name}.txt"));
            env.add_template_owned(name.to_string(), text)
                .map_err(|e| MailError::Template(format!("the template {shown} is broken: {e:#}")))?;
            env.get_template(name).and_then(|t| t.render(sample_context())).map_err(|e| {
                MailError::Template(format!("the template {shown} cannot be filled in: {e:#}"))
            })?;
        }
        Ok(Self { env })
    }

    pub fn render(&self, name: &str, context: &Value) -> Result<String, MailError> {
        self.env
            .get_template(name)
            .and_then(|t| t.render(context))
            .map(|s| s.trim_end().to_string() + "\n")
            .map_err(|e| MailError::Message(format!("template {name}: {e:#}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_templates_render() {
        let t = Templates::builtin();
        let subject = t.render("chaser.subject", &sample_context()).unwrap();
        assert_eq!(subject, "Overdue: Freedom of Information request [ABT-2021-0042]\n");
        let body = t.render("review.body", &sample_context()).unwrap();
        assert!(body.contains("internal review"), "{body}");
        assert!(body.contains("your reference FOI-1234"), "{body}");
    }

    #[test]
    fn a_broken_or_misspelt_template_is_refused_at_load() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("chaser.body.txt"), "Dear {{ authority.name }").unwrap();
        let err = Templates::load(Some(dir.path())).unwrap_err().to_string();
        assert!(err.contains("chaser.body.txt is broken"), "{err}");
        std::fs::write(dir.path().join("chaser.body.txt"), "Dear {{ authority.nmae }}").unwrap();
        let err = Templates::load(Some(dir.path())).unwrap_err().to_string();
        assert!(err.contains("cannot be filled in"), "{err}");
        std::fs::write(dir.path().join("chaser.body.txt"), "Dear {{ authority.name }}, late.").unwrap();
        let t = Templates::load(Some(dir.path())).unwrap();
        assert_eq!(
            t.render("chaser.body", &sample_context()).unwrap(),
            "Dear Barts Health NHS Trust, late.\n"
        );
    }
}
