//! CSV written for people and statistics packages: a header, then rows, as UTF-8 text.

use super::{ServiceError, ServiceResult};

/// The rows as CSV text, quoted where a field needs it.
pub fn csv_text<R, F>(rows: impl IntoIterator<Item = R>) -> ServiceResult<String>
where
    R: IntoIterator<Item = F>,
    F: AsRef<[u8]>,
{
    let mut out = csv::Writer::from_writer(Vec::new());
    for row in rows {
        out.write_record(row).map_err(|e| ServiceError::internal_from("CSV could not be written", e))?;
    }
    let bytes =
        out.into_inner().map_err(|e| ServiceError::internal(format!("CSV could not be written: {e}")))?;
    String::from_utf8(bytes).map_err(|e| ServiceError::internal_from("CSV is not UTF-8", e))
}
