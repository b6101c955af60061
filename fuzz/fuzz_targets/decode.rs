//! Fuzz `weir_decode::decode` for every supported link type: the first input byte picks
//! the link type, the rest is the frame. The body lives in `weir_decode::fuzzing` so
//! that `cargo test` replays the corpus too.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| weir_decode::fuzzing::decode_input(data));
