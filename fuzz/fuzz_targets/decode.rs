//! Fuzz `weir_decode::decode` for every supported link type: the first input byte picks
//! the link type, the rest is the frame.
#![no_main]

use libfuzzer_sys::fuzz_target;
use weir_decode::{LinkType, decode};

fuzz_target!(|data: &[u8]| {
    let Some((&sel, frame)) = data.split_first() else {
        return;
    };
    let lt = LinkType::SUPPORTED[usize::from(sel) % LinkType::SUPPORTED.len()];
    if let Ok(p) = decode(lt, frame) {
        // Touch everything a consumer reads, so a lie in any length surfaces here.
        assert!(p.payload.len() <= frame.len());
        let _ = p.layers.iter().count();
        let _ = p.l4.and_then(|l| l.ports());
        if let Some(e) = p.error {
            assert!(e.offset <= frame.len());
        }
    }
});
