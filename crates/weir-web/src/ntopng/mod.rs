//! ntopng's REST API v2 (and the few v1 endpoints scripts still call), served from
//! weir's data so that the clients ntopng users already run — ntop's Python package
//! `ntopng`, dashboards, scripts — work against `weir run --web` unchanged.
//!
//! Every answer has ntopng's envelope `{"rc", "rc_str", "rc_str_hr", "rsp"}` (`rc` 0
//! and `"OK"` on success; a negative code, its name and an HTTP error status
//! otherwise). Authentication is weir's own (Basic, `Authorization: Token …` or
//! `Bearer …`, a session), applied by the router like every other protected route.
//! Parameters come from the query string and, for POST, from a JSON object or form
//! body, as ntopng reads them; parameters an endpoint does not use are ignored (as
//! ntopng does), parameters it uses are validated.
//!
//! The endpoints map onto weir's data (`docs/rest-ntopng.md` lists them):
//! - [`live`]: interfaces, hosts and flows of the engines' snapshots;
//! - [`alerts`]: alert type and severity constants, counters, lists and top-N from
//!   the alert store; the checks' enable/disable (`scripts.toml`);
//! - [`ts`]: timeseries schemas and queries of the run's timeseries store;
//! - [`history`]: the historical flow queries, answered by a [`FlowHistory`] when
//!   the run has one ([`store`]: the configuration's history store, by default); the SQL-ish clauses they carry are parsed by [`sql`] into a
//!   restricted grammar and rejected with a 400 otherwise.

pub(crate) mod alerts;
pub mod history;
pub(crate) mod live;
pub mod sql;
pub mod store;
pub(crate) mod ts;

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use weir_pipeline::snapshot::SnapshotCell;

use crate::encode::url_decode;
use crate::interfaces::all_interfaces;
use crate::state::{AppState, MAX_BODY};

pub use history::FlowHistory;
pub use store::ReaderHistory;

/// Longest parameter value accepted (`where_clause`s can be long, not unbounded).
const MAX_VALUE: usize = 4096;

/// ntopng's return codes (`rest_utils.consts.err`), with the HTTP status weir answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rc {
    NotFound,
    InvalidInterface,
    NotGranted,
    InvalidHost,
    InvalidArgs,
    InternalError,
    BadFormat,
}

impl Rc {
    fn code(self) -> i32 {
        match self {
            Rc::NotFound => -1,
            Rc::InvalidInterface => -2,
            Rc::NotGranted => -3,
            Rc::InvalidHost => -4,
            Rc::InvalidArgs => -5,
            Rc::InternalError => -6,
            Rc::BadFormat => -7,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Rc::NotFound => "NOT_FOUND",
            Rc::InvalidInterface => "INVALID_INTERFACE",
            Rc::NotGranted => "NOT_GRANTED",
            Rc::InvalidHost => "INVALID_HOST",
            Rc::InvalidArgs => "INVALID_ARGUMENTS",
            Rc::InternalError => "INTERNAL_ERROR",
            Rc::BadFormat => "BAD_FORMAT",
        }
    }

    fn status(self) -> StatusCode {
        match self {
            Rc::NotFound => StatusCode::NOT_FOUND,
            Rc::NotGranted => StatusCode::FORBIDDEN,
            Rc::InternalError => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

/// A failed ntopng request: its return code and what exactly was wrong.
#[derive(Debug)]
pub(crate) struct NtopError {
    rc: Rc,
    message: String,
}

impl NtopError {
    pub(crate) fn new(rc: Rc, message: impl Into<String>) -> NtopError {
        NtopError {
            rc,
            message: message.into(),
        }
    }

    pub(crate) fn args(message: impl Into<String>) -> NtopError {
        NtopError::new(Rc::InvalidArgs, message)
    }

    pub(crate) fn internal(e: impl std::fmt::Display) -> NtopError {
        tracing::warn!("web (ntopng API): {e}");
        NtopError::new(Rc::InternalError, e.to_string())
    }
}

impl From<crate::error::ApiError> for NtopError {
    fn from(e: crate::error::ApiError) -> NtopError {
        let rc = match e.status() {
            StatusCode::NOT_FOUND => Rc::NotFound,
            StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED => Rc::NotGranted,
            s if s.is_server_error() => Rc::InternalError,
            _ => Rc::InvalidArgs,
        };
        NtopError::new(rc, e.message().to_string())
    }
}

impl From<sql::ParseError> for NtopError {
    fn from(e: sql::ParseError) -> NtopError {
        NtopError::new(Rc::BadFormat, e.to_string())
    }
}

impl IntoResponse for NtopError {
    fn into_response(self) -> Response {
        let body = json!({
            "rc": self.rc.code(),
            "rc_str": self.rc.name(),
            "rc_str_hr": self.message,
            "rsp": {},
        });
        no_store((self.rc.status(), axum::Json(body)).into_response())
    }
}

fn no_store(mut r: Response) -> Response {
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    r
}

/// What an ntopng handler answers.
pub(crate) type NtopResult = Result<Response, NtopError>;

/// A successful answer: `rsp` in the envelope.
pub(crate) fn answer(rsp: Value) -> NtopResult {
    answer_with(rsp, "Success")
}

/// A successful answer with a human-readable note (`rc_str_hr`).
pub(crate) fn answer_with(rsp: Value, note: &str) -> NtopResult {
    let body = json!({"rc": 0, "rc_str": "OK", "rc_str_hr": note, "rsp": rsp});
    Ok(no_store(axum::Json(body).into_response()))
}

/// The parameters of a request: the query string, then (POST) a JSON object or an
/// urlencoded form body. JSON numbers and booleans become their text (ntopng's
/// `_GET`/`_POST` are strings); `null` is the same as absent.
#[derive(Debug, Default)]
pub(crate) struct Args(HashMap<String, String>);

impl Args {
    /// A non-empty value.
    pub(crate) fn str(&self, k: &str) -> Option<&str> {
        self.0.get(k).map(String::as_str).filter(|v| !v.is_empty())
    }

    /// A value parsed as `T`; present but unparsable is an error naming it.
    pub(crate) fn parse<T: std::str::FromStr>(
        &self,
        k: &str,
        what: &str,
    ) -> Result<Option<T>, NtopError> {
        match self.str(k) {
            None => Ok(None),
            Some(v) => v
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| NtopError::args(format!("{k}={v:?}: expected {what}"))),
        }
    }

    /// A Lua-ish boolean (`true`/`True`/`1`).
    pub(crate) fn flag(&self, k: &str) -> bool {
        self.str(k)
            .is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
    }

    /// `epoch_begin` and `epoch_end` (seconds since the epoch), under these names.
    pub(crate) fn epochs(
        &self,
        begin: &str,
        end: &str,
    ) -> Result<(Option<u64>, Option<u64>), NtopError> {
        let b = self.parse::<u64>(begin, "seconds since the epoch")?;
        let e = self.parse::<u64>(end, "seconds since the epoch")?;
        if let (Some(b), Some(e)) = (b, e)
            && b > e
        {
            return Err(NtopError::args(format!("{begin}={b} is after {end}={e}")));
        }
        Ok((b, e))
    }

    fn insert(&mut self, k: String, v: String) -> Result<(), NtopError> {
        if k.len() > 64 || v.len() > MAX_VALUE {
            return Err(NtopError::args(format!(
                "parameter {:?} is too long",
                k.chars().take(64).collect::<String>()
            )));
        }
        self.0.insert(k, v);
        Ok(())
    }

    fn add_query(&mut self, q: &str) -> Result<(), NtopError> {
        for kv in q.split('&').filter(|s| !s.is_empty()) {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            let (Some(k), Some(v)) = (url_decode(k), url_decode(v)) else {
                return Err(NtopError::args(format!("badly encoded parameter {kv:?}")));
            };
            self.insert(k, v)?;
        }
        Ok(())
    }

    fn add_json(&mut self, body: &[u8]) -> Result<(), NtopError> {
        let v: Value = serde_json::from_slice(body)
            .map_err(|e| NtopError::new(Rc::BadFormat, format!("request body: {e}")))?;
        let Value::Object(m) = v else {
            return Err(NtopError::new(
                Rc::BadFormat,
                "request body: expected a JSON object",
            ));
        };
        for (k, v) in m {
            let text = match v {
                Value::Null => continue,
                Value::String(s) => s,
                Value::Bool(b) => b.to_string(),
                Value::Number(n) => n.to_string(),
                other => other.to_string(),
            };
            self.insert(k, text)?;
        }
        Ok(())
    }
}

impl<S: Send + Sync> FromRequest<S> for Args {
    type Rejection = NtopError;

    async fn from_request(req: Request, _state: &S) -> Result<Args, NtopError> {
        let mut args = Args::default();
        if let Some(q) = req.uri().query() {
            args.add_query(q)?;
        }
        let ctype = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let body = axum::body::to_bytes(req.into_body(), MAX_BODY)
            .await
            .map_err(|e| NtopError::args(format!("request body: {e}")))?;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(args);
        }
        if ctype.starts_with("application/x-www-form-urlencoded") {
            let text = std::str::from_utf8(&body)
                .map_err(|_| NtopError::new(Rc::BadFormat, "request body: not UTF-8"))?;
            args.add_query(text.trim())?;
        } else {
            // ntopng reads a JSON body whatever its declared type.
            args.add_json(&body)?;
        }
        Ok(args)
    }
}

/// The interface `ifid` names (ntopng requires it on most endpoints; weir takes the
/// first interface when it is missing, and says which one it answered for).
pub(crate) fn iface(st: &AppState, a: &Args) -> Result<(usize, Arc<SnapshotCell>), NtopError> {
    let all = all_interfaces(st);
    let Some(raw) = a.str("ifid") else {
        return all
            .into_iter()
            .next()
            .ok_or_else(|| NtopError::new(Rc::InvalidInterface, "no interface"));
    };
    let n = raw.trim().parse::<usize>().map_err(|_| {
        NtopError::new(
            Rc::InvalidInterface,
            format!("ifid={raw:?}: expected an interface id (an integer)"),
        )
    })?;
    all.into_iter().find(|(i, _)| *i == n).ok_or_else(|| {
        NtopError::new(
            Rc::InvalidInterface,
            format!("no interface {n} (see /lua/rest/v2/get/ntopng/interfaces.lua)"),
        )
    })
}

/// An `ntopng` filter value `VALUE;OP` (`192.168.1.1;eq`): the value and operator
/// (`eq` when none is given).
pub(crate) fn filter_value(raw: &str) -> Result<(&str, &str), NtopError> {
    let (v, op) = raw.split_once(';').unwrap_or((raw, "eq"));
    match op {
        "eq" | "neq" | "lt" | "gt" | "lte" | "gte" | "in" | "nin" => Ok((v, op)),
        _ => Err(NtopError::args(format!(
            "{raw:?}: unknown operator {op:?} (eq, neq, lt, gt, lte, gte, in, nin)"
        ))),
    }
}

/// Every path of the ntopng compatibility layer with its handler.
pub(crate) fn routes() -> Router<Arc<AppState>> {
    const V2: &str = "/lua/rest/v2";
    const PRO: &str = "/lua/pro/rest/v2";
    Router::new()
        .route(&format!("{V2}/connect/test.lua"), get(live::connect_test))
        .route(
            &format!("{V2}/get/ntopng/interfaces.lua"),
            get(live::interfaces),
        )
        .route(
            &format!("{V2}/get/interface/data.lua"),
            get(live::iface_data),
        )
        .route(
            &format!("{V2}/get/interface/address.lua"),
            get(live::iface_address),
        )
        .route(
            &format!("{V2}/get/interface/bcast_domains.lua"),
            get(live::bcast_domains),
        )
        .route(
            &format!("{V2}/get/interface/l7/stats.lua"),
            get(live::iface_l7_stats),
        )
        .route(
            &format!("{V2}/get/interface/dscp/stats.lua"),
            get(live::iface_dscp),
        )
        .route(
            &format!("{V2}/get/host/active.lua"),
            get(live::active_hosts),
        )
        .route(&format!("{V2}/get/host/data.lua"), get(live::host_data))
        .route(
            &format!("{V2}/get/host/l7/stats.lua"),
            get(live::host_l7_stats),
        )
        .route(
            &format!("{V2}/get/host/dscp/stats.lua"),
            get(live::host_dscp),
        )
        .route(
            &format!("{V2}/get/host/interfaces.lua"),
            get(live::host_interfaces),
        )
        .route(
            &format!("{V2}/get/flow/active.lua"),
            get(live::active_flows),
        )
        .route(
            &format!("{V2}/get/flow/l4/counters.lua"),
            get(live::l4_counters),
        )
        .route(
            &format!("{V2}/get/flow/l7/counters.lua"),
            get(live::l7_counters),
        )
        .route(
            &format!("{PRO}/get/interface/top/local/talkers.lua"),
            get(live::top_local_talkers),
        )
        .route(
            &format!("{PRO}/get/interface/top/remote/talkers.lua"),
            get(live::top_remote_talkers),
        )
        .route(
            &format!("{V2}/get/alert/type/consts.lua"),
            get(alerts::type_consts),
        )
        .route(
            &format!("{V2}/get/alert/severity/consts.lua"),
            get(alerts::severity_consts),
        )
        .route(
            &format!("{V2}/get/alert/type/counters.lua"),
            get(alerts::type_counters),
        )
        .route(
            &format!("{V2}/get/alert/severity/counters.lua"),
            get(alerts::severity_counters),
        )
        .route(
            &format!("{V2}/get/alert/list/alerts.lua"),
            get(alerts::list_alerts).post(alerts::list_alerts),
        )
        .route(&format!("{V2}/get/alert/top.lua"), get(alerts::top))
        .route(
            &format!("{PRO}/get/flow/alert/top.lua"),
            get(alerts::flow_top),
        )
        .route(
            &format!("{V2}/get/flow/alert/list.lua"),
            get(alerts::flow_alert_list),
        )
        .route(
            "/lua/rest/v1/get/flow/alert/list.lua",
            get(alerts::flow_alert_list),
        )
        .route(
            &format!("{V2}/get/host/alert/list.lua"),
            get(alerts::host_alert_list),
        )
        .route("/lua/rest/v1/enable/check.lua", post(alerts::enable_check))
        .route(
            "/lua/rest/v1/disable/check.lua",
            post(alerts::disable_check),
        )
        .route(
            &format!("{V2}/enable/check.lua"),
            post(alerts::enable_check),
        )
        .route(
            &format!("{V2}/disable/check.lua"),
            post(alerts::disable_check),
        )
        .route(
            &format!("{V2}/get/timeseries/type/consts.lua"),
            get(ts::type_consts),
        )
        .route(
            &format!("{V2}/get/timeseries/ts.lua"),
            get(ts::ts).post(ts::ts),
        )
        .route(
            &format!("{PRO}/get/host/top/ts_stats.lua"),
            get(ts::host_top_stats),
        )
        .route(
            &format!("{PRO}/get/db/flows.lua"),
            get(history::db_flows).post(history::db_flows),
        )
        .route(
            &format!("{PRO}/get/db/topk_flows.lua"),
            get(history::topk_flows).post(history::topk_flows),
        )
        .route(
            &format!("{PRO}/get/db/historical_db_search.lua"),
            get(history::db_search).post(history::db_search),
        )
        .route("/lua/{*rest}", axum::routing::any(unknown))
}

async fn unknown(req: Request) -> Response {
    NtopError::new(
        Rc::NotFound,
        format!(
            "{} {}: not an endpoint weir serves (see docs/rest-ntopng.md)",
            req.method(),
            req.uri().path()
        ),
    )
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args_from_query_and_json() {
        let mut a = Args::default();
        a.add_query("ifid=0&host=192.168.1.1&breed=True&x=a%20b")
            .unwrap();
        a.add_json(br#"{"epoch_begin": 10, "where_clause": null, "ok": true}"#)
            .unwrap();
        assert_eq!(a.str("host"), Some("192.168.1.1"));
        assert_eq!(a.str("x"), Some("a b"));
        assert!(a.flag("breed") && a.flag("ok"));
        assert_eq!(a.parse::<u64>("epoch_begin", "n").unwrap(), Some(10));
        assert_eq!(a.str("where_clause"), None);
        assert!(a.parse::<u64>("host", "n").is_err());
        assert!(Args::default().add_json(b"[1]").is_err());
        assert!(Args::default().add_query("a=%zz").is_err());
        let long = format!("w={}", "x".repeat(MAX_VALUE + 1));
        assert!(Args::default().add_query(&long).is_err());
    }

    #[test]
    fn filter_values() {
        assert_eq!(filter_value("1.2.3.4;eq").unwrap(), ("1.2.3.4", "eq"));
        assert_eq!(filter_value("1.2.3.4").unwrap(), ("1.2.3.4", "eq"));
        assert!(filter_value("1;drop").is_err());
    }

    #[test]
    fn errors_have_the_envelope() {
        let r = NtopError::args("ifid: bad").into_response();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let body = rt
            .block_on(axum::body::to_bytes(r.into_body(), 4096))
            .unwrap();
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            v,
            json!({"rc": -5, "rc_str": "INVALID_ARGUMENTS", "rc_str_hr": "ifid: bad", "rsp": {}})
        );
    }
}
