//! Slows down guessing passwords: after a few wrong passwords for one address, or many from one
//! client, signing in is refused for a while without the password being checked. Kept in the
//! process's memory, so each instance counts its own.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Wrong passwords allowed for one email address within [`WINDOW`].
pub const PER_ACCOUNT: u32 = 5;
/// Wrong passwords allowed from one client address within [`WINDOW`]: a shared office's.
pub const PER_CLIENT: u32 = 30;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Beyond this many keys, ones whose window has passed are forgotten.
const KEPT: usize = 10_000;

#[derive(Default)]
pub struct Throttle {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Throttle {
    /// How long until these keys may try again, if any of them has had its fill.
    pub fn wait(&self, keys: &[(String, u32)], now: Instant) -> Option<Duration> {
        let failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        keys.iter()
            .filter_map(|(key, allowed)| {
                let (count, since) = failures.get(key)?;
                let ends = *since + WINDOW;
                (count >= allowed && ends > now).then(|| ends - now)
            })
            .max()
    }

    /// Counts a wrong password against each key; a window that has passed starts again.
    pub fn failed(&self, keys: &[(String, u32)], now: Instant) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if failures.len() > KEPT {
            failures.retain(|_, (_, since)| *since + WINDOW > now);
        }
        for (key, _) in keys {
            let entry = failures.entry(key.clone()).or_insert((0, now));
            if entry.1 + WINDOW <= now {
                *entry = (0, now);
            }
            entry.0 += 1;
        }
    }

    /// A right password clears the account's count (not the client's).
    pub fn succeeded(&self, account: &str) {
        self.failures.lock().unwrap_or_else(|e| e.into_inner()).remove(account);
    }
}

/// The keys one sign-in counts against: the address typed, case aside, and the client.
pub fn keys(email: &str, client: Option<&str>) -> Vec<(String, u32)> {
    let mut keys = vec![(format!("account:{}", email.trim().to_lowercase()), PER_ACCOUNT)];
    if let Some(ip) = client {
        keys.push((format!("client:{ip}"), PER_CLIENT));
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_held_back_after_five_wrong_passwords_until_its_window_passes() {
        let t = Throttle::default();
        let start = Instant::now();
        let ana = keys("Ana@Uni.ac.uk ", Some("192.0.2.1"));
        for _ in 0..PER_ACCOUNT {
            assert_eq!(t.wait(&ana, start), None);
            t.failed(&ana, start);
        }
        assert_eq!(t.wait(&ana, start + Duration::from_secs(60)), Some(WINDOW - Duration::from_secs(60)));
        let same = keys("ana@uni.ac.uk", Some("198.51.100.7"));
        assert!(t.wait(&same, start).is_some(), "the account is held back from any client");
        assert_eq!(t.wait(&ana, start + WINDOW), None, "the window has passed");
        t.failed(&ana, start + WINDOW);
        assert_eq!(t.wait(&ana, start + WINDOW), None, "counting starts again");
    }

    #[test]
    fn a_right_password_clears_the_account_but_not_the_client() {
        let t = Throttle::default();
        let now = Instant::now();
        for n in 0..PER_CLIENT {
            t.failed(&keys(&format!("user{n}@uni.ac.uk"), Some("192.0.2.9")), now);
        }
        let next = keys("new@uni.ac.uk", Some("192.0.2.9"));
        assert!(t.wait(&next, now).is_some(), "one client guessing across accounts is held back");
        let ana = keys("ana@uni.ac.uk", None);
        t.failed(&ana, now);
        t.succeeded(&ana[0].0);
        assert_eq!(t.failures.lock().unwrap().get(&ana[0].0), None);
    }
}
