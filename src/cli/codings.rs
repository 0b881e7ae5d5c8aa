//! `foitrack codings`: a campaign's coding plan, coded spreadsheets in and out, and the
//! disagreements waiting for a decision.

use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;

use super::args::JsonFlag;
use super::coding::{open, read_at_most};
use super::output::{Table, json, safe};
use crate::service::codings::{
    AdjudicationInput, CodingImportReport, CodingPlanInput, CodingPlanView, MAX_CODING_FILE,
};
use crate::service::{Actor, Service};

#[derive(Debug, Subcommand)]
pub enum CodingsCommand {
    /// Set how a campaign is coded (researchers and owners): the codebook version (an id from
    /// `foitrack codebook list`), the coders, and the share of replies a second coder codes.
    /// Without --codebook, show the plan.
    Plan {
        #[arg(long, value_name = "ID")]
        campaign: i64,
        #[arg(long, value_name = "ID", requires = "coders")]
        codebook: Option<i64>,
        /// A coder's email; repeat for each coder. Their order is part of the assignment.
        #[arg(long = "coder", value_name = "EMAIL")]
        coders: Vec<String>,
        /// The share of replies coded twice, in percent: 100 for all, 0 for none.
        #[arg(long, value_name = "PERCENT", default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=100))]
        double_coded: u8,
        /// Makes the choice of double-coded replies reproducible; by default the plan's earlier
        /// seed, or a new one for a first plan.
        #[arg(long, value_name = "N")]
        seed: Option<u32>,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Import one coder's coded spreadsheet: a CSV whose first line names a reference or
    /// ods_code column and one column per question key, holding code keys (; between several);
    /// an empty cell is not coded. Rows with a problem are left out whole and listed with their
    /// line; the rest are stored.
    Import {
        #[arg(long, value_name = "ID")]
        campaign: i64,
        /// Whose codings these are (yourself, or for researchers and owners any coder).
        #[arg(long, value_name = "EMAIL")]
        coder: String,
        #[arg(value_name = "FILE.csv")]
        file: PathBuf,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Write a campaign's codings in the import's shape to standard output: one coder's, or
    /// without --coder the final ones (agreed, adjudicated, or a single coder's).
    Export {
        #[arg(long, value_name = "ID")]
        campaign: i64,
        #[arg(long, value_name = "EMAIL")]
        coder: Option<String>,
    },
    /// Write the campaign's data package into a folder, for R, Stata, SPSS and Excel:
    /// datapackage.json (a Frictionless Data Package), final_codes.csv (one row per body),
    /// codings.csv (one row per answer, with its coder), data_dictionary.csv and codebook.json.
    Package {
        #[arg(long, value_name = "ID")]
        campaign: i64,
        /// The folder to write into; made if it does not exist.
        #[arg(long, value_name = "DIR")]
        output: PathBuf,
    },
    /// The questions on which a campaign's coders disagree and no one has decided.
    Disagreements {
        #[arg(long, value_name = "ID")]
        campaign: i64,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Agreement between the campaign's coders on each question: percentage agreement, Cohen's
    /// kappa, Krippendorff's alpha with a 95% interval and Gwet's AC1.
    Agreement {
        #[arg(long, value_name = "ID")]
        campaign: i64,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// How good the codebook's rules are on the campaign's replies: each rule's precision and
    /// recall against the final codes.
    Rules {
        #[arg(long, value_name = "ID")]
        campaign: i64,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Decide the final codes of a question coders disagree on, with the reason.
    Adjudicate {
        /// The request, by reference (ABT-2021-0042) or id.
        #[arg(value_name = "REQUEST")]
        request: String,
        #[arg(long, value_name = "KEY")]
        question: String,
        /// The code keys, ; between several.
        #[arg(long, value_name = "CODES")]
        codes: String,
        #[arg(long, value_name = "TEXT")]
        rationale: String,
        #[command(flatten)]
        json: JsonFlag,
    },
}

pub fn run(service: &Service, actor: &Actor, cmd: CodingsCommand) -> anyhow::Result<()> {
    match cmd {
        CodingsCommand::Plan { campaign, codebook: None, json: j, .. } => {
            print_plan(&service.coding_plan(actor, campaign)?, j.json)
        }
        CodingsCommand::Plan { campaign, codebook: Some(codebook), coders, double_coded, seed, json: j } => {
            let input = CodingPlanInput { codebook, coders, double_coded_percent: double_coded, seed };
            print_plan(&service.set_coding_plan(actor, campaign, input)?, j.json)
        }
        CodingsCommand::Import { campaign, coder, file, json: j } => {
            let too_large =
                format!("is larger than {} MB: far more than a coded spreadsheet", MAX_CODING_FILE >> 20);
            let bytes = read_at_most(open(&file)?, &file, MAX_CODING_FILE, &too_large)?;
            let report = service.import_codings(actor, campaign, &coder, &bytes)?;
            if j.json {
                println!("{}", json(&report));
            } else {
                print_import(&file.display().to_string(), &report);
            }
            Ok(())
        }
        CodingsCommand::Export { campaign, coder } => {
            print!("{}", service.export_codings(actor, campaign, coder.as_deref())?);
            Ok(())
        }
        CodingsCommand::Package { campaign, output } => {
            let package = service.data_package(actor, campaign)?;
            std::fs::create_dir_all(&output)
                .with_context(|| format!("cannot make the folder {}", output.display()))?;
            for (name, content) in &package.files {
                let path = output.join(name);
                std::fs::write(&path, content).with_context(|| format!("cannot write {}", path.display()))?;
            }
            println!(
                "Wrote {} files into {}; load them with frictionless::read_package(\"{}\") in R.",
                package.files.len(),
                safe(&output.display().to_string()),
                safe(&output.join("datapackage.json").display().to_string())
            );
            Ok(())
        }
        CodingsCommand::Disagreements { campaign, json: j } => {
            let list = service.disagreements(actor, campaign)?;
            if j.json {
                println!("{}", json(&list));
                return Ok(());
            }
            if list.is_empty() {
                println!("No disagreement is waiting for a decision.");
                return Ok(());
            }
            let mut t = Table::new(&["REFERENCE", "QUESTION", "ANSWERS"]);
            for d in &list {
                let answers: Vec<String> = d
                    .answers
                    .iter()
                    .map(|a| {
                        let given = a
                            .answer
                            .codes
                            .as_ref()
                            .map(|c| c.join(";"))
                            .or(a.answer.number.map(|n| n.to_string()));
                        format!("{}: {}", a.coder, given.or(a.answer.text.clone()).unwrap_or_default())
                    })
                    .collect();
                t.row(vec![d.reference.clone(), d.question.clone(), answers.join(" | ")]);
            }
            print!("{}", t.render());
            Ok(())
        }
        CodingsCommand::Agreement { campaign, json: j } => {
            let found = service.campaign_agreement(actor, campaign)?;
            if j.json {
                println!("{}", json(&found));
                return Ok(());
            }
            let number = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |v| format!("{v:.3}"));
            let mut t = Table::new(&["QUESTION", "PAIRABLE", "AGREEMENT", "KAPPA", "ALPHA", "AC1"]);
            for q in &found.questions {
                let f = &q.report.figures;
                t.row(vec![
                    q.question.clone(),
                    f.pairable_units.to_string(),
                    f.percent_agreement.map_or_else(|| "-".to_string(), |p| format!("{p:.1}%")),
                    number(f.cohen_kappa),
                    number(f.krippendorff_alpha),
                    number(f.gwet_ac1),
                ]);
            }
            print!("{}", t.render());
            println!(
                "PAIRABLE: replies coded by two coders or more. - where the data cannot give a figure (--json says why)."
            );
            Ok(())
        }
        CodingsCommand::Rules { campaign, json: j } => {
            let found = service.rule_quality(actor, campaign)?;
            if j.json {
                println!("{}", json(&found));
                return Ok(());
            }
            let share = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |v| format!("{:.0}%", v * 100.0));
            let mut t = Table::new(&[
                "QUESTION",
                "RULE",
                "CODE",
                "HITS",
                "FALSE ALARMS",
                "MISSES",
                "PRECISION",
                "RECALL",
            ]);
            for r in &found.rules {
                t.row(vec![
                    r.question.clone(),
                    r.rule.to_string(),
                    r.code.clone(),
                    r.true_positives.to_string(),
                    r.false_positives.to_string(),
                    r.false_negatives.to_string(),
                    share(r.precision),
                    share(r.recall),
                ]);
            }
            print!("{}", t.render());
            println!("{} repl(ies) with final codes read.", found.replies);
            Ok(())
        }
        CodingsCommand::Adjudicate { request, question, codes, rationale, json: j } => {
            let id = service.find_request_id(actor, &request)?;
            let codes = codes.split(';').map(str::trim).filter(|c| !c.is_empty()).map(String::from).collect();
            let input = AdjudicationInput {
                question: question.clone(),
                codes: Some(codes),
                number: None,
                text: None,
                rationale,
            };
            let view = service.adjudicate(actor, id, input)?;
            if j.json {
                println!("{}", json(&view));
            } else {
                println!("Decided {} for {}.", safe(&question), safe(&view.reference));
            }
            Ok(())
        }
    }
}

fn print_plan(plan: &CodingPlanView, as_json: bool) -> anyhow::Result<()> {
    if as_json {
        println!("{}", json(plan));
        return Ok(());
    }
    println!(
        "Campaign {} is coded with {} version {} (id {}); {}% of replies by two coders (seed {}).",
        plan.campaign,
        safe(&plan.codebook.key),
        plan.codebook.version,
        plan.codebook.id,
        plan.double_coded_percent,
        plan.seed
    );
    println!("{} request(s), {} of them given to two coders.", plan.requests, plan.double_coded);
    let mut t = Table::new(&["CODER", "REQUESTS"]);
    for (coder, n) in &plan.per_coder {
        t.row(vec![coder.clone(), n.to_string()]);
    }
    print!("{}", t.render());
    if let Some(m) = &plan.moved_forward {
        println!(
            "Moved to this version: {} coder answer(s) and {} adjudicated answer(s).",
            m.codings, m.adjudications
        );
        for (question, n) in &m.left_behind {
            println!("Left behind, to be coded again: {n} answer(s) to {}.", safe(question));
        }
    }
    Ok(())
}

fn print_import(file: &str, r: &CodingImportReport) {
    println!(
        "{}: {} row(s) by {}; {} stored ({} answer(s) new, {} already there), {} left out.",
        safe(file),
        r.rows,
        safe(&r.coder),
        r.stored_rows,
        r.codings,
        r.unchanged,
        r.problems.iter().map(|p| p.line).collect::<std::collections::BTreeSet<_>>().len()
    );
    if !r.ignored_columns.is_empty() {
        println!("Columns that are not questions, ignored: {}", safe(&r.ignored_columns.join(", ")));
    }
    for p in &r.problems {
        let column = p.column.as_deref().map(|c| format!(", {c}")).unwrap_or_default();
        println!("  line {}{}: {}", p.line, safe(&column), safe(&p.message));
    }
}
