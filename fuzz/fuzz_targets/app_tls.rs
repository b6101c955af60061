//! Fuzz the TLS dissector: record walk, hellos, certificate extraction and X.509 parsing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use weir_decode::app::tls;

fuzz_target!(|data: &[u8]| {
    let _ = tls::probe(data);
    let _ = tls::probe_records(data);
    let mut scratch = Vec::new();
    tls::handshake_messages(data, &mut scratch, 1 << 15, |ty, body| match ty {
        tls::HS_CLIENT_HELLO => {
            let _ = tls::parse_client_hello(body);
        }
        tls::HS_SERVER_HELLO => {
            let _ = tls::parse_server_hello(body);
        }
        tls::HS_CERTIFICATE => {
            if let Some(der) = tls::first_certificate(body) {
                let _ = tls::parse_certificate(der);
            }
        }
        _ => {}
    });
    assert!(scratch.len() <= 1 << 15);
    // Hello bodies directly, without records.
    let _ = tls::parse_client_hello(data);
    let _ = tls::parse_server_hello(data);
});
