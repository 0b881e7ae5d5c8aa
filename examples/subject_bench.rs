//! How long the holding pen's similar-subject suggestion takes for one unmatched message: the
//! reply's subject against the subjects of the requests sent last (5,000 at most, as
//! `SUBJECTS_COMPARED` in `src/service/ingest/evidence.rs`), each different, as when every
//! subject carries its reference. The baseline, in the same run, is reading the subjects alone.
//!
//! cargo run --release --example subject_bench -- 5000

use std::time::Instant;

use foitrack::domain::inbound::subject::alike;

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(5_000);
    let sent: Vec<(i64, String)> = (1..=n as i64)
        .map(|i| (i, format!("Freedom of Information request [ABT-2021-{i:04}]: active bystander training")))
        .collect();
    let reply = "RE: [EXTERNAL] Freedom of Information request [ABT-2021-OO42]: active bystander training";
    let runs = 50;
    let (mut baseline, mut compared) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let t = Instant::now();
        let chars: usize = sent.iter().map(|(_, s)| s.to_lowercase().chars().count()).sum();
        baseline.push((t.elapsed(), chars));
        let t = Instant::now();
        let found = alike(reply, sent.iter().map(|(id, s)| (*id, s.as_str())));
        compared.push((t.elapsed(), found.len()));
        assert_eq!(found, vec![42]);
    }
    baseline.sort();
    compared.sort();
    let (b, c) = (baseline[runs / 2].0.as_secs_f64() * 1e3, compared[runs / 2].0.as_secs_f64() * 1e3);
    println!(
        "{n} subjects, median of {runs}: lower-casing them all {b:.2} ms; comparing {c:.2} ms ({:.1}x)",
        c / b
    );
}
