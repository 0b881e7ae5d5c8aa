//! The HTTP adapter: actix-web serving the JSON API under `/api/v1`.

use std::net::TcpListener;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::middleware::{Next, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};

use crate::config::ServerSettings;
use crate::service::Service;

pub mod auth;
pub mod body;
pub mod openapi;
pub mod pages;
pub mod problem;
pub mod routes;
pub mod upload;

use problem::ApiError;

/// Logs each request once, when it completes, with its status and duration.
async fn log_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().to_string();
    let path = loggable(req.path()).to_string();
    let result = next.call(req).await;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    match &result {
        Ok(res) => {
            tracing::info!(%method, %path, status = res.status().as_u16(), duration_ms = format!("{ms:.1}"), "http request")
        }
        Err(e) => {
            tracing::warn!(%method, %path, error = %e, duration_ms = format!("{ms:.1}"), "http request failed")
        }
    }
    result
}

/// The path as the log writes it: the secret of a password link is left out, so that reading the
/// log is not a way into someone's account.
fn loggable(path: &str) -> std::borrow::Cow<'_, str> {
    match path.strip_prefix("/reset-password/") {
        Some(_) => "/reset-password/(secret)".into(),
        None => path.into(),
    }
}

async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(openapi::document())
}

async fn not_found(req: actix_web::HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::not_found(format!(
        "There is no {} {} in this API; see /api/v1/openapi.json.",
        req.method(),
        req.path()
    )))
}

/// Builds the server on an already bound listener (port 0 in tests) and returns it unstarted.
/// `pool_size` is the number of database connections: together the workers get as many threads
/// for blocking calls, since every blocking call in a handler needs a connection. More threads
/// would only wait for one, and under load each extra thread costs a sleep and a wake-up per call
/// where a few busy threads take the next call straight from the queue (see docs/performance.md).
pub fn server(
    service: Service,
    listener: TcpListener,
    settings: &ServerSettings,
    pool_size: u32,
) -> std::io::Result<Server> {
    let session_key = service.session_key().map_err(std::io::Error::other)?;
    let secure_cookies = settings.secure_cookies;
    let data = web::Data::new(service);
    let json_limit = settings.json_limit_bytes;
    let upload_limit = settings.upload_limit_bytes;
    // One gate for all workers: the limit is on the process.
    let import_gate = web::Data::new(upload::ImportGate::new(
        settings.concurrent_imports,
        std::time::Duration::from_secs(settings.import_wait_seconds),
    ));
    // One count of wrong passwords for all workers, as for the gate.
    let throttle = web::Data::new(pages::throttle::Throttle::default());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(
                web::JsonConfig::default()
                    .limit(json_limit)
                    .error_handler(|e, _| problem::json_error(e).into()),
            )
            .app_data(web::QueryConfig::default().error_handler(|e, _| problem::query_error(e).into()))
            .app_data(web::PathConfig::default().error_handler(|e, req| problem::path_error(e, req).into()))
            .app_data(web::Data::new(upload::UploadLimit(upload_limit)))
            .app_data(import_gate.clone())
            .wrap(from_fn(log_request))
            .service(routes::resource("/healthz", "GET").route(web::get().to(routes::health::healthz)))
            .service(routes::resource("/api/v1/openapi.json", "GET").route(web::get().to(openapi_json)))
            .service(web::scope("/api/v1").configure(routes::configure))
            .configure(|cfg| pages::configure(cfg, &session_key, secure_cookies, throttle.clone()))
            .default_service(web::to(not_found))
    })
    .listen(listener)?;
    let workers = match settings.workers {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    Ok(server
        .workers(workers)
        .worker_max_blocking_threads((pool_size as usize).div_ceil(workers).max(1))
        .run())
}

#[cfg(test)]
mod tests {
    use super::loggable;

    #[test]
    fn password_links_are_not_written_to_the_log() {
        assert_eq!(loggable("/reset-password/0a1b2c"), "/reset-password/(secret)");
        assert_eq!(loggable("/requests/12"), "/requests/12");
    }
}
