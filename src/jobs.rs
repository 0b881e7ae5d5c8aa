//! Scheduled work inside `serve`: a thread that delivers due mail every second.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::mail::Mailer;
use crate::service::Service;

/// The background worker; stops when dropped.
pub struct Worker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    /// Starts delivering as `name` (unique per process, so leases tell workers apart).
    pub fn start(service: Service, mailer: Mailer, name: String) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("foitrack-jobs".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    match service.deliver_due(&mailer, &name, 20) {
                        Ok(report) if report.sent + report.retrying + report.failed > 0 => {
                            tracing::info!(
                                sent = report.sent,
                                retrying = report.retrying,
                                failed = report.failed,
                                "mail delivered"
                            );
                        }
                        Ok(_) => {}
                        Err(e) => tracing::warn!(error = %e, "mail delivery round failed"),
                    }
                    std::thread::sleep(Duration::from_millis(500));
                }
            })
            .expect("the jobs thread starts");
        Self { stop, thread: Some(thread) }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
