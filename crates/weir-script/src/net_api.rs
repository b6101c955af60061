//! The `ntop` functions that reach outside weir (ntopng42-api.md §4.4): HTTP
//! (`httpGet`, `httpPost`, `postHTTPJsonData`), mail (`sendMail`, a small SMTP
//! client), `syslog`, the internal-alert queue (`popInternalAlerts`) and the
//! recipient queues (`recipient_enqueue`, `recipient_dequeue`, `recipient_register`,
//! `recipient_stats`).
//!
//! Every network call is bounded by its own timeout and by what is left of the
//! calling VM's wall-clock budget, so a script never blocks its thread for longer
//! than its budget allows.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs, UdpSocket};
use std::rc::Rc;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use mlua::{Lua, Table, Value};
use parking_lot::RwLock;
use weir_alerts::RecipientQueues;

use crate::vm::Budget;

/// Where `ntop.syslog` sends its messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyslogTarget {
    /// The local syslog socket (`/dev/log`), when it exists.
    Local,
    /// A collector, over UDP.
    Udp(SocketAddr),
}

fn syslog_target_cell() -> &'static RwLock<SyslogTarget> {
    static T: OnceLock<RwLock<SyslogTarget>> = OnceLock::new();
    T.get_or_init(|| RwLock::new(SyslogTarget::Local))
}

/// Sets where `ntop.syslog` sends (process-wide; default [`SyslogTarget::Local`]).
pub fn set_syslog_target(t: SyslogTarget) {
    *syslog_target_cell().write() = t;
}

/// Parses `"local"`, `"udp://HOST:PORT"` or `"HOST:PORT"`.
///
/// # Errors
/// Text naming neither.
pub fn parse_syslog_target(s: &str) -> Result<SyslogTarget, String> {
    let s = s.trim();
    if s.is_empty() || s == "local" || s == "/dev/log" {
        return Ok(SyslogTarget::Local);
    }
    let a = s.strip_prefix("udp://").unwrap_or(s);
    a.to_socket_addrs()
        .ok()
        .and_then(|mut i| i.next())
        .map(SyslogTarget::Udp)
        .ok_or_else(|| format!("syslog target {s:?}: expected \"local\" or udp://HOST:PORT"))
}

/// The recipient queues a VM's `ntop.recipient_*` act on: the ones set as the VM's
/// app data, else the process-wide ones.
fn queues(lua: &Lua) -> Arc<RecipientQueues> {
    lua.app_data_ref::<Arc<RecipientQueues>>()
        .map(|q| Arc::clone(&q))
        .unwrap_or_else(|| Arc::clone(RecipientQueues::global()))
}

/// Gives `lua` its own recipient queues (endpoint VMs, tests).
pub fn use_queues(lua: &Lua, q: Arc<RecipientQueues>) {
    lua.set_app_data(q);
}

/// `httpGet` arguments: url, user, password, timeout, return_content, cookie_auth,
/// follow_redirects, ip_version.
type GetArgs = (
    String,
    Option<String>,
    Option<String>,
    Option<f64>,
    Option<bool>,
    Option<Value>,
    Option<bool>,
    Option<Value>,
);

/// `httpPost` arguments: url, form_data, user, password, timeout, return_content,
/// cookie_auth.
type PostArgs = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<f64>,
    Option<bool>,
    Option<Value>,
);

fn secs(v: Option<f64>, default: f64) -> Duration {
    let s = v.filter(|s| s.is_finite() && *s > 0.0).unwrap_or(default);
    Duration::from_secs_f64(s.min(3600.0))
}

/// Installs the functions into `ntop`.
pub(crate) fn install(lua: &Lua, ntop: &Table, budget: &Rc<Budget>) -> mlua::Result<()> {
    let b = budget.clone();
    ntop.raw_set(
        "httpGet",
        lua.create_function(
            move |lua,
                  (url, user, pwd, timeout, return_content, _cookie, follow, _ipv): GetArgs| {
                let req = HttpRequest {
                    url,
                    user,
                    pwd,
                    timeout: b.cap(secs(timeout, 30.0)),
                    follow: follow.unwrap_or(true),
                    body: None,
                };
                http_table(lua, &req.run(), return_content.unwrap_or(true))
            },
        )?,
    )?;
    let b = budget.clone();
    ntop.raw_set(
        "httpPost",
        lua.create_function(
            move |lua, (url, form, user, pwd, timeout, return_content, _cookie): PostArgs| {
                let form = form.unwrap_or_default();
                let ctype =
                    if form.trim_start().starts_with('{') || form.trim_start().starts_with('[') {
                        "application/json"
                    } else {
                        "application/x-www-form-urlencoded"
                    };
                let req = HttpRequest {
                    url,
                    user,
                    pwd,
                    timeout: b.cap(secs(timeout, 30.0)),
                    follow: true,
                    body: Some((ctype, form.into_bytes())),
                };
                http_table(lua, &req.run(), return_content.unwrap_or(false))
            },
        )?,
    )?;
    let b = budget.clone();
    ntop.raw_set(
        "postHTTPJsonData",
        lua.create_function(
            move |_,
                  (user, pwd, url, json, timeout): (
                Option<String>,
                Option<String>,
                String,
                String,
                Option<f64>,
            )| {
                let req = HttpRequest {
                    url,
                    user,
                    pwd,
                    timeout: b.cap(secs(timeout, 30.0)),
                    follow: true,
                    body: Some(("application/json", json.into_bytes())),
                };
                let r = req.run();
                Ok(r.error.is_none() && (200..300).contains(&r.code))
            },
        )?,
    )?;
    let b = budget.clone();
    ntop.raw_set(
        "sendMail",
        lua.create_function(
            move |lua,
                  (from, to, cc, message, url, user, pwd): (
                String,
                String,
                Option<String>,
                String,
                String,
                Option<String>,
                Option<String>,
            )| {
                let mail = Mail {
                    from,
                    to,
                    cc: cc.unwrap_or_default(),
                    message,
                    url,
                    user: user.filter(|u| !u.is_empty()),
                    pwd: pwd.unwrap_or_default(),
                };
                let t = lua.create_table()?;
                match mail.send(b.cap(Duration::from_secs(30))) {
                    Ok(()) => {
                        t.raw_set("success", true)?;
                        t.raw_set("msg", "Mail sent")?;
                    }
                    Err(e) => {
                        t.raw_set("success", false)?;
                        t.raw_set("msg", e)?;
                    }
                }
                Ok(t)
            },
        )?,
    )?;
    ntop.raw_set(
        "syslog",
        lua.create_function(|_, (msg, level): (String, Option<i64>)| {
            let level = level.unwrap_or(6).clamp(0, 7);
            if let Err(e) = send_syslog(&msg, level as u8) {
                tracing::debug!("ntop.syslog: {e}");
            }
            Ok(())
        })?,
    )?;
    ntop.raw_set(
        "popInternalAlerts",
        lua.create_function(|lua, ()| match weir_alerts::pop_internal_alert() {
            Some(v) => crate::json::to_lua(lua, &v),
            None => Ok(Value::Nil),
        })?,
    )?;
    ntop.raw_set(
        "recipient_enqueue",
        lua.create_function(|lua, (id, high, json): (i64, Option<bool>, String)| {
            Ok(usize::try_from(id)
                .is_ok_and(|id| queues(lua).enqueue(id, high.unwrap_or(true), json)))
        })?,
    )?;
    ntop.raw_set(
        "recipient_dequeue",
        lua.create_function(|lua, (id, high): (Value, Option<bool>)| {
            let Some(id) = id_of(&id) else {
                return Ok(None);
            };
            Ok(queues(lua).dequeue(id, high.unwrap_or(true)))
        })?,
    )?;
    ntop.raw_set(
        "recipient_register",
        lua.create_function(|lua, id: Value| {
            Ok(id_of(&id).is_some_and(|id| queues(lua).register(id)))
        })?,
    )?;
    ntop.raw_set(
        "recipient_stats",
        lua.create_function(|lua, id: Value| {
            let Some(s) = id_of(&id).and_then(|id| queues(lua).stats(id)) else {
                return Ok(Value::Nil);
            };
            let t = lua.create_table()?;
            t.raw_set("last_use", s.last_use)?;
            t.raw_set("num_drops", s.num_drops)?;
            t.raw_set("num_uses", s.num_uses)?;
            Ok(Value::Table(t))
        })?,
    )?;
    Ok(())
}

/// A recipient id given as a number or a decimal string.
fn id_of(v: &Value) -> Option<usize> {
    match v {
        Value::Integer(i) => usize::try_from(*i).ok(),
        Value::Number(n) if n.fract() == 0.0 && *n >= 0.0 => Some(*n as usize),
        Value::String(s) => s.to_str().ok()?.trim().parse().ok(),
        _ => None,
    }
}

struct HttpRequest {
    url: String,
    user: Option<String>,
    pwd: Option<String>,
    timeout: Duration,
    follow: bool,
    /// Content type and body of a POST.
    body: Option<(&'static str, Vec<u8>)>,
}

#[derive(Debug, Default)]
struct HttpResult {
    code: u16,
    content_type: Option<String>,
    effective_url: String,
    content: Option<Vec<u8>>,
    resolved_ip: Option<String>,
    error: Option<String>,
    is_partial: bool,
    namelookup: f64,
    starttransfer: f64,
    total: f64,
}

/// Largest body `httpGet`/`httpPost` return.
const MAX_CONTENT: u64 = 16 << 20;

fn host_port(url: &str) -> Option<(String, u16)> {
    let (scheme, rest) = url.split_once("://")?;
    let auth = rest.split(['/', '?', '#']).next()?;
    let auth = auth.rsplit('@').next()?;
    let default = if scheme.eq_ignore_ascii_case("https") {
        443
    } else {
        80
    };
    if let Some(v6) = auth.strip_prefix('[') {
        let (h, p) = v6.split_once(']')?;
        let port = p
            .strip_prefix(':')
            .and_then(|p| p.parse().ok())
            .unwrap_or(default);
        return Some((h.to_owned(), port));
    }
    match auth.rsplit_once(':') {
        Some((h, p)) => Some((h.to_owned(), p.parse().ok()?)),
        None => Some((auth.to_owned(), default)),
    }
}

fn basic_auth(user: &str, pwd: &str) -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pwd}"))
    )
}

impl HttpRequest {
    fn run(&self) -> HttpResult {
        let start = Instant::now();
        let mut r = HttpResult {
            effective_url: self.url.clone(),
            ..HttpResult::default()
        };
        if self.timeout.is_zero() {
            r.error = Some("wall-clock budget exhausted".into());
            return r;
        }
        // Name lookup, timed on its own (also gives RESOLVED_IP).
        if let Some((h, p)) = host_port(&self.url)
            && let Ok(mut a) = (h.as_str(), p).to_socket_addrs()
            && let Some(a) = a.next()
        {
            r.resolved_ip = Some(a.ip().to_string());
        }
        r.namelookup = start.elapsed().as_secs_f64();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(self.timeout))
            .http_status_as_error(false)
            .max_redirects(if self.follow { 10 } else { 0 })
            .save_redirect_history(false)
            .build()
            .into();
        let auth = self
            .user
            .as_deref()
            .filter(|u| !u.is_empty())
            .map(|u| basic_auth(u, self.pwd.as_deref().unwrap_or("")));
        let resp = match &self.body {
            None => {
                let mut req = agent.get(&self.url);
                if let Some(a) = &auth {
                    req = req.header("authorization", a.as_str());
                }
                req.call()
            }
            Some((ctype, body)) => {
                let mut req = agent.post(&self.url).header("content-type", *ctype);
                if let Some(a) = &auth {
                    req = req.header("authorization", a.as_str());
                }
                req.send(&body[..])
            }
        };
        match resp {
            Ok(resp) => {
                r.starttransfer = start.elapsed().as_secs_f64();
                r.code = resp.status().as_u16();
                r.content_type = resp
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                let mut body = Vec::new();
                match resp
                    .into_body()
                    .into_reader()
                    .take(MAX_CONTENT)
                    .read_to_end(&mut body)
                {
                    Ok(_) => {}
                    Err(e) => {
                        r.is_partial = true;
                        r.error = Some(e.to_string());
                    }
                }
                r.content = Some(body);
            }
            Err(e) => r.error = Some(e.to_string()),
        }
        r.total = start.elapsed().as_secs_f64();
        r
    }
}

/// The 4.2 result table of `httpGet`/`httpPost`.
fn http_table(lua: &Lua, r: &HttpResult, return_content: bool) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.raw_set("RESPONSE_CODE", r.code)?;
    t.raw_set("EFFECTIVE_URL", r.effective_url.as_str())?;
    if let Some(c) = &r.content_type {
        t.raw_set("CONTENT_TYPE", c.as_str())?;
    }
    if let Some(ip) = &r.resolved_ip {
        t.raw_set("RESOLVED_IP", ip.as_str())?;
    }
    if let Some(e) = &r.error {
        t.raw_set("ERROR", e.as_str())?;
    }
    if r.is_partial {
        t.raw_set("IS_PARTIAL", true)?;
    }
    if let Some(body) = &r.content
        && r.error.is_none()
    {
        if return_content {
            t.raw_set("CONTENT", lua.create_string(body)?)?;
            t.raw_set("CONTENT_LEN", body.len())?;
        }
        // weir's HTTP client does not time the connection phases apart: connect,
        // TLS and pre-transfer times are the name lookup's (lower bounds).
        let s = lua.create_table()?;
        s.raw_set("NAMELOOKUP_TIME", r.namelookup)?;
        s.raw_set("CONNECT_TIME", r.namelookup)?;
        s.raw_set("APPCONNECT_TIME", r.namelookup)?;
        s.raw_set("PRETRANSFER_TIME", r.namelookup)?;
        s.raw_set("REDIRECT_TIME", 0.0)?;
        s.raw_set("STARTTRANSFER_TIME", r.starttransfer)?;
        s.raw_set("TOTAL_TIME", r.total)?;
        t.raw_set("HTTP_STATS", s)?;
    }
    Ok(t)
}

/// One `ntop.sendMail` call.
struct Mail {
    from: String,
    to: String,
    cc: String,
    message: String,
    url: String,
    user: Option<String>,
    pwd: String,
}

/// The address of `"Name <a@b>"` or `"a@b"`.
fn mailbox(s: &str) -> &str {
    let s = s.trim();
    match (s.rfind('<'), s.rfind('>')) {
        (Some(a), Some(b)) if a < b => s[a + 1..b].trim(),
        _ => s,
    }
}

struct Smtp {
    r: BufReader<TcpStream>,
    w: TcpStream,
}

impl Smtp {
    /// Reads one (possibly multi-line) reply: its code and text.
    fn reply(&mut self) -> Result<(u16, String), String> {
        let mut text = String::new();
        loop {
            let mut line = String::new();
            let n = self
                .r
                .by_ref()
                .take(4096)
                .read_line(&mut line)
                .map_err(|e| format!("SMTP read: {e}"))?;
            if n == 0 {
                return Err("SMTP server closed the connection".into());
            }
            let code: u16 = line
                .get(..3)
                .and_then(|c| c.parse().ok())
                .ok_or_else(|| format!("SMTP: unexpected reply {:?}", line.trim_end()))?;
            text.push_str(line.get(4..).unwrap_or("").trim_end());
            text.push(' ');
            if line.as_bytes().get(3) != Some(&b'-') {
                return Ok((code, text.trim_end().to_owned()));
            }
        }
    }

    fn cmd(&mut self, line: &str, want: u16) -> Result<String, String> {
        self.w
            .write_all(format!("{line}\r\n").as_bytes())
            .map_err(|e| format!("SMTP write: {e}"))?;
        let (code, text) = self.reply()?;
        if code / 100 != want / 100 {
            let shown = if line.starts_with("AUTH") {
                "AUTH"
            } else {
                line
            };
            return Err(format!("SMTP {shown}: {code} {text}"));
        }
        Ok(text)
    }
}

impl Mail {
    fn send(&self, timeout: Duration) -> Result<(), String> {
        if timeout.is_zero() {
            return Err("wall-clock budget exhausted".into());
        }
        let rest = if let Some(r) = self.url.strip_prefix("smtp://") {
            r
        } else if self.url.starts_with("smtps://") {
            return Err(format!(
                "{}: smtps:// (TLS) is not supported by weir's SMTP client; use smtp://",
                self.url
            ));
        } else if !self.url.contains("://") {
            self.url.as_str()
        } else {
            return Err(format!("{}: expected smtp://HOST[:PORT]", self.url));
        };
        let auth = rest.split('/').next().unwrap_or(rest);
        let addr = if auth.contains(':') {
            auth.to_owned()
        } else {
            format!("{auth}:25")
        };
        let sa = addr
            .to_socket_addrs()
            .map_err(|e| format!("{addr}: {e}"))?
            .next()
            .ok_or_else(|| format!("{addr}: no address"))?;
        let deadline = Instant::now() + timeout;
        let s = TcpStream::connect_timeout(&sa, timeout).map_err(|e| format!("{addr}: {e}"))?;
        let left = deadline
            .saturating_duration_since(Instant::now())
            .max(Duration::from_millis(1));
        s.set_read_timeout(Some(left)).map_err(|e| e.to_string())?;
        s.set_write_timeout(Some(left)).map_err(|e| e.to_string())?;
        let w = s.try_clone().map_err(|e| e.to_string())?;
        let mut c = Smtp {
            r: BufReader::new(s),
            w,
        };
        let (code, text) = c.reply()?;
        if code != 220 {
            return Err(format!("SMTP greeting: {code} {text}"));
        }
        c.cmd("EHLO weir", 250)?;
        if let Some(user) = &self.user {
            use base64::Engine;
            let plain =
                base64::engine::general_purpose::STANDARD.encode(format!("\0{user}\0{}", self.pwd));
            c.cmd(&format!("AUTH PLAIN {plain}"), 235)?;
        }
        c.cmd(&format!("MAIL FROM:<{}>", mailbox(&self.from)), 250)?;
        let rcpts: Vec<&str> = self
            .to
            .split([',', ';'])
            .chain(self.cc.split([',', ';']))
            .map(mailbox)
            .filter(|a| !a.is_empty())
            .collect();
        if rcpts.is_empty() {
            return Err("no recipient".into());
        }
        for r in rcpts {
            c.cmd(&format!("RCPT TO:<{r}>"), 250)?;
        }
        c.cmd("DATA", 354)?;
        let mut body = String::with_capacity(self.message.len() + 64);
        for line in self.message.replace("\r\n", "\n").split('\n') {
            if line.starts_with('.') {
                body.push('.');
            }
            body.push_str(line);
            body.push_str("\r\n");
        }
        body.push('.');
        c.cmd(&body, 250)?;
        let _ = c.cmd("QUIT", 221);
        Ok(())
    }
}

/// `Mmm dd hh:mm:ss` (RFC 3164) of `secs` since the epoch, UTC.
fn rfc3164_time(secs: u64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = (secs / 86_400) as i64;
    let tod = secs % 86_400;
    // Civil date from days since 1970-01-01 (proleptic Gregorian).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    format!(
        "{} {:>2} {:02}:{:02}:{:02}",
        MONTHS[(m - 1).clamp(0, 11) as usize],
        d,
        tod / 3600,
        tod / 60 % 60,
        tod % 60
    )
}

/// Sends one message at `level` (0 emergency … 7 debug), facility daemon.
fn send_syslog(msg: &str, level: u8) -> std::io::Result<()> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let line = format!(
        "<{}>{} weir[{}]: {msg}",
        3 * 8 + u16::from(level),
        rfc3164_time(now),
        std::process::id()
    );
    let target = syslog_target_cell().read().clone();
    match target {
        SyslogTarget::Udp(a) => {
            let bind: SocketAddr = if a.is_ipv4() {
                ([0, 0, 0, 0], 0).into()
            } else {
                (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
            };
            UdpSocket::bind(bind)?.send_to(line.as_bytes(), a)?;
        }
        SyslogTarget::Local => {
            #[cfg(unix)]
            {
                let s = std::os::unix::net::UnixDatagram::unbound()?;
                s.send_to(line.as_bytes(), "/dev/log")?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_urls() {
        assert_eq!(rfc3164_time(0), "Jan  1 00:00:00");
        assert_eq!(rfc3164_time(1_709_251_199), "Feb 29 23:59:59");
        assert_eq!(
            host_port("http://u:p@127.0.0.1:8080/x?y"),
            Some(("127.0.0.1".into(), 8080))
        );
        assert_eq!(host_port("https://[::1]/"), Some(("::1".into(), 443)));
        assert_eq!(mailbox("Weir <a@b.c>"), "a@b.c");
        assert_eq!(
            parse_syslog_target("udp://127.0.0.1:514"),
            Ok(SyslogTarget::Udp("127.0.0.1:514".parse().unwrap()))
        );
        assert!(parse_syslog_target("nowhere").is_err());
    }
}
