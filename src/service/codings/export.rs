//! A campaign's codings out, for R, Stata, SPSS and Excel: the wide CSV (one row per body, the
//! import's shape), the long CSV (one row per answer, with its coder), a data dictionary, the
//! codebook, and all of it as a Frictionless Data Package.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::answers::{decided_codes, final_answers};
use super::spreadsheet::coder_for;
use super::{Coding, emails, fitting, refuse_if_blind, stored_answer};
use crate::domain::codebook::{Answer, Applies, Question, QuestionKind};
use crate::domain::coding::Final;
use crate::domain::coding_csv;
use crate::domain::vocab::WorkspaceRole;
use crate::service::access::Intent;
use crate::service::convert::utc;
use crate::service::csv_out::csv_text;
use crate::service::{Actor, Service, ServiceError, ServiceResult};
use crate::store::AnyConnection;
use crate::store::codings::{self as store, AdjudicationRow, CodingRow};
use crate::store::models::RequestRow;

/// The files of a data package, by name, each UTF-8 text.
#[derive(Debug, Clone, PartialEq)]
pub struct DataPackage {
    pub files: Vec<(String, String)>,
}

impl DataPackage {
    /// The package as one zip file, as it is downloaded.
    pub fn zipped(&self) -> ServiceResult<Vec<u8>> {
        use std::io::Write;
        let fault = |e: &dyn std::fmt::Display| {
            ServiceError::internal(format!("The data package could not be zipped: {e}"))
        };
        let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, content) in &self.files {
            out.start_file(name.as_str(), zip::write::SimpleFileOptions::default()).map_err(|e| fault(&e))?;
            out.write_all(content.as_bytes()).map_err(|e| fault(&e))?;
        }
        Ok(out.finish().map_err(|e| fault(&e))?.into_inner())
    }
}

/// A campaign's requests (with their body's ODS code and name), answers and decisions.
struct Loaded {
    coding: Coding,
    requests: Vec<(RequestRow, Option<String>, String)>,
    codings: HashMap<i64, Vec<CodingRow>>,
    decisions: HashMap<i64, Vec<AdjudicationRow>>,
}

impl Service {
    /// The campaign's codings as the wide CSV: one coder's answers (`coder`), or the final ones.
    /// Researchers and owners export anyone's; a coder exports their own.
    pub fn export_codings(
        &self,
        actor: &Actor,
        campaign_id: i64,
        coder: Option<&str>,
    ) -> ServiceResult<String> {
        let mut conn = self.db().conn()?;
        crate::store::read_transaction(&mut conn, |conn| {
            let (loaded, coder) = self.load(conn, actor, campaign_id, coder)?;
            wide(&loaded, coder)
        })
    }

    /// The campaign's data package: `final_codes.csv` (wide), `codings.csv` (long),
    /// `data_dictionary.csv`, `codebook.json` and the `datapackage.json` describing them.
    pub fn data_package(&self, actor: &Actor, campaign_id: i64) -> ServiceResult<DataPackage> {
        let mut conn = self.db().conn()?;
        crate::store::read_transaction(&mut conn, |conn| {
            let (loaded, _) = self.load(conn, actor, campaign_id, None)?;
            let mut people: Vec<i64> = loaded.codings.values().flatten().map(|c| c.coder_id).collect();
            people.sort_unstable();
            let names = emails(conn, &people)?;
            let book = &loaded.coding.codebook;
            let codebook = serde_json::to_string_pretty(book)
                .map_err(|e| ServiceError::internal_from("The codebook could not be written as JSON", e))?;
            let descriptor = serde_json::to_string_pretty(&descriptor(&loaded))
                .map_err(|e| ServiceError::internal_from("datapackage.json could not be written", e))?;
            Ok(DataPackage {
                files: vec![
                    ("datapackage.json".into(), descriptor),
                    ("final_codes.csv".into(), wide(&loaded, None)?),
                    ("codings.csv".into(), long(&loaded, &names)?),
                    ("data_dictionary.csv".into(), dictionary(&book.questions)?),
                    ("codebook.json".into(), codebook),
                ],
            })
        })
    }

    /// Checks who may export what, and reads the campaign. Final answers (`coder` none) are for
    /// researchers and owners; someone who codes here beside others sees only their own.
    fn load(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        campaign_id: i64,
        coder: Option<&str>,
    ) -> ServiceResult<(Loaded, Option<i64>)> {
        let campaign = self.campaign_for(conn, actor, campaign_id, Intent::Read)?;
        let coder = match coder {
            Some(email) => Some(coder_for(conn, actor, campaign.workspace_id, email)?),
            None => {
                actor.require_in(
                    campaign.workspace_id,
                    WorkspaceRole::can_manage_campaigns,
                    "export final codes",
                )?;
                None
            }
        };
        let coding = self.coding_of(conn, campaign)?;
        if coder != Some(actor.user_id) {
            refuse_if_blind(conn, actor, &coding, "other coders' or the final answers")?;
        }
        let requests = store::campaign_requests(conn, campaign_id)?;
        let ids: Vec<i64> = requests.iter().map(|(r, _, _)| r.id).collect();
        let mut codings: HashMap<i64, Vec<CodingRow>> = HashMap::new();
        // Answers a move to this version left behind count nowhere, here as in the report.
        for c in
            store::of_requests(conn, &ids)?.into_iter().filter(|c| fitting(&coding.codebook, c).is_some())
        {
            codings.entry(c.request_id).or_default().push(c);
        }
        let mut decisions: HashMap<i64, Vec<AdjudicationRow>> = HashMap::new();
        for d in store::adjudications_of_campaign(conn, campaign_id)? {
            decisions.entry(d.request_id).or_default().push(d);
        }
        Ok((Loaded { coding, requests, codings, decisions }, coder))
    }
}

/// One row per body: `reference`, `ods_code`, `body`, then each question's answer.
fn wide(loaded: &Loaded, coder: Option<i64>) -> ServiceResult<String> {
    let book = &loaded.coding.codebook;
    let questions: Vec<&str> = book.questions.iter().map(|q| q.key.as_str()).collect();
    let header: Vec<String> = ["reference", "ods_code", "body"]
        .iter()
        .map(|s| s.to_string())
        .chain(questions.iter().map(|q| q.to_string()))
        .collect();
    let mut rows = vec![header];
    for (request, ods, name) in &loaded.requests {
        let of_request = loaded.codings.get(&request.id).map_or(&[][..], Vec::as_slice);
        let answers: HashMap<String, Answer> = match coder {
            Some(id) => of_request
                .iter()
                .filter(|c| c.coder_id == id)
                .map(|c| (c.question.clone(), stored_answer(&c.codes, c.number, &c.text)))
                .collect(),
            None => {
                let decided = loaded.decisions.get(&request.id).map_or(&[][..], Vec::as_slice);
                let finals = final_answers(book, of_request, decided);
                // As the report counts them: only where the question applies.
                let codes = decided_codes(&finals);
                finals
                    .into_iter()
                    .filter_map(|(q, f)| match f {
                        Final::Decided(a, _) if book.applies(&q, &codes) == Applies::Yes => Some((q, a)),
                        _ => None,
                    })
                    .collect()
            }
        };
        let mut row = vec![request.reference.clone(), ods.clone().unwrap_or_default(), name.clone()];
        // An answer given under an older version that no longer fits its question is left out,
        // so that every cell meets the data package's schema.
        row.extend(
            book.questions
                .iter()
                .map(|q| answers.get(&q.key).filter(|a| q.fits(a)).map(coding_csv::cell).unwrap_or_default()),
        );
        rows.push(row);
    }
    csv_text(rows)
}

const LONG_COLUMNS: [&str; 8] =
    ["reference", "ods_code", "question", "coder", "value", "codebook_version", "memo", "coded_at"];

/// One row per answer, with its coder: what agreement is computed from.
fn long(loaded: &Loaded, names: &HashMap<i64, String>) -> ServiceResult<String> {
    let mut rows = vec![LONG_COLUMNS.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    for (request, ods, _) in &loaded.requests {
        for c in loaded.codings.get(&request.id).map_or(&[][..], Vec::as_slice) {
            rows.push(vec![
                request.reference.clone(),
                ods.clone().unwrap_or_default(),
                c.question.clone(),
                names.get(&c.coder_id).cloned().unwrap_or_default(),
                coding_csv::cell(&stored_answer(&c.codes, c.number, &c.text)),
                c.codebook_id.to_string(),
                c.memo.clone(),
                utc(c.created_at).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            ]);
        }
    }
    csv_text(rows)
}

const DICTIONARY_COLUMNS: [&str; 6] = ["variable", "label", "type", "applies_when", "codes", "description"];

/// One row per question: what each column of `final_codes.csv` means.
fn dictionary(questions: &[Question]) -> ServiceResult<String> {
    let mut rows = vec![DICTIONARY_COLUMNS.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    for q in questions {
        let codes: Vec<String> = q
            .code_keys()
            .iter()
            .map(|k| {
                let label = q.codes.iter().find(|c| c.key == *k).map_or(*k, |c| c.label.as_str());
                format!("{k}={label}")
            })
            .collect();
        let when = q.applies_when.as_ref().map(|c| format!("{} is {}", c.question, c.codes.join(" or ")));
        rows.push(vec![
            q.key.clone(),
            q.label.clone(),
            kind_name(q.kind).to_string(),
            when.unwrap_or_default(),
            codes.join("; "),
            q.description.clone(),
        ]);
    }
    csv_text(rows)
}

fn kind_name(kind: QuestionKind) -> &'static str {
    match kind {
        QuestionKind::Single => "single",
        QuestionKind::Multiple => "multiple",
        QuestionKind::YesNoUnclear => "yes_no_unclear",
        QuestionKind::Number => "number",
        QuestionKind::Text => "text",
    }
}

/// The Frictionless `datapackage.json`: each CSV with its table schema, so that
/// `frictionless validate` checks the files and R's `frictionless::read_package` or Python's
/// `frictionless` loads them typed, in one call.
fn descriptor(loaded: &Loaded) -> Value {
    let book = &loaded.coding.codebook;
    let text = |name: &str, title: &str| json!({"name": name, "type": "string", "title": title});
    let mut wide_fields = vec![
        text("reference", "The request's reference"),
        text("ods_code", "The body's ODS code"),
        text("body", "The body"),
    ];
    wide_fields.extend(book.questions.iter().map(|q| {
        let mut field = json!({"name": q.key, "title": q.label, "description": q.description});
        match q.kind {
            QuestionKind::Number => field["type"] = json!("number"),
            QuestionKind::Single | QuestionKind::YesNoUnclear => {
                field["type"] = json!("string");
                field["constraints"] = json!({"enum": q.code_keys()});
            }
            QuestionKind::Multiple | QuestionKind::Text => field["type"] = json!("string"),
        }
        field
    }));
    let strings =
        |names: &[&str]| names.iter().map(|n| json!({"name": n, "type": "string"})).collect::<Vec<_>>();
    let mut long_fields = strings(&LONG_COLUMNS[..5]);
    long_fields.push(json!({"name": "codebook_version", "type": "integer", "description": "The id of the stored codebook version whose codes the answer is in: the one it was given with, or the one a move carried it to"}));
    long_fields.extend(strings(&["memo"]));
    long_fields.push(json!({"name": "coded_at", "type": "datetime"}));
    let resource = |name: &str, title: &str, fields: Vec<Value>, key: Option<&str>| {
        let mut schema = json!({"fields": fields, "missingValues": [""]});
        if let Some(key) = key {
            schema["primaryKey"] = json!([key]);
        }
        json!({"name": name, "path": format!("{name}.csv"), "title": title, "profile": "tabular-data-resource",
               "format": "csv", "mediatype": "text/csv", "encoding": "utf-8", "schema": schema})
    };
    json!({
        "profile": "tabular-data-package",
        "name": format!("foitrack-campaign-{}", loaded.coding.campaign.id),
        "title": loaded.coding.campaign.title,
        "description": format!("The codings of a foitrack campaign, with the codebook {} ({}).", book.key, book.title),
        "resources": [
            resource("final_codes", "Final codes: one row per body", wide_fields, Some("reference")),
            resource("codings", "Every coder's answers: one row per answer", long_fields, None),
            resource("data_dictionary", "What each variable means", strings(&DICTIONARY_COLUMNS), Some("variable")),
        ],
    })
}
