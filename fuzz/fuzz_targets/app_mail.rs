//! Fuzz the SMTP/IMAP/POP3 banner and command probes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use weir_decode::app::mail;

fuzz_target!(|data: &[u8]| {
    let _ = mail::probe_banner(data);
    let _ = mail::probe_command(data);
});
