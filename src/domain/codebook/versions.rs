//! Moving an answer from the codebook version it was given with to a later one, through the
//! codes each version says it `replaces`: renamed codes take their new key, merged codes the key
//! they were merged into.

use super::{Answer, Codebook};

/// The answer to `question` given with an earlier version, as it reads after each of `later`
/// (the versions after it, oldest first). Codes no version replaces are kept as they are, so
/// the caller still checks that the result fits the last version. Codes merged into one are
/// given once. Numbers and text pass unchanged.
pub fn carry_forward(later: &[&Codebook], question: &str, answer: &Answer) -> Answer {
    let Answer::Codes(codes) = answer else { return answer.clone() };
    let mut codes = codes.clone();
    for book in later {
        let Some(q) = book.question(question) else { continue };
        let mut moved: Vec<String> = Vec::with_capacity(codes.len());
        for code in codes {
            let to = q.codes.iter().find(|c| c.replaces.contains(&code)).map_or(code, |c| c.key.clone());
            if !moved.contains(&to) {
                moved.push(to);
            }
        }
        codes = moved;
    }
    Answer::Codes(codes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::codebook::{ABT_CODEBOOK, Code};

    fn v1() -> Codebook {
        Codebook::from_toml(ABT_CODEBOOK).unwrap()
    }

    fn code(key: &str, replaces: &[&str]) -> Code {
        Code {
            key: key.into(),
            label: key.into(),
            description: String::new(),
            colour: None,
            parent: None,
            replaces: replaces.iter().map(|r| r.to_string()).collect(),
        }
    }

    /// v2 merges `both` into `in_house`; v3 renames `in_house` to `internal` and `unknown` to
    /// `not_stated`.
    fn versions() -> (Codebook, Codebook, Codebook) {
        let mut v2 = v1();
        let q = v2.questions.iter_mut().find(|q| q.key == "provider").unwrap();
        q.codes = vec![code("in_house", &["both"]), code("external", &[]), code("unknown", &[])];
        q.rules.retain(|r| r.code != "both");
        v2.check().unwrap();
        let mut v3 = v2.clone();
        let q = v3.questions.iter_mut().find(|q| q.key == "provider").unwrap();
        q.codes =
            vec![code("internal", &["in_house"]), code("external", &[]), code("not_stated", &["unknown"])];
        q.rules.clear();
        v3.check().unwrap();
        (v1(), v2, v3)
    }

    fn codes(a: &[&str]) -> Answer {
        Answer::Codes(a.iter().map(|c| c.to_string()).collect())
    }

    #[test]
    fn renames_and_merges_are_followed_through_every_later_version() {
        let (_, v2, v3) = versions();
        let later = [&v2, &v3];
        assert_eq!(carry_forward(&later, "provider", &codes(&["both"])), codes(&["internal"]));
        assert_eq!(carry_forward(&later, "provider", &codes(&["in_house"])), codes(&["internal"]));
        assert_eq!(carry_forward(&later, "provider", &codes(&["external"])), codes(&["external"]));
        assert_eq!(carry_forward(&[&v3], "provider", &codes(&["unknown"])), codes(&["not_stated"]));
        assert_eq!(carry_forward(&[], "provider", &codes(&["both"])), codes(&["both"]));
    }

    #[test]
    fn codes_merged_into_one_are_given_once_and_others_pass_unchanged() {
        let (_, v2, v3) = versions();
        assert_eq!(carry_forward(&[&v2], "provider", &codes(&["both", "in_house"])), codes(&["in_house"]));
        assert_eq!(carry_forward(&[&v2, &v3], "offers_abt", &codes(&["yes"])), codes(&["yes"]));
        assert_eq!(carry_forward(&[&v2], "gone", &codes(&["x"])), codes(&["x"]));
        assert_eq!(carry_forward(&[&v2], "staff_completed", &Answer::Number(3.0)), Answer::Number(3.0));
    }

    #[test]
    fn a_version_that_replaces_a_code_it_still_has_or_twice_is_refused() {
        let (_, mut v2, _) = versions();
        let q = v2.questions.iter_mut().find(|q| q.key == "provider").unwrap();
        q.codes[1].replaces = vec!["in_house".into(), "both".into()];
        let problems = v2.check().unwrap_err();
        let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert!(
            messages.contains(&"it replaces \"in_house\", which is still a code of this question"),
            "{messages:?}"
        );
        assert!(
            messages.contains(&"\"both\" is replaced by two codes; an answer can move to only one"),
            "{messages:?}"
        );
        assert!(
            problems.iter().all(|p| p.at == "questions.provider.codes.external.replaces"),
            "{problems:?}"
        );
    }

    #[test]
    fn an_answer_fits_only_with_as_many_codes_as_its_type_takes() {
        let book = v1();
        let provider = book.question("provider").unwrap();
        assert!(provider.fits(&codes(&["in_house"])));
        assert!(!provider.fits(&codes(&["in_house", "external"])), "single choice takes one");
        assert!(!provider.fits(&codes(&[])));
        let exemptions = book.question("exemptions").unwrap();
        assert!(exemptions.fits(&codes(&["s12", "s40"])));
        assert!(!exemptions.fits(&codes(&[])), "multiple choice takes at least one");
        assert!(!exemptions.fits(&codes(&["s12", "s12"])));
    }
}
