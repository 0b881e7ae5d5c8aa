//! What the load programs share: a foitrack server started as a child process, its first user,
//! and its memory read from /proc.

#![allow(dead_code, unused_macros)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use foitrack::domain::vocab::Role;
use foitrack::service::Service;
use foitrack::store::Db;

/// Creates the schema and an administrator; returns the administrator's token.
pub fn first_user(url: &str) -> anyhow::Result<String> {
    let db = Db::open(url, 1, Duration::from_secs(5))?;
    let service = Service::new(db, Vec::new())?;
    Ok(service.add_user(None, "load@example.org", "Load", Role::Admin, None)?.token.token)
}

/// The foitrack release binary next to the running example, or the one given.
pub fn foitrack_binary(given: Option<PathBuf>, build: &str) -> anyhow::Result<PathBuf> {
    let next_to_us = std::env::current_exe()?.parent().and_then(Path::parent).map(|d| d.join("foitrack"));
    given.or(next_to_us).filter(|p| p.exists()).ok_or_else(|| {
        anyhow::anyhow!("the foitrack binary is not next to this example; build both: {build}")
    })
}

/// A child process serving HTTP; its address is read from the line it logs at start. Its output
/// goes to a file, so that logging costs the server what it costs in production and no more.
pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    pub fn start(command: &mut Command, dir: &Path, name: &str) -> anyhow::Result<Self> {
        let log: PathBuf = dir.join(format!("{name}.log"));
        let child = command
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log)?)
            .spawn()?;
        let mut server = Self { child, base: String::new() };
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(30) {
            let file = std::fs::File::open(&log)?;
            for line in BufReader::new(file).lines() {
                let line = line?;
                if let Some(at) = line.find("http://127.0.0.1:") {
                    let address =
                        line[at..].split_whitespace().next().unwrap_or("").trim_end_matches(['.', ',']);
                    server.base = address.to_string();
                    return Ok(server);
                }
            }
            if let Some(status) = server.child.try_wait()? {
                anyhow::bail!("{name} stopped at start ({status}); see {}", log.display());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        anyhow::bail!("{name} did not say where it listens within 30 s; see {}", log.display())
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A field of /proc/PID/status in KiB (VmRSS: resident now; VmHWM: the peak), or 0.
pub fn proc_status_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field) && l[field.len()..].starts_with(':'))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Resident memory of a process in KiB, from /proc (0 if it cannot be read).
pub fn rss_kib(pid: u32) -> u64 {
    proc_status_kib(pid, "VmRSS")
}

pub fn uptime() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| format!("load average {}", s.split_whitespace().take(3).collect::<Vec<_>>().join(" ")))
        .unwrap_or_default()
}

/// The NHS England regions the load programs deal bodies into.
pub const REGIONS: &[&str] = &[
    "London",
    "South West",
    "South East",
    "Midlands",
    "East of England",
    "North West",
    "North East and Yorkshire",
];

/// A small deterministic generator (xorshift), so runs are repeatable.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Inserts many rows in one statement: multi-row inserts are not available through the
/// multi-backend connection, so each backend runs its own.
macro_rules! insert_batch {
    ($conn:expr, $table:expr, $rows:expr) => {
        match $conn {
            foitrack::store::AnyConnection::Sqlite(c) => {
                diesel::RunQueryDsl::execute(diesel::insert_into($table).values($rows), c)
            }
            foitrack::store::AnyConnection::Postgres(c) => {
                diesel::RunQueryDsl::execute(diesel::insert_into($table).values($rows), c)
            }
        }
        .expect("insert")
    };
}
