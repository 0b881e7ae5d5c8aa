//! Per-request reply addresses, `foi+{id}-{check}@{domain}`, and reading them back.
//!
//! The check is the first ten hex digits of HMAC-SHA256(secret, id), so nobody outside the
//! service can forge an address for another request. People retype addresses, so reading one
//! back forgives what a keyed check makes safe to forgive: letter case, `l` for `1` and `o` for
//! `0`, and any domain. What it cannot verify (one or two characters off) it offers as
//! near misses, never as a match.

use hmac::{Hmac, Mac};
use sha2::Sha256;

const PREFIX: &str = "foi+";
const CHECK_LEN: usize = 10;
/// How many characters of the id or the check a near miss may get wrong.
const NEAR: usize = 2;

/// The check of request `id`'s address.
pub fn check(secret: &str, id: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(id.to_string().as_bytes());
    let mut check = hex::encode(mac.finalize().into_bytes());
    check.truncate(CHECK_LEN);
    check
}

/// The reply address of request `id`.
pub fn reply_address(secret: &str, domain: &str, id: i64) -> String {
    format!("{PREFIX}{id}-{}@{domain}", check(secret, id))
}

/// What a header's address says, once it looks like one of ours: the id and check as typed,
/// with the usual slips undone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Typed {
    id: String,
    check: String,
}

impl Typed {
    /// Reads an address (`local@domain`, without a display name). `None` when it is not in the
    /// shape of a reply address at all.
    pub fn parse(address: &str) -> Option<Self> {
        let address = address.trim().trim_matches(|c| c == '<' || c == '>');
        let local = address.rsplit_once('@').map_or(address, |(local, _)| local);
        let local = local.to_ascii_lowercase();
        let rest = local.strip_prefix(PREFIX)?;
        let (id, check) = rest.rsplit_once('-')?;
        let id = unslip(id);
        let check = unslip(check);
        let digits = |s: &str| !s.is_empty() && s.len() <= 18 && s.bytes().all(|b| b.is_ascii_digit());
        let hexish = |s: &str| {
            (1..=CHECK_LEN + NEAR).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
        };
        (digits(&id) && hexish(&check)).then_some(Self { id, check })
    }

    /// The request this address verifies for, if it does.
    pub fn verified(&self, secret: &str) -> Option<i64> {
        let id: i64 = self.id.parse().ok()?;
        (check(secret, id) == self.check).then_some(id)
    }

    /// Requests whose address is within two characters of this one: the id right and the check
    /// slightly off, or the check right and the id slightly off. `exists` says which ids are
    /// requests at all. Sorted, without duplicates; empty when the address verifies.
    pub fn near_misses(&self, secret: &str, exists: impl Fn(i64) -> bool) -> Vec<i64> {
        if self.verified(secret).is_some() {
            return Vec::new();
        }
        let mut found = Vec::new();
        if let Ok(id) = self.id.parse::<i64>()
            && distance(&check(secret, id), &self.check) <= NEAR
            && exists(id)
        {
            found.push(id);
        }
        // Ids of ten digits or more are no request of ours, and would cost thousands of HMACs.
        if self.check.len() == CHECK_LEN && self.id.len() < 10 {
            for id in id_edits(&self.id) {
                if check(secret, id) == self.check && exists(id) {
                    found.push(id);
                }
            }
        }
        found.sort_unstable();
        found.dedup();
        found
    }
}

/// Undoes the retyping slips a hex check invites.
fn unslip(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'l' | 'i' => '1',
            'o' => '0',
            c => c,
        })
        .collect()
}

/// Edit distance (insertions, deletions, substitutions) between two short ASCII strings.
fn distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, &ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

/// Every id one or two digit substitutions away, and one digit dropped, added or swapped.
fn id_edits(id: &str) -> Vec<i64> {
    let digits: Vec<u8> = id.bytes().collect();
    let mut out = Vec::new();
    let mut push = |d: &[u8]| {
        if let Some(n) =
            std::str::from_utf8(d).ok().filter(|s| !s.starts_with('0')).and_then(|s| s.parse().ok())
        {
            out.push(n);
        }
    };
    let mut scratch = digits.clone();
    for i in 0..digits.len() {
        for a in b'0'..=b'9' {
            if a == digits[i] {
                continue;
            }
            scratch[i] = a;
            push(&scratch);
            for j in i + 1..digits.len() {
                for b in b'0'..=b'9' {
                    if b != digits[j] {
                        scratch[j] = b;
                        push(&scratch);
                    }
                }
                scratch[j] = digits[j];
            }
            scratch[i] = digits[i];
        }
    }
    for i in 0..digits.len() {
        let mut dropped = digits.clone();
        dropped.remove(i);
        push(&dropped);
        if i + 1 < digits.len() {
            let mut swapped = digits.clone();
            swapped.swap(i, i + 1);
            push(&swapped);
        }
    }
    for i in 0..=digits.len() {
        for a in b'0'..=b'9' {
            let mut added = digits.clone();
            added.insert(i, a);
            push(&added);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "secret";

    #[test]
    fn addresses_are_stable_and_keyed() {
        let a = reply_address(KEY, "replies.example.org", 42);
        assert_eq!(a, reply_address(KEY, "replies.example.org", 42));
        assert!(a.starts_with("foi+42-") && a.ends_with("@replies.example.org"), "{a}");
        assert_eq!(a.len(), "foi+42-@replies.example.org".len() + CHECK_LEN);
        assert_ne!(a, reply_address("other", "replies.example.org", 42));
        assert_ne!(a, reply_address(KEY, "replies.example.org", 43));
    }

    #[test]
    fn an_address_read_back_verifies_whatever_its_case_domain_or_slips() {
        let a = reply_address(KEY, "replies.example.org", 42);
        assert_eq!(Typed::parse(&a).unwrap().verified(KEY), Some(42));
        assert_eq!(Typed::parse(&a.to_uppercase()).unwrap().verified(KEY), Some(42));
        let other_domain = a.replace("example.org", "example.com");
        assert_eq!(Typed::parse(&other_domain).unwrap().verified(KEY), Some(42));
        assert_eq!(Typed::parse(&format!("<{a}>")).unwrap().verified(KEY), Some(42));
        let c = check(KEY, 42);
        let slipped = c.replace('1', "l").replace('0', "o");
        assert_eq!(Typed::parse(&format!("foi+42-{slipped}@x")).unwrap().verified(KEY), Some(42));
    }

    #[test]
    fn other_shapes_are_not_reply_addresses() {
        for s in ["foi@research.example.ac.uk", "foi+abc-123@x", "foi+42@x", "bob+42-abc@x", "foi+-abc@x", ""]
        {
            assert_eq!(Typed::parse(s), None, "{s}");
        }
    }

    #[test]
    fn a_check_one_or_two_characters_off_is_a_near_miss_not_a_match() {
        let c = check(KEY, 42);
        let flip = |s: &str, i: usize| {
            let mut b = s.as_bytes().to_vec();
            b[i] = if b[i] == b'a' { b'b' } else { b'a' };
            String::from_utf8(b).unwrap()
        };
        let one = Typed::parse(&format!("foi+42-{}@x", flip(&c, 3))).unwrap();
        assert_eq!(one.verified(KEY), None);
        assert_eq!(one.near_misses(KEY, |_| true), vec![42]);
        let two = Typed::parse(&format!("foi+42-{}@x", flip(&flip(&c, 0), 9))).unwrap();
        assert_eq!(two.near_misses(KEY, |_| true), vec![42]);
        let dropped = Typed::parse(&format!("foi+42-{}@x", &c[..9])).unwrap();
        assert_eq!(dropped.near_misses(KEY, |_| true), vec![42]);
        let three = Typed::parse(&format!("foi+42-{}@x", flip(&flip(&flip(&c, 0), 4), 9))).unwrap();
        assert!(three.near_misses(KEY, |_| true).is_empty());
        assert!(one.near_misses(KEY, |id| id != 42).is_empty(), "only requests that exist");
    }

    #[test]
    fn an_id_slightly_off_with_its_check_right_is_a_near_miss() {
        let c = check(KEY, 1234);
        for typed in ["1243", "1235", "234", "12345", "1734"] {
            let t = Typed::parse(&format!("foi+{typed}-{c}@x")).unwrap();
            assert_eq!(t.near_misses(KEY, |_| true), vec![1234], "{typed}");
        }
        let verified = Typed::parse(&reply_address(KEY, "x", 1234)).unwrap();
        assert!(verified.near_misses(KEY, |_| true).is_empty());
    }

    #[test]
    fn distance_counts_edits() {
        assert_eq!(distance("abc", "abc"), 0);
        assert_eq!(distance("abc", "abd"), 1);
        assert_eq!(distance("abc", "ab"), 1);
        assert_eq!(distance("abc", "xbcd"), 2);
        assert_eq!(distance("", "ab"), 2);
    }
}
