//! Memory load program for imports of public bodies: the peak resident memory of a large import
//! from the command line, and of a server taking several large dry runs at once, each beside a
//! baseline measured in the same run (the same binary doing almost nothing).
//!
//! cargo build --release --bins --example import_memory
//! ./target/release/examples/import_memory [--foitrack PATH] [--cli-mb 50] [--http-mb 20] [--clients 8]
//!
//! The files are generated: headed CSVs of distinct coded bodies, each row about 90 bytes, so a
//! 50 MB file holds some 550,000 bodies. Everything runs on SQLite files in a temporary directory.

#[path = "support/mod.rs"]
mod support;

use std::io::{BufWriter, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{Server, first_user, foitrack_binary, proc_status_kib, rss_kib, uptime};

const HELP: &str = "\
Measures the memory foitrack's imports of public bodies take.

Usage: import_memory [OPTIONS]

Options:
  --foitrack PATH   the foitrack binary to measure (default: the release build next to this program)
  --cli-mb N        size of the file imported from the command line, in MB (default 50)
  --http-mb N       size of each file sent as a dry run over HTTP, in MB (default 20)
  --clients N       dry runs sent at once (default 8)
  -h, --help        this text

Build first: cargo build --release --bins --example import_memory";

struct Options {
    binary: Option<PathBuf>,
    cli_mb: u64,
    http_mb: u64,
    clients: usize,
}

fn parse_args() -> anyhow::Result<Option<Options>> {
    let mut options = Options { binary: None, cli_mb: 50, http_mb: 20, clients: 8 };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| anyhow::anyhow!("{arg} needs a value; see --help"));
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--foitrack" => options.binary = Some(value()?.into()),
            "--cli-mb" => options.cli_mb = value()?.parse()?,
            "--http-mb" => options.http_mb = value()?.parse()?,
            "--clients" => options.clients = value()?.parse()?,
            other => anyhow::bail!("unknown option {other}; see --help"),
        }
    }
    Ok(Some(options))
}

fn main() -> anyhow::Result<()> {
    let Some(options) = parse_args()? else {
        println!("{HELP}");
        return Ok(());
    };
    let foitrack =
        foitrack_binary(options.binary.clone(), "cargo build --release --bins --example import_memory")?;
    let dir = tempfile::tempdir()?;
    println!("# foitrack import memory ({}, {})", foitrack.display(), uptime());
    command_line(&foitrack, dir.path(), options.cli_mb)?;
    over_http(&foitrack, dir.path(), options.http_mb, options.clients)?;
    Ok(())
}

/// Writes a headed CSV of distinct coded bodies of about `mb` megabytes; returns its rows.
fn generate(path: &Path, mb: u64) -> anyhow::Result<u64> {
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    out.write_all(b"name,email,region,ods_code,tags\n")?;
    let (mut written, mut rows) = (0u64, 0u64);
    while written < mb * 1_000_000 {
        let line = format!(
            "Body {rows:07} NHS Foundation Trust,foi{rows}@trust{rows}.nhs.uk,Y56,{},acute;teaching\n",
            ods_code(rows)
        );
        out.write_all(line.as_bytes())?;
        written += line.len() as u64;
        rows += 1;
    }
    out.flush()?;
    Ok(rows)
}

/// A distinct six-character ODS code for each number: R and five base-36 digits.
fn ods_code(mut n: u64) -> String {
    const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut code = [b'0'; 5];
    for slot in code.iter_mut().rev() {
        *slot = DIGITS[(n % 36) as usize];
        n /= 36;
    }
    format!("R{}", String::from_utf8_lossy(&code))
}

/// Runs a command to its end; returns its output, its peak resident memory in KiB, and its time.
fn measured(command: &mut Command) -> anyhow::Result<(String, u64, Duration)> {
    let started = Instant::now();
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
    let mut output = String::new();
    child.stdout.take().expect("piped").read_to_string(&mut output)?;
    let mut errors = String::new();
    child.stderr.take().expect("piped").read_to_string(&mut errors)?;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value, and wait4 only writes into the two locals.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: the child is ours and not yet waited for; the pointers are to live locals.
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    anyhow::ensure!(pid > 0, "waiting for {command:?} failed");
    anyhow::ensure!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{command:?} failed: {errors}"
    );
    Ok((output, usage.ru_maxrss as u64, started.elapsed()))
}

fn mib(kib: u64) -> String {
    format!("{:.0} MiB", kib as f64 / 1024.0)
}

fn command_line(foitrack: &Path, dir: &Path, mb: u64) -> anyhow::Result<()> {
    let file = dir.join("cli.csv");
    let rows = generate(&file, mb)?;
    let url = format!("sqlite://{}", dir.join("cli.db").display());
    let cli = || {
        let mut c = Command::new(foitrack);
        c.current_dir(dir).env("FOITRACK__DATABASE__URL", &url);
        c
    };
    let (_, baseline, _) = measured(cli().args(["authorities", "list", "--json"]))?;
    let (dry, dry_peak, dry_time) =
        measured(cli().args(["authorities", "import", "--dry-run", "--json"]).arg(&file))?;
    let (real, peak, time) = measured(cli().args(["authorities", "import", "--json"]).arg(&file))?;
    let inserted = |out: &str| serde_json::from_str::<serde_json::Value>(out).map(|v| v["inserted"].clone());
    println!("\n## Command line: one {mb} MB file, {rows} bodies");
    println!("| run | peak RSS | ÷ baseline | time | inserted |");
    println!("|---|---:|---:|---:|---:|");
    println!("| baseline: `authorities list` | {} | 1.0 | | |", mib(baseline));
    for (label, out, kib, t) in
        [("import --dry-run", &dry, dry_peak, dry_time), ("import", &real, peak, time)]
    {
        println!(
            "| `authorities {label}` | {} | {:.1} | {:.1} s | {} |",
            mib(kib),
            kib as f64 / baseline as f64,
            t.as_secs_f64(),
            inserted(out)?
        );
    }
    Ok(())
}

/// Sends one file as a dry-run import over a connection of its own; returns the status code.
fn send(address: &str, token: &str, file: &Path) -> anyhow::Result<u16> {
    let mut stream = TcpStream::connect(address)?;
    let length = std::fs::metadata(file)?.len();
    write!(
        stream,
        "POST /api/v1/authorities/import?dry_run=true HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: text/csv\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
    )?;
    std::io::copy(&mut std::fs::File::open(file)?, &mut stream)?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    let status = String::from_utf8_lossy(&answer[..answer.len().min(12)])
        .split_whitespace()
        .nth(1)
        .unwrap_or("0")
        .parse()?;
    Ok(status)
}

fn over_http(foitrack: &Path, dir: &Path, mb: u64, clients: usize) -> anyhow::Result<()> {
    let file = dir.join("http.csv");
    let rows = generate(&file, mb)?;
    let url = format!("sqlite://{}", dir.join("http.db").display());
    let token = first_user(&url)?;
    let limit = std::fs::metadata(&file)?.len() + 1_000_000;
    let mut command = Command::new(foitrack);
    command
        .arg("serve")
        .env("FOITRACK__DATABASE__URL", &url)
        .env("FOITRACK__SERVER__LISTEN", "127.0.0.1:0")
        .env("FOITRACK__SERVER__UPLOAD_LIMIT_BYTES", limit.to_string())
        .env("FOITRACK__REMINDERS__ENABLED", "false");
    let server = Server::start(&mut command, dir, "foitrack")?;
    let address = server.base.trim_start_matches("http://").to_string();
    // One small request first, so the idle figure includes a warmed-up server.
    send(&address, &token, &{
        let small = dir.join("small.csv");
        std::fs::write(&small, "name\nWarm-up Trust\n")?;
        small
    })?;
    let idle = rss_kib(server.pid());
    let started = Instant::now();
    let statuses: Vec<anyhow::Result<u16>> = std::thread::scope(|scope| {
        let sending: Vec<_> = (0..clients).map(|_| scope.spawn(|| send(&address, &token, &file))).collect();
        sending.into_iter().map(|t| t.join().expect("a client thread")).collect()
    });
    let took = started.elapsed();
    let peak = proc_status_kib(server.pid(), "VmHWM");
    let just_after = rss_kib(server.pid());
    std::thread::sleep(Duration::from_secs(5));
    let later = rss_kib(server.pid());
    let (anon, file_backed) =
        (proc_status_kib(server.pid(), "RssAnon"), proc_status_kib(server.pid(), "RssFile"));
    let mut counts = std::collections::BTreeMap::new();
    for status in statuses {
        *counts.entry(status?).or_insert(0) += 1;
    }
    println!("\n## Server: {clients} dry runs of one {mb} MB file ({rows} bodies) at once");
    println!(
        "| idle RSS (baseline) | peak RSS | ÷ idle | just after | 5 s later (anonymous + file) | answers | time |"
    );
    println!("|---:|---:|---:|---:|---:|---|---:|");
    println!(
        "| {} | {} | {:.1} | {} | {} ({} + {}) | {} | {:.1} s |",
        mib(idle),
        mib(peak),
        peak as f64 / idle as f64,
        mib(just_after),
        mib(later),
        mib(anon),
        mib(file_backed),
        counts.iter().map(|(s, n)| format!("{n}× {s}")).collect::<Vec<_>>().join(", "),
        took.as_secs_f64()
    );
    Ok(())
}
