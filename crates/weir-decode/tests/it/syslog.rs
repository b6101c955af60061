//! Syslog parsing on real input and properties of the framer.

use proptest::prelude::*;
use weir_decode::{SyslogFramer, parse_syslog};

#[test]
fn every_line_of_the_shared_suricata_log_parses() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/suricata-eve.log"
    );
    let Ok(text) = std::fs::read(path) else {
        eprintln!("SKIPPED: {path} not found");
        return;
    };
    let mut n = 0;
    for line in text.split(|&c| c == b'\n').filter(|l| !l.is_empty()) {
        let m =
            parse_syslog(line).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(line)));
        assert_eq!(m.default_producer().as_deref(), Some("suricata"));
        assert_eq!(m.hostname, Some("dev-box"));
        assert!(
            m.content.starts_with(b"{\"timestamp\""),
            "{}",
            String::from_utf8_lossy(m.content)
        );
        n += 1;
    }
    assert_eq!(n, 1000);
}

fn octet_counted(msgs: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for m in msgs {
        out.extend(format!("{} ", m.len()).as_bytes());
        out.extend(m);
    }
    out
}

proptest! {
    #[test]
    fn parser_is_total(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = parse_syslog(&bytes);
    }

    #[test]
    fn framing_does_not_depend_on_read_boundaries(
        msgs in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 1..60), 1..10),
        cuts in proptest::collection::vec(any::<usize>(), 0..6),
    ) {
        let stream = octet_counted(&msgs);
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (stream.len() + 1)).collect();
        cuts.sort_unstable();
        let mut framer = SyslogFramer::new(1024);
        let mut got = Vec::new();
        let mut prev = 0;
        for c in cuts.into_iter().chain([stream.len()]) {
            framer.push(&stream[prev..c]);
            prev = c;
            while let Some(f) = framer.next_frame() {
                got.push(f);
            }
        }
        prop_assert_eq!(got, msgs);
    }

    #[test]
    fn newline_framing_round_trips(lines in proptest::collection::vec("<[0-9]{1,3}>[a-z ]{1,40}", 1..10)) {
        let stream: String = lines.iter().map(|l| format!("{l}\n")).collect();
        let mut framer = SyslogFramer::new(1024);
        framer.push(stream.as_bytes());
        let got: Vec<Vec<u8>> = std::iter::from_fn(|| framer.next_frame()).collect();
        let want: Vec<Vec<u8>> = lines.iter().map(|l| l.as_bytes().to_vec()).collect();
        prop_assert_eq!(got, want);
    }
}
