//! The error policy of the HTTP API, in one place.
//!
//! Every failure leaves as an RFC 9457 `application/problem+json` document with a stable
//! machine-readable `type`, a short `title`, the HTTP `status`, a `detail` sentence written for a
//! researcher, and, for validation failures, one entry per field in `errors`. Service errors map
//! here one to one; so do the framework's own rejections (malformed JSON, bad query strings,
//! oversize bodies), so that no input can reach a bare 500. Internal faults are logged in full
//! and reported without their details.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::service::{FieldError, ServiceError};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// Stable identifier of the kind of problem, such as `urn:foitrack:problem:validation`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    slug: &'static str,
    title: &'static str,
    detail: String,
    errors: Vec<FieldError>,
    /// Seconds a client should wait before trying again, sent as `Retry-After`.
    retry_after: Option<u32>,
    /// For `405`: the methods the path answers, for the `Allow` header.
    allow: Option<&'static str>,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        slug: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            status,
            slug,
            title,
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: None,
            allow: None,
        }
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad-request", "Bad request", detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", "Not found", detail)
    }

    /// A method the path does not answer; `allow` lists those it does (`GET, POST`).
    pub fn method_not_allowed(allow: &'static str) -> Self {
        let detail = format!("This address answers {allow} only.");
        Self {
            allow: Some(allow),
            ..Self::new(StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed", "Method not allowed", detail)
        }
    }

    pub fn validation(detail: impl Into<String>, errors: Vec<FieldError>) -> Self {
        Self { errors, ..Self::new(StatusCode::UNPROCESSABLE_ENTITY, "validation", "Invalid input", detail) }
    }

    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "Service unavailable", detail)
    }

    pub fn too_many_requests(detail: impl Into<String>, retry_after: u32) -> Self {
        Self {
            retry_after: Some(retry_after),
            ..Self::new(StatusCode::TOO_MANY_REQUESTS, "too-many-requests", "Too many requests", detail)
        }
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            "Something went wrong on our side; it has been logged. Please try again or report it.",
        )
    }

    pub fn problem(&self) -> Problem {
        Problem {
            kind: format!("urn:foitrack:problem:{}", self.slug),
            title: self.title.to_string(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            errors: self.errors.clone(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.slug, self.detail)
    }
}

impl ApiError {
    /// What the problem says, for a page that shows it in its own words.
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        response.insert_header((header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json")));
        if self.status == StatusCode::UNAUTHORIZED {
            response.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
        }
        if let Some(seconds) = self.retry_after {
            response.insert_header((header::RETRY_AFTER, seconds));
        }
        if let Some(allow) = self.allow {
            response.insert_header((header::ALLOW, HeaderValue::from_static(allow)));
        }
        response.json(self.problem())
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        use StatusCode as S;
        match &e {
            ServiceError::Unavailable { .. } => tracing::error!(error = %chain(&e), "unavailable"),
            ServiceError::Internal { .. } => tracing::error!(error = %chain(&e), "internal error"),
            _ => {}
        }
        match e {
            ServiceError::NotFound(d) => Self::not_found(d),
            ServiceError::Invalid { detail, fields } => Self::validation(detail, fields),
            ServiceError::Conflict(d) => Self::new(S::CONFLICT, "conflict", "Conflict", d),
            ServiceError::Unauthorized(d) => Self::new(S::UNAUTHORIZED, "unauthorized", "Not signed in", d),
            ServiceError::Forbidden(d) => Self::new(S::FORBIDDEN, "forbidden", "Not allowed", d),
            ServiceError::Unavailable { detail, .. } => Self::unavailable(detail),
            ServiceError::Internal { .. } => Self::internal(),
        }
    }
}

/// An error and every cause beneath it, `outer: inner: innermost`, for the log.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut next = e.source();
    while let Some(cause) = next {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        next = cause.source();
    }
    text
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        tracing::error!(error = %e, "blocking task failed");
        Self::internal()
    }
}

/// Malformed or mistyped JSON bodies.
pub fn json_error(err: actix_web::error::JsonPayloadError) -> ApiError {
    use actix_web::error::JsonPayloadError as J;
    match err {
        J::OverflowKnownLength { length, limit } => {
            too_large(format!("The body is {length} bytes; the limit is {limit}."))
        }
        J::Overflow { limit } => too_large(format!("The body is larger than the limit of {limit} bytes.")),
        J::ContentType => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported media type",
            "Send JSON with the header Content-Type: application/json.",
        ),
        J::Deserialize(e) if e.is_data() => unfit_json(&e),
        J::Deserialize(e) => ApiError::bad_request(format!("The body is not valid JSON: {e}.")),
        other => ApiError::bad_request(format!("The body could not be read: {other}.")),
    }
}

/// Well-formed JSON of the wrong shape: a missing or unknown field, a word where a number belongs.
pub fn unfit_json(e: &serde_json::Error) -> ApiError {
    ApiError::validation(format!("The JSON does not fit: {e}."), Vec::new())
}

pub fn too_large(detail: String) -> ApiError {
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large", "Payload too large", detail)
}

/// Bad query strings: unknown filters, wrong dates, words where numbers belong.
pub fn query_error(err: actix_web::error::QueryPayloadError) -> ApiError {
    ApiError::validation(format!("The query string does not fit: {err}."), Vec::new())
}

/// Path segments that are not ids (`/requests/abc`): a 404 that names what has no such id,
/// in the words of the API, not the parser's ("can not parse … to a i64").
pub fn path_error(err: actix_web::error::PathError, req: &actix_web::HttpRequest) -> ApiError {
    tracing::debug!(error = %err, path = req.path(), "a path id is not a number");
    let pattern = req.match_pattern().unwrap_or_default();
    let collection = pattern.trim_start_matches("/api/v1/").split('/').next().unwrap_or("");
    let noun = match collection {
        "requests" => "request",
        "campaigns" => "campaign",
        "authorities" => "public body",
        "outbox" => "message",
        "tokens" => "token",
        "users" => "user",
        _ => "record",
    };
    match req.match_info().get("id") {
        Some(raw) => {
            let shown: String = raw.chars().take(40).collect();
            let more = if raw.chars().count() > 40 { "…" } else { "" };
            ApiError::not_found(format!("No {noun} has the id `{shown}{more}`; ids are numbers."))
        }
        None => ApiError::not_found("There is nothing at that address."),
    }
}
