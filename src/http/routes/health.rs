use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::service::Service;

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or `degraded` when the database does not answer.
    pub status: String,
    pub database: String,
    pub version: String,
}

/// Open to all: whether the service and its database are up.
#[utoipa::path(get, path = "/healthz", tag = "health",
    responses((status = 200, body = Health), (status = 503, body = Health)))]
pub async fn healthz(service: web::Data<Service>) -> HttpResponse {
    let result = web::block(move || service.healthy()).await;
    let (ok, database) = match result {
        Ok(Ok(())) => (true, "reachable".to_string()),
        Ok(Err(e)) => (false, e.to_string()),
        Err(e) => (false, e.to_string()),
    };
    let body = Health {
        status: if ok { "ok" } else { "degraded" }.into(),
        database,
        version: env!("CARGO_PKG_VERSION").into(),
    };
    if ok { HttpResponse::Ok().json(body) } else { HttpResponse::ServiceUnavailable().json(body) }
}
