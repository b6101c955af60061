//! Application-layer payload builders: HTTP/1.1, TLS handshakes, DNS, NTP, SSH, SMTP, RDP,
//! DHCP and Stratum, one file per protocol.
//!
//! Every function returns the bytes of one message as it appears in a TCP stream or UDP
//! datagram, with all length fields consistent.
//!
//! ```
//! use weir_gen::app;
//!
//! let q = app::dns_query(0x1234, "www.example.com", app::DNS_TYPE_A);
//! assert_eq!(&q[..2], &[0x12, 0x34]);
//! let req = app::http_request("GET", "example.com", "/", "curl/8.5.0");
//! assert!(req.starts_with(b"GET / HTTP/1.1\r\nHost: example.com\r\n"));
//! ```

mod dhcp;
mod dns;
mod http;
mod ntp;
mod rdp;
mod smtp;
mod ssh;
mod stratum;
mod tls;

pub use dhcp::{DHCP_ACK, DHCP_DISCOVER, DHCP_OFFER, DHCP_REQUEST, Dhcp, dhcp_message};
pub use dns::{
    DNS_RCODE_NOERROR, DNS_RCODE_NXDOMAIN, DNS_TYPE_A, DNS_TYPE_AAAA, DNS_TYPE_CNAME, DNS_TYPE_TXT,
    dns_query, dns_response, dns_response_cname, dns_tcp, dns_txt_response, encode_dns_name,
};
pub use http::{
    body_bytes, http_request, http_response, http_response_head, is_executable_type, pe_header,
};
pub use ntp::{NTP_UNIX_OFFSET, ntp_client, ntp_server, ntp_timestamp};
pub use rdp::{rdp_connection_confirm, rdp_connection_request};
pub use smtp::{smtp_banner, smtp_ehlo, smtp_ehlo_reply, smtp_transaction};
pub use ssh::{
    SshHostKey, ssh_banner, ssh_kex_ecdh_init, ssh_kex_ecdh_reply, ssh_kexinit, ssh_newkeys,
    ssh_packet,
};
pub use stratum::{stratum_job, stratum_login, stratum_ok, stratum_submit};
pub use tls::{
    BROWSER_CIPHER_SUITES, LEGACY_CIPHER_SUITES, TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384,
    TLS_CHACHA20_POLY1305_SHA256, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TlsVersion, client_hello_sni, is_grease,
    tls_certificate, tls_change_cipher_spec, tls_client_hello, tls_client_key_exchange, tls_record,
    tls_server_hello, tls_server_hello_done, tls_server_key_exchange,
};

/// Appends `v` big-endian.
fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

/// Appends the low 24 bits of `v` big-endian.
fn put_u24(out: &mut Vec<u8>, v: usize) {
    out.extend_from_slice(&(v as u32).to_be_bytes()[1..]);
}
