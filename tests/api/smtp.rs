//! A real SMTP server for the tests (mailin-embedded, plain SMTP on a free port) that records
//! what it accepts, and can refuse messages for now (451) or some recipients for good (550), or
//! hold one message to let a test kill the sender.

use std::net::{IpAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mailin_embedded::response::{self, Response};
use mailin_embedded::{Handler, Server, SslConfig};

#[derive(Default)]
pub struct Inbox {
    /// Every message accepted, as received.
    pub messages: Vec<String>,
    /// Refuse this many messages (451, try again later) before accepting.
    pub refuse: u32,
    /// Refuse these recipients for good (550 at RCPT TO), every time.
    pub reject: Vec<String>,
    /// Refuse messages to these recipients for good for a reason of policy (550 5.7.1), as a
    /// server does when it will not take our sender or our content, whoever the recipient.
    pub deny: Vec<String>,
    /// Recipients refused with 550, in order, one per attempt.
    pub rejected: Vec<String>,
    /// When this many messages have been accepted, hold the next at DATA until released.
    pub hold_at: Option<usize>,
    pub holding: bool,
}

#[derive(Clone)]
struct Recorder {
    inbox: Arc<Mutex<Inbox>>,
    current: Vec<u8>,
}

impl Handler for Recorder {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, _to: &[String]) -> Response {
        loop {
            let mut inbox = self.inbox.lock().unwrap();
            if inbox.hold_at == Some(inbox.messages.len()) {
                inbox.holding = true;
                drop(inbox);
                std::thread::sleep(Duration::from_millis(20));
                continue;
            }
            if inbox.refuse > 0 {
                inbox.refuse -= 1;
                return response::INTERNAL_ERROR;
            }
            return response::START_DATA;
        }
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let text = String::from_utf8_lossy(&std::mem::take(&mut self.current)).into_owned();
        self.inbox.lock().unwrap().messages.push(text);
        response::OK
    }

    fn rcpt(&mut self, to: &str) -> Response {
        let mut inbox = self.inbox.lock().unwrap();
        if inbox.reject.iter().any(|r| r == to) {
            inbox.rejected.push(to.to_string());
            return Response::custom(550, "5.1.1 No such user here".to_string());
        }
        if inbox.deny.iter().any(|r| r == to) {
            inbox.rejected.push(to.to_string());
            return Response::custom(550, "5.7.1 Sender rejected by policy".to_string());
        }
        response::OK
    }

    fn helo(&mut self, _ip: IpAddr, _domain: &str) -> Response {
        response::OK
    }
}

/// Starts the server; returns its `smtp://` URL and the inbox.
pub fn start(inbox: Inbox) -> (String, Arc<Mutex<Inbox>>) {
    let inbox = Arc::new(Mutex::new(inbox));
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("smtp://{}", listener.local_addr().unwrap());
    let mut server = Server::new(Recorder { inbox: inbox.clone(), current: Vec::new() });
    server
        .with_name("smtp.test")
        .with_ssl(SslConfig::None)
        .unwrap()
        .with_num_threads(4)
        .with_tcp_listener(listener);
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    (url, inbox)
}

/// The value of a header in a received message.
pub fn header<'a>(message: &'a str, name: &str) -> Option<&'a str> {
    message.lines().find_map(|l| l.strip_prefix(&format!("{name}: ")))
}
