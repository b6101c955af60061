//! Alert endpoints over REST (ntopng 4.2's recipient model): the loaded endpoint
//! modules, endpoint configurations and recipients of the running `weir run`
//! (created ones are kept in the data directory and apply at once), and
//! `runTest(recipient)`.

use std::sync::Arc;

use axum::extract::Path;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::{Extension, Json};
use serde_json::{Value, json};
use weir_pipeline::recipients::{self, NewEndpointConf, NewRecipient, Recipients};

use crate::auth::Identity;
use crate::error::{ApiError, ApiResult};
use crate::rest::{Body, ok, page};

fn running() -> Result<Arc<Recipients>, ApiError> {
    recipients::current().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "alert endpoints run with `weir run`; none is running in this process",
        )
    })
}

/// Runs blocking work (file writes, a module's `runTest`) off the async threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> Result<anyhow::Result<T>, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(ApiError::internal)
}

fn bad(e: &anyhow::Error) -> ApiError {
    let msg = format!("{e:#}");
    if msg.starts_with("no recipient") || msg.starts_with("no endpoint config") {
        ApiError::not_found(msg)
    } else {
        ApiError::bad(msg)
    }
}

/// `GET /api/v1/alert_endpoints`: the endpoint modules with their parameters.
pub(super) async fn types() -> ApiResult {
    let r = running()?;
    let items: Vec<Value> = r.types().iter().map(|t| json!(t)).collect();
    let n = items.len();
    ok(page(items, n, 0, n))
}

fn conf_value(r: &Recipients, c: &weir_alerts::EndpointConf) -> Value {
    json!({
        "name": c.name,
        "endpoint": c.endpoint_key,
        "conf_params": c.params,
        "builtin": c.builtin,
        "origin": r.origin(&format!("conf:{}", c.name)),
    })
}

/// `GET /api/v1/alert_endpoints/configs`.
pub(super) async fn configs() -> ApiResult {
    let r = running()?;
    let items: Vec<Value> = r.set().confs().iter().map(|c| conf_value(&r, c)).collect();
    let n = items.len();
    ok(page(items, n, 0, n))
}

/// `POST /api/v1/alert_endpoints/configs` (admin).
pub(super) async fn add_config(
    Extension(id): Extension<Identity>,
    body: Result<Json<NewEndpointConf>, JsonRejection>,
) -> ApiResult {
    id.require_admin()?;
    let n = Body::from(body)?;
    let r = running()?;
    let r2 = r.clone();
    let c = blocking(move || r2.add_conf(n))
        .await?
        .map_err(|e| bad(&e))?;
    tracing::info!("web: endpoint config {:?} created by {:?}", c.name, id.user);
    let mut resp = Json(conf_value(&r, &c)).into_response();
    *resp.status_mut() = StatusCode::CREATED;
    Ok(resp)
}

/// `DELETE /api/v1/alert_endpoints/configs/{name}` (admin).
pub(super) async fn remove_config(
    Extension(id): Extension<Identity>,
    Path(name): Path<String>,
) -> ApiResult {
    id.require_admin()?;
    let r = running()?;
    let n = name.clone();
    blocking(move || r.delete_conf(&n))
        .await?
        .map_err(|e| bad(&e))?;
    tracing::info!("web: endpoint config {name:?} deleted by {:?}", id.user);
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn recipient_value(r: &Recipients, x: &weir_alerts::Recipient) -> Value {
    let (high, low) = r.queues().len(usize::from(x.id));
    json!({
        "recipient_id": x.id,
        "recipient_name": x.name,
        "endpoint_conf_name": x.endpoint_conf_name,
        "recipient_params": x.params,
        "minimum_severity": x.minimum_severity.name(),
        "user_script_categories": x.categories.iter()
            .filter_map(|c| weir_alerts::SCRIPT_CATEGORIES.get(usize::from(*c)))
            .collect::<Vec<_>>(),
        "builtin": x.builtin,
        "origin": r.origin(&format!("recipient:{}", x.name)),
        "queued": { "high": high, "low": low },
        "stats": r.queues().stats(usize::from(x.id)),
    })
}

/// `GET /api/v1/alert_endpoints/recipients`.
pub(super) async fn list() -> ApiResult {
    let r = running()?;
    let items: Vec<Value> = r
        .set()
        .recipients()
        .iter()
        .map(|x| recipient_value(&r, x))
        .collect();
    let n = items.len();
    ok(page(items, n, 0, n))
}

/// `POST /api/v1/alert_endpoints/recipients` (admin).
pub(super) async fn add(
    Extension(id): Extension<Identity>,
    body: Result<Json<NewRecipient>, JsonRejection>,
) -> ApiResult {
    id.require_admin()?;
    let n = Body::from(body)?;
    let r = running()?;
    let r2 = r.clone();
    let x = blocking(move || r2.add_recipient(n))
        .await?
        .map_err(|e| bad(&e))?;
    tracing::info!("web: recipient {:?} created by {:?}", x.name, id.user);
    let mut resp = Json(recipient_value(&r, &x)).into_response();
    *resp.status_mut() = StatusCode::CREATED;
    Ok(resp)
}

fn recipient_id(s: &str) -> Result<u8, ApiError> {
    s.parse::<u8>()
        .ok()
        .filter(|i| usize::from(*i) < weir_alerts::MAX_RECIPIENTS)
        .ok_or_else(|| ApiError::bad("recipient id: expected 0 to 63"))
}

/// `DELETE /api/v1/alert_endpoints/recipients/{id}` (admin).
pub(super) async fn remove(
    Extension(id): Extension<Identity>,
    Path(rid): Path<String>,
) -> ApiResult {
    id.require_admin()?;
    let rid = recipient_id(&rid)?;
    let r = running()?;
    blocking(move || r.delete_recipient(rid))
        .await?
        .map_err(|e| bad(&e))?;
    tracing::info!("web: recipient {rid} deleted by {:?}", id.user);
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /api/v1/alert_endpoints/recipients/{id}/test` (admin): the module's
/// `runTest(recipient)`.
pub(super) async fn test(Extension(id): Extension<Identity>, Path(rid): Path<String>) -> ApiResult {
    id.require_admin()?;
    let rid = recipient_id(&rid)?;
    let r = running()?;
    let (success, message) = blocking(move || r.test(rid)).await?.map_err(|e| bad(&e))?;
    ok(json!({ "success": success, "message": message }))
}
