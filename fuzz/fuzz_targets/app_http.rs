//! Fuzz the HTTP dissector: request and response heads.
#![no_main]

use libfuzzer_sys::fuzz_target;
use weir_decode::app::http;

fuzz_target!(|data: &[u8]| {
    if let Some(r) = http::parse_request(data) {
        assert!(r.target.len() <= data.len());
        let _ = http::is_proxy_request(&r);
    }
    if let Some(r) = http::parse_response(data) {
        assert!((100..=999).contains(&r.code));
    }
});
