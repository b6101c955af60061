//! Fuzz the DHCP parser.
#![no_main]

use libfuzzer_sys::fuzz_target;
use weir_decode::app::dhcp;

fuzz_target!(|data: &[u8]| {
    let _ = dhcp::parse(data);
});
