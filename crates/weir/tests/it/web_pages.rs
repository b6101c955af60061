//! Plugin custom pages end to end: the real binary replays a generated capture with
//! `--web 127.0.0.1:0`, the built-in plugins (the tutorial's `exes_download` page) and
//! the test plugin `tests/plugins/page_tests`, and is queried over HTTP.

use crate::web_support as support;

use std::io::{Read, Write};
use std::path::Path;

use support::*;

const FORM: &str = "application/x-www-form-urlencoded";

fn admin() -> String {
    basic("admin", ADMIN_PASSWORD)
}

/// GET as `auth`: status, headers, body.
fn get(w: &Weir, path: &str, auth: Option<&str>) -> (u16, Vec<(String, String)>, String) {
    request_full(&w.url(path), "GET", auth, &[], None)
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The status of a request line sent as is (no client-side normalisation), with
/// credentials.
fn raw_status(base: &str, path: &str, auth: &str) -> u16 {
    let addr = base.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: {auth}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

/// The test plugin, copied so the test can change it and add a symlink.
fn copy_plugin(to: &Path) -> std::path::PathBuf {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/plugins/page_tests");
    let dir = to.join("page_tests");
    std::fs::create_dir_all(dir.join("web_gui")).unwrap();
    for e in std::fs::read_dir(from.join("web_gui")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.join("web_gui").join(e.file_name())).unwrap();
    }
    // A page that is a symbolic link to a file outside the plugin: never served.
    std::fs::write(to.join("secret.lua"), "print('secret')\n").unwrap();
    std::os::unix::fs::symlink(to.join("secret.lua"), dir.join("web_gui/pt_evil.lua")).unwrap();
    dir
}

fn session(base: &str, user: &str, password: &str) -> String {
    let (s, h, _) = request_full(&format!("{base}/login"), "GET", None, &[], None);
    assert_eq!(s, 200);
    let token = h
        .iter()
        .filter(|(k, _)| k == "set-cookie")
        .find_map(|(_, v)| v.strip_prefix("weir_login="))
        .and_then(|v| v.split(';').next())
        .unwrap()
        .to_string();
    let form = format!("user={user}&password={password}&csrf={token}&next=%2F");
    let cookie = format!("weir_login={token}");
    let (s, h, _) = request_full(
        &format!("{base}/login"),
        "POST",
        None,
        &[("Cookie", &cookie)],
        Some((FORM, &form)),
    );
    assert_eq!(s, 303, "login as {user}");
    h.iter()
        .filter(|(k, _)| k == "set-cookie")
        .find_map(|(_, v)| v.strip_prefix("weir_session="))
        .and_then(|v| v.split(';').next())
        .unwrap()
        .to_string()
}

#[test]
fn plugin_pages_render_fail_safely_and_refuse_traversal() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = gen_pcap(dir.path(), 300);
    let plugins = dir.path().join("plugins");
    let plugin = copy_plugin(&plugins);
    let data = dir.path().join("data");
    let w = Weir::start(&pcap, &data, &["--plugins", plugins.to_str().unwrap()]);
    w.wait_until(120, "the replay to end", |w| {
        request(&w.url("/api/v1/health"), "GET", None, &[], None).1["capture_finished"] == true
    });
    let a = admin();

    // The tutorial plugin's page: the EXE download alerts the replay raised.
    w.wait_until(60, "EXE download alerts on the tutorial page", |w| {
        let (s, _, body) = get(w, "/plugins/exes_download.lua", Some(&a));
        s == 200 && body.contains(".exe</code>")
    });
    let (_, _, page) = get(&w, "/plugins/exes_download.lua", Some(&a));
    for needle in [
        "<title>EXE downloads · weir</title>",
        "id=\"exe-alerts\"",
        "class=\"current\" aria-current=\"page\" data-menu=\"plugin-exes_download\"",
        "<span class=\"sev sev-error\">error</span>",
        "Recent EXE download alerts",
        "/plugin-pages.css",
    ] {
        assert!(page.contains(needle), "{needle}:\n{page}");
    }
    let (s, _, alerts_view) = get(&w, "/plugins/exes_download.lua?page=alerts", Some(&a));
    assert_eq!(s, 200);
    assert!(alerts_view.contains("id=\"exe-alerts\"") && !alerts_view.contains("id=\"exe-cards\""));

    // The test plugin's page: parameters, session and data from the snapshot.
    let (s, h, body) = get(
        &w,
        "/plugins/pt_hello.lua?name=%3Cb%3Eann%3C%2Fb%3E",
        Some(&a),
    );
    assert_eq!(s, 200, "{body}");
    assert!(header(&h, "content-type").unwrap().starts_with("text/html"));
    assert!(
        body.contains("<p id=\"pt-greet\">hello bann/b</p>"),
        "{body}"
    );
    assert!(
        body.contains("<p id=\"pt-user\">admin admin=true</p>"),
        "{body}"
    );
    assert!(body.contains("<p id=\"pt-post\">no post</p>"), "{body}");
    let packets: u64 = body
        .split("<p id=\"pt-packets\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(packets > 1000, "{body}");
    assert!(body.contains("data-menu=\"plugin-page_tests\""), "{body}");
    // Both plugins in the menu of every page, in their sections.
    let (_, _, dash) = get(&w, "/", Some(&a));
    assert!(
        dash.contains("<h3>System</h3>") && dash.contains("<h3>Pollers</h3>"),
        "{dash}"
    );
    assert!(
        dash.contains("href=\"/plugins/exes_download.lua\""),
        "{dash}"
    );
    assert!(dash.contains("href=\"/plugins/pt_hello.lua\""), "{dash}");

    // POST: form fields in _POST (Basic: no CSRF token needed).
    let (s, _, body) = request_full(
        &w.url("/plugins/pt_hello.lua"),
        "POST",
        Some(&a),
        &[],
        Some((FORM, "name=from%20a%20form")),
    );
    assert_eq!(s, 200);
    assert!(body.contains("<p id=\"pt-post\">from a form</p>"), "{body}");
    // With a session, POSTs need the CSRF token.
    let sid = session(&w.base, "admin", ADMIN_PASSWORD);
    let cookie = format!("weir_session={sid}");
    let (s, _, _) = request_full(
        &w.url("/plugins/pt_hello.lua"),
        "POST",
        None,
        &[("Cookie", &cookie)],
        Some((FORM, "name=x")),
    );
    assert_eq!(s, 403, "a session POST without CSRF token");
    let (s, me) = request(
        &w.url("/api/v1/me"),
        "GET",
        None,
        &[("Cookie", &cookie)],
        None,
    );
    assert_eq!(s, 200);
    let form = format!("name=y&csrf={}", me["csrf_token"].as_str().unwrap());
    let (s, _, body) = request_full(
        &w.url("/plugins/pt_hello.lua"),
        "POST",
        None,
        &[("Cookie", &cookie)],
        Some((FORM, &form)),
    );
    assert_eq!(s, 200);
    assert!(body.contains("<p id=\"pt-post\">y</p>"), "{body}");

    // Non-HTML output is sent as is.
    let (s, h, body) = get(&w, "/plugins/pt_csv.lua", Some(&a));
    assert_eq!(s, 200);
    assert_eq!(header(&h, "content-type"), Some("text/csv"));
    assert_eq!(
        header(&h, "content-disposition"),
        Some("attachment; filename=flows.csv")
    );
    assert!(
        body.starts_with("packets\n") && !body.contains("<html"),
        "{body}"
    );

    // Failing pages: an error box naming file:line inside the frame, HTTP 500, and
    // the server keeps serving.
    for (page, at, msg) in [
        (
            "pt_broken.lua",
            "/page_tests/web_gui/pt_broken.lua:3",
            "attempt to index",
        ),
        (
            "pt_forever.lua",
            "/page_tests/web_gui/pt_forever.lua:",
            "instruction budget exceeded",
        ),
        (
            "pt_escape.lua",
            "/page_tests/web_gui/pt_escape.lua:2",
            "only files of plugin page_tests may be run",
        ),
    ] {
        let (s, _, body) = get(&w, &format!("/plugins/{page}"), Some(&a));
        assert_eq!(s, 500, "{page}: {body}");
        assert!(body.contains("id=\"plugin-error\""), "{page}: {body}");
        assert!(body.contains(at), "{page}: {body}");
        assert!(body.contains(msg), "{page}: {body}");
        assert!(body.contains("id=\"menu\""), "inside the frame: {body}");
        assert!(!body.contains("this part is not shown"), "{body}");
        let (s, _, _) = get(&w, "/plugins/pt_hello.lua", Some(&a));
        assert_eq!(s, 200, "still serving after {page}");
        let (s, _) = w.get_json("/api/v1/interfaces");
        assert_eq!(s, 200);
    }

    // Unknown pages and traversal attempts: 404.
    for path in [
        "/plugins/nope.lua",
        "/plugins/menu.lua",
        "/plugins/pt_evil.lua",
        "/plugins/..%2f..%2fetc%2fpasswd",
        "/plugins/..%2F..%2Fetc%2Fpasswd",
        "/plugins/%2e%2e",
        "/plugins/..",
        "/plugins/../x",
        "/plugins/../../etc/passwd",
        "/plugins/web_gui%2fpt_hello.lua",
        "/plugins/pt_hello.lua/..",
        "/plugins/%2fetc%2fpasswd",
        "/plugins/..%5c..%5cetc%5cpasswd",
    ] {
        assert_eq!(raw_status(&w.base, path, &a), 404, "{path}");
    }

    // Unauthenticated: like the other pages, a redirect to the login form.
    let (s, h, _) = get(&w, "/plugins/exes_download.lua", None);
    let (s2, h2, _) = get(&w, "/flows", None);
    assert_eq!((s, s2), (303, 303));
    assert_eq!(
        header(&h, "location"),
        Some("/login?next=/plugins/exes_download.lua")
    );
    assert!(header(&h2, "location").unwrap().starts_with("/login"));
    let (s, _, _) = get(&w, "/plugins/pt_hello.lua", Some(&basic("admin", "wrong")));
    assert_eq!(s, 303);

    // A read-only user: `is_shown` hides the admin-only entry; the page still runs,
    // with isAdministrator() false.
    let (s, _) = request(
        &w.url("/api/v1/users"),
        "POST",
        Some(&a),
        &[],
        Some((
            "application/json",
            r#"{"name":"ops","password":"ops-password-1","role":"viewer"}"#,
        )),
    );
    assert_eq!(s, 201);
    let ops = basic("ops", "ops-password-1");
    let (_, _, dash) = get(&w, "/", Some(&ops));
    assert!(dash.contains("plugin-exes_download"), "{dash}");
    assert!(!dash.contains("plugin-page_tests"), "{dash}");
    let (s, _, body) = get(&w, "/plugins/pt_hello.lua", Some(&ops));
    assert_eq!(s, 200);
    assert!(
        body.contains("<p id=\"pt-user\">ops admin=false</p>"),
        "{body}"
    );

    // Reload (SIGHUP, as `weir plugins reload` sends): changed and new pages.
    let hello = plugin.join("web_gui/pt_hello.lua");
    let text = std::fs::read_to_string(&hello).unwrap();
    std::fs::write(&hello, text.replace("v1", "v2")).unwrap();
    std::fs::write(
        plugin.join("web_gui/pt_new.lua"),
        "print('<p id=\"pt-new\">new</p>')\n",
    )
    .unwrap();
    let status = std::process::Command::new("kill")
        .args(["-HUP", &w.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    w.wait_until(30, "the changed page after SIGHUP", |w| {
        get(w, "/plugins/pt_hello.lua", Some(&a))
            .2
            .contains("<p id=\"pt-version\">v2</p>")
    });
    let (s, _, body) = get(&w, "/plugins/pt_new.lua", Some(&a));
    assert_eq!(s, 200);
    assert!(body.contains("<p id=\"pt-new\">new</p>"), "{body}");

    let (s, _) = w.stop();
    assert!(s.success());
}
