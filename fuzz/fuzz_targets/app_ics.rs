//! Fuzz the `app::ics` probes. The body lives in `weir_decode::fuzzing` so
//! that `cargo test` replays the corpus too.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| weir_decode::fuzzing::app_ics_input(data));
