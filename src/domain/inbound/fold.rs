//! Where a reply's own words end: before the earlier messages it quotes, its signature and its
//! disclaimer. The stored text is never changed; this only says where to fold it for display,
//! and which part is the body's own when foitrack looks for what a reply means (our request,
//! quoted back, would otherwise "say" whatever we asked about).

use std::sync::LazyLock;

use regex::Regex;

/// A reply's text, cut where its own words end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Folded<'a> {
    /// The body's own words.
    pub own: &'a str,
    /// Everything after: signature, disclaimer, quoted messages. Empty when there is none.
    pub folded: &'a str,
    /// What the fold begins with.
    pub fold: Option<Fold>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Fold {
    /// An earlier message, quoted: "On … wrote:", Outlook's header block, `>` lines.
    Quote,
    /// The sender's signature, after a `-- ` line.
    Signature,
    /// A confidentiality notice.
    Disclaimer,
}

/// A line that begins the quoted history on its own.
static QUOTE_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^\s*(?:
            -{2,}\s*(?:original\s+message|forwarded\s+message)\s*-{2,}
          | _{10,}\s*$
          | on\s.{4,200}\swrote:\s*$
          | begin\s+forwarded\s+message:
        )",
    )
    .expect("the quote pattern compiles")
});

/// Outlook's block: `From:` followed within a few lines by `Sent:` or `Date:`.
static FROM_LINE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)^\s*\*?from:\*?\s").expect("compiles"));
static SENT_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^\s*\*?(?:sent|date):\*?\s").expect("compiles"));

/// A confidentiality notice: its own heading, or the words such notices use ("intended solely
/// for the addressee", "if you have received this in error"), not merely "confidential", which
/// a refusal under section 41 says too.
static DISCLAIMER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^\s*(?:
            disclaimer\s*:?\s*$
          | (?:this|the\s+information\s+in\s+this)\s+(?:e-?mail|message)\b.{0,120}\b(?:intended\s+(?:solely|only)\s+for|if\s+you\s+(?:are\s+not\s+the\s+intended|have\s+received\s+(?:it|this)\s+in\s+error))
        )",
    )
    .expect("the disclaimer pattern compiles")
});

/// Folding looks no further than this into a text: a reply's own words come first, and a
/// hostile text of millions of lines must not cost more than a page's.
const MAX_FOLD_BYTES: usize = 256 * 1024;

pub fn fold(text: &str) -> Folded<'_> {
    let end = text.floor_char_boundary(MAX_FOLD_BYTES);
    let lines: Vec<(usize, &str)> = line_starts(&text[..end]);
    // From the end, once: whether every line from here on is quoted or blank.
    let mut only_quotes_after = vec![false; lines.len() + 1];
    only_quotes_after[lines.len()] = true;
    for i in (0..lines.len()).rev() {
        let l = lines[i].1;
        only_quotes_after[i] = only_quotes_after[i + 1] && (quoted(l) || l.trim().is_empty());
    }
    // Whether the last line with words on it was quoted.
    let mut after_a_quote = false;
    for (i, &(at, line)) in lines.iter().enumerate() {
        // The first line of the trailing block of quotes, not one within it.
        let quoted_block = quoted(line) && only_quotes_after[i] && !after_a_quote;
        if !line.trim().is_empty() {
            after_a_quote = quoted(line);
        }
        let fold = if QUOTE_START.is_match(line) || outlook_block(&lines[i..]) || quoted_block {
            Some(Fold::Quote)
        } else if line.trim_end_matches('\r') == "-- " || line.trim_end_matches('\r') == "--" {
            Some(Fold::Signature)
        } else if DISCLAIMER.is_match(line) {
            Some(Fold::Disclaimer)
        } else {
            None
        };
        if let Some(fold) = fold {
            let own = text[..at].trim_end();
            // A fold at the very top (a letter that opens with From: and Date: lines, a forward
            // with no words of its own) is no fold: look for the next.
            if own.is_empty() {
                continue;
            }
            return Folded { own, folded: &text[at..], fold: Some(fold) };
        }
    }
    Folded { own: text, folded: "", fold: None }
}

fn line_starts(text: &str) -> Vec<(usize, &str)> {
    let mut at = 0;
    text.split('\n')
        .map(|line| {
            let start = at;
            at += line.len() + 1;
            (start, line)
        })
        .collect()
}

fn outlook_block(lines: &[(usize, &str)]) -> bool {
    FROM_LINE.is_match(lines[0].1) && lines.iter().skip(1).take(4).any(|(_, l)| SENT_LINE.is_match(l))
}

/// A quoted line (`>`). Only quoted lines with nothing of the body's own after them fold: lines
/// quoted between the body's answers ("You wrote: > … I can confirm …") are part of its words.
fn quoted(line: &str) -> bool {
    line.trim_start().starts_with('>')
}

/// The body's own words without the lines it quotes: what it says, not what it answers.
pub fn unquoted(own: &str) -> String {
    own.split('\n').filter(|l| !quoted(l)).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_messages_are_folded_in_every_mailer_s_style() {
        let gmail = "Please see attached.\n\nOn Mon, 6 Dec 2021 at 10:00, FOI Research <foi@research.example.ac.uk> wrote:\n> Dear Trust,\n> Under section 12 …";
        let f = fold(gmail);
        assert_eq!(f.own, "Please see attached.");
        assert_eq!(f.fold, Some(Fold::Quote));
        assert!(f.folded.contains("section 12"));
        let outlook = "We do not hold this information.\r\n\r\nFrom: FOI Research <foi@research.example.ac.uk>\r\nSent: 06 December 2021 10:00\r\nTo: FOI\r\nSubject: request";
        assert_eq!(fold(outlook).own, "We do not hold this information.");
        let original = "Answer below.\n-----Original Message-----\nFrom: us";
        assert_eq!(fold(original).own, "Answer below.");
        let angled = "Yes.\n\n> Does the Trust offer training?\n> Who provides it?";
        assert_eq!(fold(angled).own, "Yes.");
        // Quoting between answers is not the end of the body's words.
        let inline = "You wrote:\n> Do you offer training?\n\nNo, we do not.";
        assert_eq!(fold(inline).fold, None);
        assert_eq!(unquoted(inline), "You wrote:\n\nNo, we do not.");
    }

    #[test]
    fn signatures_and_disclaimers_are_folded() {
        let signed = "Regards\n-- \nJo Bloggs\nInformation Governance";
        assert_eq!(fold(signed).own, "Regards");
        assert_eq!(fold(signed).fold, Some(Fold::Signature));
        let notice = "Thanks.\n\nThis email and any files transmitted with it are confidential and intended solely for the addressee.";
        assert_eq!(fold(notice).fold, Some(Fold::Disclaimer));
        assert_eq!(fold(notice).own, "Thanks.");
        // A refusal that says "confidential" is the body's words, not a notice.
        let refusal = "Dear Dr Okafor,\nThis email is to confirm that the report is confidential and exempt under section 41.";
        assert_eq!(fold(refusal).fold, None);
    }

    #[test]
    fn a_letter_opening_with_its_own_headers_still_folds_the_quote_below() {
        let letter = "From: Information Governance\nDate: 4 January 2022\n\nThe information is not held.\n\nOn 6 Dec 2021, FOI Research wrote:\n> under section 12";
        let f = fold(letter);
        assert_eq!(f.fold, Some(Fold::Quote));
        assert!(f.own.ends_with("not held.") && !f.own.contains("section 12"), "{f:?}");
    }

    #[test]
    fn a_hostile_text_of_quoted_lines_folds_in_linear_time() {
        let hostile = format!("{}x", "> q\n".repeat(2_000_000));
        let f = fold(&hostile);
        assert_eq!(f.fold, None);
        assert_eq!(f.own.len(), hostile.len());
    }

    #[test]
    fn text_without_a_fold_is_all_its_own() {
        for text in [
            "Dear Dr Okafor,\nFrom: the start of the year we have …\nYours",
            "> only a quote\n> and more",
            "",
            "a > b",
        ] {
            let f = fold(text);
            assert_eq!((f.own, f.folded, f.fold), (text, "", None), "{text:?}");
        }
    }
}
