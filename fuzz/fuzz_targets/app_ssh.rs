//! Fuzz the SSH banner and KEXINIT (HASSH) parser.
#![no_main]

use libfuzzer_sys::fuzz_target;
use weir_decode::app::ssh;

fuzz_target!(|data: &[u8]| {
    let _ = ssh::banner(data);
    if let Some(k) = ssh::parse_kexinit(data) {
        let _ = ssh::hassh(&k, true);
        let _ = ssh::hassh(&k, false);
    }
});
