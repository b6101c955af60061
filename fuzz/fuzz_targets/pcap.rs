//! Fuzz the capture reader with libpcap-shaped input (seeds in `fuzz/corpus/pcap`): read
//! every frame until `None`, checking the reader's promises on the way.
#![no_main]

use libfuzzer_sys::fuzz_target;
use weir_decode::capture::{CaptureReader, MAX_RECORD_LEN};

fuzz_target!(|data: &[u8]| {
    let Ok(mut reader) = CaptureReader::new(std::io::Cursor::new(data), "fuzz.pcap") else {
        return;
    };
    let size = data.len() as u64;
    while let Some(next) = reader.next_frame() {
        match next {
            Ok(frame) => {
                assert!(frame.data.len() <= MAX_RECORD_LEN as usize);
                assert!(frame.offset < size);
            }
            Err(e) => {
                assert!(e.offset < size.max(1));
                let _ = e.to_string();
                if e.is_fatal() {
                    assert!(reader.next_frame().is_none(), "a frame after a fatal error");
                    break;
                }
            }
        }
    }
    let stats = reader.stats();
    assert!(stats.bytes_read <= size);
    assert!(stats.skipped_bytes <= stats.bytes_read);
});
