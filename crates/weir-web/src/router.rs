//! The whole application's router: public routes, the API, UI and plugin pages behind
//! authentication, `/metrics`, and the layers every answer goes through (body limit,
//! JSON errors under `/api/`, compression, security headers).

use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::error::ApiError;
use crate::state::{AppState, MAX_BODY};
use crate::{api, auth, metrics, ntopng, pages, ui};

/// The whole application: public routes, then the API and UI behind authentication.
pub(crate) fn router(state: Arc<AppState>) -> Router {
    let protected = api::routes()
        .into_iter()
        .fold(Router::new(), |r, (_, path, method)| r.route(path, method))
        .merge(ui::protected_routes())
        .merge(pages::routes())
        .merge(ntopng::routes())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::require_auth,
        ));
    Router::new()
        .merge(api::public_routes())
        .merge(ui::public_routes())
        .merge(protected)
        .merge(metrics::routes(state.clone()))
        .fallback(ui::not_found)
        .layer(tower_http::limit::RequestBodyLimitLayer::new(MAX_BODY))
        .layer(axum::middleware::from_fn(json_errors))
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(security_header(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ))
        .layer(security_header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(security_header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(security_header(header::REFERRER_POLICY, "same-origin"))
        .with_state(state)
}

fn security_header(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

/// Turns the framework's plain-text errors on `/api/` paths (unknown method, body too
/// large, bad path segment...) into JSON errors.
async fn json_errors(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let resp = next.run(req).await;
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !api || status.as_u16() < 400 || is_json {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let text = axum::body::to_bytes(body, 4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let message = if text.is_empty() {
        status.canonical_reason().unwrap_or("error").to_string()
    } else {
        text
    };
    let mut r = ApiError::new(status, message).into_response();
    for (k, v) in parts.headers.iter() {
        if k == header::ALLOW || k == header::WWW_AUTHENTICATE {
            r.headers_mut().insert(k.clone(), v.clone());
        }
    }
    r
}
