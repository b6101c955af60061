//! The nDPI flow risks weir can tell from what it decodes (`flow.hasRisk`,
//! `flow.getRiskInfo`; spec flow-info.md §4, nDPI 3.4 ids). weir has no nDPI: each
//! risk below is derived from the flow's own metadata with the rule given; the other
//! nDPI risks are never reported.
//!
//! | id | name | rule |
//! | --- | --- | --- |
//! | 4 | Binary application transfer | HTTP response `Content-Type` `application/x-dosexec` (or `x-msdownload`), or a request path ending in `.exe`, `.dll` or `.msi` |
//! | 6 | Self-signed Certificate | the server certificate's issuer is its subject |
//! | 7 | Obsolete TLS version (< 1.1) | TLS (negotiated, else offered) version below 1.1 |
//! | 9 | TLS Expired Certificate | the flow's first packet is outside the certificate's validity |
//! | 12 | HTTP Numeric IP Address | the HTTP `Host` is an IP address |
//! | 20 | SMB insecure version | SMBv1 |
//! | 24 | TLS missing SNI | a TLS ClientHello without server name |

use weir_flow::Proto;

use crate::flow_view::FlowView;

/// Risk ids and names weir derives.
pub(crate) const RISKS: [(u8, &str); 7] = [
    (4, "Binary application transfer"),
    (6, "Self-signed Certificate"),
    (7, "Obsolete TLS version (< 1.1)"),
    (9, "TLS Expired Certificate"),
    (12, "HTTP Numeric IP Address"),
    (20, "SMB insecure version"),
    (24, "TLS missing SNI"),
];

/// The risks of the flow as a bitmap (bit = nDPI risk id).
pub(crate) fn risk_bits(v: &FlowView) -> u32 {
    let mut bits = 0u32;
    let mut set = |id: u8| bits |= 1 << id;
    if v.l7.app == Proto::SMBV1 || v.l7.master == Proto::SMBV1 {
        set(20);
    }
    let Some(m) = v.meta.as_deref() else {
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
            let at = i64::try_from(v.first_seen.as_secs()).unwrap_or(i64::MAX);
            if c.not_after != 0 && (at > c.not_after || at < c.not_before) {
                set(9);
            }
        }
    }
    bits
}
