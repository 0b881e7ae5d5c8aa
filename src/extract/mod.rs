//! The text of an attachment: PDF, Word (DOCX), OpenDocument text (ODT), spreadsheets (XLSX,
//! XLS, ODS), HTML and RTF, and of what ZIP archives and attached messages hold.
//!
//! The readers below are pure (bytes in, text out), but they parse files written by anyone, with
//! libraries that may panic, loop or allocate without bound on a hostile file. So foitrack never
//! runs them in its own process: [`child`] runs them in a child process of foitrack itself, with
//! limits on time and memory, and turns whatever happens there into [`Extracted`].

pub mod child;
mod container;
mod html;
mod office;
mod pdf;
mod rtf;
mod sheet;

/// The most text kept from one attachment, in bytes of UTF-8: a 1,000-page report is about
/// 3 MB. Longer text is cut at a character boundary.
pub const MAX_TEXT_BYTES: usize = 8 * 1024 * 1024;

/// The kinds of file foitrack reads the text of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Docx,
    Odt,
    /// XLSX, XLS and ODS: calamine tells them apart.
    Spreadsheet,
    Html,
    Rtf,
    /// A ZIP archive: the text of its members.
    Zip,
    /// A message attached to a message, as a forward carries it.
    Message,
}

impl Format {
    /// The reader for a sniffed media type, if foitrack has one.
    pub fn of(content_type: &str) -> Option<Self> {
        Some(match content_type {
            "application/pdf" => Self::Pdf,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => Self::Docx,
            "application/vnd.oasis.opendocument.text" => Self::Odt,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            | "application/vnd.ms-excel"
            | "application/vnd.oasis.opendocument.spreadsheet" => Self::Spreadsheet,
            "text/html" | "application/xhtml+xml" => Self::Html,
            "application/rtf" | "text/rtf" => Self::Rtf,
            "application/zip" => Self::Zip,
            "message/rfc822" => Self::Message,
            _ => return None,
        })
    }

    /// The name the child process is told, and logs show.
    pub fn name(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Docx => "docx",
            Self::Odt => "odt",
            Self::Spreadsheet => "spreadsheet",
            Self::Html => "html",
            Self::Rtf => "rtf",
            Self::Zip => "zip",
            Self::Message => "message",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Pdf, Self::Docx, Self::Odt, Self::Spreadsheet, Self::Html, Self::Rtf, Self::Zip, Self::Message]
            .into_iter()
            .find(|f| f.name() == name)
    }
}

/// What reading a file's text came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Extracted {
    Text(String),
    /// Why there is no text, in words for the researcher: a damaged file, a scanned PDF, a
    /// reader that ran out of time or memory.
    Failed(String),
}

/// Reads `data` as `format`, in this process. Only the child process calls this; everything
/// else goes through [`child::Extractor`].
pub fn read(format: Format, data: &[u8]) -> Extracted {
    read_at(format, data, 0)
}

/// As [`read`], for a file held `depth` archives or messages deep.
fn read_at(format: Format, data: &[u8], depth: usize) -> Extracted {
    if depth > container::MAX_DEPTH {
        return Extracted::Failed(format!(
            "files nested more than {} deep are not read",
            container::MAX_DEPTH
        ));
    }
    let result = match format {
        Format::Pdf => pdf::text(data),
        Format::Docx => office::docx(data),
        Format::Odt => office::odt(data),
        Format::Spreadsheet => sheet::text(data),
        Format::Html => Ok(html::text(data)),
        Format::Rtf => rtf::text(data),
        Format::Zip => container::zip(data, depth),
        Format::Message => container::message(data, depth),
    };
    match result {
        Ok(text) => Extracted::Text(tidy(text)),
        Err(why) => Extracted::Failed(why),
    }
}

/// The text as stored: no NUL (PostgreSQL refuses it), no trailing blanks on lines, at most
/// two blank lines in a row, and at most [`MAX_TEXT_BYTES`].
fn tidy(text: String) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_TEXT_BYTES));
    let mut blank_run = 0;
    for line in text.split('\n') {
        let line = line.trim_end();
        if line.is_empty() {
            blank_run += 1;
            if blank_run > 2 || out.is_empty() {
                continue;
            }
        } else {
            blank_run = 0;
        }
        if out.len() + line.len() + 1 > MAX_TEXT_BYTES {
            let room = MAX_TEXT_BYTES - out.len();
            let cut = line.floor_char_boundary(room);
            out.push_str(&line[..cut]);
            break;
        }
        out.push_str(&line.replace('\0', ""));
        out.push('\n');
    }
    out.truncate(out.trim_end().len());
    out
}

/// Text in a single-byte encoding, as British offices write it: Windows-1252.
fn windows_1252(data: &[u8]) -> String {
    encoding_rs::WINDOWS_1252.decode_without_bom_handling(data).0.into_owned()
}

/// Bytes that should be UTF-8: as UTF-8 if they are, else as Windows-1252.
pub(crate) fn utf8_or_1252(data: &[u8]) -> String {
    match std::str::from_utf8(data) {
        Ok(text) => text.to_string(),
        Err(_) => windows_1252(data),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_follow_the_sniffed_type() {
        assert_eq!(Format::of("application/pdf"), Some(Format::Pdf));
        assert_eq!(Format::of("application/vnd.ms-excel"), Some(Format::Spreadsheet));
        assert_eq!(Format::of("image/png"), None);
        assert_eq!(Format::of("text/plain"), None, "plain text is read without a child");
        for f in [
            Format::Pdf,
            Format::Docx,
            Format::Odt,
            Format::Spreadsheet,
            Format::Html,
            Format::Rtf,
            Format::Zip,
            Format::Message,
        ] {
            assert_eq!(Format::from_name(f.name()), Some(f));
        }
        assert_eq!(Format::from_name("exe"), None);
    }

    #[test]
    fn tidy_text_loses_blank_runs_nul_and_trailing_space() {
        let text = "\n\nTitle  \n\n\n\n\nBody\0 text\t\n\n".to_string();
        assert_eq!(tidy(text), "Title\n\n\nBody text");
    }

    #[test]
    fn tidy_text_is_cut_at_a_character_boundary() {
        let text = "é".repeat(MAX_TEXT_BYTES);
        let out = tidy(text);
        assert!(out.len() <= MAX_TEXT_BYTES && out.len() > MAX_TEXT_BYTES - 4);
        assert!(out.chars().all(|c| c == 'é'));
    }
}
