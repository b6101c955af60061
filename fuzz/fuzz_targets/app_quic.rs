//! Fuzz the QUIC header parser, Initial decryption and CRYPTO frame walk.
#![no_main]

use libfuzzer_sys::fuzz_target;
use weir_decode::app::quic;

fuzz_target!(|data: &[u8]| {
    let _ = quic::parse_header(data);
    if let Some(plain) = quic::decrypt_client_initial(data) {
        quic::crypto_frames(&plain, |_, _| {});
    }
    // The frame walker on arbitrary plaintext.
    quic::crypto_frames(data, |off, d| {
        let _ = off.checked_add(d.len() as u64);
    });
});
