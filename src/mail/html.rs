//! A reply's HTML, made safe to show: ammonia keeps the markup that carries a letter (headings,
//! paragraphs, lists, tables, emphasis, links) and drops what could run, restyle the page or
//! report back to the sender: scripts, styles, forms, frames, event handlers and images,
//! which in mail are mostly logos and tracking pixels loaded from the sender's server.

use std::sync::LazyLock;

/// HTML beyond this is not kept as HTML: its text is still read and stored, and the raw
/// message keeps every byte.
pub const MAX_HTML_BYTES: usize = 2 * 1024 * 1024;

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.rm_tags(["img"])
        .url_schemes(["http", "https", "mailto"].into())
        // A relative link would point into foitrack itself, and `//host` to anywhere.
        .url_relative(ammonia::UrlRelative::Deny)
        .link_rel(Some("noopener noreferrer nofollow"))
        .strip_comments(true);
    b
});

/// The HTML, sanitised; `None` when it is too large to keep or has nothing left to show.
pub fn sanitised(html: &str) -> Option<String> {
    if html.len() > MAX_HTML_BYTES {
        return None;
    }
    let clean = CLEANER.clean(html).to_string();
    (!clean.trim().is_empty()).then_some(clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_letter_keeps_its_shape() {
        let letter =
            "<h1>Response</h1><p>We <b>do not hold</b> this.</p><table><tr><td>2021</td></tr></table>";
        let clean = sanitised(letter).unwrap();
        for kept in ["<h1>", "<b>do not hold</b>", "<table>", "<td>2021</td>"] {
            assert!(clean.contains(kept), "{kept} in {clean}");
        }
    }

    #[test]
    fn what_could_run_restyle_or_call_home_is_dropped() {
        let hostile = concat!(
            "<p onclick=\"steal()\" style=\"position:fixed\">Hello</p>",
            "<script>alert(1)</script><style>body{display:none}</style>",
            "<img src=\"https://tracker.example/pixel.gif\">",
            "<a href=\"javascript:alert(1)\">x</a><a href=\"https://ico.org.uk\">ICO</a>",
            "<a href=\"//evil.example/login\">y</a><a href=\"/api/v1/tokens\">z</a>",
            "<iframe src=\"https://evil.example\"></iframe><form action=\"/x\"><input></form>",
            "<!-- a comment -->"
        );
        let clean = sanitised(hostile).unwrap();
        for gone in [
            "onclick",
            "style",
            "script",
            "alert",
            "img",
            "tracker",
            "javascript",
            "iframe",
            "form",
            "input",
            "comment",
            "evil",
            "/api",
        ] {
            assert!(!clean.contains(gone), "{gone} in {clean}");
        }
        assert!(clean.contains("<p>Hello</p>"), "{clean}");
        assert!(clean.contains("href=\"https://ico.org.uk\""), "{clean}");
        assert!(clean.contains("rel=\"noopener noreferrer nofollow\""), "{clean}");
    }

    #[test]
    fn nothing_left_or_too_much_is_none() {
        assert_eq!(sanitised("<script>x</script>  "), None);
        assert_eq!(sanitised(&"<p>a</p>".repeat(MAX_HTML_BYTES / 8 + 1)), None);
    }
}
