//! Files a signed-in researcher downloads: the report's table, the data package, the codebook
//! as QDC, and replies' attachments. Every one is sent as an attachment with `nosniff`, so that
//! a hostile file is saved, never opened by the browser as one of our pages.

use actix_session::Session;
use actix_web::http::header::{
    Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};
use actix_web::{HttpRequest, HttpResponse, web};

use super::{PageError, session};
use crate::service::Service;
use crate::service::report::report_csv;

pub async fn report_csv_file(
    req: HttpRequest,
    session: Session,
    svc: web::Data<Service>,
    id: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let actor = session::signed_in(&req, &session, &svc).await?;
    let id = id.into_inner();
    let csv = web::block(move || report_csv(&svc.campaign_report(&actor, id)?, true)).await??;
    Ok(file("text/csv; charset=utf-8", &format!("campaign-{id}-report.csv"), csv.into_bytes()))
}

pub async fn data_package(
    req: HttpRequest,
    session: Session,
    svc: web::Data<Service>,
    id: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let actor = session::signed_in(&req, &session, &svc).await?;
    let id = id.into_inner();
    let zipped = web::block(move || svc.data_package(&actor, id)?.zipped()).await??;
    Ok(file("application/zip", &format!("campaign-{id}-data.zip"), zipped))
}

pub async fn codebook_qdc(
    req: HttpRequest,
    session: Session,
    svc: web::Data<Service>,
    id: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let actor = session::signed_in(&req, &session, &svc).await?;
    let id = id.into_inner();
    let (name, xml) = web::block(move || svc.codebook_qdc(&actor, id)).await??;
    Ok(file("application/xml; charset=utf-8", &name, xml.into_bytes()))
}

pub async fn attachment(
    req: HttpRequest,
    session: Session,
    svc: web::Data<Service>,
    path: web::Path<(i64, i64, u32)>,
) -> Result<HttpResponse, PageError> {
    let actor = session::signed_in(&req, &session, &svc).await?;
    let (request, message, position) = path.into_inner();
    let found = web::block(move || svc.attachment_file(&actor, request, message, position)).await??;
    // The stored type was sniffed from the bytes; anything unreadable goes as plain bytes.
    let kind = found
        .content_type
        .parse::<actix_web::mime::Mime>()
        .map_or_else(|_| "application/octet-stream".to_string(), |m| m.essence_str().to_string());
    let name = found.filename.unwrap_or_else(|| format!("attachment-{position}"));
    Ok(file(&kind, &name, found.bytes))
}

/// A download, named for saving: an ASCII name for old browsers, and the name as sent in UTF-8.
fn file(content_type: &str, name: &str, bytes: Vec<u8>) -> HttpResponse {
    let utf8 = safe_name(name);
    let ascii: String = utf8.chars().map(|c| if c.is_ascii() { c } else { '_' }).collect();
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(ascii),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: utf8.into_bytes(),
            }),
        ],
    };
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(disposition)
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(bytes)
}

/// A file name from a stranger's mail made safe to save: no folders, no control or
/// direction-changing characters (which can show `invoice\u{202e}fdp.exe` as "invoiceexe.pdf"),
/// no quotes, no leading dots, and not too long, keeping its extension.
fn safe_name(name: &str) -> String {
    const LONGEST: usize = 150;
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !is_invisible(*c))
        .map(|c| if c.is_control() || matches!(c, '"' | ':' | '*' | '?' | '<' | '>' | '|') { '_' } else { c })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.');
    let (stem, extension) = match cleaned.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && ext.chars().count() <= 10 => (stem, format!(".{ext}")),
        _ => (cleaned, String::new()),
    };
    let room = LONGEST.saturating_sub(extension.chars().count());
    let short: String = stem.chars().take(room).collect();
    if short.trim().is_empty() { "attachment".into() } else { format!("{}{extension}", short.trim()) }
}

/// Characters that change how a name reads without showing: bidirectional controls, zero-width
/// marks and the byte order mark.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{061c}' | '\u{feff}')
}

#[cfg(test)]
mod tests {
    use super::safe_name;

    #[test]
    fn hostile_file_names_are_saved_as_plain_names() {
        assert_eq!(safe_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_name("C:\\Users\\x\\reply.pdf"), "reply.pdf");
        assert_eq!(safe_name("a\r\nSet-Cookie: x=\"1\".pdf"), "a__Set-Cookie_ x=_1_.pdf");
        assert_eq!(safe_name(".htaccess"), "htaccess");
        assert_eq!(safe_name("   "), "attachment");
        assert_eq!(safe_name("Réponse FOI.pdf"), "Réponse FOI.pdf");
        assert_eq!(safe_name(&"x".repeat(400)).len(), 150);
        assert_eq!(safe_name("invoice\u{202e}fdp.exe"), "invoicefdp.exe");
        let long = format!("{}.pdf", "y".repeat(300));
        assert!(safe_name(&long).ends_with("y.pdf") && safe_name(&long).chars().count() == 150);
    }
}
