//! The researcher's web pages: HTML rendered on the server from askama templates
//! (`templates/`), over the same service layer as the API. Forms work without JavaScript.
//!
//! Pages sign in with a session kept in a signed and encrypted cookie; the API keeps its bearer
//! tokens. Every state-changing request must come from our own pages (see [`guard`]).

mod adjudication;
mod bodies;
mod campaigns;
mod coding;
mod dashboard;
mod deadlines;
mod downloads;
mod error;
mod guard;
mod passages;
mod password;
mod pen;
mod people;
mod report;
mod request;
mod search;
mod session;
mod sign_in;
pub mod throttle;
mod workspaces;

use actix_session::SessionMiddleware;
use actix_session::config::CookieContentSecurity;
use actix_session::storage::CookieSessionStore;
use actix_web::cookie::{Key, SameSite};
use actix_web::http::header;
use actix_web::middleware::{DefaultHeaders, from_fn};
use actix_web::{HttpResponse, web};

pub use error::PageError;

/// What every page may load: only our own stylesheet, scripts and images, and forms sent in the
/// background only to us (`connect-src`); nothing may frame it.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; script-src 'self'; \
    img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The pages' routes, with their session, their origin check and their headers.
pub fn configure(
    cfg: &mut web::ServiceConfig,
    session_key: &[u8],
    secure_cookies: bool,
    throttle: web::Data<throttle::Throttle>,
) {
    let sessions = SessionMiddleware::builder(CookieSessionStore::default(), Key::derive_from(session_key))
        .cookie_name("foitrack_session".into())
        .cookie_secure(secure_cookies)
        .cookie_http_only(true)
        .cookie_same_site(SameSite::Lax)
        .cookie_content_security(CookieContentSecurity::Private)
        .build();
    let headers = DefaultHeaders::new()
        .add((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::REFERRER_POLICY, "same-origin"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::CACHE_CONTROL, "no-store"));
    cfg.app_data(throttle);
    cfg.service(web::resource("/static/app.css").route(
        web::get().to(|| async { asset("text/css; charset=utf-8", include_str!("../../../static/app.css")) }),
    ))
    .service(
        web::resource("/static/app.js").route(web::get().to(|| async {
            asset("text/javascript; charset=utf-8", include_str!("../../../static/app.js"))
        })),
    )
    .service(web::scope("").configure(routes).wrap(from_fn(guard::same_origin)).wrap(sessions).wrap(headers));
}

/// Declares the pages once: the routes served, and the list the tests' route matrix walks
/// (tests/api/pages.rs), so that a page cannot be added without the matrix knowing.
macro_rules! pages {
    ($($method:ident $path:literal => $handler:path),* $(,)?) => {
        /// Every page route, as (method, path).
        pub const PAGE_ROUTES: &[(&str, &str)] = &[$((stringify!($method), $path)),*];

        fn routes(cfg: &mut web::ServiceConfig) {
            $(cfg.route($path, web::$method().to($handler));)*
        }
    };
}

pages! {
    get "/" => dashboard::show,
    get "/sign-in" => sign_in::form,
    post "/sign-in" => sign_in::submit,
    post "/sign-out" => sign_in::sign_out,
    get "/forgot-password" => password::forgot_form,
    post "/forgot-password" => password::forgot,
    get "/reset-password/{token}" => password::reset_form,
    post "/reset-password/{token}" => password::reset,
    get "/workspaces" => workspaces::list,
    post "/workspaces" => workspaces::create,
    post "/switch-workspace" => workspaces::switch,
    get "/workspaces/{slug}/members" => workspaces::members,
    post "/workspaces/{slug}/members" => workspaces::add_member,
    post "/workspaces/{slug}/members/{id}/role" => workspaces::change_member,
    post "/workspaces/{slug}/members/{id}/remove" => workspaces::remove_member,
    get "/users" => people::list,
    post "/users" => people::add,
    post "/users/{id}/role" => people::change_role,
    post "/users/{id}/password-link" => people::send_link,
    get "/deadlines" => deadlines::show,
    get "/search" => search::show,
    get "/holding-pen" => pen::list,
    post "/holding-pen/{id}/assign" => pen::assign,
    post "/holding-pen/{id}/discard" => pen::discard,
    get "/bodies/import" => bodies::form,
    post "/bodies/import" => bodies::import,
    get "/campaigns" => campaigns::list,
    get "/campaigns/new" => campaigns::form,
    post "/campaigns/new" => campaigns::create,
    get "/campaigns/{id}" => campaigns::show,
    post "/campaigns/{id}/sent" => campaigns::log_sent,
    post "/campaigns/{id}/send" => campaigns::send,
    post "/campaigns/{id}/chasers" => campaigns::chase,
    get "/campaigns/{id}/disagreements" => adjudication::list,
    get "/campaigns/{id}/report" => report::show,
    get "/campaigns/{id}/report.csv" => downloads::report_csv_file,
    get "/campaigns/{id}/data.zip" => downloads::data_package,
    get "/codebooks/{id}/qdc" => downloads::codebook_qdc,
    get "/requests/{id}" => request::show,
    post "/requests/{id}/events" => request::record,
    post "/requests/{id}/replies/{message}/classify" => request::classify,
    get "/requests/{id}/code" => coding::show,
    post "/requests/{id}/code" => coding::submit,
    post "/requests/{id}/adjudicate" => adjudication::decide,
    get "/requests/{id}/attachments/{message}/{position}" => downloads::attachment,
}

/// A file compiled into the binary, cached for a day (it changes only with a new release).
fn asset(content_type: &str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(body)
}

/// A rendered page.
fn html(page: impl askama::Template) -> Result<HttpResponse, PageError> {
    let body = page.render().map_err(|e| PageError::Broken(format!("a page could not be rendered: {e}")))?;
    Ok(HttpResponse::Ok().content_type("text/html; charset=utf-8").body(body))
}

/// A choice a form's select sent (a role), as the service takes it; anything else is refused in
/// the same words as the API's.
fn chosen<T: std::str::FromStr<Err = crate::domain::UnknownValue>>(
    field: &str,
    text: &str,
) -> crate::service::ServiceResult<T> {
    text.trim().parse().map_err(|e: crate::domain::UnknownValue| {
        crate::service::ServiceError::invalid_fields(vec![crate::service::FieldError::new(
            field,
            e.to_string(),
        )])
    })
}

/// Where a form sends the browser once it has done its work.
fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, to.to_string())).finish()
}

/// A date as the pages write it: 6 Dec 2026.
fn day(d: chrono::NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

/// A stored word (`awaiting_response`) as the pages write it (`awaiting response`).
fn words(stored: &str) -> String {
    stored.replace('_', " ")
}
