use super::*;
use crate::domain::codebook::{ABT_CODEBOOK, Codebook, Problem, Question, QuestionKind};

fn abt() -> Codebook {
    Codebook::from_toml(ABT_CODEBOOK).unwrap()
}

fn import(xml: &str, earlier: Option<&Codebook>) -> Result<(Codebook, Notes), Vec<Problem>> {
    let file = read_qdc(xml).map_err(|p| vec![p])?;
    codebook_from_qdc(&file, "imported", "Imported", earlier)
}

#[test]
fn guids_are_stable_well_formed_and_distinct() {
    let g = guid("abt", "provider", "external");
    assert_eq!(g, guid("abt", "provider", "external"));
    assert_ne!(g, guid("abt", "provider", "in_house"));
    assert_ne!(guid("abt", "provider", ""), guid("abt", "provide", "r"));
    let parts: Vec<&str> = g.split('-').collect();
    assert_eq!(parts.iter().map(|p| p.len()).collect::<Vec<_>>(), [8, 4, 4, 4, 12]);
    assert!(g.chars().all(|c| c == '-' || c.is_ascii_digit() || c.is_ascii_uppercase()));
    assert!(parts[2].starts_with('8'), "version 8: {g}");
}

#[test]
fn the_study_codebook_comes_back_the_same_through_its_own_export() {
    let book = abt();
    let xml = to_qdc(&book, "foitrack test");
    assert!(xml.contains(r#"<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="foitrack test">"#));
    let file = read_qdc(&xml).unwrap();
    assert_eq!(file.codes.len(), book.questions.len());
    let (back, notes) = codebook_from_qdc(&file, &book.key, &book.title, Some(&book)).unwrap();
    assert_eq!(back, book, "{notes:?}");
    assert!(notes.is_empty(), "{notes:?}");
}

#[test]
fn questions_are_categories_and_numbers_are_codable() {
    let xml = to_qdc(&abt(), "t");
    let file = read_qdc(&xml).unwrap();
    let offers = &file.codes[0];
    assert_eq!(offers.name, "Does the trust offer active bystander training to its staff?");
    assert!(!offers.codable);
    assert_eq!(offers.children.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["Yes", "No"]);
    assert_eq!(offers.children[0].colour.as_deref(), Some("#2a9d8f"));
    let staff = file.codes.iter().find(|c| c.guid == guid("abt", "staff_completed", "")).unwrap();
    assert!(staff.codable && staff.children.is_empty());
}

#[test]
fn names_and_descriptions_with_markup_survive() {
    let mut book = abt();
    book.questions[0].label = "Offers <ABT> & \"more\"".into();
    book.questions[0].description = "Line one\nline two & <three>".into();
    let file = read_qdc(&to_qdc(&book, "a \"quoted\" origin")).unwrap();
    assert_eq!(file.codes[0].name, "Offers <ABT> & \"more\"");
    assert_eq!(file.codes[0].description, "Line one\nline two & <three>");
}

#[test]
fn an_edit_made_elsewhere_keeps_keys_and_takes_names_and_new_codes() {
    let book = abt();
    let mut xml =
        to_qdc(&book, "t").replace(r#"name="The trust&apos;s own staff""#, r#"name="Delivered in house""#);
    // A code added under `provider` in another tool, with its own GUID, and `unknown` removed.
    let provider = guid("abt", "provider", "");
    let at = xml.find(&provider).unwrap();
    let close = at + xml[at..].find(">\n").unwrap() + 2;
    xml.insert_str(
        close,
        r#"<Code guid="{11111111-2222-3333-4444-555555555555}" name="NHS Employers toolkit" isCodable="true"/>"#,
    );
    let unknown = guid("abt", "provider", "unknown");
    let start = xml.find(&unknown).unwrap() - r#"      <Code guid=""#.len();
    let end = start + xml[start..].find("</Code>\n").unwrap() + "</Code>\n".len();
    xml.replace_range(start..end, "");

    let (back, notes) = import(&xml, Some(&book)).unwrap();
    let (before, after) = (book.question("provider").unwrap(), back.question("provider").unwrap());
    assert_eq!(
        (after.kind, &after.applies_when, &after.rules),
        (before.kind, &before.applies_when, &before.rules)
    );
    let codes: Vec<(&str, &str)> = after.codes.iter().map(|c| (c.key.as_str(), c.label.as_str())).collect();
    assert_eq!(
        codes,
        [
            ("nhs_employers_toolkit", "NHS Employers toolkit"),
            ("in_house", "Delivered in house"),
            ("external", "An external provider"),
            ("both", "Both"),
        ]
    );
    assert_eq!(
        notes,
        [
            "code provider.unknown is not in the file, so it is left out",
            "code provider.nhs_employers_toolkit is new"
        ]
    );
}

#[test]
fn a_flat_codebook_from_another_tool_becomes_one_multiple_choice_question() {
    let xml = r##"<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Taguette 1.4">
  <Codes>
    <Code guid="0D62985D-B147-5D01-A9B5-CAE5DCD98342" name="interesting" isCodable="true"/>
    <Code guid="DFE5C38E-9449-5959-A1F7-E3D895CFA87F" name="People &amp; places" isCodable="true" color="#F0A"/>
  </Codes>
  <Sets><Set guid="ECA18D76-2B8B-4F26-BC1D-19ECA19FB3F0" name="group"><MemberCode guid="0D62985D-B147-5D01-A9B5-CAE5DCD98342"/></Set></Sets>
</CodeBook>"##;
    let (book, notes) = import(xml, None).unwrap();
    assert_eq!(book.questions.len(), 1);
    let q = &book.questions[0];
    assert_eq!((q.key.as_str(), q.kind), ("codes", QuestionKind::Multiple));
    let keys: Vec<(&str, &str)> = q.codes.iter().map(|c| (c.key.as_str(), c.label.as_str())).collect();
    assert_eq!(keys, [("interesting", "interesting"), ("people_places", "People & places")]);
    assert_eq!(q.codes[1].colour.as_deref(), Some("#ff00aa"));
    assert!(notes.iter().any(|n| n.starts_with("1 code set(s) left out")), "{notes:?}");
}

#[test]
fn a_hierarchy_from_another_tool_keeps_its_parents_and_any_namespace_version() {
    let xml = r#"<CodeBook xmlns="urn:QDA-XML:codebook:0:4"><Codes>
      <Code guid="{AAAAAAAA-0000-0000-0000-000000000001}" name="Training" isCodable="false">
        <Description>What is offered</Description>
        <Code guid="AAAAAAAA-0000-0000-0000-000000000002" name="Bystander" isCodable="true">
          <Code guid="AAAAAAAA-0000-0000-0000-000000000003" name="1. Online module" isCodable="true"/>
        </Code>
        <Code guid="AAAAAAAA-0000-0000-0000-000000000004" name="If" isCodable="true"/>
      </Code>
      <Code guid="AAAAAAAA-0000-0000-0000-000000000005" name="Loose" isCodable="true"/>
    </Codes></CodeBook>"#;
    let (book, notes) = import(xml, None).unwrap();
    let t = book.question("training").unwrap();
    assert_eq!(t.description, "What is offered");
    let codes: Vec<(&str, Option<&str>)> =
        t.codes.iter().map(|c| (c.key.as_str(), c.parent.as_deref())).collect();
    assert_eq!(codes, [("bystander", None), ("c_1_online_module", Some("bystander")), ("if_c", None)]);
    assert_eq!(book.question("loose").unwrap().kind, QuestionKind::YesNoUnclear);
    assert!(notes.iter().any(|n| n.contains("became the multiple-choice question training")));
}

#[test]
fn names_that_slug_alike_get_distinct_keys() {
    let xml = r#"<CodeBook><Codes><Code guid="AAAAAAAA-0000-0000-0000-000000000001" name="Yes!" isCodable="true"/>
      <Code guid="AAAAAAAA-0000-0000-0000-000000000002" name="yes?" isCodable="true"/>
      <Code guid="AAAAAAAA-0000-0000-0000-000000000003" name="Über einen sehr langen Namen, der weitergeht" isCodable="true"/></Codes></CodeBook>"#;
    let (book, _) = import(xml, None).unwrap();
    let keys: Vec<&str> = book.questions[0].codes.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(keys, ["yes", "yes_2", "ber_einen_sehr_langen_namen"]);
}

#[test]
fn broken_and_hostile_files_are_refused_with_a_reason() {
    let cases = [
        ("", "holds no XML elements"),
        ("<Project/>", "root element is Project"),
        ("<CodeBook><Codes><Code guid='1' name='a' isCodable='true'>", "ends before"),
        ("<CodeBook><Codes></Codes></CodeBook>", "holds no codes"),
        ("<CodeBook><Codes><Code guid='1' isCodable='true'/></Codes></CodeBook>", "code 1: has no name"),
        ("<CodeBook><Codes><Code name='a'></Codes></CodeBook>", "XML is broken"),
        ("<CodeBook/><CodeBook/>", "more than one root"),
        (
            "<!DOCTYPE x [<!ENTITY a 'aaaa'>]><CodeBook><Codes><Code guid='1' name='a' isCodable='true'><Description>&a;</Description></Code></Codes></CodeBook>",
            "entity &a;",
        ),
    ];
    for (xml, expected) in cases {
        let err = read_qdc(xml).unwrap_err();
        assert!(err.to_string().contains(expected), "{xml}: {err}");
    }
    let deep = format!(
        "<CodeBook><Codes>{}{}</Codes></CodeBook>",
        "<Code guid='1' name='a' isCodable='true'>".repeat(100),
        "</Code>".repeat(100)
    );
    assert!(read_qdc(&deep).unwrap_err().to_string().contains("more than 64 deep"));
}

#[test]
fn an_import_that_makes_no_usable_codebook_lists_its_problems() {
    let xml = r#"<CodeBook><Codes><Code guid="AAAAAAAA-0000-0000-0000-000000000001" name="a" isCodable="true"/></Codes></CodeBook>"#;
    let file = read_qdc(xml).unwrap();
    let problems = codebook_from_qdc(&file, "Not A Key", "T", None).unwrap_err();
    assert!(problems.iter().any(|p| p.message.contains("cannot be a key")), "{problems:?}");
}

#[test]
fn what_a_code_replaces_survives_the_round_trip() {
    let mut book = abt();
    let q = book.questions.iter_mut().find(|q| q.key == "provider").unwrap();
    q.codes.retain(|c| c.key != "both");
    q.codes[0].replaces = vec!["both".into()];
    q.rules.retain(|r| r.code != "both");
    book.check().unwrap();
    let file = read_qdc(&to_qdc(&book, "t")).unwrap();
    let (back, notes) = codebook_from_qdc(&file, "abt", &book.title, Some(&book)).unwrap();
    assert_eq!(back, book, "{notes:?}");
}

/// The study's export with `extra` inserted first beneath `provider`.
fn with_new_provider_code(extra: &str) -> String {
    let mut xml = to_qdc(&abt(), "t");
    let provider = guid("abt", "provider", "");
    let at = xml.find(&provider).unwrap();
    let close = at + xml[at..].find(">\n").unwrap() + 2;
    xml.insert_str(close, extra);
    xml
}

#[test]
fn a_new_code_never_takes_the_key_of_a_code_it_recognises() {
    let xml = with_new_provider_code(
        r#"<Code guid="0A0A0A0A-1111-2222-3333-444444444444" name="External" isCodable="true"/>"#,
    );
    let (back, notes) = import(&xml, Some(&abt())).unwrap();
    let keys: Vec<&str> = back.question("provider").unwrap().codes.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(keys, ["external_2", "in_house", "external", "both", "unknown"]);
    assert_eq!(notes, ["code provider.external_2 is new"]);
}

#[test]
fn codes_in_unexpected_places_are_read_past_and_descriptions_kept_whole() {
    let xml = r#"<CodeBook><Codes>
      <Code guid="AAAAAAAA-0000-0000-0000-000000000001" name="A" isCodable="true">
        <Description>one<b>two</b>three</Description>
        <Foo><Code guid="AAAAAAAA-0000-0000-0000-000000000002" name="B" isCodable="true"><Description>about B</Description></Code></Foo>
        <Code guid="AAAAAAAA-0000-0000-0000-000000000003" name="A1" isCodable="true"/>
      </Code>
      <Code guid="AAAAAAAA-0000-0000-0000-000000000004" name="C" isCodable="true"/>
    </Codes></CodeBook>"#;
    let file = read_qdc(xml).unwrap();
    let names: Vec<&str> = file.codes.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["A", "C"]);
    assert_eq!(file.codes[0].description, "onetwothree");
    assert_eq!(file.codes[0].children.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["A1"]);
}

#[test]
fn rules_and_conditions_on_what_the_file_left_out_are_dropped_with_a_note() {
    let book = abt();
    let mut xml = to_qdc(&book, "t");
    // `offers_abt` removed in another tool: the questions conditioned on it now always apply.
    let start = xml.find(&guid("abt", "offers_abt", "")).unwrap() - r#"    <Code guid=""#.len();
    let end = start + xml[start..].find("\n    </Code>\n").unwrap() + "\n    </Code>\n".len();
    xml.replace_range(start..end, "");
    let (back, notes) = import(&xml, Some(&book)).unwrap();
    assert!(back.question("offers_abt").is_none());
    assert_eq!(back.question("provider").unwrap().applies_when, None);
    assert!(
        notes.contains(&"question offers_abt is not in the file, so it is left out".to_string()),
        "{notes:?}"
    );
    assert!(
        notes.contains(
            &"provider now applies to every reply: its condition on offers_abt named codes the file left out"
                .to_string()
        ),
        "{notes:?}"
    );
}

#[test]
fn a_yes_no_question_comes_back_without_a_note_and_descriptions_keep_their_spaces() {
    let mut book = abt();
    book.questions.push(Question {
        key: "named_lead".into(),
        label: "Is a lead named?".into(),
        description: "  Padded, with a line break\n".into(),
        kind: QuestionKind::YesNoUnclear,
        codes: Vec::new(),
        applies_when: None,
        rules: Vec::new(),
    });
    book.check().unwrap();
    let file = read_qdc(&to_qdc(&book, "t")).unwrap();
    let (back, notes) = codebook_from_qdc(&file, &book.key, &book.title, Some(&book)).unwrap();
    assert!(back == book, "the codebook changed on the way");
    assert!(notes.is_empty(), "{notes:?}");
}

#[test]
fn many_alike_names_get_keys_in_one_pass() {
    let codes: String = (0..3000)
        .map(|i| format!(r#"<Code guid="AAAAAAAA-0000-0000-0000-{i:012}" name="x" isCodable="true"/>"#))
        .collect();
    let (book, _) = import(&format!("<CodeBook><Codes>{codes}</Codes></CodeBook>"), None).unwrap();
    let keys: Vec<&str> = book.questions[0].codes.iter().map(|c| c.key.as_str()).collect();
    assert_eq!((keys[0], keys[1], keys[2999]), ("x", "x_2", "x_3000"));
}
