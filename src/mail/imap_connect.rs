//! The connection to an IMAP server, made here rather than by the imap crate, for two reasons:
//! every read and write has a timeout, so that a server that stops answering fails the poll
//! instead of holding it (and `serve`'s shutdown) for good; and a site's own certificate
//! authority can be trusted besides the system's.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use imap::extensions::idle::SetReadTimeout;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

use super::imap::{ImapError, ImapTarget, Tls, failed};

/// A connected client, its greeting read, ready to log in.
pub(super) fn connect(target: &ImapTarget) -> Result<imap::Client<imap::Connection>, ImapError> {
    let tcp = tcp(target)?;
    let client = match target.tls {
        Tls::None => greeted(target, Box::new(tcp))?,
        Tls::Implicit => greeted(target, Box::new(tls(target, tcp)?))?,
        Tls::StartTls => {
            let tcp = start_tls(target, tcp)?;
            let mut client = imap::Client::new(Box::new(tls(target, tcp)?) as imap::Connection);
            // The greeting came before STARTTLS; none follows it.
            client.greeting_read = true;
            client
        }
    };
    Ok(client)
}

/// The greeting and `STARTTLS`, in plain text, read a byte at a time so that nothing of the
/// TLS that follows is read with them. (The imap crate keeps its own STARTTLS to itself.)
fn start_tls(target: &ImapTarget, mut tcp: TcpStream) -> Result<TcpStream, ImapError> {
    let unreachable = |source: io::Error| silent_or(target, source);
    let greeting = line(&mut tcp).map_err(unreachable)?;
    if !starts_with_ignoring_case(&greeting, "* OK") {
        return Err(ImapError::Refused(format!("{} greeted with {greeting:?}, not * OK", target.host)));
    }
    tcp.write_all(b"f1 STARTTLS\r\n").map_err(unreachable)?;
    // Untagged lines may come first; the answer is the tagged one.
    for _ in 0..MAX_LINES {
        let answer = line(&mut tcp).map_err(unreachable)?;
        if let Some(status) = answer.strip_prefix("f1 ") {
            if starts_with_ignoring_case(status, "OK") {
                return Ok(tcp);
            }
            return Err(ImapError::Refused(format!(
                "{} refused STARTTLS ({status}); use imaps:// if it takes TLS on another port",
                target.host
            )));
        }
    }
    Err(ImapError::Refused(format!("{} never answered STARTTLS", target.host)))
}

/// IMAP's status words are case-insensitive.
fn starts_with_ignoring_case(text: &str, start: &str) -> bool {
    text.get(..start.len()).is_some_and(|head| head.eq_ignore_ascii_case(start))
}

/// A connection that stopped answering, said as such; any other failure as unreachable.
fn silent_or(target: &ImapTarget, source: io::Error) -> ImapError {
    match source.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {
            ImapError::Silent { host: target.host.clone(), seconds: target.timeout.as_secs_f64() }
        }
        _ => ImapError::Unreachable { host: target.host.clone(), source },
    }
}

/// How many lines, and bytes a line, a server may send before its answer to STARTTLS.
const MAX_LINES: usize = 100;
const MAX_LINE: usize = 8 * 1024;

fn line(tcp: &mut TcpStream) -> io::Result<String> {
    let mut bytes = Vec::new();
    let mut byte = [0u8; 1];
    while bytes.len() < MAX_LINE {
        let n = match tcp.read(&mut byte) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            read => read?,
        };
        if n == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the server closed the connection"));
        }
        if byte[0] == b'\n' {
            return Ok(String::from_utf8_lossy(&bytes).trim_end().to_string());
        }
        bytes.push(byte[0]);
    }
    Err(io::Error::new(io::ErrorKind::InvalidData, "the server sent a line too long to be IMAP"))
}

fn greeted(
    target: &ImapTarget,
    stream: imap::Connection,
) -> Result<imap::Client<imap::Connection>, ImapError> {
    let mut client = imap::Client::new(stream);
    client.read_greeting().map_err(|e| match e {
        imap::Error::Io(io) => silent_or(target, io),
        e => failed("greeting")(e),
    })?;
    Ok(client)
}

/// The TCP connection, with the target's timeout on connecting, reading and writing.
fn tcp(target: &ImapTarget) -> Result<TcpStream, ImapError> {
    let unreachable = |source: io::Error| silent_or(target, source);
    let addresses = (target.bare_host(), target.port).to_socket_addrs().map_err(unreachable)?;
    let mut last = io::Error::new(io::ErrorKind::NotFound, "the name has no address");
    for address in addresses {
        match TcpStream::connect_timeout(&address, target.timeout) {
            Ok(tcp) => {
                tcp.set_read_timeout(Some(target.timeout)).map_err(unreachable)?;
                tcp.set_write_timeout(Some(target.timeout)).map_err(unreachable)?;
                return Ok(tcp);
            }
            Err(e) => last = e,
        }
    }
    Err(unreachable(last))
}

/// TLS over `tcp`, the server's certificate checked against the system's authorities and the
/// target's own `ca_file`.
fn tls(target: &ImapTarget, tcp: TcpStream) -> Result<TlsStream, ImapError> {
    let config = client_config(target.ca_file.as_deref())?;
    let name = ServerName::try_from(target.bare_host().to_string()).map_err(|_| {
        ImapError::BadUrl(format!("imap.url: {} is not a host name TLS can check", target.host))
    })?;
    let connection = ClientConnection::new(Arc::new(config), name)
        .map_err(|e| ImapError::Tls { host: target.host.clone(), source: io::Error::other(e) })?;
    let mut stream = StreamOwned::new(connection, tcp);
    // The handshake now, so that a certificate refused says so rather than failing a command.
    while stream.conn.is_handshaking() {
        stream.conn.complete_io(&mut stream.sock).map_err(|source| match source.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => silent_or(target, source),
            _ => ImapError::Tls { host: target.host.clone(), source },
        })?;
    }
    Ok(TlsStream(stream))
}

fn client_config(ca_file: Option<&Path>) -> Result<ClientConfig, ImapError> {
    let mut roots = RootCertStore::empty();
    // A system store that cannot be read in part still leaves the rest, and `ca_file`.
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    if let Some(path) = ca_file {
        let bad = |why: String| ImapError::BadUrl(format!("imap.ca_file: {}: {why}", path.display()));
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
            .map_err(|e| bad(e.to_string()))?
            .collect::<Result<_, _>>()
            .map_err(|e| bad(e.to_string()))?;
        if certs.is_empty() {
            return Err(bad("it holds no PEM certificate".into()));
        }
        let (added, _) = roots.add_parsable_certificates(certs);
        if added == 0 {
            return Err(bad("none of its certificates can be used".into()));
        }
    }
    // Named, not the process default: more than one crypto provider is compiled in.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ImapError::BadUrl(format!("TLS cannot be set up: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// rustls over TCP, with the read timeout the imap crate may change (for IDLE).
struct TlsStream(StreamOwned<ClientConnection, TcpStream>);

impl Read for TlsStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl Write for TlsStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl SetReadTimeout for TlsStream {
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> imap::Result<()> {
        self.0.sock.set_read_timeout(timeout).map_err(imap::Error::Io)
    }
}
