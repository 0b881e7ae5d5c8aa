//! Benchmark: due dates for 1,000,000 requests received on days spread over 2008–2030, on one
//! thread, with the indexed calendar and, for comparison, by counting day by day.
//!
//! cargo run --release --example deadline_bench
//! taskset -c 0 cargo run --release --example deadline_bench   # pinned to one core

use std::hint::black_box;
use std::time::Instant;

use chrono::{Duration, NaiveDate};
use foitrack::domain::holidays::HolidayData;
use foitrack::domain::regime::Regimes;

const REQUESTS: usize = 1_000_000;

/// Times due dates for 1,000,000 requests: the indexed calendar against counting day by day.
#[derive(clap::Parser)]
#[command(name = "deadline_bench", after_help = "Pin it to one core for steady numbers: taskset -c 0 …")]
struct Args {}

fn main() {
    <Args as clap::Parser>::parse();
    let started = Instant::now();
    let regimes = Regimes::new(&HolidayData::bundled(), &[]).expect("built-in regimes");
    println!("built the regimes and their calendars in {:.1} ms", started.elapsed().as_secs_f64() * 1000.0);
    let foia = regimes.get("foia").expect("foia");

    let first = NaiveDate::from_ymd_opt(2008, 1, 1).unwrap();
    let span = (NaiveDate::from_ymd_opt(2030, 12, 31).unwrap() - first).num_days() as u64;
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let received: Vec<NaiveDate> = (0..REQUESTS)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            first + Duration::days((state % (span + 1)) as i64)
        })
        .collect();

    let mut runs = Vec::new();
    let mut checksum = 0i64;
    for _ in 0..5 {
        let t = Instant::now();
        for day in &received {
            let due = foia.add(black_box(*day), black_box(20));
            checksum += (due - first).num_days();
        }
        runs.push(t.elapsed());
    }
    runs.sort();
    println!(
        "indexed: {REQUESTS} due dates in {:.1} ms (median of 5; fastest {:.1} ms) [checksum {checksum}]",
        runs[2].as_secs_f64() * 1000.0,
        runs[0].as_secs_f64() * 1000.0
    );

    let t = Instant::now();
    let mut naive_checksum = 0i64;
    for day in &received {
        let mut d = *day;
        let mut counted = 0;
        while counted < 20 {
            d = d.succ_opt().unwrap();
            if foia.calendar.is_working_day(d) {
                counted += 1;
            }
        }
        naive_checksum += (d - first).num_days();
    }
    println!("counting day by day: {REQUESTS} due dates in {:.1} ms", t.elapsed().as_secs_f64() * 1000.0);
    assert_eq!(naive_checksum * 5, checksum, "both methods agree");
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    #[test]
    fn help_is_usage_not_a_panic() {
        super::Args::command().debug_assert();
        let help = super::Args::try_parse_from(["deadline_bench", "--help"])
            .err()
            .expect("--help stops with the usage");
        assert_eq!(help.kind(), clap::error::ErrorKind::DisplayHelp);
    }
}
