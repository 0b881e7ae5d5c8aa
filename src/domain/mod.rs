//! The domain core: pure types and rules, no I/O. Everything here is unit-tested in place.

pub mod agreement;
pub mod calendar;
pub mod codebook;
pub mod coding;
pub mod coding_csv;
pub mod csv_rows;
pub mod event;
pub mod holidays;
pub mod import;
pub mod inbound;
pub mod london;
pub mod newtypes;
pub mod reference;
pub mod regime;
pub mod region;
pub mod report;
pub mod rule_quality;
pub mod search;
pub mod status;
pub mod template;
mod text_enum;
pub mod timeline;
pub mod vocab;
pub mod workspace;

/// A word that is not one of an enum's spellings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{given}\" is not a known {what}; use one of: {}", accepted.join(", "))]
pub struct UnknownValue {
    pub what: &'static str,
    pub given: String,
    pub accepted: &'static [&'static str],
}
