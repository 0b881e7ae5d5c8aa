//! Uploaded files: read with a size limit, spooled to disk rather than held in memory, and, for
//! imports, admitted a few at a time.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use futures_util::StreamExt;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::problem::{ApiError, too_large};

/// The largest uploaded file accepted, from `server.upload_limit_bytes`.
pub struct UploadLimit(pub usize);

/// Bytes gathered before each write to the spool file: one hop to the blocking pool per piece.
const SPOOL_PIECE: usize = 256 * 1024;

fn over_limit(limit: usize) -> ApiError {
    too_large(format!(
        "The file is larger than the {limit} bytes this server accepts (server.upload_limit_bytes)."
    ))
}

fn not_received(e: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(format!("The file could not be received: {e}."))
}

/// Reads a small uploaded file into memory, refusing one over `limit` bytes.
pub async fn read_upload(payload: web::Payload, limit: usize) -> Result<web::Bytes, ApiError> {
    match payload.to_bytes_limited(limit).await {
        Ok(read) => read.map_err(not_received),
        Err(_) => Err(over_limit(limit)),
    }
}

/// Writes an uploaded file to an unnamed temporary file (in `TMPDIR`, removed when closed) as it
/// arrives, refusing one over `limit` bytes; memory holds a piece of it at a time.
pub async fn spool_upload<S, E>(mut payload: S, limit: usize) -> Result<std::fs::File, ApiError>
where
    S: futures_util::Stream<Item = Result<web::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let mut file = web::block(tempfile::tempfile).await?.map_err(no_room)?;
    let mut piece = Vec::with_capacity(SPOOL_PIECE);
    let mut received = 0usize;
    loop {
        let chunk = payload.next().await.transpose().map_err(not_received)?;
        if let Some(chunk) = &chunk {
            received += chunk.len();
            if received > limit {
                return Err(over_limit(limit));
            }
            piece.extend_from_slice(chunk);
        }
        if piece.len() >= SPOOL_PIECE || (chunk.is_none() && !piece.is_empty()) {
            (file, piece) = web::block(move || {
                file.write_all(&piece)?;
                piece.clear();
                Ok::<_, std::io::Error>((file, piece))
            })
            .await?
            .map_err(no_room)?;
        }
        if chunk.is_none() {
            return Ok(file);
        }
    }
}

fn no_room(e: std::io::Error) -> ApiError {
    tracing::error!(error = %e, "cannot spool an upload to a temporary file");
    ApiError::unavailable(format!(
        "The server could not store the file while reading it ({e}); try again later or tell its administrator."
    ))
}

/// How many imports run at once. An import holds the database's write lock (SQLite) or its
/// import lock (PostgreSQL) while it writes, and a spool file on disk: more at once would only
/// queue behind each other while holding their files and starving other writers.
pub struct ImportGate {
    slots: Arc<Semaphore>,
    wait: Duration,
}

/// What a client that finds the gate shut is told to wait before trying again, in seconds.
pub const RETRY_AFTER_SECONDS: u32 = 10;

impl ImportGate {
    pub fn new(slots: usize, wait: Duration) -> Self {
        ImportGate { slots: Arc::new(Semaphore::new(slots)), wait }
    }

    /// Waits up to `server.import_wait_seconds` for a free slot, then gives up with `429`.
    pub async fn enter(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        match actix_web::rt::time::timeout(self.wait, self.slots.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(ApiError::too_many_requests(
                format!(
                    "Other uploaded files are being processed and none finished within {} seconds; try again in {RETRY_AFTER_SECONDS} seconds.",
                    self.wait.as_secs()
                ),
                RETRY_AFTER_SECONDS,
            )),
        }
    }
}
