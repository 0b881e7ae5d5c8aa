//! HTML attachments (a letter saved as a web page), by html2text: the words and the table cells,
//! without the markup, scripts or styles.

/// Lines are not wrapped: the text is searched and coded, not shown at a terminal's width.
const WIDTH: usize = 10_000;

pub(super) fn text(data: &[u8]) -> String {
    let source = super::utf8_or_1252(data);
    html2text::config::plain_no_decorate()
        .allow_width_overflow()
        .string_from_read(source.as_bytes(), WIDTH)
        // html2text fails only on a width too small for the text, which `allow_width_overflow`
        // rules out; the tags stripped bare are still better than nothing.
        .unwrap_or_else(|_| strip_tags(&source))
}

fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_keeps_words_and_cells_and_loses_scripts() {
        let html = b"<html><head><style>p{color:red}</style><script>alert(1)</script></head><body>\
            <p>Dear Ms Smith,</p><table><tr><td>Staff trained</td><td>1,204</td></tr></table>\
            <p>Caf\xe9 &amp; more</p></body></html>";
        let out = text(html);
        assert!(out.contains("Dear Ms Smith,"), "{out}");
        assert!(out.contains("Staff trained") && out.contains("1,204"), "{out}");
        assert!(out.contains("Café & more"), "{out}");
        assert!(!out.contains("alert") && !out.contains("color"), "{out}");
    }
}
