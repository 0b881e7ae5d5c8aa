//! Taking in mail files many messages at a time: one write transaction, and so one commit and
//! one flush of the search index, for a batch, instead of one a message.

use super::{Arrival, IngestedMessage, read};
use crate::service::{Service, ServiceResult};
use crate::store as db;

/// How many messages, and how many bytes of them, a batch holds at most: the write lock is
/// held while a batch is stored (a fraction of a second), and its messages are in memory until
/// then. A single message larger than the bytes is a batch of its own.
pub const BATCH_MESSAGES: usize = 100;
pub const BATCH_BYTES: usize = 4 * 1024 * 1024;

/// One report of a batch: the message's source and what became of it.
pub type Taken = (String, ServiceResult<IngestedMessage>);

/// Gathers messages from mail files into batches and stores each as it fills, for every
/// caller that takes in many messages (`foitrack ingest`, the benchmark).
pub struct Batcher<'s> {
    service: &'s Service,
    pen: Option<i64>,
    by: i64,
    pending: Vec<(String, Vec<u8>)>,
    bytes: usize,
}

impl<'s> Batcher<'s> {
    /// Batches for mail delivered by `by`, whose unmatched messages wait in `pen`.
    pub fn new(service: &'s Service, pen: Option<i64>, by: i64) -> Self {
        Self { service, pen, by, pending: Vec::new(), bytes: 0 }
    }

    /// Adds a message; returns the reports of any batch this stored, in order.
    pub fn push(&mut self, source: String, raw: Vec<u8>) -> Vec<Taken> {
        let mut reports = Vec::new();
        if !self.pending.is_empty() && self.bytes + raw.len() > BATCH_BYTES {
            reports = self.flush();
        }
        self.bytes += raw.len();
        self.pending.push((source, raw));
        if self.pending.len() >= BATCH_MESSAGES || self.bytes >= BATCH_BYTES {
            reports.extend(self.flush());
        }
        reports
    }

    /// Stores what is pending; returns its reports, in order.
    pub fn flush(&mut self) -> Vec<Taken> {
        let pending = std::mem::take(&mut self.pending);
        self.bytes = 0;
        if pending.is_empty() {
            return Vec::new();
        }
        let arrivals: Vec<Arrival> =
            pending.iter().map(|(source, raw)| Arrival { raw, source, pen: self.pen, by: self.by }).collect();
        let results = self.service.ingest_batch(&arrivals);
        pending.into_iter().map(|(source, _)| source).zip(results).collect()
    }
}

impl Service {
    /// Stores, classifies and matches each message as [`Service::ingest`] does, with the same
    /// reports in the same order. They are committed together; should any fail, none of the
    /// batch is kept and each is taken in again on its own, so that only the failing one is
    /// lost. A crash loses at most the batch, which the next run of the same files stores.
    pub fn ingest_batch(&self, arrivals: &[Arrival]) -> Vec<ServiceResult<IngestedMessage>> {
        let reads = match self.read_batch(arrivals) {
            Ok(reads) => reads,
            Err(e) => {
                tracing::warn!(error = %e, messages = arrivals.len(), "a batch of incoming mail could not be read together; it is taken in one message at a time");
                return arrivals.iter().map(|a| self.ingest(*a)).collect();
            }
        };
        match self.store_together(arrivals, &reads) {
            Ok(reports) => reports.into_iter().map(Ok).collect(),
            Err(e) => {
                tracing::warn!(error = %e, messages = arrivals.len(), "a batch of incoming mail is stored again one message at a time");
                // The text of every attachment was read already, and is not read again.
                arrivals.iter().zip(&reads).map(|(a, read)| self.ingest_read(*a, read)).collect()
            }
        }
    }

    /// Every message read, attachments' text and all, before the write lock is taken.
    fn read_batch(&self, arrivals: &[Arrival]) -> ServiceResult<Vec<read::Read>> {
        let mut conn = self.db().conn()?;
        arrivals.iter().map(|a| read::read(&mut conn, self.extractor(), self.raw_files(), *a)).collect()
    }

    fn store_together(
        &self,
        arrivals: &[Arrival],
        reads: &[read::Read],
    ) -> ServiceResult<Vec<IngestedMessage>> {
        let secret = self.reply_secret()?;
        let mut conn = self.db().conn()?;
        db::write_transaction(&mut conn, |conn| {
            arrivals
                .iter()
                .zip(reads)
                .map(|(a, read)| self.ingest_on(conn, &secret, *a, read))
                .collect::<ServiceResult<Vec<_>>>()
        })
    }
}
