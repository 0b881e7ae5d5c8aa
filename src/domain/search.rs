//! Searching incoming mail: what a researcher may type, and how a hit's snippet marks what
//! matched.
//!
//! The syntax is the one web search engines read:
//! words (all must appear), `"quoted phrases"`, `OR` between two alternatives, and `-word` or
//! `-"a phrase"` to leave out. `OR` binds tighter than the space: `a OR b c` is (a or b) and
//! c. Each store is handed the parse, never the text, so both read a query alike. Punctuation inside a word splits it
//! as the index does: `s.40(2)` looks for the phrase `s 40 2`.

/// Marks the start and end of a matched passage in a snippet as the store writes it. They are
/// private-use characters, which no mail means anything by; [`unmarked`] clears them from
/// every text before it is stored, so that a stray one cannot fake a highlight.
pub const MARK_START: char = '\u{E000}';
pub const MARK_END: char = '\u{E001}';

/// The longest query read, in characters.
pub const MAX_QUERY_CHARS: usize = 500;
/// The most words and phrases a query may hold.
pub const MAX_TERMS: usize = 32;

/// A query, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// Each group must match; a group of several is their alternatives (`a OR b`).
    pub all_of: Vec<Vec<String>>,
    /// None of these may match.
    pub none_of: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("say what to look for: a word or a \"quoted phrase\"")]
    Empty,
    #[error("a search of only words to leave out finds nothing; add a word to look for")]
    OnlyExclusions,
    #[error("a search may be at most {MAX_QUERY_CHARS} characters long")]
    TooLong,
    #[error("a search may hold at most {MAX_TERMS} words and phrases")]
    TooManyTerms,
}

/// One word or phrase as typed, before `OR` joins them.
#[derive(Debug)]
enum Token {
    Term { text: String, negated: bool },
    Or,
}

impl Query {
    pub fn parse(input: &str) -> Result<Self, QueryError> {
        if input.chars().count() > MAX_QUERY_CHARS {
            return Err(QueryError::TooLong);
        }
        // A control character (NUL above all, which PostgreSQL refuses in text) or a mark
        // separates words, as the index reads them.
        let input: String = input
            .chars()
            .map(|c| if c.is_control() || matches!(c, MARK_START | MARK_END) { ' ' } else { c })
            .collect();
        let tokens = tokens(&input);
        let terms = tokens.iter().filter(|t| matches!(t, Token::Term { .. })).count();
        if terms > MAX_TERMS {
            return Err(QueryError::TooManyTerms);
        }
        let mut query = Query { all_of: Vec::new(), none_of: Vec::new() };
        // `OR` joins the positive terms either side of it; anywhere else it is ignored, as
        // PostgreSQL ignores it.
        let mut join_next = false;
        for token in tokens {
            match token {
                Token::Or => join_next = !query.all_of.is_empty(),
                Token::Term { text, negated: true } => {
                    query.none_of.push(text);
                    join_next = false;
                }
                Token::Term { text, negated: false } => {
                    match query.all_of.last_mut() {
                        Some(group) if join_next => group.push(text),
                        _ => query.all_of.push(vec![text]),
                    }
                    join_next = false;
                }
            }
        }
        match (query.all_of.is_empty(), query.none_of.is_empty()) {
            (false, _) => Ok(query),
            (true, true) => Err(QueryError::Empty),
            (true, false) => Err(QueryError::OnlyExclusions),
        }
    }

    /// The query in SQLite FTS5's syntax. Every term is a quoted string, so nothing typed can
    /// be read as an operator or a column name.
    pub fn to_fts5(&self) -> String {
        let groups: Vec<String> = self
            .all_of
            .iter()
            .map(|group| {
                let alternatives: Vec<String> = group.iter().map(|t| quoted(t)).collect();
                format!("({})", alternatives.join(" OR "))
            })
            .collect();
        let mut out = groups.join(" AND ");
        for term in &self.none_of {
            out = format!("({out}) NOT {}", quoted(term));
        }
        out
    }
}

/// `term` as one FTS5 phrase: in double quotes, its own double quotes doubled, so that no
/// character of it is read as query syntax.
pub fn quoted(term: &str) -> String {
    let mut out = String::with_capacity(term.len() + 2);
    out.push('"');
    for c in term.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// Splits the input into terms, phrases and `OR`s. A term with nothing to index (only
/// punctuation) is dropped, as the index would drop it.
fn tokens(input: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = input.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let negated = c == '-';
        if negated {
            chars.next();
        }
        let phrase = chars.peek() == Some(&'"');
        let mut text = String::new();
        if phrase {
            chars.next();
            for c in chars.by_ref() {
                if c == '"' {
                    break;
                }
                text.push(c);
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || c == '"' {
                    break;
                }
                text.push(c);
                chars.next();
            }
        }
        if !phrase && !negated && text.eq_ignore_ascii_case("or") {
            out.push(Token::Or);
        } else if text.chars().any(char::is_alphanumeric) {
            out.push(Token::Term { text: text.split_whitespace().collect::<Vec<_>>().join(" "), negated });
        }
    }
    out
}

/// A snippet of matched text, with where the matches are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    pub text: String,
    /// Each match as `[start, end)`, counted in Unicode code points of `text`.
    pub highlights: Vec<[usize; 2]>,
}

/// Reads a snippet whose matches are enclosed in [`MARK_START`] and [`MARK_END`].
pub fn snippet(marked: &str) -> Snippet {
    let mut text = String::with_capacity(marked.len());
    let mut highlights = Vec::new();
    let mut start = None;
    let mut at = 0;
    for c in marked.chars() {
        match c {
            MARK_START => start = Some(at),
            MARK_END => {
                if let Some(s) = start.take().filter(|&s| s < at) {
                    highlights.push([s, at]);
                }
            }
            c => {
                text.push(c);
                at += 1;
            }
        }
    }
    Snippet { text, highlights }
}

/// `text` without the characters that mark matches in a snippet.
pub fn unmarked(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains([MARK_START, MARK_END]) {
        text.chars().filter(|c| !matches!(*c, MARK_START | MARK_END)).collect::<String>().into()
    } else {
        text.into()
    }
}

/// The snippet shown in a terminal: matches in brackets.
pub fn bracketed(s: &Snippet) -> String {
    let mut out = String::with_capacity(s.text.len() + 4 * s.highlights.len());
    let mut marks = s.highlights.iter().flat_map(|[a, b]| [(*a, '['), (*b, ']')]).peekable();
    for (i, c) in s.text.chars().enumerate() {
        while let Some((_, m)) = marks.next_if(|(at, _)| *at == i) {
            out.push(m);
        }
        out.push(c);
    }
    out.extend(marks.map(|(_, m)| m));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fts(q: &str) -> String {
        Query::parse(q).unwrap().to_fts5()
    }

    #[test]
    fn words_must_all_appear() {
        assert_eq!(fts("bystander training"), r#"("bystander") AND ("training")"#);
    }

    #[test]
    fn phrases_alternatives_and_exclusions() {
        assert_eq!(fts(r#""not held" OR "section 12""#), r#"("not held" OR "section 12")"#);
        assert_eq!(fts("harassment -sexual"), r#"(("harassment")) NOT "sexual""#);
        assert_eq!(fts(r#"a or b c -"d e""#), r#"(("a" OR "b") AND ("c")) NOT "d e""#);
        let q = Query::parse(r#"a or b c -"d e""#).unwrap();
        assert_eq!(
            q,
            Query {
                all_of: vec![vec!["a".into(), "b".into()], vec!["c".into()]],
                none_of: vec!["d e".into()]
            }
        );
    }

    #[test]
    fn nothing_typed_is_an_operator() {
        // FTS5 would read these as a column filter, NEAR, a prefix and a grouping.
        assert_eq!(
            fts("subject:x NEAR(a b) train* (c"),
            r#"("subject:x") AND ("NEAR(a") AND ("b)") AND ("train*") AND ("(c")"#
        );
        assert_eq!(fts(r#"say "it's ""#), r#"("say") AND ("it's")"#);
        assert_eq!(fts("AND NOT x"), r#"("AND") AND ("NOT") AND ("x")"#);
    }

    #[test]
    fn a_lone_or_is_a_separator_and_an_unclosed_quote_runs_to_the_end() {
        assert_eq!(fts("OR a OR"), r#"("a")"#);
        assert_eq!(fts(r#"a "b   c"#), r#"("a") AND ("b c")"#);
    }

    #[test]
    fn control_characters_and_marks_separate_words() {
        assert_eq!(fts("a\0b \"c\u{E000}d\u{7}\""), r#"("a") AND ("b") AND ("c d")"#);
        assert_eq!(Query::parse("\0\u{1b}"), Err(QueryError::Empty));
    }

    #[test]
    fn empty_and_hostile_queries_are_refused() {
        assert_eq!(Query::parse(""), Err(QueryError::Empty));
        assert_eq!(Query::parse(r#"  "" -- ... OR "#), Err(QueryError::Empty));
        assert_eq!(Query::parse("-spam"), Err(QueryError::OnlyExclusions));
        assert_eq!(Query::parse(&"a".repeat(501)), Err(QueryError::TooLong));
        assert_eq!(Query::parse(&"a ".repeat(33)), Err(QueryError::TooManyTerms));
        assert!(Query::parse(&"a ".repeat(32)).is_ok());
    }

    #[test]
    fn snippets_become_text_and_ranges() {
        let s = snippet("…the trust \u{E000}does\u{E001} not \u{E000}hold\u{E001}");
        assert_eq!(s.text, "…the trust does not hold");
        assert_eq!(s.highlights, vec![[11, 15], [20, 24]]);
        assert_eq!(bracketed(&s), "…the trust [does] not [hold]");
        // Unbalanced or empty marks make no range.
        assert_eq!(snippet("a\u{E001}b\u{E000}\u{E001}c\u{E000}").highlights, Vec::<[usize; 2]>::new());
    }

    #[test]
    fn stored_text_loses_the_marks() {
        assert_eq!(unmarked("a\u{E000}b\u{E001}c"), "abc");
        assert!(matches!(unmarked("plain"), std::borrow::Cow::Borrowed(_)));
    }
}
