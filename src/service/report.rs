//! A campaign's report: how bodies responded, and for every question of its codebook each code's
//! count and percentage with its explicit denominator, by region and for London against the
//! rest of England. Counted in the database from the final answers (`final_codes`).

use std::collections::BTreeMap;

use chrono::Datelike;

use serde::Serialize;
use utoipa::ToSchema;

use super::access::Intent;
use super::csv_out::csv_text;
use super::{Actor, Service, ServiceError, ServiceResult};
use crate::domain::codebook::{Codebook, Question, QuestionKind};
use crate::domain::report::{AppliesTo, UNKNOWN_REGION, london_or_rest, percent, quantile, quantile_ranks};
use crate::store::AnyConnection;
use crate::store::report::{self as store, Only};

/// The report's JSON: a contract, documented in docs/coding.md.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CampaignReport {
    pub campaign: i64,
    /// The codebook version of the campaign's coding plan.
    pub codebook: ReportCodebook,
    pub responses: ResponseStats,
    pub questions: Vec<QuestionReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ReportCodebook {
    pub id: i64,
    pub key: String,
    pub version: i32,
}

/// How the bodies responded, judged by the statutory deadline of each request.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ResponseStats {
    pub bodies: i64,
    pub sent: i64,
    pub responded: i64,
    /// Sent and not responded.
    pub outstanding: i64,
    /// Responded by the due date.
    pub on_time: i64,
    /// Responded after it.
    pub late: i64,
    /// Responded of sent, in percent.
    #[schema(required = true)]
    pub response_rate: Option<f64>,
    /// Working days from the date of receipt to the response, as the request's regime counts
    /// them (R's default quantile rule).
    #[schema(required = true)]
    pub median_working_days: Option<f64>,
    #[schema(required = true)]
    pub lower_quartile_working_days: Option<f64>,
    #[schema(required = true)]
    pub upper_quartile_working_days: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct QuestionReport {
    pub key: String,
    pub label: String,
    #[serde(rename = "type")]
    pub kind: QuestionKind,
    /// What the percentages are out of.
    pub denominator: i64,
    /// `responded`, or `applicable`: the requests whose final answer meets the question's
    /// condition.
    pub applies_to: AppliesTo,
    /// Each code in the codebook's order, with its count among the final answers and its
    /// percentage of `denominator`. Empty for numbers and text.
    pub codes: Vec<CodeCount>,
    /// Region → code → count. Bodies with no region are under `Unknown`.
    pub by_region: BTreeMap<String, BTreeMap<String, i64>>,
    /// The same for `London` and `Rest of England`.
    pub by_london: BTreeMap<String, BTreeMap<String, i64>>,
    /// Requests with a final answer.
    pub answered: i64,
    /// Requests where coders disagree and no one has decided: counted apart, in no code.
    pub undecided: i64,
    /// For number questions: the final values' summary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub numbers: Option<NumberSummary>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CodeCount {
    pub key: String,
    pub label: String,
    pub count: i64,
    #[schema(required = true)]
    pub percent: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct NumberSummary {
    pub count: i64,
    #[schema(required = true)]
    pub min: Option<f64>,
    #[schema(required = true)]
    pub lower_quartile: Option<f64>,
    #[schema(required = true)]
    pub median: Option<f64>,
    #[schema(required = true)]
    pub upper_quartile: Option<f64>,
    #[schema(required = true)]
    pub max: Option<f64>,
}

const QUARTILES: [f64; 3] = [0.25, 0.5, 0.75];

impl Service {
    /// The report of a campaign with a coding plan, for anyone in its workspace.
    pub fn campaign_report(&self, actor: &Actor, campaign_id: i64) -> ServiceResult<CampaignReport> {
        let mut conn = self.db().conn()?;
        crate::store::read_transaction(&mut conn, |conn| Ok(self.report_in(conn, actor, campaign_id)?.0))
    }

    /// The report with its codebook, read in the caller's transaction.
    fn report_in(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        campaign_id: i64,
    ) -> ServiceResult<(CampaignReport, Codebook)> {
        let campaign = self.campaign_for(conn, actor, campaign_id, Intent::Read)?;
        let coding = self.coding_of(conn, campaign)?;
        let book = crate::store::codebooks::by_id(conn, coding.plan.codebook_id)?
            .ok_or_else(|| ServiceError::internal("A coding plan's codebook is gone"))?;
        let responses = self.response_stats(conn, campaign_id)?;
        let questions = coding
            .codebook
            .questions
            .iter()
            .map(|q| question_report(conn, campaign_id, &coding.codebook, q, responses.responded))
            .collect::<ServiceResult<_>>()?;
        let report = CampaignReport {
            campaign: campaign_id,
            codebook: ReportCodebook { id: book.id, key: book.key, version: book.version },
            responses,
            questions,
        };
        Ok((report, coding.codebook))
    }

    /// The report, and its charts as SVG files by name: `responses.svg` (responses per week)
    /// and, for each question with codes, `QUESTION.svg` (each code's count by region). One
    /// transaction, so the charts show the report's figures.
    pub fn report_with_charts(
        &self,
        actor: &Actor,
        campaign_id: i64,
    ) -> ServiceResult<(CampaignReport, Vec<(String, String)>)> {
        let (report, charts, _) = self.charts_where(actor, campaign_id, &|_| true)?;
        Ok((report, charts))
    }

    /// The report, the charts whose names `wanted` picks, drawn, and the names of all of them.
    #[allow(clippy::type_complexity)]
    fn charts_where(
        &self,
        actor: &Actor,
        campaign_id: i64,
        wanted: &dyn Fn(&str) -> bool,
    ) -> ServiceResult<(CampaignReport, Vec<(String, String)>, Vec<String>)> {
        let mut conn = self.db().conn()?;
        let (report, coding_book, days) = crate::store::read_transaction(&mut conn, |conn| {
            let (report, book) = self.report_in(conn, actor, campaign_id)?;
            Ok::<_, ServiceError>((report, book, store::responses_by_day(conn, campaign_id)?))
        })?;
        let mut weeks: BTreeMap<chrono::NaiveDate, i64> = BTreeMap::new();
        for (day, n) in days {
            let monday = day - chrono::Duration::days(i64::from(day.weekday().num_days_from_monday()));
            *weeks.entry(monday).or_default() += n;
        }
        let drawn =
            |e: crate::charts::ChartError| ServiceError::internal_from("A chart could not be drawn", e);
        let weeks: Vec<_> = weeks.into_iter().collect();
        let mut names = vec!["responses.svg".to_string()];
        let mut out = Vec::new();
        if wanted(&names[0]) {
            out.push((
                names[0].clone(),
                crate::charts::weekly_bars("Responses per week", &weeks).map_err(drawn)?,
            ));
        }
        for q in report.questions.iter().filter(|q| !q.codes.is_empty()) {
            let name = format!("{}.svg", q.key);
            names.push(name.clone());
            if !wanted(&name) {
                continue;
            }
            let regions: Vec<String> = q.by_region.keys().cloned().collect();
            let colours: Vec<Option<String>> = q
                .codes
                .iter()
                .map(|c| {
                    coding_book
                        .question(&q.key)
                        .and_then(|bq| bq.codes.iter().find(|k| k.key == c.key))
                        .and_then(|k| k.colour.clone())
                })
                .collect();
            let series: Vec<crate::charts::Series> = q
                .codes
                .iter()
                .zip(&colours)
                .map(|(c, colour)| crate::charts::Series {
                    label: &c.label,
                    colour: colour.as_deref(),
                    counts: regions
                        .iter()
                        .map(|r| q.by_region[r].get(&c.key).copied().unwrap_or(0))
                        .collect(),
                })
                .collect();
            let title = format!("{} (out of {} {})", q.label, q.denominator, denominator_words(q.applies_to));
            out.push((name, crate::charts::grouped_bars(&title, &regions, &series).map_err(drawn)?));
        }
        Ok((report, out, names))
    }

    /// One of [`Self::report_with_charts`]'s charts, by its file name (`responses.svg`, or
    /// `QUESTION.svg`); an unknown name is a 404 naming the charts there are.
    pub fn report_chart(&self, actor: &Actor, campaign_id: i64, name: &str) -> ServiceResult<String> {
        // Only the chart asked for is drawn; the others are only named.
        let (_, charts, names) = self.charts_where(actor, campaign_id, &|n| n == name)?;
        let listed = names.join(", ");
        charts.into_iter().next().map(|(_, svg)| svg).ok_or_else(|| {
            ServiceError::NotFound(format!(
                "Campaign {campaign_id} has no chart called {name}; its charts are {listed}."
            ))
        })
    }

    fn response_stats(&self, conn: &mut AnyConnection, campaign_id: i64) -> ServiceResult<ResponseStats> {
        let c = store::responses(conn, campaign_id)?;
        let mut days: Vec<(f64, i64)> = Vec::new();
        // Read once, on this connection: asking per date would check the holiday files (and take
        // a pooled connection) a hundred times, a round trip each on PostgreSQL.
        let regimes = self.regimes_on(conn)?;
        for (regime, received, responded, n) in store::response_dates(conn, campaign_id)? {
            let regime = regimes.get(&regime).map_err(|e| {
                ServiceError::Conflict(format!(
                    "Some of the campaign's requests are under the regime {regime}, which the settings no longer define ({e}); add it back to count their working days."
                ))
            })?;
            let counted = received.succ_opt().map_or(0, |first| regime.count_between(first, responded));
            days.push((f64::from(counted), n));
        }
        let [lower, median, upper] = QUARTILES.map(|q| quantile(&days, q));
        Ok(ResponseStats {
            bodies: c.bodies,
            sent: c.sent,
            responded: c.responded,
            outstanding: (c.sent - c.responded).max(0),
            on_time: c.on_time,
            late: c.late,
            response_rate: percent(c.responded, c.sent),
            median_working_days: median,
            lower_quartile_working_days: lower,
            upper_quartile_working_days: upper,
        })
    }
}

/// What a denominator counts, in words.
pub fn denominator_words(applies_to: AppliesTo) -> &'static str {
    match applies_to {
        AppliesTo::Responded => "bodies that responded",
        AppliesTo::Applicable => "bodies it applies to",
    }
}

fn question_report(
    conn: &mut AnyConnection,
    campaign_id: i64,
    book: &Codebook,
    q: &Question,
    responded: i64,
) -> ServiceResult<QuestionReport> {
    let (denominator, applies_to) = match &q.applies_when {
        Some(c) => {
            let only = Only { question: &c.question, codes: &c.codes };
            let one_row_each = book.question(&c.question).is_some_and(|on| on.kind != QuestionKind::Multiple);
            (store::applicable(conn, campaign_id, only, one_row_each)?, AppliesTo::Applicable)
        }
        None => (responded, AppliesTo::Responded),
    };
    let mut by_region: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    let mut by_london: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    let mut totals: BTreeMap<String, i64> = BTreeMap::new();
    for (code, region, n) in store::code_counts(conn, campaign_id, &q.key)? {
        let region = region.unwrap_or_else(|| UNKNOWN_REGION.to_string());
        *by_london
            .entry(london_or_rest(&region).to_string())
            .or_default()
            .entry(code.clone())
            .or_default() += n;
        *by_region.entry(region).or_default().entry(code.clone()).or_default() += n;
        *totals.entry(code).or_default() += n;
    }
    let codes = q
        .code_keys()
        .into_iter()
        .map(|key| {
            let label =
                q.codes.iter().find(|c| c.key == key).map_or_else(|| key.to_string(), |c| c.label.clone());
            let count = totals.get(key).copied().unwrap_or(0);
            CodeCount { key: key.to_string(), label, count, percent: percent(count, denominator) }
        })
        .collect();
    let one_row_each = q.kind != QuestionKind::Multiple;
    let numbers = match q.kind {
        QuestionKind::Number => Some(number_summary(conn, campaign_id, &q.key)?),
        _ => None,
    };
    Ok(QuestionReport {
        key: q.key.clone(),
        label: q.label.clone(),
        kind: q.kind,
        denominator,
        applies_to,
        codes,
        by_region,
        by_london,
        answered: store::answered(conn, campaign_id, &q.key, false, one_row_each)?,
        undecided: store::answered(conn, campaign_id, &q.key, true, one_row_each)?,
        numbers,
    })
}

fn number_summary(
    conn: &mut AnyConnection,
    campaign_id: i64,
    question: &str,
) -> ServiceResult<NumberSummary> {
    let ranks = |n: i64| {
        let mut r: Vec<i64> = QUARTILES
            .iter()
            .flat_map(|&q| {
                let (a, b, _) = quantile_ranks(n, q);
                [a, b]
            })
            .collect();
        r.dedup();
        if n == 0 { Vec::new() } else { r }
    };
    let store::Numbers { count, min, max, at_ranks } =
        store::number_summary(conn, campaign_id, question, ranks)?;
    let at: BTreeMap<i64, f64> = ranks(count).into_iter().zip(at_ranks).collect();
    let [lower_quartile, median, upper_quartile] = QUARTILES.map(|q| {
        let (a, b, frac) = quantile_ranks(count, q);
        Some(at.get(&a)? + (at.get(&b)? - at.get(&a)?) * frac)
    });
    Ok(NumberSummary { count, min, lower_quartile, median, upper_quartile, max })
}

/// One column of the cross-tabulation: a region, or London or the rest of England.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrossColumn {
    /// `region:NAME` or `london:London`, `london:Rest of England` (and `london:Unknown`).
    pub header: String,
    london: bool,
    key: String,
}

impl CrossColumn {
    /// A code's count in this column.
    pub fn count(&self, q: &QuestionReport, code: &str) -> i64 {
        let table = if self.london { &q.by_london } else { &q.by_region };
        table.get(&self.key).and_then(|m| m.get(code)).copied().unwrap_or(0)
    }
}

/// The cross-tabulation's columns, the same for every question: each region that any question
/// has, then London and the rest of England.
pub fn cross_columns(report: &CampaignReport) -> Vec<CrossColumn> {
    let keys = |london: bool| {
        let mut k: Vec<String> = report
            .questions
            .iter()
            .flat_map(|q| if london { q.by_london.keys() } else { q.by_region.keys() }.cloned())
            .collect();
        k.sort();
        k.dedup();
        k
    };
    let column = |london: bool, key: String| CrossColumn {
        header: format!("{}:{key}", if london { "london" } else { "region" }),
        london,
        key,
    };
    let mut out: Vec<CrossColumn> = keys(false).into_iter().map(|k| column(false, k)).collect();
    out.extend(keys(true).into_iter().map(|k| column(true, k)));
    out
}

/// The report's question table as CSV: a row per code (and one `(undecided)` row per question),
/// with the [`cross_columns`] when `by_region`.
pub fn report_csv(report: &CampaignReport, by_region: bool) -> ServiceResult<String> {
    let columns = if by_region { cross_columns(report) } else { Vec::new() };
    let fixed = ["question", "code", "label", "applies_to", "denominator", "count", "percent"];
    let header: Vec<String> =
        fixed.iter().map(|s| s.to_string()).chain(columns.iter().map(|c| c.header.clone())).collect();
    let mut rows = vec![header];
    for q in &report.questions {
        let applies = serde_json::to_value(q.applies_to).ok().and_then(|v| v.as_str().map(String::from));
        let codes = q.codes.iter().map(|c| (c.key.as_str(), c.label.as_str(), c.count, c.percent));
        let undecided = std::iter::once(("(undecided)", "Coders disagree, not decided", q.undecided, None));
        for (code, label, count, pct) in codes.chain(undecided) {
            let mut row = vec![
                q.key.clone(),
                code.to_string(),
                label.to_string(),
                applies.clone().unwrap_or_default(),
                q.denominator.to_string(),
                count.to_string(),
                pct.map(|p| p.to_string()).unwrap_or_default(),
            ];
            let undecided = code == "(undecided)";
            row.extend(
                columns.iter().map(|c| if undecided { String::new() } else { c.count(q, code).to_string() }),
            );
            rows.push(row);
        }
    }
    csv_text(rows)
}
