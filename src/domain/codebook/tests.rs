use std::collections::HashMap;

use super::*;

fn abt() -> Codebook {
    Codebook::from_toml(ABT_CODEBOOK).expect("the shipped codebook is valid")
}

#[test]
fn the_shipped_codebook_has_exactly_the_study_keys() {
    let book = abt();
    let keys: Vec<(&str, Vec<&str>)> =
        book.questions.iter().map(|q| (q.key.as_str(), q.code_keys())).collect();
    let expected: Vec<(&str, Vec<&str>)> = vec![
        ("offers_abt", vec!["yes", "no"]),
        ("sh_content", vec!["direct", "general"]),
        ("standalone_sh_module", vec!["yes", "no"]),
        ("provider", vec!["in_house", "external", "both", "unknown"]),
        ("participation", vec!["mandatory", "opt_in"]),
        ("plans", vec!["yes", "developing", "would_consider", "no"]),
        ("materials_shared", vec!["shared", "withheld_by_provider", "not_asked"]),
        ("staff_completed", vec![]),
        ("outcome", vec!["full", "partial", "refused", "not_held", "other"]),
        (
            "exemptions",
            vec!["s12", "s14", "s21", "s22", "s31", "s36", "s38", "s40", "s41", "s43", "other", "none"],
        ),
    ];
    assert_eq!(keys, expected);
    let when = |key: &str| book.question(key).unwrap().applies_when.clone().map(|c| (c.question, c.codes));
    for key in ["sh_content", "standalone_sh_module", "provider", "participation"] {
        assert_eq!(when(key), Some(("offers_abt".to_string(), vec!["yes".to_string()])), "{key}");
    }
    assert_eq!(when("plans"), Some(("offers_abt".to_string(), vec!["no".to_string()])));
    assert_eq!(book.question("staff_completed").unwrap().kind, QuestionKind::Number);
    assert_eq!(book.question("exemptions").unwrap().kind, QuestionKind::Multiple);
}

#[test]
fn a_question_applies_by_its_condition() {
    let book = abt();
    let finals = |pairs: &[(&str, &str)]| -> HashMap<String, Vec<String>> {
        pairs.iter().map(|(q, c)| (q.to_string(), vec![c.to_string()])).collect()
    };
    assert_eq!(book.applies("offers_abt", &finals(&[])), Applies::Yes);
    assert_eq!(book.applies("provider", &finals(&[("offers_abt", "yes")])), Applies::Yes);
    assert_eq!(book.applies("provider", &finals(&[("offers_abt", "no")])), Applies::No);
    assert_eq!(book.applies("plans", &finals(&[("offers_abt", "no")])), Applies::Yes);
    assert_eq!(book.applies("provider", &finals(&[])), Applies::Unknown);
    assert_eq!(book.applies("no_such_question", &finals(&[])), Applies::No);
}

#[test]
fn a_condition_on_a_question_that_does_not_apply_does_not_hold() {
    let text = r##"
key = "nested"
title = "Nested"
[[questions]]
key = "a"
label = "A?"
type = "yes_no_unclear"
[[questions]]
key = "b"
label = "B?"
type = "yes_no_unclear"
applies_when = { question = "a", is = ["yes"] }
[[questions]]
key = "c"
label = "C?"
type = "text"
applies_when = { question = "b", is = ["yes"] }
"##;
    let book = Codebook::from_toml(text).expect("valid");
    let finals: HashMap<String, Vec<String>> =
        [("a", "no"), ("b", "yes")].iter().map(|(q, c)| (q.to_string(), vec![c.to_string()])).collect();
    assert_eq!(book.applies("c", &finals), Applies::No);
}

fn problems(text: &str) -> Vec<String> {
    Codebook::from_toml(text).unwrap_err().into_iter().map(|p| p.to_string()).collect()
}

#[test]
fn every_problem_is_reported_at_once_with_where_it_is() {
    let text = r##"
key = "Bad Key"
title = " "
[[questions]]
key = "first"
label = "First?"
type = "single"
applies_when = { question = "later", is = ["x"] }
codes = [
  { key = "a", label = "A", colour = "red" },
  { key = "a", label = "Again" },
  { key = "b", label = "", parent = "nowhere" },
]
[[questions]]
key = "later"
label = "Later?"
type = "yes_no_unclear"
codes = [{ key = "yes", label = "Yes" }]
[[questions]]
key = "first"
label = "Again?"
type = "multiple"
codes = [{ key = "only", label = "Only" }]
[[questions]]
key = "count"
label = "How many?"
type = "number"
applies_when = { question = "later", is = ["maybe"] }
"##;
    let found = problems(text);
    let expected = [
        "key: \"Bad Key\" cannot be a key",
        "title: a codebook needs a title",
        "questions.first.applies_when: \"later\" is not a question listed before this one",
        "questions.first.codes.a: \"red\" is not a colour",
        "questions.first.codes.a: another code of this question has this key",
        "questions.first.codes.b: a code needs a label",
        "questions.first.codes.b: its parent \"nowhere\" is not a code of this question",
        "questions.later: a yes / no / unclear question has its codes built in",
        "questions.first: another question has this key",
        "questions.first: a choice question needs at least two codes",
        "questions.count.applies_when: \"maybe\" is not a code of \"later\"; its codes are yes, no, unclear",
    ];
    for e in expected {
        assert!(found.iter().any(|f| f.starts_with(e)), "missing {e:?} in {found:#?}");
    }
    assert_eq!(found.len(), expected.len(), "{found:#?}");
}

#[test]
fn keys_must_make_column_names_in_r_stata_and_spss() {
    let book = |key: &str| {
        format!(
            "key = \"k\"\ntitle = \"T\"\n[[questions]]\nkey = \"{key}\"\nlabel = \"Q\"\ntype = \"text\"\n"
        )
    };
    assert_eq!(
        problems(&book("if")),
        ["questions.if: \"if\" cannot be a key: R, Stata or SPSS reserve the word"]
    );
    let long = "a".repeat(33);
    assert!(problems(&book(&long))[0].contains("at most 32"));
    assert!(Codebook::from_toml(&book(&"a".repeat(32))).is_ok());
}

#[test]
fn an_unchecked_condition_on_itself_does_not_loop() {
    let mut book = abt();
    book.questions[1].applies_when =
        Some(Condition { question: "sh_content".into(), codes: vec!["direct".into()] });
    assert_eq!(book.applies("sh_content", &HashMap::new()), Applies::No);
}

#[test]
fn parents_must_not_go_round() {
    let text = r##"
key = "loop"
title = "Loop"
[[questions]]
key = "q"
label = "Q?"
type = "multiple"
codes = [
  { key = "a", label = "A", parent = "b" },
  { key = "b", label = "B", parent = "a" },
  { key = "c", label = "C", parent = "a" },
]
"##;
    let found = problems(text);
    let circle = |code: &str| format!("questions.q.codes.{code}: its parents go round in a circle");
    assert_eq!(found, [circle("a"), circle("b"), circle("c")]);
}

#[test]
fn a_file_that_is_not_a_codebook_says_where() {
    let unknown = problems("key = \"k\"\ntitle = \"T\"\nquestions = []\ncolour = \"#000000\"\n");
    assert_eq!(unknown.len(), 1);
    assert!(
        unknown[0].starts_with("line 4: cannot be read as a codebook: unknown field `colour`"),
        "{unknown:?}"
    );
    let broken = problems("key = \"k\"\ntitle = \"T\n");
    assert!(broken[0].starts_with("line 2: cannot be read as a codebook"), "{broken:?}");
    let kind =
        problems("key = \"k\"\ntitle = \"T\"\n[[questions]]\nkey = \"q\"\nlabel = \"Q\"\ntype = \"scale\"\n");
    assert!(kind[0].starts_with("line 6: "), "{kind:?}");
    assert_eq!(
        problems("key = \"k\"\ntitle = \"T\"\nquestions = []\n"),
        ["questions: a codebook needs at least one question"]
    );
}

fn suggested(text: &str) -> Vec<(String, String, String)> {
    let suggester = Suggester::new(&abt()).expect("the shipped rules compile");
    suggester.suggest(text).into_iter().map(|s| (s.question, s.code, s.quote)).collect()
}

fn has(found: &[(String, String, String)], question: &str, code: &str, quote: &str) -> bool {
    found.iter().any(|(q, c, t)| q == question && c == code && t == quote)
}

#[test]
fn the_study_rules_suggest_codes_with_their_passage() {
    let yes = suggested(
        "Active Bystander  Training is delivered by an external provider. It is mandatory for all \
         staff and covers sexual harassment.",
    );
    assert!(has(&yes, "offers_abt", "yes", "Active Bystander  Training"), "{yes:?}");
    assert!(has(&yes, "provider", "external", "external provider"), "{yes:?}");
    assert!(has(&yes, "participation", "mandatory", "mandatory"), "{yes:?}");
    assert!(has(&yes, "sh_content", "direct", "sexual harassment"), "{yes:?}");
    assert!(!yes.iter().any(|(q, c, _)| q == "offers_abt" && c == "no"), "{yes:?}");
}

#[test]
fn a_negation_before_a_match_cancels_it() {
    let no = suggested(
        "The Trust does not currently provide active bystander training. There are no plans to introduce it. \
         Attendance is not mandatory.",
    );
    assert!(has(&no, "offers_abt", "no", "does not currently provide active bystander"), "{no:?}");
    assert!(!no.iter().any(|(q, c, _)| q == "offers_abt" && c == "yes"), "{no:?}");
    assert!(has(&no, "plans", "no", "no plans"), "{no:?}");
    assert!(!no.iter().any(|(q, c, _)| q == "plans" && c == "yes"), "{no:?}");
    assert!(!no.iter().any(|(q, c, _)| q == "participation" && c == "mandatory"), "{no:?}");
    assert!(has(&no, "participation", "opt_in", "not mandatory"), "{no:?}");
    // The negation must be in the same sentence: a full stop ends its reach.
    let two = suggested("We did not reply sooner. Active bystander training is offered.");
    assert!(has(&two, "offers_abt", "yes", "Active bystander training"), "{two:?}");
}

#[test]
fn exemptions_and_outcomes_are_suggested() {
    let found = suggested(
        "Some of the information is not held. We withhold names under s.40 and costs under Section 43.",
    );
    assert!(has(&found, "outcome", "not_held", "not held"), "{found:?}");
    assert!(has(&found, "exemptions", "s40", "s.40"), "{found:?}");
    assert!(has(&found, "exemptions", "s43", "Section 43"), "{found:?}");
    assert!(!found.iter().any(|(_, c, _)| c == "s12"), "{found:?}");
}

#[test]
fn passages_are_counted_in_code_points() {
    let suggester = Suggester::new(&abt()).unwrap();
    let text = "Café staff: « bystander training » is offered.";
    let s = suggester.suggest(text).into_iter().find(|s| s.question == "offers_abt").expect("a suggestion");
    let chars: Vec<char> = text.chars().collect();
    assert_eq!(chars[s.start..s.end].iter().collect::<String>(), "bystander training");
    assert_eq!((s.start, s.end, s.rule), (14, 32, 0));
}

#[test]
fn bad_rules_are_refused_with_where_they_are() {
    let text = r##"
key = "rules"
title = "Rules"
[[questions]]
key = "q"
label = "Q?"
type = "yes_no_unclear"
[[questions.rules]]
code = "maybe"
phrases = ["perhaps"]
[[questions.rules]]
code = "yes"
[[questions.rules]]
code = "yes"
patterns = ["(unclosed", "a*"]
unless = [" "]
window = 1000
[[questions]]
key = "n"
label = "How many?"
type = "number"
[[questions.rules]]
code = "yes"
phrases = ["many"]
"##;
    let found = problems(text);
    let expected = [
        "questions.q.rules.0: \"maybe\" is not a code of this question",
        "questions.q.rules.1: a rule needs at least one phrase or pattern",
        "questions.q.rules.2: a phrase is empty",
        "questions.q.rules.2: the window is 1 to 300 characters",
        "questions.n: only a question with codes can have rules",
        "questions.q.rules.2: \"(unclosed\" is not a usable pattern",
        "questions.q.rules.2: \"a*\" matches empty text",
    ];
    for e in expected {
        assert!(found.iter().any(|f| f.starts_with(e)), "missing {e:?} in {found:#?}");
    }
}

#[test]
fn answers_are_checked_against_the_question_and_whether_it_applies() {
    let book = abt();
    let own = |pairs: &[(&str, &str)]| -> HashMap<String, Vec<String>> {
        pairs.iter().map(|(q, c)| (q.to_string(), vec![c.to_string()])).collect()
    };
    let codes = |c: &[&str]| Answer::Codes(c.iter().map(|s| s.to_string()).collect());
    let check = |q: &str, a: &Answer, o: &HashMap<String, Vec<String>>| book.check_answer(q, a, o);
    assert_eq!(check("offers_abt", &codes(&["yes"]), &own(&[])), Ok(()));
    assert_eq!(check("provider", &codes(&["external"]), &own(&[("offers_abt", "yes")])), Ok(()));
    assert_eq!(
        check("provider", &codes(&["external"]), &own(&[("offers_abt", "no")])),
        Err("provider does not apply to this reply: it applies only when offers_abt is yes".into())
    );
    assert_eq!(
        check("plans", &codes(&["yes"]), &own(&[])),
        Err("code offers_abt first: whether plans applies depends on it".into())
    );
    let yes = own(&[("offers_abt", "yes")]);
    assert_eq!(
        check("provider", &codes(&["external", "in_house"]), &yes),
        Err("provider takes exactly one code".into())
    );
    assert_eq!(check("provider", &codes(&[]), &yes), Err("provider takes exactly one code".into()));
    assert_eq!(check("exemptions", &codes(&["s40", "s43"]), &own(&[])), Ok(()));
    assert_eq!(check("exemptions", &codes(&[]), &own(&[])), Err("exemptions needs at least one code".into()));
    assert_eq!(
        check("exemptions", &codes(&["s40", "s40"]), &own(&[])),
        Err("a code of exemptions is given twice".into())
    );
    assert!(
        check("exemptions", &codes(&["s99"]), &own(&[]))
            .unwrap_err()
            .starts_with("\"s99\" is not a code of exemptions")
    );
    assert_eq!(check("staff_completed", &Answer::Number(120.0), &own(&[])), Ok(()));
    for bad in [f64::NAN, 1e16, -1e16, f64::INFINITY] {
        assert_eq!(
            check("staff_completed", &Answer::Number(bad), &own(&[])),
            Err("staff_completed takes a number between -1e15 and 1e15".into())
        );
    }
    assert_eq!(
        check("staff_completed", &codes(&["yes"]), &own(&[])),
        Err("staff_completed takes a number".into())
    );
    assert!(
        check("offers_abt", &Answer::Number(1.0), &own(&[]))
            .unwrap_err()
            .starts_with("offers_abt takes codes: yes, no")
    );
    assert!(
        check("nope", &codes(&["yes"]), &own(&[]))
            .unwrap_err()
            .starts_with("\"nope\" is not a question of abt")
    );
}

#[test]
fn negation_windows_hold_at_their_edges() {
    // A shorter phrase inside a cancelled longer one is cancelled with it.
    let overlap = suggested(
        "The Trust does not at present commission, fund or deliver any form of active bystander training.",
    );
    assert!(!overlap.iter().any(|(q, c, _)| q == "offers_abt" && c == "yes"), "{overlap:?}");
    // A window that starts inside "Governor" does not find "nor".
    let governor = suggested(
        "Our Lead Governor asked that all Board members and senior managers attend active bystander training.",
    );
    assert!(has(&governor, "offers_abt", "yes", "active bystander training"), "{governor:?}");
    // A line break from a PDF does not end the sentence; "s.40" does not either.
    let wrapped = suggested("The Trust does not currently\nprovide active bystander training.");
    assert!(!wrapped.iter().any(|(q, c, _)| q == "offers_abt" && c == "yes"), "{wrapped:?}");
    assert!(has(&wrapped, "offers_abt", "no", "does not currently\nprovide active bystander"), "{wrapped:?}");
    let cited = suggested("We do not rely on s.40 here; active bystander training is not offered.");
    assert!(has(&cited, "offers_abt", "no", "bystander training is not"), "{cited:?}");
    // A paragraph break does end it.
    let paragraph =
        suggested("We could not find a reply.\n\nActive bystander training is offered to all staff.");
    assert!(has(&paragraph, "offers_abt", "yes", "Active bystander training"), "{paragraph:?}");
    // "Trust's 40 wards" is not section 40.
    let wards = suggested("The Trust's 40 wards and 12 months of data.");
    assert!(!wards.iter().any(|(q, _, _)| q == "exemptions"), "{wards:?}");
    let sections = suggested("Withheld under sections 40 and s.43, and s21.");
    for code in ["s40", "s43", "s21"] {
        assert!(sections.iter().any(|(q, c, _)| q == "exemptions" && c == code), "{code}: {sections:?}");
    }
}

#[test]
fn odd_rules_and_texts_give_no_empty_passage_and_no_panic() {
    let mut book = abt();
    book.questions[0].rules = vec![Rule {
        code: "yes".into(),
        phrases: vec![],
        patterns: vec![r"\b".into(), "é+".into()],
        unless: vec!["ü".into()],
        window: Some(1),
    }];
    let suggester = Suggester::new(&book).expect("compiles");
    for text in ["", "é", "ü é", "a\u{0}b", "\n\n\n", &"ü".repeat(500)] {
        for s in suggester.suggest(text) {
            assert!(s.start < s.end && !s.quote.is_empty(), "{text:?}: {s:?}");
        }
    }
    let lookaround =
        problems(&ABT_CODEBOOK.replace(r"'\bno\s+(?:active\s+)?bystander\s+training\b'", r"'(?=x)'"));
    assert!(
        lookaround
            .iter()
            .any(|p| p.starts_with("questions.offers_abt.rules.1: \"(?=x)\" is not a usable pattern")),
        "{lookaround:?}"
    );
}

#[test]
fn texts_a_coder_reads_are_bounded_and_clean() {
    let mut book = abt();
    book.questions[0].codes[0].label = "Y\u{1b}[31m".into();
    book.title = "T".repeat(201);
    let found: Vec<String> = book.check().unwrap_err().into_iter().map(|p| p.to_string()).collect();
    assert!(
        found
            .iter()
            .any(|p| p.starts_with("questions.offers_abt.codes.yes.label: holds a control character")),
        "{found:?}"
    );
    assert!(found.iter().any(|p| p == "title: is 201 characters long; at most 200"), "{found:?}");
    let many: Vec<String> = (0..2001).map(|i| format!("\"w{i}\"")).collect();
    let text = format!(
        "key = \"k\"\ntitle = \"T\"\n[[questions]]\nkey = \"q\"\nlabel = \"Q\"\ntype = \"yes_no_unclear\"\n[[questions.rules]]\ncode = \"yes\"\nphrases = [{}]\n",
        many.join(", ")
    );
    assert!(problems(&text).iter().any(|p| p.contains("at most 2000")));
}

#[test]
fn a_question_may_not_take_the_name_of_an_export_column() {
    let text = "key = \"k\"\ntitle = \"T\"\n[[questions]]\nkey = \"body\"\nlabel = \"B?\"\ntype = \"yes_no_unclear\"\n";
    let problems = Codebook::from_toml(text).unwrap_err();
    assert!(
        problems.iter().any(|p| p.at == "questions.body" && p.message.contains("the exports have a column")),
        "{problems:?}"
    );
}

#[test]
fn codes_may_not_be_nested_beyond_32_levels_nor_hold_non_characters() {
    let mut book = Codebook::from_toml(ABT_CODEBOOK).unwrap();
    let q = book.questions.iter_mut().find(|q| q.key == "exemptions").unwrap();
    q.codes = (0..40)
        .map(|i| Code {
            key: format!("c{i}"),
            label: format!("Level {i}"),
            description: String::new(),
            colour: None,
            parent: (i > 0).then(|| format!("c{}", i - 1)),
            replaces: Vec::new(),
        })
        .collect();
    q.rules.clear();
    let problems = book.check().unwrap_err();
    assert!(
        problems.iter().all(|p| p.message == "its parents are nested more than 32 levels deep"),
        "{problems:?}"
    );
    assert_eq!(problems.len(), 40 - 32, "only the codes below level 32");
    let mut odd = Codebook::from_toml(ABT_CODEBOOK).unwrap();
    odd.questions[0].label.push('\u{ffff}');
    assert!(odd.check().is_err());
}
