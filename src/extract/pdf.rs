//! PDF text, by pdf-extract; a PDF with no text layer is told apart from an empty one, since a
//! scanned letter needs OCR where an empty page needs nothing.

use pdf_extract::Document;

pub(super) fn text(data: &[u8]) -> Result<String, String> {
    let text = pdf_extract::extract_text_from_mem(data).map_err(|e| match e {
        pdf_extract::OutputError::PdfError(pdf_extract::Error::Decryption(_)) => {
            "the PDF is encrypted with a password".to_string()
        }
        e => format!("the PDF could not be read ({e})"),
    })?;
    if text.trim().is_empty() {
        return Err(no_text(data));
    }
    Ok(text)
}

/// Why a readable PDF gave no text: most often a scan, pages of images.
fn no_text(data: &[u8]) -> String {
    let Ok(doc) = Document::load_mem(data) else {
        return "the PDF holds no text".into();
    };
    let pages = doc.get_pages();
    let with_images =
        pages.values().filter(|&&id| doc.get_page_images(id).is_ok_and(|images| !images.is_empty())).count();
    let pages = match pages.len() {
        1 => "its one page holds".to_string(),
        n => format!("its {n} pages hold"),
    };
    if with_images > 0 {
        format!("a scanned PDF: {pages} images and no text layer, so it needs OCR")
    } else {
        format!("an empty PDF: {pages} no text")
    }
}
