//! The flow history: `/api/v1/flows/history` (ended flows, filtered and paged),
//! `/api/v1/flows/history/top` (top-N by host, protocol, port or probe) and
//! `/api/v1/flows/history/probes`, read from the embedded store of the data directory
//! or from ClickHouse when the configuration names one (every probe's flows).
//! Queries run off the async threads.

use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;
use weir_history::query::parse_time;
use weir_history::{FlowFilter, FlowQuery, GroupBy, HistoryReader};

use crate::error::{ApiError, ApiResult};
use crate::rest::{Params, Q, St, ok, page, valid_token};

const FILTERS: &[&str] = &["since", "until", "host", "l7", "probe"];

/// The filters of a request.
fn filter(p: &Params) -> Result<FlowFilter, ApiError> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let time = |k: &str| -> Result<Option<u64>, ApiError> {
        p.str(k)
            .map(|v| {
                parse_time(v, now).map_err(|e| ApiError::bad(format!("{k}: {e}")).with_field(k))
            })
            .transpose()
    };
    let host = match p.str("host") {
        Some(h) => Some(
            h.parse::<std::net::IpAddr>()
                .map_err(|_| {
                    ApiError::bad(format!("host={h:?}: expected an IP address")).with_field("host")
                })?
                .to_string(),
        ),
        None => None,
    };
    let token = |k: &str| -> Result<Option<String>, ApiError> {
        match p.str(k) {
            Some(v) if !valid_token(v) => Err(ApiError::bad(format!(
                "{k}={v:?}: expected 1 to 64 of A-Z a-z 0-9 . _ - +"
            ))
            .with_field(k)),
            v => Ok(v.map(str::to_string)),
        }
    };
    Ok(FlowFilter {
        since: time("since")?,
        until: time("until")?,
        host,
        l7: token("l7")?,
        probe: token("probe")?,
    })
}

fn unavailable(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        format!("flow history: {e:#}"),
    )
}

/// Runs `f` on the configured history reader, off the async threads.
async fn with_reader<T: Send + 'static>(
    st: &St,
    f: impl FnOnce(&dyn HistoryReader) -> weir_history::Result<T> + Send + 'static,
) -> Result<(T, String), ApiError> {
    let cfg = st.0.run.cfg.clone();
    tokio::task::spawn_blocking(move || {
        let r = weir_pipeline::history::reader(&cfg).map_err(unavailable)?;
        let v = f(r.as_ref()).map_err(unavailable)?;
        Ok((v, r.describe()))
    })
    .await
    .map_err(ApiError::internal)?
}

pub(crate) async fn flows(st: St, q: Q) -> ApiResult {
    let mut allowed = FILTERS.to_vec();
    allowed.extend(["offset", "limit"]);
    let p = Params::new(q, &allowed)?;
    let filter = filter(&p)?;
    let (offset, limit) = p.paging()?;
    let query = FlowQuery {
        filter,
        limit,
        offset,
    };
    let (pg, source) = with_reader(&st, move |r| r.flows(&query)).await?;
    let items = pg
        .flows
        .iter()
        .map(|f| serde_json::to_value(f).unwrap_or_default())
        .collect();
    let mut v = page(
        items,
        usize::try_from(pg.total).unwrap_or(usize::MAX),
        offset,
        limit,
    );
    v["source"] = json!(source);
    ok(v)
}

pub(crate) async fn top(st: St, q: Q) -> ApiResult {
    let mut allowed = FILTERS.to_vec();
    allowed.extend(["by", "n"]);
    let p = Params::new(q, &allowed)?;
    let filter = filter(&p)?;
    let by_name = p.str("by").unwrap_or("host").to_string();
    let by = GroupBy::from_name(&by_name).ok_or_else(|| {
        ApiError::bad(format!("by={by_name:?}: expected host, l7, port or probe")).with_field("by")
    })?;
    let n = p
        .parse::<usize>("n", "an integer from 1 to 100")?
        .unwrap_or(10);
    if !(1..=100).contains(&n) {
        return Err(
            ApiError::bad(format!("n={n}: expected an integer from 1 to 100")).with_field("n"),
        );
    }
    let (rows, source) = with_reader(&st, move |r| r.top(&filter, by, n)).await?;
    ok(json!({"data": rows, "by": by_name, "n": n, "source": source}))
}

pub(crate) async fn probes(State(st): St, q: Q) -> ApiResult {
    Params::new(q, &[])?;
    let (rows, source) = with_reader(&State(st), |r| r.probes()).await?;
    ok(json!({"data": rows, "source": source}))
}

/// The "Historical flows" page: filters, a time range, top talkers and protocols over
/// the range, and the flows; filled by `assets/history.js`.
pub(crate) async fn page_html(
    State(st): St,
    axum::Extension(id): axum::Extension<crate::auth::Identity>,
) -> axum::response::Response {
    let body = r#"<form class="filters" id="history-filters">
<label>From <input name="since" value="-24h" placeholder="-24h, 2024-05-01T10:00, epoch" maxlength="32"></label>
<label>To <input name="until" placeholder="now" maxlength="32"></label>
<label>Host <input name="host" placeholder="IP address" maxlength="45"></label>
<label>Application <input name="l7" placeholder="e.g. TLS, DNS" maxlength="64"></label>
<label>Probe <select name="probe" id="history-probe"><option value="">all probes</option></select></label>
<span class="presets" id="history-presets">
<button type="button" data-since="-1h">1 h</button><button type="button" data-since="-24h">24 h</button>
<button type="button" data-since="-7d">7 days</button><button type="button" data-since="">all</button></span>
<button type="submit">Search</button></form>
<p class="error" id="history-error" hidden></p>
<p class="note" id="history-source"></p>
<div class="cards">
<section class="card"><h2>Top talkers</h2><table class="data" id="history-top-hosts"><thead><tr>
<th>Host</th><th class="num">Flows</th><th class="num">Bytes</th></tr></thead><tbody></tbody></table></section>
<section class="card"><h2>Top protocols</h2><table class="data" id="history-top-l7"><thead><tr>
<th>Application</th><th class="num">Flows</th><th class="num">Bytes</th></tr></thead><tbody></tbody></table></section>
</div>
<table class="data" id="history-flows"><thead><tr>
<th>Last seen</th><th>Probe</th><th>Client</th><th>Server</th><th>L4</th><th>Application</th>
<th class="num">Bytes</th><th class="num">Packets</th><th class="num">Duration</th><th class="num">Score</th><th>Info</th>
</tr></thead><tbody></tbody></table>
<div class="pager" id="history-pager"><button type="button" data-dir="-1">‹ Previous</button>
<span class="range"></span><button type="button" data-dir="1">Next ›</button></div>
<script src="/static/history.js"></script>"#
        .to_string();
    crate::ui::frame(
        &st,
        &id,
        crate::ui::Page {
            key: "flows-history",
            title: "Historical flows",
            body,
            data: vec![],
            charts: false,
        },
    )
}
