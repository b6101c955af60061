//! Fuzz the capture reader with pcapng-shaped input (seeds in `fuzz/corpus/pcapng`): read every
//! frame until `None`, checking the reader's promises, and decode each frame. The body
//! lives in `weir_decode::fuzzing` so that `cargo test` replays the corpus too.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| weir_decode::fuzzing::capture_input(data));
