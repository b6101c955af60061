//! nDPI's flow risks, computed in the engine from what the dissectors decoded.
//!
//! A flow can carry several risks (a certificate can be self-signed *and* expired); they
//! are a bitmap of nDPI's risk ids ([`Risks`]), named as nDPI 4.x names them
//! ([`Risk::name`]). [`risks_of`] derives them from a flow's parts, so the same rules
//! serve the engine (`weir flows --json`: `flow_risk`), Lua (`flow.hasRisk`,
//! `flow.getRiskInfo`) and the prefilters.
//!
//! | id | name | rule |
//! | --- | --- | --- |
//! | 1 | XSS Attack | the HTTP URL (percent-decoded) carries a script tag, a `javascript:` URL or an inline event handler |
//! | 2 | SQL Injection | the URL carries SQL keywords in an injection shape (`union select`, `' or 1=1`, `sleep(` …) |
//! | 3 | RCE Injection | the URL carries a shell or template injection (`/bin/sh`, `${jndi:`, `;wget` …) |
//! | 4 | Binary App Transfer | HTTP `Content-Type` `application/x-dosexec`/`x-msdownload`, or a path ending in `.exe`, `.dll`, `.msi` answered with 200 |
//! | 5 | Known Proto on Non Std Port | found by DPI, and neither port is one of the protocol's default ports ([`crate::default_ports`]; not for Gnutella, whose peers use any port) |
//! | 6 | Self-signed Cert | the server certificate's issuer is its subject |
//! | 7 | Obsolete TLS (v1.1 or older) | TLS (negotiated, else offered) version below 1.2 |
//! | 8 | Weak TLS Cipher | the negotiated cipher suite is weak, insecure or without forward secrecy (static RSA) |
//! | 9 | TLS Cert Expired | the flow's first packet is outside the certificate's validity |
//! | 10 | TLS Cert Mismatch | the SNI matches none of the certificate's names |
//! | 11 | HTTP Susp User-Agent | an HTTP request without a User-Agent, or one shorter than 4 characters |
//! | 12 | HTTP/TLS/QUIC Numeric Hostname/SNI | the HTTP `Host` or the TLS/QUIC SNI is an IP address |
//! | 16 | Susp DGA Domain name | a DNS query whose label left of the top-level domain looks machine-generated ([`dga_label`]) |
//! | 18, 19 | SSH Obsolete Cli/Ser Vers/Cipher | SSH protocol 1, or OpenSSH before 7 |
//! | 20 | SMB Insecure Vers | SMBv1 spoken directly (over NetBIOS it counts as an unsafe protocol) |
//! | 22 | Unsafe Protocol | a clear-text or abused protocol (FTP, Telnet, POP3, IMAP, RSH, IRC, Gnutella, eDonkey, Tor, mining, SMBv1) |
//! | 24 | Missing SNI TLS Extn | a TLS 1.2+ ClientHello without server name |
//! | 30 | Desktop/File Sharing | a remote desktop session (RDP, TeamViewer, AnyDesk, NoMachine, Radmin) |
//! | 32 | TLS Cert Validity Too Long | a certificate issued from September 2020 is valid for more than 398 days |
//! | 41 | TLS Cert About To Expire | the certificate expires within 15 days of the flow's start |
//! | 46 | Unidirectional Traffic | packets one way only to a unicast address (reported once the flow ended: [`RiskFacts::ended`]) |

use weir_decode::Timestamp;

use crate::flow::L7;
use crate::meta::L7Meta;
use crate::proto::{Proto, default_ports};

/// An nDPI risk id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Risk(pub u8);

/// nDPI risk ids and names (nDPI 4.x wording) weir computes.
pub const RISKS: &[(Risk, &str)] = &[
    (Risk::XSS, "XSS Attack"),
    (Risk::SQL_INJECTION, "SQL Injection"),
    (Risk::RCE_INJECTION, "RCE Injection"),
    (Risk::BINARY_APP_TRANSFER, "Binary App Transfer"),
    (Risk::NON_STD_PORT, "Known Proto on Non Std Port"),
    (Risk::SELF_SIGNED, "Self-signed Cert"),
    (Risk::OBSOLETE_TLS, "Obsolete TLS (v1.1 or older)"),
    (Risk::WEAK_CIPHER, "Weak TLS Cipher"),
    (Risk::CERT_EXPIRED, "TLS Cert Expired"),
    (Risk::CERT_MISMATCH, "TLS Cert Mismatch"),
    (Risk::SUSPICIOUS_UA, "HTTP Susp User-Agent"),
    (Risk::NUMERIC_HOST, "HTTP/TLS/QUIC Numeric Hostname/SNI"),
    (Risk::DGA, "Susp DGA Domain name"),
    (Risk::SSH_OBSOLETE_CLIENT, "SSH Obsolete Cli Vers/Cipher"),
    (Risk::SSH_OBSOLETE_SERVER, "SSH Obsolete Ser Vers/Cipher"),
    (Risk::SMB_INSECURE, "SMB Insecure Vers"),
    (Risk::UNSAFE_PROTOCOL, "Unsafe Protocol"),
    (Risk::MISSING_SNI, "Missing SNI TLS Extn"),
    (Risk::DESKTOP_SHARING, "Desktop/File Sharing"),
    (Risk::CERT_VALIDITY_TOO_LONG, "TLS Cert Validity Too Long"),
    (Risk::CERT_ABOUT_TO_EXPIRE, "TLS Cert About To Expire"),
    (Risk::UNIDIRECTIONAL, "Unidirectional Traffic"),
];

impl Risk {
    /// Possible XSS in the URL.
    pub const XSS: Risk = Risk(1);
    /// Possible SQL injection in the URL.
    pub const SQL_INJECTION: Risk = Risk(2);
    /// Possible remote code execution in the URL.
    pub const RCE_INJECTION: Risk = Risk(3);
    /// An executable downloaded over HTTP.
    pub const BINARY_APP_TRANSFER: Risk = Risk(4);
    /// A protocol on a port not its own.
    pub const NON_STD_PORT: Risk = Risk(5);
    /// Self-signed certificate.
    pub const SELF_SIGNED: Risk = Risk(6);
    /// TLS 1.1 or older.
    pub const OBSOLETE_TLS: Risk = Risk(7);
    /// Weak TLS cipher suite.
    pub const WEAK_CIPHER: Risk = Risk(8);
    /// Expired (or not yet valid) certificate.
    pub const CERT_EXPIRED: Risk = Risk(9);
    /// SNI not among the certificate's names.
    pub const CERT_MISMATCH: Risk = Risk(10);
    /// Missing or odd HTTP User-Agent.
    pub const SUSPICIOUS_UA: Risk = Risk(11);
    /// An IP address as host name or SNI.
    pub const NUMERIC_HOST: Risk = Risk(12);
    /// Machine-generated looking domain name.
    pub const DGA: Risk = Risk(16);
    /// Obsolete SSH client.
    pub const SSH_OBSOLETE_CLIENT: Risk = Risk(18);
    /// Obsolete SSH server.
    pub const SSH_OBSOLETE_SERVER: Risk = Risk(19);
    /// SMBv1.
    pub const SMB_INSECURE: Risk = Risk(20);
    /// Clear-text or abused protocol.
    pub const UNSAFE_PROTOCOL: Risk = Risk(22);
    /// TLS without SNI.
    pub const MISSING_SNI: Risk = Risk(24);
    /// Remote desktop session.
    pub const DESKTOP_SHARING: Risk = Risk(30);
    /// Certificate valid for too long.
    pub const CERT_VALIDITY_TOO_LONG: Risk = Risk(32);
    /// Certificate about to expire.
    pub const CERT_ABOUT_TO_EXPIRE: Risk = Risk(41);
    /// Traffic one way only.
    pub const UNIDIRECTIONAL: Risk = Risk(46);

    /// nDPI's name of the risk (`None` for ids weir does not compute).
    pub fn name(self) -> Option<&'static str> {
        RISKS.iter().find(|(r, _)| *r == self).map(|(_, n)| *n)
    }
}

/// A set of risks (bit = nDPI risk id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Risks(pub u64);

impl Risks {
    /// Adds a risk.
    pub fn set(&mut self, r: Risk) {
        if r.0 < 64 {
            self.0 |= 1 << r.0;
        }
    }

    /// True if the set holds `r`.
    pub fn has(self, r: Risk) -> bool {
        r.0 < 64 && self.0 & (1 << r.0) != 0
    }

    /// True if the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The risks in the set with their names, in id order.
    pub fn iter(self) -> impl Iterator<Item = (Risk, &'static str)> {
        RISKS.iter().copied().filter(move |(r, _)| self.has(*r))
    }
}

/// What the risk rules look at: a flow's parts (a live flow or a script's copy).
#[derive(Debug, Clone, Copy)]
pub struct RiskFacts<'a> {
    /// L4 protocol number.
    pub l4: u8,
    /// Client and server ports.
    pub ports: (u16, u16),
    /// L7 result.
    pub l7: &'a L7,
    /// L7 metadata.
    pub meta: Option<&'a L7Meta>,
    /// First packet.
    pub first_seen: Timestamp,
    /// Packets client→server and server→client.
    pub packets: (u64, u64),
    /// The server address is unicast (traffic to a multicast or broadcast address is
    /// one-way by design).
    pub unicast: bool,
    /// The flow ended (idle, closed or the capture is over): only then is traffic seen
    /// one way only a fact rather than a reply still to come.
    pub ended: bool,
}

/// Seconds in a day.
const DAY: i64 = 86_400;

/// 2020-09-01T00:00:00Z, from when certificates may be valid for at most 398 days.
const CAB_398_DAYS_FROM: i64 = 1_598_918_400;

/// A weak or insecure cipher suite: those weir's TLS dissector rates below safe, and
/// the suites without forward secrecy (static RSA key exchange), as nDPI rates them.
fn weak_cipher(cipher: u16) -> bool {
    const RSA_KEX: [u16; 6] = [0x002f, 0x0035, 0x003c, 0x003d, 0x009c, 0x009d];
    weir_decode::app::tls::cipher_strength(cipher) != "safe" || RSA_KEX.contains(&cipher)
}

/// Protocols nDPI calls unsafe (clear text, or abused for exfiltration and malware).
const UNSAFE: &[Proto] = &[
    Proto::FTP_CONTROL,
    Proto::TELNET,
    Proto::POP3,
    Proto::IMAP,
    Proto::RSH,
    Proto::IRC,
    Proto::GNUTELLA,
    Proto::EDONKEY,
    Proto::TOR,
    Proto::MINING,
    Proto::SMBV1,
];

/// Remote desktop and screen-sharing protocols.
const DESKTOP: &[Proto] = &[
    Proto::RDP,
    Proto::TEAMVIEWER,
    Proto::ANYDESK,
    Proto::NOMACHINE,
    Proto::RADMIN,
];

/// Computes the risks of a flow.
pub fn risks_of(f: &RiskFacts<'_>) -> Risks {
    let mut r = Risks::default();
    let l7 = f.l7;
    let is = |p: Proto| l7.master == p || l7.app == p;
    // SMBv1 spoken directly; over NetBIOS (`NetBIOS.SMBv1`) nDPI calls it unsafe.
    if l7.master == Proto::SMBV1 {
        r.set(Risk::SMB_INSECURE);
    }
    if UNSAFE.iter().any(|p| is(*p)) {
        r.set(Risk::UNSAFE_PROTOCOL);
    }
    if l7.master != Proto::DNS && DESKTOP.iter().any(|p| is(*p)) {
        r.set(Risk::DESKTOP_SHARING);
    }
    // Gnutella peers listen on any port: its default ports are a guess, not a norm.
    if !l7.confidence.is_guess() && l7.master != Proto::GNUTELLA {
        let ports = default_ports(f.l4, l7.master);
        let (cp, sp) = f.ports;
        if !ports.is_empty() && sp != 0 && !ports.contains(&sp) && !ports.contains(&cp) {
            r.set(Risk::NON_STD_PORT);
        }
    }
    if f.ended && (f.packets.0 == 0) != (f.packets.1 == 0) && f.unicast {
        r.set(Risk::UNIDIRECTIONAL);
    }
    let Some(m) = f.meta else {
        return r;
    };
    let name = m.server_name.as_deref().unwrap_or("");
    if let Some(h) = m.http() {
        http_risks(h, &mut r);
    }
    if (m.http().is_some() || m.tls().is_some() || l7.master == Proto::QUIC)
        && is_numeric_host(name)
    {
        r.set(Risk::NUMERIC_HOST);
    }
    if m.dns().is_some() && dga_label(name).is_some() {
        r.set(Risk::DGA);
    }
    if let Some(t) = m.tls() {
        let ver = crate::info::tls_version(t);
        if (0x0300..0x0303).contains(&ver) {
            r.set(Risk::OBSOLETE_TLS);
        }
        if t.version != 0 && weak_cipher(t.cipher) {
            r.set(Risk::WEAK_CIPHER);
        }
        // SNI became universal with TLS 1.2: an older client without it is no sign.
        if name.is_empty() && t.client_version != 0 && ver >= 0x0303 {
            r.set(Risk::MISSING_SNI);
        }
        if let Some(c) = t.cert.as_deref() {
            if c.self_signed {
                r.set(Risk::SELF_SIGNED);
            }
            let at = i64::try_from(f.first_seen.as_secs()).unwrap_or(i64::MAX);
            if c.not_after != 0 && (at > c.not_after || at < c.not_before) {
                r.set(Risk::CERT_EXPIRED);
            } else if c.not_after != 0 && c.not_after - at < 15 * DAY {
                r.set(Risk::CERT_ABOUT_TO_EXPIRE);
            }
            // The CA/Browser Forum's 398-day cap applies to certificates issued from
            // 1 September 2020.
            if c.not_before >= CAB_398_DAYS_FROM && c.not_after - c.not_before > 398 * DAY {
                r.set(Risk::CERT_VALIDITY_TOO_LONG);
            }
            if !name.is_empty()
                && !c.server_names.is_empty()
                && !c
                    .server_names
                    .split(',')
                    .any(|n| name_matches(n.trim(), name))
            {
                r.set(Risk::CERT_MISMATCH);
            }
        }
    }
    if let Some(s) = m.ssh() {
        if s.client_signature.as_deref().is_some_and(obsolete_ssh) {
            r.set(Risk::SSH_OBSOLETE_CLIENT);
        }
        if s.server_signature.as_deref().is_some_and(obsolete_ssh) {
            r.set(Risk::SSH_OBSOLETE_SERVER);
        }
    }
    r
}

fn is_numeric_host(host: &str) -> bool {
    let h = host
        .strip_prefix('[')
        .and_then(|h| h.split(']').next())
        .unwrap_or_else(|| match host.rsplit_once(':') {
            Some((h, p)) if !h.contains(':') && p.bytes().all(|b| b.is_ascii_digit()) => h,
            _ => host,
        });
    !h.is_empty() && h.parse::<std::net::IpAddr>().is_ok()
}

/// A certificate name (`*.example.com` allowed) covers `host`.
fn name_matches(pattern: &str, host: &str) -> bool {
    let host = host.trim_end_matches('.');
    if let Some(suffix) = pattern.strip_prefix("*.") {
        host.len() > suffix.len() + 1
            && host
                .get(host.len() - suffix.len()..)
                .is_some_and(|t| t.eq_ignore_ascii_case(suffix))
            && host.as_bytes().get(host.len() - suffix.len() - 1) == Some(&b'.')
            && !host
                .get(..host.len() - suffix.len() - 1)
                .is_some_and(|l| l.contains('.'))
    } else {
        pattern.eq_ignore_ascii_case(host)
    }
}

/// `SSH-1.x` or an OpenSSH release before 7.
fn obsolete_ssh(sig: &str) -> bool {
    if sig.starts_with("SSH-1.") && !sig.starts_with("SSH-1.99") {
        return true;
    }
    sig.split_once("OpenSSH_")
        .and_then(|(_, v)| v.bytes().next())
        .is_some_and(|major| (b'1'..=b'6').contains(&major))
}

/// Longest URL looked at for injection patterns.
const MAX_URL_SCAN: usize = 1024;

/// Percent-decodes and lower-cases `url` (up to [`MAX_URL_SCAN`] bytes); `+` is a space.
fn decode_url(url: &str) -> String {
    let b = url.as_bytes();
    let b = b.get(..MAX_URL_SCAN).unwrap_or(b);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        let hex = |j: usize| b.get(j).and_then(|h| (*h as char).to_digit(16));
        match c {
            b'%' => {
                if let (Some(h), Some(l)) = (hex(i + 1), hex(i + 2)) {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                out.push(c);
            }
            b'+' => out.push(b' '),
            _ => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).to_ascii_lowercase()
}

const XSS_PATTERNS: &[&str] = &[
    "<script",
    "</script",
    "javascript:",
    "onerror=",
    "onload=",
    "onmouseover=",
    "<iframe",
    "<svg",
    "document.cookie",
    "alert(",
];
const SQL_PATTERNS: &[&str] = &[
    "union select",
    "union all select",
    "' or '1'='1",
    "' or 1=1",
    "\" or \"1\"=\"1",
    " or 1=1",
    "sleep(",
    "benchmark(",
    "waitfor delay",
    "drop table",
    "information_schema",
    "select * from",
    "';--",
    "' --",
    "xp_cmdshell",
];
const RCE_PATTERNS: &[&str] = &[
    "/bin/sh",
    "/bin/bash",
    ";wget ",
    "|wget ",
    ";curl ",
    "|curl ",
    "cmd.exe",
    "powershell",
    "${jndi:",
    "/etc/passwd",
    "/etc/shadow",
    ";cat ",
    "|cat ",
    "$(",
    "&&id",
    ";id;",
    "phpinfo()",
    "system(",
    "exec(",
    "eval(",
];

/// A User-Agent too short to be a client's.
fn suspicious_ua(ua: &str) -> bool {
    ua.trim().len() < 4
}

fn http_risks(h: &crate::meta::HttpInfo, r: &mut Risks) {
    let ct = h.content_type.as_deref().unwrap_or("");
    let path = h
        .url
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if ct.starts_with("application/x-dosexec")
        || ct.starts_with("application/x-msdownload")
        || (h.return_code == 200 && [".exe", ".dll", ".msi"].iter().any(|e| path.ends_with(e)))
    {
        r.set(Risk::BINARY_APP_TRANSFER);
    }
    if !h.method.is_empty() && h.user_agent.as_deref().is_none_or(suspicious_ua) {
        r.set(Risk::SUSPICIOUS_UA);
    }
    if h.url
        .contains(['%', '<', '\'', '(', ';', '$', '|', '+', ' '])
    {
        let u = decode_url(&h.url);
        if XSS_PATTERNS.iter().any(|p| u.contains(p)) {
            r.set(Risk::XSS);
        }
        if SQL_PATTERNS.iter().any(|p| u.contains(p)) {
            r.set(Risk::SQL_INJECTION);
        }
        if RCE_PATTERNS.iter().any(|p| u.contains(p)) {
            r.set(Risk::RCE_INJECTION);
        }
    }
}

/// Letters a random-looking label needs at least.
const DGA_MIN_LETTERS: usize = 11;

/// Frequency of the letters `a`..=`z` in English text, percent.
const LETTER_FREQ: [f64; 26] = [
    8.2, 1.5, 2.8, 4.3, 12.7, 2.2, 2.0, 6.1, 7.0, 0.15, 0.8, 4.0, 2.4, 6.7, 7.5, 1.9, 0.1, 6.0,
    6.3, 9.1, 2.8, 1.0, 2.4, 0.15, 2.0, 0.07,
];

/// Letter pairs common in English words (and the usual abbreviations).
const COMMON_PAIRS: &[&[u8; 2]] = &[
    b"th", b"he", b"in", b"er", b"an", b"re", b"on", b"at", b"en", b"nd", b"ti", b"es", b"or",
    b"te", b"of", b"ed", b"is", b"it", b"al", b"ar", b"st", b"to", b"nt", b"ng", b"se", b"ha",
    b"as", b"ou", b"io", b"le", b"ve", b"co", b"me", b"de", b"hi", b"ri", b"ro", b"ic", b"ne",
    b"ea", b"ra", b"ce", b"li", b"ch", b"ll", b"be", b"ma", b"si", b"om", b"ur", b"ca", b"el",
    b"ta", b"la", b"ns", b"di", b"fo", b"ho", b"pe", b"ec", b"pr", b"no", b"ct", b"us", b"ac",
    b"ot", b"il", b"tr", b"ly", b"nc", b"et", b"ut", b"ss", b"so", b"rs", b"un", b"lo", b"wa",
    b"ge", b"ie", b"wh", b"ee", b"wi", b"em", b"ad", b"ol", b"rt", b"po", b"we", b"na", b"ul",
    b"ni", b"ts", b"mo", b"ow", b"pa", b"im", b"mi", b"ai", b"sh", b"ir", b"su", b"id", b"os",
    b"iv", b"ia", b"am", b"fi", b"ci", b"vi", b"pl", b"ig", b"tu", b"ev", b"ld", b"ry", b"mp",
    b"fe", b"bl", b"ab", b"gh", b"ty", b"op", b"wo", b"sa", b"ay", b"ex", b"ke", b"fr", b"oo",
    b"av", b"ag", b"if", b"ap", b"gr", b"od", b"bo", b"sp", b"rd", b"do", b"uc", b"bu", b"ei",
    b"ov", b"by", b"rm", b"ep", b"tt", b"oc", b"fa", b"ef", b"cu", b"rn", b"sc", b"gi", b"da",
    b"yo", b"cr", b"cl", b"du", b"ga", b"qu", b"ue", b"ff", b"ba", b"ey", b"ls", b"va", b"um",
    b"pp", b"ua", b"up", b"lu", b"go", b"ht", b"ru", b"ug", b"ds", b"lt", b"pi", b"rc", b"rr",
    b"eg", b"au", b"ck", b"ew", b"mu", b"br", b"bi", b"pt", b"ak", b"pu", b"ui", b"rg", b"ib",
    b"tl", b"ny", b"ki", b"rk", b"ys", b"ob", b"mm", b"fu", b"ph", b"og", b"ms", b"ye", b"ud",
    b"mb", b"ip", b"ub", b"oi", b"rl", b"gu", b"dr", b"hr", b"cc", b"tw", b"ft", b"wn", b"nu",
    b"af", b"hu", b"nn", b"eo", b"vo", b"rv", b"nf", b"xp", b"gn", b"sm", b"fl", b"iz", b"ok",
    b"nl", b"my", b"gl", b"aw", b"ju", b"oa", b"eq", b"sy", b"sl", b"ps", b"jo", b"lf", b"nv",
    b"je", b"nk", b"kn", b"gs", b"dy", b"hy", b"ze", b"ks", b"xt", b"bs", b"ik", b"dd", b"cy",
    b"rp", b"sk", b"xi", b"oe", b"oy", b"ws", b"lv", b"dl", b"rf", b"eu", b"dg", b"wr", b"xa",
    b"yi", b"nm", b"eb", b"rb", b"tm", b"xc", b"eh", b"tc", b"gy", b"ja", b"hn", b"yp", b"za",
    b"gg", b"ym", b"sw", b"bj", b"lm", b"cs", b"ii", b"ix", b"xe", b"oh", b"lk", b"dv", b"lp",
    b"ax", b"ox", b"uf", b"dm", b"iu", b"sf", b"bt", b"ka", b"yt", b"ek", b"pm", b"ya", b"gt",
    b"wl", b"rh", b"yl", b"hs", b"ah", b"yc", b"yn", b"rw", b"hm", b"lw", b"hl", b"ae", b"zi",
    b"az", b"lr", b"xu", b"iw", b"hd", b"kl",
];

/// The label left of the top-level domain of `name` when it looks machine-generated
/// (a domain generation algorithm), with the share of its letter pairs that are rare in
/// English: at least [`DGA_MIN_LETTERS`] letters, and 40% rare pairs, or 25% with letters
/// that are rare on average. Reverse lookups and service names (`_ldap._tcp`) never are.
pub fn dga_label(name: &str) -> Option<(String, f64)> {
    let name = name.trim_end_matches('.');
    if name.contains('_') || name.to_ascii_lowercase().ends_with(".arpa") {
        return None;
    }
    let mut labels = name.rsplit('.');
    let _tld = labels.next()?;
    let label = labels.next()?.to_ascii_lowercase();
    let b = label.as_bytes();
    let (mut letters, mut logsum) = (0usize, 0f64);
    for &c in b.iter().filter(|c| c.is_ascii_lowercase()) {
        letters += 1;
        let freq = LETTER_FREQ
            .get(usize::from(c - b'a'))
            .copied()
            .unwrap_or(0.07);
        logsum += (freq / 100.0).log2();
    }
    if letters < DGA_MIN_LETTERS {
        return None;
    }
    let (mut pairs, mut rare) = (0usize, 0usize);
    for w in b.windows(2) {
        if let [a, b] = w
            && a.is_ascii_lowercase()
            && b.is_ascii_lowercase()
        {
            pairs += 1;
            if !COMMON_PAIRS.iter().any(|p| **p == [*a, *b]) {
                rare += 1;
            }
        }
    }
    if pairs == 0 {
        return None;
    }
    let share = rare as f64 / pairs as f64;
    let mean_log = logsum / letters as f64;
    (share >= 0.4 || (share >= 0.25 && mean_log < -4.6)).then_some((label, share))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_ids_fit() {
        for (i, (r, n)) in RISKS.iter().enumerate() {
            assert!(r.0 < 64);
            assert_eq!(r.name(), Some(*n));
            assert!(RISKS.iter().skip(i + 1).all(|(o, m)| o != r && m != n));
        }
    }

    #[test]
    fn url_injections() {
        let mut r = Risks::default();
        let h = crate::meta::HttpInfo {
            method: "GET",
            url: "example.com/?q=%3Cscript%3Ealert(1)%3C/script%3E&id=1'+or+1=1;--&c=${jndi:ldap://x}".into(),
            user_agent: Some("Mozilla/5.0".into()),
            ..Default::default()
        };
        http_risks(&h, &mut r);
        assert!(r.has(Risk::XSS) && r.has(Risk::SQL_INJECTION) && r.has(Risk::RCE_INJECTION));
        assert!(!r.has(Risk::SUSPICIOUS_UA));
        let mut r = Risks::default();
        let h = crate::meta::HttpInfo {
            method: "GET",
            url: "example.com/index.html?lang=en".into(),
            ..Default::default()
        };
        http_risks(&h, &mut r);
        assert_eq!(
            r.iter().map(|(x, _)| x).collect::<Vec<_>>(),
            vec![Risk::SUSPICIOUS_UA]
        );
    }

    #[test]
    fn certificate_names_and_ssh_versions() {
        assert!(name_matches("*.example.com", "www.example.com"));
        assert!(!name_matches("*.example.com", "a.b.example.com"));
        assert!(!name_matches("*.example.com", "example.com"));
        assert!(name_matches("Example.com", "example.com."));
        assert!(obsolete_ssh("SSH-2.0-OpenSSH_5.3"));
        assert!(obsolete_ssh("SSH-1.5-foo"));
        assert!(!obsolete_ssh("SSH-2.0-OpenSSH_8.9p1"));
        assert!(!obsolete_ssh("SSH-1.99-OpenSSH_9.0"));
        assert!(is_numeric_host("10.0.0.1:8080"));
        assert!(is_numeric_host("[::1]:80"));
        assert!(is_numeric_host("::1"));
        assert!(!is_numeric_host("example.com:80"));
    }

    #[test]
    fn dga_names() {
        assert!(dga_label("www.google.com").is_none());
        assert!(dga_label("qxkzvbnrtplwmjhg.com").is_some());
        assert!(dga_label("_ldap._tcp.example.com").is_none());
    }

    proptest::proptest! {
        #[test]
        fn any_url_is_safe(url in ".{0,2000}") {
            let h = crate::meta::HttpInfo { method: "GET", url: url.into(), ..Default::default() };
            let mut r = Risks::default();
            http_risks(&h, &mut r);
            let _ = dga_label(&h.url);
        }
    }
}
