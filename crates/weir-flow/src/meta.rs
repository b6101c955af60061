//! L7 metadata kept per flow (boxed, only for flows that have some).

use std::net::IpAddr;

use weir_decode::app::tls::CertInfo;

/// Cut at the first non-printable byte and at `max` bytes, as UTF-8 text.
pub(crate) fn text(b: &[u8], max: usize) -> Box<str> {
    let end = b
        .iter()
        .take(max)
        .position(|c| !(0x20..0x7f).contains(c))
        .unwrap_or(b.len().min(max));
    let s = b.get(..end).unwrap_or(&[]);
    String::from_utf8_lossy(s).into()
}

/// HTTP fields (`getHTTPInfo()`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpInfo {
    /// Method of the first request.
    pub method: &'static str,
    /// `<Host><target>` of the first request, cut at 512 bytes.
    pub url: Box<str>,
    /// User-Agent of the first request.
    pub user_agent: Option<Box<str>>,
    /// Status of the first response (0 until seen).
    pub return_code: u16,
    /// Response Content-Type.
    pub content_type: Option<Box<str>>,
    /// Response Server header.
    pub server: Option<Box<str>>,
    /// Requests seen during detection.
    pub requests: u16,
}

/// TLS fields (`getTLSInfo()`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsInfo {
    /// ClientHello legacy version.
    pub client_version: u16,
    /// Negotiated version (ServerHello, supported_versions aware); 0 until seen.
    pub version: u16,
    /// Negotiated cipher suite.
    pub cipher: u16,
    /// Client ALPN list, comma separated.
    pub client_alpn: Option<Box<str>>,
    /// Negotiated ALPN.
    pub server_alpn: Option<Box<str>>,
    /// Client supported_versions, comma separated names.
    pub supported_versions: Option<Box<str>>,
    /// JA3 (client) MD5.
    pub ja3c: Option<[u8; 16]>,
    /// JA3S (server) MD5.
    pub ja3s: Option<[u8; 16]>,
    /// Server certificate.
    pub cert: Option<Box<CertInfo>>,
    /// ECH extension offered.
    pub ech: bool,
}

/// DNS fields (`getDNSInfo()`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DnsInfo {
    /// QTYPE of the last query.
    pub qtype: u16,
    /// RCODE of the last reply (0 until one).
    pub rcode: u8,
    /// A reply was seen.
    pub replied: bool,
    /// The query name holds invalid characters.
    pub invalid_chars: bool,
    /// Answer count of the reply.
    pub answers: u16,
    /// Addresses answered.
    pub addrs: [Option<IpAddr>; 4],
}

/// SSH fields (`getSSHInfo()`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SshInfo {
    /// Client banner.
    pub client_signature: Option<Box<str>>,
    /// Server banner.
    pub server_signature: Option<Box<str>>,
    /// HASSH.
    pub hassh_client: Option<[u8; 16]>,
    /// HASSHServer.
    pub hassh_server: Option<[u8; 16]>,
}

/// Protocol-specific part of [`L7Meta`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ProtoInfo {
    /// Nothing specific.
    #[default]
    None,
    /// HTTP.
    Http(HttpInfo),
    /// TLS (also QUIC's TLS fields, IMAPS/SMTPS after STARTTLS).
    Tls(TlsInfo),
    /// DNS.
    Dns(DnsInfo),
    /// SSH.
    Ssh(SshInfo),
    /// DHCP.
    Dhcp {
        /// Option 53 message type.
        msg_type: u8,
        /// Option 12 host name.
        hostname: Option<Box<str>>,
    },
    /// QUIC.
    Quic {
        /// Version number.
        version: u32,
    },
    /// NTP.
    Ntp {
        /// Version.
        version: u8,
        /// Mode.
        mode: u8,
    },
    /// SMTP/IMAP/POP3 server greeting.
    Mail {
        /// Banner line.
        banner: Option<Box<str>>,
    },
}

/// L7 metadata of a flow.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct L7Meta {
    /// `host_server_name`: DNS query, HTTP Host, TLS/QUIC SNI.
    pub server_name: Option<Box<str>>,
    /// Protocol fields.
    pub info: ProtoInfo,
    /// Stream reassembly buffers during detection (client, server); freed when
    /// detection ends.
    pub(crate) stream: Option<Box<[Vec<u8>; 2]>>,
    /// QUIC CRYPTO byte ranges received (start, end) during detection.
    pub(crate) ranges: Vec<(u32, u32)>,
}

impl L7Meta {
    /// HTTP fields, if an HTTP flow.
    pub fn http(&self) -> Option<&HttpInfo> {
        match &self.info {
            ProtoInfo::Http(h) => Some(h),
            _ => None,
        }
    }
    /// TLS fields.
    pub fn tls(&self) -> Option<&TlsInfo> {
        match &self.info {
            ProtoInfo::Tls(t) => Some(t),
            _ => None,
        }
    }
    /// DNS fields.
    pub fn dns(&self) -> Option<&DnsInfo> {
        match &self.info {
            ProtoInfo::Dns(d) => Some(d),
            _ => None,
        }
    }
    /// SSH fields.
    pub fn ssh(&self) -> Option<&SshInfo> {
        match &self.info {
            ProtoInfo::Ssh(s) => Some(s),
            _ => None,
        }
    }

    /// The `info` summary ntopng shows: DNS query, else HTTP URL, else TLS SNI, else
    /// server name, else SSH signature.
    pub fn summary(&self) -> Option<&str> {
        match &self.info {
            ProtoInfo::Dns(_) => self.server_name.as_deref(),
            ProtoInfo::Http(h) if !h.url.is_empty() => Some(&h.url),
            ProtoInfo::Ssh(s) if self.server_name.is_none() => s
                .client_signature
                .as_deref()
                .or(s.server_signature.as_deref()),
            _ => self.server_name.as_deref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cuts() {
        assert_eq!(&*text(b"abc\x01def", 100), "abc");
        assert_eq!(&*text(b"abcdef", 3), "abc");
        assert!(std::mem::size_of::<L7Meta>() <= 256);
    }
}
