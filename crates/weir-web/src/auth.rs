//! Authentication of requests, sessions' cookies and CSRF.
//!
//! The users and tokens are in [`crate::users`], the sessions in [`crate::sessions`].
//! The UI authenticates with a session cookie (`HttpOnly`, `SameSite=Strict`) and sends
//! the session's CSRF token in `X-CSRF-Token` (or a `csrf` form field) on every
//! state-changing request; scripts use HTTP Basic or `Authorization: Bearer <token>`.
//! The server never asks a browser for Basic credentials (no `WWW-Authenticate:
//! Basic`), so browsers never send them on their own; state-changing requests must also
//! be same-origin.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine as _;

use crate::encode::{form_field, url_encode};
use crate::error::ApiError;
use crate::state::{AppState, MAX_BODY};
use crate::users::{Role, UserInfo};

/// Name of the session cookie.
pub(crate) const SESSION_COOKIE: &str = "weir_session";
/// Name of the cookie carrying the login form's CSRF token.
pub(crate) const LOGIN_COOKIE: &str = "weir_login";
/// Header carrying the CSRF token.
pub(crate) const CSRF_HEADER: &str = "x-csrf-token";

/// How a request was authenticated.
#[derive(Debug, Clone)]
pub(crate) enum Via {
    /// Session cookie, with the session id and its CSRF token.
    Session { id: String, csrf: String },
    /// HTTP Basic.
    Basic,
    /// Bearer token.
    Bearer,
}

/// The authenticated user of a request (a request extension).
#[derive(Debug, Clone)]
pub(crate) struct Identity {
    pub user: String,
    pub role: Role,
    pub via: Via,
}

impl Identity {
    /// `Err(403)` unless the user is an admin.
    pub(crate) fn require_admin(&self) -> Result<(), ApiError> {
        if self.role == Role::Admin {
            Ok(())
        } else {
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                format!("user {:?} is read-only", self.user),
            ))
        }
    }

    pub(crate) fn csrf(&self) -> &str {
        match &self.via {
            Via::Session { csrf, .. } => csrf,
            _ => "",
        }
    }
}

/// The value of cookie `name`.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Compares secrets in time independent of where they differ.
pub(crate) fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn is_state_changing(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// A state-changing request must come from this origin: `Sec-Fetch-Site` (if sent) is
/// `same-origin` or `none`, and `Origin` (if sent) names the `Host` it was sent to.
pub(crate) fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return false;
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let Ok(origin) = origin.to_str() else {
            return false;
        };
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        let origin_host = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"))
            .unwrap_or("");
        return !host.is_empty() && origin_host == host;
    }
    true
}

enum Credentials {
    Basic(String, String),
    Bearer(String),
    Bad,
}

fn credentials(headers: &HeaderMap) -> Option<Credentials> {
    let v = headers.get(header::AUTHORIZATION)?;
    let Ok(v) = v.to_str() else {
        return Some(Credentials::Bad);
    };
    let (scheme, rest) = v.split_once(' ').unwrap_or((v, ""));
    let rest = rest.trim();
    // `Token` is ntopng's scheme for the same API tokens.
    let token_scheme =
        scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token");
    if token_scheme && !rest.is_empty() && rest.len() <= 256 {
        return Some(Credentials::Bearer(rest.to_string()));
    }
    if scheme.eq_ignore_ascii_case("basic") && rest.len() <= 2048 {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(rest)
            .ok()
            .and_then(|b| String::from_utf8(b).ok());
        if let Some((u, p)) = decoded.as_deref().and_then(|d| d.split_once(':')) {
            return Some(Credentials::Basic(u.to_string(), p.to_string()));
        }
    }
    Some(Credentials::Bad)
}

/// Verifies a password off the async threads, a bounded number at a time.
pub(crate) async fn verify_password(
    state: &Arc<AppState>,
    user: String,
    password: String,
) -> Option<UserInfo> {
    if user.len() > 64 || password.len() > 1024 || state.failures.locked(&user) {
        return None;
    }
    let _permit = state.hashing.acquire().await.ok()?;
    let st = state.clone();
    let name = user.clone();
    let found = tokio::task::spawn_blocking(move || st.users.verify(&name, &password))
        .await
        .ok()
        .flatten();
    if found.is_some() {
        state.failures.clear(&user);
    } else {
        state.failures.add(&user);
    }
    found
}

fn unauthorized(is_api: bool, uri: &axum::http::Uri) -> Response {
    if uri.path() == "/lua/rest/v2/connect/test.lua" {
        // The credentials test of ntopng's clients: they accept any JSON answer as a
        // working login (ntopng answers a failed one with its HTML login page), so
        // the refusal is plain text here.
        return (StatusCode::UNAUTHORIZED, "authentication required\n").into_response();
    }
    if uri.path().starts_with("/lua/") {
        // ntopng's envelope (`rest_utils`: NOT_GRANTED) for its API's clients.
        let body = serde_json::json!({
            "rc": -3, "rc_str": "NOT_GRANTED", "rc_str_hr": "authentication required", "rsp": {}
        });
        return (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
    }
    if is_api {
        let mut r =
            ApiError::new(StatusCode::UNAUTHORIZED, "authentication required").into_response();
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            axum::http::HeaderValue::from_static("Bearer realm=\"weir\""),
        );
        r
    } else {
        let next = uri
            .path_and_query()
            .map(|p| p.as_str())
            .filter(|p| ui_next_ok(p))
            .unwrap_or("/");
        Redirect::to(&format!("/login?next={}", url_encode(next))).into_response()
    }
}

/// A `next=` target after login: a local path only.
pub(crate) fn ui_next_ok(p: &str) -> bool {
    p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') && p.len() < 512
}

/// Middleware on every protected route: authenticates (bearer, Basic, session),
/// then enforces same-origin and CSRF on state-changing requests.
pub(crate) async fn require_auth(
    State(state): State<Arc<AppState>>,
    mut req: Request,
    next: Next,
) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let headers = req.headers();
    let identity = match credentials(headers) {
        Some(Credentials::Bearer(t)) => state.users.check_token(&t).map(|u| Identity {
            user: u.name,
            role: u.role,
            via: Via::Bearer,
        }),
        Some(Credentials::Basic(u, p)) => verify_password(&state, u, p).await.map(|u| Identity {
            user: u.name,
            role: u.role,
            via: Via::Basic,
        }),
        Some(Credentials::Bad) => None,
        None => cookie(headers, SESSION_COOKIE)
            .and_then(|id| state.sessions.get(id).map(|s| (id.to_string(), s)))
            .and_then(|(id, s)| {
                // A user removed since login loses the session.
                let role = state.users.role_of(&s.user)?;
                Some(Identity {
                    user: s.user,
                    role,
                    via: Via::Session { id, csrf: s.csrf },
                })
            }),
    };
    let Some(identity) = identity else {
        return unauthorized(is_api, req.uri());
    };
    if is_state_changing(req.method()) {
        if !same_origin(req.headers()) {
            return ApiError::new(StatusCode::FORBIDDEN, "cross-origin request refused")
                .into_response();
        }
        if let Via::Session { csrf, .. } = &identity.via {
            let sent = req
                .headers()
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let sent = match sent {
                Some(s) => Some(s),
                None => form_csrf(&mut req).await,
            };
            if !sent.is_some_and(|s| same_secret(&s, csrf)) {
                return ApiError::new(StatusCode::FORBIDDEN, "missing or wrong CSRF token")
                    .into_response();
            }
        }
    }
    req.extensions_mut().insert(identity);
    next.run(req).await
}

/// The `csrf` field of an urlencoded form body (the body is put back).
async fn form_csrf(req: &mut Request) -> Option<String> {
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return None;
    }
    let body = std::mem::take(req.body_mut());
    let bytes = axum::body::to_bytes(body, MAX_BODY).await.ok()?;
    let csrf = form_field(&bytes, "csrf");
    *req.body_mut() = axum::body::Body::from(bytes);
    csrf
}

/// Drops a removed user's sessions.
pub(crate) fn forget_user(state: &AppState, user: &str) {
    state.sessions.remove_user(user);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_checks() {
        let mut h = HeaderMap::new();
        assert!(same_origin(&h));
        h.insert(header::HOST, "127.0.0.1:3000".parse().unwrap());
        h.insert(header::ORIGIN, "http://127.0.0.1:3000".parse().unwrap());
        assert!(same_origin(&h));
        h.insert(header::ORIGIN, "http://evil.example".parse().unwrap());
        assert!(!same_origin(&h));
        let mut h = HeaderMap::new();
        h.insert("sec-fetch-site", "cross-site".parse().unwrap());
        assert!(!same_origin(&h));
    }

    #[test]
    fn cookies_and_secrets() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            "a=1; weir_session=abc; b=2".parse().unwrap(),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "c"), None);
        assert!(same_secret("abc", "abc") && !same_secret("abc", "abd") && !same_secret("a", "ab"));
        assert!(ui_next_ok("/flows?x=1") && !ui_next_ok("//evil") && !ui_next_ok("http://x"));
    }
}
