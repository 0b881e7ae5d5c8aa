//! The OpenAPI document, generated from the handlers' annotations and served at
//! `/api/v1/openapi.json`. A test compares it with `docs/openapi.json`.

pub mod responses;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use self::responses::FrameworkResponses;
use super::problem::Problem;
use super::routes::{
    agreement, authorities, campaigns, codebooks, codings, deadlines, health, inbound, outbox, people,
    report, requests, search, workspaces,
};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API token from `foitrack token create`"))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "foitrack", description = "Track Freedom of Information requests sent to many public bodies. Errors are application/problem+json (RFC 9457)."),
    paths(
        health::healthz,
        people::me, people::list_users, people::add_user, people::list_tokens, people::create_token, people::revoke_token,
        authorities::list, authorities::show, authorities::import,
        campaigns::list, campaigns::create, campaigns::show, campaigns::log_sent,
        requests::list, requests::create, requests::show, requests::events, requests::log_sent, requests::record_event,
        deadlines::calculate, deadlines::regimes, deadlines::request_clock, deadlines::import_holidays,
        inbound::deliver, inbound::pen, inbound::assign, inbound::discard, inbound::classify, search::search,
        outbox::send_campaign, outbox::list, outbox::retry, outbox::cancel, outbox::remind, outbox::watch, outbox::chasers,
        workspaces::list, workspaces::create, workspaces::show, workspaces::change,
        workspaces::members, workspaces::add_member, workspaces::change_member, workspaces::remove_member,
        workspaces::contacts, workspaces::set_contact,
        agreement::calculate, codebooks::list, codebooks::save, codebooks::show, codebooks::export_qdc, codebooks::import_qdc,
        codings::set_plan, codings::plan, codings::request_codings, codings::submit, codings::adjudicate,
        codings::disagreements, codings::agreement, codings::data_package, codings::rule_quality, codings::import, codings::export, report::report, report::chart,
    ),
    components(schemas(Problem, crate::domain::vocab::OutboxState, crate::domain::import::ImportFormat)),
    modifiers(&BearerAuth, &FrameworkResponses),
    tags(
        (name = "health", description = "Is the service up"),
        (name = "people", description = "Users and API tokens"),
        (name = "authorities", description = "Public bodies and their import"),
        (name = "campaigns", description = "One request sent to many bodies"),
        (name = "requests", description = "Requests and their timelines"),
        (name = "deadlines", description = "Statutory deadlines, regimes and bank holidays"),
        (name = "mail", description = "Sending requests by email, the outbox, and incoming replies"),
        (name = "workspaces", description = "Teams: their members, and their own contacts for bodies"),
        (name = "coding", description = "Coding replies, and agreement between coders"),
    )
)]
pub struct ApiDoc;

/// The document as pretty JSON, as served and as kept in `docs/openapi.json`.
pub fn document() -> String {
    ApiDoc::openapi().to_pretty_json().expect("the OpenAPI document serialises")
}
