use super::*;

const SHIPPED: &[u8] = include_bytes!("../../../shared/data/nhs-trusts-etr.csv");

fn ods(as_of: &str, region_required: bool) -> ImportOptions {
    ImportOptions { format: ImportFormat::OdsEtr, as_of: Some(as_of.parse().unwrap()), region_required }
}

fn csv_opts() -> ImportOptions {
    ImportOptions { format: ImportFormat::Csv, as_of: None, region_required: false }
}

#[test]
fn the_shipped_file_has_209_english_trusts_open_on_1_december_2021() {
    let parsed = parse(SHIPPED, ods("2021-12-01", true)).unwrap();
    assert_eq!(parsed.records.len(), 209);
    assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
    assert_eq!(parsed.filtered_out, 274 - 209);
    let manchester =
        parsed.records.iter().find(|(_, r)| r.ods_code.as_ref().unwrap().as_str() == "R0A").unwrap();
    assert_eq!(manchester.1.region.as_deref(), Some("North West"));
    assert_eq!(manchester.1.postcode.as_deref(), Some("M13 9WL"));
}

#[test]
fn without_the_region_filter_welsh_trusts_stay() {
    let with = parse(SHIPPED, ods("2021-12-01", true)).unwrap().records.len();
    let without = parse(SHIPPED, ods("2021-12-01", false)).unwrap().records.len();
    assert!(without > with, "{without} should exceed {with}");
}

#[test]
fn bodies_open_on_the_date_only() {
    let file = b"\"AAA\",\"OPENS LATER\",\"Y56\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"20211202\",\"\"\n\
\"BBB\",\"CLOSED THAT DAY\",\"Y56\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"20000101\",\"20211201\"\n\
\"CCC\",\"CLOSES LATER\",\"Y56\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"20211201\",\"20211202\"\n";
    let parsed = parse(file, ods("2021-12-01", true)).unwrap();
    let names: Vec<_> = parsed.records.iter().map(|(_, r)| r.name.as_str()).collect();
    assert_eq!(names, ["CLOSES LATER"]);
    assert_eq!(parsed.filtered_out, 2);
}

#[test]
fn broken_ods_rows_are_rejected_with_line_and_reason() {
    let file = b"\"AAA\",\"GOOD\",\"Y56\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"20000101\",\"\"\n\
\"BBB\",\"SHORT\"\n\
\"C-C\",\"BAD CODE\",\"Y56\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"20000101\",\"\"\n\
\"DDD\",\"BAD DATE\",\"Y56\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"2000-01-01\",\"\"\n\
\"AAA\",\"GOOD AGAIN\",\"Y56\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"20000101\",\"\"\n";
    let parsed = parse(file, ods("2021-12-01", true)).unwrap();
    assert_eq!(parsed.records.len(), 1);
    let lines: Vec<_> = parsed.rejected.iter().map(|r| (r.line, r.reason.as_str())).collect();
    assert_eq!(lines[0], (2, "has 2 columns; an ODS etr.csv row has 27 (at least 12 are needed)"));
    assert_eq!(lines[1].0, 3);
    assert!(lines[1].1.contains("not an ODS code"));
    assert_eq!(lines[2], (4, "the open date \"2000-01-01\" is not a date in the form YYYYMMDD"));
    assert_eq!(lines[3], (5, "repeats the body on line 1 (AAA)"));
}

#[test]
fn latin1_names_are_read() {
    let mut file = b"\"AAA\",\"ST HELENS & KNOWSLEY \xC9TUDE\",\"Y62\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"20000101\",\"\"\n".to_vec();
    file.extend_from_slice(b"\r\n");
    let parsed = parse(&file, ods("2021-12-01", true)).unwrap();
    assert_eq!(parsed.records[0].1.name, "ST HELENS & KNOWSLEY \u{c9}TUDE");
}

#[test]
fn headed_csv_with_extra_columns_and_tags() {
    let file = b"Name,Email,Region,ODS code,Tags,Notes\n\
Barts Health NHS Trust,foi@bartshealth.nhs.uk,Y56,R1H,acute; teaching,ignored\n\
Some Council,foi@council.gov.uk,Wales,,council,\n";
    let parsed = parse(file, csv_opts()).unwrap();
    assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
    let (line, barts) = &parsed.records[0];
    assert_eq!(*line, 2);
    assert_eq!(barts.region.as_deref(), Some("London"));
    assert_eq!(barts.region_code.as_deref(), Some("Y56"));
    assert_eq!(barts.tags, ["acute", "teaching"]);
    assert_eq!(parsed.records[1].1.region.as_deref(), Some("Wales"));
    assert_eq!(parsed.records[1].1.ods_code, None);
}

#[test]
fn headed_csv_rejects_bad_rows_and_keeps_good_ones() {
    let file = b"name,email\nGood,foi@good.org\n,foi@noname.org\nBad Email,not-an-email\n";
    let parsed = parse(file, csv_opts()).unwrap();
    assert_eq!(parsed.records.len(), 1);
    let reasons: Vec<_> = parsed.rejected.iter().map(|r| (r.line, r.reason.clone())).collect();
    assert_eq!(reasons[0], (3, "the name is empty".to_string()));
    assert_eq!(reasons[1], (4, "\"not-an-email\" is not an email address".to_string()));
}

#[test]
fn headed_csv_needs_a_name_column() {
    let err = parse(b"title,email\nx,y\n", csv_opts()).unwrap_err();
    assert_eq!(err.to_string(), "the CSV header has no \"name\" column (found: title, email)");
    assert_eq!(parse(b"", csv_opts()).unwrap_err(), ImportError::Empty);
    assert!(matches!(parse(b"name,Name\n", csv_opts()).unwrap_err(), ImportError::DuplicateColumn(_)));
}

#[test]
fn names_match_case_insensitively_without_an_ods_code() {
    let parsed = parse(b"name\nSome Council\nSOME COUNCIL\n", csv_opts()).unwrap();
    assert_eq!(parsed.records.len(), 1);
    assert_eq!(parsed.rejected[0].reason, "repeats the body on line 2 (SOME COUNCIL)");
}

#[test]
fn windows_1252_punctuation_is_read() {
    let parsed = parse(b"name\nSt John\x92s \x96 \x93Hospice\x94\n", csv_opts()).unwrap();
    assert_eq!(parsed.records[0].1.name, "St John\u{2019}s \u{2013} \u{201c}Hospice\u{201d}");
}

#[test]
fn overlong_names_are_rejected_rows() {
    let file = format!("name,region\n{},London\nGood,{}\nFine,London\n", "x".repeat(301), "y".repeat(101));
    let parsed = parse(file.as_bytes(), csv_opts()).unwrap();
    assert_eq!(parsed.records.len(), 1);
    assert_eq!(parsed.rejected[0].reason, "the name is longer than 300 characters");
    assert_eq!(parsed.rejected[1].reason, "the region is longer than 100 characters");
}

#[test]
fn an_unclosed_quote_loses_no_row() {
    let file = b"name,email\nA Trust,a@a.org\n\"Broken,b@b.org\nC Trust,c@c.org\nD Trust,d@d.org\n";
    let parsed = parse(file, csv_opts()).unwrap();
    let names: Vec<_> = parsed.records.iter().map(|(line, r)| (*line, r.name.as_str())).collect();
    assert_eq!(names, [(2, "A Trust"), (4, "C Trust"), (5, "D Trust")]);
    assert_eq!(parsed.rejected.len(), 1);
    assert_eq!(parsed.rejected[0].line, 3);
    assert!(parsed.rejected[0].reason.contains("not closed"), "{}", parsed.rejected[0].reason);
    assert_eq!(parsed.rows, 4);
}

#[test]
fn rejected_rows_name_the_editors_line_in_crlf_and_cr_files() {
    for eol in ["\n", "\r\n", "\r"] {
        let file =
            format!("name,email{eol}A Trust,a@a.org{eol},nameless@b.org{eol}C Trust,not-an-email{eol}");
        let parsed = parse(file.as_bytes(), csv_opts()).unwrap();
        let lines: Vec<u64> = parsed.rejected.iter().map(|r| r.line).collect();
        assert_eq!(lines, [3, 4], "line ends {eol:?}");
    }
}

#[test]
fn a_file_with_no_usable_row_fails_with_one_sentence() {
    let five_columns = b"a,b,c,d,e\nf,g,h,i,j\nk,l,m,n,o\n";
    let err = parse(five_columns, ods("2021-12-01", true)).unwrap_err();
    assert_eq!(err.to_string(), "this does not look like an ODS etr.csv: rows have 5 columns, 27 expected");
    let garbage: Vec<u8> = (0..4000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    assert!(matches!(parse(&garbage, ods("2021-12-01", true)), Err(ImportError::Hopeless(_))));
    let all_bad = b"name,email\n,a@a.org\n,b@b.org\n";
    assert_eq!(
        parse(all_bad, csv_opts()).unwrap_err().to_string(),
        "none of its 2 rows can be used; the first, on line 2: the name is empty"
    );
    assert_eq!(parse(b"name,email\n\n", csv_opts()).unwrap_err().to_string(), "the file holds no rows");
}

#[test]
fn bytes_windows_1252_leaves_undefined_are_refused_not_stored() {
    for byte in [0x81u8, 0x8d, 0x8f, 0x90, 0x9d] {
        let mut file = b"name,email\nGood Trust,g@g.org\nBad ".to_vec();
        file.extend([byte]);
        file.extend(b" Trust,b@b.org\n");
        let parsed = parse(&file, csv_opts()).unwrap();
        assert_eq!(parsed.records.len(), 1);
        assert_eq!(parsed.rejected[0].line, 3);
        assert!(
            parsed.rejected[0].reason.contains(&format!("0x{byte:02X}")),
            "{}",
            parsed.rejected[0].reason
        );
    }
    let c1_in_utf8 = "name\nBad \u{85} Trust\nGood\n";
    let parsed = parse(c1_in_utf8.as_bytes(), csv_opts()).unwrap();
    assert!(parsed.rejected[0].reason.contains("U+0085"), "{}", parsed.rejected[0].reason);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1000))]

    /// For any file, the rows stored, rejected and filtered out add up to the rows it holds
    /// (that every line is in some row is `csv_rows`' own property test).
    #[test]
    fn stored_rejected_and_filtered_rows_add_up(
        body in proptest::collection::vec(proptest::sample::select(b"ab ,\"\n\r@.x\x81".to_vec()), 0..200),
        region_required in proptest::bool::ANY,
    ) {
        let mut file = b"name,email,region\n".to_vec();
        file.extend(&body);
        let options = ImportOptions { format: ImportFormat::Csv, as_of: None, region_required };
        match parse(&file, options) {
            Ok(parsed) => proptest::prop_assert_eq!(
                parsed.records.len() as u64 + parsed.rejected.len() as u64 + parsed.filtered_out,
                parsed.rows
            ),
            Err(ImportError::Hopeless(_)) => {}
            Err(other) => proptest::prop_assert!(false, "{other}"),
        }
    }
}
