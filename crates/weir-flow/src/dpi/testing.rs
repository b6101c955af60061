//! Helpers of the dissector tests: flows between two test addresses, packets fed to
//! detection, payloads written as hex.

use weir_decode::Timestamp;

use crate::flow::Flow;
use crate::key::FlowKey;
use crate::l7::{PacketCtx, dissect};
use crate::proto::Proto;

/// The bytes of a hex string (test data; panics on bad hex).
pub(crate) fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// A new flow from 10.0.0.1:`cport` to 10.0.0.2:`sport`.
pub(crate) fn flow(l4: u8, cport: u16, sport: u16) -> Flow {
    let (k, a) = FlowKey::new(
        0,
        l4,
        ("10.0.0.1".parse().unwrap(), cport),
        ("10.0.0.2".parse().unwrap(), sport),
    );
    Flow::new(k, a, 1, Timestamp(1))
}

/// A packet of such a flow.
pub(crate) fn ctx(p: &[u8], from_client: bool, l4: u8, cport: u16, sport: u16) -> PacketCtx<'_> {
    PacketCtx {
        payload: p,
        from_client,
        l4,
        cport,
        sport,
        in_order: true,
        ts: Timestamp(2_000_000),
    }
}

/// Feeds one packet to detection.
pub(crate) fn feed(f: &mut Flow, p: &[u8], from_client: bool, l4: u8, cport: u16, sport: u16) {
    dissect(f, &ctx(p, from_client, l4, cport, sport));
}

/// Runs `packets` (payload, from the client?) through detection of a new flow between
/// the two ports, one second apart, and returns its master protocol.
pub(crate) fn detect(l4: u8, cport: u16, sport: u16, packets: &[(&[u8], bool)]) -> Proto {
    let mut f = flow(l4, cport, sport);
    for (i, (p, from_client)) in packets.iter().enumerate() {
        let mut c = ctx(p, *from_client, l4, cport, sport);
        c.ts = Timestamp(1_000_000 + i as u64);
        dissect(&mut f, &c);
    }
    f.l7.master
}
