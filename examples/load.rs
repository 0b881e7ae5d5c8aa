//! Load program: seeds a database with synthetic bodies, campaigns and requests (with events,
//! their states derived by the real timeline rules), then times the list queries a researcher
//! runs most: the overdue list, a filtered page, and the web pages' dashboard.
//!
//! cargo run --release --example load -- --database sqlite:///tmp/load.db --requests 100000
//! cargo run --release --example load -- --database postgres://postgres@127.0.0.1/load --requests 1000000
//! cargo run --release --example load -- --database sqlite:///tmp/load.db --requests 1000000 --workspaces 50
//!
//! With `--workspaces N`, the campaigns are dealt round-robin into N workspaces, the timing user
//! is a member of all of them, and each list is timed twice: over all the user's workspaces
//! (the same rows as with one workspace, through the membership check) and within one.
//!
//! The database must be empty (a new SQLite file, or a new PostgreSQL database), or, with
//! `--reuse`, one this program seeded before, to time it again.

use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use foitrack::domain::event::{EventDetails, EventKind, TimelineEvent};
use foitrack::domain::regime::Regime;
use foitrack::domain::timeline;
use foitrack::domain::vocab::{Channel, Outcome, Role, WorkspaceRole};
use foitrack::service::Service;
use foitrack::service::requests::RequestQuery;
use foitrack::store::schema::{authorities, campaigns, events, requests};
use foitrack::store::{AnyConnection, Db};

#[macro_use]
mod support;
use support::{REGIONS, Rng};

const PER_CAMPAIGN: usize = 500;

#[derive(Insertable)]
#[diesel(table_name = requests)]
struct SeedRequest {
    id: i64,
    campaign_id: Option<i64>,
    authority_id: i64,
    reference: String,
    subject: String,
    body: String,
    regime: String,
    state: String,
    sent_at: Option<NaiveDateTime>,
    sent_on: Option<NaiveDate>,
    channel: Option<String>,
    sent_to: Option<String>,
    clock_started_on: Option<NaiveDate>,
    due_on: Option<NaiveDate>,
    very_overdue_on: Option<NaiveDate>,
    review_due_on: Option<NaiveDate>,
    body_reference: Option<String>,
    outcome: Option<String>,
    responded_on: Option<NaiveDate>,
    received_on: Option<NaiveDate>,
    original_due_on: Option<NaiveDate>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    workspace_id: i64,
}

#[derive(Insertable)]
#[diesel(table_name = events)]
struct SeedEvent {
    request_id: i64,
    kind: String,
    occurred_on: NaiveDate,
    details: String,
    note: Option<String>,
    recorded_by: i64,
    recorded_at: NaiveDateTime,
}

/// Seeds an empty database with synthetic requests, then times the most-used list queries.
#[derive(clap::Parser)]
#[command(
    name = "load",
    after_help = "The database must be empty: a new SQLite file, or a new PostgreSQL database."
)]
struct Args {
    /// The database to seed: sqlite:///tmp/load.db or postgres://user@host/db.
    #[arg(long, value_name = "URL")]
    database: String,
    /// How many requests to seed.
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    requests: usize,
    /// How many workspaces to spread the campaigns over (the first is `default`).
    #[arg(long, value_name = "N", default_value_t = 1)]
    workspaces: usize,
    /// Time a database this program seeded before, as it is, instead of seeding a new one
    /// (`--requests` and `--workspaces` must be what they were then).
    #[arg(long)]
    reuse: bool,
}

fn main() {
    let args = <Args as clap::Parser>::parse();
    let (url, n, spaces) = (args.database, args.requests, args.workspaces.max(1));
    let db = Db::open(&url, 4, Duration::from_secs(30)).expect("open database");
    let service = Service::new(db.clone(), Vec::new()).expect("the service starts");
    let space_ids = if args.reuse {
        let mut rows = foitrack::store::workspaces::all(&mut db.conn().unwrap()).expect("the workspaces");
        assert_eq!(rows.len(), spaces, "--workspaces must be what the database was seeded with");
        rows.sort_by_key(|w| w.id);
        rows.into_iter().map(|w| w.id).collect()
    } else {
        let admin = service
            .add_user(None, "load@example.org", "Load", Role::Admin, None)
            .expect("an empty database")
            .user
            .id;
        let started = Instant::now();
        let foia = service.regimes().expect("regimes").get("foia").expect("foia");
        let space_ids = seed_workspaces(&db, admin, spaces);
        seed(&db, &foia, admin, n, &space_ids);
        println!("seeded {n} requests in {:.1} s", started.elapsed().as_secs_f64());
        // VACUUM as well as ANALYZE: in a freshly loaded table no page is marked all-visible, so
        // no count can be answered from an index alone. A database autovacuum has visited is
        // the steady state worth measuring.
        if matches!(db.backend(), foitrack::store::Backend::Postgres) {
            diesel::sql_query("VACUUM ANALYZE").execute(&mut *db.conn().unwrap()).unwrap();
        }
        space_ids
    };
    let actor = service.local_actor(None).expect("the load user");

    let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let campaign = (n / PER_CAMPAIGN / 2).max(1) as i64;
    let queries = [
        (
            "overdue list, first page of 50",
            RequestQuery { overdue: Some(true), as_of: Some(today), ..Default::default() },
        ),
        (
            "overdue list, page 100",
            RequestQuery { overdue: Some(true), page: Some(100), as_of: Some(today), ..Default::default() },
        ),
        (
            "campaign + region + status page",
            RequestQuery {
                campaign: Some(campaign),
                region: Some("London".into()),
                status: Some("answered".into()),
                sort: Some("-sent_on".into()),
                as_of: Some(today),
                ..Default::default()
            },
        ),
        (
            "due in a 30-day window",
            RequestQuery {
                due_after: NaiveDate::from_ymd_opt(2024, 3, 1),
                due_before: NaiveDate::from_ymd_opt(2024, 3, 31),
                as_of: Some(today),
                ..Default::default()
            },
        ),
        (
            "reference search",
            RequestQuery { q: Some("0042".into()), as_of: Some(today), ..Default::default() },
        ),
    ];
    println!(
        "backend {:?}, {n} requests in {spaces} workspace(s); median of 7 runs after one warm-up:",
        db.backend()
    );
    let scopes: Vec<(String, Option<String>)> = if spaces == 1 {
        vec![(String::new(), None)]
    } else {
        vec![(format!(" [all {spaces}]"), None), (" [one]".to_string(), Some("default".to_string()))]
    };
    for (label, query) in &queries {
        for (scope_label, workspace) in &scopes {
            let query = RequestQuery { workspace: workspace.clone(), ..query.clone() };
            median(&format!("{label}{scope_label}"), || {
                service.search_requests(&actor, &query).expect("query").total
            });
        }
    }
    // The web pages' dashboard (`/`), whole, then its parts, as the page asks for them.
    median("dashboard: every list and count", || {
        service.dashboard(&actor).expect("dashboard").very_overdue.total
    });
    let real_today = foitrack::domain::london::today();
    for status in ["very_overdue", "overdue", "awaiting_response"] {
        let query = RequestQuery {
            status: Some(status.into()),
            per_page: Some(25),
            as_of: Some(real_today),
            ..RequestQuery::default()
        };
        median(&format!("  dashboard part: {status}, 25 shown"), || {
            service.search_requests(&actor, &query).expect("list").total
        });
    }
    median("  dashboard part: holding pen count", || {
        let one = foitrack::service::Paging::new(Some(1), Some(1)).expect("paging");
        service.holding_pen(&actor, None, one).expect("pen").total
    });
    median("  dashboard part: coding queues", || service.coding_queues(&actor).expect("queues").len() as i64);
    let (_, search) = &queries[queries.len() - 1];
    reference_search_without_its_index(&service, &actor, &db, search, &space_ids);
    let t = Instant::now();
    let progress = service.campaign(&actor, campaign, today).expect("campaign");
    println!(
        "  {:<34} {:>8.1} ms  ({} requests)",
        "campaign progress counts",
        t.elapsed().as_secs_f64() * 1000.0,
        progress.campaign.request_count
    );
}

/// Runs `f` once, then seven times timed, and prints the median with the total `f` gave.
fn median(label: &str, mut f: impl FnMut() -> i64) {
    f();
    let mut times = Vec::new();
    let mut total = 0;
    for _ in 0..7 {
        let t = Instant::now();
        total = f();
        times.push(t.elapsed());
    }
    times.sort();
    println!("  {label:<44} {:>8.1} ms  ({total} matching)", times[3].as_secs_f64() * 1000.0);
}

/// The reference search as it was before its trigram indexes, on the same data in the same run,
/// as the baseline: on PostgreSQL the service's own query with the indexes dropped for the
/// while; on SQLite, whose index is a table the query names, the two statements the list ran
/// before (a count and a page, each a `LIKE` over every row).
fn reference_search_without_its_index(
    service: &Service,
    actor: &foitrack::service::Actor,
    db: &Db,
    query: &RequestQuery,
    spaces: &[i64],
) {
    let label = "reference search, every row read (before)";
    let mut conn = db.conn().expect("a connection");
    match &mut *conn {
        AnyConnection::Postgres(c) => {
            diesel::sql_query("DROP INDEX requests_reference_trigrams, requests_body_reference_trigrams")
                .execute(c)
                .expect("the trigram indexes");
            median(label, || service.search_requests(actor, query).expect("query").total);
            for sql in [
                "CREATE INDEX requests_reference_trigrams ON requests USING gin (reference gin_trgm_ops)",
                "CREATE INDEX requests_body_reference_trigrams ON requests USING gin (lower(body_reference) gin_trgm_ops)",
            ] {
                diesel::sql_query(sql).execute(c).expect("the trigram indexes again");
            }
        }
        AnyConnection::Sqlite(c) => {
            #[derive(QueryableByName)]
            struct Count {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                n: i64,
            }
            let text = query.q.as_deref().expect("a search");
            let ids = spaces.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
            // What `filtered` wrote before the index: `+workspace_id` when searching several.
            let column = if spaces.len() > 1 { "+requests.workspace_id" } else { "requests.workspace_id" };
            let matching = format!(
                "FROM requests WHERE {column} IN ({ids}) AND (requests.reference LIKE '%{upper}%' ESCAPE '\\' \
                 OR lower(requests.body_reference) LIKE '%{lower}%' ESCAPE '\\')",
                upper = text.to_uppercase(),
                lower = text.to_lowercase()
            );
            let count = format!("SELECT count(*) AS n {matching}");
            let page = format!(
                "SELECT requests.id AS n {matching} ORDER BY requests.due_on IS NULL, requests.due_on, requests.id LIMIT 50"
            );
            median(label, || {
                let total = diesel::sql_query(&count).get_result::<Count>(c).expect("count").n;
                diesel::sql_query(&page).load::<Count>(c).expect("page");
                total
            });
        }
    }
}

/// The workspaces to spread campaigns over: `default` and `spaces - 1` more, all with the
/// load user as a member.
fn seed_workspaces(db: &Db, admin: i64, spaces: usize) -> Vec<i64> {
    let mut conn = db.conn().unwrap();
    let stamp = chrono::Utc::now().naive_utc();
    let mut ids = vec![1];
    for w in 2..=spaces {
        let row = foitrack::store::workspaces::insert(&mut conn, &format!("w{w}"), &format!("W {w}"), stamp)
            .expect("a workspace");
        foitrack::store::workspaces::add_member(&mut conn, row.id, admin, WorkspaceRole::Owner, stamp)
            .expect("a membership");
        ids.push(row.id);
    }
    ids
}

fn seed(db: &Db, foia: &Regime, admin: i64, n: usize, spaces: &[i64]) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut conn = db.conn().unwrap();
    let conn: &mut AnyConnection = &mut conn;
    let stamp = chrono::Utc::now().naive_utc();
    let bodies = (n / 100).clamp(PER_CAMPAIGN, 20_000);
    conn.transaction::<_, diesel::result::Error, _>(|conn| {
        for chunk in (0..bodies).collect::<Vec<_>>().chunks(1000) {
            let rows: Vec<_> = chunk
                .iter()
                .map(|i| {
                    let name = format!("Synthetic Body {i:05}");
                    (
                        authorities::id.eq(*i as i64 + 1),
                        authorities::name_key.eq(name.to_lowercase()),
                        authorities::name.eq(name),
                        authorities::region.eq(REGIONS[i % REGIONS.len()]),
                        authorities::email.eq(format!("foi{i}@body.example.org")),
                        authorities::tags.eq(""),
                        authorities::created_at.eq(stamp),
                        authorities::updated_at.eq(stamp),
                    )
                })
                .collect();
            insert_batch!(conn, authorities::table, &rows);
        }
        let campaigns_count = n.div_ceil(PER_CAMPAIGN);
        let rows: Vec<_> = (0..campaigns_count)
            .map(|c| {
                (
                    campaigns::id.eq(c as i64 + 1),
                    campaigns::title.eq(format!("Campaign {c}")),
                    campaigns::description.eq(""),
                    campaigns::reference_prefix.eq(format!("C{c:05}")),
                    campaigns::subject_template.eq("FOI [{{request.reference}}]"),
                    campaigns::body_template.eq("Dear {{authority.name}}"),
                    campaigns::regime.eq("foia"),
                    campaigns::created_by.eq(admin),
                    campaigns::created_at.eq(stamp),
                    campaigns::workspace_id.eq(spaces[c % spaces.len()]),
                )
            })
            .collect();
        for chunk in rows.chunks(1000) {
            insert_batch!(conn, campaigns::table, chunk);
        }
        Ok(())
    })
    .unwrap();

    let first_day = NaiveDate::from_ymd_opt(2019, 1, 7).unwrap();
    let span_days = (NaiveDate::from_ymd_opt(2026, 11, 20).unwrap() - first_day).num_days() as u64;
    let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let mut done = 0;
    while done < n {
        let batch = (n - done).min(10_000);
        let mut request_rows = Vec::with_capacity(batch);
        let mut event_rows = Vec::with_capacity(batch * 2);
        for k in done..done + batch {
            let campaign = k / PER_CAMPAIGN;
            let slot = k % PER_CAMPAIGN;
            let id = k as i64 + 1;
            let authority = ((campaign * 7 + slot) % bodies) as i64 + 1;
            let reference = format!("C{campaign:05}-{:04}", slot + 1);
            let sent_on = first_day + chrono::Duration::days(rng.below(span_days) as i64);
            let mut timeline = Vec::new();
            let roll = rng.below(100);
            if roll >= 8 {
                let details = EventDetails {
                    channel: Some(Channel::Email),
                    sent_at: Some(sent_on.and_hms_opt(10, 0, 0).unwrap().and_utc()),
                    ..Default::default()
                };
                timeline.push(TimelineEvent { id: 1, kind: EventKind::Sent, occurred_on: sent_on, details });
            }
            if (8..60).contains(&roll) {
                let on = (sent_on + chrono::Duration::days(5 + rng.below(40) as i64)).min(today);
                let outcome = [Outcome::Full, Outcome::Partial, Outcome::Refused, Outcome::NotHeld]
                    [rng.below(4) as usize];
                timeline.push(TimelineEvent {
                    id: 2,
                    kind: EventKind::ResponseReceived,
                    occurred_on: on,
                    details: EventDetails { outcome: Some(outcome), ..Default::default() },
                });
            } else if (60..65).contains(&roll) {
                let on = (sent_on + chrono::Duration::days(3)).min(today);
                timeline.push(TimelineEvent {
                    id: 2,
                    kind: EventKind::ClarificationRequested,
                    occurred_on: on,
                    details: EventDetails::default(),
                });
            }
            let derived = timeline::replay(&timeline, foia, today).expect("a consistent synthetic timeline");
            for e in &timeline {
                event_rows.push(SeedEvent {
                    request_id: id,
                    kind: e.kind.as_str().into(),
                    occurred_on: e.occurred_on,
                    details: serde_json::to_string(&e.details).unwrap(),
                    note: None,
                    recorded_by: admin,
                    recorded_at: stamp,
                });
            }
            let sending = derived.sending.clone().unwrap_or_default();
            request_rows.push(SeedRequest {
                id,
                campaign_id: Some(campaign as i64 + 1),
                authority_id: authority,
                reference,
                subject: "FOI request".into(),
                body: "Dear body, please send the information.".into(),
                regime: "foia".into(),
                state: derived.state.as_str().into(),
                sent_at: sending.sent_at.map(|t| t.naive_utc()),
                sent_on: derived.sent_on,
                channel: sending.channel.map(|c| c.as_str().into()),
                sent_to: None,
                clock_started_on: derived.clock_started_on,
                due_on: derived.due_on,
                very_overdue_on: derived.very_overdue_on,
                review_due_on: derived.review_due_on,
                body_reference: (rng.below(3) == 0).then(|| format!("FOI-{}", rng.below(100_000))),
                outcome: derived.outcome.map(|o| o.as_str().into()),
                responded_on: derived.responded_on,
                received_on: derived.received_on,
                original_due_on: derived.original_due_on,
                created_at: stamp,
                updated_at: stamp,
                workspace_id: spaces[campaign % spaces.len()],
            });
        }
        conn.transaction::<_, diesel::result::Error, _>(|conn| {
            for chunk in request_rows.chunks(1000) {
                insert_batch!(conn, requests::table, chunk);
            }
            for chunk in event_rows.chunks(2000) {
                insert_batch!(conn, events::table, chunk);
            }
            Ok(())
        })
        .unwrap();
        done += batch;
    }
    // Ids were given explicitly; move PostgreSQL's sequences past them.
    if let AnyConnection::Postgres(c) = conn {
        for table in ["authorities", "campaigns", "requests", "events"] {
            diesel::sql_query(format!(
                "SELECT setval('{table}_id_seq', (SELECT COALESCE(MAX(id), 1) FROM {table}))"
            ))
            .execute(c)
            .unwrap();
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    #[test]
    fn help_is_usage_not_a_panic() {
        super::Args::command().debug_assert();
        let help =
            super::Args::try_parse_from(["load", "--help"]).err().expect("--help stops with the usage");
        assert_eq!(help.kind(), clap::error::ErrorKind::DisplayHelp);
    }
}
