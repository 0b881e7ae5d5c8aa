//! Polling a mailbox from `serve`: what waits is fetched, taken in by the ingest service, and
//! marked done only once it is stored (or known already). Killed at any point, the next poll
//! fetches again whatever was not marked, and the ingest service stores nothing twice; two
//! instances polling one mailbox over one database meet in the same way.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::config::ImapSettings;
use crate::mail::imap::{ImapError, ImapTarget, Mailbox};
use crate::service::ingest::{Arrival, MAX_MESSAGE_BYTES};
use crate::service::{Service, ServiceError};

/// How many messages one poll takes at most; the rest wait for the next.
const PER_POLL: usize = 200;

/// What one poll did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Polled {
    /// Stored now, or found stored already, and marked done.
    pub taken: usize,
    /// Left in the mailbox: too large (flagged for a person), or not stored (tried again).
    pub left: usize,
}

/// Who the mail is recorded as delivered by, and where unmatched mail waits.
#[derive(Debug, Clone, Copy)]
pub struct Delivery {
    pub by: i64,
    pub pen: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum PollError {
    #[error(transparent)]
    Mailbox(#[from] ImapError),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl Delivery {
    /// As the settings say: the named (or first) site administrator, into the named pen.
    pub fn of(service: &Service, settings: &ImapSettings) -> Result<Self, ServiceError> {
        let named = Some(settings.deliver_as.trim()).filter(|e| !e.is_empty());
        let actor = service.local_actor(named)?;
        let workspace = Some(settings.workspace.trim()).filter(|w| !w.is_empty());
        let (by, pen) = service.ingest_as(&actor, workspace)?;
        Ok(Self { by, pen })
    }
}

/// One look at the mailbox, until `stop` is set.
pub fn poll(
    service: &Service,
    target: &ImapTarget,
    processed: Option<&str>,
    delivery: Delivery,
    stop: &AtomicBool,
) -> Result<Polled, PollError> {
    let mut mailbox = Mailbox::open(target, processed)?;
    // What was stored but not moved last time (the move failed, or the process died) goes now.
    if let Err(e) = mailbox.sweep() {
        tracing::warn!(error = %e, "stored messages could not be moved to imap.processed_folder; they stay flagged");
    }
    let mut polled = Polled::default();
    for uid in mailbox.waiting(PER_POLL)? {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let source = format!("imap:{}#{uid}", target.folder);
        if mailbox.size(uid)?.is_some_and(|size| size as usize > MAX_MESSAGE_BYTES) {
            tracing::warn!(%source, "a message in the mailbox is larger than foitrack takes (64 MB); it is flagged $FoitrackTooLarge and left there");
            mailbox.too_large(uid)?;
            polled.left += 1;
            continue;
        }
        let Some(raw) = mailbox.fetch(uid)? else { continue };
        match service.ingest(Arrival { raw: &raw, source: &source, pen: delivery.pen, by: delivery.by }) {
            // Stored, or a duplicate (stored before, by this or another instance): done.
            Ok(_) => {
                polled.taken += 1;
                if let Err(e) = mailbox.done(uid) {
                    // Stored all the same; the next poll marks it, as a duplicate.
                    tracing::warn!(%source, error = %e, "a stored message could not be marked in the mailbox");
                }
            }
            Err(e) => {
                // The store is likely down for every message: the next poll tries them all again.
                tracing::warn!(%source, error = %e, "a message could not be stored; the poll stops and tries again later");
                polled.left += 1;
                break;
            }
        }
    }
    mailbox.close();
    Ok(polled)
}

/// `serve`'s poller: a thread that polls every `interval`; stops when dropped.
pub struct Poller {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Poller {
    pub fn start(service: Service, settings: ImapSettings, target: ImapTarget) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let interval = Duration::from_secs(settings.interval_seconds.max(1));
        let thread = std::thread::Builder::new().name("foitrack-imap".into()).spawn(move || {
            let mut next = Instant::now();
            while !flag.load(Ordering::Relaxed) {
                if Instant::now() >= next {
                    next = Instant::now() + interval;
                    let processed = Some(settings.processed_folder.as_str());
                    let result = Delivery::of(&service, &settings)
                        .map_err(PollError::from)
                        .and_then(|delivery| poll(&service, &target, processed, delivery, &flag));
                    match result {
                        Ok(p) if p.taken + p.left > 0 => {
                            tracing::info!(taken = p.taken, left = p.left, mailbox = %target.describe(), "mailbox polled")
                        }
                        Ok(_) => {}
                        Err(e) => {
                            // The whole chain: "the mailbox login failed: … authentication failed".
                            let e = format!("{:#}", anyhow::Error::new(e));
                            tracing::warn!(error = %e, mailbox = %target.describe(), "the mailbox could not be polled; trying again later")
                        }
                    }
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        })?;
        Ok(Self { stop, thread: Some(thread) })
    }
}

impl Drop for Poller {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
