//! Report benchmark: seeds one campaign of N requests (100,000 by default) coded by two coders,
//! about ten answers a request (1,000,000 codings), then times the campaign's report against a
//! baseline in the same run: one count of the campaign's final codes, the least any report
//! must read.
//!
//! cargo run --release --example report_bench -- --database sqlite:///tmp/report.db
//! cargo run --release --example report_bench -- --database postgres://postgres@127.0.0.1/report
//!
//! The database must be empty (a new SQLite file, or a new PostgreSQL database).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use diesel::prelude::*;
use foitrack::domain::codebook::{ABT_CODEBOOK, Answer, Codebook};
use foitrack::domain::coding::{Final, codes_to_column, decide};
use foitrack::domain::vocab::Role;
use foitrack::service::Service;
use foitrack::service::codebooks::SaveCodebookInput;
use foitrack::service::codings::CodingPlanInput;
use foitrack::store::codings::NewFinal;
use foitrack::store::schema::{authorities, campaigns, codings, final_codes, requests};
use foitrack::store::{AnyConnection, Backend, Db};

#[macro_use]
mod support;
use support::{REGIONS, Rng};

#[derive(clap::Parser)]
#[command(name = "report_bench")]
struct Args {
    /// The database to seed: sqlite:///tmp/report.db or postgres://user@host/db.
    #[arg(long, value_name = "URL")]
    database: String,
    /// How many requests the campaign has.
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    requests: usize,
}

#[derive(Insertable)]
#[diesel(table_name = codings)]
struct SeedCoding {
    workspace_id: i64,
    campaign_id: i64,
    request_id: i64,
    codebook_id: i64,
    question: String,
    coder_id: i64,
    codes: Option<String>,
    number: Option<f64>,
    evidence: String,
    memo: String,
    created_at: chrono::NaiveDateTime,
}

fn main() {
    let args = <Args as clap::Parser>::parse();
    let db = Db::open(&args.database, 4, Duration::from_secs(30)).expect("open database");
    let service = Service::new(db.clone(), Vec::new()).expect("the service starts");
    let one = service.add_user(None, "one@example.org", "One", Role::Admin, None).expect("an empty database");
    let two =
        service.add_user(None, "two@example.org", "Two", Role::Coder, Some("default")).expect("a coder");
    let actor = service.local_actor(None).expect("the first user");
    let workspace = actor.workspaces[0].workspace_id;
    let started = Instant::now();
    seed_requests(&db, one.user.id, workspace, args.requests);
    let book = Codebook::from_toml(ABT_CODEBOOK).expect("the shipped codebook");
    let saved = service.save_codebook(&actor, SaveCodebookInput { workspace: None, codebook: book.clone() });
    let codebook_id = saved.expect("saved").view.summary.id;
    let coders = vec![one.user.email.clone(), two.user.email.clone()];
    let plan = CodingPlanInput { codebook: codebook_id, coders, double_coded_percent: 75, seed: Some(1) };
    service.set_coding_plan(&actor, 1, plan).expect("a plan");
    let n = seed_codings(&db, &book, (one.user.id, two.user.id), workspace, codebook_id, args.requests);
    let analyze = match db.backend() {
        Backend::Postgres => "VACUUM ANALYZE",
        Backend::Sqlite => "ANALYZE",
    };
    diesel::sql_query(analyze).execute(&mut *db.conn().unwrap()).unwrap();
    println!("seeded {} requests and {n} codings in {:.1} s", args.requests, started.elapsed().as_secs_f64());

    let baseline = median(|| {
        let count: i64 = final_codes::table
            .filter(final_codes::campaign_id.eq(1))
            .count()
            .get_result(&mut *db.conn().unwrap())
            .unwrap();
        count as usize
    });
    let report = median(|| service.campaign_report(&actor, 1).expect("the report").questions.len());
    println!("backend {:?}; median of 7 runs after one warm-up:", db.backend());
    println!("  baseline: count the campaign's final codes  {:>8.1} ms", baseline.as_secs_f64() * 1000.0);
    println!("  the campaign report                         {:>8.1} ms", report.as_secs_f64() * 1000.0);
    println!(
        "  ratio                                       {:>8.1}x",
        report.as_secs_f64() / baseline.as_secs_f64()
    );
}

fn median(mut f: impl FnMut() -> usize) -> Duration {
    f();
    let mut times: Vec<Duration> = (0..7)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed()
        })
        .collect();
    times.sort();
    times[3]
}

fn seed_requests(db: &Db, admin: i64, workspace: i64, n: usize) {
    let mut conn = db.conn().unwrap();
    let conn: &mut AnyConnection = &mut conn;
    let stamp = chrono::Utc::now().naive_utc();
    // A campaign asks each body once.
    let bodies = n;
    let sent = NaiveDate::from_ymd_opt(2021, 12, 6).unwrap();
    let due = NaiveDate::from_ymd_opt(2022, 1, 7).unwrap();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    conn.transaction::<_, diesel::result::Error, _>(|conn| {
        for chunk in (0..bodies).collect::<Vec<_>>().chunks(1000) {
            let rows: Vec<_> = chunk
                .iter()
                .map(|i| {
                    let name = format!("Synthetic Trust {i:05}");
                    (
                        authorities::id.eq(*i as i64 + 1),
                        authorities::name_key.eq(name.to_lowercase()),
                        authorities::name.eq(name),
                        authorities::region.eq(REGIONS[i % REGIONS.len()]),
                        authorities::tags.eq(""),
                        authorities::created_at.eq(stamp),
                        authorities::updated_at.eq(stamp),
                    )
                })
                .collect();
            insert_batch!(conn, authorities::table, &rows);
        }
        let campaign = (
            campaigns::id.eq(1),
            campaigns::title.eq("Report benchmark"),
            campaigns::description.eq(""),
            campaigns::reference_prefix.eq("RB"),
            campaigns::subject_template.eq("FOI [{{request.reference}}]"),
            campaigns::body_template.eq("Dear {{authority.name}}"),
            campaigns::regime.eq("foia"),
            campaigns::created_by.eq(admin),
            campaigns::created_at.eq(stamp),
            campaigns::workspace_id.eq(workspace),
        );
        insert_batch!(conn, campaigns::table, &campaign);
        for chunk in (0..n).collect::<Vec<_>>().chunks(2000) {
            let rows: Vec<_> = chunk
                .iter()
                .map(|k| {
                    let answered = rng.below(100) < 93;
                    let on = answered.then(|| sent + chrono::Duration::days(7 + rng.below(50) as i64));
                    (
                        requests::id.eq(*k as i64 + 1),
                        requests::campaign_id.eq(Some(1i64)),
                        requests::authority_id.eq((*k % bodies) as i64 + 1),
                        requests::reference.eq(format!("RB-{:06}", k + 1)),
                        requests::subject.eq("FOI"),
                        requests::body.eq(""),
                        requests::regime.eq("foia"),
                        requests::state.eq(if answered { "answered" } else { "awaiting_response" }),
                        requests::sent_on.eq(Some(sent)),
                        requests::received_on.eq(Some(sent)),
                        requests::clock_started_on.eq(Some(sent)),
                        requests::due_on.eq(Some(due)),
                        requests::responded_on.eq(on),
                        (
                            requests::created_at.eq(stamp),
                            requests::updated_at.eq(stamp),
                            requests::workspace_id.eq(workspace),
                        ),
                    )
                })
                .collect();
            insert_batch!(conn, requests::table, &rows);
        }
        Ok(())
    })
    .unwrap();
}

/// One coder's answers about one request: offers training or not, then what applies.
fn answers(rng: &mut Rng, offers: bool) -> Vec<(&'static str, Answer)> {
    let pick = |rng: &mut Rng, options: &[&str]| {
        Answer::Codes(vec![options[rng.below(options.len() as u64) as usize].to_string()])
    };
    let mut out = vec![("offers_abt", pick(rng, if offers { &["yes"] } else { &["no"] }))];
    if offers {
        out.push(("sh_content", pick(rng, &["direct", "general"])));
        out.push(("standalone_sh_module", pick(rng, &["yes", "no"])));
        out.push(("provider", pick(rng, &["in_house", "external", "both", "unknown"])));
        out.push(("participation", pick(rng, &["mandatory", "opt_in"])));
        out.push(("staff_completed", Answer::Number(rng.below(500) as f64)));
    } else {
        out.push(("plans", pick(rng, &["yes", "developing", "would_consider", "no"])));
    }
    out.push(("materials_shared", pick(rng, &["shared", "withheld_by_provider", "not_asked"])));
    out.push(("outcome", pick(rng, &["full", "partial", "not_held"])));
    out.push(("exemptions", pick(rng, &["none", "s12", "s40"])));
    out
}

/// Codings by two coders (the second on 75% of requests, agreeing on whether training is
/// offered 98% of the time), and the final codes they give; returns the number of codings.
fn seed_codings(
    db: &Db,
    book: &Codebook,
    coders: (i64, i64),
    workspace: i64,
    codebook_id: i64,
    n: usize,
) -> usize {
    let mut conn = db.conn().unwrap();
    let conn: &mut AnyConnection = &mut conn;
    let stamp = chrono::Utc::now().naive_utc();
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut total = 0;
    for start in (0..n).step_by(10_000) {
        let mut coding_rows = Vec::new();
        let mut final_rows = Vec::new();
        for k in start..(start + 10_000).min(n) {
            let request_id = k as i64 + 1;
            let offers = rng.below(100) < 17;
            let mut by_question: HashMap<&str, Vec<Answer>> = HashMap::new();
            let second = rng.below(100) < 75;
            let mut sets = vec![(coders.0, answers(&mut rng, offers))];
            if second {
                let agrees = rng.below(100) < 98;
                sets.push((coders.1, answers(&mut rng, offers == agrees)));
            }
            for (coder, given) in sets {
                for (question, answer) in given {
                    let (codes, number) = match &answer {
                        Answer::Codes(c) => (Some(codes_to_column(c)), None),
                        Answer::Number(x) => (None, Some(*x)),
                        Answer::Text(_) => unreachable!("no text question is seeded"),
                    };
                    coding_rows.push(SeedCoding {
                        workspace_id: workspace,
                        campaign_id: 1,
                        request_id,
                        codebook_id,
                        question: question.to_string(),
                        coder_id: coder,
                        codes,
                        number,
                        evidence: "[]".into(),
                        memo: String::new(),
                        created_at: stamp,
                    });
                    by_question.entry(question).or_default().push(answer);
                }
            }
            let offers: Vec<&Answer> =
                by_question.get("offers_abt").map(|v| v.iter().collect()).unwrap_or_default();
            let offers_final = decide(&offers, None);
            for q in &book.questions {
                let given: Vec<&Answer> =
                    by_question.get(q.key.as_str()).map(|v| v.iter().collect()).unwrap_or_default();
                // The shipped codebook's conditions all name offers_abt, which always applies.
                let applies = match (&q.applies_when, &offers_final) {
                    (None, _) => true,
                    (Some(c), Final::Decided(Answer::Codes(codes), _)) => {
                        codes.iter().any(|x| c.codes.contains(x))
                    }
                    (Some(_), _) => false,
                };
                let row = |code: Option<String>, number: Option<f64>, undecided: bool| NewFinal {
                    campaign_id: 1,
                    request_id,
                    question: q.key.clone(),
                    code,
                    number,
                    undecided,
                    applies,
                    region: Some(REGIONS[k % REGIONS.len()].to_string()),
                };
                match decide(&given, None) {
                    Final::NotCoded => {}
                    Final::Undecided => final_rows.push(row(None, None, true)),
                    Final::Decided(Answer::Codes(c), _) => {
                        final_rows.extend(c.into_iter().map(|c| row(Some(c), None, false)))
                    }
                    Final::Decided(Answer::Number(x), _) => final_rows.push(row(None, Some(x), false)),
                    Final::Decided(Answer::Text(_), _) => final_rows.push(row(None, None, false)),
                }
            }
        }
        total += coding_rows.len();
        conn.transaction::<_, diesel::result::Error, _>(|conn| {
            for chunk in coding_rows.chunks(2000) {
                insert_batch!(conn, codings::table, chunk);
            }
            for chunk in final_rows.chunks(4000) {
                insert_batch!(conn, final_codes::table, chunk);
            }
            Ok(())
        })
        .unwrap();
    }
    total
}
