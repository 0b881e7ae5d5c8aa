//! The error responses of the OpenAPI document, declared once in `components/responses` and
//! referred to by name. Handlers name the statuses their use case can answer (`403`, `404`,
//! `409`, `422`); [`FrameworkResponses`] adds the ones that the layers around every handler
//! answer (the token check, the JSON, query and path readers, the database pool), judged from
//! the operation's shape, so no operation can forget one.

use utoipa::Modify;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::ObjectBuilder;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder, Type};

/// The media type of every error (RFC 9457), as [`crate::http::problem`] serves it.
pub const PROBLEM_JSON: &str = "application/problem+json";

fn problem(description: &str) -> ResponseBuilder {
    ResponseBuilder::new()
        .description(description)
        .content(PROBLEM_JSON, ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build())
}

macro_rules! problem_responses {
    ($($name:ident => $description:literal),+ $(,)?) => {
        $(
            #[doc = $description]
            pub struct $name;

            impl<'s> utoipa::ToResponse<'s> for $name {
                fn response() -> (&'s str, RefOr<Response>) {
                    (stringify!($name), problem($description).build().into())
                }
            }
        )+

        /// Every shared response, by name, for `components/responses`.
        fn all() -> Vec<(&'static str, RefOr<Response>)> {
            use utoipa::ToResponse;
            let mut all = vec![$($name::response()),+];
            all.push(("TooManyRequests", too_many_requests()));
            all
        }
    };
}

problem_responses! {
    BadRequest => "The body is not valid JSON, or could not be received.",
    Unauthorized => "No token, or one that is unknown or revoked (`WWW-Authenticate: Bearer`).",
    Forbidden => "Your role does not allow this.",
    NotFound => "Nothing has that id in your reach, or the id is not a number.",
    Conflict => "The change contradicts what is stored; `detail` says why.",
    PayloadTooLarge => "The body is larger than the server accepts.",
    UnsupportedMediaType => "The body must be sent with `Content-Type: application/json`.",
    Invalid => "The input does not fit; each wrong field is in `errors`.",
    Unavailable => "The database is busy or cannot be reached; try again in a moment.",
}

/// `429`, with the seconds to wait in `Retry-After`: too many imports run at once.
pub struct TooManyRequests;

fn too_many_requests() -> RefOr<Response> {
    problem("Too many imports run at once; try again after `Retry-After` seconds.")
        .header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0)))
                .description(Some("Seconds to wait before trying again"))
                .build(),
        )
        .build()
        .into()
}

impl<'s> utoipa::ToResponse<'s> for TooManyRequests {
    fn response() -> (&'s str, RefOr<Response>) {
        ("TooManyRequests", too_many_requests())
    }
}

/// Operations whose body is read as a raw file (any content type) rather than as JSON.
const UPLOADS: &[&str] = &["import_authorities", "import_holidays", "deliver_inbound"];

pub struct FrameworkResponses;

impl Modify for FrameworkResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for (name, response) in all() {
            components.responses.insert(name.to_string(), response);
        }
        for item in openapi.paths.paths.values_mut() {
            let operations =
                [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
            for operation in operations.into_iter().flatten() {
                add_framework_responses(operation);
            }
        }
    }
}

fn add_framework_responses(operation: &mut Operation) {
    let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    let params = operation.parameters.as_deref().unwrap_or_default();
    let has = |place: ParameterIn| params.iter().any(|p| p.parameter_in == place);
    let upload = operation.operation_id.as_deref().is_some_and(|id| UPLOADS.contains(&id));
    let json_body = operation.request_body.is_some() && !upload;
    let mut add = |status: &str, name: &str| {
        operation
            .responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| RefOr::Ref(Ref::from_response_name(name)));
    };
    if json_body || upload {
        add("400", "BadRequest");
        add("413", "PayloadTooLarge");
    }
    if json_body {
        add("415", "UnsupportedMediaType");
    }
    if json_body || has(ParameterIn::Query) {
        add("422", "Invalid");
    }
    if has(ParameterIn::Path) {
        add("404", "NotFound");
    }
    if secured {
        add("401", "Unauthorized");
        add("503", "Unavailable");
    }
}
