//! The error answers of each surface, as OpenAPI responses: every status a route of that
//! surface may answer besides its success, each with the surface's error body
//! ([`crate::ApiError`]'s `{"error", "issues"}`, or [`crate::AwsError`]'s restJson1 shape).

use std::collections::BTreeMap;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::IntoResponses;

/// Name of the hark API's error body in `components.schemas`.
pub const API_ERROR: &str = "ApiError";
/// Name of the AWS routes' error body in `components.schemas`.
pub const AWS_ERROR: &str = "AwsError";

/// The statuses of the hark API and admin routes besides success (the shared layers answer
/// 408, 413, 414, 429, 431 and 503 on any of them).
const API_STATUSES: &[Status] = &[
    (
        400,
        "Invalid request: `issues` names each problem by its path",
    ),
    (401, "Missing or wrong credentials"),
    (
        403,
        "Not allowed (for example an import source on the ingest API)",
    ),
    (
        404,
        "No such entity in the caller's project, or no such route",
    ),
    (405, "Method not allowed on this route"),
    (408, "The body arrived too slowly"),
    (409, "Conflicts with the current state"),
    (413, "Body too large"),
    (414, "URI too long"),
    (
        415,
        "The body must be JSON (`Content-Type: application/json`)",
    ),
    (
        429,
        "Rate limited or too many requests in progress (see `Retry-After`)",
    ),
    (431, "Request headers too large"),
    (500, "Internal error (logged with the request id)"),
    (
        503,
        "Storage unavailable, model not loaded, or shutting down (see `Retry-After`)",
    ),
];

/// The statuses of the Q Business routes besides success, as the contract names them.
const AWS_STATUSES: &[Status] = &[
    (
        400,
        "`ValidationException` (`CANNOT_PARSE`, `FIELD_VALIDATION_FAILED`, `UNKNOWN_OPERATION`)",
    ),
    (
        403,
        "`AccessDeniedException`: missing, unknown or wrong signature or key",
    ),
    (
        404,
        "`ResourceNotFoundException`: application, conversation or message",
    ),
    (
        408,
        "`RequestTimeoutException`: the body arrived too slowly",
    ),
    (413, "`ValidationException`: body too large"),
    (414, "`ValidationException`: URI too long"),
    (429, "`ThrottlingException` (see `Retry-After`)"),
    (431, "`ValidationException`: headers too large"),
    (500, "`InternalServerException`"),
    (503, "`ServiceUnavailableException` (see `Retry-After`)"),
];

/// The statuses of the operations routes besides success.
const OPS_STATUSES: &[Status] = &[
    (500, "Internal error"),
    (
        503,
        "Not ready: the store does not answer, or the server is shutting down",
    ),
];

/// Error answers of the `/api/1` and `/admin` routes.
pub struct ApiErrors;
/// Error answers of the `/applications` routes.
pub struct AwsErrors;
/// Error answers of the operations routes.
pub struct OpsErrors;

/// A status and what it means on a surface.
type Status = (u16, &'static str);

/// The surfaces' error answers: name prefix in `components.responses`, statuses, body schema.
const SURFACES: [(&str, &[Status], &str); 3] = [
    ("Api", API_STATUSES, API_ERROR),
    ("Aws", AWS_STATUSES, AWS_ERROR),
    ("Ops", OPS_STATUSES, API_ERROR),
];

impl IntoResponses for ApiErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        references("Api", API_STATUSES)
    }
}

impl IntoResponses for AwsErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        references("Aws", AWS_STATUSES)
    }
}

impl IntoResponses for OpsErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        references("Ops", OPS_STATUSES)
    }
}

/// Every error answer, for `components.responses` (`Api400`, `Aws403`, …), so that each
/// operation only refers to them.
pub fn components() -> Vec<(String, Response)> {
    SURFACES
        .iter()
        .flat_map(|(prefix, statuses, schema)| {
            statuses.iter().map(move |(status, description)| {
                let content = ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name(*schema)))
                    .build();
                let response = ResponseBuilder::new()
                    .description(*description)
                    .content("application/json", content)
                    .build();
                (format!("{prefix}{status}"), response)
            })
        })
        .collect()
}

fn references(prefix: &str, statuses: &[Status]) -> BTreeMap<String, RefOr<Response>> {
    statuses
        .iter()
        .map(|(status, _)| {
            let reference = Ref::from_response_name(format!("{prefix}{status}"));
            (status.to_string(), RefOr::Ref(reference))
        })
        .collect()
}
