//! Tests of the page runtime.

use std::path::Path;
use std::sync::Arc;

use serde_json::{Map, Value as Json};

use super::catalogue::confined;
use super::*;

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn cfg(root: &Path) -> PageConfig {
    let mut c = PageConfig::default();
    c.script.roots = vec![root.to_path_buf()];
    c.script.instruction_budget = 2_000_000;
    c.script.memory_limit = 16 << 20;
    c.workers = 1;
    c
}

struct Data {
    flows: Vec<Map<String, Json>>,
    hosts: Vec<Map<String, Json>>,
}

impl PageData for Data {
    fn interface(&self) -> Json {
        serde_json::json!({"packets": 1234, "bytes": 99999})
    }
    fn flows(&self) -> &[Map<String, Json>] {
        &self.flows
    }
    fn hosts(&self) -> &[Map<String, Json>] {
        &self.hosts
    }
    fn alerts(&self, kind: &str, alert_type: Option<u32>, limit: usize) -> Vec<Json> {
        vec![serde_json::json!({"kind": kind, "alert_type": alert_type, "limit": limit})]
    }
}

fn data() -> Arc<dyn PageData> {
    let flow = |cli: &str, srv: &str, url: &str| {
        serde_json::json!({"cli.ip": cli, "srv.ip": srv, "protos.http.last_url": url})
            .as_object()
            .cloned()
            .unwrap()
    };
    let host = serde_json::json!({"ip": "10.0.0.1", "vlan": 0, "bytes.sent": 10})
        .as_object()
        .cloned()
        .unwrap();
    Arc::new(Data {
        flows: vec![
            flow("10.0.0.1", "10.0.0.9", "/setup.exe"),
            flow("10.0.0.2", "10.0.0.9", "/index.html"),
        ],
        hosts: vec![host],
    })
}

fn req(page: &str, query: &[(&str, &str)], admin: bool) -> PageRequest {
    PageRequest {
        page: page.into(),
        method: "GET".into(),
        query: query
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        form: Vec::new(),
        user: PageUser {
            name: if admin { "admin" } else { "ops" }.into(),
            admin,
            csrf: "tok".into(),
        },
        data: data(),
    }
}

fn body(r: &PageOutcome) -> String {
    r.output()
        .map(|o| String::from_utf8_lossy(&o.body).into_owned())
        .unwrap_or_default()
}

/// The kind of outcome, for assertions.
fn kind(r: &PageOutcome) -> &'static str {
    match r {
        PageOutcome::Rendered(_) => "rendered",
        PageOutcome::NotFound => "not found",
        PageOutcome::Failed(_) => "failed",
        PageOutcome::OverBudget(_) => "over budget",
    }
}

/// A plugin `demo` with locales, a menu entry and pages.
fn demo(root: &Path) {
    write(
        root,
        "demo/locales/en.lua",
        r#"return { menu_label = "Demo page", title = "Demo title", hello = "Hello %{name}!" }"#,
    );
    write(
        root,
        "demo/web_gui/menu.lua",
        r#"return {
  label = "demo.menu_label",
  script = "demo_page.lua",
  sort_order = 5,
  menu_entry = { key = "demo", i18n_title = "demo.title", section = "system_stats" },
}"#,
    );
    write(
        root,
        "demo/web_gui/demo_page.lua",
        r#"local page_utils = require("page_utils")
local plugins_utils = require("plugins_utils")
sendHTTPContentTypeHeader("text/html")
page_utils.set_active_menu_entry(page_utils.menu_entries.demo)
print("<p id='greet'>", i18n("demo.hello", { name = _GET.name }), "</p>")
print("<p id='url'>", plugins_utils.getUrl("demo_page.lua"), "</p>")
print("<p id='user'>", _SESSION.user, " ", tostring(isAdministrator()), "</p>")
local st = interface.getStats()
print("<p id='packets'>", st.packets, "</p>")
local fi = interface.getFlowsInfo()
print("<p id='flows'>", fi.numFlows, " ", fi.flows[1]["protos.http.last_url"], "</p>")
print("<p id='hostflows'>", interface.getFlowsInfo("10.0.0.2@0").numFlows, "</p>")
local hi = interface.getHostsInfo()
print("<p id='host'>", hi.hosts["10.0.0.1@0"]["bytes.sent"], "</p>")
print("<p id='alerts'>", interface.getAlerts("flow", { limit = 7 })[1].limit, "</p>")
page_utils.print_navbar("Nav", plugins_utils.getUrl("demo_page.lua"), {
  { active = true, page_name = "overview", label = "Overview" },
  { page_name = "hidden", label = "Hidden", hidden = true },
})
"#,
    );
    write(
        root,
        "demo/web_gui/bad_runtime.lua",
        "print('before')\nlocal t = nil\nlocal x = t.field\n",
    );
    write(
        root,
        "demo/web_gui/bad_syntax.lua",
        "print('a')\n\nlocal = 3\n",
    );
    write(
        root,
        "demo/web_gui/loop.lua",
        "local n = 0\nwhile true do\n  n = n + 1\nend\n",
    );
    write(
        root,
        "demo/web_gui/bomb.lua",
        "local t = {}\nfor i = 1, 1e9 do\n  t[i] = string.rep('x', 4096) .. i\nend\n",
    );
    write(
        root,
        "demo/web_gui/json.lua",
        "sendHTTPContentTypeHeader('application/json')\nio.write('{\"ok\":true}')\n",
    );
    write(root, "demo/web_gui/helper.lua", "return 41 + 1\n");
    write(
        root,
        "demo/web_gui/include.lua",
        "dofile(ntop.getDirs().installdir .. '/scripts/lua/inc/menu.lua')\nprint(dofile('web_gui/helper.lua'))\nprint(plugins_utils and 'global' or 'local')\n",
    );
    write(
        root,
        "demo/web_gui/escape1.lua",
        "dofile('../other/secret.lua')\n",
    );
    write(
        root,
        "demo/web_gui/escape2.lua",
        "\n\ndofile('/etc/passwd')\n",
    );
    write(root, "demo/modules/mymod.lua", "return { answer = 42 }\n");
    write(
        root,
        "demo/web_gui/modules.lua",
        "local m = require('mymod')\nlocal pu = require('plugins_utils')\nprint(m.answer, ' ', pu.loadModule('demo', 'mymod').answer, ' ', tostring(pu.loadModule('other', 'x')))\n",
    );
}

#[test]
fn menu_entries_are_validated_and_localized() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    demo(root);
    // No label.
    write(
        root,
        "nolabel/web_gui/menu.lua",
        "return {\n  script = 'x.lua',\n}\n",
    );
    write(root, "nolabel/web_gui/x.lua", "print('x')\n");
    // The script does not exist.
    write(
        root,
        "noscript/web_gui/menu.lua",
        "return {\n  label = 'No script',\n  script = 'missing.lua',\n}\n",
    );
    write(root, "noscript/web_gui/other.lua", "print('o')\n");
    // Not a table, and a syntax error.
    write(root, "notable/web_gui/menu.lua", "return 42\n");
    write(root, "notable/web_gui/n.lua", "print('n')\n");
    write(root, "broken/web_gui/menu.lua", "return {\n label = \n");
    write(root, "broken/web_gui/b.lua", "print('b')\n");
    // A page name another plugin already serves.
    write(root, "zdup/web_gui/demo_page.lua", "print('dup')\n");
    // A second valid entry with a lower sort order and is_shown.
    write(
        root,
        "admin_only/web_gui/menu.lua",
        "return { label = 'Admin only', script = 'a.lua', sort_order = 1,\n  is_shown = function() return isAdministrator() end }\n",
    );
    write(root, "admin_only/web_gui/a.lua", "print('a')\n");
    write(
        root,
        "failing_shown/web_gui/menu.lua",
        "return { label = 'Failing', script = 'f.lua', sort_order = 10,\n  is_shown = function() error('nope') end }\n",
    );
    write(root, "failing_shown/web_gui/f.lua", "print('f')\n");

    let pages = Pages::start(cfg(root));
    let entries = pages.menu_entries();
    let keys: Vec<&str> = entries.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["failing_shown", "demo", "admin_only"], "{entries:?}");
    let demo = &entries[1];
    assert_eq!(demo.label, "Demo page");
    assert_eq!(demo.title, "Demo title");
    assert_eq!(demo.section, "system_stats");
    assert_eq!(demo.url, "/plugins/demo_page.lua");
    assert_eq!(demo.sort_order, 5);

    let problems: Vec<String> = pages.problems().iter().map(ToString::to_string).collect();
    let has = |needle: &str| problems.iter().any(|p| p.contains(needle));
    assert!(
        has("/nolabel/web_gui/menu.lua:1: menu.lua: `label`"),
        "{problems:#?}"
    );
    assert!(
        has("/noscript/web_gui/menu.lua:3: menu.lua: script \"missing.lua\""),
        "{problems:#?}"
    );
    assert!(
        has("/notable/web_gui/menu.lua:1: menu.lua must return a table"),
        "{problems:#?}"
    );
    assert!(has("/broken/web_gui/menu.lua:3:"), "{problems:#?}");
    assert!(
        has("/zdup/web_gui/demo_page.lua:1: duplicate page name demo_page.lua: "),
        "{problems:#?}"
    );
    // Invalid menus: none of that plugin's pages are served.
    for p in ["x.lua", "other.lua", "n.lua", "b.lua"] {
        assert!(!pages.has_page(p), "{p}");
    }
    assert!(pages.has_page("demo_page.lua") && pages.has_page("a.lua"));
    let r = pages.render(req("demo_page.lua", &[], true));
    assert!(
        body(&r).contains("greet"),
        "the first plugin keeps the page"
    );

    // is_shown per user; an is_shown that raises hides its entry.
    let admin = PageUser {
        name: "admin".into(),
        admin: true,
        csrf: String::new(),
    };
    let viewer = PageUser {
        name: "ops".into(),
        admin: false,
        csrf: String::new(),
    };
    let shown =
        |u: &PageUser| -> Vec<String> { pages.menu(u).into_iter().map(|e| e.key).collect() };
    assert_eq!(shown(&admin), ["demo", "admin_only"]);
    assert_eq!(shown(&viewer), ["demo"]);
    assert_eq!(pages.stats().menu_failures, 2);
}

#[test]
fn page_output_params_i18n_and_data() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let pages = Pages::start(cfg(dir.path()));
    assert!(pages.problems().is_empty(), "{:?}", pages.problems());
    let r = pages.render(req(
        "demo_page.lua",
        &[("name", "<b>Ann</b>"), ("bad name", "x")],
        false,
    ));
    let b = body(&r);
    assert_eq!(kind(&r), "rendered", "{:?}", r.error());
    assert!(r.output().unwrap().is_html());
    assert!(b.contains("<p id='greet'>Hello bAnn/b!</p>"), "{b}");
    assert!(b.contains("<p id='url'>/plugins/demo_page.lua</p>"), "{b}");
    assert!(b.contains("<p id='user'>ops false</p>"), "{b}");
    assert!(b.contains("<p id='packets'>1234</p>"), "{b}");
    assert!(b.contains("<p id='flows'>2 /setup.exe</p>"), "{b}");
    assert!(b.contains("<p id='hostflows'>1</p>"), "{b}");
    assert!(b.contains("<p id='host'>10</p>"), "{b}");
    assert!(b.contains("<p id='alerts'>7</p>"), "{b}");
    assert!(
        b.contains("<a href=\"/plugins/demo_page.lua?page=overview\" class=\"active\""),
        "{b}"
    );
    assert!(!b.contains("Hidden"), "{b}");
    assert_eq!(r.output().unwrap().title.as_deref(), Some("Demo title"));
    assert_eq!(r.output().unwrap().active_menu.as_deref(), Some("demo"));

    let r = pages.render(req("json.lua", &[], true));
    assert_eq!((kind(&r), body(&r).as_str()), ("rendered", "{\"ok\":true}"));
    assert_eq!(
        r.output().and_then(|o| o.media_type.as_deref()),
        Some("application/json")
    );
    assert!(!r.output().unwrap().is_html());

    let r = pages.render(req("include.lua", &[], true));
    assert_eq!(body(&r), "42local");
    let r = pages.render(req("modules.lua", &[], true));
    assert_eq!(body(&r), "42 42 nil");

    assert_eq!(kind(&pages.render(req("nope.lua", &[], true))), "not found");
    assert_eq!(
        sanitize_params(&[("a".into(), "1\n2<3>".into()), ("a".into(), "x".into())]),
        [("a".to_string(), "123".to_string())]
    );
}

#[test]
fn failing_pages_give_file_and_line_and_the_next_request_works() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let pages = Pages::start(cfg(dir.path()));
    let cases = [
        ("bad_runtime.lua", 3, "attempt to index"),
        ("bad_syntax.lua", 3, "expected near"),
        ("loop.lua", 3, "instruction budget exceeded"),
        ("escape1.lua", 1, "only files of plugin demo"),
        ("escape2.lua", 3, "only files of plugin demo"),
    ];
    for (page, line, msg) in cases {
        let r = pages.render(req(page, &[], true));
        assert_eq!(kind(&r), "failed", "{page}");
        let e = r.error().unwrap();
        assert_eq!(
            e.file,
            format!("{}/demo/web_gui/{page}", dir.path().display()),
            "{page}: {e}"
        );
        assert_eq!(e.line, Some(line), "{page}: {e}");
        assert!(e.message.contains(msg), "{page}: {e}");
        // The runtime keeps serving.
        assert_eq!(kind(&pages.render(req("json.lua", &[], true))), "rendered");
    }
    let r = pages.render(req("bomb.lua", &[], true));
    assert_eq!(kind(&r), "failed");
    let e = r.error().unwrap();
    assert!(e.file.ends_with("/demo/web_gui/bomb.lua"), "{}", e.file);
    assert!(e.message.contains("memory limit"), "{e}");
    assert_eq!(kind(&pages.render(req("json.lua", &[], true))), "rendered");
    let s = pages.stats();
    assert_eq!(s.failures, 6);
    assert_eq!(s.requests, 12);
}

#[test]
fn traversal_and_escaping_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("plugins");
    demo(&root);
    write(dir.path(), "outside/secret.lua", "print('secret')\n");
    std::os::unix::fs::symlink(
        dir.path().join("outside/secret.lua"),
        root.join("demo/web_gui/evil.lua"),
    )
    .unwrap();
    std::os::unix::fs::symlink(dir.path().join("outside"), root.join("demo/modules/linked"))
        .unwrap();
    let pages = Pages::start(cfg(&root));
    assert!(!pages.has_page("evil.lua"));
    let problems: Vec<String> = pages.problems().iter().map(ToString::to_string).collect();
    assert!(
        problems
            .iter()
            .any(|p| p.contains("/demo/web_gui/evil.lua: file is outside the plugin directory")),
        "{problems:?}"
    );
    for page in [
        "../outside/secret.lua",
        "..",
        "/etc/passwd",
        "web_gui/json.lua",
        "evil.lua",
        "menu.lua",
    ] {
        assert_eq!(
            kind(&pages.render(req(page, &[], true))),
            "not found",
            "{page}"
        );
    }
    assert!(confined(&root.join("demo"), "web_gui/json.lua"));
    assert!(!confined(&root.join("demo"), "../demo/web_gui/json.lua"));
    assert!(!confined(&root.join("demo"), "/etc/passwd"));
    assert!(!confined(&root.join("demo"), "modules/linked/secret.lua"));
}

/// Alerts of one type only, as the store would filter them.
struct ExeData(Vec<Map<String, Json>>);

impl PageData for ExeData {
    fn interface(&self) -> Json {
        serde_json::json!({"packets": 45877, "bytes": 22345678, "name": "sample.pcap"})
    }
    fn flows(&self) -> &[Map<String, Json>] {
        &self.0
    }
    fn hosts(&self) -> &[Map<String, Json>] {
        &[]
    }
    fn alerts(&self, kind: &str, alert_type: Option<u32>, _: usize) -> Vec<Json> {
        if kind != "flow" || alert_type != Some(32768) {
            return Vec::new();
        }
        vec![serde_json::json!({
            "alert_type": 32768, "alert_tstamp": 1767225950, "alert_severity_name": "error",
            "cli_addr": "192.168.1.36", "cli_port": 58450, "srv_addr": "198.51.100.23",
            "srv_port": 80, "score": 100,
            "alert_json": "{\"protos.http.last_url\":\"dl.example/garden-driver.exe\"}",
        })]
    }
}

#[test]
fn tutorial_page_shows_exe_flows_and_alerts() {
    let plugin = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../plugins/exes_download");
    let mut c = cfg(&plugin);
    c.script.roots = vec![plugin];
    let pages = Pages::start(c);
    assert!(pages.problems().is_empty(), "{:?}", pages.problems());
    let entries = pages.menu_entries();
    assert_eq!(entries.len(), 1);
    assert_eq!(
        (entries[0].label.as_str(), entries[0].key.as_str()),
        ("EXE downloads", "exes_download")
    );
    let flow = |url: &str, bytes: u64| {
        serde_json::json!({"cli.ip": "192.168.1.21", "cli.port": 50000, "srv.ip": "192.0.2.150",
            "srv.port": 80, "protos.http.last_url": url, "protos.http.server_name": "dl.freeware.example",
            "bytes": bytes, "score": {"flow_score": 100}})
        .as_object()
        .cloned()
        .unwrap()
    };
    let data: Arc<dyn PageData> = Arc::new(ExeData(vec![
        flow("dl.freeware.example/media-player.exe", 2_000_000),
        flow("dl.freeware.example/index.html", 5_000),
    ]));
    let mut r = req("exes_download.lua", &[], false);
    r.data = data.clone();
    let resp = pages.render(r);
    let b = body(&resp);
    assert_eq!(kind(&resp), "rendered", "{:?}", resp.error());
    assert_eq!(
        resp.output().unwrap().title.as_deref(),
        Some("EXE downloads")
    );
    assert_eq!(
        resp.output().unwrap().active_menu.as_deref(),
        Some("exes_download")
    );
    for needle in [
        "<code>dl.freeware.example/media-player.exe</code>",
        "1.91 MB",
        "<code>dl.example/garden-driver.exe</code>",
        "<span class=\"sev sev-error\">error</span>",
        "01/01/2026 00:05:50",
        "1 of 1",
        "Interface sample.pcap: 45,877 packets",
    ] {
        assert!(b.contains(needle), "{needle}:\n{b}");
    }
    assert!(!b.contains("index.html"), "{b}");
    // The alerts view only.
    let mut r = req("exes_download.lua", &[("page", "alerts")], false);
    r.data = data;
    let b = body(&pages.render(r));
    assert!(
        b.contains("id=\"exe-alerts\"") && !b.contains("id=\"exe-flows\""),
        "{b}"
    );
}

#[test]
fn reload_picks_up_new_and_changed_pages() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let pages = Pages::start(cfg(dir.path()));
    assert!(!pages.has_page("new.lua"));
    write(dir.path(), "demo/web_gui/new.lua", "print('new')\n");
    write(dir.path(), "demo/web_gui/json.lua", "print('changed')\n");
    assert!(pages.reload().is_empty());
    assert_eq!(body(&pages.render(req("new.lua", &[], true))), "new");
    assert_eq!(body(&pages.render(req("json.lua", &[], true))), "changed");
}

#[test]
fn pages_of_plugins_built_into_the_binary() {
    let (src, problems) = crate::PluginSource::embedded(
        "emb",
        [
            (
                "web_gui/menu.lua",
                "return { label = 'Emb', script = 'emb.lua', sort_order = 1 }",
            ),
            ("web_gui/emb.lua", "print('<p>built in</p>')"),
            ("web_gui/emb_bad.lua", "\nlocal x = nil\nprint(x.y)"),
        ],
    );
    assert!(problems.is_empty(), "{problems:?}");
    let dir = tempfile::tempdir().unwrap();
    let mut c = cfg(dir.path());
    c.script.sources = vec![src];
    let pages = Pages::start(c);
    assert!(pages.problems().is_empty(), "{:?}", pages.problems());
    assert_eq!(pages.page_names(), ["emb.lua", "emb_bad.lua"]);
    assert_eq!(pages.menu_entries()[0].key, "emb");
    let r = pages.render(req("emb.lua", &[], true));
    assert_eq!(body(&r), "<p>built in</p>");
    let r = pages.render(req("emb_bad.lua", &[], true));
    let e = r.error().unwrap();
    assert_eq!(
        (e.file.as_str(), e.line),
        ("builtin:emb/web_gui/emb_bad.lua", Some(3)),
        "{e}"
    );
}
