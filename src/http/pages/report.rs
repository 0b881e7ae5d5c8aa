//! `/campaigns/{id}/report`: the study's table. How bodies responded, each question's codes
//! with counts, percentages and their denominator, by region, the charts (each with its table
//! beside it for those who cannot see it), agreement between coders, and the downloads.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::{PageError, html, session};
use crate::domain::london;
use crate::http::pages::session::Me;
use crate::service::codings::CampaignAgreement;
use crate::service::report::{CampaignReport, QuestionReport, denominator_words};
use crate::service::{Service, ServiceError};

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    signed_in_as: Option<Me>,
    campaign: i64,
    title: String,
    codebook: i64,
    codebook_name: String,
    responses: Vec<(&'static str, String)>,
    responses_chart: Option<String>,
    questions: Vec<QuestionTable>,
    agreement: Result<Vec<AgreementRow>, String>,
}

struct QuestionTable {
    key: String,
    label: String,
    out_of: String,
    regions: Vec<String>,
    /// Label, count, percent, then the count in each region.
    rows: Vec<(String, i64, String, Vec<i64>)>,
    notes: String,
    chart: Option<String>,
}

struct AgreementRow {
    question: String,
    pairable: usize,
    percent: String,
    kappa: String,
    alpha: String,
    ac1: String,
}

pub async fn show(
    req: HttpRequest,
    session: Session,
    svc: web::Data<Service>,
    id: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let actor = session::signed_in(&req, &session, &svc).await?;
    let (id, me) = (id.into_inner(), Me::of(&session, &actor));
    let (title, (report, mut charts), agreement) = web::block(move || {
        let title = svc.campaign(&actor, id, london::today())?.campaign.title;
        let report = svc.report_with_charts(&actor, id)?;
        // Agreement is part of the page but not a condition of it: a blind coder is refused it.
        let agreement = match svc.campaign_agreement(&actor, id) {
            Ok(a) => Ok(a),
            Err(ServiceError::Forbidden(why)) => Err(why),
            Err(e) => return Err(e),
        };
        Ok::<_, ServiceError>((title, report, agreement))
    })
    .await??;
    let mut chart = |name: String| charts.iter().position(|c| c.0 == name).map(|i| charts.swap_remove(i).1);
    let responses_chart = chart("responses.svg".into());
    let questions =
        report.questions.iter().map(|q| table(q, chart(format!("{}.svg", q.key)))).collect::<Vec<_>>();
    let agreement = agreement.map(|a| agreement_rows(&report, a));
    let r = &report.responses;
    html(ReportPage {
        signed_in_as: Some(me),
        campaign: id,
        title,
        codebook: report.codebook.id,
        codebook_name: format!("{} v{}", report.codebook.key, report.codebook.version),
        responses: vec![
            ("Bodies", r.bodies.to_string()),
            ("Requests sent", r.sent.to_string()),
            ("Responded", r.responded.to_string()),
            ("Response rate", percent(r.response_rate)),
            ("On time", r.on_time.to_string()),
            ("Late", r.late.to_string()),
            ("Outstanding", r.outstanding.to_string()),
            ("Median working days to respond", figure(r.median_working_days)),
        ],
        responses_chart,
        questions,
        agreement,
    })
}

fn table(q: &QuestionReport, chart: Option<String>) -> QuestionTable {
    let regions: Vec<String> = q.by_region.keys().cloned().collect();
    let rows = q
        .codes
        .iter()
        .map(|c| {
            let by_region =
                regions.iter().map(|r| q.by_region[r].get(&c.key).copied().unwrap_or(0)).collect();
            (c.label.clone(), c.count, percent(c.percent), by_region)
        })
        .collect();
    let mut notes = format!("{} answered", q.answered);
    if q.undecided > 0 {
        notes.push_str(&format!("; {} undecided, counted in no code", q.undecided));
    }
    if let Some(n) = &q.numbers {
        notes.push_str(&format!(
            "; median {}, from {} to {}",
            figure(n.median),
            figure(n.min),
            figure(n.max)
        ));
    }
    QuestionTable {
        key: q.key.clone(),
        label: q.label.clone(),
        out_of: format!("out of {} {}", q.denominator, denominator_words(q.applies_to)),
        regions,
        rows,
        notes,
        chart,
    }
}

fn agreement_rows(report: &CampaignReport, a: CampaignAgreement) -> Vec<AgreementRow> {
    a.questions
        .into_iter()
        .map(|q| {
            let label = report.questions.iter().find(|r| r.key == q.question).map(|r| r.label.clone());
            let f = &q.report.figures;
            AgreementRow {
                question: label.unwrap_or(q.question),
                pairable: f.pairable_units,
                percent: percent(f.percent_agreement),
                kappa: figure(f.cohen_kappa),
                alpha: figure(f.krippendorff_alpha),
                ac1: figure(f.gwet_ac1),
            }
        })
        .collect()
}

fn percent(p: Option<f64>) -> String {
    p.map_or_else(|| "–".into(), |p| format!("{p:.1}%"))
}

/// A statistic to three places, or a dash where there is none.
fn figure(x: Option<f64>) -> String {
    x.map_or_else(|| "–".into(), |x| format!("{}", (x * 1000.0).round() / 1000.0))
}
