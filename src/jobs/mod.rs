//! Scheduled work inside `serve`: a thread that delivers due mail every half second and, once a
//! day at the configured time, queues the reminder digests; and ([`mailbox`]) one that polls
//! the replies' mailbox, when one is set.

pub mod mailbox;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Timelike, Utc};

use crate::domain::london;
use crate::mail::Mailer;
use crate::service::Service;

/// A time of day, in London or UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DailyAt {
    pub hour: u32,
    pub minute: u32,
    pub london: bool,
}

impl DailyAt {
    /// The local date to remind for, if the time has come today and that day has not been done.
    pub fn due(&self, now: DateTime<Utc>, done: Option<NaiveDate>) -> Option<NaiveDate> {
        let local = if self.london { now + chrono::Duration::hours(london::offset_hours(now)) } else { now };
        let today = local.date_naive();
        let reached = (local.hour(), local.minute()) >= (self.hour, self.minute);
        (reached && done != Some(today)).then_some(today)
    }
}

/// The background worker; stops when dropped.
pub struct Worker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    /// Starts delivering as `name` (unique per process, so leases tell workers apart), and
    /// reminding daily at `daily` when given.
    pub fn start(service: Service, mailer: Mailer, name: String, daily: Option<DailyAt>) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("foitrack-jobs".into())
            .spawn(move || {
                let mut reminded_on: Option<NaiveDate> = None;
                while !flag.load(Ordering::Relaxed) {
                    if let Some(today) = daily.and_then(|d| d.due(Utc::now(), reminded_on)) {
                        match service.remind(None, today, false) {
                            Ok(summary) => {
                                tracing::info!(digests = summary.digests.len(), "reminders queued")
                            }
                            Err(e) => tracing::warn!(error = %e, "reminders failed; trying again tomorrow"),
                        }
                        reminded_on = Some(today);
                    }
                    match service.deliver_due(&mailer, &name, 20) {
                        Ok(report) if !report.is_empty() => {
                            tracing::info!(
                                sent = report.sent,
                                retrying = report.retrying,
                                failed = report.failed,
                                cancelled = report.cancelled,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reminds_once_a_day_after_the_time_in_london() {
        let at = DailyAt { hour: 7, minute: 0, london: true };
        let utc = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        // 06:30 UTC in July is 07:30 in London.
        let day = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        assert_eq!(at.due(utc("2026-07-01T06:30:00Z"), None), Some(day));
        assert_eq!(at.due(utc("2026-07-01T06:30:00Z"), Some(day)), None);
        assert_eq!(at.due(utc("2026-07-01T05:59:00Z"), None), None);
        // In winter London is on UTC.
        assert_eq!(at.due(utc("2026-12-01T06:59:00Z"), None), None);
        let utc_at = DailyAt { london: false, ..at };
        assert_eq!(utc_at.due(utc("2026-07-01T06:30:00Z"), None), None);
    }
}
