//! `/bodies/import`: a file of public bodies (a CSV, or NHS Digital's etr.csv) into the shared
//! register, checked first if wished. The file is spooled to disk as it arrives and admitted
//! through the same gate as the API's imports.

use actix_multipart::Multipart;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use askama::Template;
use futures_util::StreamExt;

use super::{PageError, html, session};
use crate::http::pages::session::Me;
use crate::http::upload::{ImportGate, UploadLimit, spool_upload};
use crate::service::authority_import::{ImportQuery, Quiet};
use crate::service::views::ImportSummary;
use crate::service::{Service, ServiceError};

#[derive(Template, Default)]
#[template(path = "import_bodies.html")]
struct ImportPage {
    signed_in_as: Option<Me>,
    problem: Option<String>,
    summary: Option<ImportSummary>,
}

pub async fn form(
    req: HttpRequest,
    session: Session,
    svc: web::Data<Service>,
) -> Result<HttpResponse, PageError> {
    let actor = session::signed_in(&req, &session, &svc).await?;
    html(ImportPage { signed_in_as: Some(Me::of(&session, &actor)), ..ImportPage::default() })
}

pub async fn import(
    req: HttpRequest,
    session: Session,
    svc: web::Data<Service>,
    limit: web::Data<UploadLimit>,
    gate: web::Data<ImportGate>,
    mut form: Multipart,
) -> Result<HttpResponse, PageError> {
    let actor = session::signed_in(&req, &session, &svc).await?;
    Service::may_import_authorities(&actor)?;
    let me = Me::of(&session, &actor);
    let refused = |status: StatusCode, e: &dyn std::fmt::Display| PageError::refused(status, e.to_string());
    let mut query = ImportQuery::default();
    let mut file = None;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|e| refused(StatusCode::BAD_REQUEST, &e))?;
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" && file.is_some() {
            return Err(PageError::refused(StatusCode::BAD_REQUEST, "Send one file at a time."));
        }
        if name == "file" {
            // Only one import at a time per slot, taken before the file is read.
            let slot = gate.enter().await.map_err(|e| refused(StatusCode::TOO_MANY_REQUESTS, &e.detail()))?;
            let spooled = spool_upload(&mut field, limit.0)
                .await
                .map_err(|e| PageError::refused(e.status_code(), e.detail()))?;
            file = Some((spooled, slot));
            continue;
        }
        let mut value = Vec::new();
        while let Some(chunk) = field.next().await {
            value.extend_from_slice(&chunk.map_err(|e| refused(StatusCode::BAD_REQUEST, &e))?);
            if value.len() > 100 {
                return Err(PageError::refused(
                    StatusCode::BAD_REQUEST,
                    format!("The field {name} is too long."),
                ));
            }
        }
        let value = String::from_utf8_lossy(&value).trim().to_string();
        match name.as_str() {
            "format" if !value.is_empty() => query.format = Some(value),
            "as_of" if !value.is_empty() => {
                let day = chrono::NaiveDate::parse_from_str(&value, "%Y-%m-%d").map_err(|_| {
                    PageError::refused(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        format!("\"{value}\" is not a date: write it as 2021-12-01"),
                    )
                })?;
                query.as_of = Some(day);
            }
            "region_required" => query.region_required = Some(true),
            "dry_run" => query.dry_run = Some(true),
            _ => {}
        }
    }
    let Some((mut file, slot)) = file else {
        let page = ImportPage {
            signed_in_as: Some(me),
            problem: Some("Choose a file to import.".into()),
            summary: None,
        };
        return unprocessable(page);
    };
    let outcome = web::block(move || {
        let _slot = slot;
        let options = query.options()?;
        svc.import_authorities(Some(&actor), &mut file, options, query.dry_run.unwrap_or(false), &mut Quiet)
    })
    .await?;
    match outcome {
        Ok(summary) => html(ImportPage { signed_in_as: Some(me), problem: None, summary: Some(summary) }),
        Err(ServiceError::Invalid { detail, .. }) => {
            unprocessable(ImportPage { signed_in_as: Some(me), problem: Some(detail), summary: None })
        }
        Err(e) => Err(e.into()),
    }
}

fn unprocessable(page: ImportPage) -> Result<HttpResponse, PageError> {
    let mut response = html(page)?;
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(response)
}
