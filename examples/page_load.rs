//! Page load program: how long each web page takes to render, over HTTP from the real server,
//! on a database the `load` example seeded (1,000,000 requests, say). The static stylesheet,
//! served by the same process with no database work, is the baseline in the same run.
//!
//! cargo build --release --bins --example load --example page_load
//! ./target/release/examples/load --database sqlite:///tmp/load.db --requests 1000000
//! ./target/release/examples/page_load --database sqlite:///tmp/load.db
//!
//! It signs in as the load user (`load@example.org`, an administrator whose password it sets),
//! then asks for each page one at a time, `--samples` times after one warm-up, and prints the
//! median and the 90th percentile. One client at a time: the figure is the time to render a
//! page, not the server's throughput (`http_load` measures that).

#[path = "support/mod.rs"]
mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use foitrack::service::codebooks::SaveCodebookInput;
use foitrack::service::codings::CodingPlanInput;
use foitrack::service::{Paging, Service};
use foitrack::store::Db;
use support::{Server, foitrack_binary, uptime};

const PASSWORD: &str = "load program password";

#[derive(clap::Parser)]
#[command(about = "Times every web page over HTTP against a database the load example seeded.")]
struct Args {
    /// The seeded database: sqlite:///tmp/load.db or postgres://user@host/db.
    #[arg(long, value_name = "URL")]
    database: String,
    /// Timed requests per page, after one warm-up.
    #[arg(long, value_name = "N", default_value_t = 21)]
    samples: usize,
}

fn main() -> anyhow::Result<()> {
    let args = <Args as clap::Parser>::parse();
    let (campaign, request) = prepare(&args.database)?;
    let foitrack = foitrack_binary(None, "cargo build --release --bins --example page_load")?;
    let dir = tempfile::tempdir()?;
    let mut command = Command::new(&foitrack);
    command
        .arg("serve")
        .env("FOITRACK__DATABASE__URL", &args.database)
        .env("FOITRACK__SERVER__LISTEN", "127.0.0.1:0")
        .env("FOITRACK__SERVER__SECURE_COOKIES", "false")
        .env("FOITRACK__REMINDERS__ENABLED", "false")
        .env("FOITRACK__MAIL__URL", format!("file://{}", dir.path().display()));
    let server = Server::start(&mut command, dir.path(), "foitrack")?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(measure(&server.base, campaign, request, args.samples))
}

/// Sets the load user's password; returns a campaign and a request to open.
fn prepare(url: &str) -> anyhow::Result<(i64, i64)> {
    let db = Db::open(url, 2, Duration::from_secs(30))?;
    let service = Service::new(db, Vec::new())?;
    service.set_password(None, "load@example.org", PASSWORD)?;
    let actor = service.local_actor(Some("load@example.org"))?;
    let campaigns = service.list_campaigns(&actor, None, Paging::new(Some(1), Some(1))?)?;
    let campaign =
        campaigns.items.first().ok_or_else(|| anyhow::anyhow!("no campaign: seed with `load` first"))?;
    let query =
        foitrack::service::requests::RequestQuery { campaign: Some(campaign.id), ..Default::default() };
    let request = service.search_requests(&actor, &query)?;
    let request = request.items.first().ok_or_else(|| anyhow::anyhow!("the campaign has no request"))?;
    // The study's codebook and a coding plan on the campaign, so that its report and its
    // disagreements have something to show (with no codings yet: the report's figures over a
    // million codings are `report_bench`'s).
    let book = foitrack::domain::codebook::Codebook::from_toml(foitrack::domain::codebook::ABT_CODEBOOK)
        .map_err(|problems| anyhow::anyhow!("the shipped codebook does not read: {problems:?}"))?;
    let input = SaveCodebookInput { workspace: Some(campaign.workspace.clone()), codebook: book };
    let saved = service.save_codebook(&actor, input)?;
    let plan = CodingPlanInput {
        codebook: saved.view.summary.id,
        coders: vec!["load@example.org".into()],
        double_coded_percent: 0,
        seed: Some(1),
    };
    service.set_coding_plan(&actor, campaign.id, plan)?;
    Ok((campaign.id, request.id))
}

async fn measure(base: &str, campaign: i64, request: i64, samples: usize) -> anyhow::Result<()> {
    let client =
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build()?;
    sign_in(&client, base).await?;
    let pages = [
        "/static/app.css".to_string(),
        "/".into(),
        "/campaigns".into(),
        format!("/campaigns/{campaign}"),
        format!("/campaigns/{campaign}/report"),
        format!("/campaigns/{campaign}/disagreements"),
        format!("/requests/{request}"),
        "/holding-pen".into(),
        "/search?q=training".into(),
        "/deadlines?regime=foia&received=2021-12-06".into(),
        "/campaigns/new".into(),
        "/bodies/import".into(),
        "/workspaces".into(),
        "/workspaces/default/members".into(),
        "/users".into(),
    ];
    println!("{} samples per page, one at a time; load on the machine: {}", samples, uptime());
    println!("  {:<44} {:>9} {:>9} {:>9} {:>10}", "page", "median", "p90", "ratio", "bytes");
    let mut baseline = None;
    let mut failed = Vec::new();
    for path in &pages {
        let (median, p90, bytes) = match time(&client, base, path, samples).await? {
            Ok(figures) => figures,
            Err(status) => {
                // Every page should show on this data: one that does not is named, and the
                // program fails once the others are timed.
                println!("  {path:<44} answered {status}: not timed");
                failed.push(path.as_str());
                continue;
            }
        };
        let base_ms = *baseline.get_or_insert(median);
        println!(
            "  {path:<44} {:>6.2} ms {:>6.2} ms {:>8.1}x {bytes:>10}",
            median * 1000.0,
            p90 * 1000.0,
            median / base_ms
        );
    }
    anyhow::ensure!(failed.is_empty(), "these pages did not answer: {}", failed.join(", "));
    Ok(())
}

/// Signs in as a browser does: the form's token from the page, then the form.
async fn sign_in(client: &reqwest::Client, base: &str) -> anyhow::Result<()> {
    let form = client.get(format!("{base}/sign-in")).send().await?.text().await?;
    let at = form.find("name=\"token\" value=\"").ok_or_else(|| anyhow::anyhow!("no form token"))? + 20;
    let token = &form[at..at + 32];
    let fields = [("email", "load@example.org"), ("password", PASSWORD), ("token", token), ("next", "/")];
    let signed = client
        .post(format!("{base}/sign-in"))
        .header("sec-fetch-site", "same-origin")
        .form(&fields)
        .send()
        .await?;
    anyhow::ensure!(signed.status().as_u16() == 303, "signing in answered {}", signed.status());
    Ok(())
}

/// The median and 90th percentile seconds of `samples` requests for `path`, and its size; or the
/// status of a page that is not there to time.
async fn time(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    samples: usize,
) -> anyhow::Result<Result<(f64, f64, usize), reqwest::StatusCode>> {
    let mut times = Vec::with_capacity(samples);
    let mut bytes = 0;
    for round in 0..=samples {
        let started = Instant::now();
        let response = client.get(format!("{base}{path}")).send().await?;
        let status = response.status();
        let body = response.bytes().await?;
        let took = started.elapsed().as_secs_f64();
        if !status.is_success() {
            return Ok(Err(status));
        }
        bytes = body.len();
        if round > 0 {
            times.push(took);
        }
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    Ok(Ok((at(0.5), at(0.9), bytes)))
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    #[test]
    fn the_database_is_required_and_help_is_usage() {
        super::Args::command().debug_assert();
        let missing = super::Args::try_parse_from(["page_load"]).err().expect("no database named");
        assert_eq!(missing.kind(), clap::error::ErrorKind::MissingRequiredArgument);
        let args = super::Args::try_parse_from(["page_load", "--database", "sqlite:///tmp/x.db"]).unwrap();
        assert_eq!(args.samples, 21);
    }
}
