//! Fuzz the lenient DNS parser (UDP and TCP framing).
#![no_main]

use libfuzzer_sys::fuzz_target;
use weir_decode::app::dns;

fuzz_target!(|data: &[u8]| {
    let _ = dns::probe(data);
    if let Some(m) = dns::parse(data) {
        assert!(m.qname.as_bytes().len() <= dns::MAX_NAME);
    }
    if let Some(inner) = dns::strip_tcp_length(data) {
        let _ = dns::parse(inner);
    }
});
