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
    /// Left in the mailbox, to be tried again: too large, or the store refused.
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

/// One look at the mailbox.
pub fn poll(
    service: &Service,
    target: &ImapTarget,
    processed: Option<&str>,
    delivery: Delivery,
) -> Result<Polled, PollError> {
    let mut mailbox = Mailbox::open(target, processed)?;
    let mut polled = Polled::default();
    for uid in mailbox.waiting(PER_POLL)? {
        let Some(raw) = mailbox.fetch(uid)? else { continue };
        let source = format!("imap:{}#{uid}", target.folder);
        if raw.len() > MAX_MESSAGE_BYTES {
            tracing::warn!(%source, bytes = raw.len(), "a message in the mailbox is larger than foitrack takes; it is left there");
            polled.left += 1;
            continue;
        }
        match service.ingest(Arrival { raw: &raw, source: &source, pen: delivery.pen, by: delivery.by }) {
            // Stored, or a duplicate (stored before, by this or another instance): done.
            Ok(_) => {
                mailbox.done(uid)?;
                polled.taken += 1;
            }
            Err(e) => {
                tracing::warn!(%source, error = %e, "a message in the mailbox could not be stored; it is tried again at the next poll");
                polled.left += 1;
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
                        .and_then(|delivery| poll(&service, &target, processed, delivery));
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
