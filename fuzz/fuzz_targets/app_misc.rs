//! Fuzz the small signature probes (SIP, RTP, SSDP, FTP, BGP, NATS, NetBIOS, Dropbox,
//! Spotify, STUN).
#![no_main]

use libfuzzer_sys::fuzz_target;
use weir_decode::app::misc;

fuzz_target!(|data: &[u8]| {
    let _ = misc::probe_sip(data);
    let _ = misc::probe_rtp(data);
    let _ = misc::probe_ssdp(data);
    let _ = misc::probe_ftp(data);
    let _ = misc::probe_bgp(data);
    let _ = misc::probe_nats(data);
    let _ = misc::probe_netbios_ns(data);
    let _ = misc::probe_dropbox(data);
    let _ = misc::probe_spotify(data);
    let _ = misc::probe_stun(data);
});
