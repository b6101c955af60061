//! The nDPI flow risks weir can tell from what it decodes (`flow.hasRisk`,
//! `flow.getRiskInfo`; spec flow-info.md §4, nDPI 3.4 ids). weir has no nDPI: each
//! risk below is derived from the flow's own metadata with the rule given; the other
//! nDPI risks are never reported.
//!
//! | id | name | rule |
//! | --- | --- | --- |
//! | 4 | Binary application transfer | HTTP response `Content-Type` `application/x-dosexec` (or `x-msdownload`), or a request path ending in `.exe`, `.dll` or `.msi` |
//! | 5 | Known protocol on non standard port | HTTP, TLS, SSH, SMTP, POP3, IMAP, FTP, DNS, NTP or RDP found by DPI on a server port other than its default ones (80; 443; 22; 25, 587; 110; 143; 21; 53; 123; 3389) |
//! | 6 | Self-signed Certificate | the server certificate's issuer is its subject |
//! | 7 | Obsolete TLS version (< 1.1) | TLS (negotiated, else offered) version below 1.1 |
//! | 9 | TLS Expired Certificate | the flow's first packet is outside the certificate's validity |
//! | 12 | HTTP Numeric IP Address | the HTTP `Host` is an IP address |
//! | 16 | Suspicious DGA domain name | a DNS query whose label left of the top-level domain looks machine-generated ([`dga_label`]) |
//! | 20 | SMB insecure version | SMBv1 |
//! | 24 | TLS missing SNI | a TLS ClientHello without server name |

use weir_flow::Proto;

use crate::flow_view::FlowView;

/// Risk ids and names weir derives.
pub(crate) const RISKS: [(u8, &str); 9] = [
    (4, "Binary application transfer"),
    (5, "Known protocol on non standard port"),
    (6, "Self-signed Certificate"),
    (7, "Obsolete TLS version (< 1.1)"),
    (9, "TLS Expired Certificate"),
    (12, "HTTP Numeric IP Address"),
    (16, "Suspicious DGA domain name"),
    (20, "SMB insecure version"),
    (24, "TLS missing SNI"),
];

/// The risks of the flow as a bitmap (bit = nDPI risk id).
pub(crate) fn risk_bits(v: &FlowView) -> u32 {
    risk_bits_of(&v.l7, v.meta.as_deref(), v.first_seen, v.server().1)
}

/// The ports a protocol is expected on (nDPI's default ports), for risk 5.
fn default_ports(p: Proto) -> Option<&'static [u16]> {
    Some(match p {
        Proto::HTTP => &[80],
        Proto::TLS => &[443],
        Proto::SSH => &[22],
        Proto::SMTP => &[25, 587],
        Proto::POP3 => &[110],
        Proto::IMAP => &[143],
        Proto::FTP_CONTROL => &[21],
        Proto::DNS => &[53],
        Proto::NTP => &[123],
        Proto::RDP => &[3389],
        _ => return None,
    })
}

/// [`risk_bits`] from the parts of a flow (the dispatcher asks before a view exists).
pub(crate) fn risk_bits_of(
    l7: &weir_flow::L7,
    meta: Option<&weir_flow::L7Meta>,
    first_seen: weir_decode::Timestamp,
    srv_port: u16,
) -> u32 {
    let mut bits = 0u32;
    let mut set = |id: u8| bits |= 1 << id;
    if l7.app == Proto::SMBV1 || l7.master == Proto::SMBV1 {
        set(20);
    }
    if !l7.confidence.is_guess()
        && default_ports(l7.master).is_some_and(|ports| srv_port != 0 && !ports.contains(&srv_port))
    {
        set(5);
    }
    let Some(m) = meta else {
        return bits;
    };
    if let Some(h) = m.http() {
        let ct = h.content_type.as_deref().unwrap_or("");
        let path = h
            .url
            .split(['?', '#'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        if ct.starts_with("application/x-dosexec")
            || ct.starts_with("application/x-msdownload")
            || [".exe", ".dll", ".msi"].iter().any(|e| path.ends_with(e))
        {
            set(4);
        }
        let host = m.server_name.as_deref().unwrap_or("");
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.split(']').next())
            .unwrap_or_else(|| host.rsplit_once(':').map_or(host, |(h, _)| h));
        if host.parse::<std::net::IpAddr>().is_ok() {
            set(12);
        }
    }
    if m.dns().is_some()
        && let Some(name) = m.server_name.as_deref()
        && dga_label(name).is_some()
    {
        set(RISK_DGA);
    }
    if let Some(t) = m.tls() {
        let ver = weir_flow::info::tls_version(t);
        if ver != 0 && ver < 0x0302 {
            set(7);
        }
        if m.server_name.as_deref().is_none_or(str::is_empty) && t.client_version != 0 {
            set(24);
        }
        if let Some(c) = t.cert.as_deref() {
            if c.self_signed {
                set(6);
            }
            let at = i64::try_from(first_seen.as_secs()).unwrap_or(i64::MAX);
            if c.not_after != 0 && (at > c.not_after || at < c.not_before) {
                set(9);
            }
        }
    }
    bits
}

/// nDPI's risk id of a suspicious (DGA-like) domain name.
pub(crate) const RISK_DGA: u8 = 16;

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
pub(crate) fn dga_label(name: &str) -> Option<(String, f64)> {
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
        logsum += (LETTER_FREQ[usize::from(c - b'a')] / 100.0).log2();
    }
    if letters < DGA_MIN_LETTERS {
        return None;
    }
    let (mut pairs, mut rare) = (0usize, 0usize);
    for w in b.windows(2) {
        if w[0].is_ascii_lowercase() && w[1].is_ascii_lowercase() {
            pairs += 1;
            if !COMMON_PAIRS.iter().any(|p| p[..] == *w) {
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
