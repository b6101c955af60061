//! Plugin custom pages (spec plugins.md §15): `GET`/`POST /plugins/{page}` runs a
//! plugin's `web_gui/<page>` in the page runtime of weir-script ([`weir_script::Pages`])
//! and shows what it printed inside weir's page frame; the plugins' `menu.lua` entries
//! join the frame's menu. Pages read the engine's latest snapshot and the alert store
//! through [`WebData`]. SIGHUP (sent by `weir plugins reload` and
//! `POST /api/v1/plugins/reload`) reloads the pages at the next request.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Extension;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde_json::{Map, Value};
use weir_alerts::{AlertKey, AlertQuery, AlertRecord, AlertStore, AlertTable, SqliteStore};
use weir_script::{
    MenuEntry, PageConfig, PageData, PageFailure, PageOutcome, PageOutput, PageRequest, PageUser,
    Pages, ScriptConfig,
};

use crate::auth::Identity;
use crate::encode::{esc, url_decode};
use crate::state::{AppState, PageService};
use crate::ui::{self, MenuItem};
use crate::users::Role;
use weir_pipeline::config::Config;
use weir_pipeline::snapshot::Snapshot;

/// Memory limit of a page VM: the configured plugin limit, at most this.
const MAX_PAGE_MEMORY: usize = 64 << 20;
/// Wall-clock limit of one page request.
const PAGE_WALL: Duration = Duration::from_secs(2);
/// The stylesheet of the page parts weir draws (navbar, error box).
const CSS: &str = "\
.plugin-navbar { display: flex; align-items: center; flex-wrap: wrap; gap: 14px; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px; margin-bottom: 16px; }
.plugin-navbar-title { font-weight: 600; }
.plugin-navbar ul { list-style: none; display: flex; gap: 4px; margin: 0; padding: 0; }
.plugin-navbar a { display: block; padding: 4px 10px; border-radius: 4px; text-decoration: none; }
.plugin-navbar a.active { background: var(--accent-soft); color: var(--accent); font-weight: 600; }
.plugin-error strong { display: block; margin-bottom: 4px; }
.plugin-error p { margin: 4px 0; }
.plugin-error-at { font-weight: 600; }
.plugin-error-hint { color: var(--muted); font-size: 12px; }
.plugin-page .muted { color: var(--muted); }
.plugin-page code { background: #eef0f3; padding: 0 4px; border-radius: 3px; }
";

impl PageService {
    /// Loads the pages of the configured plugins (problems are logged) and starts
    /// their worker threads.
    pub(crate) fn start(cfg: &Config) -> PageService {
        let plugins = weir_pipeline::builtin::PluginSet::of(cfg).unwrap_or_else(|e| {
            tracing::warn!("web: plugin pages: {e:#}");
            weir_pipeline::builtin::PluginSet::default()
        });
        let defaults = PageConfig::default();
        let memory = usize::try_from(cfg.plugins.memory_limit_mib.saturating_mul(1 << 20))
            .unwrap_or(usize::MAX)
            .min(MAX_PAGE_MEMORY);
        let script = plugins.into_config(ScriptConfig {
            instruction_budget: cfg.plugins.instruction_budget,
            memory_limit: memory,
            wall_limit: PAGE_WALL,
            working_dir: cfg.data_dir.clone(),
            ..defaults.script.clone()
        });
        let pages = Pages::start(PageConfig { script, ..defaults });
        let reload = Arc::new(AtomicBool::new(false));
        if let Err(e) = signal_hook::flag::register(signal_hook::consts::SIGHUP, reload.clone()) {
            tracing::warn!("web: plugin pages will not reload on SIGHUP: {e}");
        }
        let s = pages.stats();
        tracing::info!(
            pages = s.pages,
            menu_entries = s.menu_entries,
            "web: plugin pages loaded"
        );
        PageService { pages, reload }
    }

    /// The runtime, reloaded first if SIGHUP arrived since the last call (blocking).
    fn current(&self) -> &Pages {
        if self.reload.swap(false, Ordering::Relaxed) {
            self.pages.reload();
        }
        &self.pages
    }
}

/// Runs blocking work from a request handler without stalling the other requests of
/// the (multi-threaded) web runtime.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

fn page_user(id: &Identity) -> PageUser {
    PageUser {
        name: id.user.clone(),
        admin: id.role == Role::Admin,
        csrf: id.csrf().to_owned(),
    }
}

/// The menu section of a plugin entry (ntopng's `menu_entry.section`).
fn section(s: &str) -> &'static str {
    match s {
        "system_stats" | "system_health" => "System",
        "pollers" => "Pollers",
        _ => "Plugins",
    }
}

fn item(e: &MenuEntry) -> MenuItem {
    MenuItem {
        section: section(&e.section).into(),
        label: e.label.clone(),
        href: e.url.clone(),
        key: format!("plugin-{}", e.key),
        // ntopng shows higher sort orders first; the frame sorts ascending.
        sort_order: i32::try_from(e.sort_order.saturating_neg()).unwrap_or(0),
    }
}

impl PageService {
    /// The plugin menu entries `id` sees now (`is_shown` evaluated), for the frame.
    pub(crate) fn menu_items(&self, id: &Identity) -> Vec<MenuItem> {
        let user = page_user(id);
        blocking(|| self.current().menu(&user))
            .iter()
            .map(item)
            .collect()
    }
}

/// `/plugins/{page}` and the pages' stylesheet (behind authentication).
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/plugins/{page}", get(page).post(page))
        .route("/plugin-pages.css", get(css))
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=300"),
        ],
        CSS,
    )
        .into_response()
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Html("<!doctype html><title>Not found · weir</title><p>Not found. <a href=\"/\">weir</a></p>\n"),
    )
        .into_response()
}

/// What pages may read: the latest snapshot and the alert store.
struct WebData {
    snap: Arc<Snapshot>,
    alerts: Option<SqliteStore>,
    iface: String,
}

impl PageData for WebData {
    fn interface(&self) -> Value {
        let mut v = self.snap.interface.clone();
        if let Value::Object(m) = &mut v {
            m.insert("name".into(), Value::from(self.iface.as_str()));
            m.insert("id".into(), Value::from(0));
            m.insert("time".into(), Value::from(self.snap.clock_us / 1_000_000));
            m.insert("capture_finished".into(), Value::from(self.snap.finished));
            m.insert("flows_active".into(), Value::from(self.snap.flows_total));
            m.insert("hosts_active".into(), Value::from(self.snap.hosts_total));
        }
        v
    }

    fn flows(&self) -> &[Map<String, Value>] {
        &self.snap.flows
    }

    fn flows_total(&self) -> usize {
        self.snap.flows_total
    }

    fn hosts(&self) -> &[Map<String, Value>] {
        &self.snap.hosts
    }

    fn hosts_total(&self) -> usize {
        self.snap.hosts_total
    }

    fn alerts(&self, kind: &str, alert_type: Option<u32>, limit: usize) -> Vec<Value> {
        let Some(store) = &self.alerts else {
            return Vec::new();
        };
        let table = match kind {
            "engaged" => AlertTable::Engaged,
            "past" => AlertTable::Past,
            _ => AlertTable::Flow,
        };
        let mut q = AlertQuery::new(table);
        q.alert_type = alert_type.map(AlertKey);
        q.limit = Some(u32::try_from(limit).unwrap_or(1000));
        match store.query(&q) {
            Ok(rows) => rows.iter().map(alert_value).collect(),
            Err(e) => {
                tracing::warn!("web: plugin page alert query: {e}");
                Vec::new()
            }
        }
    }
}

/// An alert as the REST API shows it (ntopng field names plus severity and entity
/// names).
fn alert_value(r: &AlertRecord) -> Value {
    let (sev, entity) = match r {
        AlertRecord::Flow(f) => (f.alert_severity, f.entity.kind),
        AlertRecord::Alert(a) => (a.alert_severity, a.entity.kind),
    };
    let mut v = serde_json::to_value(r).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert("alert_severity_name".into(), Value::from(sev.name()));
        m.insert("alert_entity_name".into(), Value::from(entity.name()));
    }
    v
}

/// The fields of an urlencoded form body (undecodable ones dropped).
fn form_fields(headers: &HeaderMap, body: &[u8]) -> Vec<(String, String)> {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let Some(text) = is_form.then(|| std::str::from_utf8(body).ok()).flatten() else {
        return Vec::new();
    };
    text.split('&')
        .filter(|kv| !kv.is_empty())
        .filter_map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            Some((url_decode(k)?, url_decode(v)?))
        })
        .collect()
}

/// The content type a page's raw output is sent with: scripts are sent as text, so
/// that no plugin page can be loaded as a same-origin script (the CSP allows
/// `script-src 'self'`) by HTML some other page printed unescaped.
fn content_type(t: &str) -> &str {
    let lower = t.to_ascii_lowercase();
    if lower.contains("javascript") || lower.contains("ecmascript") || lower.contains("wasm") {
        "text/plain; charset=utf-8"
    } else {
        t
    }
}

/// What goes into the page frame: the body of an HTML page, or the error box of a
/// failed one.
struct Framed {
    plugin: String,
    title: Option<String>,
    active_menu: Option<String>,
    body: Vec<u8>,
    error: Option<weir_script::PageError>,
}

impl Framed {
    fn from_output(o: PageOutput) -> Framed {
        Framed {
            plugin: o.plugin,
            title: o.title,
            active_menu: o.active_menu,
            body: o.body,
            error: None,
        }
    }

    fn from_failure(f: PageFailure) -> Framed {
        Framed {
            plugin: f.plugin,
            title: f.title,
            active_menu: f.active_menu,
            body: Vec::new(),
            error: Some(f.error),
        }
    }
}

/// A page's output sent as it is (not HTML): its media type (scripts as text), its
/// disposition, never cached.
fn raw_page(status: StatusCode, out: PageOutput) -> Response {
    let mut r = (status, out.body).into_response();
    let h = r.headers_mut();
    if let Some(v) = out
        .media_type
        .as_deref()
        .map(content_type)
        .and_then(|t| HeaderValue::from_str(t).ok())
    {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Some(v) = out
        .disposition
        .as_deref()
        .and_then(|t| HeaderValue::from_str(t).ok())
    {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn error_box(e: &weir_script::PageError) -> String {
    let at = match e.line {
        Some(l) => format!("{}:{l}", e.file),
        None => e.file.clone(),
    };
    format!(
        "<div class=\"error plugin-error\" id=\"plugin-error\" role=\"alert\">\
<strong>This plugin page failed.</strong>\
<p><code class=\"plugin-error-at\">{}</code> {}</p>\
<p class=\"plugin-error-hint\">Fix the file and reload the plugins (<code>weir plugins reload</code>); the rest of weir keeps running.</p></div>",
        esc(&at),
        esc(&e.message)
    )
}

async fn page(
    State(st): State<Arc<AppState>>,
    Extension(id): Extension<Identity>,
    method: Method,
    headers: HeaderMap,
    name: Result<Path<String>, PathRejection>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
    body: Bytes,
) -> Response {
    let Ok(Path(name)) = name else {
        return not_found();
    };
    let service = st.pages.clone();
    let known = {
        let s = service.clone();
        let n = name.clone();
        tokio::task::spawn_blocking(move || s.current().has_page(&n))
            .await
            .unwrap_or(false)
    };
    if !known {
        return not_found();
    }
    let req = PageRequest {
        page: name.clone(),
        method: method.as_str().to_owned(),
        query: query.map(|Query(q)| q).unwrap_or_default(),
        form: if method == Method::POST {
            form_fields(&headers, &body)
        } else {
            Vec::new()
        },
        user: page_user(&id),
        data: Arc::new(WebData {
            snap: st.snapshots.get(),
            alerts: st.alerts.clone(),
            iface: st.iface_name.clone(),
        }),
    };
    let Ok(outcome) = tokio::task::spawn_blocking(move || service.pages.render(req)).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    // The page runtime knows nothing of HTTP: its outcome becomes a status here.
    let (status, resp) = match outcome {
        PageOutcome::NotFound => return not_found(),
        PageOutcome::Rendered(out) => {
            // The page's own code (`sendHTTPContentTypeHeader`'s fifth argument)
            // counts when it is an HTTP status from 200 to 599.
            let code = out.code.filter(|c| (200..600).contains(c)).unwrap_or(200);
            if code == 404 {
                return not_found();
            }
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            if !out.is_html() {
                return raw_page(status, out);
            }
            (status, Framed::from_output(out))
        }
        PageOutcome::Failed(f) | PageOutcome::OverBudget(f) => {
            (StatusCode::INTERNAL_SERVER_ERROR, Framed::from_failure(f))
        }
    };
    // The menu entry of this page: the one the page made active, else the plugin's.
    let entries = st.pages.pages.menu_entries();
    let entry = resp
        .active_menu
        .as_deref()
        .and_then(|k| entries.iter().find(|e| e.key == k))
        .or_else(|| entries.iter().find(|e| e.script == name));
    let key = match (&resp.active_menu, entry) {
        (Some(k), _) => format!("plugin-{k}"),
        (None, Some(e)) => format!("plugin-{}", e.key),
        (None, None) => format!("plugin-page-{name}"),
    };
    let title = resp
        .title
        .clone()
        .or_else(|| entry.map(|e| e.title.clone()))
        .unwrap_or_else(|| name.trim_end_matches(".lua").replace('_', " "));
    let mut html = String::from("<link rel=\"stylesheet\" href=\"/plugin-pages.css\">");
    match &resp.error {
        Some(e) => html.push_str(&error_box(e)),
        None => html.push_str(&String::from_utf8_lossy(&resp.body)),
    }
    let mut r = ui::frame(
        &st,
        &id,
        ui::Page {
            key: &key,
            title: &title,
            body: format!(
                "<div class=\"plugin-page\" data-plugin=\"{}\">{html}</div>",
                esc(&resp.plugin)
            ),
            data: vec![("plugin-page", name.clone())],
            charts: false,
        },
    );
    *r.status_mut() = status;
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_and_sections() {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        assert_eq!(
            form_fields(&h, b"a=1+2&b=%3Cx%3E&bad=%zz&c"),
            [
                ("a".to_string(), "1 2".to_string()),
                ("b".to_string(), "<x>".to_string()),
                ("c".to_string(), String::new())
            ]
        );
        assert!(form_fields(&HeaderMap::new(), b"a=1").is_empty());
        assert_eq!(section("system_stats"), "System");
        assert_eq!(content_type("text/csv"), "text/csv");
        assert_eq!(
            content_type("application/JavaScript; charset=utf-8"),
            "text/plain; charset=utf-8"
        );
        assert_eq!(content_type("text/ecmascript"), "text/plain; charset=utf-8");
        assert_eq!(section(""), "Plugins");
    }
}
