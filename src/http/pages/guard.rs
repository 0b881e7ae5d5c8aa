//! Cross-site request forgery: a request that changes something must come from one of our own
//! pages. Browsers say where a request comes from in `Sec-Fetch-Site` (and, older ones, in
//! `Origin`); one from another site, or that says nothing, is refused before any handler runs.
//! The sign-in form also carries a token of its own session (see `sign_in.rs`).

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{Error, ResponseError};

use super::PageError;

pub async fn same_origin(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let reads = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    // A path that is no page goes on to the 404 every unknown path gets.
    let page = req.request().resource_map().has_resource(req.path());
    if reads || !page || from_here(&req) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let refused = PageError::refused(
        StatusCode::FORBIDDEN,
        "This form was not sent from foitrack's own pages, so it was refused. Open the page again and send it from there.",
    );
    Ok(req.into_response(refused.error_response()))
}

/// Whether the browser says the request comes from this site.
fn from_here(req: &ServiceRequest) -> bool {
    let text = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text(header::HeaderName::from_static("sec-fetch-site")) {
        // `none`: typed into the address bar or opened from a bookmark, by the user.
        return matches!(site, "same-origin" | "none");
    }
    match (text(header::ORIGIN), text(header::HOST)) {
        (Some(origin), Some(host)) => origin.split_once("://").is_some_and(|(_, rest)| rest == host),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn judged(headers: &[(&str, &str)]) -> bool {
        let mut req = TestRequest::post().uri("/sign-out").insert_header((header::HOST, "foi.example.org"));
        for h in headers {
            req = req.insert_header(*h);
        }
        from_here(&req.to_srv_request())
    }

    #[test]
    fn only_our_own_pages_may_send_forms() {
        assert!(judged(&[("sec-fetch-site", "same-origin")]));
        assert!(judged(&[("sec-fetch-site", "none")]));
        assert!(!judged(&[("sec-fetch-site", "cross-site")]));
        assert!(!judged(&[("sec-fetch-site", "same-site")]));
        assert!(judged(&[("origin", "https://foi.example.org")]));
        assert!(!judged(&[("origin", "https://evil.example")]));
        assert!(!judged(&[("origin", "null")]));
        assert!(!judged(&[]), "a browser that says nothing is not trusted");
        assert!(!judged(&[("sec-fetch-site", "cross-site"), ("origin", "https://foi.example.org")]));
    }
}
