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
    let mut lines = Lines::new();
    lines.see(bytes);
    lines.finish();
    let starts: Vec<usize> = lines.starts.iter().map(|&s| s as usize).collect();
    let mut out = Vec::new();
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(bytes.len());
        if bytes[start..end].iter().any(|&b| b != b'\r' && b != b'\n') {
            out.push(i as u64 + 1);
        }
    }
    out
}

/// The rows of `bytes` fed in pieces of the given sizes (cycled), rather than all at once.
fn rows_in_pieces(bytes: &[u8], sizes: &[usize]) -> Vec<Item> {
    let mut census = Census::default();
    for piece in bytes.chunks(sizes[0]) {
        census.feed(piece);
    }
    let mut splitter = Splitter::new(census.finish());
    let mut items = Vec::new();
    let mut rest = bytes;
    for &size in sizes.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let (piece, after) = rest.split_at(size.min(rest.len()));
        splitter.feed(piece, &mut items);
        rest = after;
    }
    splitter.finish(&mut items);
    items
}

#[test]
fn a_lone_cr_and_a_crlf_split_between_pieces_count_as_one_line_end_each() {
    let file = b"name\r\nA\rB\r\n\r\nC";
    let whole = rows(file);
    for size in 1..file.len() {
        assert_eq!(rows_in_pieces(file, &[size]), whole, "pieces of {size}");
    }
    let lines: Vec<u64> = summary(file).iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, [1, 2, 3, 5]);
}

#[test]
fn a_quote_never_closed_in_a_long_file_holds_only_a_few_lines_in_memory() {
    // Twenty thousand rows that each open a quote: every one is given up on its second line
    // break, so the buffer never holds more than a row and a piece.
    let mut file = b"name,email\n".to_vec();
    for i in 0..20_000 {
        file.extend_from_slice(format!("\"Trust {i},t{i}@nhs.net\n").as_bytes());
    }
    let mut census = Census::default();
    census.feed(&file);
    let mut splitter = Splitter::new(census.finish());
    let mut items = Vec::new();
    let mut largest = 0;
    for piece in file.chunks(4096) {
        splitter.feed(piece, &mut items);
        largest = largest.max(splitter.buf.len());
    }
    splitter.finish(&mut items);
    assert!(largest <= 2 * 4096, "the buffer grew to {largest} bytes");
    assert_eq!(items.len(), 20_001);
    assert!(items[1..].iter().all(|i| matches!(i, Item::Broken { .. })));
    assert!(matches!(&items[20_000], Item::Broken { line: 20_001, .. }));
}

#[test]
fn a_row_longer_than_the_limit_is_given_up_and_the_next_line_read() {
    let mut file = b"name\n".to_vec();
    file.extend(std::iter::repeat_n(b'x', MAX_ROW_BYTES + 10));
    file.extend_from_slice(b"\nB Trust\n");
    let items = rows_in_pieces(&file, &[1000]);
    assert!(
        matches!(&items[1], Item::Broken { line: 2, reason } if reason.contains("KiB")),
        "{:?}",
        items[1]
    );
    assert!(matches!(&items[2], Item::Row { first_line: 3, .. }));
    assert_eq!(items.len(), 3);
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

    /// The pieces a file arrives in change nothing.
    #[test]
    fn pieces_of_any_size_give_the_same_rows(
        bytes in proptest::collection::vec(prop::sample::select(b"a ,\"\n\r@.b".to_vec()), 0..120),
        sizes in proptest::collection::vec(1usize..9, 1..5),
    ) {
        prop_assert_eq!(rows_in_pieces(&bytes, &sizes), rows(&bytes));
    }
}
