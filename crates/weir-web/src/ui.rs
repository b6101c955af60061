//! The UI: server-rendered pages in one frame (menu, user, logout) whose tables and
//! charts are filled by `assets/app.js` from the REST API, and the embedded static
//! assets. The menu is data ([`MenuItem`]) so plugin pages can join it.

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use rust_embed::RustEmbed;
use serde::Deserialize;

use crate::auth::{self, Identity, LOGIN_COOKIE, SESSION_COOKIE, Via};
use crate::encode::{esc, form_field, url_encode};
use crate::error::ApiError;
use crate::state::AppState;
use crate::users::Role;

/// The embedded UI assets (`crates/weir-web/assets`).
#[derive(RustEmbed)]
#[folder = "assets/"]
struct Assets;

/// One entry of the menu.
#[derive(Debug, Clone)]
pub(crate) struct MenuItem {
    /// Section heading (entries of one section are grouped, in order).
    pub section: String,
    /// Label shown.
    pub label: String,
    /// Link target.
    pub href: String,
    /// Page key: the entry is highlighted on the page with this key.
    pub key: String,
    /// Order inside the section (smaller first).
    pub sort_order: i32,
}

fn item(section: &str, label: &str, href: &str, key: &str, sort_order: i32) -> MenuItem {
    MenuItem {
        section: section.into(),
        label: label.into(),
        href: href.into(),
        key: key.into(),
        sort_order,
    }
}

/// The built-in menu for a user of this role.
pub(crate) fn menu(role: Role) -> Vec<MenuItem> {
    let mut v = vec![
        item("Monitor", "Dashboard", "/", "dashboard", 0),
        item("Monitor", "Flows", "/flows", "flows", 10),
        item("Monitor", "Hosts", "/hosts", "hosts", 20),
        item(
            "Monitor",
            "Historical flows",
            "/flows/history",
            "flows-history",
            30,
        ),
        item("Alerts", "Engaged", "/alerts/engaged", "alerts-engaged", 0),
        item("Alerts", "Past", "/alerts/past", "alerts-past", 10),
        item("Alerts", "Flow", "/alerts/flow", "alerts-flow", 20),
        item("Settings", "User scripts", "/scripts", "scripts", 0),
        item(
            "Settings",
            "Plugins",
            "/plugins-status",
            "plugins-status",
            10,
        ),
    ];
    if role == Role::Admin {
        v.push(item(
            "Admin",
            "Users & tokens",
            "/admin/users",
            "admin-users",
            0,
        ));
    }
    v
}

/// A page of the frame.
pub(crate) struct Page<'a> {
    pub key: &'a str,
    pub title: &'a str,
    pub body: String,
    /// `data-*` attributes of `<body>` (name, value), read by app.js.
    pub data: Vec<(&'a str, String)>,
    pub charts: bool,
}

pub(crate) fn frame(st: &AppState, id: &Identity, p: Page<'_>) -> Response {
    let mut items = menu(id.role);
    // Plugin custom pages (web_gui/menu.lua), `is_shown` evaluated now.
    items.extend(st.pages.menu_items(id));
    items.sort_by(|a, b| {
        a.section
            .cmp(&b.section)
            .then(a.sort_order.cmp(&b.sort_order))
    });
    // Sections in order of first appearance of the built-in menu.
    let mut sections: Vec<String> = Vec::new();
    for m in menu(id.role) {
        if !sections.contains(&m.section) {
            sections.push(m.section);
        }
    }
    for m in &items {
        if !sections.contains(&m.section) {
            sections.push(m.section.clone());
        }
    }
    let mut nav = String::new();
    for s in &sections {
        nav.push_str(&format!("<div class=\"section\"><h3>{}</h3><ul>", esc(s)));
        for m in items.iter().filter(|m| &m.section == s) {
            let cur = if m.key == p.key {
                " class=\"current\" aria-current=\"page\""
            } else {
                ""
            };
            nav.push_str(&format!(
                "<li><a href=\"{}\"{cur} data-menu=\"{}\">{}</a></li>",
                esc(&m.href),
                esc(&m.key),
                esc(&m.label)
            ));
        }
        nav.push_str("</ul></div>");
    }
    let data: String = p
        .data
        .iter()
        .map(|(k, v)| format!(" data-{k}=\"{}\"", esc(v)))
        .collect();
    let csrf = esc(id.csrf());
    let logout = match id.via {
        Via::Session { .. } => format!(
            "<form method=\"post\" action=\"/logout\" class=\"logout\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><button type=\"submit\" id=\"logout\">Log out</button></form>"
        ),
        _ => String::new(),
    };
    let charts = if p.charts {
        "<link rel=\"stylesheet\" href=\"/static/vendor/uplot/uPlot.min.css\">"
    } else {
        ""
    };
    let charts_js = if p.charts {
        "<script src=\"/static/vendor/uplot/uPlot.iife.min.js\"></script>"
    } else {
        ""
    };
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title} · weir</title><meta name=\"csrf-token\" content=\"{csrf}\">\
<link rel=\"icon\" href=\"/static/favicon.svg\" type=\"image/svg+xml\">\
<link rel=\"stylesheet\" href=\"/static/app.css\">{charts}</head>\
<body data-page=\"{key}\"{data}>\
<header class=\"top\"><a class=\"brand\" href=\"/\">weir</a>\
<span class=\"iface\" title=\"interface\">{iface}</span><span class=\"clock\" id=\"clock\"></span>\
<span class=\"spacer\"></span><span class=\"user\">{user} <small>{role}</small></span>{logout}</header>\
<div class=\"layout\"><nav class=\"menu\" id=\"menu\">{nav}</nav>\
<main><h1>{title}</h1>{body}</main></div>{charts_js}<script src=\"/static/app.js\"></script></body></html>\n",
        title = esc(p.title),
        key = esc(p.key),
        iface = esc(&st.iface_name),
        user = esc(&id.user),
        role = id.role.name(),
        body = p.body,
    );
    no_store(Html(html).into_response())
}

fn no_store(mut r: Response) -> Response {
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    r
}

/// Routes anyone may load.
pub(crate) fn public_routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/static/{*path}", get(asset))
}

/// Pages behind authentication.
pub(crate) fn protected_routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/", get(dashboard))
        .route("/flows", get(flows))
        .route("/flows/history", get(crate::history::page_html))
        .route("/hosts", get(hosts))
        .route("/hosts/{ip}", get(host))
        .route("/alerts/{kind}", get(alerts))
        .route("/admin/users", get(admin_users))
        .route("/scripts", get(scripts_page))
        .route("/plugins-status", get(plugins_page))
        .route("/logout", post(logout))
}

/// Unknown paths: JSON 404 under `/api/`, a plain page elsewhere.
pub(crate) async fn not_found(req: Request) -> Response {
    if req.uri().path().starts_with("/api/") {
        return ApiError::new(StatusCode::NOT_FOUND, "no such endpoint").into_response();
    }
    plain_404()
}

fn plain_404() -> Response {
    (
        StatusCode::NOT_FOUND,
        Html("<!doctype html><title>Not found · weir</title><p>Not found. <a href=\"/\">weir</a></p>\n"),
    )
        .into_response()
}

async fn asset(Path(path): Path<String>) -> Response {
    // Embedded names only: no traversal, no absolute or odd paths.
    let bad = path.is_empty()
        || path.starts_with('/')
        || path.contains('\\')
        || path.contains('\0')
        || path
            .split('/')
            .any(|s| s.is_empty() || s == "." || s == "..");
    let Some(file) = (!bad).then(|| Assets::get(&path)).flatten() else {
        return plain_404();
    };
    let mime = match path.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("json") => "application/json",
        _ => "text/plain; charset=utf-8",
    };
    (
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "max-age=300"),
        ],
        file.data,
    )
        .into_response()
}

#[derive(Deserialize)]
struct LoginQuery {
    next: Option<String>,
}

fn login_html(next: &str, error: Option<&str>, token: &str) -> String {
    let error = error
        .map(|e| {
            format!(
                "<p class=\"error\" id=\"login-error\" role=\"alert\">{}</p>",
                esc(e)
            )
        })
        .unwrap_or_default();
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Log in · weir</title>\
<link rel=\"icon\" href=\"/static/favicon.svg\" type=\"image/svg+xml\">\
<link rel=\"stylesheet\" href=\"/static/app.css\"></head><body class=\"login-page\">\
<form class=\"login\" method=\"post\" action=\"/login\"><h1>weir</h1>{error}\
<label>User <input name=\"user\" id=\"user\" autocomplete=\"username\" required maxlength=\"64\" autofocus></label>\
<label>Password <input name=\"password\" id=\"password\" type=\"password\" autocomplete=\"current-password\" required maxlength=\"1024\"></label>\
<input type=\"hidden\" name=\"csrf\" value=\"{token}\"><input type=\"hidden\" name=\"next\" value=\"{next}\">\
<button type=\"submit\" id=\"login\">Log in</button></form></body></html>\n",
        next = esc(next),
        token = esc(token),
    )
}

fn login_response(status: StatusCode, next: &str, error: Option<&str>) -> Response {
    let token = match auth_token() {
        Some(t) => t,
        None => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let cookie = format!("{LOGIN_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/login");
    let mut r = (status, Html(login_html(next, error, &token))).into_response();
    if let Ok(v) = header::HeaderValue::from_str(&cookie) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    no_store(r)
}

fn auth_token() -> Option<String> {
    use base64::Engine as _;
    let mut b = [0u8; 24];
    getrandom::fill(&mut b).ok()?;
    Some(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b))
}

async fn login_page(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    q: Result<Query<LoginQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let next = q
        .ok()
        .and_then(|Query(q)| q.next)
        .filter(|n| auth::ui_next_ok(n))
        .unwrap_or_else(|| "/".into());
    let logged_in =
        auth::cookie(&headers, SESSION_COOKIE).is_some_and(|id| st.sessions.get(id).is_some());
    if logged_in {
        return Redirect::to(&next).into_response();
    }
    login_response(StatusCode::OK, &next, None)
}

async fn login(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let field = |n: &str| form_field(&body, n).unwrap_or_default();
    let next = Some(field("next"))
        .filter(|n| auth::ui_next_ok(n))
        .unwrap_or_else(|| "/".into());
    let expected = auth::cookie(&headers, LOGIN_COOKIE).unwrap_or("");
    if !auth::same_origin(&headers)
        || expected.is_empty()
        || !auth::same_secret(expected, &field("csrf"))
    {
        return login_response(
            StatusCode::FORBIDDEN,
            &next,
            Some("The login form expired: please try again."),
        );
    }
    let user = field("user");
    match auth::verify_password(&st, user.clone(), field("password")).await {
        Some(u) => {
            let Ok(sid) = st.sessions.create(&u.name) else {
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            };
            tracing::info!("web: {:?} logged in", u.name);
            weir_alerts::push_internal_alert(serde_json::json!({
                "alert_type": "user_activity", "scope": "login", "user": u.name,
            }));
            let mut r = Redirect::to(&next).into_response();
            let h = r.headers_mut();
            for c in [
                format!("{SESSION_COOKIE}={sid}; HttpOnly; SameSite=Strict; Path=/"),
                format!("{LOGIN_COOKIE}=; HttpOnly; SameSite=Strict; Path=/login; Max-Age=0"),
            ] {
                if let Ok(v) = header::HeaderValue::from_str(&c) {
                    h.append(header::SET_COOKIE, v);
                }
            }
            no_store(r)
        }
        None => {
            tracing::info!("web: failed login for {user:?}");
            weir_alerts::push_internal_alert(serde_json::json!({
                "alert_type": "login_failed", "scope": "login", "user": user,
            }));
            login_response(
                StatusCode::UNAUTHORIZED,
                &next,
                Some("Wrong user name or password."),
            )
        }
    }
}

async fn logout(State(st): State<Arc<AppState>>, Extension(id): Extension<Identity>) -> Response {
    if let Via::Session { id: sid, .. } = &id.via {
        st.sessions.remove(sid);
    }
    let mut r = Redirect::to("/login").into_response();
    if let Ok(v) = header::HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"
    )) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

async fn dashboard(
    State(st): State<Arc<AppState>>,
    Extension(id): Extension<Identity>,
) -> Response {
    let body = r#"<section class="cards" id="cards"></section>
<section class="panel"><h2>Throughput <small id="chart-note"></small></h2><div id="chart" class="chart"></div></section>
<section class="panel" id="ts-panel" hidden><h2>Interface traffic, stored timeseries <small id="ts-note"></small></h2><div id="ts-chart" class="chart"></div></section>
<div class="grid2">
<section class="panel"><h2>Top hosts</h2><table class="data" id="top-hosts"><thead><tr><th>Host</th><th class="num">Sent</th><th class="num">Received</th><th class="num">Score</th></tr></thead><tbody></tbody></table></section>
<section class="panel"><h2>Top protocols</h2><table class="data" id="top-protocols"><thead><tr><th>Protocol</th><th class="num">Bytes</th><th class="num">Flows</th><th class="share">Share</th></tr></thead><tbody></tbody></table></section>
</div>
<section class="panel"><h2>Alerts by severity</h2><table class="data" id="alert-counts"><thead><tr><th>Severity</th><th class="num"><a href="/alerts/engaged">Engaged</a></th><th class="num"><a href="/alerts/past">Past</a></th><th class="num"><a href="/alerts/flow">Flow</a></th></tr></thead><tbody></tbody></table></section>"#;
    frame(
        &st,
        &id,
        Page {
            key: "dashboard",
            title: "Dashboard",
            body: body.into(),
            data: vec![],
            charts: true,
        },
    )
}

fn pager(id: &str) -> String {
    format!(
        "<div class=\"pager\" id=\"{id}-pager\"><button type=\"button\" data-dir=\"-1\">‹ Previous</button>\
<span class=\"range\"></span><button type=\"button\" data-dir=\"1\">Next ›</button></div>"
    )
}

async fn flows(State(st): State<Arc<AppState>>, Extension(id): Extension<Identity>) -> Response {
    let body = format!(
        r#"<form class="filters" id="flow-filters">
<label>Host <input name="host" placeholder="IP address" maxlength="45"></label>
<label>Port <input name="port" type="number" min="0" max="65535"></label>
<label>L4 <select name="l4"><option value="">any</option><option>TCP</option><option>UDP</option><option>ICMP</option><option>IPv6-ICMP</option></select></label>
<label>Application <input name="l7" placeholder="e.g. TLS, DNS" maxlength="64"></label>
<label>Status <select name="status"><option value="">any</option><option value="normal">normal</option><option value="issues">with issues</option></select></label>
<label>Min score <input name="min_score" type="number" min="0"></label>
<button type="submit">Filter</button></form>
<p class="error" id="flows-error" hidden></p>
<table class="data sortable" id="flows" data-sort="bytes" data-order="desc"><thead><tr>
<th data-sort="cli.ip">Client</th><th data-sort="srv.ip">Server</th><th data-sort="proto.l4">L4</th>
<th data-sort="proto.ndpi">Application</th><th class="num" data-sort="bytes">Bytes</th>
<th class="num" data-sort="packets">Packets</th><th class="num" data-sort="duration">Duration</th>
<th class="num" data-sort="score">Score</th><th data-sort="seen.last">Last seen</th></tr></thead><tbody></tbody></table>
{}"#,
        pager("flows")
    );
    frame(
        &st,
        &id,
        Page {
            key: "flows",
            title: "Active flows",
            body,
            data: vec![],
            charts: false,
        },
    )
}

async fn hosts(State(st): State<Arc<AppState>>, Extension(id): Extension<Identity>) -> Response {
    let body = format!(
        r#"<form class="filters" id="host-filters">
<label>Hosts <select name="local"><option value="">all</option><option value="true">local</option><option value="false">remote</option></select></label>
<label>Min score <input name="min_score" type="number" min="0"></label>
<button type="submit">Filter</button></form>
<table class="data sortable" id="hosts" data-sort="bytes" data-order="desc"><thead><tr>
<th data-sort="ip">Host</th><th>Location</th><th class="num" data-sort="bytes.sent">Sent</th>
<th class="num" data-sort="bytes.rcvd">Received</th><th class="num" data-sort="active_flows.as_client">Flows (client/server)</th>
<th class="num" data-sort="contacted_peers">Peers (client/server)</th><th class="num" data-sort="score">Score</th><th data-sort="seen.last">Last seen</th></tr></thead><tbody></tbody></table>
{}"#,
        pager("hosts")
    );
    frame(
        &st,
        &id,
        Page {
            key: "hosts",
            title: "Active hosts",
            body,
            data: vec![],
            charts: false,
        },
    )
}

async fn host(
    State(st): State<Arc<AppState>>,
    Extension(id): Extension<Identity>,
    Path(ip): Path<String>,
) -> Response {
    let Ok(addr) = ip.parse::<IpAddr>() else {
        return plain_404();
    };
    let ip = addr.to_string();
    let body = format!(
        r#"<p class="error" id="host-error" hidden></p>
<div class="grid2"><section class="panel"><h2>Summary</h2><table class="kv" id="host-summary"><tbody></tbody></table></section>
<section class="panel"><h2>Applications</h2><table class="data" id="host-l7"><thead><tr><th>Protocol</th><th class="num">Bytes</th><th class="num">Flows</th><th class="share">Share</th></tr></thead><tbody></tbody></table></section></div>
<section class="panel"><h2>Peers</h2><table class="data" id="host-peers"><thead><tr><th>Peer</th><th class="num">Bytes</th><th class="num">Flows</th><th class="num">As client</th></tr></thead><tbody></tbody></table></section>
<section class="panel"><h2>Active flows</h2><table class="data" id="host-flows"><thead><tr><th>Client</th><th>Server</th><th>L4</th><th>Application</th><th class="num">Bytes</th><th class="num">Score</th></tr></thead><tbody></tbody></table>
<p><a href="/flows?host={q}">All flows of {h}</a> · <a href="/alerts/flow?ip={q}">Flow alerts</a> · <a href="/alerts/past?ip={q}">Past alerts</a></p></section>
<section class="panel"><h2>Host traffic, stored timeseries <small id="ts-note"></small></h2><div id="ts-chart" class="chart"></div></section>"#,
        q = url_encode(&ip),
        h = esc(&ip)
    );
    let title = format!("Host {ip}");
    frame(
        &st,
        &id,
        Page {
            key: "hosts",
            title: &title,
            body,
            data: vec![("ip", ip.clone())],
            charts: true,
        },
    )
}

async fn alerts(
    State(st): State<Arc<AppState>>,
    Extension(id): Extension<Identity>,
    Path(kind): Path<String>,
) -> Response {
    let (title, key) = match kind.as_str() {
        "engaged" => ("Engaged alerts", "alerts-engaged"),
        "past" => ("Past alerts", "alerts-past"),
        "flow" => ("Flow alerts", "alerts-flow"),
        _ => return plain_404(),
    };
    let entity_col = if kind == "flow" { "Flow" } else { "Entity" };
    let body = format!(
        r#"<form class="filters" id="alert-filters">
<label>Time <select id="alert-range"><option value="">any time</option><option value="900">last 15 minutes</option><option value="3600">last hour</option><option value="86400">last 24 hours</option><option value="604800">last 7 days</option><option value="custom">custom…</option></select></label>
<label class="range-custom" hidden>From <input type="datetime-local" id="alert-from" step="1"></label>
<label class="range-custom" hidden>To <input type="datetime-local" id="alert-to" step="1"></label>
<input type="hidden" name="since"><input type="hidden" name="until">
<label>Min severity <select name="severity"><option value="">any</option><option>info</option><option>notice</option><option>warning</option><option>error</option><option>critical</option><option>alert</option><option>emergency</option></select></label>
<label>IP <input name="ip" placeholder="IP address" maxlength="45"></label>
<label>Type <input name="type" placeholder="e.g. alert_flows_flood" maxlength="64" list="alert-types"></label>
<datalist id="alert-types"></datalist>
<label>Text <input name="text" maxlength="128"></label>
<label>Acknowledged <select name="acknowledged"><option value="">any</option><option value="false">no</option><option value="true">yes</option></select></label>
<button type="submit">Filter</button></form>
<p class="error" id="alerts-error" role="alert" hidden></p>
<section class="panel alert-detail" id="alert-detail" hidden><h2 id="alert-detail-title"></h2>
<p class="alert-msg" id="alert-detail-msg"></p><dl class="fields" id="alert-detail-fields"></dl>
<div class="actions"><button type="button" id="alert-ack" hidden>Acknowledge</button><button type="button" id="alert-delete" hidden>Delete</button>
<button type="button" id="alert-raw-toggle">Show raw JSON</button><button type="button" id="alert-close">Close</button></div>
<p class="error" id="alert-detail-error" role="alert" hidden></p><pre class="raw" id="alert-raw" hidden></pre></section>
<table class="data sortable" id="alerts" data-sort="time" data-order="desc"><thead><tr>
<th data-sort="time">Time</th><th data-sort="severity">Severity</th><th data-sort="type">Type</th><th>{entity_col}</th>
<th class="num" data-sort="score">Score</th><th>Message</th></tr></thead><tbody></tbody></table>
{}"#,
        pager("alerts")
    );
    frame(
        &st,
        &id,
        Page {
            key,
            title,
            body,
            data: vec![("kind", kind.clone())],
            charts: false,
        },
    )
}

async fn scripts_page(
    State(st): State<Arc<AppState>>,
    Extension(id): Extension<Identity>,
) -> Response {
    let note = if id.role == Role::Admin {
        "Changes are written to <code>scripts.toml</code> in the data directory (as <code>weir scripts</code> does) and the running engines apply them at the next hook call."
    } else {
        "You are a read-only user: settings are shown, not editable."
    };
    let body = format!(
        r#"<p class="note">{note}</p>
<form class="filters" id="script-filters">
<label>Subdirectory <select name="subdir"><option value="">all</option><option>flow</option><option>host</option><option>interface</option><option>network</option><option>system</option><option>syslog</option><option>snmp_device</option></select></label>
<label>State <select name="enabled"><option value="">all</option><option value="true">enabled</option><option value="false">disabled</option></select></label>
<button type="submit">Filter</button></form>
<p class="error" id="scripts-error" role="alert" hidden></p>
<div id="script-groups"><p class="muted">Loading the user scripts…</p></div>"#
    );
    frame(
        &st,
        &id,
        Page {
            key: "scripts",
            title: "User scripts",
            body,
            data: vec![("role", id.role.name().to_string())],
            charts: false,
        },
    )
}

async fn plugins_page(
    State(st): State<Arc<AppState>>,
    Extension(id): Extension<Identity>,
) -> Response {
    let reload = if id.role == Role::Admin {
        r#"<button type="button" id="plugins-reload">Reload plugins</button> <span class="muted" id="plugins-reloaded"></span>"#
    } else {
        ""
    };
    let body = format!(
        r#"<section class="panel"><h2>Load problems <small id="problems-note"></small></h2>
<p class="error" id="plugins-error" role="alert" hidden></p>
<table class="data" id="plugin-problems"><thead><tr><th>Level</th><th>Where</th><th>Problem</th></tr></thead><tbody></tbody></table>
<p>{reload}</p></section>
<section class="panel"><h2>Plugins</h2>
<table class="data" id="plugins"><thead><tr><th>Plugin</th><th>Scripts</th><th>Definitions</th><th>Directory</th></tr></thead><tbody></tbody></table></section>"#
    );
    frame(
        &st,
        &id,
        Page {
            key: "plugins-status",
            title: "Plugins",
            body,
            data: vec![("role", id.role.name().to_string())],
            charts: false,
        },
    )
}

async fn admin_users(
    State(st): State<Arc<AppState>>,
    Extension(id): Extension<Identity>,
) -> Response {
    if id.role != Role::Admin {
        return (
            StatusCode::FORBIDDEN,
            Html("<!doctype html><title>Forbidden · weir</title><p>This page is for administrators. <a href=\"/\">weir</a></p>\n"),
        )
            .into_response();
    }
    let body = r#"<p class="error" id="admin-error" hidden></p>
<div class="grid2">
<section class="panel"><h2>Users</h2>
<table class="data" id="users"><thead><tr><th>Name</th><th>Role</th><th></th></tr></thead><tbody></tbody></table>
<form class="filters inline" id="user-form">
<label>Name <input name="name" required maxlength="32" pattern="[A-Za-z0-9_.\-]{1,32}"></label>
<label>Password <input name="password" type="password" required minlength="8" maxlength="1024" autocomplete="new-password"></label>
<label>Role <select name="role"><option value="viewer">viewer (read-only)</option><option value="admin">admin</option></select></label>
<button type="submit">Add user</button></form></section>
<section class="panel"><h2>API tokens</h2>
<table class="data" id="tokens"><thead><tr><th>Name</th><th>User</th><th>Created</th><th></th></tr></thead><tbody></tbody></table>
<form class="filters inline" id="token-form">
<label>Name <input name="name" required maxlength="32" pattern="[A-Za-z0-9_.\-]{1,32}" placeholder="e.g. prometheus"></label>
<label>Acts as <select name="user" id="token-user"></select></label>
<button type="submit">Create token</button></form>
<p class="secret" id="new-token" hidden></p></section>
</div>"#;
    frame(
        &st,
        &id,
        Page {
            key: "admin-users",
            title: "Users and API tokens",
            body: body.into(),
            data: vec![],
            charts: false,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assets_are_embedded() {
        for f in [
            "app.js",
            "app.css",
            "favicon.svg",
            "vendor/uplot/uPlot.iife.min.js",
            "vendor/uplot/LICENSE",
        ] {
            assert!(Assets::get(f).is_some(), "{f}");
        }
    }
}
