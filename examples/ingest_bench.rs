//! Ingest benchmark: an mbox of 10,000 replies without attachments, taken in through the ingest
//! service in batches, as `foitrack ingest` takes them, into a new SQLite database, timed against a
//! baseline in the same run: reading and parsing the same mbox, storing nothing. It prints the
//! rate of each, their ratio, and the process's peak memory (VmHWM).
//!
//! ```sh
//! cargo build --release --example ingest_bench
//! ./target/release/examples/ingest_bench --messages 10000
//! ```

use std::io::Write;
use std::time::{Duration, Instant};

use foitrack::domain::vocab::Role;
use foitrack::mail::{inbound, sources};
use foitrack::service::Service;
use foitrack::service::ingest::{Batcher, IngestSummary, MAX_MESSAGE_BYTES};
use foitrack::service::outbox::{MailConfig, reply_address};
use foitrack::store::Db;

#[derive(clap::Parser)]
#[command(name = "ingest_bench")]
struct Args {
    /// How many messages the mbox holds.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    messages: usize,
}

const SECRET: &str = "bench-secret";

/// One synthetic reply: a valid reply address, a reference in the subject, a quoted request,
/// about 1.5 KB in all, as a trust's FOI office writes them. The database holds no requests, so
/// matching runs its queries and finds nothing: every message goes to the holding pen.
fn message(n: usize) -> String {
    let request = n % 200 + 1;
    format!(
        "From: FOI Team <foi@trust{t}.nhs.uk>\nTo: {to}\n\
         Subject: RE: Freedom of Information request [ABT-2021-{request:04}]\n\
         Date: Mon, 20 Dec 2021 10:{m:02}:00 +0000\nMessage-ID: <reply.{n}@trust{t}.nhs.uk>\n\
         MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n\
         Dear Researcher,\n\nThank you for your request. The Trust does not offer active bystander \
         training.\nFrom 1 April 2022 we plan to review this.\n\nOur ref: FOI {n:05}-2021\n\n\
         On 6 Dec 2021 you wrote:\n{quoted}\n-- \nFOI Team\nThis email is confidential.\n",
        t = n % 213,
        to = reply_address(SECRET, "replies.example.org", request as i64),
        m = n % 60,
        quoted = "> Please tell us whether the Trust offers active bystander training.\n".repeat(12),
    )
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

fn main() -> anyhow::Result<()> {
    let args = <Args as clap::Parser>::parse();
    let dir = tempfile::tempdir()?;
    let mbox = dir.path().join("replies.mbox");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&mbox)?);
    for n in 0..args.messages {
        // mboxrd: a body line starting "From " is written as ">From ".
        let body = message(n).replace("\nFrom 1 April", "\n>From 1 April");
        write!(file, "From foi@trust.nhs.uk Mon Dec 20 10:00:00 2021\n{body}\n")?;
    }
    file.flush()?;
    drop(file);
    let size = std::fs::metadata(&mbox)?.len() as f64 / 1e6;

    let started = Instant::now();
    let mut parsed = 0usize;
    sources::read(&mbox, MAX_MESSAGE_BYTES, |found| -> anyhow::Result<()> {
        parsed += usize::from(inbound::parse(&found.raw).is_ok());
        Ok(())
    })?;
    let baseline = started.elapsed();

    let url = format!("sqlite://{}", dir.path().join("ingest.db").display());
    let mail = MailConfig {
        reply_secret: SECRET.into(),
        reply_domain: "replies.example.org".into(),
        ..MailConfig::default()
    };
    let service = Service::new(Db::open(&url, 4, Duration::from_secs(30))?, Vec::new())?.with_mail(mail);
    let by = service.add_user(None, "bench@example.org", "Bench", Role::Admin, None)?.user.id;
    let mut summary = IngestSummary::default();
    let started = Instant::now();
    // In batches, as `foitrack ingest` stores them.
    let mut batcher = Batcher::new(&service, None, by);
    let mut count = |stored: Vec<foitrack::service::ingest::Taken>| -> anyhow::Result<()> {
        for (_, report) in stored {
            summary.count(&report?);
        }
        Ok(())
    };
    sources::read(&mbox, MAX_MESSAGE_BYTES, |found| -> anyhow::Result<()> {
        count(batcher.push(found.source, found.raw))
    })?;
    count(batcher.flush())?;
    let ingest = started.elapsed();
    assert_eq!(summary.messages as usize, args.messages);
    assert_eq!(parsed, args.messages, "every message parses");

    let rate = |d: Duration| args.messages as f64 / d.as_secs_f64();
    println!("{} messages, {size:.1} MB of mbox", args.messages);
    println!("  read and parse only (baseline)   {:>8.0} messages/s", rate(baseline));
    println!("  ingest into SQLite               {:>8.0} messages/s", rate(ingest));
    println!("  ingest / baseline time           {:>8.1}x", ingest.as_secs_f64() / baseline.as_secs_f64());
    println!("  peak memory (VmHWM)              {:>8.1} MB", peak_rss_mb());
    println!("  outcomes: {summary:?}");
    Ok(())
}
