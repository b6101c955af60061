//! The REST API, `/api/v1`: JSON in and out, list responses as
//! `{"data": [...], "total", "offset", "limit"}`, errors as `{"error", "status"}`.
//! Every endpoint is in [`routes`] or [`public_routes`] and described in
//! `openapi.json` (a test keeps them equal); the handlers are in the modules named
//! after what they serve.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use axum::{Extension, Router};
use serde_json::json;

use crate::auth::Identity;
use crate::error::ApiResult;
use crate::rest::{St, ok};
use crate::state::AppState;
use crate::{admin, alerts, flows, history, interfaces, recipients, scripts, timeseries};

/// The OpenAPI document of this API.
pub(crate) const OPENAPI: &str = include_str!("openapi.json");

/// Routes anyone may call.
pub(crate) fn public_routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v1/health", get(health))
        .route("/api/v1/openapi.json", get(openapi))
}

/// The authenticated API: (method, path, handler). [`crate::router::router`] mounts them; the
/// OpenAPI test compares them with `openapi.json`.
pub(crate) fn routes() -> Vec<(&'static str, &'static str, MethodRouter<Arc<AppState>>)> {
    use axum::routing::{delete, post, put};
    vec![
        ("get", "/api/v1/me", get(me)),
        ("get", "/api/v1/interfaces", get(interfaces::interfaces)),
        (
            "get",
            "/api/v1/interfaces/{ifid}",
            get(interfaces::interface),
        ),
        (
            "get",
            "/api/v1/interfaces/{ifid}/throughput",
            get(interfaces::throughput),
        ),
        (
            "get",
            "/api/v1/interfaces/{ifid}/l7",
            get(interfaces::interface_l7),
        ),
        ("get", "/api/v1/flows", get(flows::flows)),
        ("get", "/api/v1/flows/history", get(history::flows)),
        ("get", "/api/v1/flows/history/top", get(history::top)),
        ("get", "/api/v1/flows/history/probes", get(history::probes)),
        ("get", "/api/v1/hosts", get(flows::hosts)),
        ("get", "/api/v1/hosts/{ip}", get(flows::host)),
        ("get", "/api/v1/hosts/{ip}/l7", get(flows::host_l7)),
        ("get", "/api/v1/hosts/{ip}/peers", get(flows::host_peers)),
        ("get", "/api/v1/alerts", get(alerts::alerts)),
        ("get", "/api/v1/alerts/counts", get(alerts::alert_counts)),
        ("get", "/api/v1/alerts/{kind}/{id}", get(alerts::alert)),
        (
            "delete",
            "/api/v1/alerts/{kind}/{id}",
            delete(alerts::remove),
        ),
        ("post", "/api/v1/alerts/{kind}/{id}/ack", post(alerts::ack)),
        (
            "post",
            "/api/v1/alerts/{kind}/{id}/unack",
            post(alerts::unack),
        ),
        ("get", "/api/v1/networks", get(interfaces::networks)),
        ("get", "/api/v1/scripts", get(scripts::list)),
        ("get", "/api/v1/scripts/stats", get(scripts::stats)),
        ("get", "/api/v1/scripts/{subdir}/{key}", get(scripts::show)),
        (
            "post",
            "/api/v1/scripts/{subdir}/{key}/enable",
            post(scripts::enable),
        ),
        (
            "post",
            "/api/v1/scripts/{subdir}/{key}/disable",
            post(scripts::disable),
        ),
        (
            "put",
            "/api/v1/scripts/{subdir}/{key}/config",
            put(scripts::configure),
        ),
        (
            "post",
            "/api/v1/scripts/{subdir}/{key}/config",
            post(scripts::configure),
        ),
        ("get", "/api/v1/plugins", get(scripts::plugins)),
        ("post", "/api/v1/plugins/reload", post(scripts::reload)),
        (
            "get",
            "/api/v1/timeseries/schemas",
            get(timeseries::schemas),
        ),
        ("get", "/api/v1/timeseries/query", get(timeseries::query)),
        ("get", "/api/v1/timeseries/top", get(timeseries::top)),
        (
            "get",
            "/api/v1/syslog/producers",
            get(interfaces::syslog_producers),
        ),
        ("get", "/api/v1/users", get(admin::users)),
        ("post", "/api/v1/users", post(admin::add_user)),
        ("delete", "/api/v1/users/{name}", delete(admin::remove_user)),
        ("get", "/api/v1/tokens", get(admin::tokens)),
        ("post", "/api/v1/tokens", post(admin::add_token)),
        ("delete", "/api/v1/tokens/{id}", delete(admin::remove_token)),
        ("get", "/api/v1/alert_endpoints", get(recipients::types)),
        (
            "get",
            "/api/v1/alert_endpoints/configs",
            get(recipients::configs),
        ),
        (
            "post",
            "/api/v1/alert_endpoints/configs",
            post(recipients::add_config),
        ),
        (
            "delete",
            "/api/v1/alert_endpoints/configs/{name}",
            delete(recipients::remove_config),
        ),
        (
            "get",
            "/api/v1/alert_endpoints/recipients",
            get(recipients::list),
        ),
        (
            "post",
            "/api/v1/alert_endpoints/recipients",
            post(recipients::add),
        ),
        (
            "delete",
            "/api/v1/alert_endpoints/recipients/{id}",
            delete(recipients::remove),
        ),
        (
            "post",
            "/api/v1/alert_endpoints/recipients/{id}/test",
            post(recipients::test),
        ),
    ]
}

async fn health(State(st): St) -> ApiResult {
    let snap = st.snapshots.get();
    ok(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "uptime_secs": st.started.elapsed().as_secs(),
        "capture_finished": snap.finished,
        "clock_us": snap.clock_us,
        "alert_store": if st.alerts.is_some() { "ok" } else { "unavailable" },
    }))
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

async fn me(Extension(id): Extension<Identity>) -> ApiResult {
    ok(json!({"user": id.user, "role": id.role.name(), "csrf_token": id.csrf()}))
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    #[test]
    fn openapi_matches_routes() {
        let doc: Value = serde_json::from_str(OPENAPI).expect("openapi.json is JSON");
        assert_eq!(doc["openapi"].as_str().map(|v| &v[..2]), Some("3."));
        let mut documented: Vec<(String, String)> = doc["paths"]
            .as_object()
            .unwrap()
            .iter()
            .flat_map(|(path, ops)| {
                ops.as_object()
                    .unwrap()
                    .keys()
                    .filter(|m| ["get", "post", "put", "patch", "delete"].contains(&m.as_str()))
                    .map(move |m| (m.clone(), path.clone()))
            })
            .collect();
        let mut served: Vec<(String, String)> = routes()
            .into_iter()
            .map(|(m, p, _)| (m.to_string(), p.to_string()))
            .chain([
                ("get".to_string(), "/api/v1/health".to_string()),
                ("get".to_string(), "/api/v1/openapi.json".to_string()),
                ("get".to_string(), "/metrics".to_string()),
            ])
            .collect();
        documented.sort();
        served.sort();
        assert_eq!(documented, served);
        // Every path parameter is declared.
        for (path, ops) in doc["paths"].as_object().unwrap() {
            for (_, op) in ops.as_object().unwrap() {
                for seg in path.split('/').filter(|s| s.starts_with('{')) {
                    let name = seg.trim_matches(|c| c == '{' || c == '}');
                    let declared = op["parameters"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|p| p["name"] == name && p["in"] == "path");
                    assert!(declared, "{path}: parameter {name} not declared");
                }
            }
        }
    }
}
