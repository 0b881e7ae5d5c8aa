//! Codebooks: reading and checking one, from a file or the one foitrack ships.

use super::{FieldError, ServiceError, ServiceResult};
use crate::domain::codebook::{ABT_CODEBOOK, Codebook, Suggester, Suggestion};

/// Reads a codebook file (TOML), refusing it with every problem, each where it is.
pub fn read_codebook(text: &str) -> ServiceResult<Codebook> {
    Codebook::from_toml(text).map_err(|problems| {
        ServiceError::invalid_fields(problems.into_iter().map(|p| FieldError::new(p.at, p.message)).collect())
    })
}

/// The codebook of the active bystander training study, as shipped.
pub fn shipped_codebook() -> ServiceResult<Codebook> {
    read_codebook(ABT_CODEBOOK)
        .map_err(|e| ServiceError::internal_from("The shipped codebook does not read", e))
}

/// What a codebook's rules suggest for a text: each code with the passage behind it.
pub fn suggest_codes(book: &Codebook, text: &str) -> ServiceResult<Vec<Suggestion>> {
    let suggester = Suggester::new(book).map_err(|problems| {
        ServiceError::invalid_fields(problems.into_iter().map(|p| FieldError::new(p.at, p.message)).collect())
    })?;
    Ok(suggester.suggest(text))
}
