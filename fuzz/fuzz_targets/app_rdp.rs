//! Fuzz the RDP (TPKT/X.224) probe.
#![no_main]

use libfuzzer_sys::fuzz_target;
use weir_decode::app::rdp;

fuzz_target!(|data: &[u8]| {
    let _ = rdp::probe(data);
});
