//! Search benchmark: 100,000 stored replies of generated English-like text (about 1.3 KB
//! each, words drawn with a Zipf law as in real prose, with FOI phrases mixed in at known
//! rates), then the whole search use case (`GET /api/v1/search` and `foitrack search` call the
//! same), a page of 50 hits with their snippets, timed for queries of every selectivity. The
//! baseline, in the same run and on the same rows, is the full scan that search replaces: a
//! `LIKE '%…%'` count over every reply's text.
//!
//! ```sh
//! cargo build --release --example search_bench
//! ./target/release/examples/search_bench --replies 100000
//! ./target/release/examples/search_bench --replies 100000 --database postgres://postgres@127.0.0.1/search_bench
//! ```
//!
//! The PostgreSQL database must be new and empty.

use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use foitrack::domain::inbound::{MatchedBy, Outcome};
use foitrack::domain::vocab::Role;
use foitrack::service::Service;
use foitrack::service::search::SearchQuery;
use foitrack::store::inbound::{self, NewInbound};
use foitrack::store::schema::workspaces;
use foitrack::store::{AnyConnection, Db};

#[derive(clap::Parser)]
#[command(name = "search_bench")]
struct Args {
    /// How many replies to store.
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    replies: usize,
    /// A new, empty database; by default a SQLite file in a temporary directory.
    #[arg(long, value_name = "URL")]
    database: Option<String>,
    /// How many times each query is timed.
    #[arg(long, value_name = "N", default_value_t = 30)]
    runs: usize,
}

/// A small, fast, reproducible generator (xorshift64*): the same text on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, per_100_000: u64) -> bool {
        self.below(100_000) < per_100_000
    }
}

/// 5,000 made-up words and their cumulative Zipf weights.
struct Vocabulary {
    words: Vec<String>,
    cumulative: Vec<f64>,
}

impl Vocabulary {
    fn new(rng: &mut Rng) -> Self {
        const SYLLABLES: &[&str] = &[
            "ta", "ren", "mo", "li", "sar", "ve", "con", "dis", "pra", "tel", "us", "bor", "ni", "kal",
            "ost", "em", "ri", "fa", "gon", "hu",
        ];
        let words: Vec<String> = (0..5_000)
            .map(|_| (0..2 + rng.below(3)).map(|_| SYLLABLES[rng.below(20) as usize]).collect())
            .collect();
        let mut total = 0.0;
        let cumulative = (1..=words.len())
            .map(|rank| {
                total += 1.0 / rank as f64;
                total
            })
            .collect();
        Self { words, cumulative }
    }

    fn word(&self, rng: &mut Rng) -> &str {
        let total = *self.cumulative.last().unwrap();
        let x = (rng.next() >> 11) as f64 / (1u64 << 53) as f64 * total;
        &self.words[self.cumulative.partition_point(|&c| c < x).min(self.words.len() - 1)]
    }
}

/// How often each searched phrase occurs, per 100,000 replies.
const NOT_HELD: u64 = 10_000;
const TRAINING: u64 = 60_000;
const RARE: u64 = 50;

fn reply(rng: &mut Rng, vocabulary: &Vocabulary) -> String {
    let mut text = String::from("Dear Researcher,\n\nThank you for your request for information.");
    if rng.chance(TRAINING) {
        text.push_str(" The Trust provides active bystander training to some staff.");
    }
    if rng.chance(NOT_HELD) {
        text.push_str(" I can confirm that the information you asked for is not held by the Trust.");
    }
    if rng.chance(RARE) {
        text.push_str(" Our provider is Zebracorn Learning Ltd.");
    }
    for sentence in 0..14 {
        text.push(if sentence % 5 == 0 { '\n' } else { ' ' });
        let words: Vec<&str> = (0..8 + rng.below(8)).map(|_| vocabulary.word(rng)).collect();
        text.push_str(&words.join(" "));
        text.push('.');
    }
    text.push_str("\n\nYours sincerely,\nFOI Team");
    text
}

fn seed(db: &Db, by: i64, workspace: i64, replies: usize) -> anyhow::Result<()> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let vocabulary = Vocabulary::new(&mut rng);
    let at = NaiveDateTime::parse_from_str("2022-01-10 09:00:00", "%Y-%m-%d %H:%M:%S")?;
    let mut conn = db.conn()?;
    for chunk in (0..replies).collect::<Vec<_>>().chunks(2_000) {
        conn.transaction(|c| -> anyhow::Result<()> {
            for &n in chunk {
                let body = reply(&mut rng, &vocabulary);
                let sha = format!("{n:064x}");
                let message_id = format!("<reply.{n}@trust.nhs.uk>");
                inbound::insert(
                    c,
                    &NewInbound {
                        sha256: &sha,
                        message_id: Some(&message_id),
                        workspace_id: Some(workspace),
                        source: "bench",
                        outcome: Outcome::Response,
                        matched_by: MatchedBy::SubjectReference,
                        reason: None,
                        delivery_status: None,
                        from_address: Some("foi@trust.nhs.uk"),
                        subject: &format!("RE: Freedom of Information request ABT-2021-{:04}", n % 213 + 1),
                        sent_at: None,
                        received_at: at + chrono::Duration::seconds(n as i64),
                        body_text: &body,
                        body_html: None,
                        suggestions: "[]",
                        size: body.len() as i64,
                        raw: b"",
                        raw_in_directory: false,
                        received_by: by,
                    },
                )?;
            }
            Ok(())
        })?;
    }
    Ok(())
}

/// Median and 95th percentile, in milliseconds.
fn timed(runs: usize, mut f: impl FnMut()) -> (f64, f64) {
    for _ in 0..3 {
        f();
    }
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed()
        })
        .collect();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    (ms(times[runs / 2]), ms(times[(runs * 95 / 100).min(runs - 1)]))
}

fn scan_count(conn: &mut AnyConnection, phrase: &str) -> i64 {
    use diesel::sql_types::{BigInt, Text};
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let sql = match conn {
        AnyConnection::Sqlite(_) => {
            "SELECT count(*) AS n FROM inbound_messages WHERE lower(body_text) LIKE ?"
        }
        AnyConnection::Postgres(_) => {
            "SELECT count(*) AS n FROM inbound_messages WHERE lower(body_text) LIKE $1"
        }
    };
    diesel::sql_query(sql).bind::<Text, _>(format!("%{phrase}%")).get_result::<N>(conn).expect("the scan").n
}

fn main() -> anyhow::Result<()> {
    let args = <Args as clap::Parser>::parse();
    let dir = tempfile::tempdir()?;
    let url = args
        .database
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("search.db").display()));
    let db = Db::open(&url, 4, Duration::from_secs(30))?;
    let service = Service::new(db.clone(), Vec::new())?;
    let by = service.add_user(None, "bench@example.org", "Bench", Role::Admin, Some("default"))?.user.id;
    let workspace: i64 = workspaces::table
        .filter(workspaces::slug.eq("default"))
        .select(workspaces::id)
        .first(&mut *db.conn()?)?;

    let started = Instant::now();
    seed(&db, by, workspace, args.replies)?;
    let seeding = started.elapsed();
    let mut conn = db.conn()?;
    match &mut *conn {
        AnyConnection::Postgres(c) => drop(diesel::sql_query("VACUUM ANALYZE").execute(c)?),
        AnyConnection::Sqlite(c) => drop(diesel::sql_query("ANALYZE").execute(c)?),
    }
    let actor = service.local_actor(None)?;

    println!(
        "{} replies stored in {:.0} s ({})",
        args.replies,
        seeding.as_secs_f64(),
        url.split(':').next().unwrap()
    );
    println!("{:<38} {:>8} {:>9} {:>9}", "query (page of 50, with snippets)", "hits", "median", "p95");
    let queries = [
        ("a rare word: zebracorn", "zebracorn"),
        ("a phrase in 10%: \"not held\"", "\"not held\""),
        ("two words in 60%: bystander training", "bystander training"),
        ("a word in every reply: information", "information"),
        ("a stem: trains (finds training)", "trains"),
        // The worst case for a phrase: its words are in every reply, the phrase in a tenth.
        ("\"information you\" (words in all)", "\"information you\""),
    ];
    let mut rare_median = 0.0;
    for (label, q) in queries {
        let query = SearchQuery { q: q.into(), ..SearchQuery::default() };
        let hits = service.search(&actor, &query)?.total;
        let (median, p95) = timed(args.runs, || {
            service.search(&actor, &query).expect("search");
        });
        if q == "zebracorn" {
            rare_median = median;
        }
        println!("{label:<38} {hits:>8} {median:>7.1}ms {p95:>7.1}ms");
    }
    let matched = scan_count(&mut conn, "zebracorn");
    let (scan, _) = timed(args.runs.min(10), || {
        scan_count(&mut conn, "zebracorn");
    });
    println!("{:<38} {matched:>8} {scan:>7.1}ms", "baseline: LIKE scan for zebracorn");
    println!("rare-word search / scan: {:.3}x", rare_median / scan);
    Ok(())
}
