//! Fuzz the SMB / NetBIOS probes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use weir_decode::app::smb;

fuzz_target!(|data: &[u8]| {
    let _ = smb::probe_tcp(data);
    let _ = smb::probe_netbios_session(data);
    let _ = smb::probe_datagram(data);
});
