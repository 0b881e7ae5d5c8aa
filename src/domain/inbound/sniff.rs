//! An attachment's type, read from its first bytes: a letter saved as `scan` with no
//! extension, or labelled `application/octet-stream`, is still a PDF.

/// The media type the bytes show, or `declared` where they show nothing more precise.
pub fn content_type(data: &[u8], declared: &str) -> String {
    let declared = declared.trim().to_ascii_lowercase();
    let starts = |magic: &[u8]| data.starts_with(magic);
    let sniffed = if starts(b"%PDF-") {
        "application/pdf"
    } else if starts(b"PK\x03\x04") {
        zip_kind(data)
    } else if starts(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        // An OLE compound file: Word 97–2003, Excel 97–2003 and Outlook items share it.
        match declared.as_str() {
            "application/msword" | "application/vnd.ms-excel" | "application/vnd.ms-outlook" => {
                return declared;
            }
            _ => "application/x-ole-storage",
        }
    } else if starts(b"{\\rtf") {
        "application/rtf"
    } else if starts(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if starts(b"\xFF\xD8\xFF") {
        "image/jpeg"
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        "image/gif"
    } else if starts(b"II*\0") || starts(b"MM\0*") {
        "image/tiff"
    } else if looks_like_html(data) {
        "text/html"
    } else if is_text(data) {
        // A forwarded message is text too, but read as the message it is.
        if declared.starts_with("text/") || declared == "message/rfc822" {
            return declared;
        }
        "text/plain"
    } else if declared.is_empty() {
        "application/octet-stream"
    } else {
        return declared;
    };
    sniffed.to_string()
}

/// Office Open XML and OpenDocument files are ZIP archives; their first entries tell which.
fn zip_kind(data: &[u8]) -> &'static str {
    let head = &data[..data.len().min(64 * 1024)];
    let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    if has(b"word/") {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    } else if has(b"xl/") {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    } else if has(b"ppt/") {
        "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    } else if has(b"application/vnd.oasis.opendocument.spreadsheet") {
        "application/vnd.oasis.opendocument.spreadsheet"
    } else if has(b"application/vnd.oasis.opendocument.text") {
        "application/vnd.oasis.opendocument.text"
    } else {
        "application/zip"
    }
}

fn looks_like_html(data: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&data[..data.len().min(512)]).trim_start().to_ascii_lowercase();
    head.starts_with("<!doctype html") || head.starts_with("<html")
}

/// Text: valid UTF-8 (or single-byte text) with no NULs and few control characters.
fn is_text(data: &[u8]) -> bool {
    let head = &data[..data.len().min(8192)];
    if head.is_empty() || head.contains(&0) {
        return false;
    }
    let controls = head.iter().filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c)).count();
    controls * 100 < head.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes_beat_the_label() {
        assert_eq!(content_type(b"%PDF-1.4\n...", "application/octet-stream"), "application/pdf");
        assert_eq!(content_type(b"%PDF-1.4\n...", ""), "application/pdf");
        assert_eq!(content_type(b"\x89PNG\r\n\x1a\n\0\0", "application/pdf"), "image/png");
        assert_eq!(content_type(b"{\\rtf1\\ansi", "application/msword"), "application/rtf");
    }

    #[test]
    fn zip_archives_are_told_apart_by_their_entries() {
        let docx = b"PK\x03\x04....[Content_Types].xml....word/document.xml";
        assert!(content_type(docx, "application/octet-stream").ends_with("wordprocessingml.document"));
        let xlsx = b"PK\x03\x04....xl/workbook.xml";
        assert!(content_type(xlsx, "").ends_with("spreadsheetml.sheet"));
        assert_eq!(content_type(b"PK\x03\x04reply.txt", "application/zip"), "application/zip");
    }

    #[test]
    fn text_and_unknown_bytes() {
        assert_eq!(content_type(b"Number of staff trained: 42\n", "application/octet-stream"), "text/plain");
        assert_eq!(content_type(b"a,b\n1,2\n", "text/csv"), "text/csv");
        assert_eq!(content_type(b"<!DOCTYPE html><p>x", "text/plain"), "text/html");
        assert_eq!(content_type(b"\x00\x01\x02\x03", "application/x-thing"), "application/x-thing");
        assert_eq!(content_type(b"\x00\x01\x02\x03", ""), "application/octet-stream");
        assert_eq!(content_type(b"", ""), "application/octet-stream");
    }
}
