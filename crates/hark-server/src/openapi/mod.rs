//! The OpenAPI 3.1 document of every public route, generated from the code: each handler carries
//! its `#[utoipa::path]`, and each surface's router is a `utoipa_axum` `OpenApiRouter`, so a
//! route is registered and documented by the same line and the two cannot drift. [`complete`]
//! adds what is shared by a whole surface (its auth scheme and its error answers); [`router`]
//! serves the document at `/api/1/openapi.json` and an API explorer (Swagger UI, its assets
//! embedded in the binary, no CDN) at `/api/docs`.

pub mod bodies;
mod errors;
pub mod params;

pub use errors::{ApiErrors, AwsErrors, OpsErrors};

use crate::AppState;
use axum::http::{header, HeaderValue};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{OpenApi, RefOr, SecurityRequirement};
use utoipa::{IntoResponses, OpenApi as _};
use utoipa_swagger_ui::SwaggerUi;

/// Where the document is served.
pub const DOCUMENT_PATH: &str = "/api/1/openapi.json";
/// Where the API explorer is served.
pub const EXPLORER_PATH: &str = "/api/docs";

/// Basic auth of the project routes: the API key as user name, the secret key as password.
const PROJECT_BASIC: &str = "project_basic";
/// Bearer token of the admin routes (`admin.token`).
const ADMIN_BEARER: &str = "admin_bearer";
/// AWS Signature Version 4 of the Q Business routes.
const AWS_SIGV4: &str = "aws_sigv4";

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "hark",
        description = "hark, the self-hosted AI feedback server: the Amplitude-compatible ingest \
            API, the read-back, search, analysis, themes and chat-feedback APIs (HTTP Basic with \
            a project's API key and secret key), the admin API (bearer token), the Amazon Q \
            Business `PutFeedback` contract (AWS SigV4, service `qbusiness`, any region) and \
            the operations probes.",
        license(name = "Apache-2.0", identifier = "Apache-2.0")
    ),
    components(schemas(
        crate::api::error::ErrorBody,
        crate::aws::error::ErrorBody,
        params::SaidIn,
        params::StatsPeriod
    )),
    tags(
        (name = "ingest", description = "Amplitude AI Feedback–compatible ingest"),
        (name = "items", description = "Read back, correct and erase feedback items"),
        (name = "search", description = "Hybrid (meaning and words) search"),
        (name = "analysis", description = "Categories, examples, re-analysis"),
        (name = "themes", description = "Themes, their metrics and mentions"),
        (name = "chat feedback", description = "Read back the votes on AI answers"),
        (name = "webhooks", description = "Push events to other systems (Standard Webhooks, Slack)"),
        (name = "mcp", description = "Model Context Protocol server for AI assistants (JSON-RPC 2.0)"),
        (name = "Q Business", description = "Amazon Q Business PutFeedback, AWS SigV4"),
        (name = "admin", description = "Projects, sources, applications, keys, users"),
        (name = "operations", description = "Probes and metrics, no auth")
    )
)]
struct Base;

/// The whole document: the surfaces' documents merged into the base, each operation given its
/// surface's security scheme and error answers (by path: `/api/1`, `/admin`, `/applications`,
/// the rest being the operations routes).
pub fn complete(surfaces: impl IntoIterator<Item = OpenApi>) -> OpenApi {
    let mut doc = Base::openapi();
    for surface in surfaces {
        doc.merge(surface);
    }
    if let Some(components) = doc.components.as_mut() {
        let basic = HttpBuilder::new()
            .scheme(HttpAuthScheme::Basic)
            .description(Some(
                "The project's API key as user name, its secret key as password",
            ))
            .build();
        let bearer = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some("The `admin.token` of the server's configuration"))
            .build();
        let sigv4 = ApiKey::Header(ApiKeyValue::with_description(
            "Authorization",
            "AWS Signature Version 4 (`AWS4-HMAC-SHA256`, service `qbusiness`, any region) \
             with a hark access key; HTTP Basic with the project's keys is also accepted",
        ));
        components.add_security_scheme(PROJECT_BASIC, SecurityScheme::Http(basic));
        components.add_security_scheme(ADMIN_BEARER, SecurityScheme::Http(bearer));
        components.add_security_scheme(AWS_SIGV4, SecurityScheme::ApiKey(sigv4));
        for (name, response) in errors::components() {
            components.responses.insert(name, RefOr::T(response));
        }
    }
    for (path, item) in doc.paths.paths.iter_mut() {
        let (scheme, errors) = if path.starts_with("/api/1/") || path == "/mcp" {
            (Some(PROJECT_BASIC), ApiErrors::responses())
        } else if path.starts_with("/admin/") {
            (Some(ADMIN_BEARER), ApiErrors::responses())
        } else if path.starts_with("/applications/") {
            (Some(AWS_SIGV4), AwsErrors::responses())
        } else {
            (None, OpsErrors::responses())
        };
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.patch,
            &mut item.delete,
        ];
        for operation in operations.into_iter().flatten() {
            if let Some(scheme) = scheme {
                let requirement = SecurityRequirement::new::<_, _, &str>(scheme, []);
                operation.security = Some(vec![requirement]);
            }
            for (status, response) in &errors {
                operation
                    .responses
                    .responses
                    .entry(status.clone())
                    .or_insert_with(|| response.clone());
            }
        }
    }
    doc
}

/// The document at [`DOCUMENT_PATH`] and the explorer at [`EXPLORER_PATH`], with a
/// Content-Security-Policy that lets the explorer's own script and styles run and nothing else.
pub fn router(doc: OpenApi) -> Router<AppState> {
    let explorer: Router<AppState> = SwaggerUi::new(EXPLORER_PATH).url(DOCUMENT_PATH, doc).into();
    explorer
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
                 frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
            ),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
}

#[cfg(test)]
mod tests;
