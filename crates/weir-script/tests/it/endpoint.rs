//! Plugin `alert_endpoints/` modules with ntopng 4.2's recipient model, each in its
//! own thread and VM, sending for real to servers on 127.0.0.1: weir's own test
//! endpoints and ntopng 4.2's webhook and syslog endpoints (from ../shared, run
//! unchanged; skipped loudly when absent).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use weir_alerts::{
    EndpointConf, Recipient, RecipientQueues, RecipientSet, Severity, spawn_dispatch,
};
use weir_script::{
    EndpointAlertSinks, EndpointWorker, LoopOptions, Output, PluginSource, Runtime, ScriptConfig,
    spawn_lua_endpoint,
};

use crate::common::*;

const TIMEOUT: Duration = Duration::from_secs(30);

const ENDPOINT: &str = r#"
local json = require("dkjson")
local endpoint = { name = "Test endpoint", EXPORT_FREQUENCY = 60, prio = 0,
  conf_params = { { param_name = "prefix" } }, recipient_params = {} }
local loaded = false

function endpoint.onLoad() loaded = true end
function endpoint.isAvailable() return true end

function endpoint.dequeueRecipientAlerts(recipient, budget, high_priority)
  local n = 0
  while n < budget do
    local s = ntop.recipient_dequeue(recipient.recipient_id, high_priority)
    if not s then break end
    local a = json.decode(s)
    local j = json.decode(json.decode(a.alert_json).status_info)
    io.write(string.format("%s %s %s %s %s\n", recipient.endpoint_conf.prefix, tostring(loaded), a.action,
      require('alert_consts').alertTypeRaw(a.alert_type), tostring(j["protos.http.last_url"])))
    n = n + 1
  end
  return { success = true, more_available = (n == budget) }
end

return endpoint
"#;

fn conf(name: &str, key: &str, params: &[(&str, &str)]) -> EndpointConf {
    EndpointConf {
        name: name.into(),
        endpoint_key: key.into(),
        params: params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        builtin: false,
    }
}

fn recipient(id: u8, conf: &str, params: &[(&str, &str)]) -> Recipient {
    Recipient {
        id,
        name: format!("r{id}"),
        endpoint_conf_name: conf.into(),
        params: params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect::<BTreeMap<_, _>>(),
        minimum_severity: Severity::Notice,
        categories: Vec::new(),
        builtin: false,
    }
}

fn start(
    plugin: &Path,
    file: &str,
    cfg: ScriptConfig,
    set: &Arc<RecipientSet>,
    queues: &Arc<RecipientQueues>,
) -> weir_alerts::Result<EndpointWorker> {
    let (src, problems) = PluginSource::read(plugin);
    let src = src.unwrap_or_else(|| panic!("{}: {problems:?}", plugin.display()));
    spawn_lua_endpoint(
        src,
        file.into(),
        cfg,
        set.clone(),
        queues.clone(),
        EndpointAlertSinks::default(),
        LoopOptions::default(),
    )
}

fn shared_plugin(name: &str) -> Option<PathBuf> {
    let p = workspace().join("../shared/ntopng42-plugins").join(name);
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("SKIPPED: {} not found", p.display());
        None
    }
}

/// A notification of each severity, as the dispatcher writes them.
fn notification(i: u64) -> String {
    serde_json::json!({
        "ifid": 0, "action": "store", "alert_type": 11, "alert_subtype": "",
        "alert_granularity": 0, "alert_severity": 4, "alert_entity": 1,
        "alert_entity_val": format!("10.0.0.{i}@0"), "alert_tstamp": 1_600_000_000 + i,
        "alert_tstamp_end": 1_600_000_000 + i, "alert_json": "{}", "pool_id": 0,
    })
    .to_string()
}

/// The requests an [`http_server`] got: (request line, body).
type Requests = Arc<Mutex<Vec<(String, String)>>>;

/// An HTTP server on 127.0.0.1 keeping every request (request line, body).
fn http_server() -> (String, Requests) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let got = Arc::new(Mutex::new(Vec::new()));
    let g = got.clone();
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(s) = s else { continue };
            let mut r = BufReader::new(s.try_clone().unwrap());
            let mut first = String::new();
            if r.read_line(&mut first).is_err() {
                continue;
            }
            let mut len = 0usize;
            loop {
                let mut h = String::new();
                if r.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                    break;
                }
                if let Some((k, v)) = h.split_once(':')
                    && k.eq_ignore_ascii_case("content-length")
                {
                    len = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; len];
            let _ = r.read_exact(&mut body);
            g.lock().unwrap().push((
                first.trim().to_owned(),
                String::from_utf8_lossy(&body).into_owned(),
            ));
            let mut w = s;
            let _ =
                w.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        }
    });
    (format!("http://{addr}"), got)
}

#[test]
fn lua_endpoint_receives_the_flow_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let plugin = dir.path().join("exes_download");
    for sub in [
        "user_scripts/flow",
        "alert_definitions",
        "status_definitions",
    ] {
        let from = workspace().join("plugins/exes_download").join(sub);
        std::fs::create_dir_all(plugin.join(sub)).unwrap();
        for e in std::fs::read_dir(&from).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), plugin.join(sub).join(e.file_name())).unwrap();
        }
    }
    std::fs::create_dir_all(plugin.join("alert_endpoints")).unwrap();
    std::fs::write(plugin.join("alert_endpoints/test_endpoint.lua"), ENDPOINT).unwrap();

    let out = Arc::new(Mutex::new(Vec::new()));
    let mut cfg = config(vec![dir.path().to_path_buf()]);
    cfg.output = Output::Shared(out.clone());
    let (mut rt, report) = Runtime::load(cfg.clone()).unwrap();
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    let set = Arc::new(RecipientSet::new(
        vec![conf("c", "test_endpoint", &[("prefix", "EP")])],
        vec![recipient(0, "c", &[])],
    ));
    let queues = Arc::new(RecipientQueues::default());
    queues.register(0);
    let w = start(
        &plugin,
        "alert_endpoints/test_endpoint.lua",
        cfg,
        &set,
        &queues,
    )
    .unwrap();
    assert_eq!(w.info().key, "test_endpoint");
    assert_eq!(w.info().conf_params[0].name, "prefix");
    let d = spawn_dispatch(set, queues, Arc::new(|_: &str, _: &str| None)).unwrap();
    rt.with_alerts(|a| a.add_endpoint(d.sender()));

    let pcap = capture(300, 7);
    let mut oracle = ExeOracle::default();
    replay(&pcap, &mut oracle);
    replay(&pcap, &mut rt);
    d.flush(TIMEOUT).unwrap();
    let stats = w.shutdown(TIMEOUT).unwrap();
    let text = String::from_utf8(out.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("EP ")).collect();
    assert_eq!(lines.len(), oracle.urls.len(), "{text}\n{stats:?}");
    for (l, url) in lines.iter().zip(&oracle.urls) {
        assert_eq!(*l, format!("EP true store alert_exe_download {url}"));
    }
}

#[test]
fn a_broken_endpoint_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("ep/alert_endpoints");
    std::fs::create_dir_all(&p).unwrap();
    std::fs::write(p.join("bad.lua"), "return { name = 'bad' }\n").unwrap();
    let cfg = config(vec![dir.path().to_path_buf()]);
    let (_, report) = Runtime::load(cfg.clone()).unwrap();
    assert!(report.problems.iter().any(
        |p| p.file == "alert_endpoints/bad.lua" && p.message.contains("dequeueRecipientAlerts")
    ));
    let set = Arc::new(RecipientSet::default());
    let q = Arc::new(RecipientQueues::default());
    let err = start(
        &dir.path().join("ep"),
        "alert_endpoints/bad.lua",
        cfg,
        &set,
        &q,
    )
    .unwrap_err();
    assert!(err.to_string().contains("alert_endpoints/bad.lua"), "{err}");
}

#[test]
fn ntopng42_webhook_posts_batches_of_ten_with_the_shared_secret() {
    let Some(plugin) = shared_plugin("webhook_alert_endpoint") else {
        return;
    };
    let (url, got) = http_server();
    let set = Arc::new(RecipientSet::new(
        vec![conf(
            "hook",
            "webhook",
            &[
                ("webhook_url", &format!("{url}/alerts")),
                ("webhook_sharedsecret", "s3cret"),
            ],
        )],
        vec![recipient(5, "hook", &[])],
    ));
    let queues = Arc::new(RecipientQueues::default());
    queues.register(5);
    for i in 0..25 {
        assert!(queues.enqueue(5, true, notification(i)));
    }
    let cfg = config(vec![]);
    let w = start(&plugin, "alert_endpoints/webhook.lua", cfg, &set, &queues).unwrap();
    assert_eq!(w.info().export_frequency, 60);
    let stats = w.flush(TIMEOUT).unwrap();
    assert_eq!(stats.failures, 0, "{stats:?}");
    let reqs = got.lock().unwrap().clone();
    let mut seen = Vec::new();
    for (line, body) in &reqs {
        assert!(line.starts_with("POST /alerts "), "{line}");
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["version"], "0.2");
        assert_eq!(v["sharedsecret"], "s3cret");
        let alerts = v["alerts"].as_array().unwrap();
        assert!(!alerts.is_empty() && alerts.len() <= 10, "{body}");
        for a in alerts {
            seen.push(a["alert_entity_val"].as_str().unwrap().to_owned());
        }
    }
    let want: Vec<String> = (0..25).map(|i| format!("10.0.0.{i}@0")).collect();
    assert_eq!(seen, want);
    // runTest posts an empty batch.
    assert!(w.test(5, TIMEOUT).unwrap().unwrap().0);
    assert!(queues.stats(5).unwrap().num_uses >= 25);
    w.shutdown(TIMEOUT).unwrap();
}

const SENDERS: &str = r#"
local ep = { EXPORT_FREQUENCY = 1 }
function ep.dequeueRecipientAlerts() return { success = true, more_available = false } end
function ep.runTest(r)
  ntop.syslog("hello from " .. r.recipient_name, 3)
  local g = ntop.httpGet(r.endpoint_conf.url .. "/get")
  local ok = g.RESPONSE_CODE == 200 and g.CONTENT == "ok" and g.HTTP_STATS.TOTAL_TIME >= 0
    and g.RESOLVED_IP == "127.0.0.1" and g.EFFECTIVE_URL == r.endpoint_conf.url .. "/get"
  local bad = ntop.httpGet("http://127.0.0.1:1/", nil, nil, 2)
  ok = ok and bad.ERROR ~= nil and bad.CONTENT == nil and bad.HTTP_STATS == nil
  ok = ok and ntop.postHTTPJsonData("u", "p", r.endpoint_conf.url .. "/json", "{}")
  ok = ok and ntop.popInternalAlerts() == nil
  return ok, "checked"
end
return ep
"#;

#[test]
fn syslog_and_http_senders_reach_local_servers() {
    // The only test that sets the (process-wide) syslog target.
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    weir_script::set_syslog_target(weir_script::SyslogTarget::Udp(sock.local_addr().unwrap()));
    let mut buf = [0u8; 8192];

    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("senders/alert_endpoints");
    std::fs::create_dir_all(&p).unwrap();
    std::fs::write(p.join("senders.lua"), SENDERS).unwrap();
    let (url, got) = http_server();
    let set = Arc::new(RecipientSet::new(
        vec![conf("s", "senders", &[("url", &url)])],
        vec![recipient(4, "s", &[])],
    ));
    let queues = Arc::new(RecipientQueues::default());
    let w = start(
        &dir.path().join("senders"),
        "alert_endpoints/senders.lua",
        config(vec![]),
        &set,
        &queues,
    )
    .unwrap();
    assert_eq!(
        w.test(4, TIMEOUT).unwrap().unwrap(),
        (true, "checked".into())
    );
    w.shutdown(TIMEOUT).unwrap();
    let n = sock.recv(&mut buf).unwrap();
    let m = String::from_utf8_lossy(&buf[..n]).into_owned();
    assert!(
        m.starts_with("<27>") && m.ends_with(": hello from r4"),
        "{m}"
    );
    let reqs = got.lock().unwrap().clone();
    assert_eq!(reqs[0].0, "GET /get HTTP/1.1");
    assert_eq!(reqs[1], ("POST /json HTTP/1.1".into(), "{}".into()));

    let Some(plugin) = shared_plugin("syslog_alert_endpoint") else {
        return;
    };
    let set = Arc::new(RecipientSet::new(
        vec![conf("sys", "syslog", &[("syslog_alert_format", "json")])],
        vec![recipient(1, "sys", &[])],
    ));
    let queues = Arc::new(RecipientQueues::default());
    queues.register(1);
    for i in 0..3 {
        queues.enqueue(1, true, notification(i));
    }
    let w = match start(
        &plugin,
        "alert_endpoints/syslog.lua",
        config(vec![]),
        &set,
        &queues,
    ) {
        Ok(w) => w,
        Err(e) if e.to_string().contains("alert_utils") => {
            eprintln!("SKIPPED: the 4.2 syslog endpoint needs alert_utils: {e}");
            return;
        }
        Err(e) => panic!("{e}"),
    };
    let stats = w.flush(TIMEOUT).unwrap();
    assert_eq!(stats.failures, 0, "{stats:?}");
    let mut buf = [0u8; 8192];
    let mut msgs = Vec::new();
    for _ in 0..3 {
        let n = sock.recv(&mut buf).unwrap();
        msgs.push(String::from_utf8_lossy(&buf[..n]).into_owned());
    }
    for m in &msgs {
        // warning = syslog level 4, facility daemon (3): <28>.
        assert!(m.starts_with("<28>"), "{m}");
        let json = &m[m.find('{').unwrap()..];
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        assert!(v.get("message").is_some(), "{m}");
    }
    w.shutdown(TIMEOUT).unwrap();
}

const TELEGRAM_LIKE: &str = r#"
local json = require("dkjson")
-- A Telegram-style endpoint whose API URL is configurable (ntopng 4.2's telegram
-- endpoint hard-codes https://api.telegram.org).
local ep = { name = "Chat", EXPORT_FREQUENCY = 5,
  conf_params = { { param_name = "api_url" }, { param_name = "token" } },
  recipient_params = { { param_name = "channel" } } }

local function send(recipient, text)
  local url = recipient.endpoint_conf.api_url .. "/bot" .. recipient.endpoint_conf.token .. "/sendMessage"
  local body = json.encode({ chat_id = recipient.recipient_params.channel, text = text, disable_notification = true })
  local rc = ntop.httpPost(url, body, nil, nil, 5, true)
  return rc and rc.RESPONSE_CODE == 200 and rc.CONTENT == "ok" and rc.HTTP_STATS ~= nil
end

function ep.dequeueRecipientAlerts(recipient, budget, high_priority)
  local s = ntop.recipient_dequeue(recipient.recipient_id, high_priority)
  if not s then return { success = true, more_available = false } end
  local a = json.decode(s)
  if not send(recipient, "alert on " .. a.alert_entity_val) then
    return { success = false, error_message = "post failed" }
  end
  return { success = true, more_available = true }
end

function ep.runTest(recipient) return send(recipient, "test"), "sent" end
return ep
"#;

#[test]
fn http_post_endpoint_sends_one_message_per_alert() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("chat/alert_endpoints");
    std::fs::create_dir_all(&p).unwrap();
    std::fs::write(p.join("chat.lua"), TELEGRAM_LIKE).unwrap();
    let (url, got) = http_server();
    let set = Arc::new(RecipientSet::new(
        vec![conf("chat", "chat", &[("api_url", &url), ("token", "T0K")])],
        vec![recipient(2, "chat", &[("channel", "@ops")])],
    ));
    let queues = Arc::new(RecipientQueues::default());
    queues.register(2);
    for i in 0..3 {
        queues.enqueue(2, i % 2 == 0, notification(i));
    }
    let w = start(
        &dir.path().join("chat"),
        "alert_endpoints/chat.lua",
        config(vec![]),
        &set,
        &queues,
    )
    .unwrap();
    let stats = w.flush(TIMEOUT).unwrap();
    assert_eq!((stats.failures, stats.delivered), (0, 3), "{stats:?}");
    assert_eq!(w.test(2, TIMEOUT).unwrap().unwrap(), (true, "sent".into()));
    let reqs = got.lock().unwrap().clone();
    assert_eq!(reqs.len(), 4);
    // High-priority queue first.
    let texts: Vec<String> = reqs
        .iter()
        .map(|(line, body)| {
            assert!(line.starts_with("POST /botT0K/sendMessage "), "{line}");
            let v: serde_json::Value = serde_json::from_str(body).unwrap();
            assert_eq!(v["chat_id"], "@ops");
            assert_eq!(v["disable_notification"], true);
            v["text"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(
        texts,
        [
            "alert on 10.0.0.0@0",
            "alert on 10.0.0.2@0",
            "alert on 10.0.0.1@0",
            "test"
        ]
    );
    w.shutdown(TIMEOUT).unwrap();
}

const EMAIL: &str = r#"
local json = require("dkjson")
-- An email endpoint written to ntopng 4.2's email facts (conf smtp_server,
-- email_sender, smtp_username?, smtp_password?; recipient email_recipient, cc?).
local email = { name = "Email", EXPORT_FREQUENCY = 60, prio = 200,
  conf_params = { { param_name = "smtp_server" }, { param_name = "email_sender" },
    { param_name = "smtp_username", optional = true }, { param_name = "smtp_password", optional = true } },
  recipient_params = { { param_name = "email_recipient" }, { param_name = "cc", optional = true } } }

function email.isAvailable() return ntop.sendMail ~= nil end

local function send(recipient, subject, body)
  local c, r = recipient.endpoint_conf, recipient.recipient_params
  local msg = table.concat({ "From: " .. c.email_sender, "To: " .. r.email_recipient,
    "Subject: " .. subject, "Content-Type: text/plain; charset=UTF-8", "", body }, "\r\n")
  local rc = ntop.sendMail(c.email_sender, r.email_recipient, r.cc or "", msg, c.smtp_server,
    c.smtp_username, c.smtp_password)
  return rc.success, rc.msg
end

function email.dequeueRecipientAlerts(recipient, budget, high_priority)
  local lines = {}
  for i = 1, budget do
    local s = ntop.recipient_dequeue(recipient.recipient_id, high_priority)
    if not s then break end
    local a = json.decode(s)
    lines[#lines + 1] = "Alert " .. a.alert_type .. " on " .. a.alert_entity_val
  end
  if #lines == 0 then return { success = true, more_available = false } end
  local ok, msg = send(recipient, #lines .. " weir alerts", table.concat(lines, "\n"))
  if not ok then return { success = false, error_message = msg } end
  return { success = true, more_available = #lines == budget }
end

function email.runTest(recipient) return send(recipient, "weir test", ".leading dot") end
return email
"#;

#[test]
fn email_endpoint_sends_through_a_real_smtp_server() {
    let python = Path::new("/usr/bin/python3");
    let ok = std::process::Command::new(python)
        .args(["-c", "import aiosmtpd"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("SKIPPED: python3-aiosmtpd is not installed (cargo xtask ci installs it)");
        return;
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let maildir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(python)
        .args(["-m", "aiosmtpd", "-n", "-l"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(maildir.path().join("mail"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "aiosmtpd did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("mail/alert_endpoints");
    std::fs::create_dir_all(&p).unwrap();
    std::fs::write(p.join("email.lua"), EMAIL).unwrap();
    let set = Arc::new(RecipientSet::new(
        vec![conf(
            "mail",
            "email",
            &[
                ("smtp_server", &format!("smtp://127.0.0.1:{port}")),
                ("email_sender", "weir <weir@example.org>"),
            ],
        )],
        vec![recipient(
            3,
            "mail",
            &[
                ("email_recipient", "ops@example.org"),
                ("cc", "boss@example.org"),
            ],
        )],
    ));
    let queues = Arc::new(RecipientQueues::default());
    queues.register(3);
    for i in 0..4 {
        queues.enqueue(3, true, notification(i));
    }
    let w = start(
        &dir.path().join("mail"),
        "alert_endpoints/email.lua",
        config(vec![]),
        &set,
        &queues,
    )
    .unwrap();
    let stats = w.flush(TIMEOUT).unwrap();
    let test = w.test(3, TIMEOUT).unwrap().unwrap();
    w.shutdown(TIMEOUT).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(stats.failures, 0, "{stats:?}");
    assert!(test.0, "{test:?}");
    let mut mails = Vec::new();
    for sub in ["new", "cur"] {
        if let Ok(rd) = std::fs::read_dir(maildir.path().join("mail").join(sub)) {
            for e in rd {
                mails.push(std::fs::read_to_string(e.unwrap().path()).unwrap());
            }
        }
    }
    assert_eq!(mails.len(), 2, "{mails:#?}");
    let alerts = mails.iter().find(|m| m.contains("4 weir alerts")).unwrap();
    assert!(alerts.contains("Alert 11 on 10.0.0.3@0"), "{alerts}");
    assert!(alerts.contains("To: ops@example.org"), "{alerts}");
    let test_mail = mails
        .iter()
        .find(|m| m.contains("Subject: weir test"))
        .unwrap();
    assert!(test_mail.contains("\n.leading dot"), "{test_mail}");
}

#[test]
fn a_failing_delivery_counts_the_lost_notifications() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("down/alert_endpoints");
    std::fs::create_dir_all(&p).unwrap();
    // Nothing listens on port 1: postHTTPJsonData fails fast.
    std::fs::write(
        p.join("down.lua"),
        r#"local ep = { EXPORT_FREQUENCY = 1 }
function ep.dequeueRecipientAlerts(r, budget, high)
  local n = 0
  while ntop.recipient_dequeue(r.recipient_id, high) do n = n + 1 end
  if n == 0 then return { success = true, more_available = false } end
  return { success = ntop.postHTTPJsonData("", "", "http://127.0.0.1:1/x", "{}", 2) }
end
return ep
"#,
    )
    .unwrap();
    let set = Arc::new(RecipientSet::new(
        vec![conf("down", "down", &[])],
        vec![recipient(0, "down", &[])],
    ));
    let queues = Arc::new(RecipientQueues::with_capacity(4));
    queues.register(0);
    for i in 0..6 {
        queues.enqueue(0, true, notification(i));
    }
    assert_eq!(queues.stats(0).unwrap().num_drops, 2);
    let w = start(
        &dir.path().join("down"),
        "alert_endpoints/down.lua",
        config(vec![]),
        &set,
        &queues,
    )
    .unwrap();
    let stats = w.shutdown(TIMEOUT).unwrap();
    assert_eq!((stats.failures, stats.lost), (1, 4), "{stats:?}");
    assert_eq!(queues.lost(), 6);
}
