//! Fuzz the NTP header parser.
#![no_main]

use libfuzzer_sys::fuzz_target;
use weir_decode::app::ntp;

fuzz_target!(|data: &[u8]| {
    let _ = ntp::parse(data);
});
