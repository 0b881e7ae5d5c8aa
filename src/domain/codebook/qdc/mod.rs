//! REFI-QDA codebook exchange (`.qdc`, namespace `urn:QDA-XML:codebook:1.0`): how NVivo,
//! ATLAS.ti, MAXQDA and QualCoder users carry a codebook across.
//!
//! A `.qdc` is a tree of codes and nothing else: no questions, types, conditions or rules. So a
//! question is written as a top-level code with its codes beneath it (a choice question is not
//! itself codable; a number or text question is), and every code has a GUID made from the
//! codebook's, question's and code's keys. The same code has the same GUID in every export, and
//! an import into a codebook the workspace already has recognises its questions and codes by
//! those GUIDs: it keeps their keys, types, conditions and rules, and takes the file's names,
//! descriptions, colours and any codes added elsewhere.

mod import;
mod read;
#[cfg(test)]
mod tests;
mod write;

use sha2::{Digest, Sha256};

pub use import::{Notes, codebook_from_qdc};
pub use read::{QdcCode, QdcFile, read_qdc};
pub use write::to_qdc;

/// The namespace written; any namespace is accepted on import, since tools write `1.0`, `1:0`
/// or `0:4`.
pub const NAMESPACE: &str = "urn:QDA-XML:codebook:1.0";

/// Deeper nesting than this is refused: no codebook is a hundred levels deep, and a hostile file
/// must not make the reader recurse without end.
const MAX_DEPTH: usize = 64;
/// The most codes a file may hold.
const MAX_CODES: usize = 10_000;

/// The stable GUID of a question (`code` empty) or of one of its codes: a name-based UUID
/// (version 8, SHA-256) of the keys, written in capitals as the REFI-QDA examples are.
pub fn guid(codebook: &str, question: &str, code: &str) -> String {
    let digest = Sha256::digest(format!("foitrack qdc\0{codebook}\0{question}\0{code}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode_upper(b);
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

/// A key made from a name (a code's, or a file's): lower-case ASCII letters and digits joined by `_`, starting with a letter,
/// at most 32 characters, and not a word R, Stata or SPSS reserve.
pub fn key_from_name(name: &str) -> String {
    let mut s = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            s.push(c);
        } else if !s.ends_with('_') && !s.is_empty() {
            s.push('_');
        }
    }
    let mut s = s.trim_end_matches('_').to_string();
    if !s.starts_with(|c: char| c.is_ascii_lowercase()) {
        s.insert_str(0, "c_");
    }
    s.truncate(28);
    let s = s.trim_end_matches('_').to_string();
    if super::check::RESERVED.contains(&s.as_str()) { format!("{s}_c") } else { s }
}
