//! Request parsing of the admin API: its path parameter and small JSON bodies, read with the
//! hark API's [`ObjectReader`] so that problems are reported, and answered, in the same shape.

use super::AdminToken;
use crate::api::input::{FromJson, ObjectReader};
use crate::api::ApiError;
use crate::AppState;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use hark_core::chat::AccessKeyId;
use hark_core::limits::MAX_NAME_CHARS;
use hark_core::users::{Email, Password, Role, UserId};
use hark_core::{ProjectId, SourceKind};
use serde_json::Value;

/// The `{id}` of `/admin/projects/{id}/…`.
#[derive(Debug, Clone)]
pub struct ProjectIdParam(pub ProjectId);

impl<S: Send + Sync> FromRequestParts<S> for ProjectIdParam {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound("project"))?;
        Ok(Self(ProjectId::new(raw)))
    }
}

/// The `{id}` and `{key}` of `/admin/projects/{id}/access-keys/{key}/…`; whether the project
/// has that key is the store's to say. A path axum cannot decode keeps axum's own answer.
#[derive(Debug, Clone)]
pub struct AccessKeyPath(pub ProjectId, pub AccessKeyId);

impl<S: Send + Sync> FromRequestParts<S> for AccessKeyPath {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let Path((project, key)) = Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Self(ProjectId::new(project), AccessKeyId::new(key)))
    }
}

/// An admin request about an existing project: the caller carried the admin token
/// ([`AdminToken`], checked first), and the project of `/admin/projects/{id}/…` exists (else
/// 404 `project`). For the listings, which answer 404 for an unknown project rather than an
/// empty list.
#[derive(Debug, Clone)]
pub struct AdminProject(pub ProjectId);

impl FromRequestParts<AppState> for AdminProject {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        AdminToken::from_request_parts(parts, state).await?;
        let ProjectIdParam(project) = ProjectIdParam::from_request_parts(parts, state).await?;
        match state.store().get_project(&project).await? {
            Some(_) => Ok(Self(project)),
            None => Err(ApiError::NotFound("project")),
        }
    }
}

/// `{"name"}` of `POST /admin/projects`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProject {
    /// Display name, 1–200 characters.
    pub name: String,
}

impl FromJson for NewProject {
    fn from_json(body: &Value) -> Result<Self, ApiError> {
        let mut r = ObjectReader::new(body, &["name"]);
        let name = r.string("name", MAX_NAME_CHARS, true);
        r.finish(name.map(|name| Self { name }))
    }
}

/// `{"name", "type"}` of `POST /admin/projects/{id}/sources`; the type defaults to webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSource {
    /// Display name, 1–200 characters.
    pub name: String,
    /// `webhook` or `import`.
    pub kind: SourceKind,
}

impl FromJson for NewSource {
    fn from_json(body: &Value) -> Result<Self, ApiError> {
        let mut r = ObjectReader::new(body, &["name", "type"]);
        let name = r.string("name", MAX_NAME_CHARS, true);
        let kind = match r.string("type", 16, false).map(|t| t.parse::<SourceKind>()) {
            None => Some(SourceKind::Webhook),
            Some(Ok(kind)) => Some(kind),
            Some(Err(message)) => {
                r.issue("type", message);
                None
            }
        };
        r.finish(name.zip(kind).map(|(name, kind)| Self { name, kind }))
    }
}

/// `{"name", "strict"?}` of `POST /admin/projects/{id}/applications`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApplication {
    /// Display name, 1–200 characters.
    pub name: String,
    /// Whether feedback must name a recorded conversation and message (default false).
    pub strict: bool,
}

impl FromJson for NewApplication {
    fn from_json(body: &Value) -> Result<Self, ApiError> {
        let mut r = ObjectReader::new(body, &["name", "strict"]);
        let name = r.string("name", MAX_NAME_CHARS, true);
        let strict = r.boolean("strict").unwrap_or(false);
        r.finish(name.map(|name| Self { name, strict }))
    }
}

/// `{"email", "role", "password"?}` of `POST /admin/projects/{id}/users`.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Sign-in address (normalised).
    pub email: Email,
    /// `viewer`, `editor` or `admin`.
    pub role: Role,
    /// A chosen password (at least 12 characters); absent: a one-time password is generated.
    pub password: Option<Password>,
}

/// The issue text for a role that is not one of the three.
const ROLE_MESSAGE: &str = "must be one of viewer, editor, admin";

fn role(r: &mut ObjectReader<'_>) -> Option<Role> {
    match r.string("role", 16, true).map(|s| Role::parse(&s)) {
        Some(Some(role)) => Some(role),
        Some(None) => {
            r.issue("role", ROLE_MESSAGE);
            None
        }
        None => None,
    }
}

impl FromJson for NewUser {
    fn from_json(body: &Value) -> Result<Self, ApiError> {
        let mut r = ObjectReader::new(body, &["email", "role", "password"]);
        let email = match r
            .string("email", Email::MAX_LEN + 16, true)
            .map(|e| Email::parse(&e))
        {
            Some(Ok(email)) => Some(email),
            Some(Err(message)) => {
                r.issue("email", message);
                None
            }
            None => None,
        };
        let role = role(&mut r);
        let password = match r.string("password", Password::MAX_LEN * 4, false) {
            None => Some(None),
            Some(p) => match Password::chosen(p) {
                Ok(p) => Some(Some(p)),
                Err(message) => {
                    r.issue("password", message);
                    None
                }
            },
        };
        let parsed = email.zip(role).zip(password);
        r.finish(parsed.map(|((email, role), password)| Self {
            email,
            role,
            password,
        }))
    }
}

/// `{"role"}` of `PATCH /admin/projects/{id}/users/{user}`.
#[derive(Debug, Clone, Copy)]
pub struct RoleChange {
    /// The new role.
    pub role: Role,
}

impl FromJson for RoleChange {
    fn from_json(body: &Value) -> Result<Self, ApiError> {
        let mut r = ObjectReader::new(body, &["role"]);
        let role = role(&mut r);
        r.finish(role.map(|role| Self { role }))
    }
}

/// The `{id}` and `{user}` of `/admin/projects/{id}/users/{user}`.
#[derive(Debug, Clone)]
pub struct UserPath(pub ProjectId, pub UserId);

impl<S: Send + Sync> FromRequestParts<S> for UserPath {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let Path((project, user)) = Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Self(ProjectId::new(project), UserId::new(user)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn user_bodies() {
        let u = NewUser::from_json(&json!({"email": "Ana@X.io", "role": "editor"})).expect("valid");
        assert_eq!((u.email.as_str(), u.role), ("ana@x.io", Role::Editor));
        assert!(u.password.is_none());
        let u = NewUser::from_json(
            &json!({"email": "a@x.io", "role": "admin", "password": "long enough pw"}),
        )
        .expect("valid");
        assert_eq!(
            u.password.map(|p| p.expose().to_string()).as_deref(),
            Some("long enough pw")
        );
        for bad in [
            json!({"email": "a@x.io"}),
            json!({"email": "nope", "role": "viewer"}),
            json!({"email": "a@x.io", "role": "owner"}),
            json!({"email": "a@x.io", "role": "viewer", "password": "short"}),
            json!({"email": "a@x.io", "role": "viewer", "extra": 1}),
        ] {
            assert!(NewUser::from_json(&bad).is_err(), "{bad}");
        }
        assert!(RoleChange::from_json(&json!({"role": "viewer"})).is_ok());
        assert!(RoleChange::from_json(&json!({"role": "root"})).is_err());
    }

    fn source(body: Value) -> Result<(String, SourceKind), ApiError> {
        NewSource::from_json(&body).map(|s| (s.name, s.kind))
    }

    fn project(body: Value) -> Result<String, ApiError> {
        NewProject::from_json(&body).map(|p| p.name)
    }

    fn application(body: Value) -> Result<(String, bool), ApiError> {
        NewApplication::from_json(&body).map(|a| (a.name, a.strict))
    }

    #[test]
    fn source_type_defaults_to_webhook() {
        let (name, kind) = source(json!({"name": "web"})).expect("valid");
        assert_eq!((name.as_str(), kind), ("web", SourceKind::Webhook));
        let (_, kind) = source(json!({"name": "csv", "type": "import"})).expect("valid");
        assert_eq!(kind, SourceKind::Import);
    }

    #[test]
    fn bad_admin_bodies_are_refused() {
        assert!(source(json!({"name": "x", "type": "rss"})).is_err());
        assert!(source(json!({"type": "webhook"})).is_err());
        assert!(project(json!({})).is_err());
        assert!(project(json!({"name": "x".repeat(MAX_NAME_CHARS + 1)})).is_err());
        assert_eq!(project(json!({"name": "Acme"})).expect("valid"), "Acme");
    }

    #[test]
    fn application_bodies() {
        assert_eq!(
            application(json!({"name": "bot"})).expect("valid"),
            ("bot".to_string(), false)
        );
        assert_eq!(
            application(json!({"name": "bot", "strict": true})).expect("valid"),
            ("bot".to_string(), true)
        );
        for bad in [
            json!({}),
            json!({"name": "bot", "strict": "yes"}),
            json!({"name": "bot", "extra": 1}),
        ] {
            assert!(application(bad.clone()).is_err(), "{bad}");
        }
    }
}
