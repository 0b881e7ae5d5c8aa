//! `foitrack report --campaign ID [--json | --csv] [--by region]`: the study's table.

use anyhow::Context;
use clap::Args;

use super::output::{Table, json, safe};
use crate::service::report::{CampaignReport, CrossColumn, QuestionReport, cross_columns, report_csv};
use crate::service::{Actor, Service};

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[arg(long, value_name = "ID")]
    pub campaign: i64,
    /// Print the report's JSON (see docs/coding.md for its fields).
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print the question table as CSV, a row per code, for a spreadsheet or R.
    #[arg(long)]
    pub csv: bool,
    /// Also write the charts as SVG files into this folder: responses per week, and each
    /// question's codes by region.
    #[arg(long, value_name = "DIR")]
    pub charts: Option<std::path::PathBuf>,
    /// Cross-tabulate by region, and London against the rest of England.
    #[arg(long, value_name = "WHAT", value_parser = ["region"])]
    pub by: Option<String>,
}

pub fn run(service: &Service, actor: &Actor, args: ReportArgs) -> anyhow::Result<()> {
    let report = match &args.charts {
        Some(dir) => {
            let (report, charts) = service.report_with_charts(actor, args.campaign)?;
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot make the folder {}", dir.display()))?;
            for (name, svg) in &charts {
                let path = dir.join(name);
                std::fs::write(&path, svg).with_context(|| format!("cannot write {}", path.display()))?;
            }
            eprintln!("Wrote {} chart(s) into {}.", charts.len(), safe(&dir.display().to_string()));
            report
        }
        None => service.campaign_report(actor, args.campaign)?,
    };
    let by_region = args.by.is_some();
    if args.json {
        println!("{}", json(&report));
    } else if args.csv {
        print!("{}", report_csv(&report, by_region)?);
    } else {
        let columns = if by_region { cross_columns(&report) } else { Vec::new() };
        print_report(&report, &columns);
    }
    Ok(())
}

fn print_report(r: &CampaignReport, columns: &[CrossColumn]) {
    let s = &r.responses;
    let days = |d: Option<f64>| d.map_or_else(|| "-".to_string(), |d| format!("{d}"));
    println!(
        "Campaign {} ({} version {}): {} bodies, {} sent, {} responded ({}), {} outstanding.",
        r.campaign,
        safe(&r.codebook.key),
        r.codebook.version,
        s.bodies,
        s.sent,
        s.responded,
        s.response_rate.map_or_else(|| "-".to_string(), |p| format!("{p}%")),
        s.outstanding
    );
    println!(
        "On time {}, late {}; working days to respond: median {} (quartiles {} to {}).",
        s.on_time,
        s.late,
        days(s.median_working_days),
        days(s.lower_quartile_working_days),
        days(s.upper_quartile_working_days)
    );
    for q in &r.questions {
        print_question(q, columns);
    }
}

fn print_question(q: &QuestionReport, columns: &[CrossColumn]) {
    let out_of = crate::service::report::denominator_words(q.applies_to);
    println!(
        "\n{}: {}\n  out of {} {out_of}; {} undecided",
        safe(&q.key),
        safe(&q.label),
        q.denominator,
        q.undecided
    );
    if let Some(n) = &q.numbers {
        let v = |x: Option<f64>| x.map_or_else(|| "-".to_string(), |x| x.to_string());
        println!(
            "  {} value(s): min {}, lower quartile {}, median {}, upper quartile {}, max {}",
            n.count,
            v(n.min),
            v(n.lower_quartile),
            v(n.median),
            v(n.upper_quartile),
            v(n.max)
        );
        return;
    }
    if q.codes.is_empty() {
        println!("  {} answered", q.answered);
        return;
    }
    let mut header = vec!["  CODE".to_string(), "COUNT".to_string(), "PERCENT".to_string()];
    header.extend(columns.iter().map(|c| c.header.to_uppercase()));
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut t = Table::new(&header);
    for c in &q.codes {
        let mut row = vec![
            format!("  {}", c.key),
            c.count.to_string(),
            c.percent.map_or_else(|| "-".to_string(), |p| format!("{p}%")),
        ];
        row.extend(columns.iter().map(|col| col.count(q, &c.key).to_string()));
        t.row(row);
    }
    print!("{}", t.render());
}
