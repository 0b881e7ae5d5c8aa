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
    /// What an operator should act on, such as bank holiday data about to run out; empty when
    /// all is well.
    pub warnings: Vec<String>,
}

/// Open to all: whether the service and its database are up.
#[utoipa::path(get, path = "/healthz", tag = "health", operation_id = "health",
    responses((status = 200, body = Health), (status = 503, body = Health)))]
pub async fn healthz(service: web::Data<Service>) -> HttpResponse {
    // Only the database decides the status: a load balancer must not drop an instance because
    // of a warning, or because the warnings could not be worked out.
    let result = web::block(move || {
        service.healthy()?;
        Ok::<_, crate::service::ServiceError>(
            service.warnings(crate::domain::london::today()).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "could not work out the health warnings");
                vec![format!("The warnings could not be worked out: {e}")]
            }),
        )
    })
    .await;
    let (ok, database, warnings) = match result {
        Ok(Ok(warnings)) => (true, "reachable".to_string(), warnings),
        Ok(Err(e)) => (false, e.to_string(), Vec::new()),
        Err(e) => (false, e.to_string(), Vec::new()),
    };
    let body = Health {
        status: if ok { "ok" } else { "degraded" }.into(),
        database,
        version: env!("CARGO_PKG_VERSION").into(),
        warnings,
    };
    if ok { HttpResponse::Ok().json(body) } else { HttpResponse::ServiceUnavailable().json(body) }
}
