//! A mailbox read over IMAP, for `serve` to poll: which messages still wait, each one's bytes,
//! and marking one done once it is safely stored. A message is never deleted: done means
//! flagged `$FoitrackStored` (and seen), or moved to a folder of the operator's choosing.

use std::path::PathBuf;
use std::time::Duration;

use url::Url;

/// The keyword a stored message carries; the search for waiting mail leaves it out.
pub const STORED_FLAG: &str = "$FoitrackStored";
/// The keyword of a message too large to take in, left for a person to deal with.
pub const TOO_LARGE_FLAG: &str = "$FoitrackTooLarge";

/// How the connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tls {
    /// `imaps://`, port 993 by default.
    Implicit,
    /// `imap://`, port 143 by default, upgraded with STARTTLS; refused if the server cannot.
    StartTls,
    /// `imap://…?tls=none`: plain text, refused for any server but this machine.
    None,
}

/// Where the mailbox is: `imaps://USER:PASSWORD@HOST[:PORT]/FOLDER`.
#[derive(Clone, PartialEq, Eq)]
pub struct ImapTarget {
    pub host: String,
    pub port: u16,
    pub user: String,
    password: String,
    pub folder: String,
    pub tls: Tls,
    /// How long connecting, and each read and write, may take.
    pub timeout: Duration,
    /// A certificate authority's PEM file to trust besides the system's.
    pub ca_file: Option<PathBuf>,
}

impl std::fmt::Debug for ImapTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.describe())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    #[error("{0}")]
    BadUrl(String),
    /// The server cannot do what the settings ask.
    #[error("{0}")]
    Refused(String),
    #[error("the mail server {host} cannot be reached: {source}")]
    Unreachable {
        host: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the mail server {host} did not answer within {seconds} s (imap.timeout_seconds)")]
    Silent { host: String, seconds: f64 },
    #[error("a TLS connection to {host} could not be made: {source}")]
    Tls {
        host: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the mailbox {what} failed")]
    Server {
        what: &'static str,
        #[source]
        source: Box<imap::Error>,
    },
}

/// How long connecting, and each read and write, may take unless the settings say otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

pub(super) fn failed(what: &'static str) -> impl FnOnce(imap::Error) -> ImapError {
    move |source| ImapError::Server { what, source: Box::new(source) }
}

impl ImapTarget {
    pub fn parse(raw: &str) -> Result<Self, ImapError> {
        let bad = |why: &str| {
            ImapError::BadUrl(format!(
                "imap.url: {why}; write it as imaps://USER:PASSWORD@HOST/FOLDER (or imap://… for STARTTLS)"
            ))
        };
        let url = Url::parse(raw.trim()).map_err(|_| bad("it is not a URL"))?;
        let tls =
            match (url.scheme(), url.query_pairs().find(|(k, _)| k == "tls").map(|(_, v)| v.into_owned())) {
                ("imaps", None) => Tls::Implicit,
                ("imap", None) => Tls::StartTls,
                ("imap", Some(v)) if v == "none" => Tls::None,
                ("imap", Some(v)) if v == "starttls" => Tls::StartTls,
                ("imap" | "imaps", Some(v)) => {
                    return Err(bad(&format!("tls={v} is not one of starttls or none")));
                }
                (other, _) => return Err(bad(&format!("{other}:// is not imap:// or imaps://"))),
            };
        let host =
            url.host_str().filter(|h| !h.is_empty()).ok_or_else(|| bad("it names no server"))?.to_string();
        let user = percent_decode(url.username());
        if user.is_empty() {
            return Err(bad("it names no user"));
        }
        let password = percent_decode(url.password().unwrap_or(""));
        let folder = percent_decode(url.path().trim_start_matches('/'));
        let folder = if folder.is_empty() { "INBOX".to_string() } else { folder };
        let loopback = matches!(host.as_str(), "localhost" | "[::1]") || host.starts_with("127.");
        if tls == Tls::None && !loopback {
            return Err(bad(
                "tls=none would send the password in clear; it is only for a server on this machine",
            ));
        }
        let port = url.port().unwrap_or(if tls == Tls::Implicit { 993 } else { 143 });
        Ok(Self { host, port, user, password, folder, tls, timeout: DEFAULT_TIMEOUT, ca_file: None })
    }

    /// The same mailbox, reached within `timeout` and trusting `ca_file` too.
    pub fn with_connection(self, timeout: Duration, ca_file: Option<PathBuf>) -> Self {
        Self { timeout, ca_file, ..self }
    }

    /// The host as a name or an address, without the brackets a URL puts around IPv6.
    pub(super) fn bare_host(&self) -> &str {
        self.host.trim_start_matches('[').trim_end_matches(']')
    }

    /// The URL without its password, for logs and errors.
    pub fn describe(&self) -> String {
        let scheme = if self.tls == Tls::Implicit { "imaps" } else { "imap" };
        let tail = if self.tls == Tls::None { "?tls=none" } else { "" };
        format!("{scheme}://{}:***@{}:{}/{}{tail}", self.user, self.host, self.port, self.folder)
    }
}

/// The URL keeps the user, password and folder percent-encoded.
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// An open, selected mailbox.
pub struct Mailbox {
    session: imap::Session<imap::Connection>,
    /// Where done messages go; `None`: they stay, flagged.
    processed: Option<String>,
}

impl Mailbox {
    /// Logs in and selects the folder; refuses a mailbox that cannot keep foitrack's flag, or
    /// (with a folder for what is done) cannot move messages.
    pub fn open(target: &ImapTarget, processed: Option<&str>) -> Result<Self, ImapError> {
        let client = super::imap_connect::connect(target)?;
        let mut session =
            client.login(&target.user, &target.password).map_err(|(e, _)| failed("login")(e))?;
        let selected = session.select(&target.folder).map_err(failed("folder's selection"))?;
        let keeps = selected.permanent_flags.iter().any(|f| {
            matches!(f, imap::types::Flag::MayCreate)
                || matches!(f, imap::types::Flag::Custom(c) if c == STORED_FLAG)
        });
        if !keeps {
            return Err(ImapError::Refused(format!(
                "the folder {} cannot keep the keyword {STORED_FLAG}, which marks what foitrack has stored",
                target.folder
            )));
        }
        let processed = processed.map(str::trim).filter(|f| !f.is_empty()).map(str::to_string);
        if let Some(folder) = &processed {
            let capabilities = session.capabilities().map_err(failed("capability check"))?;
            if !capabilities.has_str("MOVE") {
                return Err(ImapError::Refused(format!(
                    "the server cannot move messages (no MOVE), so imap.processed_folder = \"{folder}\" cannot be used; leave it empty"
                )));
            }
            // Made the first time; "already exists" every later time, which a listing tells apart.
            if session.create(folder).is_err() {
                let listed = session.list(None, Some(folder)).map_err(failed("folder listing"))?;
                if listed.is_empty() {
                    return Err(ImapError::Refused(format!("the folder {folder} cannot be made")));
                }
            }
        }
        Ok(Self { session, processed })
    }

    /// Moves what was stored but not yet moved (a move that failed, or was cut off).
    pub fn sweep(&mut self) -> Result<usize, ImapError> {
        let Some(folder) = self.processed.clone() else { return Ok(0) };
        let stored = self.session.uid_search(format!("KEYWORD {STORED_FLAG}")).map_err(failed("search"))?;
        if stored.is_empty() {
            return Ok(0);
        }
        let mut uids: Vec<u32> = stored.into_iter().collect();
        uids.sort_unstable();
        let set = uids.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
        self.session.uid_mv(set, &folder).map_err(failed("move"))?;
        Ok(uids.len())
    }

    /// The UIDs of messages not yet stored, oldest first, at most `limit`.
    pub fn waiting(&mut self, limit: usize) -> Result<Vec<u32>, ImapError> {
        let mut uids: Vec<u32> = self
            .session
            .uid_search(format!("NOT KEYWORD {STORED_FLAG} NOT KEYWORD {TOO_LARGE_FLAG}"))
            .map_err(failed("search"))?
            .into_iter()
            .collect();
        uids.sort_unstable();
        uids.truncate(limit);
        Ok(uids)
    }

    /// A message's size in bytes, as the server says; `None` if it is gone.
    pub fn size(&mut self, uid: u32) -> Result<Option<u32>, ImapError> {
        let fetches = self.session.uid_fetch(uid.to_string(), "RFC822.SIZE").map_err(failed("fetch"))?;
        Ok(fetches.iter().find_map(|f| f.size))
    }

    /// Flags a message foitrack will not take in for its size, so that it waits for a person
    /// without holding up the rest.
    pub fn too_large(&mut self, uid: u32) -> Result<(), ImapError> {
        self.session
            .uid_store(uid.to_string(), format!("+FLAGS.SILENT ({TOO_LARGE_FLAG})"))
            .map_err(failed("flagging"))?;
        Ok(())
    }

    /// A message's bytes, without marking it seen; `None` if it is gone.
    pub fn fetch(&mut self, uid: u32) -> Result<Option<Vec<u8>>, ImapError> {
        let fetches = self.session.uid_fetch(uid.to_string(), "BODY.PEEK[]").map_err(failed("fetch"))?;
        Ok(fetches.iter().find_map(|f| f.body().map(<[u8]>::to_vec)))
    }

    /// Marks a stored message done: flagged, then moved if a folder is set.
    pub fn done(&mut self, uid: u32) -> Result<(), ImapError> {
        self.session
            .uid_store(uid.to_string(), format!("+FLAGS.SILENT ({STORED_FLAG} \\Seen)"))
            .map_err(failed("flagging"))?;
        if let Some(folder) = &self.processed {
            self.session.uid_mv(uid.to_string(), folder).map_err(failed("move"))?;
        }
        Ok(())
    }

    pub fn close(mut self) {
        let _ = self.session.logout();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_the_server_folder_and_protection() {
        let t = ImapTarget::parse("imaps://foi%40uni.ac.uk:p%40ss+w@imap.uni.ac.uk/Replies").unwrap();
        assert_eq!((t.host.as_str(), t.port, t.user.as_str()), ("imap.uni.ac.uk", 993, "foi@uni.ac.uk"));
        assert_eq!((t.password.as_str(), t.folder.as_str(), t.tls), ("p@ss+w", "Replies", Tls::Implicit));
        assert_eq!(t.describe(), "imaps://foi@uni.ac.uk:***@imap.uni.ac.uk:993/Replies");
        let t = ImapTarget::parse("imap://foi:x@127.0.0.1:1143?tls=none").unwrap();
        assert_eq!((t.port, t.folder.as_str(), t.tls), (1143, "INBOX", Tls::None));
        assert_eq!(ImapTarget::parse("imap://foi:x@mail.example").unwrap().tls, Tls::StartTls);
        let t = ImapTarget::parse("imaps://foi:p%26ss%2Fw%3F@imap.uni.ac.uk/Replies%20%26%20more").unwrap();
        assert_eq!((t.password.as_str(), t.folder.as_str()), ("p&ss/w?", "Replies & more"));
        for bad in [
            "pop3://a:b@c/",
            "imaps://:b@c/",
            "imap://a:b@c/?tls=maybe",
            "not a url",
            "imap://a:b@mail.example/?tls=none",
        ] {
            let e = ImapTarget::parse(bad).unwrap_err().to_string();
            assert!(
                e.starts_with("imap.url: ") && e.contains("imaps://USER:PASSWORD@HOST/FOLDER"),
                "{bad}: {e}"
            );
        }
    }
}
