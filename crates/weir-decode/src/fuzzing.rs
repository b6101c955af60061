//! The bodies of the cargo-fuzz targets in `fuzz/`, kept here so that the fuzz targets
//! and the ordinary test that replays their corpora run the same checks.
//!
//! Each function panics when a promise of this crate is broken (that is what a fuzzer
//! looks for); on valid and invalid input alike it must return normally.
#![allow(clippy::panic)]

use crate::capture::{CaptureReader, MAX_RECORD_LEN};
use crate::{LinkType, decode};

/// `decode` target: the first byte picks the link type, the rest is the frame.
pub fn decode_input(data: &[u8]) {
    let Some((&sel, frame)) = data.split_first() else {
        return;
    };
    let lt = LinkType::SUPPORTED
        .get(usize::from(sel) % LinkType::SUPPORTED.len())
        .copied()
        .unwrap_or(LinkType::Ethernet);
    check_frame(lt, frame);
}

/// Decodes one frame and checks what every consumer relies on.
fn check_frame(lt: LinkType, frame: &[u8]) {
    if let Ok(p) = decode(lt, frame) {
        assert!(
            p.payload.len() <= frame.len(),
            "payload longer than the frame"
        );
        if let Some(e) = p.error {
            assert!(e.offset <= frame.len(), "error offset past the frame");
        }
        let _ = p.layers.iter().count();
        let _ = p.l4.and_then(|l| l.ports());
    }
}

/// `pcap` and `pcapng` targets: read every frame until `None`, checking the reader's
/// promises, and decode each frame.
pub fn capture_input(data: &[u8]) {
    let Ok(mut reader) = CaptureReader::new(data, "fuzz") else {
        return;
    };
    let size = data.len() as u64;
    while let Some(next) = reader.next_frame() {
        match next {
            Ok(frame) => {
                assert!(
                    frame.data.len() <= MAX_RECORD_LEN as usize,
                    "oversized frame"
                );
                assert!(frame.offset < size, "frame offset past the input");
                check_frame(frame.linktype, frame.data);
            }
            Err(e) => {
                assert!(e.offset < size.max(1), "error offset past the input");
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
}

/// `syslog` target: the message parser, and the TCP framer fed the input in two chunks
/// split where the first byte says.
pub fn syslog_input(data: &[u8]) {
    if let Ok(m) = crate::parse_syslog(data) {
        assert!(m.priority <= 191, "priority out of range");
        assert!(
            m.content.len() <= data.len(),
            "content longer than the message"
        );
        let _ = m.default_producer();
    }
    let Some((&cut, stream)) = data.split_first() else {
        return;
    };
    let at = usize::from(cut) % (stream.len() + 1);
    let (a, b) = stream.split_at(at);
    let mut framer = crate::SyslogFramer::new(1024);
    let mut total = 0usize;
    for chunk in [a, b] {
        framer.push(chunk);
        while let Some(frame) = framer.next_frame() {
            assert!(frame.len() <= 1024, "frame over the limit");
            total += frame.len();
            let _ = crate::parse_syslog(&frame);
        }
    }
    assert!(
        total <= stream.len(),
        "framer produced more bytes than it was given"
    );
    let _ = framer.finish();
}
