//! HTTP load program: foitrack's read endpoints against an actix-web hello-world, side by side in
//! one run on the same cores, so that the ratio means something on a shared machine.
//!
//! cargo build --release --bins --example http_load
//! ./target/release/examples/http_load
//! ./target/release/examples/http_load --database postgres://postgres@127.0.0.1:5432/test
//!
//! Both servers run as child processes on 127.0.0.1 port 0: the baseline is this program started
//! again with `--baseline-server`, foitrack is the release binary next to this example started
//! with `serve`. With `--database`, a fresh PostgreSQL database is created beside the one named
//! and dropped at the end; otherwise a new SQLite file in a temporary directory is used. `wrk`
//! drives the load (`apt-get install wrk`); the latency at half the peak rate comes from a small
//! open-loop client in this program, since wrk cannot hold a fixed rate.

#[path = "support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::{Connection, PgConnection, RunQueryDsl};
use serde_json::{Value, json};
use support::{Server, first_user, foitrack_binary, rss_kib, uptime};

const ODS_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/nhs-trusts-etr.csv");

#[derive(Debug)]
struct Options {
    /// Load only the endpoints whose label contains this text.
    only: Option<String>,
    /// How many times each endpoint is loaded; the median ratio is reported.
    rounds: usize,
    postgres: Option<String>,
    /// Another foitrack binary to load, e.g. an older build kept for a before/after comparison.
    binary: Option<PathBuf>,
    seconds: u64,
    connections: u32,
    threads: u32,
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--baseline-server") {
        return baseline_server();
    }
    let Some(options) = parse_args(&args)? else {
        print!("{USAGE}");
        return Ok(());
    };
    if Command::new("wrk").arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_err() {
        anyhow::bail!("wrk is not installed; it drives the load. Install it with: apt-get install -y wrk");
    }
    let foitrack =
        foitrack_binary(options.binary.clone(), "cargo build --release --bins --example http_load")?;
    let dir = tempfile::tempdir()?;
    let database = match &options.postgres {
        Some(admin) => Database::postgres(admin)?,
        None => Database::sqlite(dir.path()),
    };
    let token = first_user(&database.url)?;

    let baseline = Server::start(
        Command::new(std::env::current_exe()?).arg("--baseline-server"),
        dir.path(),
        "baseline",
    )?;
    let mut command = Command::new(&foitrack);
    command
        .arg("serve")
        .env("FOITRACK__DATABASE__URL", &database.url)
        .env("FOITRACK__SERVER__LISTEN", "127.0.0.1:0")
        .env("FOITRACK__REMINDERS__ENABLED", "false");
    let service = Server::start(&mut command, dir.path(), "foitrack")?;

    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let targets = runtime.block_on(seed(&service.base, &token))?;
    let idle_rss = rss_kib(service.pid());

    println!(
        "{} backend, wrk -t{} -c{} -d{}s per endpoint; load on the machine: {}",
        if options.postgres.is_some() { "PostgreSQL" } else { "SQLite" },
        options.threads,
        options.connections,
        options.seconds,
        uptime()
    );
    println!("{:<44} {:>10} {:>9} {:>9} {:>9}", "endpoint", "req/s", "mean ms", "p99 ms", "/ hello");
    let targets: Vec<_> = targets
        .into_iter()
        .filter(|(label, _)| options.only.as_ref().is_none_or(|o| label.contains(o)))
        .collect();
    // Each endpoint is loaded right after a hello-world run, and its ratio is to that run: on a
    // shared machine the speed of the cores drifts within seconds. Over several rounds the median
    // ratio is reported, with the figures of the round that gave it.
    let mut peak_rss = 0;
    let mut rounds: Vec<Vec<(Figures, Figures)>> = targets.iter().map(|_| Vec::new()).collect();
    for _ in 0..options.rounds {
        for (i, (_, path)) in targets.iter().enumerate() {
            let hello = wrk(&options, &format!("{}/", baseline.base), None, None)?;
            let figures = wrk(
                &options,
                &format!("{}{path}", service.base),
                Some(&token),
                Some((service.pid(), &mut peak_rss)),
            )?;
            rounds[i].push((hello, figures));
        }
    }
    let mut results = Vec::new();
    for ((label, path), mut runs) in targets.iter().zip(rounds) {
        runs.sort_by(|a, b| (a.1.rps / a.0.rps).total_cmp(&(b.1.rps / b.0.rps)));
        let (hello, figures) = runs.swap_remove(runs.len() / 2);
        print_row(label, &figures, Some(hello.rps));
        results.push((label.clone(), path.clone(), figures, hello));
    }
    if let Some((_, _, _, hello)) = results.last() {
        print_row("actix-web hello-world (run before the last row)", hello, None);
    }

    let Some((_, single_path, single, _)) =
        results.iter().find(|(l, ..)| l.starts_with("GET /api/v1/requests/{"))
    else {
        return finish(service, baseline, database, idle_rss, peak_rss);
    };
    let rate = (single.rps / 2.0).max(1.0);
    let latencies = runtime.block_on(at_fixed_rate(
        &format!("{}{single_path}", service.base),
        &token,
        rate,
        Duration::from_secs(options.seconds.min(5)),
    ))?;
    println!(
        "GET /api/v1/requests/{{id}} at half its peak ({rate:.0} req/s, open loop): p50 {:.2} ms, p99 {:.2} ms, {} requests, {} failed",
        percentile(&latencies.ok, 0.50),
        percentile(&latencies.ok, 0.99),
        latencies.ok.len(),
        latencies.failed
    );
    finish(service, baseline, database, idle_rss, peak_rss)
}

fn finish(
    mut service: Server,
    mut baseline: Server,
    database: Database,
    idle_rss: u64,
    peak_rss: u64,
) -> anyhow::Result<()> {
    println!(
        "foitrack RSS: {:.1} MB idle, {:.1} MB at most under load",
        idle_rss as f64 / 1024.0,
        peak_rss as f64 / 1024.0
    );
    service.stop();
    baseline.stop();
    drop(database);
    Ok(())
}

const USAGE: &str = "\
Loads foitrack's read endpoints and an actix-web hello-world side by side, and reports the ratio.

Usage: http_load [OPTIONS]

Options:
  --database URL     a postgres:// URL: a fresh database is made beside it and dropped at the end
                     (default: a new SQLite file in a temporary directory)
  --foitrack BINARY  the foitrack binary to load (default: the release binary next to this program)
  --seconds N        how long wrk loads each endpoint, 1 to 60 (default 8)
  --connections N    wrk's connections (default 32)
  --threads N        wrk's threads (default 2)
  --only TEXT        load only the endpoints whose label contains TEXT
  --rounds N         times each endpoint is loaded, 1 to 15; the median ratio is reported (default 1)
  -h, --help         print this help

Needs wrk (apt-get install wrk). Build first: cargo build --release --bins --example http_load
";

/// The options, or `None` when `--help` asks for the usage instead.
fn parse_args(args: &[String]) -> anyhow::Result<Option<Options>> {
    let mut options = Options {
        only: None,
        rounds: 1,
        postgres: None,
        binary: None,
        seconds: 8,
        connections: 32,
        threads: 2,
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| anyhow::anyhow!("{flag} needs a value"));
        match flag.as_str() {
            "--help" | "-h" => return Ok(None),
            "--database" => {
                let url = value()?.clone();
                if !url.starts_with("postgres://") && !url.starts_with("postgresql://") {
                    anyhow::bail!(
                        "--database takes a postgres:// URL; without it a temporary SQLite file is used"
                    );
                }
                options.postgres = Some(url);
            }
            "--foitrack" => options.binary = Some(std::fs::canonicalize(value()?)?),
            "--seconds" => options.seconds = value()?.parse()?,
            "--connections" => options.connections = value()?.parse()?,
            "--threads" => options.threads = value()?.parse()?,
            "--only" => options.only = Some(value()?.clone()),
            "--rounds" => options.rounds = value()?.parse()?,
            other => anyhow::bail!(
                "unknown argument {other}; use --database postgres://…, --foitrack BINARY, --seconds N, --connections N, --threads N, --only TEXT, --rounds N (--help for more)"
            ),
        }
    }
    if !(1..=60).contains(&options.seconds) {
        anyhow::bail!("--seconds must be between 1 and 60");
    }
    if !(1..=15).contains(&options.rounds) {
        anyhow::bail!("--rounds must be between 1 and 15");
    }
    Ok(Some(options))
}

/// The baseline: the smallest actix-web server, with actix's default worker count.
fn baseline_server() -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        eprintln!("listening at http://{}", listener.local_addr()?);
        actix_web::HttpServer::new(|| {
            actix_web::App::new().route("/", actix_web::web::get().to(|| async { "Hello world!" }))
        })
        .listen(listener)?
        .run()
        .await
    })?;
    Ok(())
}

struct Database {
    url: String,
    drop_with: Option<(String, String)>,
}

impl Database {
    fn sqlite(dir: &Path) -> Self {
        Self { url: format!("sqlite://{}", dir.join("load.db").display()), drop_with: None }
    }

    fn postgres(admin_url: &str) -> anyhow::Result<Self> {
        let name = format!("foitrack_http_load_{}", std::process::id());
        let mut admin = PgConnection::establish(admin_url)?;
        diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut admin)?;
        let base = admin_url.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin_url);
        Ok(Self { url: format!("{base}/{name}"), drop_with: Some((admin_url.to_string(), name)) })
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.drop_with
            && let Ok(mut conn) = PgConnection::establish(admin)
        {
            let _ =
                diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn);
        }
    }
}

/// The 209 English trusts, one campaign to all of them logged as sent in December 2021 (so the
/// unanswered ones are long overdue), replies from some; returns the endpoints to load.
async fn seed(base: &str, token: &str) -> anyhow::Result<Vec<(String, String)>> {
    let client = reqwest::Client::new();
    let post = |path: String, body: reqwest::Body, content_type: &'static str| {
        let request = client
            .post(format!("{base}{path}"))
            .bearer_auth(token)
            .header("Content-Type", content_type)
            .body(body);
        async move {
            let response = request.send().await?;
            let status = response.status();
            let body: Value = response.json().await?;
            anyhow::ensure!(status.is_success(), "{path}: {status} {body}");
            Ok::<Value, anyhow::Error>(body)
        }
    };
    let json_body = |v: Value| reqwest::Body::from(v.to_string());
    post(
        "/api/v1/authorities/import?format=ods-etr&as_of=2021-12-01&region_required=true".into(),
        std::fs::read(ODS_FILE)?.into(),
        "text/csv",
    )
    .await?;
    let campaign = post(
        "/api/v1/campaigns".into(),
        json_body(json!({
            "title": "Active bystander training",
            "reference_prefix": "ABT-2021",
            "subject_template": "Freedom of Information request [{{request.reference}}]",
            "body_template": "Dear {{authority.name}},\n\nPlease tell us whether you provide active bystander training.\n",
            "targets": {"all": true}
        })),
        "application/json",
    )
    .await?["id"]
        .as_i64()
        .unwrap_or_default();
    post(
        format!("/api/v1/campaigns/{campaign}/sent"),
        json_body(json!({"sent_at": "2021-12-01T10:00:00Z"})),
        "application/json",
    )
    .await?;
    let page: Value = client
        .get(format!("{base}/api/v1/requests?campaign={campaign}&sort=reference&per_page=500"))
        .bearer_auth(token)
        .send()
        .await?
        .json()
        .await?;
    let items = page["items"].as_array().cloned().unwrap_or_default();
    anyhow::ensure!(items.len() == 209, "expected 209 requests, found {}", items.len());
    for (i, item) in items.iter().enumerate() {
        let id = item["id"].as_i64().unwrap_or_default();
        let events = format!("/api/v1/requests/{id}/events");
        if i % 2 == 0 {
            post(
                events.clone(),
                json_body(json!({"kind": "acknowledged", "occurred_on": "2021-12-02"})),
                "application/json",
            )
            .await?;
        }
        if i % 3 == 0 {
            let reply = json!({"kind": "response_received", "occurred_on": "2021-12-20", "outcome": "full"});
            post(events, json_body(reply), "application/json").await?;
        }
    }
    let request = items[0]["id"].as_i64().unwrap_or_default();
    let body = items[0]["authority"]["id"].as_i64().unwrap_or_default();
    Ok(vec![
        ("GET /healthz".into(), "/healthz".into()),
        ("GET /api/v1/me".into(), "/api/v1/me".into()),
        ("GET /api/v1/deadline?received=…".into(), "/api/v1/deadline?received=2021-12-01".into()),
        ("GET /api/v1/authorities/{id}".into(), format!("/api/v1/authorities/{body}")),
        ("GET /api/v1/requests/{id}".into(), format!("/api/v1/requests/{request}")),
        ("GET /api/v1/requests?overdue=true".into(), "/api/v1/requests?overdue=true".into()),
    ])
}

struct Figures {
    rps: f64,
    mean_ms: f64,
    p99_ms: f64,
    errors: bool,
}

/// Runs wrk against one URL; while it runs, samples the RSS of `watch` and keeps the largest.
fn wrk(
    options: &Options,
    url: &str,
    token: Option<&str>,
    watch: Option<(u32, &mut u64)>,
) -> anyhow::Result<Figures> {
    let mut command = Command::new("wrk");
    command
        .arg(format!("-t{}", options.threads))
        .arg(format!("-c{}", options.connections))
        .arg(format!("-d{}s", options.seconds))
        .arg("--latency");
    if let Some(token) = token {
        command.arg("-H").arg(format!("Authorization: Bearer {token}"));
    }
    let child = command.arg(url).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
    if let Some((pid, peak)) = watch {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(options.seconds) {
            std::thread::sleep(Duration::from_millis(250));
            *peak = (*peak).max(rss_kib(pid));
        }
    }
    let output = child.wait_with_output()?;
    let text = String::from_utf8_lossy(&output.stdout);
    anyhow::ensure!(
        output.status.success(),
        "wrk failed on {url}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let field = |prefix: &str, index: usize| {
        text.lines()
            .map(str::trim)
            .find(|l| l.starts_with(prefix))
            .and_then(|l| l.split_whitespace().nth(index))
            .map(str::to_string)
            .unwrap_or_default()
    };
    Ok(Figures {
        rps: field("Requests/sec:", 1).parse().unwrap_or(0.0),
        mean_ms: millis(&field("Latency", 1)),
        p99_ms: millis(&field("99%", 1)),
        errors: text.contains("Non-2xx") || text.contains("Socket errors"),
    })
}

/// wrk's durations: `812.00us`, `1.20ms`, `2.01s`.
fn millis(text: &str) -> f64 {
    let split = text.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(text.len());
    let value: f64 = text[..split].parse().unwrap_or(f64::NAN);
    match &text[split..] {
        "us" => value / 1000.0,
        "ms" => value,
        "s" => value * 1000.0,
        "m" => value * 60_000.0,
        _ => f64::NAN,
    }
}

fn print_row(label: &str, f: &Figures, hello: Option<f64>) {
    let ratio = hello.map(|h| format!("{:.1}%", 100.0 * f.rps / h)).unwrap_or_default();
    let note = if f.errors { "  (errors: see wrk)" } else { "" };
    println!("{label:<44} {:>10.0} {:>9.2} {:>9.2} {ratio:>9}{note}", f.rps, f.mean_ms, f.p99_ms);
}

struct Latencies {
    ok: Vec<f64>,
    failed: usize,
}

/// Sends requests on a fixed schedule whatever the answers do, and times each from the moment it
/// was due, so that a stall counts against every request it delays (wrk's closed loop hides it).
async fn at_fixed_rate(url: &str, token: &str, rate: f64, length: Duration) -> anyhow::Result<Latencies> {
    // wrk2's method: a fixed set of keep-alive connections, each sending on its own share of the
    // schedule. A request whose time comes while its connection is still busy goes as soon as it
    // is free, and is still timed from when it was due. A raw HTTP/1.1 client keeps this
    // program's own cost small beside the server's on the shared cores.
    const CONNECTIONS: usize = 32;
    let address = url
        .strip_prefix("http://")
        .and_then(|u| u.split_once('/'))
        .ok_or_else(|| anyhow::anyhow!("bad URL {url}"))?;
    let request: Arc<[u8]> = format!(
        "GET /{} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\r\n",
        address.1, address.0
    )
    .into_bytes()
    .into();
    let host: Arc<str> = address.0.into();
    let interval = Duration::from_secs_f64(CONNECTIONS as f64 / rate);
    let per_connection = (length.as_secs_f64() * rate / CONNECTIONS as f64) as u32;
    let started = tokio::time::Instant::now();
    let mut tasks = Vec::with_capacity(CONNECTIONS);
    for c in 0..CONNECTIONS {
        let (request, host) = (request.clone(), host.clone());
        let offset = Duration::from_secs_f64(c as f64 / rate);
        tasks.push(tokio::spawn(async move {
            let mut latencies = Latencies { ok: Vec::new(), failed: 0 };
            let Ok(mut stream) = tokio::net::TcpStream::connect(&*host).await else {
                latencies.failed += per_connection as usize;
                return latencies;
            };
            let _ = stream.set_nodelay(true);
            let mut buffer = Vec::with_capacity(64 * 1024);
            for i in 0..per_connection {
                let due = started + offset + interval * i;
                tokio::time::sleep_until(due).await;
                match exchange(&mut stream, &request, &mut buffer).await {
                    Ok(true) => latencies.ok.push(due.elapsed().as_secs_f64() * 1000.0),
                    Ok(false) => latencies.failed += 1,
                    Err(_) => {
                        latencies.failed += (per_connection - i) as usize;
                        break;
                    }
                }
            }
            latencies
        }));
    }
    let mut all = Latencies { ok: Vec::new(), failed: 0 };
    for task in tasks {
        let part = task.await?;
        all.ok.extend(part.ok);
        all.failed += part.failed;
    }
    all.ok.sort_by(f64::total_cmp);
    Ok(all)
}

/// Sends one request and reads its answer; true when the status was 2xx.
async fn exchange(
    stream: &mut tokio::net::TcpStream,
    request: &[u8],
    buffer: &mut Vec<u8>,
) -> anyhow::Result<bool> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream.write_all(request).await?;
    buffer.clear();
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = std::str::from_utf8(&buffer[..end])?;
            let ok = head.starts_with("HTTP/1.1 2");
            let length: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string())
                })
                .ok_or_else(|| anyhow::anyhow!("no Content-Length"))?
                .parse()?;
            while buffer.len() < end + 4 + length {
                if stream.read_buf(buffer).await? == 0 {
                    anyhow::bail!("connection closed");
                }
            }
            return Ok(ok);
        }
        if stream.read_buf(buffer).await? == 0 {
            anyhow::bail!("connection closed");
        }
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn help_is_usage_and_bad_arguments_are_explained() {
        assert!(parse_args(&args(&["--help"])).unwrap().is_none());
        assert!(parse_args(&args(&["--seconds", "3", "-h"])).unwrap().is_none());
        assert_eq!(parse_args(&args(&["--seconds", "3"])).unwrap().unwrap().seconds, 3);
        assert!(parse_args(&args(&["--bogus"])).unwrap_err().to_string().contains("--help"));
        assert!(parse_args(&args(&["--seconds"])).unwrap_err().to_string().contains("needs a value"));
    }
}
