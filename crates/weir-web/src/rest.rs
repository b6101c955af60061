//! What the REST handlers share: the state extractor [`St`], the JSON answer [`ok`],
//! strict query parameters ([`Params`]), JSON bodies ([`Body`]) and list pages
//! (`{"data": [...], "total", "offset", "limit"}`, [`page`], [`paged`]).

use std::collections::HashSet;
use std::str::FromStr;
use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde_json::{Value, json};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Default page size.
const DEFAULT_LIMIT: usize = 50;
/// Largest page size.
const MAX_LIMIT: usize = 1000;

/// The shared state, as handlers extract it.
pub(crate) type St = State<Arc<AppState>>;

/// A JSON answer, not to be cached.
pub(crate) fn ok(v: Value) -> ApiResult {
    let mut r = Json(v).into_response();
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(r)
}

/// Query parameters, checked against the names an endpoint accepts.
pub(crate) struct Params(Vec<(String, String)>);

/// The query string of a request, as pairs.
pub(crate) type Q = Result<Query<Vec<(String, String)>>, QueryRejection>;

impl Params {
    pub(crate) fn new(q: Q, allowed: &[&str]) -> Result<Params, ApiError> {
        Params::with_prefix(q, allowed, None)
    }

    /// As [`Params::new`], also accepting any name that starts with `prefix`.
    pub(crate) fn with_prefix(
        q: Q,
        allowed: &[&str],
        prefix: Option<&str>,
    ) -> Result<Params, ApiError> {
        let Query(pairs) = q.map_err(|e| ApiError::bad(format!("bad query string: {e}")))?;
        let mut seen = HashSet::new();
        for (k, v) in &pairs {
            let prefixed = prefix.is_some_and(|p| k.len() > p.len() && k.starts_with(p));
            if !allowed.contains(&k.as_str()) && !prefixed {
                return Err(ApiError::bad(format!(
                    "unknown parameter {k:?} (accepted: {})",
                    allowed.join(", ")
                )));
            }
            if !seen.insert(k.as_str()) {
                return Err(ApiError::bad(format!("parameter {k:?} given twice")));
            }
            if v.len() > 256 {
                return Err(ApiError::bad(format!("parameter {k:?} is too long")));
            }
        }
        Ok(Params(pairs))
    }

    /// Every pair whose name starts with `prefix`, the prefix removed.
    pub(crate) fn prefixed(&self, prefix: &str) -> Vec<(String, String)> {
        self.0
            .iter()
            .filter_map(|(k, v)| k.strip_prefix(prefix).map(|n| (n.to_string(), v.clone())))
            .collect()
    }

    /// A non-empty value.
    pub(crate) fn str(&self, k: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, v)| n == k && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn parse<T: FromStr>(&self, k: &str, what: &str) -> Result<Option<T>, ApiError> {
        match self.str(k) {
            None => Ok(None),
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|_| ApiError::bad(format!("{k}={v:?}: expected {what}")).with_field(k)),
        }
    }

    pub(crate) fn bool(&self, k: &str) -> Result<Option<bool>, ApiError> {
        match self.str(k) {
            None => Ok(None),
            Some("true" | "1") => Ok(Some(true)),
            Some("false" | "0") => Ok(Some(false)),
            Some(v) => Err(ApiError::bad(format!("{k}={v:?}: expected true or false"))),
        }
    }

    /// `offset` and `limit` (default 50, at most 1000).
    pub(crate) fn paging(&self) -> Result<(usize, usize), ApiError> {
        let offset = self
            .parse::<u32>("offset", "a non-negative integer")?
            .unwrap_or(0) as usize;
        let limit = self
            .parse::<usize>("limit", "an integer from 1 to 1000")?
            .unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::bad(format!(
                "limit={limit}: expected an integer from 1 to {MAX_LIMIT}"
            )));
        }
        Ok((offset, limit))
    }

    /// `sort` (one of `keys`, default `default`) and `order` (`asc`/`desc`, default desc).
    pub(crate) fn sort(
        &self,
        keys: &[&str],
        default: &'static str,
    ) -> Result<(String, bool), ApiError> {
        let sort = self.str("sort").unwrap_or(default);
        if !keys.contains(&sort) {
            return Err(ApiError::bad(format!(
                "sort={sort:?}: expected one of {}",
                keys.join(", ")
            )));
        }
        let desc = match self.str("order").unwrap_or("desc") {
            "desc" => true,
            "asc" => false,
            o => return Err(ApiError::bad(format!("order={o:?}: expected asc or desc"))),
        };
        Ok((sort.to_string(), desc))
    }
}

/// A JSON body; malformed or mistyped bodies are 400s (415 without a JSON type, 413
/// when too large).
pub(crate) struct Body<T>(T);

impl<T> Body<T> {
    pub(crate) fn from(b: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
        match b {
            Ok(Json(v)) => Ok(v),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "expected Content-Type: application/json",
            )),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiError::new(e.status(), e.body_text()))
            }
            Err(e) => Err(ApiError::bad(e.body_text())),
        }
    }
}

/// A list answer: one page of `items` out of `total`.
pub(crate) fn page(items: Vec<Value>, total: usize, offset: usize, limit: usize) -> Value {
    json!({"data": items, "total": total, "offset": offset, "limit": limit})
}

/// One page of `rows` (every match, in order), each turned into JSON by `to_value`.
pub(crate) fn paged<T>(
    rows: Vec<T>,
    offset: usize,
    limit: usize,
    to_value: impl FnMut(T) -> Value,
) -> Value {
    let total = rows.len();
    page(
        rows.into_iter()
            .skip(offset)
            .take(limit)
            .map(to_value)
            .collect(),
        total,
        offset,
        limit,
    )
}

/// A protocol name: 1 to 64 of `A-Z a-z 0-9 . _ - +`.
pub(crate) fn valid_token(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'+'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter;

    #[test]
    fn prefixed_params() {
        let q = |s: &str| {
            Query::<Vec<(String, String)>>::try_from_uri(&format!("/x?{s}").parse().unwrap())
        };
        let p = Params::with_prefix(
            q("schema=a:b&tag.ifid=0&tag.host=1.2.3.4"),
            &["schema"],
            Some("tag."),
        )
        .unwrap();
        assert_eq!(
            p.prefixed("tag."),
            [
                ("ifid".to_string(), "0".to_string()),
                ("host".into(), "1.2.3.4".into())
            ]
        );
        // The prefix alone is not a name; other names are refused.
        assert!(Params::with_prefix(q("tag.=1"), &["schema"], Some("tag.")).is_err());
        assert!(Params::with_prefix(q("tags.x=1"), &["schema"], Some("tag.")).is_err());
        assert!(Params::with_prefix(q("tag.x=1&tag.x=2"), &["schema"], Some("tag.")).is_err());
    }

    #[test]
    fn params_are_strict() {
        let q = |s: &str| {
            Query::<Vec<(String, String)>>::try_from_uri(&format!("/x?{s}").parse().unwrap())
        };
        assert!(Params::new(q("limit=5"), &["limit"]).is_ok());
        assert!(Params::new(q("nope=5"), &["limit"]).is_err());
        assert!(Params::new(q("limit=5&limit=6"), &["limit"]).is_err());
        let p = Params::new(q("limit=0"), &["limit", "offset"]).unwrap();
        assert!(p.paging().is_err());
        let p = Params::new(q("limit=&offset=3"), &["limit", "offset"]).unwrap();
        assert_eq!(p.paging().unwrap(), (3, DEFAULT_LIMIT));
        let p = Params::new(q("sort=bytes&order=up"), &["sort", "order"]).unwrap();
        assert!(p.sort(filter::FLOW_SORT_KEYS, "bytes").is_err());
    }
}
