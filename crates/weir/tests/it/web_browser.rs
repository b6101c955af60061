//! The web UI in a real browser: headless Chromium driven by chromedriver (WebDriver,
//! through fantoccini). Logs in, sees the flows and alerts of a replayed generated
//! capture on the dashboard and the tables, and saves screenshots under
//! `target/web-screenshots/`.
//!
//! Needs the Debian packages `chromium` and `chromium-driver` (`cargo xtask setup`
//! installs them); without them this test fails, it never passes silently.

use crate::web_support as support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use support::*;

const CHROMIUM: &[&str] = &["/usr/bin/chromium", "/usr/bin/chromium-browser"];
const CHROMEDRIVER: &[&str] = &["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"];

fn find(candidates: &[&str], name: &str) -> PathBuf {
    candidates
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "{name} is not installed (looked for {}): run `cargo xtask setup` \
                 (it installs the Debian packages chromium and chromium-driver)",
                candidates.join(", ")
            )
        })
}

/// `target/web-screenshots`, next to the test binary's `target/debug`.
fn screenshot_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let target = exe
        .ancestors()
        .find(|p| p.file_name().is_some_and(|n| n == "target"))
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let dir = target.join("web-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_chromedriver(bin: &Path) -> (Driver, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(bin)
        .arg(format!("--port={port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let driver = Driver(child);
    let url = format!("http://127.0.0.1:{port}");
    let start = Instant::now();
    loop {
        if let Some((200, v)) = try_get(&format!("{url}/status"))
            && v["value"]["ready"] == true
        {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "chromedriver did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    (driver, url)
}

/// Runs `script` (a function body returning a value) until `ok` holds.
async fn wait_js(c: &Client, what: &str, script: &str, ok: impl Fn(&Value) -> bool) -> Value {
    let start = Instant::now();
    loop {
        let v = c.execute(script, vec![]).await.unwrap_or(Value::Null);
        if ok(&v) {
            return v;
        }
        if start.elapsed() > Duration::from_secs(45) {
            let src = c.source().await.unwrap_or_default();
            panic!("timed out waiting for {what}; last value {v}; page:\n{src}");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Clicks the element `css` names in a table the page redraws while it refreshes: a
/// row found just before a redraw is gone when clicked, so find and click again.
async fn click_row(c: &Client, css: &str) {
    let start = Instant::now();
    loop {
        let err = match c.find(Locator::Css(css)).await {
            Ok(e) => match e.click().await {
                Ok(()) => return,
                Err(e) => e.to_string(),
            },
            Err(e) => e.to_string(),
        };
        if start.elapsed() > Duration::from_secs(45) {
            panic!("could not click {css}: {err}");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn screenshot(c: &Client, name: &str) -> PathBuf {
    let png = c.screenshot().await.expect("screenshot");
    let path = screenshot_dir().join(name);
    std::fs::write(&path, png).unwrap();
    path
}

/// Rows of a table body that hold data (not the "nothing to show" row).
fn rows_js(table: &str) -> String {
    format!(
        "return Array.from(document.querySelectorAll('#{table} tbody tr'))\
         .filter(r => !r.querySelector('td.empty')).map(r => r.innerText);"
    )
}

fn nonempty(v: &Value) -> bool {
    v.as_array().is_some_and(|a| !a.is_empty())
}

#[test]
fn browser_login_dashboard_flows_hosts_alerts() {
    let chromium = find(CHROMIUM, "chromium");
    let chromedriver = find(CHROMEDRIVER, "chromedriver");

    let dir = tempfile::tempdir().unwrap();
    let pcap = gen_pcap(dir.path(), 300);
    let data = dir.path().join("data");
    seed_alerts(&data);
    // Real time x5: the 10-minute capture replays for two minutes, so the dashboard
    // sees live flows and a throughput chart that grows.
    let weir = Weir::start(&pcap, &data, &["--replay-speed", "5"]);
    let (_driver, driver_url) = start_chromedriver(&chromedriver);
    let profile = tempfile::tempdir().unwrap();

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let c = headless(&chromium, &driver_url, profile.path()).await;
        let base = weir.base.clone();

        // Not logged in: the flows page sends us to the login form.
        c.goto(&format!("{base}/flows")).await.unwrap();
        let url = c.current_url().await.unwrap();
        assert_eq!(url.path(), "/login", "{url}");
        // A wrong password is refused on the page.
        c.find(Locator::Id("user")).await.unwrap().send_keys("admin").await.unwrap();
        c.find(Locator::Id("password")).await.unwrap().send_keys("wrong-password").await.unwrap();
        c.find(Locator::Id("login")).await.unwrap().click().await.unwrap();
        let err = c.wait().at_most(Duration::from_secs(20)).for_element(Locator::Id("login-error")).await.unwrap();
        assert!(err.text().await.unwrap().contains("Wrong"));
        c.find(Locator::Id("user")).await.unwrap().send_keys("admin").await.unwrap();
        c.find(Locator::Id("password")).await.unwrap().send_keys(ADMIN_PASSWORD).await.unwrap();
        c.find(Locator::Id("login")).await.unwrap().click().await.unwrap();
        wait_js(&c, "the flows page after login", "return location.pathname;", |v| v == "/flows").await;

        // Flows table: rows from the replay, sortable, filterable.
        let rows = wait_js(&c, "flow rows", &rows_js("flows"), nonempty).await;
        let first = rows[0].as_str().unwrap().to_string();
        assert!(first.contains("TCP") || first.contains("UDP"), "{first}");
        c.find(Locator::Css("#flows th[data-sort='packets']")).await.unwrap().click().await.unwrap();
        wait_js(
            &c,
            "sorting by packets",
            "return document.querySelector(\"#flows th[data-sort='packets']\").className + ' ' + location.search;",
            |v| v.as_str().is_some_and(|s| s.contains("sorted-desc") && s.contains("sort=packets")),
        )
        .await;
        let ip = c
            .execute("return document.querySelector('#flows tbody td a').textContent;", vec![])
            .await
            .unwrap()
            .as_str()
            .unwrap()
            .to_string();
        c.find(Locator::Css("#flow-filters input[name='host']")).await.unwrap().send_keys(&ip).await.unwrap();
        c.find(Locator::Css("#flow-filters button")).await.unwrap().click().await.unwrap();
        let filtered = wait_js(&c, "flows of one host", &rows_js("flows"), |v| {
            v.as_array().is_some_and(|a| !a.is_empty() && a.iter().all(|r| r.as_str().unwrap().contains(&ip)))
        })
        .await;
        assert!(!filtered.as_array().unwrap().is_empty());
        screenshot(&c, "flows.png").await;

        // Dashboard: cards, throughput chart, top hosts and protocols, alert counts.
        c.goto(&format!("{base}/")).await.unwrap();
        wait_js(&c, "the cards", "return document.querySelectorAll('#cards .card').length;", |v| v.as_u64() == Some(6)).await;
        wait_js(&c, "top hosts", &rows_js("top-hosts"), nonempty).await;
        wait_js(&c, "top protocols", &rows_js("top-protocols"), nonempty).await;
        // The seeded alerts (critical, error, warning), and whatever the plugins raised.
        wait_js(&c, "alert counts", &rows_js("alert-counts"), |v| {
            let t = v.to_string();
            t.contains("critical") && t.contains("error") && t.contains("warning")
        })
        .await;
        wait_js(
            &c,
            "a throughput chart with several samples",
            "const n = document.getElementById('chart-note').textContent; \
             return document.querySelector('#chart canvas') ? parseInt(n.split(', ')[1] || '0') : 0;",
            |v| v.as_u64().is_some_and(|n| n >= 3),
        )
        .await;
        let packets = c.find(Locator::Css("#card-packets .value")).await.unwrap().text().await.unwrap();
        assert_ne!(packets.trim(), "0");
        let menu = c.find(Locator::Id("menu")).await.unwrap().text().await.unwrap();
        for entry in ["Dashboard", "Flows", "Hosts", "Engaged", "Past", "Flow"] {
            assert!(menu.contains(entry), "{menu}");
        }
        // The whole dashboard in one picture.
        c.set_window_size(1400, 1400).await.unwrap();
        let dashboard = screenshot(&c, "dashboard.png").await;
        c.set_window_size(1400, 1000).await.unwrap();

        // Host details, from the top hosts list.
        click_row(&c, "#top-hosts tbody a").await;
        wait_js(&c, "the host summary", &rows_js("host-summary"), nonempty).await;
        wait_js(&c, "the host's applications", &rows_js("host-l7"), nonempty).await;
        assert!(c.current_url().await.unwrap().path().starts_with("/hosts/"));
        screenshot(&c, "host.png").await;

        // Hosts list.
        c.find(Locator::Css("#menu a[data-menu='hosts']")).await.unwrap().click().await.unwrap();
        wait_js(&c, "host rows", &rows_js("hosts"), nonempty).await;

        // Alerts pages: the seeded alerts.
        c.find(Locator::Css("#menu a[data-menu='alerts-flow']")).await.unwrap().click().await.unwrap();
        wait_js(&c, "flow alerts", &rows_js("alerts"), nonempty).await;
        screenshot(&c, "alerts-flow.png").await;
        c.find(Locator::Css("#alert-filters input[name='ip']")).await.unwrap().send_keys(SEEDED_SERVER).await.unwrap();
        c.find(Locator::Css("#alert-filters button")).await.unwrap().click().await.unwrap();
        let rows = wait_js(&c, "the seeded flow alert", &rows_js("alerts"), |v| {
            v.as_array().is_some_and(|a| a.len() == 1 && a[0].as_str().unwrap().contains(SEEDED_SERVER))
        })
        .await;
        let t = rows.to_string();
        assert!(t.contains("critical") && t.contains("TLS") && t.contains("seeded.example.com"), "{t}");
        assert!(!t.contains("alert_generation") && !t.contains('{'), "messages, not JSON: {t}");
        // The detail view: the message and every field; the raw JSON only on request.
        click_row(&c, "#alerts tbody tr.clickable td.msg").await;
        let msg = wait_js(
            &c,
            "the alert's detail view",
            "const p = document.getElementById('alert-detail'); \
             return p.hidden ? '' : document.getElementById('alert-detail-msg').textContent;",
            |v| v.as_str().is_some_and(|s| !s.is_empty()),
        )
        .await;
        let fields = wait_js(&c, "the fields", "return document.getElementById('alert-detail-fields').innerText;", |v| {
            v.as_str().is_some_and(|s| s.contains("Server"))
        })
        .await;
        assert!(fields.to_string().contains(SEEDED_SERVER) && fields.to_string().contains("Severity"), "{fields}");
        let row_msg = wait_js(&c, "the row's message", "return document.querySelector('#alerts tbody td.msg').innerText;", |v| v.is_string()).await;
        assert!(row_msg.as_str().unwrap().contains(msg.as_str().unwrap()), "{row_msg} / {msg}");
        let raw_hidden = wait_js(&c, "raw JSON hidden", "return document.getElementById('alert-raw').hidden;", |v| v.is_boolean()).await;
        assert_eq!(raw_hidden, Value::Bool(true));
        c.find(Locator::Css("#alert-raw-toggle")).await.unwrap().click().await.unwrap();
        wait_js(&c, "the raw JSON on request", "const r = document.getElementById('alert-raw'); return r.hidden ? '' : r.textContent;", |v| {
            v.as_str().is_some_and(|s| s.contains("alert_json"))
        })
        .await;
        screenshot(&c, "alert-detail.png").await;
        // An administrator acknowledges it: the row says so.
        c.find(Locator::Css("#alert-ack")).await.unwrap().click().await.unwrap();
        wait_js(&c, "the acknowledged row", &rows_js("alerts"), |v| v.to_string().contains("ack")).await;
        // A type name filters (no error above the rows); a bad one shows its error and no rows.
        c.goto(&format!("{base}/alerts/engaged?type=alert_tls_certificate")).await.unwrap();
        wait_js(&c, "an empty, error-free list", "return document.querySelector('#alerts tbody td.empty') && document.getElementById('alerts-error').hidden ? 'ok' : '';", |v| v == "ok").await;
        c.goto(&format!("{base}/alerts/engaged?type=connection_issues")).await.unwrap();
        let rows = wait_js(&c, "alerts by type name", &rows_js("alerts"), nonempty).await;
        assert!(rows.to_string().contains("alert_connection_issues"), "{rows}");
        c.goto(&format!("{base}/alerts/engaged?type=no%20such")).await.unwrap();
        wait_js(&c, "the error and no rows", "return !document.getElementById('alerts-error').hidden && document.querySelector('#alerts tbody td.empty') ? 'ok' : '';", |v| v == "ok").await;
        // The time-range picker: a custom range shows its inputs.
        c.find(Locator::Css("#alert-range option[value='custom']")).await.unwrap().click().await.unwrap();
        wait_js(&c, "the custom range inputs", "return document.querySelector('.range-custom').hidden ? '' : 'shown';", |v| v == "shown").await;
        c.goto(&format!("{base}/alerts/engaged?ip=192.168.1.25")).await.unwrap();
        let rows = wait_js(&c, "engaged alerts", &rows_js("alerts"), nonempty).await;
        assert!(rows.to_string().contains("192.168.1.25@0"), "{rows}");
        c.goto(&format!("{base}/alerts/past?severity=critical&ip=192.168.1.30")).await.unwrap();
        wait_js(
            &c,
            "no past alert at critical",
            "return document.querySelector('#alerts tbody td.empty') ? 'empty' : '';",
            |v| v == "empty",
        )
        .await;

        // Admin page: add a read-only user and an API token for it (CSRF-protected calls
        // from the page).
        c.find(Locator::Css("#menu a[data-menu='admin-users']")).await.unwrap().click().await.unwrap();
        wait_js(&c, "the users", &rows_js("users"), |v| v.to_string().contains("admin")).await;
        c.find(Locator::Css("#user-form input[name='name']")).await.unwrap().send_keys("ops").await.unwrap();
        c.find(Locator::Css("#user-form input[name='password']")).await.unwrap().send_keys("ops-password-1").await.unwrap();
        c.find(Locator::Css("#user-form button")).await.unwrap().click().await.unwrap();
        wait_js(&c, "the new user", &rows_js("users"), |v| v.to_string().contains("ops")).await;
        c.find(Locator::Css("#token-form input[name='name']")).await.unwrap().send_keys("grafana").await.unwrap();
        c.execute("document.getElementById('token-user').value = 'ops';", vec![]).await.unwrap();
        c.find(Locator::Css("#token-form button")).await.unwrap().click().await.unwrap();
        let secret = wait_js(
            &c,
            "the new token",
            "const e = document.getElementById('new-token-secret'); return e ? e.textContent : '';",
            |v| v.as_str().is_some_and(|t| t.starts_with("weir_")),
        )
        .await;
        wait_js(&c, "the token list", &rows_js("tokens"), |v| v.to_string().contains("grafana")).await;
        screenshot(&c, "admin.png").await;
        let bearer = format!("Bearer {}", secret.as_str().unwrap());
        let (s, me) = request(&format!("{base}/api/v1/me"), "GET", Some(&bearer), &[], None);
        assert_eq!((s, me["user"].as_str(), me["role"].as_str()), (200, Some("ops"), Some("viewer")));

        // Log out: back to the login form, and the pages are closed again.
        c.find(Locator::Id("logout")).await.unwrap().click().await.unwrap();
        wait_js(&c, "the login page", "return location.pathname;", |v| v == "/login").await;
        c.goto(&format!("{base}/")).await.unwrap();
        assert_eq!(c.current_url().await.unwrap().path(), "/login");

        // The read-only user sees the data but not the admin page.
        c.find(Locator::Id("user")).await.unwrap().send_keys("ops").await.unwrap();
        c.find(Locator::Id("password")).await.unwrap().send_keys("ops-password-1").await.unwrap();
        c.find(Locator::Id("login")).await.unwrap().click().await.unwrap();
        wait_js(&c, "the dashboard", &rows_js("top-hosts"), nonempty).await;
        let menu = c.find(Locator::Id("menu")).await.unwrap().text().await.unwrap();
        assert!(!menu.contains("Users"), "{menu}");
        c.goto(&format!("{base}/admin/users")).await.unwrap();
        let text = c.find(Locator::Css("body")).await.unwrap().text().await.unwrap();
        assert!(text.contains("for administrators"), "{text}");
        // ...and the user scripts without the controls that change them.
        c.goto(&format!("{base}/scripts")).await.unwrap();
        let controls = wait_js(
            &c,
            "the read-only scripts page",
            "const t = document.querySelectorAll('#script-groups input.toggle'); \
             return t.length ? [t.length, Array.from(t).filter(x => !x.disabled).length, \
             document.querySelectorAll('#script-groups form.script-conf button').length] : null;",
            |v| v.is_array(),
        )
        .await;
        assert_eq!((controls[1].as_u64(), controls[2].as_u64()), (Some(0), Some(0)), "{controls}");
        let note = c.find(Locator::Css("main p.note")).await.unwrap().text().await.unwrap();
        assert!(note.contains("read-only"), "{note}");
        c.close().await.unwrap();
        eprintln!("screenshots: {}", dashboard.parent().unwrap().display());
    });
    let (s, _) = weir.stop();
    assert!(s.success());
}

/// The tutorial plugin's custom page (`plugins/exes_download/web_gui/`): opened from
/// the menu after logging in, with the EXE download alerts of the replay.
#[test]
fn browser_tutorial_plugin_page() {
    let chromium = find(CHROMIUM, "chromium");
    let chromedriver = find(CHROMEDRIVER, "chromedriver");

    let dir = tempfile::tempdir().unwrap();
    let pcap = gen_pcap(dir.path(), 300);
    let weir = Weir::start(&pcap, &dir.path().join("data"), &[]);
    weir.wait_until(120, "the replay to end", |w| {
        request(&w.url("/api/v1/health"), "GET", None, &[], None).1["capture_finished"] == true
    });
    let (_driver, driver_url) = start_chromedriver(&chromedriver);
    let profile = tempfile::tempdir().unwrap();

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let c = headless(&chromium, &driver_url, profile.path()).await;
        let base = weir.base.clone();

        // The plugin page needs a login like every page.
        c.goto(&format!("{base}/plugins/exes_download.lua"))
            .await
            .unwrap();
        assert_eq!(c.current_url().await.unwrap().path(), "/login");
        log_in(&c, &base).await;

        // Open it from the menu.
        let entry = c
            .find(Locator::Css("#menu a[data-menu='plugin-exes_download']"))
            .await
            .expect("the tutorial plugin's menu entry");
        assert_eq!(entry.text().await.unwrap(), "EXE downloads");
        entry.click().await.unwrap();
        wait_js(&c, "the plugin page", "return location.pathname;", |v| {
            v == "/plugins/exes_download.lua"
        })
        .await;
        let current = c
            .find(Locator::Css("#menu a.current"))
            .await
            .unwrap()
            .attr("data-menu")
            .await
            .unwrap();
        assert_eq!(current.as_deref(), Some("plugin-exes_download"));
        let h1 = c
            .find(Locator::Css("main h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(h1, "EXE downloads");

        // Its content: cards, and the alerts the tutorial's user script raised.
        let alerts = wait_js(&c, "EXE download alerts", &rows_js("exe-alerts"), nonempty).await;
        let rows = alerts.as_array().unwrap();
        assert!(
            rows.iter().all(|r| r.as_str().unwrap().contains(".exe")),
            "{alerts}"
        );
        assert!(rows[0].as_str().unwrap().contains("error"), "{alerts}");
        let count = c
            .find(Locator::Css("#exe-alerts-count .value"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(count.trim(), rows.len().to_string());
        let cards = c
            .execute(
                "return document.querySelectorAll('#exe-cards .card').length;",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(cards.as_u64(), Some(4));
        // The page's own stylesheet applies (CSP allows only same-origin styles).
        let navbar = c
            .execute(
                "return getComputedStyle(document.querySelector('.plugin-navbar')).display;",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(navbar.as_str(), Some("flex"));
        c.set_window_size(1400, 1200).await.unwrap();
        let shot = screenshot(&c, "plugin-exes-download.png").await;

        // The page's navigation bar: the alerts view.
        c.find(Locator::Css(".plugin-navbar a[href$='page=alerts']"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_js(&c, "the alerts view", "return location.search;", |v| {
            v == "?page=alerts"
        })
        .await;
        wait_js(&c, "the alert rows", &rows_js("exe-alerts"), nonempty).await;
        let cards = c
            .execute(
                "return document.querySelectorAll('#exe-cards').length;",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(cards.as_u64(), Some(0));
        c.close().await.unwrap();
        eprintln!("screenshot: {}", shot.display());
    });
    let (s, _) = weir.stop();
    assert!(s.success());
}

/// A WebDriver session with headless Chromium.
async fn headless(chromium: &Path, driver_url: &str, profile: &Path) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium.to_str().unwrap(),
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1400,1000",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(driver_url)
        .await
        .expect("WebDriver session with headless Chromium")
}

async fn log_in(c: &Client, base: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    c.find(Locator::Id("user"))
        .await
        .unwrap()
        .send_keys("admin")
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(ADMIN_PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Id("login"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_js(
        c,
        "the dashboard after login",
        "return location.pathname;",
        |v| v == "/",
    )
    .await;
}

/// Flow alerts of the tutorial plugin's EXE download script in the data directory.
fn exe_alerts(data: &Path) -> u64 {
    use weir_alerts::{AlertQuery, AlertStore, AlertTable, CountBy, SqliteConfig, SqliteStore};
    let store = SqliteStore::open_dir(data, SqliteConfig::default()).unwrap();
    store
        .counts(&AlertQuery::new(AlertTable::Flow), CountBy::Type)
        .unwrap()
        .iter()
        .filter(|r| r.name == "alert_exe_download")
        .map(|r| r.count)
        .sum()
}

fn replayed(w: &Weir) -> bool {
    request(&w.url("/api/v1/health"), "GET", None, &[], None).1["capture_finished"] == true
}

/// The user scripts and plugins pages: a threshold refused with the model's range on
/// the page, the tutorial plugin's EXE download script disabled with its toggle, and
/// no new EXE download alert when the capture is replayed again.
#[test]
fn browser_scripts_page_disable_stops_alerts() {
    let chromium = find(CHROMIUM, "chromium");
    let chromedriver = find(CHROMEDRIVER, "chromedriver");
    let dir = tempfile::tempdir().unwrap();
    let pcap = gen_pcap(dir.path(), 300);
    let data = dir.path().join("data");
    let flooder = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/plugins/flooder");
    let first = Weir::start(&pcap, &data, &["--plugins", flooder]);
    first.wait_until(120, "the first replay to end", replayed);
    let (_driver, driver_url) = start_chromedriver(&chromedriver);
    let profile = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut first = Some(first);
    let (before, after) = rt.block_on(async {
        let c = headless(&chromium, &driver_url, profile.path()).await;
        let w = first.as_ref().unwrap();
        let base = w.base.clone();
        log_in(&c, &base).await;

        // The dashboard charts the interface traffic the run stored as timeseries.
        let note = wait_js(
            &c,
            "the stored traffic chart",
            "const p = document.getElementById('ts-panel'); \
             return p && !p.hidden && p.querySelector('canvas') ? document.getElementById('ts-note').textContent : '';",
            |v| v.as_str().is_some_and(|t| !t.is_empty()),
        )
        .await;
        assert!(note.as_str().unwrap().starts_with("iface:traffic_rxtx, "), "{note}");
        c.execute("document.getElementById('ts-panel').scrollIntoView();", vec![])
            .await
            .unwrap();
        screenshot(&c, "dashboard-timeseries.png").await;

        // The scripts page, grouped by subdirectory, from the menu.
        c.find(Locator::Css("#menu a[data-menu='scripts']")).await.unwrap().click().await.unwrap();
        wait_js(&c, "the user scripts", "return document.querySelectorAll('#script-groups tr[data-script]').length;", |v| {
            v.as_u64().unwrap_or(0) > 3
        })
        .await;
        let groups = c
            .execute("return Array.from(document.querySelectorAll('#script-groups section h2')).map(h => h.textContent);", vec![])
            .await
            .unwrap()
            .to_string();
        assert!(groups.contains("Flow scripts") && groups.contains("Host scripts"), "{groups}");
        let row = c.find(Locator::Css("tr[data-script='flow/exes_download']")).await.unwrap().text().await.unwrap();
        assert!(row.contains("EXEs Download") && row.contains("Detects .exe downloaded via HTTP"), "{row}");
        // The cost columns (GET /api/v1/scripts/stats), sorted by a click on a header.
        wait_js(
            &c,
            "the cost columns",
            "const r = document.querySelector(\"tr[data-script='flow/exes_download'] td.cost.calls\"); return r ? r.textContent : '';",
            |v| v.as_str().is_some_and(|t| !t.is_empty() && t != "–"),
        )
        .await;
        c.find(Locator::Css("#scripts-flow th[data-sort='time_ns']")).await.unwrap().click().await.unwrap();
        let times = c
            .execute("return Array.from(document.querySelectorAll('#scripts-flow tbody tr')).map(r => Number(r.dataset.time || -1));", vec![])
            .await
            .unwrap();
        let t: Vec<f64> = times.as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
        assert!(t.len() > 3 && t.windows(2).all(|w| w[0] >= w[1]) && t[0] > 0.0, "{times}");
        screenshot(&c, "scripts-cost.png").await;

        // A threshold form built from the gui model: bounds, unit, fixed operator.
        let form = "#conf-host-syn_flood_victim";
        let model = c
            .execute(
                &format!("const f = document.querySelector('{form}'); const i = f.querySelector('input[name=threshold]'); \
                 return [i.min, i.max, i.value, f.querySelector('select[name=operator]').disabled, f.textContent];"),
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(model.as_array().unwrap()[0..4], [json!("1"), json!("65535"), json!("50"), json!(true)], "{model}");
        assert!(model[4].as_str().unwrap().contains("syn_sec"), "{model}");
        // Out of range: refused by weir, the error shown next to the script.
        c.execute(&format!("document.querySelector('{form} input[name=threshold]').value = '70000';"), vec![]).await.unwrap();
        c.find(Locator::Css(&format!("{form} button"))).await.unwrap().click().await.unwrap();
        let err = wait_js(
            &c,
            "the validation error",
            "const e = document.getElementById('script-error-host-syn_flood_victim'); return e.hidden ? '' : e.textContent;",
            |v| v.as_str().is_some_and(|t| !t.is_empty()),
        )
        .await;
        assert!(err.as_str().unwrap().contains("threshold: 70000 is out of range 1..65535"), "{err}");
        c.execute(&format!("document.querySelector('{form}').scrollIntoView();"), vec![]).await.unwrap();
        screenshot(&c, "scripts-validation.png").await;
        c.execute(&format!("document.querySelector('{form} input[name=threshold]').value = '1000';"), vec![]).await.unwrap();
        c.find(Locator::Css(&format!("{form} button"))).await.unwrap().click().await.unwrap();
        wait_js(&c, "the saved threshold", "return document.getElementById('script-saved-host-syn_flood_victim').textContent;", |v| {
            v.as_str().is_some_and(|t| t.contains("min: > 1000"))
        })
        .await;
        let (_, syn) = w.get_json("/api/v1/scripts/host/syn_flood_victim");
        assert_eq!(syn["conf"]["min"]["threshold"], 1000, "{syn}");
        // An override for one network, and a refused entity.
        let set = |entity: &str, threshold: &str| {
            format!(
                "const f = document.querySelector('{form}'); f.elements.entity.value = '{entity}'; \
                 f.elements.threshold.value = '{threshold}'; f.querySelector('button').click();"
            )
        };
        c.execute(&set("192.168.1.0/24", "100"), vec![]).await.unwrap();
        wait_js(&c, "the saved override", "return document.getElementById('script-saved-host-syn_flood_victim').textContent;", |v| {
            v.as_str().is_some_and(|t| t.starts_with("saved for 192.168.1.0/24"))
        })
        .await;
        let (_, syn) = w.get_json("/api/v1/scripts/host/syn_flood_victim");
        assert_eq!(syn["entity_overrides"]["192.168.1.0/24"]["min"]["conf"]["threshold"], 100, "{syn}");
        assert_eq!(syn["conf"]["min"]["threshold"], 1000, "{syn}");
        c.execute(&set("not-a-network", "100"), vec![]).await.unwrap();
        wait_js(
            &c,
            "the refused entity",
            "const e = document.getElementById('script-error-host-syn_flood_victim'); return e.hidden ? '' : e.textContent;",
            |v| v.as_str().is_some_and(|t| t.contains("not an IP address or a CIDR network")),
        )
        .await;

        // Disable the EXE download script with its toggle.
        let toggle = c.find(Locator::Id("enable-flow-exes_download")).await.unwrap();
        assert_eq!(toggle.prop("checked").await.unwrap().as_deref(), Some("true"));
        toggle.click().await.unwrap();
        wait_js(&c, "the script disabled", "return document.getElementById('script-saved-flow-exes_download').textContent;", |v| {
            v.as_str().is_some_and(|t| t.starts_with("disabled"))
        })
        .await;
        let (_, exe) = w.get_json("/api/v1/scripts/flow/exes_download");
        assert_eq!(exe["enabled"], false, "{exe}");
        c.execute("document.querySelector('tr[data-script=\"flow/exes_download\"]').scrollIntoView({block: 'center'});", vec![]).await.unwrap();
        screenshot(&c, "scripts-disabled.png").await;

        // The plugins page: load problems (none here) and a reload from the page.
        c.find(Locator::Css("#menu a[data-menu='plugins-status']")).await.unwrap().click().await.unwrap();
        wait_js(&c, "the plugins", &rows_js("plugins"), |v| v.to_string().contains("exes_download")).await;
        c.find(Locator::Id("plugins-reload")).await.unwrap().click().await.unwrap();
        wait_js(&c, "the reload", "return document.getElementById('plugins-reloaded').textContent;", |v| {
            v.as_str().is_some_and(|t| t.starts_with("reloaded:"))
        })
        .await;
        screenshot(&c, "plugins.png").await;

        // Replay the capture again with the script disabled: no new EXE download alert.
        let (s, _) = first.take().unwrap().stop();
        assert!(s.success());
        let before = exe_alerts(&data);
        // Twice, as two interfaces: the header gets an interface selector.
        let pcap_arg = pcap.to_str().unwrap();
        let second = Weir::start(
            &pcap,
            &data,
            &["--plugins", flooder, "--pcap", pcap_arg, "--separate-interfaces"],
        );
        second.wait_until(120, "the second replay to end", replayed);
        let after = exe_alerts(&data);
        let base = second.base.clone();
        log_in(&c, &base).await;
        c.goto(&format!("{base}/scripts?subdir=flow")).await.unwrap();
        wait_js(&c, "the flow scripts", "const t = document.getElementById('enable-flow-exes_download'); return t ? String(t.checked) : '';", |v| {
            v == "false"
        })
        .await;
        let options = wait_js(
            &c,
            "the interface selector",
            "const s = document.getElementById('iface-select'); return s ? Array.from(s.options).map(o => o.textContent) : [];",
            nonempty,
        )
        .await;
        assert_eq!(options, json!(["0: sample.pcap", "1: sample.pcap"]));
        c.goto(&format!("{base}/hosts?ifid=1")).await.unwrap();
        wait_js(&c, "the second interface's hosts", &rows_js("hosts"), nonempty).await;
        let chosen = c
            .execute("return document.getElementById('iface-select').value;", vec![])
            .await
            .unwrap();
        assert_eq!(chosen, json!("1"));
        c.goto(&format!("{base}/alerts/flow?text=.exe")).await.unwrap();
        wait_js(&c, "the flow alerts table", "return document.getElementById('alerts').dataset.total || '';", |v| {
            v.as_str().is_some_and(|t| !t.is_empty())
        })
        .await;
        screenshot(&c, "alerts-after-disable.png").await;
        let (s, _) = second.stop();
        assert!(s.success());
        c.close().await.unwrap();
        (before, after)
    });
    assert!(before > 0, "the first replay raised EXE download alerts");
    assert_eq!(
        after, before,
        "the disabled script raised no alert in the second replay"
    );
}

/// The numbers of a finished replay agree between the CLI, the REST API and the pages:
/// the host count, the top talker (on the dashboard, with a host page), a host's
/// active flows as client/server and the flows listed beside them; the charts span the
/// replay's time range, the dashboard's at a step picked from it.
#[test]
fn browser_numbers_agree_with_the_cli_after_a_replay() {
    let chromium = find(CHROMIUM, "chromium");
    let chromedriver = find(CHROMEDRIVER, "chromedriver");
    let dir = tempfile::tempdir().unwrap();
    // The whole sample: ten minutes in which hosts go idle, leave the table and return.
    let pcap = dir.path().join("sample.pcap");
    let o = Command::new(weir_bin())
        .args(["gen-pcap", "--out", pcap.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success());
    let o = Command::new(weir_bin())
        .args(["run", "--json", "--data-dir"])
        .arg(dir.path().join("cli"))
        .arg("--pcap")
        .arg(&pcap)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary: Value = serde_json::from_slice(&o.stdout).unwrap();
    let hosts = summary["interfaces"][0]["hosts"].as_u64().unwrap();
    let top = summary["interfaces"][0]["top_talkers"][0][0]
        .as_str()
        .unwrap()
        .to_string();

    let weir = Weir::start(&pcap, &dir.path().join("data"), &[]);
    weir.wait_until(180, "the replay to end", replayed);
    let (_, iface) = weir.get_json("/api/v1/interfaces/0");
    assert_eq!(
        iface["hosts_active"].as_u64(),
        Some(hosts),
        "REST vs CLI: {iface}"
    );
    let (_, all) = weir.get_json("/api/v1/hosts?limit=1");
    assert_eq!(all["total"].as_u64(), Some(hosts), "{all}");
    let (status, h) = weir.get_json(&format!("/api/v1/hosts/{top}"));
    assert_eq!(status, 200, "the top talker {top} has a host page: {h}");
    // A host with active flows: its counts are its listed flows.
    let (_, busy) = weir.get_json("/api/v1/hosts?sort=active_flows.as_client&limit=1");
    let busy = busy["data"][0].clone();
    let ip = busy["ip"].as_str().unwrap().to_string();
    let (cli, srv) = (
        busy["active_flows.as_client"].as_u64().unwrap(),
        busy["active_flows.as_server"].as_u64().unwrap(),
    );
    assert!(cli > 0, "{busy}");
    let (_, flows) = weir.get_json(&format!("/api/v1/flows?host={ip}&limit=1000"));
    let listed = flows["data"].as_array().unwrap();
    let as_cli = listed.iter().filter(|f| f["cli.ip"] == ip.as_str()).count() as u64;
    let as_srv = listed.iter().filter(|f| f["srv.ip"] == ip.as_str()).count() as u64;
    assert_eq!((cli, srv), (as_cli, as_srv), "host {ip} vs its flows");
    // A host's score went back to 0 when its flows ended; its page shows the peak its
    // host_score alerts saw (never below the value an alert reports).
    let mut checked = 0;
    for kind in ["past", "engaged"] {
        let (_, alerts) = weir.get_json(&format!(
            "/api/v1/alerts?kind={kind}&type=alert_threshold_cross&limit=1000"
        ));
        for a in alerts["data"].as_array().unwrap() {
            if !a["alert_subtype"]
                .as_str()
                .unwrap_or("")
                .ends_with("host_score")
            {
                continue;
            }
            let params: serde_json::Value =
                serde_json::from_str(a["alert_json"].as_str().unwrap()).unwrap();
            let value = params["value"].as_u64().unwrap();
            let (host_ip, _) = a["alert_entity_val"]
                .as_str()
                .unwrap()
                .split_once('@')
                .unwrap();
            let (status, h) = weir.get_json(&format!("/api/v1/hosts/{host_ip}"));
            assert_eq!(status, 200, "{h}");
            let peak = h["score.peak"].as_u64().unwrap();
            assert!(
                peak >= value,
                "host {host_ip}: peak score {peak} < alert value {value}: {h}"
            );
            checked += 1;
        }
    }
    assert!(checked > 0, "the sample raises host_score alerts");

    let (_driver, driver_url) = start_chromedriver(&chromedriver);
    let profile = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let c = headless(&chromium, &driver_url, profile.path()).await;
        let base = weir.base.clone();
        log_in(&c, &base).await;
        let card = wait_js(
            &c,
            "the hosts card",
            "const e = document.querySelector('#card-hosts .value'); return e ? e.textContent : null;",
            |v| v.is_string(),
        )
        .await;
        assert_eq!(card.as_str().unwrap().replace(',', ""), hosts.to_string());
        let rows = wait_js(&c, "top hosts", &rows_js("top-hosts"), nonempty).await;
        assert!(rows.to_string().contains(&top), "top talker {top} on the dashboard: {rows}");
        // The throughput chart of the finished replay: the stored series at a step
        // picked from the replay's ten minutes, over that range.
        let chart = wait_js(
            &c,
            "the dashboard chart from the stored series",
            "const d = document.getElementById('chart').dataset; return d.step ? [+d.points, +d.step, +d.from, +d.to] : null;",
            |v| v.is_array(),
        )
        .await;
        assert_eq!(chart[1], 60, "{chart}");
        assert!(chart[0].as_u64().unwrap() >= 8, "{chart}");
        assert_eq!(chart[2].as_u64(), Some(T0), "{chart}");
        assert!(chart[3].as_u64().unwrap() >= T0 + 590, "{chart}");
        let ticks = c
            .execute("return document.querySelectorAll('#chart .u-axis').length;", vec![])
            .await
            .unwrap();
        assert_eq!(ticks, 2, "one x and one y axis");
        screenshot(&c, "dashboard-replay.png").await;

        // The busiest host's page: its active flows are the flows listed.
        c.goto(&format!("{base}/hosts/{ip}")).await.unwrap();
        let summary = wait_js(&c, "the host summary", &rows_js("host-summary"), nonempty).await;
        let want = format!("Active flows\t{cli} as client, {srv} as server");
        assert!(
            summary.as_array().unwrap().iter().any(|r| r.as_str() == Some(want.as_str())),
            "{want} in {summary}"
        );
        let shown = wait_js(&c, "the host's flows", &rows_js("host-flows"), nonempty).await;
        assert_eq!(shown.as_array().unwrap().len() as u64, (cli + srv).min(20));

        // The top talker's page and chart, over the replay's range.
        c.goto(&format!("{base}/hosts/{top}")).await.unwrap();
        wait_js(&c, "the top talker's summary", &rows_js("host-summary"), nonempty).await;
        let err = c
            .execute("return document.getElementById('host-error').hidden;", vec![])
            .await
            .unwrap();
        assert_eq!(err, true, "no error on the top talker's page");
        if h["localhost"] == true {
            let chart = wait_js(
                &c,
                "the host chart",
                "const d = document.getElementById('ts-chart').dataset; return d.points ? [+d.points, +d.from, +d.to] : null;",
                |v| v.is_array(),
            )
            .await;
            assert!(chart[0].as_u64().unwrap() >= 1, "{chart}");
            assert_eq!(chart[1].as_u64(), Some(T0), "{chart}");
        }
        screenshot(&c, "host-top-talker.png").await;
        c.close().await.unwrap();
    });
    let (status, _) = weir.stop();
    assert!(status.success());
}
