//! A text cut into pieces at passages to mark, by offsets in Unicode code points (as evidence
//! and suggestions count them), so that a template can wrap the marked ones.

/// A run of text, marked with a note or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub text: String,
    pub mark: Option<String>,
}

/// Cuts `text` at the passages `[start, end)` with their notes. A passage overlapping an
/// earlier one, empty, or beyond the text is left unmarked: the text is always whole.
pub fn marked(text: &str, passages: &[(usize, usize, String)]) -> Vec<Piece> {
    let mut sorted: Vec<&(usize, usize, String)> = passages.iter().collect();
    sorted.sort_by_key(|p| (p.0, p.1));
    // Byte offsets of every code point, and of the end.
    let bytes: Vec<usize> = text.char_indices().map(|(b, _)| b).chain(std::iter::once(text.len())).collect();
    let chars = bytes.len() - 1;
    let mut pieces = Vec::new();
    let mut at = 0;
    for (start, end, note) in sorted {
        if *start < at || start >= end || *end > chars {
            continue;
        }
        if *start > at {
            pieces.push(Piece { text: text[bytes[at]..bytes[*start]].to_string(), mark: None });
        }
        pieces.push(Piece { text: text[bytes[*start]..bytes[*end]].to_string(), mark: Some(note.clone()) });
        at = *end;
    }
    if at < chars || pieces.is_empty() {
        pieces.push(Piece { text: text[bytes[at]..].to_string(), mark: None });
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(pieces: &[Piece]) -> String {
        pieces
            .iter()
            .map(|p| match &p.mark {
                Some(n) => format!("[{}|{n}]", p.text),
                None => p.text.clone(),
            })
            .collect()
    }

    #[test]
    fn passages_are_cut_by_code_points_not_bytes() {
        let text = "Ré: we offer “Upstander” training.";
        let start = text.find("“Up").map(|b| text[..b].chars().count()).unwrap();
        let got = marked(text, &[(start, start + 11, "offers".into())]);
        assert_eq!(show(&got), "Ré: we offer [“Upstander”|offers] training.");
        assert_eq!(got.iter().map(|p| p.text.as_str()).collect::<String>(), text);
    }

    #[test]
    fn overlapping_empty_and_out_of_range_passages_are_left_unmarked() {
        let got = marked(
            "abcdef",
            &[(3, 5, "b".into()), (1, 4, "a".into()), (2, 2, "e".into()), (5, 99, "o".into())],
        );
        assert_eq!(show(&got), "a[bcd|a]ef");
    }

    #[test]
    fn a_text_without_passages_is_one_piece_and_an_empty_text_one_empty_piece() {
        assert_eq!(marked("abc", &[]), vec![Piece { text: "abc".into(), mark: None }]);
        assert_eq!(marked("", &[(0, 1, "x".into())]), vec![Piece { text: String::new(), mark: None }]);
        assert_eq!(show(&marked("abc", &[(0, 3, "all".into())])), "[abc|all]");
    }
}
