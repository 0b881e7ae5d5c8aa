use proptest::prelude::*;

use super::*;

fn summary(bytes: &[u8]) -> Vec<(u64, String)> {
    rows(bytes)
        .into_iter()
        .map(|item| match item {
            Item::Row { first_line, fields, .. } => (
                first_line,
                fields.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect::<Vec<_>>().join("|"),
            ),
            Item::Broken { line, .. } => (line, "BROKEN".to_string()),
        })
        .collect()
}

#[test]
fn an_unclosed_quote_is_reported_and_the_rows_after_it_are_still_read() {
    let file = b"name,email\nA Trust,a@a.org\n\"Broken,b@b.org\nC Trust,c@c.org\nD Trust,d@d.org\n";
    assert_eq!(
        summary(file),
        [
            (1, "name|email".to_string()),
            (2, "A Trust|a@a.org".into()),
            (3, "BROKEN".into()),
            (4, "C Trust|c@c.org".into()),
            (5, "D Trust|d@d.org".into()),
        ]
    );
}

#[test]
fn an_unclosed_quote_on_the_last_line_is_reported() {
    let file = b"name,email\nA Trust,a@a.org\n\"Broken,b@b.org";
    assert_eq!(summary(file)[2], (3, "BROKEN".to_string()));
}

#[test]
fn line_numbers_are_the_editors_for_lf_crlf_and_cr() {
    for eol in ["\n", "\r\n", "\r"] {
        let file = format!("name{eol}A{eol}{eol}B{eol}C");
        let lines: Vec<u64> = summary(file.as_bytes()).iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [1, 2, 4, 5], "line ends {eol:?}");
    }
}

#[test]
fn rows_that_run_over_lines_are_kept_when_the_file_has_several() {
    let file = b"name,address\n\"A\",\"1 High St\nLeeds\"\n\"B\",\"2 Low St\nYork\"\nC,Hull\n";
    let rows = rows(file);
    assert!(rows.iter().all(|i| matches!(i, Item::Row { .. })), "{rows:?}");
    assert!(matches!(rows[1], Item::Row { first_line: 2, last_line: 3, .. }));
    assert!(matches!(rows[3], Item::Row { first_line: 6, .. }));
}

#[test]
fn a_lone_row_over_two_lines_is_suspect() {
    let file = b"name,address\n\"A\",\"1 High St\nB,Leeds\nC,Hull\n";
    assert_eq!(
        summary(file),
        [(1, "name|address".to_string()), (2, "BROKEN".into()), (3, "B|Leeds".into()), (4, "C|Hull".into()),]
    );
}

#[test]
fn a_comma_then_an_email_in_one_field_is_suspect() {
    assert!(comma_then_email(b"Broken, b@b.org"));
    assert!(!comma_then_email(b"Smith, Jones and Partners"));
    assert!(!comma_then_email(b"foi@trust.nhs.uk"));
    assert!(!comma_then_email(b"x, @handle"));
}

/// The lines of a file that hold anything: each must belong to exactly one item.
fn non_empty_lines(bytes: &[u8]) -> Vec<u64> {
    let lines = Lines::of(bytes);
    let mut out = Vec::new();
    for (i, &start) in lines.0.iter().enumerate() {
        let end = lines.0.get(i + 1).copied().unwrap_or(bytes.len());
        if bytes[start..end].iter().any(|&b| b != b'\r' && b != b'\n') {
            out.push(i as u64 + 1);
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Whatever the file, every line that holds anything is in exactly one row or broken row.
    #[test]
    fn no_line_is_lost_or_read_twice(
        bytes in proptest::collection::vec(prop::sample::select(b"a ,\"\n\r@.b".to_vec()), 0..120)
    ) {
        let mut covered: Vec<u64> = Vec::new();
        for item in rows(&bytes) {
            match item {
                Item::Row { first_line, last_line, .. } => covered.extend(first_line..=last_line),
                Item::Broken { line, .. } => covered.push(line),
            }
        }
        let mut sorted = covered.clone();
        sorted.sort_unstable();
        sorted.dedup();
        prop_assert_eq!(sorted.len(), covered.len(), "a line was read twice: {:?}", covered);
        for line in non_empty_lines(&bytes) {
            prop_assert!(sorted.binary_search(&line).is_ok(), "line {} was lost: {:?}", line, covered);
        }
    }
}
